package server

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestInbox: the queue lists requests before the bot's conversations and
// pages the latter; a conversation shows choices by their titles, times in
// the shop's time zone, and private notes the customer never gets.
func TestInbox(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database")
	}
	s, _ := mustServer(t, Config{Location: ny, ChatRate: 1000})
	for i := 0; i < 25; i++ {
		id := mustStart(t, s)
		do(t, s, "POST", "/api/v1/conversations/"+id+"/messages", fmt.Sprintf(`{"text": "question numéro %d sur mon colis"}`, i))
	}
	angry := mustStart(t, s)
	do(t, s, "POST", "/api/v1/conversations/"+angry+"/messages", `{"text": "c'est inadmissible, toujours rien reçu !!!"}`)
	for i := 0; i < 3; i++ { // more recent than the angry one
		id := mustStart(t, s)
		do(t, s, "POST", "/api/v1/conversations/"+id+"/messages", `{"text": "comment faire un retour ?"}`)
	}
	req := mustStart(t, s)
	do(t, s, "POST", "/api/v1/conversations/"+req+"/messages", `{"text": "je veux parler à un conseiller"}`)
	if resp, body := do(t, s, "POST", "/api/v1/conversations/"+req+"/handoff", `{"channel": "email", "email": "camille@exemple.fr", "message": "Mon colis est abîmé."}`); resp.StatusCode != 201 {
		t.Fatalf("e-mail request: %d %s", resp.StatusCode, body)
	}

	agent := &browser{t: t, s: s, cookies: map[string]string{}}
	agent.login("alice", "un mot de passe solide")
	_, queue := agent.do("GET", "/agent/fragments/queue", nil)
	requests, bots, ok := strings.Cut(queue, "Avec l’assistant")
	if !ok || !strings.Contains(requests, "camille@exemple.fr") || !strings.Contains(requests, "/agent/conversations/"+req) {
		t.Fatalf("the e-mail request is not listed before the bot's conversations:\n%s", queue)
	}
	// A frustrated customer comes first among the bot's conversations.
	if i, j := strings.Index(bots, "/agent/conversations/"+angry), strings.Index(bots, `data-testid="row"`); i < 0 || i > j || !strings.Contains(bots[:j+600], "Mécontent") {
		t.Errorf("the frustrated customer is not first, flagged")
	}
	if n := strings.Count(bots, `data-testid="row"`); n != perPage || !strings.Contains(bots, "Page 1 sur 2") {
		t.Errorf("page 1: %d bot conversations, want %d, and a second page", n, perPage)
	}
	if !strings.Contains(bots, "« question numéro 24 sur mon colis »") {
		t.Error("the most recent conversation is not on the first page, with the customer's words")
	}
	_, page2 := agent.do("GET", "/agent/fragments/queue?page=2", nil)
	if n := strings.Count(page2, `data-testid="row"`); n != 9+1 { // 29 bot conversations in all, the request
		t.Errorf("page 2: %d rows, want 10", n)
	}

	_, page := agent.do("GET", "/agent/conversations/"+req, nil)
	token := reCSRF.FindStringSubmatch(page)[1]
	now := time.Now()
	_, pane := agent.do("GET", "/agent/fragments/conversations/"+req, nil)
	if !strings.Contains(pane, "Écrire à un conseiller") || strings.Contains(pane, "contact:email") {
		t.Error("the customer's click is not shown by its title")
	}
	if !strings.Contains(pane, now.In(ny).Format("15:04")) && !strings.Contains(pane, now.Add(-time.Minute).In(ny).Format("15:04")) {
		t.Errorf("no time in the shop's time zone (%s) in the transcript", now.In(ny).Format("15:04"))
	}
	resp, _ := agent.do("POST", "/agent/conversations/"+req+"/note", url.Values{"_csrf": {token}, "text": {"déjà écrit hier"}})
	if resp.StatusCode != 303 {
		t.Fatalf("note: %d", resp.StatusCode)
	}
	if _, pane := agent.do("GET", "/agent/fragments/conversations/"+req, nil); !strings.Contains(pane, "déjà écrit hier") {
		t.Error("the note is not in the agent's view")
	}
	for _, path := range []string{"/api/v1/conversations/" + req, "/api/v1/conversations/" + req + "/transcript"} {
		if _, body := do(t, s, "GET", path, ""); strings.Contains(body, "déjà écrit hier") {
			t.Errorf("the note is in %s", path)
		}
	}
	// History: by e-mail, and a contact logged by phone, by its reason.
	if _, body := agent.do("GET", "/agent/history?email=camille%40exemple.fr", nil); !strings.Contains(body, "/agent/conversations/"+req) || !strings.Contains(body, "1 résultat(s)") {
		t.Error("history by e-mail does not find the request")
	}
	if resp, _ := agent.do("POST", "/agent/contacts", url.Values{"_csrf": {token}, "channel": {"phone"}, "customer": {"Louis Bernard"},
		"order": {"4581238"}, "reason": {"Paiement"}, "outcome": {"prélèvement expliqué"}}); resp.StatusCode != 303 {
		t.Fatalf("log a phone call: %d", resp.StatusCode)
	}
	if _, body := agent.do("GET", "/agent/history?reason=Paiement", nil); !strings.Contains(body, "Louis Bernard") || !strings.Contains(body, "Téléphone") || !strings.Contains(body, "prélèvement expliqué") {
		t.Error("the logged phone call is not in the history")
	}
	if resp, body := agent.do("GET", "/agent/history?from=01/12/2026", nil); resp.StatusCode != 400 || !strings.Contains(body, "AAAA-MM-JJ") {
		t.Errorf("a bad date: %d, want a French message", resp.StatusCode)
	}
	if resp, body := agent.do("POST", "/agent/contacts", url.Values{"_csrf": {token}, "channel": {"phone"}, "reason": {"Paiement"}}, "X-Requested-With", "fetch"); resp.StatusCode != 400 || !strings.Contains(body, "Indiquez le canal, le client") {
		t.Errorf("a contact without a customer: %d %s", resp.StatusCode, body)
	}
	// console.js gets a JSON error in French, not an error page.
	resp, body := agent.do("POST", "/agent/conversations/"+req+"/close", url.Values{"_csrf": {token}, "reason": {"n’importe quoi"}}, "X-Requested-With", "fetch")
	if resp.StatusCode != 400 || !strings.Contains(body, `"message":"Choisissez un motif de contact`) {
		t.Errorf("close without a reason, from console.js: %d %s", resp.StatusCode, body)
	}
}
