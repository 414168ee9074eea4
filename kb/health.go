package kb

import (
	"fmt"
)

// Health tells editors how well the bot knows an article, and what to do
// about it.
type Health struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Intents are the library intents the article is mapped to; Fixed
	// tells whether the editor chose them (« intents: » in front matter).
	Intents []IntentRef `json:"intents"`
	Fixed   bool        `json:"fixed"`
	// Examples counts the article's example questions.
	Examples int `json:"examples"`
	// ExampleRecall is the share of its title and examples that find the
	// article when each is left out of it; ProbeRecall the same for the
	// sentences of its answer; -1 when there is none.
	ExampleRecall float64 `json:"example_recall"`
	ProbeRecall   float64 `json:"probe_recall"`
	// Neighbours are the articles it is confused with, most first.
	Neighbours []IntentRef `json:"neighbours"`
	// Advice is the best next steps, in French, most useful first.
	Advice []string `json:"advice"`
}

// IntentRef names an intent or an article for editors.
type IntentRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// minExamples is how many example questions an article should have before
// the bot knows it well: fewer, and the library and the answer's text do
// most of the work.
const minExamples = 5

// Health measures every article of the current knowledge base (computed
// once per loaded version of the content), sorted by id.
func (k *KB) Health() []Health {
	s := k.snap.Load()
	s.healthOnce.Do(func() { s.health = health(s) })
	return s.health
}

func health(s *snapshot) []Health {
	out := make([]Health, 0, len(s.sorted))
	for _, h := range s.matcher.Health() {
		a := s.byID[h.ID]
		r := Health{ID: a.ID, Title: a.Title, Fixed: a.FixedIntents, Examples: h.Examples,
			ExampleRecall: h.ExampleRecall, ProbeRecall: h.ProbeRecall, Intents: []IntentRef{}, Neighbours: []IntentRef{}}
		for _, in := range h.Intents {
			r.Intents = append(r.Intents, IntentRef{ID: in.ID, Title: in.Label})
		}
		for _, id := range h.Neighbours {
			if n, ok := s.byID[id]; ok {
				r.Neighbours = append(r.Neighbours, IntentRef{ID: n.ID, Title: n.Title})
			}
		}
		r.Advice = advice(r)
		out = append(out, r)
	}
	return out
}

// advice is what an editor can do to make the article better known.
func advice(h Health) []string {
	var out []string
	if h.Examples < minExamples {
		out = append(out, fmt.Sprintf("Seulement %d questions d’exemple : ajoutez-en %d, formulées comme vos clients les écrivent (la liste « Questions à revoir » en donne).", h.Examples, minExamples-h.Examples))
	}
	if len(h.Intents) == 0 && !h.Fixed {
		out = append(out, "Aucune intention de la bibliothèque ne correspond : le bot ne connaît que ses questions d’exemple et sa réponse. Ajoutez des exemples, ou indiquez l’intention dans l’en-tête (« intents: [retour] »).")
	}
	if h.ExampleRecall >= 0 && h.ExampleRecall < 0.5 && len(h.Neighbours) > 0 {
		out = append(out, fmt.Sprintf("Ses questions d’exemple mènent souvent à « %s » : rendez-les plus distinctes, ou fusionnez les deux articles s’ils répondent à la même demande.", h.Neighbours[0].Title))
	}
	return out
}
