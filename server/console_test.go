package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// browser carries cookies between in-process requests.
type browser struct {
	t       *testing.T
	s       *Server
	cookies map[string]string
}

func (b *browser) do(method, path string, form url.Values, header ...string) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.s.App().Test(req, -1)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(data)
}

var reCSRF = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// login opens the login page and logs in; it returns the CSRF token.
func (b *browser) login(name, password string) (*http.Response, string) {
	b.t.Helper()
	_, page := b.do("GET", "/agent/login", nil)
	m := reCSRF.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no CSRF token in the login page")
	}
	resp, _ := b.do("POST", "/agent/login", url.Values{"_csrf": {m[1]}, "name": {name}, "password": {password}})
	return resp, m[1]
}

func TestConsoleAccess(t *testing.T) {
	s, _ := mustServer(t, Config{})
	anon := &browser{t: t, s: s, cookies: map[string]string{}}
	for _, path := range []string{"/agent", "/editor"} {
		resp, _ := anon.do("GET", path, nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/agent/login?next="+path) {
			t.Errorf("anonymous GET %s: %d %s, want a redirect to the login page", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// A form without its CSRF token is refused.
	if resp, body := anon.do("POST", "/agent/login", url.Values{"name": {"alice"}, "password": {"un mot de passe solide"}}); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "<html") {
		t.Errorf("login without CSRF token: %d", resp.StatusCode)
	}
	// Wrong password: the form again, with a French message.
	wrong := &browser{t: t, s: s, cookies: map[string]string{}}
	if resp, _ := wrong.login("alice", "pas le bon"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", resp.StatusCode)
	}

	agent := &browser{t: t, s: s, cookies: map[string]string{}}
	resp, _ := agent.login("alice", "un mot de passe solide")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/agent" {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	setCookie := strings.Join(resp.Header.Values("Set-Cookie"), " | ")
	if !strings.Contains(setCookie, "guichet_session=") || !strings.Contains(setCookie, "HttpOnly") || !strings.Contains(setCookie, "SameSite=Lax") {
		t.Errorf("session cookie: %s", setCookie)
	}
	if resp, body := agent.do("GET", "/agent", nil); resp.StatusCode != 200 || !strings.Contains(body, "Chats en attente") {
		t.Errorf("queue: %d", resp.StatusCode)
	}
	if resp, body := agent.do("GET", "/editor", nil); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "pas accessible avec votre rôle") {
		t.Errorf("agent on the editor page: %d", resp.StatusCode)
	}
	// Logout needs the token too, then the session is gone.
	if resp, _ := agent.do("POST", "/agent/logout", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout without CSRF token: %d", resp.StatusCode)
	}
	_, page := agent.do("GET", "/agent", nil)
	token := reCSRF.FindStringSubmatch(page)[1]
	if resp, _ := agent.do("POST", "/agent/logout", url.Values{"_csrf": {token}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	if resp, _ := agent.do("GET", "/agent", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout: %d, want the login page", resp.StatusCode)
	}

	editor := &browser{t: t, s: s, cookies: map[string]string{}}
	editor.login("eve", "un mot de passe solide")
	if resp, body := editor.do("GET", "/editor", nil); resp.StatusCode != 200 || !strings.Contains(body, "8 article(s)") {
		t.Errorf("editor page: %d", resp.StatusCode)
	} else if !strings.Contains(body, "Ce que l’assistant sait de chaque article") || !strings.Contains(body, "Mot de passe oublié ou connexion impossible") {
		t.Errorf("the editor page does not show how the bot knows each article (the password article's intent)")
	}
	if resp, _ := editor.do("GET", "/agent", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("editor on the agent console: %d", resp.StatusCode)
	}
	admin := &browser{t: t, s: s, cookies: map[string]string{}}
	admin.login("root", "un mot de passe solide")
	for _, path := range []string{"/agent", "/editor"} {
		if resp, _ := admin.do("GET", path, nil); resp.StatusCode != 200 {
			t.Errorf("admin on %s: %d", path, resp.StatusCode)
		}
	}
}

func TestLoginRateLimit(t *testing.T) {
	s, _ := mustServer(t, Config{})
	b := &browser{t: t, s: s, cookies: map[string]string{}}
	var last *http.Response
	for range 6 {
		last, _ = b.login("alice", "pas le bon")
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Errorf("sixth login in a minute: %d, want 429", last.StatusCode)
	}
}

func TestEditorSeesQuestionsToReview(t *testing.T) {
	s, logs := mustServer(t, Config{})
	_, body := do(t, s, "POST", "/api/v1/conversations", "")
	id := regexp.MustCompile(`"id":"([0-9a-f]+)"`).FindStringSubmatch(body)[1]
	question := `{"text":"quel temps fera-t-il demain ? répondez à marie.dupont@example.fr"}`
	if _, body := do(t, s, "POST", "/api/v1/conversations/"+id+"/messages", question); !strings.Contains(body, `"outcome":"miss"`) {
		t.Fatalf("weather: %s", body)
	}

	anon := &browser{t: t, s: s, cookies: map[string]string{}}
	if resp, _ := anon.do("GET", "/api/v1/content/reviews", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", resp.StatusCode)
	}
	agent := &browser{t: t, s: s, cookies: map[string]string{}}
	agent.login("alice", "un mot de passe solide")
	if resp, _ := agent.do("GET", "/api/v1/content/reviews", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent: %d, want 403", resp.StatusCode)
	}

	editor := &browser{t: t, s: s, cookies: map[string]string{}}
	editor.login("eve", "un mot de passe solide")
	resp, page := editor.do("GET", "/editor", nil)
	if resp.StatusCode != 200 || !strings.Contains(page, "Questions à revoir") ||
		!strings.Contains(page, "quel temps fera-t-il demain ? répondez à [e-mail]") || !strings.Contains(page, "Sans réponse") {
		t.Errorf("editor page (%d) does not list the miss:\n%s", resp.StatusCode, page)
	}
	resp, body = editor.do("GET", "/api/v1/content/reviews?limit=5", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `"kind":"miss"`) || !strings.Contains(body, `[e-mail]`) {
		t.Errorf("reviews API: %d %s", resp.StatusCode, body)
	}
	if resp, body := editor.do("GET", "/api/v1/content/reviews?limit=0", nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "entre 1 et 1000") {
		t.Errorf("limit=0: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(page+body, "marie.dupont") {
		t.Error("the e-mail address reached the editor unmasked")
	}
	for _, leak := range []string{"marie.dupont", "quel temps"} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("%q reached the logs", leak)
		}
	}
}

// TestCSRFBoundToSession: a form's token works only with the session it was
// given to, and a login starts a new one.
func TestCSRFBoundToSession(t *testing.T) {
	s, _ := mustServer(t, Config{})
	tokenOf := func(b *browser) string {
		t.Helper()
		_, page := b.do("GET", "/agent", nil)
		m := reCSRF.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no CSRF token on the queue page")
		}
		return m[1]
	}
	alice := &browser{t: t, s: s, cookies: map[string]string{}}
	_, before := alice.login("alice", "un mot de passe solide")
	first := tokenOf(alice)
	if first == before {
		t.Error("the CSRF token did not change at login")
	}
	other := &browser{t: t, s: s, cookies: map[string]string{}}
	other.login("root", "un mot de passe solide")
	if resp, _ := other.do("POST", "/agent/logout", url.Values{"_csrf": {first}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("alice's token with root's session: %d, want 403", resp.StatusCode)
	}
	// A new login of the same person: the old page's token is refused.
	alice.login("alice", "un mot de passe solide")
	if resp, _ := alice.do("POST", "/agent/logout", url.Values{"_csrf": {first}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the previous session's token: %d, want 403", resp.StatusCode)
	}
	if resp, _ := alice.do("POST", "/agent/logout", url.Values{"_csrf": {tokenOf(alice)}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the current token: %d, want the logout", resp.StatusCode)
	}
}

// TestQueueIsPaginated: a backlog of cases gives a queue page of bounded
// size, with links to the rest.
func TestQueueIsPaginated(t *testing.T) {
	s, _ := mustServer(t, Config{ChatRate: 1000})
	for i := range maxRequests + 57 {
		id := mustStart(t, s)
		if resp, body := do(t, s, "POST", "/api/v1/conversations/"+id+"/handoff", `{"channel": "email", "email": "client`+strconv.Itoa(i)+`@exemple.fr", "message": "Bonjour"}`); resp.StatusCode != 201 {
			t.Fatalf("handoff %d: %d %s", i, resp.StatusCode, body)
		}
	}
	agent := &browser{t: t, s: s, cookies: map[string]string{}}
	agent.login("alice", "un mot de passe solide")
	// The oldest requests come first, and the list is bounded.
	_, body := agent.do("GET", "/agent", nil)
	if !strings.Contains(body, "Et 57 autres demandes, plus récentes.") {
		t.Errorf("the requests are not bounded to %d", maxRequests)
	}
	if first, last := strings.Index(body, "client0@"), strings.Index(body, "client49@"); first < 0 || last < first || strings.Contains(body, "client50@") {
		t.Errorf("the queue does not list the %d oldest requests, oldest first", maxRequests)
	}
}
