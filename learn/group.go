package learn

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/guichet/guichet/nlu"
)

// group is one question as customers asked it, however they cased,
// accented or punctuated it: the newest wording, how many times, and when
// last.
type group struct {
	Key   string
	Text  string
	Count int
	Last  time.Time
}

// questionKey folds a question to what makes it the same question: case,
// accents, punctuation and stop words do not count (nlu's analysis, the
// one the matcher reads), the words themselves do.
func questionKey(text string) string {
	toks := nlu.Analyze(text)
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.Word
	}
	if len(words) > 0 {
		return strings.Join(words, " ")
	}
	// Only stop words: still fold case, accents and punctuation.
	return strings.Join(strings.FieldsFunc(nlu.Fold(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}

// grouper gathers duplicate questions.
type grouper struct {
	byKey map[string]*group
	order []*group
}

func newGrouper() *grouper { return &grouper{byKey: map[string]*group{}} }

// add counts one asking of text at at and returns its group.
func (g *grouper) add(text string, at time.Time) *group {
	k := questionKey(text)
	gr := g.byKey[k]
	if gr == nil {
		gr = &group{Key: k, Text: text, Last: at}
		g.byKey[k] = gr
		g.order = append(g.order, gr)
	}
	gr.Count++
	if !at.Before(gr.Last) {
		gr.Last, gr.Text = at, text
	}
	return gr
}

// groups returns the groups, the most asked first, then the newest.
func (g *grouper) groups() []group {
	out := make([]group, len(g.order))
	for i, gr := range g.order {
		out[i] = *gr
	}
	slices.SortFunc(out, func(a, b group) int {
		return cmp.Or(b.Count-a.Count, b.Last.Compare(a.Last), strings.Compare(a.Key, b.Key))
	})
	return out
}
