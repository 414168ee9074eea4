// Command guichet-load measures Guichet's chat throughput end to end: it
// builds (or takes) the guichet binary, starts it on a temporary data dir
// with n generated articles (package synth; the sample shop when n is 0),
// starts conversations, drives chat turns with its own HTTP client over C
// connections for a bounded time on 127.0.0.1, then does the same against
// a minimal Fiber hello server in another process, the yardstick. It
// prints turns/s, p50/p99 latency, the server's CPU and bytes written per
// turn, its RSS and start-up time, and the Guichet / Fiber ratio.
//
//	go run ./cmd/guichet-load -articles 1000 -c 16 -d 20s
//
// It is a development tool: it imports synth and, for the yardstick and
// its client, Fiber and fasthttp; nothing imports it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == helloCommand {
		if err := serveHello(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "guichet-load hello:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "guichet-load:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	bin           string
	articles      int
	conns         int
	duration      time.Duration
	warmup        time.Duration
	fiberFor      time.Duration
	conversations int
	turns         int
	questions     int
	chatRate      int
	encoding      string
	keep          bool
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fset := flag.NewFlagSet("guichet-load", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.StringVar(&o.bin, "bin", "", "guichet binary to measure (default: built from this module with go build)")
	fset.IntVar(&o.articles, "articles", 0, "generated articles (0: the embedded sample shop)")
	fset.IntVar(&o.conns, "c", 16, "connections, each one request at a time")
	fset.DurationVar(&o.duration, "d", 20*time.Second, "measured duration, per server")
	fset.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before the measure, per server")
	fset.DurationVar(&o.fiberFor, "fiber-d", 0, "measured duration for the Fiber hello yardstick (default: -d; negative: skip it)")
	fset.IntVar(&o.conversations, "conversations", 200, "conversations the turns rotate over (200 at least)")
	fset.IntVar(&o.turns, "turns", 50, "messages per conversation before it is replaced by a new one (a conversation holds 500)")
	fset.IntVar(&o.questions, "questions", 5000, "distinct questions asked (5,000 at least)")
	fset.IntVar(&o.chatRate, "chat-rate", 1_000_000_000, "the -chat-rate given to guichet (all load comes from one address)")
	fset.StringVar(&o.encoding, "accept-encoding", "gzip, deflate, br", "Accept-Encoding the client sends, as a browser does (empty: none, as wrk)")
	fset.BoolVar(&o.keep, "keep", false, "keep the temporary directory (data, content, logs) and say where it is")
	if err := fset.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fset.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fset.Arg(0))
	case o.articles < 0:
		return o, errors.New("-articles must be 0 or more")
	case o.conns < 1:
		return o, errors.New("-c must be 1 or more")
	case o.duration <= 0:
		return o, errors.New("-d must be positive")
	case o.conversations < 200:
		return o, errors.New("-conversations must be 200 or more")
	case o.turns < 1 || o.turns > 250:
		return o, errors.New("-turns must be between 1 and 250: a conversation holds 500 turns, the customer's and the bot's")
	case o.questions < 5000:
		return o, errors.New("-questions must be 5000 or more")
	}
	if o.fiberFor == 0 {
		o.fiberFor = o.duration
	}
	return o, nil
}
