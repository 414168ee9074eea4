package main

import (
	"strings"
	"testing"
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
