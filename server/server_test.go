package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/accounts"
	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/kb"
)

// testKB opens a knowledge base over a temp index, the kb fixture corpus
// unless opts says other content; it is closed when the test ends.
func testKB(tb testing.TB, opts kb.Options) *kb.KB {
	tb.Helper()
	if opts.Content == nil {
		opts.Content = os.DirFS("../kb/testdata/corpus")
	}
	opts.IndexPath = filepath.Join(tb.TempDir(), "index")
	k, err := kb.Open(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { k.Close() })
	return k
}

// testDB opens a temp bbolt file, closed when the test ends.
func testDB(tb testing.TB) *bbolt.DB {
	tb.Helper()
	db, err := bbolt.Open(filepath.Join(tb.TempDir(), "g.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// testUsers is the accounts of db with the given users, all with the
// password « un mot de passe solide ».
func testUsers(tb testing.TB, db *bbolt.DB, roles map[string]accounts.Role) *accounts.Store {
	tb.Helper()
	users := accounts.New(db, accounts.Options{Iterations: 1000})
	for name, role := range roles {
		if err := users.Add(name, role, "un mot de passe solide"); err != nil {
			tb.Fatal(err)
		}
	}
	return users
}

// mustServer builds a server over the kb fixture corpus and a temp bbolt
// file. The log goes to logs, so tests can check what is (not) written.
func mustServer(tb testing.TB, cfg Config) (s *Server, logs *strings.Builder) {
	tb.Helper()
	k, db := testKB(tb, kb.Options{}), testDB(tb)
	logs = &strings.Builder{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	users := testUsers(tb, db, map[string]accounts.Role{"alice": accounts.RoleAgent, "eve": accounts.RoleEditor, "root": accounts.RoleAdmin})
	return New(cfg, chat.New(k, db, chat.Options{AttachmentsDir: filepath.Join(tb.TempDir(), "attachments")}), k, users, logger), logs
}

func do(tb testing.TB, s *Server, method, path, body string, header ...string) (*http.Response, string) {
	tb.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.App().Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(data)
}

func mustStart(tb testing.TB, s *Server) string {
	tb.Helper()
	resp, body := do(tb, s, "POST", "/api/v1/conversations", "")
	if resp.StatusCode != 201 {
		tb.Fatalf("start: %d %s", resp.StatusCode, body)
	}
	var c struct{ ID string }
	if err := json.Unmarshal([]byte(body), &c); err != nil || c.ID == "" {
		tb.Fatalf("start body %s: %v", body, err)
	}
	return c.ID
}

func TestAPI(t *testing.T) {
	s, logs := mustServer(t, Config{})
	id := mustStart(t, s)
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantBody   []string
	}{
		{"health", "GET", "/healthz", "", 200, []string{`"status":"ok"`, `"articles":8`}},
		{"demo shop page", "GET", "/", "", 200, []string{"<html lang=\"fr\"", "/static/demo.js"}},
		{"answer", "POST", "/api/v1/conversations/" + id + "/messages", `{"text":"jai tjrs pas recu ma comande"}`, 200,
			[]string{`"outcome":"answer"`, `"article_id":"suivi-colis"`, `"html":"\u003cp\u003eSuivez`, `"confidence":`}},
		{"miss", "POST", "/api/v1/conversations/" + id + "/messages", `{"text":"quel temps fait-il demain à Brest ?"}`, 200,
			[]string{`"outcome":"miss"`}},
		{"choice", "POST", "/api/v1/conversations/" + id + "/messages", `{"choice":"nous-contacter"}`, 200,
			[]string{`"article_id":"nous-contacter"`}},
		{"transcript", "GET", "/api/v1/conversations/" + id, "", 200,
			[]string{`"text":"jai tjrs pas recu ma comande"`, `"outcome":"miss"`, `"greeting":"Bonjour`}},
		{"malformed json", "POST", "/api/v1/conversations/" + id + "/messages", `{"text": "colis`, 400,
			[]string{`"code":"bad_json"`, "JSON valide"}},
		{"empty text", "POST", "/api/v1/conversations/" + id + "/messages", `{"text":"  "}`, 400,
			[]string{`"code":"empty_message"`, "Votre message est vide"}},
		{"too long", "POST", "/api/v1/conversations/" + id + "/messages", `{"text":"` + strings.Repeat("a", 2500) + `"}`, 413,
			[]string{`"code":"message_too_long"`, "raccourcir"}},
		{"unknown conversation", "POST", "/api/v1/conversations/deadbeef/messages", `{"text":"colis"}`, 404,
			[]string{`"code":"not_found"`, "conversation est introuvable"}},
		{"unknown choice", "POST", "/api/v1/conversations/" + id + "/messages", `{"choice":"xyz"}`, 400,
			[]string{`"code":"unknown_choice"`}},
		{"search", "GET", "/api/v1/articles?q=remboursement", "", 200,
			[]string{`"id":"delai-remboursement"`, `\u003cmark\u003e`, `"tags":[{"tag":`}},
		{"search by tag", "GET", "/api/v1/articles?tag=livraison", "", 200, []string{`"total":2`}},
		{"article", "GET", "/api/v1/articles/annuler-commande", "", 200,
			[]string{`"markdown":"Dans **Mon compte`, `"html":"\u003cp\u003eDans \u003cstrong\u003eMon compte`}},
		{"unknown article", "GET", "/api/v1/articles/nope", "", 404, []string{"Cet article n’existe pas"}},
		{"content errors need an editor", "GET", "/api/v1/content/errors", "", 401, []string{`"code":"unauthorized"`}},
		{"stats need an agent", "GET", "/api/v1/stats", "", 401, []string{`"code":"unauthorized"`}},
		{"unknown route", "GET", "/nope", "", 404, []string{`"code":"not_found"`, "Cette page n’existe pas"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, s, tt.method, tt.path, tt.body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %s: %.400s", w, body)
				}
			}
		})
	}
	// Editors and agents see the content errors and statistics.
	editor := &browser{t: t, s: s, cookies: map[string]string{}}
	editor.login("eve", "un mot de passe solide")
	if resp, body := editor.do("GET", "/api/v1/content/errors", nil); resp.StatusCode != 200 || !strings.Contains(body, `"errors":[]`) {
		t.Errorf("content errors for an editor: %d %s", resp.StatusCode, body)
	}
	agent := &browser{t: t, s: s, cookies: map[string]string{}}
	agent.login("alice", "un mot de passe solide")
	if resp, body := agent.do("GET", "/api/v1/stats", nil); resp.StatusCode != 200 || !strings.Contains(body, `"turns":3`) || !strings.Contains(body, `"miss":1`) {
		t.Errorf("stats for an agent: %d %s", resp.StatusCode, body)
	}
	if resp, _ := agent.do("GET", "/api/v1/content/errors", nil); resp.StatusCode != 403 {
		t.Errorf("content errors for an agent: %d, want 403", resp.StatusCode)
	}
	// Customers' words never reach the log.
	for _, secret := range []string{"comande", "Brest", "remboursement"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log contains the customer's words %q", secret)
		}
	}
	if !strings.Contains(logs.String(), "request_id=") {
		t.Error("no access log line")
	}
	// Nor the conversation ids: they are the transcripts' only credential.
	if strings.Contains(logs.String(), id) || !strings.Contains(logs.String(), "/api/v1/conversations/"+id[:8]+"…/messages") {
		t.Errorf("the log holds the conversation id in full, or not its masked form:\n%s", logs)
	}
}

func TestCORS(t *testing.T) {
	s, _ := mustServer(t, Config{WidgetOrigins: []string{"https://boutique.example"}})
	resp, _ := do(t, s, "OPTIONS", "/api/v1/conversations", "", "Origin", "https://boutique.example", "Access-Control-Request-Method", "POST")
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://boutique.example" {
		t.Errorf("allowed origin: Access-Control-Allow-Origin = %q", got)
	}
	resp, _ = do(t, s, "OPTIONS", "/api/v1/conversations", "", "Origin", "https://pirate.example", "Access-Control-Request-Method", "POST")
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("other origin allowed: %q", got)
	}
	// No widget origins: same origin only, not every origin.
	s, _ = mustServer(t, Config{})
	for _, method := range []string{"OPTIONS", "GET"} {
		resp, _ = do(t, s, method, "/api/v1/articles?q=colis", "", "Origin", "https://pirate.example", "Access-Control-Request-Method", "GET")
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("no widget origins, %s: Access-Control-Allow-Origin = %q, want none", method, got)
		}
	}
}

func TestRateLimit(t *testing.T) {
	s, _ := mustServer(t, Config{ChatRate: 2})
	mustStart(t, s)
	mustStart(t, s)
	resp, body := do(t, s, "POST", "/api/v1/conversations", "")
	if resp.StatusCode != 429 || !strings.Contains(body, "patienter") {
		t.Errorf("third start: %d %s, want 429 with a polite message", resp.StatusCode, body)
	}
}

// TestTrustedProxy: behind a reverse proxy, each customer has their own
// budget, and only a trusted proxy's X-Forwarded-For is believed. (In
// process, every request comes from 0.0.0.0.)
func TestTrustedProxy(t *testing.T) {
	start := func(s *Server, xff string) int {
		resp, _ := do(t, s, "POST", "/api/v1/conversations", "", "X-Forwarded-For", xff)
		return resp.StatusCode
	}
	t.Run("trusted", func(t *testing.T) {
		s, _ := mustServer(t, Config{ChatRate: 2, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32"), netip.MustParsePrefix("10.0.0.0/8")}})
		for i, c := range []struct {
			xff  string
			want int
		}{
			{"198.51.100.1", 201},
			{"198.51.100.1", 201},
			{"198.51.100.2", 201},              // another customer: a budget of their own
			{"198.51.100.1", 429},              // the first one's is spent
			{"203.0.113.9, 198.51.100.1", 429}, // what the client wrote before it proves nothing
			{"198.51.100.1, 10.1.2.3", 429},    // through a second trusted hop: still them
			{"198.51.100.3, 10.1.2.3", 201},
		} {
			if got := start(s, c.xff); got != c.want {
				t.Errorf("%d: X-Forwarded-For %q: %d, want %d", i, c.xff, got, c.want)
			}
		}
	})
	t.Run("not trusted", func(t *testing.T) {
		s, _ := mustServer(t, Config{ChatRate: 2})
		start(s, "198.51.100.1")
		start(s, "198.51.100.2")
		if got := start(s, "198.51.100.3"); got != 429 {
			t.Errorf("an untrusted peer chose its address with X-Forwarded-For: %d, want 429", got)
		}
	})
}

func TestWidgetAndDemoPage(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	s, _ := mustServer(t, Config{Tokens: Tokens{Keys: []TokenKey{{Secret: secret}}}, ShopName: "Maison Colibri",
		DemoCustomers: []chat.Identity{{CustomerID: "cli-1001", Email: "camille.martin@exemple.fr"}}})
	resp, body := do(t, s, "GET", "/widget.js", "", "Accept-Encoding", "gzip")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=300") ||
		resp.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/javascript") {
		t.Errorf("widget.js: %d %v", resp.StatusCode, resp.Header)
	}
	if len(body) == 0 {
		t.Error("widget.js empty")
	}
	if resp, _ := do(t, s, "GET", "/widget.js", "", "If-None-Match", etag); resp.StatusCode != 304 {
		t.Errorf("unchanged widget.js: %d, want 304", resp.StatusCode)
	}
	resp, page := do(t, s, "GET", "/", "")
	if resp.StatusCode != 200 || !strings.Contains(page, "/static/demo.js") || !strings.Contains(page, "camille.martin@exemple.fr") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("demo page: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := do(t, s, "GET", "/static/demo.js", ""); resp.StatusCode != 200 {
		t.Errorf("demo.js: %d", resp.StatusCode)
	}
	var tok struct{ Token string }
	resp, body = do(t, s, "GET", "/demo/token?customer=cli-1001", "")
	if err := json.Unmarshal([]byte(body), &tok); err != nil || resp.StatusCode != 200 {
		t.Fatalf("demo token: %d %s", resp.StatusCode, body)
	}
	if id, err := (Tokens{Keys: []TokenKey{{Secret: secret}}}).Verify(tok.Token, time.Now()); err != nil || id.CustomerID != "cli-1001" {
		t.Errorf("demo token does not verify: %v %+v", err, id)
	}
	if resp, _ := do(t, s, "GET", "/demo/token?customer=someone-else", ""); resp.StatusCode != 404 {
		t.Errorf("token for a non-demo customer: %d", resp.StatusCode)
	}
	plain, _ := mustServer(t, Config{})
	if resp, _ := do(t, plain, "GET", "/demo/token?customer=cli-1001", ""); resp.StatusCode != 404 {
		t.Errorf("demo tokens outside demo mode: %d", resp.StatusCode)
	}
}

// An event stream outlives the server's write timeout: an agent's message
// sent later still reaches the customer.
func TestEventStreamOutlivesWriteTimeout(t *testing.T) {
	s, _ := mustServer(t, Config{WriteTimeout: 300 * time.Millisecond})
	id := mustStart(t, s)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.bot.Close(); s.Shutdown(context.Background()) })
	resp, err := http.Get("http://" + ln.Addr().String() + "/api/v1/conversations/" + id + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	time.Sleep(time.Second) // more than three write timeouts
	if err := s.bot.TakeOver(context.Background(), id, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.bot.AgentReply(context.Background(), id, "alice", "Toujours là ?"); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(3 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the stream ended")
			}
			if strings.Contains(l, "Toujours là") {
				return
			}
		case <-deadline:
			t.Fatal("the agent's message never arrived")
		}
	}
}

// TestHealthReportsADatabaseThatCannotWrite: with the database unable to
// write (here closed under the server, as a full disk would fail writes),
// /healthz says degraded rather than ok.
func TestHealthReportsADatabaseThatCannotWrite(t *testing.T) {
	k, db := testKB(t, kb.Options{}), testDB(t)
	logs := &strings.Builder{}
	s := New(Config{}, chat.New(k, db, chat.Options{}), k, accounts.New(db, accounts.Options{}), slog.New(slog.NewTextHandler(logs, nil)))
	if resp, body := do(t, s, "GET", "/healthz", ""); resp.StatusCode != 200 || !strings.Contains(body, `"database":"ok"`) {
		t.Errorf("healthy: %d %s", resp.StatusCode, body)
	}
	db.Close()
	if resp, body := do(t, s, "GET", "/healthz", ""); resp.StatusCode != 503 || !strings.Contains(body, `"status":"degraded"`) {
		t.Errorf("database closed: %d %s, want 503 degraded", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "cannot write") {
		t.Error("the cause is not logged")
	}
}

// TestEventStreamsPerClient: one client address holds a bounded number of
// event streams; behind a trusted proxy, that is each customer's own.
func TestEventStreamsPerClient(t *testing.T) {
	s, _ := mustServer(t, Config{StreamsPerClient: 2, WriteTimeout: time.Second, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	id := mustStart(t, s)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.bot.Close(); s.Shutdown(context.Background()) })
	open := func(client string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/api/v1/conversations/"+id+"/events", nil)
		req.Header.Set("X-Forwarded-For", client)
		resp, err := (&http.Transport{}).RoundTrip(req) // a connection of its own
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == 200 {
			bufio.NewReader(resp.Body).ReadString('\n') // the stream is open
		}
		return resp
	}
	first, second := open("198.51.100.1"), open("198.51.100.1")
	defer second.Body.Close()
	if first.StatusCode != 200 || second.StatusCode != 200 {
		t.Fatalf("two streams: %d %d", first.StatusCode, second.StatusCode)
	}
	if r := open("198.51.100.1"); r.StatusCode != 429 {
		t.Errorf("third stream of one client: %d, want 429", r.StatusCode)
	}
	other := open("198.51.100.2")
	defer other.Body.Close()
	if other.StatusCode != 200 {
		t.Errorf("another customer: %d, want 200", other.StatusCode)
	}
	// A stream closed gives its place back, once the server notices (at
	// its next write: a keep-alive comment every half write timeout).
	first.Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := open("198.51.100.1")
		if r.StatusCode == 200 {
			r.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the closed stream's place never came back: %d", r.StatusCode)
		}
	}
}

// TestMaskPath: every conversation id in a logged path is cut to 8
// characters, and nothing else changes.
func TestMaskPath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/api/v1/conversations/0123456789abcdef/messages", "/api/v1/conversations/01234567…/messages"},
		{"/api/v1/conversations/0123456789abcdef", "/api/v1/conversations/01234567…"},
		{"/agent/conversations/0123456789abcdef/attachments/fedcba9876543210", "/agent/conversations/01234567…/attachments/fedcba9876543210"},
		{"/api/v1/conversations", "/api/v1/conversations"},
		{"/api/v1/conversations/", "/api/v1/conversations/"},
		{"/api/v1/conversations/short/messages", "/api/v1/conversations/short/messages"},
		{"/aide/suivi-colis", "/aide/suivi-colis"},
	} {
		if got := maskPath(c.in); got != c.want {
			t.Errorf("maskPath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
