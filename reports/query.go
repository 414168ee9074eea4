package reports

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// Report holds the counters of every day of a range.
type Report struct {
	// Days are every day from the first to the last, in order, even those
	// without any counter. They hold the counters without a label, and
	// the turns by outcome; Total and Group sum every counter.
	Days []Day
	// Names are the titles of the articles answered, by id.
	Names map[string]string
	// Settled is the first day whose conversations may still be
	// re-contacted within the window: days before it are settled.
	Settled time.Time

	totals map[string]int64 // every counter summed over the days
}

// Day is one day's counters.
type Day struct {
	Date   time.Time // midnight in the shop's time zone
	Counts map[string]int64
}

// Count is a labelled number.
type Count struct {
	Label string
	N     int64
}

// Report reads the counters of the days from from to to (both included,
// any time in those days) in the shop's time zone.
func (b *Book) Report(ctx context.Context, from, to time.Time) (*Report, error) {
	loc := b.opts.Location
	first := midnight(from.In(loc))
	last := midnight(to.In(loc))
	if last.Before(first) {
		first, last = last, first
	}
	rep := &Report{Names: map[string]string{}, Settled: midnight(b.opts.Now().Add(-b.opts.Window).In(loc))}
	index := map[string]int{}
	totals := map[string]*int64{}
	for d := first; !d.After(last); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		index[d.Format(time.DateOnly)] = len(rep.Days)
		rep.Days = append(rep.Days, Day{Date: d})
	}
	err := b.db.View(func(tx *bbolt.Tx) error {
		if days := tx.Bucket(bucketDays); days != nil {
			c := days.Cursor()
			end := []byte(last.Format(time.DateOnly))
			for k, _ := c.Seek([]byte(first.Format(time.DateOnly))); k != nil && string(k) <= string(end); k, _ = c.Next() {
				i, ok := index[string(k)]
				d := days.Bucket(k)
				if !ok || d == nil {
					continue
				}
				counts := map[string]int64{}
				err := d.ForEach(func(k, v []byte) error {
					if len(v) != 8 {
						return nil
					}
					n := int64(binary.BigEndian.Uint64(v))
					// Labelled counters are only summed: a year holds
					// hundreds of thousands of them.
					if p := totals[string(k)]; p != nil {
						*p += n
					} else {
						first := n // n itself stays on the stack
						totals[string(k)] = &first
					}
					if daily(k) {
						counts[string(k)] = n
					}
					return nil
				})
				if err != nil {
					return err
				}
				rep.Days[i].Counts = counts
			}
		}
		if names := tx.Bucket(bucketNames); names != nil {
			return names.ForEach(func(k, v []byte) error {
				rep.Names[string(k)] = string(v)
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	rep.totals = make(map[string]int64, len(totals))
	for k, p := range totals {
		rep.totals[k] = *p
	}
	return rep, nil
}

// daily tells whether a counter is kept day by day in a Report: those
// without a label, and the turns by outcome.
func daily(k []byte) bool {
	return !bytes.ContainsRune(k, 0) || bytes.HasPrefix(k, []byte("outcome\x00"))
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// Total sums a counter over the days.
func (r *Report) Total(key string) int64 { return r.totals[key] }

// SettledTotal sums a daily counter (see Days) over the settled days only.
func (r *Report) SettledTotal(key string) int64 {
	var n int64
	for _, d := range r.Days {
		if d.Date.Before(r.Settled) {
			n += d.Counts[key]
		}
	}
	return n
}

// Series is a daily counter (see Days) day by day.
func (r *Report) Series(key string) []int64 {
	out := make([]int64, len(r.Days))
	for i, d := range r.Days {
		out[i] = d.Counts[key]
	}
	return out
}

// Group sums the counters named prefix + "\x00" + label over the days, by
// label, largest first.
func (r *Report) Group(prefix string) []Count {
	prefix += "\x00"
	var out []Count
	for k, n := range r.totals {
		if label, ok := strings.CutPrefix(k, prefix); ok && n != 0 {
			out = append(out, Count{label, n})
		}
	}
	slices.SortFunc(out, func(a, b Count) int {
		if c := cmp.Compare(b.N, a.N); c != 0 {
			return c
		}
		return strings.Compare(a.Label, b.Label)
	})
	return out
}

// Labelled returns the value of prefix + "\x00" + label summed over the
// days.
func (r *Report) Labelled(prefix, label string) int64 {
	return r.Total(prefix + "\x00" + label)
}
