// Package synth generates knowledge bases and customer questions for
// benchmarks and the load command: n articles derived from the sample
// content, and thousands of distinct French questions a customer could
// type. It parses the embedded sample content itself and imports only the
// content package (not kb), so that any package's tests, kb's included,
// may use it.
package synth

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"

	"gopkg.in/yaml.v3"

	"github.com/guichet/guichet/content"
)

// sample is one sample article: what generation reuses of it.
type sample struct {
	ID        string   `yaml:"id"`
	Title     string   `yaml:"title"`
	Questions []string `yaml:"questions"`
	// body is the generic answer: the Markdown without its order-status
	// variants, which need the shop's status codes to validate.
	body string
}

// samples reads the sample articles, sorted by id.
func samples() ([]sample, error) {
	files, err := fs.Glob(content.FS, "*.md")
	if err != nil {
		return nil, fmt.Errorf("list sample content: %w", err)
	}
	var out []sample
	for _, f := range files {
		data, err := fs.ReadFile(content.FS, f)
		if err != nil {
			return nil, fmt.Errorf("read sample %s: %w", f, err)
		}
		rest, ok := bytes.CutPrefix(data, []byte("---\n"))
		front, body, ok2 := bytes.Cut(rest, []byte("\n---\n"))
		if !ok || !ok2 {
			return nil, fmt.Errorf("sample %s: no front matter", f)
		}
		var s sample
		if err := yaml.Unmarshal(front, &s); err != nil {
			return nil, fmt.Errorf("sample %s: %w", f, err)
		}
		s.body = withoutVariants(string(body))
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b sample) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// withoutVariants drops the "::: statut …" blocks of an answer.
func withoutVariants(md string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.SplitAfter(md, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case !in && strings.HasPrefix(t, "::: statut"):
			in = true
		case in && t == ":::":
			in = false
		case !in:
			b.WriteString(l)
		}
	}
	return strings.TrimSpace(b.String())
}

// Articles returns n articles as Markdown files art-00000.md…: each is a
// sample article whose example questions get two words swapped for others
// from the whole sample vocabulary and a distinguishing reference, so that
// the corpus is topically dense (a question matches many articles: near
// the worst case for ranking). The same n always gives the same files.
func Articles(n int) (fstest.MapFS, error) {
	base, err := samples()
	if err != nil {
		return nil, err
	}
	var vocab []string
	for _, a := range base {
		for _, q := range a.Questions {
			vocab = append(vocab, strings.Fields(q)...)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	fsys := fstest.MapFS{}
	for i := range n {
		a := base[i%len(base)]
		var b strings.Builder
		fmt.Fprintf(&b, "---\nid: art-%d\ntitle: %q\nquestions:\n", i, fmt.Sprintf("%s (modèle %d)", a.Title, i))
		for _, q := range a.Questions[:min(7, len(a.Questions))] {
			words := strings.Fields(q)
			for range 2 {
				words[rng.IntN(len(words))] = vocab[rng.IntN(len(vocab))]
			}
			fmt.Fprintf(&b, "  - %q\n", strings.Join(words, " ")+fmt.Sprintf(" réf%d", i))
		}
		fmt.Fprintf(&b, "---\n%s\n", a.body)
		fsys[fmt.Sprintf("art-%05d.md", i)] = &fstest.MapFile{Data: []byte(b.String()), Mode: 0o644}
	}
	return fsys, nil
}

// WriteArticles writes Articles(n) into dir, which it creates.
func WriteArticles(dir string, n int) error {
	fsys, err := Articles(n)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	for name, f := range fsys {
		if err := os.WriteFile(filepath.Join(dir, name), f.Data, 0o600); err != nil {
			return fmt.Errorf("write article: %w", err)
		}
	}
	return nil
}

// Examples returns the sample articles' example questions, in the order of
// the articles' ids.
func Examples() ([]string, error) {
	base, err := samples()
	if err != nil {
		return nil, err
	}
	var qs []string
	for _, a := range base {
		qs = append(qs, a.Questions...)
	}
	return qs, nil
}
