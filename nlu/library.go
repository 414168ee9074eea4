package nlu

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Intent is a customer need that French online shops share (« où est mon
// colis », « je veux retourner un article »), with the ways customers word
// it. Articles of any shop are mapped to the intents they answer, and the
// intent's phrasings become evidence for them: a shop's first day starts
// with thousands of customer wordings, not the two examples its editors
// wrote.
type Intent struct {
	ID    string
	Label string
	// Phrasings are customers' wordings of the intent, as written in the
	// library.
	Phrasings []string

	// Phrasings analysed, and their features, once per process; the
	// features' ids are those of vocab, which the library's intents share.
	toks  [][]Token
	feats []bag
	vocab *featVocab
}

// intents/*.txt hold the library: "[id] Label", then one phrasing a line,
// a blank line between intents, "#" for comments.
//
//go:embed intents/*.txt
var intentFiles embed.FS

var reIntentHead = regexp.MustCompile(`^\[([a-z0-9]+(?:-[a-z0-9]+)*)\]\s*(.+)$`)

// Library returns the built-in intents, sorted by id. It is parsed once; the
// result must not be modified.
var Library = sync.OnceValue(func() []*Intent {
	lib, err := parseLibrary(intentFiles)
	if err != nil {
		panic(err) // the embedded files are checked by the tests
	}
	return lib
})

func parseLibrary(fsys fs.FS) ([]*Intent, error) {
	files, err := fs.Glob(fsys, "intents/*.txt")
	if err != nil {
		return nil, err
	}
	byID := map[string]*Intent{}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var cur *Intent
		for n, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			switch {
			case line == "" || strings.HasPrefix(line, "#"):
				continue
			case strings.HasPrefix(line, "["):
				m := reIntentHead.FindStringSubmatch(line)
				if m == nil {
					return nil, fmt.Errorf("%s:%d: intent header %q is not « [id] Label »", f, n+1, line)
				}
				if byID[m[1]] != nil {
					return nil, fmt.Errorf("%s:%d: intent %q defined twice", f, n+1, m[1])
				}
				cur = &Intent{ID: m[1], Label: m[2]}
				byID[cur.ID] = cur
			case cur == nil:
				return nil, fmt.Errorf("%s:%d: phrasing before any intent header", f, n+1)
			default:
				cur.Phrasings = append(cur.Phrasings, line)
			}
		}
	}
	lib := make([]*Intent, 0, len(byID))
	vocab := newFeatVocab()
	var all []bag
	for _, in := range byID {
		var counts []map[string]int
		for _, p := range in.Phrasings {
			if toks := Analyze(p); len(toks) > 0 {
				in.toks = append(in.toks, toks)
				counts = append(counts, featureCounts(toks))
			}
		}
		in.feats, in.vocab = vocab.bags(counts), vocab
		all = append(all, in.feats...)
		lib = append(lib, in)
	}
	vocab.finish(all)
	slices.SortFunc(lib, func(a, b *Intent) int { return strings.Compare(a.ID, b.ID) })
	return lib, nil
}

// LookupIntent returns the library's intent with this id.
func LookupIntent(id string) (*Intent, bool) {
	lib := Library()
	i, ok := slices.BinarySearchFunc(lib, id, func(in *Intent, id string) int { return strings.Compare(in.ID, id) })
	if !ok {
		return nil, false
	}
	return lib[i], true
}
