package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary serve the yardstick, as the command does
// when it runs itself as "guichet-load hello".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == helloCommand {
		if err := serveHello(os.Stdout); err != nil {
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

// TestLoadRun: a short run on the sample shop answers real turns, measures
// the server's CPU and writes, and measures the Fiber yardstick too.
func TestLoadRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs guichet")
	}
	var out strings.Builder
	r, err := run(context.Background(), []string{"-c", "4", "-d", "1s", "-warmup", "0", "-fiber-d", "500ms", "-turns", "1"}, &out, io.Discard)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	g := r.Guichet
	if g.Requests == 0 || g.Errors > 0 || g.P50 <= 0 || g.P99 < g.P50 {
		t.Errorf("guichet: %d turns, %d errors (%v), p50 %s p99 %s", g.Requests, g.Errors, g.Statuses, g.P50, g.P99)
	}
	if g.CPU <= 0 || g.WriteBytes <= 0 || g.RSS <= 0 || r.StartUp <= 0 {
		t.Errorf("guichet: CPU %s, %d bytes written, RSS %d, start-up %s: all should be measured", g.CPU, g.WriteBytes, g.RSS, r.StartUp)
	}
	if r.Conversations <= 200 || g.Starts == 0 || r.Outcomes["answer"] == 0 {
		t.Errorf("%d conversations, %d started during the measure, outcomes %v: want more than 200 (each replaced after its first message), and answers", r.Conversations, g.Starts, r.Outcomes)
	}
	if r.Fiber.Requests == 0 || r.Fiber.Errors > 0 {
		t.Errorf("fiber hello: %d requests, %d errors", r.Fiber.Requests, r.Fiber.Errors)
	}
	for _, want := range []string{"guichet turns", "fiber hello", "guichet / fiber hello:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestOptions: the run's bounds are checked before anything starts.
func TestOptions(t *testing.T) {
	for _, args := range [][]string{{"-conversations", "10"}, {"-questions", "100"}, {"-turns", "400"}, {"-c", "0"}, {"-d", "0s"}, {"extra"}} {
		if _, err := parseOptions(args, io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
	o, err := parseOptions(nil, io.Discard)
	if err != nil || o.conns != 16 || o.duration.Seconds() != 20 || o.fiberFor != o.duration || o.conversations != 200 {
		t.Errorf("defaults: %+v, %v", o, err)
	}
}
