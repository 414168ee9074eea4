package chat

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"testing/fstest"
	"time"

	"github.com/guichet/guichet/content"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/orders"
	"github.com/guichet/guichet/synth"
)

// syntheticContent is synth's n articles (topically dense: near the worst
// case for ranking) and the sample's example questions to ask them.
func syntheticContent(tb testing.TB, n int) (fstest.MapFS, []string) {
	tb.Helper()
	fsys, err := synth.Articles(n)
	if err != nil {
		tb.Fatal(err)
	}
	questions, err := synth.Examples()
	if err != nil {
		tb.Fatal(err)
	}
	return fsys, questions
}

func benchmarkTurn(b *testing.B, n int) {
	fsys, questions := syntheticContent(b, n)
	start := time.Now()
	k, err := kb.Open(kb.Options{Content: fsys, IndexPath: filepath.Join(b.TempDir(), "index")})
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	b.Logf("%d articles loaded and indexed in %s", n, time.Since(start).Round(time.Millisecond))
	bot := New(k, mustOpenDB(b, filepath.Join(b.TempDir(), "g.db")), Options{})
	ctx := context.Background()
	conv, err := bot.Start(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%400 == 399 {
			if conv, err = bot.Start(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
		t0 := time.Now()
		if _, err := bot.Send(ctx, conv.ID, Message{Text: questions[i%len(questions)]}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkTurn measures one chat turn: understand, rank, decide and store
// the turn in bbolt (with fsync).
func BenchmarkTurn(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) { benchmarkTurn(b, n) })
	}
}

// BenchmarkDecide measures understanding and ranking alone, without storage.
func BenchmarkDecide(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			fsys, questions := syntheticContent(b, n)
			k, err := kb.Open(kb.Options{Content: fsys, IndexPath: filepath.Join(b.TempDir(), "index")})
			if err != nil {
				b.Fatal(err)
			}
			defer k.Close()
			bot := New(k, nil, Options{})
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := bot.Decide(context.Background(), nil, Message{Text: questions[i%len(questions)]}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkOpenSample measures start-up with the embedded sample content:
// parse, render, index in Bleve, build and calibrate the matcher.
func BenchmarkOpenSample(b *testing.B) {
	for i := 0; i < b.N; i++ {
		k, err := kb.Open(kb.Options{Content: content.FS, IndexPath: filepath.Join(b.TempDir(), fmt.Sprint(i)), Statuses: orders.Codes()})
		if err != nil {
			b.Fatal(err)
		}
		k.Close()
	}
}

// fixedSource answers every lookup at once with one order, so that a
// benchmark measures what tailoring adds beyond the lookup itself.
type fixedSource struct{ o orders.Order }

func (f fixedSource) Order(context.Context, string) (*orders.Order, error) {
	o := f.o
	return &o, nil
}

func (f fixedSource) CustomerOrders(context.Context, string) ([]orders.Order, error) {
	return []orders.Order{f.o}, nil
}

// BenchmarkTailoredAnswer compares the same question answered generically
// and for a known order: the difference is the cost of tailoring.
func BenchmarkTailoredAnswer(b *testing.B) {
	k, err := kb.Open(kb.Options{Content: content.FS, IndexPath: filepath.Join(b.TempDir(), "i"), Statuses: orders.Codes()})
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	o := orders.Order{Number: "4581237", Status: orders.StatusShipped, Carrier: "Colissimo", TrackingURL: "https://suivi.example/4581237",
		PlacedAt: time.Now(), ExpectedDelivery: time.Now().Add(48 * time.Hour), Total: 3980, Items: []orders.Item{{Name: "Coussin", Quantity: 2}}}
	ctx := context.Background()
	msg := Message{Text: "où est mon colis ?"}
	for _, c := range []struct {
		name string
		bot  *Bot
		conv func() *Conversation
	}{
		{"generic", New(k, nil, Options{}), func() *Conversation { return &Conversation{} }},
		{"tailored", New(k, nil, Options{Orders: fixedSource{o}}), func() *Conversation { return &Conversation{Order: o.Number} }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r, err := c.bot.Decide(ctx, c.conv(), msg)
				if err != nil || r.Outcome != OutcomeAnswer {
					b.Fatalf("%+v %v", r, err)
				}
			}
		})
	}
}
