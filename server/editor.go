package server

import (
	"fmt"
	"strings"

	"github.com/guichet/guichet/kb"
)

// healthRow is how well the bot knows an article, as the editor page shows
// it.
type healthRow struct {
	ID, Title, Intents, Recall, Neighbours string
	Examples                               int
	Weak                                   bool
	Advice                                 []string
}

// healthRows turns the knowledge base's health into rows, the articles that
// need work first.
func healthRows(hs []kb.Health) []healthRow {
	pct := func(x float64) string {
		if x < 0 {
			return "—"
		}
		return fmt.Sprintf("%.0f %%", 100*x)
	}
	var weak, fine []healthRow
	for _, h := range hs {
		r := healthRow{ID: h.ID, Title: h.Title, Examples: h.Examples, Advice: h.Advice, Weak: len(h.Advice) > 0,
			Recall: "exemples " + pct(h.ExampleRecall) + " · réponse " + pct(h.ProbeRecall)}
		var intents, near []string
		for _, in := range h.Intents {
			intents = append(intents, in.Title)
		}
		switch {
		case len(intents) > 0:
			r.Intents = strings.Join(intents, ", ")
		case h.Fixed:
			r.Intents = "aucune (refusées)"
		default:
			r.Intents = "aucune"
		}
		for _, n := range h.Neighbours {
			near = append(near, "« "+n.Title+" »")
		}
		r.Neighbours = strings.Join(near, ", ")
		if r.Weak {
			weak = append(weak, r)
		} else {
			fine = append(fine, r)
		}
	}
	return append(weak, fine...)
}
