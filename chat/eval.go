package chat

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Question is one labelled line of an evaluation file.
type Question struct {
	Q string `json:"q"`
	// Expect is an article id, "" for an out-of-scope question (JSON
	// null: the bot must not answer with an article), or "@act".
	Expect string `json:"-"`
}

// ReadQuestions parses a JSON Lines evaluation file:
// {"q": "...", "expect": "article-id" | null | "@greeting"}.
func ReadQuestions(r io.Reader) ([]Question, error) {
	var qs []Question
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		var raw struct {
			Q      string          `json:"q"`
			Expect json.RawMessage `json:"expect"`
		}
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if raw.Q == "" || raw.Expect == nil {
			return nil, fmt.Errorf("line %d: \"q\" and \"expect\" are required", n)
		}
		q := Question{Q: raw.Q}
		if string(raw.Expect) != "null" {
			if err := json.Unmarshal(raw.Expect, &q.Expect); err != nil {
				return nil, fmt.Errorf("line %d: expect must be a string or null: %w", n, err)
			}
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	return qs, nil
}

// Report measures how well the bot matches questions.
type Report struct {
	Questions int `json:"questions"`
	InScope   int `json:"in_scope"`
	OOS       int `json:"oos"`
	ActQs     int `json:"act_questions"`
	// Top1 is the share of in-scope questions answered with the expected
	// article; Top3 the share whose expected article is among the first
	// three of the ranking (a clarify or a miss offering it counts).
	Top1 float64 `json:"top1"`
	Top3 float64 `json:"top3"`
	MRR  float64 `json:"mrr"`
	// RankTop1 is the share of in-scope questions whose expected article
	// is the first candidate of the ranking, whatever the bot did with it.
	RankTop1 float64 `json:"rank_top1"`
	// Resolved is the share of in-scope questions answered right, or
	// clarified with the expected article among the choices.
	Resolved float64 `json:"resolved"`
	// Wrong is the share of in-scope questions answered, with confidence,
	// by another article: the worst outcome.
	Wrong      float64 `json:"wrong"`
	OOSCorrect float64 `json:"oos_correct"`
	FalseMiss  float64 `json:"false_miss"`
	Clarify    float64 `json:"clarify"`
	Acts       float64 `json:"acts"`
	P50ms      float64 `json:"p50_ms"`
	P99ms      float64 `json:"p99_ms"`
	// Confusions are the most frequent (expected -> got) errors.
	Confusions []Confusion `json:"confusions"`
}

// Confusion is a kind of mistake and how often it happened.
type Confusion struct {
	Expect  string   `json:"expect"`
	Got     string   `json:"got"`
	Count   int      `json:"count"`
	Example []string `json:"examples"`
}

// Evaluate runs every question through Decide in a fresh conversation and
// scores the replies.
func (b *Bot) Evaluate(qs []Question) Report {
	var (
		rep      = Report{Questions: len(qs)}
		lat      = make([]float64, 0, len(qs))
		top1     int
		top3     int
		rr       float64
		rank1    int
		resolved int
		wrong    int
		oosOK    int
		miss     int
		clarify  int
		actOK    int
		confused = map[[2]string]*Confusion{}
	)
	for _, q := range qs {
		start := time.Now()
		r, err := b.Decide(context.Background(), nil, Message{Text: q.Q})
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
		if err != nil {
			r = &Reply{Outcome: OutcomeMiss}
		}
		got := string(r.Outcome)
		if r.Outcome == OutcomeAnswer {
			got = r.ArticleID
		}
		switch {
		case q.Expect == "":
			rep.OOS++
			if r.Outcome != OutcomeAnswer && r.Outcome != OutcomeClarify {
				oosOK++
				continue
			}
		case strings.HasPrefix(q.Expect, "@"):
			rep.ActQs++
			if "@"+string(r.Outcome) == q.Expect {
				actOK++
				continue
			}
		default:
			rep.InScope++
			switch r.Outcome {
			case OutcomeMiss:
				miss++
			case OutcomeClarify:
				clarify++
			}
			if i := slices.Index(r.Ranked, q.Expect); i >= 0 {
				if i == 0 {
					rank1++
				}
				if i < 3 {
					top3++
				}
				rr += 1 / float64(i+1)
			}
			switch {
			case r.Outcome == OutcomeAnswer && r.ArticleID == q.Expect:
				top1++
				resolved++
				continue
			case r.Outcome == OutcomeAnswer:
				wrong++
			case r.Outcome == OutcomeClarify && slices.ContainsFunc(r.Choices, func(c Choice) bool { return c.ID == q.Expect }):
				resolved++
			}
		}
		key := [2]string{q.Expect, got}
		c := confused[key]
		if c == nil {
			c = &Confusion{Expect: q.Expect, Got: got}
			confused[key] = c
		}
		c.Count++
		if len(c.Example) < 3 {
			c.Example = append(c.Example, q.Q)
		}
	}
	rep.Top1 = share(top1, rep.InScope)
	rep.Top3 = share(top3, rep.InScope)
	rep.MRR = round(rr / math.Max(1, float64(rep.InScope)))
	rep.RankTop1 = share(rank1, rep.InScope)
	rep.Resolved = share(resolved, rep.InScope)
	rep.Wrong = share(wrong, rep.InScope)
	rep.FalseMiss = share(miss, rep.InScope)
	rep.Clarify = share(clarify, rep.InScope)
	rep.OOSCorrect = share(oosOK, rep.OOS)
	rep.Acts = share(actOK, rep.ActQs)
	sort.Float64s(lat)
	if len(lat) > 0 {
		rep.P50ms = round(lat[len(lat)/2])
		rep.P99ms = round(lat[min(len(lat)-1, len(lat)*99/100)])
	}
	for _, c := range confused {
		rep.Confusions = append(rep.Confusions, *c)
	}
	sort.Slice(rep.Confusions, func(i, j int) bool {
		a, b := rep.Confusions[i], rep.Confusions[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Expect+a.Got < b.Expect+b.Got
	})
	if len(rep.Confusions) > 15 {
		rep.Confusions = rep.Confusions[:15]
	}
	return rep
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return round(float64(n) / float64(of))
}

func round(x float64) float64 { return math.Round(x*10000) / 10000 }

// WriteText prints the report as a table followed by the worst confusions.
func (r Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// A family with no question has no score: « — », not 0 %.
	pct := func(x float64, n int) string {
		if n == 0 {
			return "—"
		}
		return fmt.Sprintf("%.1f %%", 100*x)
	}
	in := r.InScope
	rows := [][2]string{
		{"questions", fmt.Sprintf("%d (%d in scope, %d out of scope, %d acts)", r.Questions, r.InScope, r.OOS, r.ActQs)},
		{"top-1 (answered right)", pct(r.Top1, in)},
		{"resolved (answered, or offered)", pct(r.Resolved, in)},
		{"wrong (answered another)", pct(r.Wrong, in)},
		{"false miss", pct(r.FalseMiss, in)},
		{"clarify", pct(r.Clarify, in)},
		{"ranking: first", pct(r.RankTop1, in)},
		{"ranking: top-3", pct(r.Top3, in)},
		{"MRR", fmt.Sprintf("%.3f", r.MRR)},
		{"out of scope handled", pct(r.OOSCorrect, r.OOS)},
		{"acts recognised", pct(r.Acts, r.ActQs)},
		{"latency p50 / p99", fmt.Sprintf("%.3f / %.3f ms", r.P50ms, r.P99ms)},
	}
	for _, row := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Confusions) > 0 {
		fmt.Fprintln(w, "\nworst confusions (expected -> got):")
		for _, c := range r.Confusions {
			exp := c.Expect
			if exp == "" {
				exp = "(out of scope)"
			}
			fmt.Fprintf(w, "  %3d  %s -> %s   e.g. %q\n", c.Count, exp, c.Got, c.Example[0])
		}
	}
	return nil
}
