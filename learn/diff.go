// Package learn closes the loop between what customers ask and what the
// knowledge base says: it tests a draft article on the shop's real past
// questions before it is published (what would change, as a diff), and
// turns the questions the bot served badly into one-click additions to the
// right article.
//
// It reads through chat and kb's exported API only (never their buckets),
// and must not import server or Fiber.
package learn

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/nlu"
)

// Window is how far back the draft test reads customers' questions.
const Window = 90 * 24 * time.Hour

// maxListed bounds each list of a diff; the counts stay exact.
const maxListed = 200

// Verdict is what the bot does with a question: answer an article, offer a
// choice (led by Article), or miss.
type Verdict struct {
	Outcome chat.Outcome `json:"outcome"`
	Article string       `json:"article,omitempty"`
	Title   string       `json:"title,omitempty"`
}

// Change is a question (its masked words, asked Count times, last at Last)
// whose verdict the draft changes.
type Change struct {
	Question string    `json:"question"`
	Count    int       `json:"count"`
	Last     time.Time `json:"last"`
	Before   Verdict   `json:"before"`
	After    Verdict   `json:"after"`
}

// Counts are how many times customers asked the questions of each list.
type Counts struct {
	Gained   int `json:"gained"`
	Lost     int `json:"lost"`
	Answered int `json:"answered"`
	Missed   int `json:"missed"`
}

// Diff is what a draft would change on the past questions.
type Diff struct {
	// Article and Title are the draft's.
	Article string `json:"article"`
	Title   string `json:"title"`
	// Asked is how many questions were tested, Distinct how many
	// different ones once grouped.
	Asked    int `json:"asked"`
	Distinct int `json:"distinct"`
	// Gained would now be answered with the draft, Lost were answered
	// with the article and would not be any more, Answered go from a miss
	// to an answer and Missed from an answer to a miss. A question may be
	// in two lists (a miss the draft now answers is Gained and Answered).
	Gained   []Change `json:"gained"`
	Lost     []Change `json:"lost"`
	Answered []Change `json:"answered"`
	Missed   []Change `json:"missed"`
	Counts   Counts   `json:"counts"`
	// Limit is how many changes each list shows at most (the most asked).
	Limit int `json:"limit"`
}

// ranker ranks a question: the live knowledge base or a trial.
type ranker interface {
	Match(text string, n int) nlu.Match
	Article(id string) (*kb.Article, error)
}

// verdicts ranks each text with r and decides with judge, on workers
// goroutines; done counts the texts ranked.
func verdicts(ctx context.Context, texts []string, r ranker, judge func(nlu.Match) chat.Outcome, workers int, done *atomic.Int64) ([]Verdict, error) {
	out := make([]Verdict, len(texts))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(texts) || ctx.Err() != nil {
					return
				}
				m := r.Match(texts[i], 5)
				v := Verdict{Outcome: judge(m)}
				if v.Outcome != chat.OutcomeMiss {
					v.Article = m.Candidates[0].ID
					if a, err := r.Article(v.Article); err == nil {
						v.Title = a.Title
					}
				}
				out[i] = v
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// diff compares the verdicts on each group before and after the draft of
// article (which replaces original, "" for a new one).
func diff(groups []group, before, after []Verdict, article, original string) *Diff {
	d := &Diff{Article: article, Distinct: len(groups), Limit: maxListed, Gained: []Change{}, Lost: []Change{}, Answered: []Change{}, Missed: []Change{}}
	ours := func(v Verdict) bool {
		return v.Outcome == chat.OutcomeAnswer && (v.Article == article || v.Article == original)
	}
	for i, g := range groups {
		d.Asked += g.Count
		b, a := before[i], after[i]
		c := Change{Question: g.Text, Count: g.Count, Last: g.Last, Before: b, After: a}
		gets := a.Outcome == chat.OutcomeAnswer && a.Article == article
		if gets && !(b.Outcome == chat.OutcomeAnswer && b.Article == article) {
			d.Gained, d.Counts.Gained = append(d.Gained, c), d.Counts.Gained+g.Count
		}
		if ours(b) && !gets {
			d.Lost, d.Counts.Lost = append(d.Lost, c), d.Counts.Lost+g.Count
		}
		if b.Outcome == chat.OutcomeMiss && a.Outcome == chat.OutcomeAnswer {
			d.Answered, d.Counts.Answered = append(d.Answered, c), d.Counts.Answered+g.Count
		}
		if b.Outcome == chat.OutcomeAnswer && a.Outcome == chat.OutcomeMiss {
			d.Missed, d.Counts.Missed = append(d.Missed, c), d.Counts.Missed+g.Count
		}
	}
	for _, l := range []*[]Change{&d.Gained, &d.Lost, &d.Answered, &d.Missed} {
		slices.SortFunc(*l, func(x, y Change) int {
			return cmp.Or(y.Count-x.Count, y.Last.Compare(x.Last), strings.Compare(x.Question, y.Question))
		})
		*l = (*l)[:min(len(*l), maxListed)]
	}
	return d
}
