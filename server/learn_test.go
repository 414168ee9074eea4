package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/chat"
)

// jsonDo sends a JSON body with the browser's cookies, as drafttest.js
// does (the CSRF token in the query, X-Requested-With: fetch).
func (b *browser) jsonDo(method, path, body string) (int, map[string]any) {
	b.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Requested-With", "fetch")
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.s.App().Test(req, -1)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		b.t.Fatalf("%s %s: %d, not JSON: %q", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, out
}

// loggedIn logs name in and returns the browser and its CSRF token.
func loggedIn(t *testing.T, s *Server, name string) (*browser, string) {
	t.Helper()
	b := &browser{t: t, s: s, cookies: map[string]string{}}
	b.login(name, "un mot de passe solide")
	_, page := b.do("GET", "/agent/login", nil)
	if m := reCSRF.FindStringSubmatch(page); m != nil {
		return b, m[1]
	}
	t.Fatalf("no CSRF token for %s", name)
	return nil, ""
}

const giftWrap = `---
id: emballage-cadeau
title: L’emballage cadeau
questions:
  - Proposez-vous un emballage cadeau ?
  - Pouvez-vous emballer ma commande pour l’offrir ?
---
Oui : cochez « emballage cadeau » au moment de payer.
`

func TestDraftTestEndpoints(t *testing.T) {
	s, _ := mustServer(t, Config{})
	ctx := context.Background()
	for _, q := range []string{"Proposez-vous un emballage cadeau ?", "proposez vous un emballage cadeau", "Comment annuler ma commande ?"} {
		conv, err := s.bot.Start(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.bot.Send(ctx, conv.ID, chat.Message{Text: q}); err != nil {
			t.Fatal(err)
		}
	}
	editor, token := loggedIn(t, s, "eve")
	agent, agentToken := loggedIn(t, s, "alice")
	admin, adminToken := loggedIn(t, s, "root")
	anon := &browser{t: t, s: s, cookies: map[string]string{}}
	body := func(path, source, original string) string {
		b, _ := json.Marshal(draftRequest{Path: path, Source: source, Original: original})
		return string(b)
	}
	post := "/editor/draft-tests?_csrf="
	for _, tc := range []struct {
		name   string
		who    *browser
		path   string
		body   string
		status int
		code   string
		say    []string
	}{
		{"anonymous", anon, post, body("x.md", giftWrap, ""), http.StatusUnauthorized, "unauthorized", []string{"Connectez-vous"}},
		{"no CSRF token", editor, "/editor/draft-tests", body("x.md", giftWrap, ""), http.StatusForbidden, "forbidden", nil},
		{"an agent", agent, post + agentToken, body("x.md", giftWrap, ""), http.StatusForbidden, "forbidden", []string{"rôle"}},
		{"malformed JSON", editor, post + token, `{"path": "x.md", "source": `, http.StatusBadRequest, "bad_json", nil},
		{"front matter never closed", editor, post + token, body("cadeau.md", "---\nid: emballage-cadeau\ntitle: Emballage\n", ""),
			http.StatusBadRequest, "invalid_draft", []string{"Ligne 1 : l’en-tête ouvert par « --- » n’est jamais fermé"}},
		{"unquoted colon", editor, post + token, body("cadeau.md", "---\nid: emballage-cadeau\ntitle: Emballage : mode d’emploi\nquestions: [a, b]\n---\nTexte.\n", ""),
			http.StatusBadRequest, "invalid_draft", []string{"Ligne 3 : en-tête YAML illisible", "entre guillemets"}},
		{"an id already taken", editor, post + token, body("autre.md", strings.Replace(giftWrap, "emballage-cadeau", "suivi-colis", 1), ""),
			http.StatusBadRequest, "invalid_draft", []string{"l’identifiant « suivi-colis » est déjà utilisé par suivi.md"}},
		{"a path outside the content", editor, post + token, body("../x.md", giftWrap, ""), http.StatusBadRequest, "invalid_draft", []string{"chemin du fichier"}},
		{"a draft too big", editor, post + token, body("x.md", giftWrap+strings.Repeat("Texte. ", 20000), ""), http.StatusRequestEntityTooLarge, "body_too_large", nil},
		{"a valid draft", editor, post + token, body("services/emballage-cadeau.md", giftWrap, ""), http.StatusAccepted, "", nil},
		{"an admin", admin, post + adminToken, body("services/emballage-cadeau.md", giftWrap, ""), http.StatusAccepted, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := tc.who.jsonDo("POST", tc.path, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, out)
			}
			if tc.status == http.StatusAccepted {
				if id, _ := out["id"].(string); len(id) != 32 {
					t.Errorf("id = %v", out["id"])
				}
				return
			}
			e, _ := out["error"].(map[string]any)
			msg, _ := e["message"].(string)
			if e["code"] != tc.code {
				t.Errorf("code = %v, want %s (%s)", e["code"], tc.code, msg)
			}
			for _, want := range tc.say {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not say %q", msg, want)
				}
			}
		})
	}

	// The test runs in the background; its editor polls it to the end.
	_, out := editor.jsonDo("POST", post+token, body("services/emballage-cadeau.md", giftWrap, ""))
	id := out["id"].(string)
	var st map[string]any
	for deadline := time.Now().Add(30 * time.Second); ; {
		var status int
		status, st = editor.jsonDo("GET", "/editor/draft-tests/"+id, "")
		if status != http.StatusOK {
			t.Fatalf("poll: %d %v", status, st)
		}
		if st["state"] == "done" || st["state"] == "failed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("draft test still %v", st["state"])
		}
		time.Sleep(20 * time.Millisecond) // polling, as the page does
	}
	res, _ := st["result"].(map[string]any)
	if st["state"] != "done" || res == nil || st["questions"] != 2.0 || st["done"] != st["total"] {
		t.Fatalf("draft test = %v, want done on the 2 different questions", st)
	}
	gained, _ := res["gained"].([]any)
	if len(gained) != 1 || gained[0].(map[string]any)["count"] != 2.0 || res["counts"].(map[string]any)["gained"] != 2.0 {
		t.Errorf("gained = %v, want the gift-wrap question, asked twice", res["gained"])
	}
	// Nobody else reads an editor's draft test.
	if status, out := admin.jsonDo("GET", "/editor/draft-tests/"+id, ""); status != http.StatusNotFound {
		t.Errorf("another editor reads the test: %d %v", status, out)
	}
	if status, _ := agent.jsonDo("GET", "/editor/draft-tests/"+id, ""); status != http.StatusForbidden {
		t.Errorf("an agent reads the test: %d", status)
	}
	if status, out := editor.jsonDo("GET", "/editor/draft-tests/nope", ""); status != http.StatusNotFound || !strings.Contains(out["error"].(map[string]any)["message"].(string), "relancez-le") {
		t.Errorf("unknown test: %d %v", status, out)
	}
}

func TestQuestionsPage(t *testing.T) {
	s, _ := mustServer(t, Config{})
	ctx := context.Background()
	for _, q := range []string{"Vendez-vous des chaussettes en laine ?", "vendez vous des chaussettes en laine", "Proposez-vous un emballage cadeau ?"} {
		conv, err := s.bot.Start(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.bot.Send(ctx, conv.ID, chat.Message{Text: q}); err != nil {
			t.Fatal(err)
		}
	}
	agent, _ := loggedIn(t, s, "alice")
	if resp, _ := agent.do("GET", "/editor/questions", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent on the questions page: %d", resp.StatusCode)
	}
	anon := &browser{t: t, s: s, cookies: map[string]string{}}
	if resp, _ := anon.do("GET", "/editor/fragments/questions", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous fragment: %d", resp.StatusCode)
	}
	editor, _ := loggedIn(t, s, "eve")
	resp, page := editor.do("GET", "/editor/questions", nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("questions page: %d", resp.StatusCode)
	}
	for _, want := range []string{"Questions à apprendre", "« vendez vous des chaussettes en laine »", ">2 fois<", "Ajouter cette formulation à l’article…", `/editor/articles/`, `/edit?exemple=vendez&#43;vous&#43;des&#43;chaussettes&#43;en&#43;laine`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	if strings.Count(page, `data-testid="question"`) != 2 {
		t.Errorf("%d questions listed, want 2 (the duplicate grouped)", strings.Count(page, `data-testid="question"`))
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, " style=") {
		t.Errorf("inline script or style on the page")
	}
	resp, frag := editor.do("GET", "/editor/fragments/questions?tri=recent", nil)
	if resp.StatusCode != 200 || strings.Contains(frag, "<html") || !strings.Contains(frag, `id="questions-list"`) {
		t.Errorf("fragment: %d %q", resp.StatusCode, frag)
	}
	if i, j := strings.Index(frag, "emballage"), strings.Index(frag, "chaussettes"); i < 0 || j < 0 || i > j {
		t.Errorf("by recent, the newest question does not come first")
	}
}
