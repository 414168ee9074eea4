package nlu

import (
	"slices"
	"strings"
	"sync"
)

// intentMatcher ranks the library's intents for a text, as if each intent
// were an article whose examples are its phrasings. It is built once.
func intentMatcher() *Matcher {
	libMatcher.once.Do(func() {
		lib := Library()
		docs := make([]Doc, len(lib))
		for i, in := range lib {
			docs[i] = Doc{ID: in.ID, Title: in.Label, Questions: in.Phrasings}
		}
		w := DefaultWeights
		w.Library = 0
		w.Rerank = 0 // the mapping's thresholds are on the fixed blend's scores
		libMatcher.m = NewMatcher(docs, w)
	})
	return libMatcher.m
}

var libMatcher struct {
	once sync.Once
	m    *Matcher
}

// intentScore is how well an article and an intent agree, both ways.
type intentScore struct {
	// forward is the share of the intent's phrasings that rank the
	// article first in the knowledge base.
	forward float64
	// reverse is the share of the article's title and examples that rank
	// the intent first in the library (second counts half).
	reverse float64
}

// Thresholds of the mapping, chosen on two shops (our sample and the public
// Garance shop) whose mappings were checked by hand, and on Wikit's HR
// questions, which must map to almost nothing: an article and an intent
// agree both ways (the product of the shares), or the intent's phrasings
// mostly go to the article and the article's examples read as the intent
// often enough.
const (
	mapAgree   = 0.18
	mapForward = 0.5
	mapReverse = 0.25
	// mapMinScore is the score a phrasing must reach with its first
	// article to vote for it.
	mapMinScore = 0.15
)

// mapIntents finds, for each article, the library intents it answers: an
// intent whose phrasings this knowledge base answers with the article, and
// that the article's own title and examples read as. m is built without the
// library. Several articles may share an intent.
func (m *Matcher) mapIntents(lib []*Intent) [][]int32 {
	scores := m.intentScores(lib)
	out := make([][]int32, len(m.docs))
	for d, byIntent := range scores {
		for in, s := range byIntent {
			if s.forward*s.reverse >= mapAgree || (s.forward >= mapForward && s.reverse >= mapReverse) {
				out[d] = append(out[d], in)
			}
		}
		slices.Sort(out[d])
	}
	return out
}

// intentScores measures, for each article, its agreement with every intent
// it has any.
func (m *Matcher) intentScores(lib []*Intent) []map[int32]intentScore {
	byID := make(map[string]int32, len(m.docs))
	for i, d := range m.docs {
		byID[d.ID] = int32(i)
	}
	out := make([]map[int32]intentScore, len(m.docs))
	for d := range out {
		out[d] = map[int32]intentScore{}
	}
	// The articles each intent's phrasings go to, found on every core,
	// then counted in order.
	votes := make([][]int32, len(lib))
	parallel(len(lib), func(in int) {
		for _, toks := range lib[in].toks {
			// A phrasing that reaches an article only faintly is no
			// vote: in a small knowledge base every phrasing lands
			// somewhere.
			r := m.read(slices.Clone(toks), 1, -1, 10)
			if len(r.Candidates) == 0 || r.Candidates[0].Score < mapMinScore {
				continue
			}
			votes[in] = append(votes[in], byID[r.Candidates[0].ID])
		}
	})
	for in, ds := range votes {
		share := 1 / float64(len(lib[in].toks))
		for _, d := range ds {
			s := out[d][int32(in)]
			s.forward += share
			out[d][int32(in)] = s
		}
	}
	im := intentMatcher()
	libIdx := make(map[string]int32, len(lib))
	for i, in := range lib {
		libIdx[in.ID] = int32(i)
	}
	parallel(len(m.docs), func(d int) {
		doc := m.docs[d]
		// Only an article that enough phrasings reach can be mapped: the
		// others need no reverse reading (a large knowledge base has many).
		reached := false
		for _, s := range out[d] {
			reached = reached || s.forward >= mapAgree
		}
		if !reached {
			return
		}
		texts := append([]string{doc.Title}, doc.Questions...)
		share := 1 / float64(len(texts))
		for _, t := range texts {
			// The first two intents are among the first stage's best
			// five: only those are scored exactly.
			r := im.read(Analyze(t), 2, -1, 5)
			for k, c := range r.Candidates {
				w := share
				if k == 1 {
					if c.Score < 0.8*r.Candidates[0].Score {
						break
					}
					w /= 2
				}
				in := libIdx[c.ID]
				s := out[d][in]
				s.reverse += w
				out[d][in] = s
			}
		}
	})
	return out
}

// Intents returns the ids of the library intents the article is mapped to.
func (m *Matcher) Intents(docID string) []string {
	for d, doc := range m.docs {
		if doc.ID != docID {
			continue
		}
		var ids []string
		for _, in := range m.docIntents[d] {
			ids = append(ids, m.lib[in].ID)
		}
		return ids
	}
	return nil
}

// Health is how well the matcher knows one article.
type Health struct {
	ID string
	// Intents are the library intents the article is mapped to.
	Intents []*Intent
	// Examples counts the article's example questions (its title aside).
	Examples int
	// ExampleRecall is the share of the article's title and examples
	// that find the article first when each is left out of it in turn;
	// ProbeRecall the same for the sentences of its answer. -1 when there
	// is none to try.
	ExampleRecall, ProbeRecall float64
	// Neighbours are the articles its left-out examples and sentences went
	// to instead, most confused first (at most 3).
	Neighbours []string
}

// Health measures every article, leaving out each of its examples and
// answer sentences in turn (never matching a text against itself).
func (m *Matcher) Health() []Health {
	out := make([]Health, len(m.docs))
	hits := make([][2]int, len(m.docs))
	tries := make([][2]int, len(m.docs))
	confused := make([]map[string]int, len(m.docs))
	for d, doc := range m.docs {
		out[d] = Health{ID: doc.ID, Examples: len(doc.Questions)}
		for _, in := range m.docIntents[d] {
			out[d].Intents = append(out[d].Intents, m.lib[in])
		}
		confused[d] = map[string]int{}
	}
	for u := 0; u < m.libStart; u++ {
		d := m.unitDoc[u]
		kind := 0
		if u >= m.examples {
			kind = 1
		}
		r := m.matchVec(m.unitVec(u), 3, u)
		tries[d][kind]++
		if len(r) > 0 && r[0].ID == m.docs[d].ID {
			hits[d][kind]++
			continue
		}
		if len(r) > 0 {
			confused[d][r[0].ID]++
		}
	}
	for d := range out {
		out[d].ExampleRecall, out[d].ProbeRecall = -1, -1
		if n := tries[d][0]; n > 0 {
			out[d].ExampleRecall = float64(hits[d][0]) / float64(n)
		}
		if n := tries[d][1]; n > 0 {
			out[d].ProbeRecall = float64(hits[d][1]) / float64(n)
		}
		for id := range confused[d] {
			out[d].Neighbours = append(out[d].Neighbours, id)
		}
		slices.SortFunc(out[d].Neighbours, func(a, b string) int {
			if c := confused[d][b] - confused[d][a]; c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
		// The most confused, and the next ones only when confused more
		// than once: one sentence of an answer that reads like another
		// article is no neighbour.
		ns := out[d].Neighbours
		for i := 1; i < len(ns); i++ {
			if i == 3 || confused[d][ns[i]] < 2 {
				ns = ns[:i]
				break
			}
		}
		out[d].Neighbours = ns
	}
	// Slots an update emptied (see Update) are no articles.
	return slices.DeleteFunc(out, func(h Health) bool { return h.ID == "" })
}
