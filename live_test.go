package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/accounts"
	"go.etcd.io/bbolt"
)

// mustAddAgent creates an agent in a data dir, as « guichet user add » does.
func mustAddAgent(t *testing.T, dataDir, name string) {
	t.Helper()
	db, err := bbolt.Open(filepath.Join(dataDir, "guichet.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := accounts.New(db, accounts.Options{Iterations: 1000}).Add(name, accounts.RoleAgent, "un mot de passe solide"); err != nil {
		t.Fatal(err)
	}
}

// agentClient is a browser for the console over real HTTP.
type agentClient struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

var reToken = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (a *agentClient) get(path string) (int, string) {
	a.t.Helper()
	resp, err := a.c.Get(a.base + path)
	return a.read(resp, err)
}

// read returns a response's status and body, remembering the page's CSRF
// token for the next form.
func (a *agentClient) read(resp *http.Response, err error) (int, string) {
	a.t.Helper()
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if m := reToken.FindStringSubmatch(string(data)); m != nil {
		a.csrf = m[1]
	}
	return resp.StatusCode, string(data)
}

// connect opens the console's event stream, as an open inbox tab does, and
// returns once the server has it: from then on the agent is available.
func (a *agentClient) connect() {
	a.t.Helper()
	req, _ := http.NewRequest("GET", a.base+"/agent/events", nil)
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := a.c.Do(req.WithContext(ctx))
	if err != nil {
		a.t.Fatal(err)
	}
	a.t.Cleanup(func() { cancel(); resp.Body.Close() })
	if resp.StatusCode != 200 {
		a.t.Fatalf("agent events: %d", resp.StatusCode)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, ": ouvert") {
		a.t.Fatalf("agent events: %q, %v", line, err)
	}
}

func (a *agentClient) post(path string, form url.Values) int {
	a.t.Helper()
	form.Set("_csrf", a.csrf)
	code, _ := a.read(a.c.PostForm(a.base+path, form))
	return code
}

// TestLiveChatEndToEnd: a customer misses twice, is offered channels,
// chooses live chat; a logged-in agent sees it in the queue with the
// transcript, takes it over and replies; the customer receives the reply
// live; the agent closes it with a reason; after a restart the case and the
// transcript are still there.
func TestLiveChatEndToEnd(t *testing.T) {
	cfg := testConfig(t)
	monday := func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }
	mustAddAgent(t, cfg.DataDir, "alice")
	start := func() *program {
		p := &program{cfg: cfg, logger: newLogger(cfg, io.Discard), now: monday}
		if err := p.start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if p.srv != nil {
				p.stop(context.Background())
			}
		})
		return p
	}
	p := start()
	base := "http://" + p.addr()

	jar, _ := cookiejar.New(nil)
	agent := &agentClient{t: t, base: base, c: &http.Client{Jar: jar}}
	agent.get("/agent/login")
	if code := agent.post("/agent/login", url.Values{"name": {"alice"}, "password": {"un mot de passe solide"}}); code != 200 {
		t.Fatalf("login: %d", code)
	}
	agent.connect()

	customer, _ := startFlow(t, base, "")
	customer.say("quelle est la recette du clafoutis ?")
	var r struct {
		Channels []struct{ ID string }
	}
	call(t, "POST", base+"/api/v1/conversations/"+customer.id+"/messages", `{"text": "et le score du match ?"}`, &r)
	if len(r.Channels) == 0 || r.Channels[0].ID != "live_chat" {
		t.Fatalf("channels after two misses with an agent online: %+v", r.Channels)
	}
	if code := call(t, "POST", base+"/api/v1/conversations/"+customer.id+"/handoff", `{"channel": "live_chat"}`, nil); code != 201 {
		t.Fatalf("live chat request: %d", code)
	}

	// The customer listens for events, as the widget does.
	events := make(chan string, 16)
	resp, err := http.Get(base + "/api/v1/conversations/" + customer.id + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "data: ") {
				events <- sc.Text()
			}
		}
		close(events)
	}()

	code, queue := agent.get("/agent")
	if code != 200 || !strings.Contains(queue, "/agent/conversations/"+customer.id) || !strings.Contains(queue, "Chat") {
		t.Fatalf("queue: %d, the live chat is not listed", code)
	}
	code, page := agent.get("/agent/conversations/" + customer.id)
	if code != 200 || !strings.Contains(page, "recette du clafoutis") || !strings.Contains(page, "score du match") {
		t.Fatalf("conversation page: %d, transcript missing", code)
	}
	if code := agent.post("/agent/conversations/"+customer.id+"/take", url.Values{}); code != 200 {
		t.Fatalf("take over: %d", code)
	}
	if code := agent.post("/agent/conversations/"+customer.id+"/reply", url.Values{"text": {"Bonjour, je suis Alice. Que puis-je faire pour vous ?"}}); code != 200 {
		t.Fatalf("reply: %d", code)
	}
	deadline := time.After(5 * time.Second)
	for got := false; !got; {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("event stream ended")
			}
			got = strings.Contains(e, `"from":"agent"`) && strings.Contains(e, "je suis Alice")
		case <-deadline:
			t.Fatal("the customer did not receive the agent's reply")
		}
	}
	// While the agent answers, the bot is silent.
	var relayed struct{ Outcome, Text string }
	call(t, "POST", base+"/api/v1/conversations/"+customer.id+"/messages", `{"text": "merci, c'est pour une commande"}`, &relayed)
	if relayed.Outcome != "relayed" || relayed.Text != "" {
		t.Errorf("customer message during the live chat: %+v", relayed)
	}
	if code := agent.post("/agent/conversations/"+customer.id+"/close", url.Values{"reason": {"Suivi de livraison"}}); code != 200 {
		t.Fatalf("close: %d", code)
	}
	resp.Body.Close()

	// After a restart: the case is closed with its reason, the transcript
	// is whole.
	mustStop(t, p)
	p = start()
	cases, err := p.bot.Cases(context.Background())
	if err != nil || len(cases) != 1 || cases[0].State != "closed" || cases[0].Reason != "Suivi de livraison" {
		t.Errorf("cases after restart: %+v, %v", cases, err)
	}
	var conv struct {
		Turns []struct{ Text, From string }
	}
	call(t, "GET", "http://"+p.addr()+"/api/v1/conversations/"+customer.id, "", &conv)
	var agentTurns, notices int
	for _, tr := range conv.Turns {
		switch tr.From {
		case "agent":
			agentTurns++
		case "notice": // « Alice … a rejoint », « … a clos »
			notices++
		}
	}
	if len(conv.Turns) != 7 || agentTurns != 1 || notices != 2 {
		t.Errorf("transcript after restart: %+v", conv.Turns)
	}
	mustStop(t, p)
}
