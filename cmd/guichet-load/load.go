package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/guichet/guichet/synth"
)

// shopOrigin is the shop's site the widget runs on: the client sends it
// as a browser does, so that CORS runs as it does in production.
const shopOrigin = "https://boutique.example"

// result is what one run measured.
type result struct {
	Articles int
	Guichet  measure
	// Fiber is the hello server's measure; zero when skipped.
	Fiber measure
	// StartUp is from exec to the first answered /healthz.
	StartUp time.Duration
	// Conversations counts the conversations started, before and during
	// the measure; Outcomes counts the bot's replies by outcome.
	Conversations int
	Outcomes      map[string]int
}

// measure is one server under load for the measured duration.
type measure struct {
	Requests, Errors int
	// Starts are the conversations started during the measure (not in
	// Requests nor in the latencies).
	Starts     int
	Elapsed    time.Duration
	P50, P99   time.Duration
	CPU        time.Duration // the server's user+system time
	WriteBytes int64         // the server's /proc/PID/io write_bytes
	RSS, HWM   int64         // resident set at the end, and its peak
	ClientCPU  time.Duration // this process's user+system time
	Statuses   map[int]int   // non-2xx replies by status
	// LogBytes is what the server logged meanwhile (to a pipe).
	LogBytes int64
}

func (m measure) perSecond() float64 { return float64(m.Requests) / m.Elapsed.Seconds() }

func (m measure) cpuPerRequest() time.Duration {
	return m.CPU / time.Duration(max(1, m.Requests+m.Starts))
}

// run measures Guichet, then the yardstick, and prints the report.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (*result, error) {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "guichet-load-")
	if err != nil {
		return nil, err
	}
	if o.keep {
		fmt.Fprintln(stderr, "temporary directory kept:", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	bin := o.bin
	if strings.ContainsRune(bin, os.PathSeparator) {
		// The server runs in the temporary directory: a relative path
		// would be read from there.
		if bin, err = filepath.Abs(bin); err != nil {
			return nil, err
		}
	}
	if bin == "" {
		bin = filepath.Join(tmp, "guichet")
		fmt.Fprintln(stderr, "building guichet…")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/guichet/guichet")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("build guichet: %w", err)
		}
	}
	questions, err := synth.Questions(o.questions)
	if err != nil {
		return nil, err
	}
	bodies := make([][]byte, len(questions))
	for i, q := range questions {
		bodies[i], _ = json.Marshal(map[string]string{"text": q})
	}
	args = []string{"serve", "-addr", "127.0.0.1:0", "-log-level", "info", "-log-format", "text", "-widget-origins", shopOrigin, "-data", filepath.Join(tmp, "data"), "-chat-rate", strconv.Itoa(o.chatRate)}
	if o.articles > 0 {
		dir := filepath.Join(tmp, "content")
		fmt.Fprintf(stderr, "generating %d articles…\n", o.articles)
		if err := synth.WriteArticles(dir, o.articles); err != nil {
			return nil, err
		}
		args = append(args, "-content", dir)
	}
	res := &result{Articles: o.articles, Outcomes: map[string]int{}}

	fmt.Fprintln(stderr, "starting guichet…")
	srv, err := startServer(ctx, tmp, bin, args...)
	if err != nil {
		return nil, err
	}
	res.StartUp = srv.startUp
	d := &driver{addr: srv.addr, conns: o.conns, bodies: bodies, encoding: o.encoding, turns: o.turns, outcomes: res.Outcomes}
	err = d.startConversations(o.conversations)
	if err == nil {
		fmt.Fprintf(stderr, "guichet: %d conversations, %d connections, %s…\n", o.conversations, o.conns, o.duration)
		res.Guichet, err = d.measure(ctx, srv, o.warmup, o.duration)
	}
	res.Conversations = int(d.started.Load())
	if serr := srv.stop(); err == nil && serr != nil {
		err = fmt.Errorf("guichet: %w", serr)
	}
	if err != nil {
		return nil, fmt.Errorf("%w\nlast lines guichet logged:\n%s", err, srv.lastLines())
	}

	if o.fiberFor > 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "fiber hello: %s…\n", o.fiberFor)
		hello, err := startServer(ctx, tmp, exe, helloCommand)
		if err != nil {
			return nil, err
		}
		h := &driver{addr: hello.addr, conns: o.conns, bodies: bodies, encoding: o.encoding, hello: true}
		res.Fiber, err = h.measure(ctx, hello, o.warmup/2, o.fiberFor)
		if serr := hello.stop(); err == nil && serr != nil {
			err = fmt.Errorf("fiber hello: %w", serr)
		}
		if err != nil {
			return nil, err
		}
	}
	report(stdout, o, res)
	if g := res.Guichet; g.Errors > g.Requests/100 {
		return res, fmt.Errorf("%d of %d requests failed (%v): the figures are not worth much", g.Errors, g.Requests, g.Statuses)
	}
	return res, nil
}

// server is a child process serving HTTP on 127.0.0.1.
type server struct {
	cmd      *exec.Cmd
	addr     string
	startUp  time.Duration
	logBytes atomic.Int64
	mu       sync.Mutex
	tail     []string // the last lines logged
	logDone  chan struct{}
}

var reURL = regexp.MustCompile(`(?:url=|^)http://(127\.0\.0\.1:\d+)`)

// startServer starts bin in dir and waits until it answers /healthz. The
// address comes from its first log line giving a URL; its logs go to a
// pipe (like a journal), so that the bytes they take are not counted as
// the server's disk writes.
func startServer(ctx context.Context, dir, bin string, args ...string) (*server, error) {
	s := &server{logDone: make(chan struct{})}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = dir // no guichet.yaml of the caller's
	// Nor their GUICHET_* settings: the run is the same for everyone.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GUICHET_") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	out, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	s.cmd.Stdout = s.cmd.Stderr
	t0 := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	found := make(chan string, 1)
	go func() {
		defer close(s.logDone)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.logBytes.Add(int64(len(line) + 1))
			s.mu.Lock()
			if len(s.tail) == 20 {
				s.tail = s.tail[1:]
			}
			s.tail = append(s.tail, line)
			s.mu.Unlock()
			if m := reURL.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, out)
	}()
	exited := make(chan error, 1)
	go func() { <-s.logDone; exited <- nil }()
	select {
	case s.addr = <-found:
	case <-exited:
		s.cmd.Wait()
		return nil, fmt.Errorf("%s stopped at start:\n%s", filepath.Base(bin), s.lastLines())
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	case <-time.After(10 * time.Minute):
		s.stop()
		return nil, fmt.Errorf("%s gave no address in 10 minutes", filepath.Base(bin))
	}
	c := &fasthttp.Client{}
	for deadline := time.Now().Add(time.Minute); ; {
		code, _, err := c.Get(nil, "http://"+s.addr+"/healthz")
		if err == nil && code < 500 {
			break
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s does not answer /healthz: %v %d", filepath.Base(bin), err, code)
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.startUp = time.Since(t0)
	return s, nil
}

// stop asks the server to stop (SIGTERM) and waits for it.
func (s *server) stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { <-s.logDone; done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		return errors.New("did not stop within 30 s of SIGTERM")
	}
}

func (s *server) lastLines() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.tail, "\n")
}
