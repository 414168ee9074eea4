package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/mailer/mailertest"
)

func TestHandoffOverHTTP(t *testing.T) {
	cfg := testConfig(t)
	p := mustStart(t, cfg)
	base := "http://" + p.addr()
	f, _ := startFlow(t, base, "")
	f.say("quelle est la recette du clafoutis ?")
	var r struct {
		Outcome  string
		Channels []struct {
			ID    string
			Slots []struct{ ID, Title string }
		}
	}
	if code := call(t, "POST", base+"/api/v1/conversations/"+f.id+"/messages", `{"text": "et le score du match ?"}`, &r); code != 200 {
		t.Fatalf("second miss: %d", code)
	}
	var slot string
	for _, c := range r.Channels {
		if c.ID == "callback" {
			if len(c.Slots) == 0 {
				t.Fatal("callback without slots")
			}
			slot = c.Slots[0].ID
		}
	}
	if r.Outcome != "miss" || slot == "" {
		t.Fatalf("after two misses: %+v, want the channels", r)
	}
	var bad struct {
		Error struct {
			Code   string
			Fields map[string]string
		}
	}
	if code := call(t, "POST", base+"/api/v1/conversations/"+f.id+"/handoff", `{"channel": "callback", "phone": "123", "slot": "`+slot+`"}`, &bad); code != 400 ||
		bad.Error.Code != "invalid_form" || !strings.Contains(bad.Error.Fields["phone"], "10 chiffres") || bad.Error.Fields["slot"] != "" {
		t.Errorf("invalid callback: %d %+v", code, bad)
	}
	var ok struct{ Outcome, Text string }
	if code := call(t, "POST", base+"/api/v1/conversations/"+f.id+"/handoff", `{"channel": "callback", "phone": "+33 6 12 34 56 78", "slot": "`+slot+`"}`, &ok); code != 201 ||
		ok.Outcome != "handoff" || !strings.Contains(ok.Text, "06 12 34 56 78") {
		t.Errorf("callback: %d %+v", code, ok)
	}
	mustStop(t, p)
	p = mustStart(t, cfg)
	var conv struct {
		Turns []struct{ Choice string }
	}
	call(t, "GET", "http://"+p.addr()+"/api/v1/conversations/"+f.id, "", &conv)
	if n := len(conv.Turns); n != 3 || conv.Turns[2].Choice != "contact:callback" {
		t.Errorf("transcript after restart: %+v", conv.Turns)
	}
	mustStop(t, p)
}

func TestEmailRequestsAndTranscripts(t *testing.T) {
	smtpAddr, mails := mailertest.NewServer(t)
	cfg := testConfig(t)
	cfg.SMTPAddr, cfg.SMTPFrom, cfg.SupportEmail = smtpAddr, "guichet@boutique.example", "service@boutique.example"
	base := "http://" + mustStart(t, cfg).addr()
	f, _ := startFlow(t, base, "")
	f.say("comment annuler ma commande ?")
	if code := call(t, "POST", base+"/api/v1/conversations/"+f.id+"/handoff", `{"channel": "email", "email": "camille@exemple.fr", "message": "Je voudrais annuler la 4581237."}`, nil); code != 201 {
		t.Fatalf("e-mail request: %d", code)
	}
	select {
	case m := <-mails:
		for _, want := range []string{"To: service@boutique.example", "camille@exemple.fr", "Je voudrais annuler la 4581237.", "Vous : comment annuler ma commande ?"} {
			if !strings.Contains(m, want) {
				t.Errorf("support mail lacks %q:\n%s", want, m)
			}
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no mail to the support mailbox")
	}
	var ok struct{ Message string }
	if code := call(t, "POST", base+"/api/v1/conversations/"+f.id+"/transcript", `{"email": "camille@exemple.fr"}`, &ok); code != 202 || !strings.Contains(ok.Message, "envoyé") {
		t.Errorf("transcript by e-mail: %d %+v", code, ok)
	}
	select {
	case m := <-mails:
		if !strings.Contains(m, "To: camille@exemple.fr") || !strings.Contains(m, "Assistant : Annuler une commande") {
			t.Errorf("transcript mail:\n%s", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no transcript mail")
	}

	// Not to a stranger's address: Guichet is no open relay.
	var refused struct {
		Error struct {
			Code, Message string
			Fields        map[string]string
		}
	}
	for _, to := range []string{"victime@exemple.fr", "service@boutique.example"} {
		if code := call(t, "POST", base+"/api/v1/conversations/"+f.id+"/transcript", `{"email": "`+to+`"}`, &refused); code != 400 || !strings.Contains(refused.Error.Fields["email"], "protéger vos données") {
			t.Errorf("transcript to %s: %d %+v, want 400", to, code, refused)
		}
	}
	// A visitor who never typed an address gets nothing sent anywhere.
	h, _ := startFlow(t, base, "")
	h.say("comment annuler ma commande ?")
	if code := call(t, "POST", base+"/api/v1/conversations/"+h.id+"/transcript", `{"email": "camille@exemple.fr"}`, &refused); code != 400 {
		t.Errorf("transcript of a conversation without an address: %d, want 400", code)
	}
	// Three a day per conversation.
	for i := 2; i <= 4; i++ {
		want := 202
		if i == 4 {
			want = 429
		}
		if code := call(t, "POST", base+"/api/v1/conversations/"+f.id+"/transcript", `{"email": "camille@exemple.fr"}`, nil); code != want {
			t.Errorf("transcript %d: %d, want %d", i, code, want)
		}
		if want == 202 {
			<-mails
		}
	}
	select {
	case m := <-mails:
		t.Errorf("a refused transcript was sent:\n%s", m)
	default:
	}

	// Without SMTP: the request is stored, the transcript can be downloaded.
	plain := "http://" + mustStart(t, testConfig(t)).addr()
	g, _ := startFlow(t, plain, "")
	g.say("comment annuler ma commande ?")
	var e struct {
		Error struct{ Code, Message string }
	}
	if code := call(t, "POST", plain+"/api/v1/conversations/"+g.id+"/transcript", `{"email": "camille@exemple.fr"}`, &e); code != 503 || !strings.Contains(e.Error.Message, "télécharger") {
		t.Errorf("transcript without SMTP: %d %+v", code, e)
	}
	resp, err := http.Get(plain + "/api/v1/conversations/" + g.id + "/transcript")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(string(body), "Vous : comment annuler ma commande ?") {
		t.Errorf("transcript download: %q", body)
	}
}
