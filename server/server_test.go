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

// mustServer builds a server over the kb fixture corpus and a temp bbolt
// file. The log goes to logs, so tests can check what is (not) written.
func mustServer(tb testing.TB, cfg Config) (s *Server, logs *strings.Builder) {
	tb.Helper()
	k, err := kb.Open(kb.Options{Content: os.DirFS("../kb/testdata/corpus"), IndexPath: filepath.Join(tb.TempDir(), "index")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { k.Close() })
	db, err := bbolt.Open(filepath.Join(tb.TempDir(), "g.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	logs = &strings.Builder{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	users := accounts.New(db, accounts.Options{Iterations: 1000})
	for _, u := range []struct {
		name string
		role accounts.Role
	}{{"alice", accounts.RoleAgent}, {"eve", accounts.RoleEditor}, {"root", accounts.RoleAdmin}} {
		if err := users.Add(u.name, u.role, "un mot de passe solide"); err != nil {
			tb.Fatal(err)
		}
	}
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

func TestWidgetAndDemoPage(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	s, _ := mustServer(t, Config{TokenSecret: secret, ShopName: "Maison Colibri",
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
	if id, err := VerifyCustomerToken(secret, tok.Token, time.Now()); err != nil || id.CustomerID != "cli-1001" {
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
