package reports

import (
	"cmp"
	"slices"
	"strings"

	"github.com/guichet/guichet/nlu"
)

// Question is a group of similar questions the bot could not answer.
type Question struct {
	// Text is the most recent wording of the group.
	Text string
	// Count is how many times the group was asked.
	Count int
	// Others are other wordings, at most three.
	Others []string
}

// similarAt is the share of stems two questions must have in common
// (Jaccard) to be the same question.
const similarAt = 0.5

// Similar groups questions, given newest first, by the stems they share
// (nlu's reading, so that « colis pas arrivé » and « mon colis n'est pas
// arrivé » are one), most asked first, then most recent.
func Similar(texts []string) []Question {
	type group struct {
		q     Question
		terms []string
		first int
	}
	var groups []*group
	for i, text := range texts {
		terms := nlu.Terms(text)
		slices.Sort(terms)
		terms = slices.Compact(terms)
		if len(terms) == 0 {
			terms = []string{strings.ToLower(strings.TrimSpace(text))}
		}
		var best *group
		bestScore := 0.0
		for _, g := range groups {
			if s := jaccard(terms, g.terms); s >= similarAt && s > bestScore {
				best, bestScore = g, s
			}
		}
		if best == nil {
			groups = append(groups, &group{q: Question{Text: text, Count: 1}, terms: terms, first: i})
			continue
		}
		best.q.Count++
		if len(best.q.Others) < 3 && text != best.q.Text && !slices.Contains(best.q.Others, text) {
			best.q.Others = append(best.q.Others, text)
		}
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		if c := cmp.Compare(b.q.Count, a.q.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.first, b.first)
	})
	out := make([]Question, len(groups))
	for i, g := range groups {
		out[i] = g.q
	}
	return out
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted sets.
func jaccard(a, b []string) float64 {
	i, j, inter := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch c := strings.Compare(a[i], b[j]); {
		case c == 0:
			inter++
			i++
			j++
		case c < 0:
			i++
		default:
			j++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}
