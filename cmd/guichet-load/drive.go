package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// conv is a conversation and the messages sent in it.
type conv struct {
	id   string
	sent int
}

// driver sends chat turns over conns connections, each one request at a
// time (a closed loop, like wrk): conversations rotate through a queue,
// and one that had its turns is replaced by a new one.
type driver struct {
	addr     string
	conns    int
	bodies   [][]byte
	encoding string
	turns    int
	hello    bool // the yardstick: one path, no conversations

	client   *fasthttp.HostClient
	once     sync.Once // makes client: the workers ask for it at once
	convs    chan *conv
	next     atomic.Uint64 // the next question
	started  atomic.Int64
	outMu    sync.Mutex
	outcomes map[string]int
}

func (d *driver) http() *fasthttp.HostClient {
	d.once.Do(func() {
		d.client = &fasthttp.HostClient{Addr: d.addr, MaxConns: d.conns, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	})
	return d.client
}

// startConversations fills the queue with n new conversations.
func (d *driver) startConversations(n int) error {
	d.convs = make(chan *conv, n)
	for range n {
		c, err := d.start()
		if err != nil {
			return err
		}
		d.convs <- c
	}
	return nil
}

// start starts a conversation, as the widget does on its first message.
func (d *driver) start() (*conv, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://" + d.addr + "/api/v1/conversations")
	req.Header.SetMethod("POST")
	req.Header.Set("Origin", shopOrigin)
	if d.encoding != "" {
		req.Header.Set("Accept-Encoding", d.encoding)
	}
	if err := d.http().Do(req, resp); err != nil {
		return nil, fmt.Errorf("start a conversation: %w", err)
	}
	body, err := resp.BodyUncompressed()
	if err != nil {
		return nil, fmt.Errorf("start a conversation: %w", err)
	}
	var c struct{ ID string }
	if resp.StatusCode() != 201 || json.Unmarshal(body, &c) != nil || c.ID == "" {
		return nil, fmt.Errorf("start a conversation: %d %.200s", resp.StatusCode(), body)
	}
	d.started.Add(1)
	return &conv{id: c.ID}, nil
}

// worker is one connection's loop until the deadline. It records latencies
// only when lat is not nil.
type worker struct {
	lat      []time.Duration
	requests int
	starts   int
	statuses map[int]int
	outcomes map[string]int
	err      error
}

func (d *driver) work(ctx context.Context, until time.Time, w *worker) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	hello := &conv{id: "hello"}
	for ctx.Err() == nil && time.Now().Before(until) {
		c := hello
		if !d.hello {
			c = <-d.convs
		}
		req.Reset()
		req.SetRequestURI("http://" + d.addr + "/api/v1/conversations/" + c.id + "/messages")
		req.Header.SetMethod("POST")
		req.Header.SetContentType("application/json")
		req.Header.Set("Origin", shopOrigin)
		if d.encoding != "" {
			req.Header.Set("Accept-Encoding", d.encoding)
		}
		req.SetBody(d.bodies[d.next.Add(1)%uint64(len(d.bodies))])
		t0 := time.Now()
		err := d.http().Do(req, resp)
		dt := time.Since(t0)
		if !d.hello {
			if c.sent++; c.sent >= d.turns {
				nc, serr := d.start()
				if serr != nil {
					w.err = serr
					d.convs <- c
					return
				}
				w.starts++
				c = nc
			}
			d.convs <- c
		}
		if err != nil {
			w.err = err
			return
		}
		w.requests++
		w.lat = append(w.lat, dt)
		if code := resp.StatusCode(); code >= 300 {
			w.statuses[code]++
			continue
		}
		if !d.hello {
			body, err := resp.BodyUncompressed()
			if err != nil {
				w.err = fmt.Errorf("reply: %w", err)
				return
			}
			w.outcomes[outcome(body)]++
		}
	}
}

// outcome reads the reply's outcome without decoding it whole.
func outcome(body []byte) string {
	const key = `"outcome":"`
	i := bytes.Index(body, []byte(key))
	if i < 0 {
		return "?"
	}
	rest := body[i+len(key):]
	if j := bytes.IndexByte(rest, '"'); j >= 0 {
		return string(rest[:j])
	}
	return "?"
}

// measure loads the server for warmup, then measures it for d.
func (d *driver) measure(ctx context.Context, srv *server, warmup, dur time.Duration) (measure, error) {
	phase := func(dur time.Duration) ([]*worker, error) {
		until := time.Now().Add(dur)
		ws := make([]*worker, d.conns)
		var wg sync.WaitGroup
		for i := range ws {
			ws[i] = &worker{statuses: map[int]int{}, outcomes: map[string]int{}, lat: make([]time.Duration, 0, 1<<14)}
			wg.Go(func() { d.work(ctx, until, ws[i]) })
		}
		wg.Wait()
		for _, w := range ws {
			if w.err != nil {
				return nil, w.err
			}
		}
		return ws, ctx.Err()
	}
	if warmup > 0 {
		if _, err := phase(warmup); err != nil {
			return measure{}, err
		}
	}
	pid := srv.cmd.Process.Pid
	cpu0, err := procCPU(pid)
	if err != nil {
		return measure{}, err
	}
	wb0, err := procWriteBytes(pid)
	if err != nil {
		return measure{}, err
	}
	self0 := selfCPU()
	log0 := srv.logBytes.Load()
	t0 := time.Now()
	ws, err := phase(dur)
	if err != nil {
		return measure{}, err
	}
	m := measure{Elapsed: time.Since(t0), Statuses: map[int]int{}}
	cpu1, err := procCPU(pid)
	if err != nil {
		return measure{}, err
	}
	wb1, err := procWriteBytes(pid)
	if err != nil {
		return measure{}, err
	}
	m.CPU, m.WriteBytes, m.ClientCPU = cpu1-cpu0, wb1-wb0, selfCPU()-self0
	m.RSS, m.HWM, err = procRSS(pid)
	if err != nil {
		return measure{}, err
	}
	var lat []time.Duration
	for _, w := range ws {
		m.Requests += w.requests
		m.Starts += w.starts
		lat = append(lat, w.lat...)
		for k, v := range w.statuses {
			m.Statuses[k] += v
			m.Errors += v
		}
		if d.outcomes != nil {
			for k, v := range w.outcomes {
				d.outcomes[k] += v
			}
		}
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		m.P50, m.P99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	m.LogBytes = srv.logBytes.Load() - log0
	return m, nil
}

// clockTick is USER_HZ, the unit of /proc/PID/stat times: 100 on Linux.
const clockTick = 10 * time.Millisecond

// procCPU is a process's user+system time, from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("server CPU: %w", err)
	}
	// The command name, in parentheses, may hold spaces: fields count
	// from after it. utime and stime are fields 14 and 15.
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("server CPU: short /proc/%d/stat", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("server CPU: bad /proc/%d/stat", pid)
	}
	return time.Duration(u+s) * clockTick, nil
}

// procWriteBytes is what a process caused to be written to storage, from
// /proc/PID/io.
func procWriteBytes(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, fmt.Errorf("server writes: %w", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "write_bytes: "); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, fmt.Errorf("server writes: no write_bytes in /proc/%d/io", pid)
}

// procRSS is a process's resident set and its peak, from /proc/PID/status.
func procRSS(pid int) (rss, hwm int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("server memory: %w", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			hwm = kb << 10
		}
	}
	return rss, hwm, nil
}

// selfCPU is this process's user+system time: the client's cost, on the
// same cores.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
