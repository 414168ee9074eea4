package learn

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/synth"
)

// BenchmarkDraftTest measures a whole draft test at 1,000 synthetic
// articles on 5,000 stored questions, all different (synth's: the worst
// case, grouping saves nothing): read and mask them, group them, train a
// matcher with the draft, rank each with the live and the draft matcher,
// and compare.
func BenchmarkDraftTest(b *testing.B) {
	const articles, asked = 1000, 5000
	fsys, err := synth.Articles(articles)
	if err != nil {
		b.Fatal(err)
	}
	questions, err := synth.Questions(asked)
	if err != nil {
		b.Fatal(err)
	}
	k, err := kb.Open(kb.Options{Content: fsys, IndexPath: filepath.Join(b.TempDir(), "index")})
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	c := &clock{time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	bot := mustBot(b, k, c)
	ctx := context.Background()
	var conv *chat.Conversation
	for i := range asked {
		if i%20 == 0 {
			if conv, err = bot.Start(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
		c.t = c.t.Add(time.Minute)
		if _, err := bot.Send(ctx, conv.ID, chat.Message{Text: questions[i]}); err != nil {
			b.Fatal(err)
		}
	}
	draft, err := fsys.ReadFile("art-00042.md")
	if err != nil {
		b.Fatal(err)
	}
	source := strings.Replace(string(draft), "questions:\n", "questions:\n  - Proposez-vous un emballage cadeau ?\n", 1)
	l := New(bot, k)
	b.ResetTimer()
	var s *Status
	cpu := cpuTime()
	for range b.N {
		id, errs, err := l.StartDraftTest("ed", "art-00042.md", []byte(source), "art-42")
		if err != nil || len(errs) > 0 {
			b.Fatal(err, errs)
		}
		if s, err = l.Wait(ctx, id, "ed"); err != nil || s.State != StateDone {
			b.Fatal(err, s)
		}
	}
	b.StopTimer()
	// CPU seconds over 2 are the wall time on an idle 2-core machine, or
	// near it: the live ranking runs beside the training, the draft
	// ranking on both cores.
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(s.Questions), "distinct")
	// The phases alone, in CPU seconds: training the draft's matcher (one
	// core), and ranking every question once (the live ranking, on the
	// other core beside the training; the draft's, on both after it).
	a, errs := k.Draft("art-00042.md", []byte(source), "art-42")
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	cpu = cpuTime()
	trial := k.Trial(a, "art-42")
	b.ReportMetric((cpuTime() - cpu).Seconds(), "train-cpu-s")
	g := newGrouper()
	qs, err := bot.PastQuestions(ctx, c.t.Add(-Window))
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range qs {
		g.add(q.Text, q.At)
	}
	var texts []string
	for _, gr := range g.groups() {
		texts = append(texts, gr.Text)
	}
	cpu = cpuTime()
	var done atomic.Int64
	if _, err := verdicts(ctx, texts, trial, bot.Judge, 1, &done); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric((cpuTime() - cpu).Seconds(), "rank-cpu-s")
	b.ReportMetric(float64(s.Result.Counts.Gained+s.Result.Counts.Lost+s.Result.Counts.Answered+s.Result.Counts.Missed), "changed")
}
