package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// cli runs a subcommand as the shell would, with GUICHET_DATA_DIR=dir.
func cli(t *testing.T, dir, stdin string, args ...string) (string, error) {
	t.Helper()
	getenv := func(k string) string { return map[string]string{"GUICHET_DATA_DIR": dir}[k] }
	var out bytes.Buffer
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, io.Discard)
	return out.String(), err
}

// login posts the console's login form; it returns the HTTP status after
// redirects (200 on the queue, 401 on the login page again).
func login(t *testing.T, base, name, password string) (int, *http.Client) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	a := &agentClient{t: t, base: base, c: c}
	a.get("/agent/login")
	return a.post("/agent/login", url.Values{"name": {name}, "password": {password}}), c
}

func TestUserManagementWhileRunning(t *testing.T) {
	cfg := testConfig(t)
	p := mustStart(t, cfg)
	base := "http://" + p.addr()
	dir := cfg.DataDir
	if out, err := cli(t, dir, "un mot de passe solide\n", "user", "add", "-name", "alice", "-role", "agent"); err != nil || !strings.Contains(out, "alice (agent) créé") {
		t.Fatalf("user add while running: %q, %v", out, err)
	}
	if code, _ := login(t, base, "alice", "un mot de passe solide"); code != 200 {
		t.Fatalf("login of the new user: %d", code)
	}
	if out, err := cli(t, dir, "", "user", "list"); err != nil || !strings.Contains(out, "alice") || !strings.Contains(out, "actif") {
		t.Errorf("user list: %q, %v", out, err)
	}
	// Revoke: the open session ends.
	_, session := login(t, base, "alice", "un mot de passe solide")
	if out, err := cli(t, dir, "", "user", "revoke", "-name", "alice"); err != nil || !strings.Contains(out, "sessions fermées") {
		t.Errorf("revoke: %q, %v", out, err)
	}
	resp, err := session.Get(base + "/agent")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/agent/login" {
		t.Errorf("after revoke, /agent went to %s, want the login page", resp.Request.URL.Path)
	}
	// Disable, enable, new password, delete.
	cli(t, dir, "", "user", "disable", "-name", "alice")
	if code, _ := login(t, base, "alice", "un mot de passe solide"); code == 200 {
		t.Error("a disabled user logged in")
	}
	cli(t, dir, "", "user", "enable", "-name", "alice")
	if out, err := cli(t, dir, "un autre mot de passe\n", "user", "password", "-name", "alice"); err != nil || !strings.Contains(out, "changé") {
		t.Errorf("password: %q, %v", out, err)
	}
	if code, _ := login(t, base, "alice", "un autre mot de passe"); code != 200 {
		t.Errorf("login with the new password: %d", code)
	}
	if _, err := cli(t, dir, "", "user", "delete", "-name", "alice"); err != nil {
		t.Errorf("delete: %v", err)
	}
	if _, err := cli(t, dir, "", "user", "delete", "-name", "alice"); err == nil || !strings.Contains(err.Error(), "aucun utilisateur") {
		t.Errorf("deleting twice: %v, want a French error", err)
	}
	// And with the service stopped, the same commands open the file.
	mustStop(t, p)
	if out, err := cli(t, dir, "un mot de passe solide\n", "user", "add", "-name", "bob", "-role", "editor"); err != nil || !strings.Contains(out, "bob (editor) créé") {
		t.Errorf("user add, service stopped: %q, %v", out, err)
	}
}

func TestBackupWhileRunning(t *testing.T) {
	cfg := testConfig(t)
	p := mustStart(t, cfg)
	base := "http://" + p.addr()
	f, _ := startFlow(t, base, "")
	f.say("comment annuler ma commande ?")
	file := filepath.Join(t.TempDir(), "copie.db")
	if out, err := cli(t, cfg.DataDir, "", "backup", "-o", file); err != nil || !strings.Contains(out, "copie de") {
		t.Fatalf("backup while running: %q, %v", out, err)
	}
	// The service goes on, and the copy holds the conversation.
	f.say("et pour un remboursement ?")
	db, err := bbolt.Open(file, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	defer db.Close()
	db.View(func(tx *bbolt.Tx) error {
		key, _ := hex.DecodeString(f.id) // chat keys a conversation by its 16 bytes
		if c := tx.Bucket([]byte("chat_conversations")); c == nil || c.Get(key) == nil {
			t.Error("the copy lacks the conversation")
		}
		return nil
	})
	if _, err := cli(t, cfg.DataDir, "", "backup"); err == nil || !strings.Contains(err.Error(), "-o") {
		t.Errorf("backup without -o: %v", err)
	}
}

func TestUnknownSubcommand(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"chek", "--content", "x"}, {"user", "ajoute"}} {
		if _, err := cli(t, dir, "", args...); err == nil || !strings.Contains(err.Error(), "inconnue") {
			t.Errorf("guichet %v: %v, want an error naming the unknown command", args, err)
		}
	}
}

func TestServeURL(t *testing.T) {
	for _, c := range []struct{ addr, want string }{
		{"[::]:8080", "http://localhost:8080"},
		{"0.0.0.0:8080", "http://localhost:8080"},
		{"127.0.0.1:9000", "http://127.0.0.1:9000"},
		{"[::1]:80", "http://[::1]:80"},
		{"192.0.2.10:8080", "http://192.0.2.10:8080"},
	} {
		a, err := net.ResolveTCPAddr("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := serveURL(a); got != c.want {
			t.Errorf("serveURL(%s) = %s, want %s", c.addr, got, c.want)
		}
	}
}

// TestRetentionJob: the running service deletes, by itself, a conversation
// whose last activity is past the retention period.
func TestRetentionJob(t *testing.T) {
	cfg := testConfig(t)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	p := &program{cfg: cfg, logger: newLogger(cfg, io.Discard), now: func() time.Time { return t0 }}
	if err := p.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	f, _ := startFlow(t, "http://"+p.addr(), "")
	f.say("comment annuler ma commande ?")
	mustStop(t, p)

	later := t0.AddDate(0, 13, 1)
	q := &program{cfg: cfg, logger: newLogger(cfg, io.Discard), now: func() time.Time { return later }}
	if err := q.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer mustStop(t, q)
	deadline := time.Now().Add(5 * time.Second)
	for {
		code := call(t, "GET", "http://"+q.addr()+"/api/v1/conversations/"+f.id, "", nil)
		if code == 404 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 13 months and a day the conversation is still there (%d)", code)
		}
		runtime.Gosched()
	}
}

func TestForgetCommand(t *testing.T) {
	cfg := testConfig(t)
	p := mustStart(t, cfg)
	base := "http://" + p.addr()
	f, _ := startFlow(t, base, "")
	f.say("comment annuler ma commande ?")
	if code := call(t, "POST", base+"/api/v1/conversations/"+f.id+"/handoff", `{"channel": "email", "email": "Camille@Exemple.fr", "message": "Je voudrais annuler."}`, nil); code != 201 {
		t.Fatalf("e-mail request: %d", code)
	}
	g, _ := startFlow(t, base, "")
	g.say("comment annuler ma commande ?")
	export := filepath.Join(t.TempDir(), "export.json")
	if out, err := cli(t, cfg.DataDir, "", "forget", "-email", "camille@exemple.fr", "-o", export, "-export-only"); err != nil || !strings.Contains(out, "1 conversation(s) et 1 demande(s) trouvées") {
		t.Fatalf("export while running: %q, %v", out, err)
	}
	data, err := os.ReadFile(export)
	if err != nil || !strings.Contains(string(data), f.id) || !strings.Contains(string(data), "Je voudrais annuler.") || strings.Contains(string(data), g.id) {
		t.Errorf("export %s: %v", data, err)
	}
	if code := call(t, "GET", base+"/api/v1/conversations/"+f.id, "", nil); code != 200 {
		t.Errorf("-export-only deleted the conversation: %d", code)
	}
	if out, err := cli(t, cfg.DataDir, "", "forget", "-email", "camille@exemple.fr"); err != nil || !strings.Contains(out, "effacées") {
		t.Fatalf("forget: %q, %v", out, err)
	}
	if code := call(t, "GET", base+"/api/v1/conversations/"+f.id, "", nil); code != 404 {
		t.Errorf("after forget: %d, want 404", code)
	}
	if code := call(t, "GET", base+"/api/v1/conversations/"+g.id, "", nil); code != 200 {
		t.Errorf("another visitor's conversation: %d, want kept", code)
	}
	if _, err := cli(t, cfg.DataDir, "", "forget", "-email", "pas-une-adresse"); err == nil || !strings.Contains(err.Error(), "adresse e-mail") {
		t.Errorf("bad address: %v, want a French error", err)
	}
}

func TestFlagErrorsInFrench(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-nope"}, "option inconnue : -nope"},
		{[]string{"-retention-months", "x"}, "un nombre est attendu"},
		{[]string{"backup", "-o"}, "attend une valeur"},
		{[]string{"user", "list", "-nom", "x"}, "option inconnue"},
	} {
		if _, err := cli(t, t.TempDir(), "", c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("guichet %v: %v, want %q", c.args, err, c.want)
		}
	}
}
