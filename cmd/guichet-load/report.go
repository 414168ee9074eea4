package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// report prints what the run measured.
func report(w io.Writer, o options, r *result) {
	content := "the sample shop"
	if o.articles > 0 {
		content = fmt.Sprintf("%d generated articles", o.articles)
	}
	fmt.Fprintf(w, "guichet-load, %s: %s, %d connections, %s measured after %s of warm-up, %d distinct questions, %d conversations (%d turns each, then a new one), Accept-Encoding %q\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), content, o.conns, o.duration, o.warmup, o.questions, r.Conversations, o.turns, o.encoding)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "server\treq/s\tp50 ms\tp99 ms\tserver CPU/req ms\tclient CPU/req ms\twritten/req\tlogged/req\tRSS (peak) MB\tstart-up\t")
	row := func(name string, m measure, startUp string) {
		n := time.Duration(max(1, m.Requests+m.Starts))
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%.3f\t%.3f\t%s\t%d B\t%d (%d)\t%s\t\n", name, m.perSecond(), ms(m.P50), ms(m.P99),
			ms(m.cpuPerRequest()), ms(m.ClientCPU/n), bytesOf(m.WriteBytes/int64(n)), m.LogBytes/int64(n), m.RSS>>20, m.HWM>>20, startUp)
	}
	row("guichet turns", r.Guichet, r.StartUp.Round(time.Millisecond).String())
	if r.Fiber.Requests > 0 {
		row("fiber hello", r.Fiber, "")
	}
	tw.Flush()
	g := r.Guichet
	fmt.Fprintf(w, "turns: %d in %s (%.0f turns/s), %d conversations started meanwhile, server CPU %.2f cores busy\n",
		g.Requests, g.Elapsed.Round(time.Millisecond), g.perSecond(), g.Starts, g.CPU.Seconds()/g.Elapsed.Seconds())
	var outs []string
	for _, k := range slices.Sorted(maps.Keys(r.Outcomes)) {
		outs = append(outs, fmt.Sprintf("%s %.1f %%", k, 100*float64(r.Outcomes[k])/float64(max(1, g.Requests))))
	}
	fmt.Fprintf(w, "replies: %s\n", strings.Join(outs, ", "))
	if g.Errors > 0 {
		fmt.Fprintf(w, "errors: %d (%v)\n", g.Errors, g.Statuses)
	}
	if r.Fiber.Requests > 0 {
		fmt.Fprintf(w, "guichet / fiber hello: %.2f %% (%.0f / %.0f req/s)\n", 100*g.perSecond()/r.Fiber.perSecond(), g.perSecond(), r.Fiber.perSecond())
	}
	fmt.Fprintln(w, "(the client runs on the same cores: on a shared machine the absolute figures are noisy, compare the ratio)")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func bytesOf(n int64) string {
	if n >= 10<<10 {
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%d B", n)
}
