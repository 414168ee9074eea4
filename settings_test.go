package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type startReply struct {
	Greeting string
	Topics   []struct{ ID, Title string }
}

type handoffReply struct {
	Text     string
	Channels []struct {
		ID, Detail string
		Slots      []struct{ ID, Title string }
	}
}

// startShop starts a program on the fixture content with a settings file
// (none when settings is empty), at 9:30 on a Monday in Paris.
func startShopWith(t *testing.T, settings string) (string, error) {
	t.Helper()
	cfg := testConfig(t)
	if settings != "" {
		cfg.SettingsFile = filepath.Join(t.TempDir(), "guichet.yaml")
		if err := os.WriteFile(cfg.SettingsFile, []byte(settings), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := readSettings(cfg.SettingsFile, true, &cfg); err != nil {
			return "", err
		}
	}
	p := &program{cfg: cfg, logger: newLogger(cfg, io.Discard), now: func() time.Time { return time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC) }}
	if err := p.start(context.Background()); err != nil {
		return "", err
	}
	t.Cleanup(func() { p.stop(context.Background()) })
	return "http://" + p.addr(), nil
}

func TestShopSettings(t *testing.T) {
	base, err := startShopWith(t, `
name: La Bonne Graine
phone: 04 72 00 00 00
hours:
  lundi: 10:00-19:00
  mardi: 10:00-19:00
  mercredi: 10:00-19:00
  jeudi: 10:00-19:00
  vendredi: 10:00-19:00
  samedi: fermé
holidays: [2026-12-25]
callback_slots: ["10:00-12:30", "16:00-19:00"]
greeting: Bonjour et bienvenue à La Bonne Graine !
quick_topics: [retourner-article, nous-contacter]
`)
	if err != nil {
		t.Fatal(err)
	}
	var start startReply
	call(t, "POST", base+"/api/v1/conversations", "", &start)
	if start.Greeting != "Bonjour et bienvenue à La Bonne Graine !" {
		t.Errorf("greeting %q", start.Greeting)
	}
	if len(start.Topics) != 2 || start.Topics[0].ID != "retourner-article" || start.Topics[1].ID != "nous-contacter" {
		t.Errorf("quick topics %+v, want the configured ones", start.Topics)
	}
	f, _ := startFlow(t, base, "")
	var r handoffReply
	b, _ := json.Marshal(map[string]string{"text": "je veux parler à un conseiller"})
	call(t, "POST", base+"/api/v1/conversations/"+f.id+"/messages", string(b), &r)
	all, _ := json.Marshal(r)
	channels, _ := json.Marshal(r.Channels)
	for _, want := range []string{"à partir d’aujourd’hui à 10 h", "04 72 00 00 00, du lundi au vendredi de 10 h à 19 h", "aujourd’hui entre 10 h et 12 h 30", "aujourd’hui entre 16 h et 19 h"} {
		if !strings.Contains(string(all), want) {
			t.Errorf("handoff lacks %q: %s", want, all)
		}
	}
	for _, never := range []string{" 9 h", "Maison Colibri", "01 86 95 42 10", "samedi"} {
		if strings.Contains(string(channels), never) {
			t.Errorf("channels say %q: %s", never, channels)
		}
	}
}

// TestShopWithoutSettings: a shop's own content, nothing configured: the
// bot is no Maison Colibri, offers no phone it does not know, and its quick
// topics come from the content.
func TestShopWithoutSettings(t *testing.T) {
	base, err := startShopWith(t, "")
	if err != nil {
		t.Fatal(err)
	}
	var start startReply
	call(t, "POST", base+"/api/v1/conversations", "", &start)
	if strings.Contains(start.Greeting, "Maison Colibri") || len(start.Topics) == 0 || start.Topics[len(start.Topics)-1].ID != "nous-contacter" {
		t.Errorf("start %+v: want a neutral greeting and the content's topics, the contact article last", start)
	}
	f, _ := startFlow(t, base, "")
	var r handoffReply
	b, _ := json.Marshal(map[string]string{"text": "je veux parler à un conseiller"})
	call(t, "POST", base+"/api/v1/conversations/"+f.id+"/messages", string(b), &r)
	for _, c := range r.Channels {
		if c.ID == "phone" {
			t.Errorf("a phone channel without a phone number: %+v", c)
		}
	}
}

func TestBadSettings(t *testing.T) {
	for name, c := range map[string]struct{ yaml, want string }{
		"unknown topic": {"quick_topics: [suivi-colis, pas-un-article]", "« pas-un-article » n’existe pas"},
		"unknown key":   {"nom: La Bonne Graine", "clés permises"},
		"bad day":       {"hours:\n  lundy: 10:00-19:00", "n’est pas un jour"},
		"bad span":      {"hours:\n  lundi: 19:00-10:00", "l’heure de fin"},
		"bad slot":      {"callback_slots: [matin]", "10:00-19:00"},
		"not even YAML": {"name: [", "illisibles"},
	} {
		if _, err := startShopWith(t, c.yaml); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

func TestShopContactArticle(t *testing.T) {
	base, err := startShopWith(t, "contact_article: annuler-commande\n")
	if err != nil {
		t.Fatal(err)
	}
	var start startReply
	call(t, "POST", base+"/api/v1/conversations", "", &start)
	if n := len(start.Topics); n == 0 || start.Topics[n-1].ID != "annuler-commande" {
		t.Errorf("topics %+v: want the configured contact article last", start.Topics)
	}
	f, _ := startFlow(t, base, "")
	if r := f.say("je veux parler à un conseiller"); r.ArticleID != "annuler-commande" {
		t.Errorf("a request for a person: %s, want the configured contact article", r.ArticleID)
	}
}

// TestChatRate: -chat-rate (over GUICHET_CHAT_RATE, over 60) is how many
// chat requests a client makes a minute before a polite 429.
func TestChatRate(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		env  string
		want int
	}{
		{"default", nil, "", 60},
		{"env", nil, "3", 3},
		{"flag over env", []string{"-chat-rate", "2"}, "3", 2},
	} {
		cfg, err := parseConfig(c.args, func(k string) string {
			if k == "GUICHET_CHAT_RATE" {
				return c.env
			}
			return ""
		}, io.Discard)
		if err != nil || cfg.ChatRate != c.want {
			t.Errorf("%s: chat rate %d, %v; want %d", c.name, cfg.ChatRate, err, c.want)
		}
	}
	for _, bad := range []string{"0", "-5", "beaucoup"} {
		if _, err := parseConfig(nil, func(k string) string {
			if k == "GUICHET_CHAT_RATE" {
				return bad
			}
			return ""
		}, io.Discard); err == nil || !strings.Contains(err.Error(), "GUICHET_CHAT_RATE") {
			t.Errorf("GUICHET_CHAT_RATE=%s: %v, want an error naming the setting", bad, err)
		}
	}

	cfg := testConfig(t)
	cfg.ChatRate = 3
	p := &program{cfg: cfg, logger: newLogger(cfg, io.Discard)}
	if err := p.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop(context.Background()) })
	base := "http://" + p.addr()
	for i := range 3 {
		if got := call(t, "POST", base+"/api/v1/conversations", "", nil); got != 201 {
			t.Fatalf("start %d: %d, want 201", i+1, got)
		}
	}
	var r apiReply
	if got := call(t, "POST", base+"/api/v1/conversations", "", &r); got != 429 || !strings.Contains(r.Error.Message, "patienter") {
		t.Errorf("fourth start within the minute: %d %q, want 429 asking to wait", got, r.Error.Message)
	}
}
