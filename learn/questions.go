package learn

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/nlu"
)

// Suggest is how many articles a question to learn from suggests.
const Suggest = 3

// Article names an article.
type Article struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Question is a question to learn from, its duplicates grouped: one the
// bot missed, whose answer did not help, or that an agent resolved with an
// article. Text is masked as in the review list.
type Question struct {
	Text  string    `json:"text"`
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
	// Misses, Unhelpful and Resolved count the askings of each kind.
	Misses    int `json:"misses"`
	Unhelpful int `json:"unhelpful"`
	Resolved  int `json:"resolved"`
	// Judged are the answers the customers said did not help; Used the
	// articles agents resolved it with.
	Judged []Article `json:"judged,omitempty"`
	Used   []Article `json:"used,omitempty"`
	// Suggested are the articles to add the wording to, most likely
	// first: those agents used, then the live ranking's best, without the
	// answers judged unhelpful.
	Suggested []Article `json:"suggested"`
}

// The orders of Questions.
const (
	ByCount  = "frequent" // the most asked first, then the newest
	ByRecent = "recent"   // the newest first, then the most asked
)

// maxReviews is how many reviews Questions reads (chat keeps 1000).
const maxReviews = 1000

// Questions lists the questions to learn from of the last 90 days, in
// order (ByCount or ByRecent).
func (l *Learner) Questions(ctx context.Context, order string) ([]Question, error) {
	since := l.bot.Now().Add(-Window)
	reviews, err := l.bot.Reviews(ctx, maxReviews)
	if err != nil {
		return nil, err
	}
	g := newGrouper()
	acc := map[*group]*Question{}
	at := func(text string, when time.Time) *Question {
		gr := g.add(text, when)
		q := acc[gr]
		if q == nil {
			q = &Question{}
			acc[gr] = q
		}
		return q
	}
	for _, r := range slices.Backward(reviews) { // oldest first: the newest wording wins a tie
		if r.At.Before(since) {
			continue
		}
		q := at(r.Text, r.At)
		switch r.Kind {
		case chat.ReviewUnhelpful:
			q.Unhelpful++
			q.Judged = l.addArticle(q.Judged, r.Article)
		default:
			q.Misses++
		}
	}
	resolved, err := l.resolved(ctx, since)
	if err != nil {
		return nil, err
	}
	for _, r := range resolved {
		q := at(r.text, r.at)
		q.Resolved++
		q.Used = l.addArticle(q.Used, r.article)
	}
	out := make([]Question, 0, len(acc))
	for gr, q := range acc {
		q.Text, q.Count, q.Last = gr.Text, gr.Count, gr.Last
		q.Suggested = l.suggest(q.Text, q.Used, q.Judged)
		out = append(out, *q)
	}
	slices.SortFunc(out, func(a, b Question) int {
		if order == ByRecent {
			return cmp.Or(b.Last.Compare(a.Last), b.Count-a.Count, strings.Compare(a.Text, b.Text))
		}
		return cmp.Or(b.Count-a.Count, b.Last.Compare(a.Last), strings.Compare(a.Text, b.Text))
	})
	return out, nil
}

// addArticle adds the article id to list, once.
func (l *Learner) addArticle(list []Article, id string) []Article {
	if id == "" || slices.ContainsFunc(list, func(a Article) bool { return a.ID == id }) {
		return list
	}
	return append(list, l.article(id))
}

func (l *Learner) article(id string) Article {
	if a, err := l.kb.Article(id); err == nil {
		return Article{ID: a.ID, Title: a.Title}
	}
	return Article{ID: id, Title: id}
}

// suggest are the articles to add text to: those agents used, then the
// live matcher's best candidates, skipping the answers judged unhelpful
// and articles gone since.
func (l *Learner) suggest(text string, used, judged []Article) []Article {
	out := []Article{}
	add := func(id string) {
		if len(out) >= Suggest || slices.ContainsFunc(out, func(a Article) bool { return a.ID == id }) ||
			slices.ContainsFunc(judged, func(a Article) bool { return a.ID == id }) {
			return
		}
		if a, err := l.kb.Article(id); err == nil {
			out = append(out, Article{ID: a.ID, Title: a.Title})
		}
	}
	for _, a := range used {
		add(a.ID)
	}
	for _, id := range l.best(text) {
		add(id)
	}
	return out
}

// best is the live ranking's best ids for text, cached until the content
// changes: the page refreshes often, and the questions change little.
func (l *Learner) best(text string) []string {
	key := questionKey(text)
	l.mu.Lock()
	l.fresh()
	ids, ok := l.ranked[key]
	l.mu.Unlock()
	if ok {
		return ids
	}
	for _, c := range l.kb.Match(text, 2*Suggest).Candidates {
		ids = append(ids, c.ID)
	}
	l.mu.Lock()
	if len(l.ranked) < maxCached {
		l.ranked[key] = ids
	}
	l.mu.Unlock()
	return ids
}

// resolvedQuestion is the question of a conversation an agent closed after
// answering with an article.
type resolvedQuestion struct {
	text    string
	at      time.Time
	article string
}

// resolved finds, in the cases agents closed since, the customer's last
// question before the agent's first reply, and the article the agent
// answered with (inserted from the console: its text is in the reply).
func (l *Learner) resolved(ctx context.Context, since time.Time) ([]resolvedQuestion, error) {
	cases, err := l.bot.Cases(ctx)
	if err != nil {
		return nil, err
	}
	closed := map[string]bool{}
	for _, c := range cases { // newest first
		if c.State == chat.CaseClosed && c.Conversation != "" && !c.Closed.Before(since) && len(closed) < maxResolved {
			closed[c.Conversation] = true
		}
	}
	starts := l.articleStarts()
	var out []resolvedQuestion
	for id := range closed {
		asked, conv, err := l.bot.ConversationQuestions(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("resolved conversation: %w", err)
		}
		for _, t := range conv.Turns {
			if t.From != "agent" {
				continue
			}
			article := agentArticle(t.Reply.Text, starts)
			if article == "" {
				continue
			}
			// The customer's last question before this reply.
			i := slices.IndexFunc(asked, func(q chat.PastQuestion) bool { return q.At.After(t.At) })
			if i < 0 {
				i = len(asked)
			}
			if i > 0 {
				q := asked[i-1]
				out = append(out, resolvedQuestion{text: q.Text, at: q.At, article: article})
			}
			break
		}
	}
	return out, nil
}

// maxResolved bounds the closed conversations read (the newest), each a
// transcript to read.
const maxResolved = 300

// startRunes is how much of an article's text identifies it in an agent's
// reply.
const startRunes = 60

// articleStarts returns the folded start of every article's plain text,
// as agents insert it, computed once per article version.
func (l *Learner) articleStarts() map[*kb.Article]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	next := map[*kb.Article]string{}
	for _, a := range l.kb.Articles() {
		s, ok := l.used[a]
		if !ok {
			s = squash(l.kb.PlainText(a.Markdown))
			if r := []rune(s); len(r) > startRunes {
				s = string(r[:startRunes])
			}
		}
		next[a] = s
	}
	l.used = next
	return next
}

// agentArticle is the article whose text an agent's reply contains, or "".
func agentArticle(reply string, starts map[*kb.Article]string) string {
	r := squash(reply)
	best := ""
	for a, s := range starts {
		if len(s) >= 20 && strings.Contains(r, s) && (best == "" || a.ID < best) {
			best = a.ID
		}
	}
	return best
}

// squash folds text and keeps its letters and digits, one space between
// words, so that a reply an agent reflowed still contains the article.
func squash(s string) string {
	return strings.Join(strings.FieldsFunc(nlu.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}
