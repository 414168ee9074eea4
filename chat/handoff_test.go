package chat

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func channelIDs(r *Reply) []string {
	var ids []string
	for _, c := range r.Channels {
		ids = append(ids, c.ID)
	}
	return ids
}

// monday10 is a time the service client is open.
var monday10 = func() time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) } // 10:00 in Paris

func TestHandoffTriggers(t *testing.T) {
	ctx := context.Background()
	newBot := func(t *testing.T, opts Options) (*Bot, string) {
		if opts.Now == nil {
			opts.Now = monday10
		}
		if opts.Phone == "" {
			opts.Phone = "01 86 95 42 10"
		}
		b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), opts)
		conv, err := b.Start(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		return b, conv.ID
	}
	send := func(t *testing.T, b *Bot, id string, m Message) *Reply {
		t.Helper()
		r, err := b.Send(ctx, id, m)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	no := false

	t.Run("two misses", func(t *testing.T) {
		b, id := newBot(t, Options{})
		if r := send(t, b, id, Message{Text: "la recette de la tarte tatin ?"}); len(r.Channels) != 0 {
			t.Errorf("first miss already hands over: %v", channelIDs(r))
		}
		r := send(t, b, id, Message{Text: "le score du match d'hier ?"})
		if r.Outcome != OutcomeMiss || !slices.Equal(channelIDs(r), []string{ChannelCallback, ChannelEmail, ChannelPhone}) {
			t.Errorf("second miss: %s %v", r.Outcome, channelIDs(r))
		}
	})
	t.Run("three misses when configured", func(t *testing.T) {
		b, id := newBot(t, Options{AfterMisses: 3})
		send(t, b, id, Message{Text: "la recette de la tarte tatin ?"})
		if r := send(t, b, id, Message{Text: "le score du match d'hier ?"}); len(r.Channels) != 0 {
			t.Errorf("second miss hands over with AfterMisses 3")
		}
	})
	t.Run("asks for a person", func(t *testing.T) {
		b, id := newBot(t, Options{})
		if r := send(t, b, id, Message{Text: "je veux parler à un conseiller"}); len(r.Channels) == 0 {
			t.Error("no channels for a person")
		}
	})
	t.Run("frustration", func(t *testing.T) {
		b, id := newBot(t, Options{})
		if r := send(t, b, id, Message{Text: "vous êtes nuls"}); len(r.Channels) == 0 {
			t.Error("no channels for frustration")
		}
	})
	t.Run("not helped: other guesses once, then a person, never a loop", func(t *testing.T) {
		b, id := newBot(t, Options{})
		send(t, b, id, Message{Text: "comment faire un retour"})
		r := send(t, b, id, Message{Helpful: &no})
		if r.Outcome != OutcomeClarify || len(r.Choices) == 0 || len(r.Channels) == 0 {
			t.Fatalf("first « non »: %s, %d choices, %v", r.Outcome, len(r.Choices), channelIDs(r))
		}
		r = send(t, b, id, Message{Text: "non"})
		if r.Outcome != OutcomeHandoff || len(r.Choices) != 0 || len(r.Channels) == 0 {
			t.Errorf("second « non »: %s, %d choices, %v", r.Outcome, len(r.Choices), channelIDs(r))
		}
	})
	t.Run("live chat only when an agent is online", func(t *testing.T) {
		b, id := newBot(t, Options{AgentsOnline: func() bool { return true }})
		if r := send(t, b, id, Message{Text: "un conseiller svp"}); channelIDs(r)[0] != ChannelLiveChat {
			t.Errorf("channels = %v, want live chat first", channelIDs(r))
		}
	})
	t.Run("outside hours, says when", func(t *testing.T) {
		sunday := func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
		b, id := newBot(t, Options{Now: sunday, AgentsOnline: func() bool { return true }})
		r := send(t, b, id, Message{Text: "un conseiller svp"})
		if slices.Contains(channelIDs(r), ChannelLiveChat) {
			t.Error("live chat offered on a Sunday")
		}
		if !strings.Contains(r.Text, "demain à 9 h") {
			t.Errorf("text does not say when: %q", r.Text)
		}
		for _, c := range r.Channels {
			if c.ID == ChannelCallback && (len(c.Slots) == 0 || !strings.HasPrefix(c.Slots[0].Title, "demain entre 9 h et 12 h")) {
				t.Errorf("callback slots = %+v", c.Slots)
			}
		}
	})
}

func TestHandoffRequests(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	db := mustOpenDB(t, path)
	b := New(mustOpenKB(t), db, Options{Now: monday10})
	conv, err := b.Start(ctx, &Identity{CustomerID: "c1", Email: "c1@exemple.fr"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Send(ctx, conv.ID, Message{Text: "comment annuler ma commande"}); err != nil {
		t.Fatal(err)
	}
	slots := b.slots(monday10())
	tests := []struct {
		name   string
		req    HandoffRequest
		fields []string
	}{
		{"bad phone and slot", HandoffRequest{Channel: ChannelCallback, Phone: "12345", Slot: "hier"}, []string{"phone", "slot"}},
		{"bad e-mail, empty message", HandoffRequest{Channel: ChannelEmail, Email: "pas-une-adresse", Message: " "}, []string{"email", "message"}},
		{"long message", HandoffRequest{Channel: ChannelEmail, Email: "a@b.fr", Message: strings.Repeat("x", 2001)}, []string{"message"}},
		{"unknown channel", HandoffRequest{Channel: "pigeon"}, []string{"channel"}},
	}
	for _, tt := range tests {
		_, err := b.Handoff(ctx, conv.ID, tt.req)
		var fe *FormError
		if !errors.As(err, &fe) {
			t.Fatalf("%s: error %v, want a FormError", tt.name, err)
		}
		for _, f := range tt.fields {
			if fe.Fields[f] == "" {
				t.Errorf("%s: no message for %s (%v)", tt.name, f, fe.Fields)
			}
		}
	}
	r, err := b.Handoff(ctx, conv.ID, HandoffRequest{Channel: ChannelCallback, Phone: "06 12 34 56 78", Slot: slots[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "06 12 34 56 78") || !strings.Contains(r.Text, "aujourd’hui entre") {
		t.Errorf("confirmation = %q", r.Text)
	}
	if _, err := b.Handoff(ctx, conv.ID, HandoffRequest{Channel: ChannelEmail, Email: "Moi@Exemple.fr", Message: "Je voudrais annuler."}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Handoff(ctx, "nope", HandoffRequest{Channel: ChannelEmail, Email: "a@b.fr", Message: "x"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown conversation: %v", err)
	}

	// Cases survive a restart, with what the agent needs.
	db.Close()
	b = New(mustOpenKB(t), mustOpenDB(t, path), Options{Now: monday10})
	cases, err := b.Cases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("%d cases, want 2", len(cases))
	}
	for _, c := range cases {
		if c.State != CaseWaiting || c.Conversation != conv.ID || c.Topic == nil || c.Topic.ID != "annuler-commande" || c.Identity == nil {
			t.Errorf("case = %+v", c)
		}
	}
	got, _ := b.Conversation(ctx, conv.ID)
	if n := len(got.Turns); n != 3 {
		t.Errorf("%d turns, want the question and the two requests", n)
	}
}
