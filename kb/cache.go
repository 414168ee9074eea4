package kb

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2"

	"github.com/guichet/guichet/nlu"
)

// What Open derives from the content (the Bleve index and the trained
// matcher) is kept in the data dir and reused at the next start when the
// code that derived it is the same: the index is then patched with the
// articles that changed, and the matcher is read back instead of trained
// when no article did. Both stay derived data: deleting them costs a
// slower start, nothing else.

// codeVersion identifies the running program: its executable's hash, so
// that a rebuilt binary (whatever its version stamp says) never reuses
// what other code derived. Computed once; "" when the executable cannot
// be read, and then nothing is reused.
var codeVersion = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
})

// Keys of the index's internal storage.
var (
	internalVersion = []byte("guichet:version")
	internalDocs    = []byte("guichet:docs")
)

// openIndex opens the index at path when the same code built it, with the
// hash of each article it holds, or makes an empty one.
func openIndex(path string) (bleve.Index, map[string]string, error) {
	if v := codeVersion(); v != "" {
		if idx, err := bleve.Open(path); err == nil {
			got, err1 := idx.GetInternal(internalVersion)
			data, err2 := idx.GetInternal(internalDocs)
			var docs map[string]string
			if err1 == nil && err2 == nil && string(got) == v && json.Unmarshal(data, &docs) == nil && docs != nil {
				return idx, docs, nil
			}
			idx.Close()
		}
	}
	idx, err := createIndex(path)
	if err != nil {
		return nil, nil, err
	}
	return idx, map[string]string{}, nil
}

// docHash identifies what the index holds of an article.
func docHash(d indexDoc) string {
	data, _ := json.Marshal(d) // strings only: never fails
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// matcherPath is where the trained matcher is saved, beside the index.
func (k *KB) matcherPath() string { return k.opts.IndexPath + ".matcher" }

// matcherMagic starts a saved matcher file.
const matcherMagic = "guichet matcher\n"

// matcherKey identifies what a matcher is built from: the code, the
// weights and every article as the matcher sees it.
func matcherKey(docs []nlu.Doc, w nlu.Weights) []byte {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	put := func(s string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		io.WriteString(h, s)
	}
	put(codeVersion())
	put(fmt.Sprintf("%#v", w))
	for _, d := range docs {
		put(d.ID)
		put(d.Title)
		put(fmt.Sprint(len(d.Questions)))
		for _, q := range d.Questions {
			put(q)
		}
		put(fmt.Sprint(d.Tags, d.Intents, d.FixedIntents))
		put(d.Body)
	}
	return h.Sum(nil)
}

// readMatcher loads the saved matcher when it was built from these docs
// by this code; false when there is none to reuse.
func (k *KB) readMatcher(docs []nlu.Doc, key []byte) (*nlu.Matcher, bool) {
	if codeVersion() == "" {
		return nil, false
	}
	f, err := os.Open(k.matcherPath())
	if err != nil {
		return nil, false
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	head := make([]byte, len(matcherMagic)+len(key))
	if _, err := io.ReadFull(r, head); err != nil || !bytes.Equal(head, append([]byte(matcherMagic), key...)) {
		return nil, false
	}
	m, err := nlu.ReadMatcher(r, docs, k.opts.Weights)
	if err != nil {
		return nil, false
	}
	return m, true
}

// saveMatcher writes m, built from the docs key names, for the next start:
// to a temporary file renamed over the last one, so that a crash never
// leaves half a file to read.
func (k *KB) saveMatcher(m *nlu.Matcher, key []byte) (err error) {
	if codeVersion() == "" {
		return nil
	}
	path := k.matcherPath()
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save matcher: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := w.WriteString(matcherMagic); err != nil {
		return fmt.Errorf("save matcher: %w", err)
	}
	if _, err := w.Write(key); err != nil {
		return fmt.Errorf("save matcher: %w", err)
	}
	if _, err := m.WriteTo(w); err != nil {
		return fmt.Errorf("save matcher: %w", err)
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return fmt.Errorf("save matcher: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("save matcher: %w", err)
	}
	return nil
}
