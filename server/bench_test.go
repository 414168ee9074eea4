package server

import (
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/reports"
	"github.com/guichet/guichet/synth"
)

// benchTurns is how many messages a benchmark sends in one conversation
// before starting another (a conversation holds 500 turns, 2 a message).
const benchTurns = 200

// mustBodies is the JSON bodies of synth's 5,000 questions.
func mustBodies(tb testing.TB) [][]byte {
	tb.Helper()
	qs, err := synth.Questions(5000)
	if err != nil {
		tb.Fatal(err)
	}
	bodies := make([][]byte, len(qs))
	for i, q := range qs {
		bodies[i], _ = json.Marshal(map[string]string{"text": q})
	}
	return bodies
}

// devNullLogger logs as the service does, text to a file (so each line
// costs its formatting and a write), but to /dev/null.
func devNullLogger(tb testing.TB) *slog.Logger {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return slog.New(slog.NewTextHandler(f, nil))
}

// benchServer is a server as main builds it for the benchmarks: the
// reports record every turn, the access log goes to /dev/null.
func benchServer(b *testing.B) *Server {
	k, db := testKB(b, kb.Options{}), testDB(b)
	book := reports.New(db, reports.Options{})
	bot := chat.New(k, db, chat.Options{Reports: book})
	b.Cleanup(bot.Close)
	return New(Config{ChatRate: 1 << 30, Reports: book}, bot, k, nil, devNullLogger(b))
}

// BenchmarkChatTurn measures a chat message through the whole server on
// the fixture corpus (8 articles, so that ranking is cheap and what is
// around it shows), with the reports recording as in the service:
// "handler" calls the Fiber handler in process, one request at a time, so
// that allocs/op are the server's and the bot's alone; "http" sends them
// over 16 connections on 127.0.0.1, as the load command does, for
// profiles under concurrency.
func BenchmarkChatTurn(b *testing.B) {
	bodies := mustBodies(b)
	b.Run("handler", func(b *testing.B) {
		s := benchServer(b)
		h := s.app.Handler()
		remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
		var ctx fasthttp.RequestCtx
		var req fasthttp.Request
		start := func() string {
			req.Reset()
			req.Header.SetMethod("POST")
			req.SetRequestURI("/api/v1/conversations")
			ctx.Response.Reset()
			ctx.Init(&req, remote, nil)
			h(&ctx)
			var c struct{ ID string }
			if err := json.Unmarshal(ctx.Response.Body(), &c); err != nil || c.ID == "" {
				b.Fatalf("start: %d %s", ctx.Response.StatusCode(), ctx.Response.Body())
			}
			return c.ID
		}
		id := start()
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if i%benchTurns == benchTurns-1 {
				id = start()
			}
			req.Reset()
			req.Header.SetMethod("POST")
			req.SetRequestURI("/api/v1/conversations/" + id + "/messages")
			req.Header.SetContentType("application/json")
			req.Header.Set("Accept-Encoding", "gzip, deflate, br")
			req.SetBody(bodies[i%len(bodies)])
			ctx.Response.Reset()
			ctx.Init(&req, remote, nil)
			h(&ctx)
			if code := ctx.Response.StatusCode(); code != 200 {
				b.Fatalf("turn: %d %s", code, ctx.Response.Body())
			}
		}
	})
	b.Run("http", func(b *testing.B) {
		s := benchServer(b)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go s.Serve(ln)
		b.Cleanup(func() { s.app.Shutdown() })
		client := &fasthttp.HostClient{Addr: ln.Addr().String(), MaxConns: 16}
		start := func() string {
			code, body, err := client.Post(nil, "http://"+ln.Addr().String()+"/api/v1/conversations", nil)
			var c struct{ ID string }
			if err != nil || code != 201 || json.Unmarshal(body, &c) != nil {
				b.Errorf("start: %d %s %v", code, body, err)
			}
			return c.ID
		}
		var next atomic.Uint64
		b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			id, sent := start(), 0
			for pb.Next() {
				if sent++; sent%benchTurns == 0 {
					id = start()
				}
				req.Reset()
				req.Header.SetMethod("POST")
				req.SetRequestURI("http://" + ln.Addr().String() + "/api/v1/conversations/" + id + "/messages")
				req.Header.SetContentType("application/json")
				req.Header.Set("Accept-Encoding", "gzip, deflate, br")
				req.SetBody(bodies[next.Add(1)%uint64(len(bodies))])
				if err := client.DoTimeout(req, resp, 30*time.Second); err != nil || resp.StatusCode() != 200 {
					b.Errorf("turn: %d %v", resp.StatusCode(), err)
					return
				}
			}
		})
	})
}
