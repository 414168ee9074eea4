package chat

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guichet/guichet/content"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/orders"
	"github.com/guichet/guichet/reports"
)

// writeBytes is what this process has caused to be written to the disk so
// far (/proc/self/io), or -1 where the kernel does not say.
func writeBytes() int64 {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("write_bytes: ")); ok {
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// BenchmarkTurnsConcurrent measures customer turns sent by 16 writers at
// once (each in its own conversations, 200 in all; or by one, so that
// each turn commits alone, as on a machine with cores to spare), with the
// sample content and the reports recording, and reports what storing them
// costs: bytes written to the disk per turn (/proc/self/io), bytes of
// pages bbolt wrote per turn (its PageAlloc: the meta page and the file's
// growth come on top), turns per commit, pages per commit and fdatasync
// per turn (two per commit).
func BenchmarkTurnsConcurrent(b *testing.B) {
	// bbolt's default writes the freelist with every commit; without it
	// (a setting of main's, which opens the file) a commit writes less.
	for _, bc := range []struct {
		writers        int
		noFreelistSync bool
	}{{1, false}, {16, false}, {16, true}} {
		b.Run(fmt.Sprintf("writers=%d/nofreelistsync=%v", bc.writers, bc.noFreelistSync), func(b *testing.B) {
			benchmarkTurnsConcurrent(b, bc.writers, bc.noFreelistSync)
		})
	}
}

func benchmarkTurnsConcurrent(b *testing.B, writers int, noFreelistSync bool) {
	k, err := kb.Open(kb.Options{Content: content.FS, IndexPath: filepath.Join(b.TempDir(), "index"), Statuses: orders.Codes()})
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	var questions []string
	for _, a := range k.Articles() {
		questions = append(questions, a.Questions...)
	}
	db := mustOpenDB(b, filepath.Join(b.TempDir(), "g.db"))
	db.NoFreelistSync = noFreelistSync
	bot := New(k, db, Options{Reports: reports.New(db, reports.Options{})})
	defer bot.Close()
	ctx := context.Background()
	perWriter := 200 / writers
	convs := make([][]string, writers)
	for w := range convs {
		for range perWriter {
			c, err := bot.Start(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			convs[w] = append(convs[w], c.ID)
		}
	}
	// Give each conversation a few turns, so that the file holds what a
	// running shop's does.
	for w := range convs {
		for i, id := range convs[w] {
			for j := range 3 {
				if _, err := bot.Send(ctx, id, Message{Text: questions[(i+j)%len(questions)]}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	var next atomic.Int64
	var turns atomic.Int64
	var fails atomic.Int64
	before, txBefore := writeBytes(), db.Stats().TxStats
	commits := bot.writes.commits.Load()
	// worker sends turns in the conversations of writer w while more is
	// asked for.
	worker := func(w int, more func() bool) {
		i := 0
		for more() {
			id := convs[w][i%perWriter]
			i++
			// A conversation full of turns makes room for a new one, as a
			// customer would.
			if _, err := bot.Send(ctx, id, Message{Text: questions[(i*7+w)%len(questions)]}); err != nil {
				if c, err := bot.Start(ctx, nil); err == nil {
					convs[w][(i-1)%perWriter] = c.ID
				}
				fails.Add(1)
				continue
			}
			turns.Add(1)
		}
	}
	b.ReportAllocs()
	start := time.Now()
	b.ResetTimer()
	if writers == 1 {
		n := 0
		worker(0, func() bool { n++; return n <= b.N })
	} else {
		b.SetParallelism((writers + 1) / 2) // 2 cores: 16 goroutines
		b.RunParallel(func(pb *testing.PB) { worker(int(next.Add(1)-1)%writers, pb.Next) })
	}
	b.StopTimer()
	elapsed := time.Since(start)
	txAfter := db.Stats().TxStats
	n := float64(turns.Load())
	if n == 0 {
		b.Fatal("no turn stored")
	}
	if after := writeBytes(); before >= 0 && after >= 0 {
		b.ReportMetric(float64(after-before)/n, "disk-B/turn")
	}
	b.ReportMetric(float64(txAfter.GetPageAlloc()-txBefore.GetPageAlloc())/n, "pages-B/turn")
	c := float64(bot.writes.commits.Load() - commits)
	b.ReportMetric(n/c, "turns/commit")
	b.ReportMetric(float64(txAfter.GetPageCount()-txBefore.GetPageCount())/c, "pages/commit")
	b.ReportMetric(float64(txAfter.GetWrite()-txBefore.GetWrite())/n, "pwrite/turn")
	b.ReportMetric(n/elapsed.Seconds(), "turns/s")
	b.ReportMetric(2*float64(bot.writes.commits.Load()-commits)/n, "fdatasync/turn")
	if f := fails.Load(); f > 0 {
		b.Logf("%d turns refused (full conversations replaced)", f)
	}
}
