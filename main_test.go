package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// mustCopyDir copies the *.md files of src into a new temp dir.
func mustCopyDir(tb testing.TB, src string) string {
	tb.Helper()
	dst := tb.TempDir()
	files, err := filepath.Glob(filepath.Join(src, "*.md"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no fixture articles in %s: %v", src, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dst
}

// mustStart starts a program on 127.0.0.1:0 and stops it at cleanup
// unless the test stopped it.
func mustStart(tb testing.TB, cfg config) *program {
	tb.Helper()
	p := &program{cfg: cfg, logger: newLogger(cfg, io.Discard)}
	if err := p.start(context.Background()); err != nil {
		tb.Fatalf("start: %v", err)
	}
	tb.Cleanup(func() {
		if p.srv != nil {
			p.stop(context.Background())
		}
	})
	return p
}

func mustStop(tb testing.TB, p *program) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.stop(ctx); err != nil {
		tb.Fatalf("stop: %v", err)
	}
	p.srv = nil
}

func testConfig(tb testing.TB) config {
	cfg := defaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = tb.TempDir()
	cfg.ContentDir = mustCopyDir(tb, "kb/testdata/corpus")
	return cfg
}

func call(tb testing.TB, method, url, body string, out any) int {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			tb.Fatalf("%s %s: decode %q: %v", method, url, data, err)
		}
	}
	return resp.StatusCode
}

type apiReply struct {
	Outcome   string `json:"outcome"`
	ArticleID string `json:"article_id"`
	HTML      string `json:"html"`
	Error     struct {
		Code, Message string
	} `json:"error"`
}

func TestEndToEnd(t *testing.T) {
	cfg := testConfig(t)
	p := mustStart(t, cfg)
	base := "http://" + p.addr()

	var conv struct{ ID, Greeting string }
	if code := call(t, "POST", base+"/api/v1/conversations", "", &conv); code != 201 || conv.ID == "" {
		t.Fatalf("start conversation: %d %+v", code, conv)
	}
	var r apiReply
	if code := call(t, "POST", base+"/api/v1/conversations/"+conv.ID+"/messages", `{"text":"Comment annuler ma commande ?"}`, &r); code != 200 {
		t.Fatalf("message: %d", code)
	}
	if r.Outcome != "answer" || r.ArticleID != "annuler-commande" || !strings.Contains(r.HTML, "Annuler la commande") {
		t.Errorf("reply = %+v, want the cancellation article", r)
	}

	// Bad input: a clear French error, and the service keeps running.
	r = apiReply{}
	if code := call(t, "POST", base+"/api/v1/conversations/"+conv.ID+"/messages", `{"text":`+strings.Repeat(`"a`, 1), &r); code != 400 || r.Error.Code != "bad_json" {
		t.Errorf("malformed JSON: %d %+v", code, r)
	}
	r = apiReply{}
	huge := `{"text":"` + strings.Repeat("a", 100<<10) + `"}`
	if code := call(t, "POST", base+"/api/v1/conversations/"+conv.ID+"/messages", huge, &r); code != 413 || !strings.Contains(r.Error.Message, "volumineuse") {
		t.Errorf("huge body: %d %+v", code, r)
	}

	// An editor saves a new article: it is searchable within a second or so.
	article := "---\nid: carte-cadeau\ntitle: Cartes cadeaux\nquestions:\n  - Comment utiliser ma carte cadeau ?\n  - Quel est le solde de ma carte cadeau ?\n---\nSaisissez le code de la carte à l'étape du paiement."
	if err := os.WriteFile(filepath.Join(cfg.ContentDir, "carte-cadeau.md"), []byte(article), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var res struct{ Hits []struct{ ID string } }
		call(t, "GET", base+"/api/v1/articles?q=carte+cadeau", "", &res)
		if len(res.Hits) > 0 && res.Hits[0].ID == "carte-cadeau" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("saved article not found by search: %+v", res)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A second instance on the same data dir fails at once, clearly.
	other := cfg
	q := &program{cfg: other, logger: newLogger(other, io.Discard)}
	if err := q.start(context.Background()); err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("second instance: %v, want 'already in use'", err)
		if err == nil {
			q.stop(context.Background())
		}
	}

	// Stop releases the lock; the transcript survives the restart.
	mustStop(t, p)
	p = mustStart(t, cfg)
	var got struct {
		Turns []struct {
			Text  string
			Reply struct{ Outcome, ArticleID string } `json:"reply"`
		}
	}
	if code := call(t, "GET", "http://"+p.addr()+"/api/v1/conversations/"+conv.ID, "", &got); code != 200 {
		t.Fatalf("transcript after restart: %d", code)
	}
	if len(got.Turns) != 1 || got.Turns[0].Text != "Comment annuler ma commande ?" {
		t.Errorf("transcript after restart = %+v", got.Turns)
	}
	mustStop(t, p)
}

func TestBusyPortFailsAtStart(t *testing.T) {
	p := mustStart(t, testConfig(t))
	cfg := testConfig(t)
	cfg.Addr = p.addr()
	q := &program{cfg: cfg, logger: newLogger(cfg, io.Discard)}
	if err := q.start(context.Background()); err == nil || !strings.Contains(err.Error(), "listen on") {
		t.Errorf("start on a busy port: %v", err)
	}
	// The failed start released its data dir.
	r := &program{cfg: cfg, logger: newLogger(cfg, io.Discard)}
	r.cfg.Addr = "127.0.0.1:0"
	if err := r.start(context.Background()); err != nil {
		t.Fatalf("data dir still locked after a failed start: %v", err)
	}
	mustStop(t, r)
}

func TestParseConfig(t *testing.T) {
	env := map[string]string{"GUICHET_ADDR": ":9000", "GUICHET_DATA_DIR": "/tmp/g", "GUICHET_WIDGET_ORIGINS": "https://a.example, https://b.example/"}
	getenv := func(k string) string { return env[k] }
	cfg, err := parseConfig([]string{"-data", "/srv/guichet"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":9000" || cfg.DataDir != "/srv/guichet" || !slices.Equal(cfg.WidgetOrigins, []string{"https://a.example", "https://b.example"}) {
		t.Errorf("config = %+v (env over defaults, flags over env)", cfg)
	}
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"-addr", "8080"}, "invalid address"},
		{[]string{"-content", "/does/not/exist"}, "not a readable directory"},
		{[]string{"-widget-origins", "boutique.example"}, "must start with http"},
		{[]string{"-log-level", "loud"}, "log level"},
		{[]string{"-data", ""}, "data directory"},
		{[]string{"-holidays", "25/12/2026"}, "use YYYY-MM-DD"},
		{[]string{"-phone", "01 23 45 67 89"}, "together"},
	}
	for _, b := range bad {
		if _, err := parseConfig(b.args, func(string) string { return "" }, io.Discard); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("parseConfig(%v) = %v, want %q", b.args, err, b.want)
		}
	}
}

func TestCheckCommand(t *testing.T) {
	dir := mustCopyDir(t, "kb/testdata/corpus")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", "--content", dir}, os.Getenv, nil, &out, io.Discard); err != nil {
		t.Fatalf("check on valid content: %v\n%s", err, out.String())
	}
	if err := os.WriteFile(filepath.Join(dir, "casse.md"), []byte("---\nid: casse\ntitle: Cassé\nfoo: bar\nquestions: [a b, c d]\n---\nx"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err := run(context.Background(), []string{"check", "--content", dir}, os.Getenv, nil, &out, io.Discard)
	if err == nil || !strings.Contains(out.String(), "casse.md:4: clé inconnue « foo »") {
		t.Errorf("check on broken content: err %v, output %q", err, out.String())
	}
}

func TestEvalCommand(t *testing.T) {
	qs := filepath.Join(t.TempDir(), "q.jsonl")
	lines := `{"q": "jai tjrs pas recu ma comande", "expect": "suivi-colis"}
{"q": "quel temps fait-il à Lille ?", "expect": null}
{"q": "bonjour", "expect": "@greeting"}
`
	if err := os.WriteFile(qs, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"eval", "--content", "kb/testdata/corpus", "--questions", qs, "--json"}, os.Getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	rep := lastJSON(t, out.String())
	for _, k := range []string{"questions", "top1", "top3", "mrr", "rank_top1", "resolved", "wrong", "oos_correct", "false_miss", "acts", "p50_ms", "p99_ms"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("report lacks %q: %v", k, rep)
		}
	}
	if rep["questions"] != 3.0 || rep["top1"] != 1.0 || rep["oos_correct"] != 1.0 || rep["acts"] != 1.0 {
		t.Errorf("report = %v", rep)
	}
}

// TestEvalMaxExamples: --max-examples keeps only the first example
// questions of each article, as on a knowledge base's first day. The
// decisive wording is made up, so that no library phrasing knows it.
func TestEvalMaxExamples(t *testing.T) {
	dir := t.TempDir()
	article := "---\nid: garantie\ntitle: Garantie\nquestions:\n  - Quelle est la garantie ?\n  - Le flobizar zinzin\n---\nDeux ans.\n"
	other := "---\nid: livraison\ntitle: Livraison\nquestions:\n  - Quand serai-je livré ?\n  - Délai de livraison\n---\nTrois jours.\n"
	for name, text := range map[string]string{"garantie.md": article, "livraison.md": other} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	qs := filepath.Join(t.TempDir(), "q.jsonl")
	if err := os.WriteFile(qs, []byte(`{"q": "le flobizar zinzin", "expect": "garantie"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rank := func(args ...string) float64 {
		var out bytes.Buffer
		args = append([]string{"eval", "--content", dir, "--questions", qs, "--json"}, args...)
		if err := run(context.Background(), args, os.Getenv, nil, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		return lastJSON(t, out.String())["top1"].(float64)
	}
	if got := rank(); got != 1 {
		t.Errorf("all examples: top1 = %v, want 1", got)
	}
	if got := rank("--max-examples", "1"); got != 0 {
		t.Errorf("first example only: top1 = %v, want 0 (the wording is in the second)", got)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"eval", "--questions", qs, "--max-examples", "-1"}, os.Getenv, nil, &out, io.Discard); err == nil {
		t.Error("a negative --max-examples was accepted")
	}
}

func lastJSON(tb testing.TB, out string) map[string]any {
	tb.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var rep map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		tb.Fatalf("last line is not JSON: %q", lines[len(lines)-1])
	}
	return rep
}

func TestUserAdd(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string { return map[string]string{"GUICHET_DATA_DIR": dir}[k] }
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "add", "-name", "alice", "-role", "agent"}, getenv, strings.NewReader("un mot de passe solide\n"), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "alice (agent) créé") {
		t.Errorf("output %q", out.String())
	}
	err := run(context.Background(), []string{"user", "add", "-name", "bob", "-role", "agent"}, getenv, strings.NewReader("court\n"), &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "12 caractères") {
		t.Errorf("short password: %v", err)
	}
}
