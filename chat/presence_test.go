package chat

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// nextPresence waits for the next presence event and returns whether live
// chat is offered.
func nextPresence(t *testing.T, events <-chan Event) bool {
	t.Helper()
	deadline := time.After(2 * time.Second)
	for {
		select {
		case e := <-events:
			if e.Type == "presence" {
				return *e.Available
			}
		case <-deadline:
			t.Fatal("no presence event")
		}
	}
}

func TestPresence(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: monday10()}
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{Now: clk.Now, IdleAfter: 10 * time.Minute})
	conv, _ := b.Start(ctx, nil)
	widget, stop := b.Subscribe(conv.ID, false)
	defer stop()
	offered := func() bool {
		r, err := b.Send(ctx, conv.ID, Message{Text: "je veux parler à un conseiller"})
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(channelIDs(r), ChannelLiveChat)
	}

	// A request alone (a page load, a login) is not a console listening.
	b.Seen("alice")
	if offered() {
		t.Fatal("live chat offered with no console connected")
	}
	disconnect := b.Connect("alice")
	if !nextPresence(t, widget) || !offered() {
		t.Fatal("live chat not offered with a console connected")
	}
	// « absent » takes the agent out at once, « disponible » back.
	b.SetAway("alice", true)
	if nextPresence(t, widget) || offered() {
		t.Fatal("live chat offered while the only agent is away")
	}
	b.SetAway("alice", false)
	if !nextPresence(t, widget) {
		t.Fatal("« disponible » did not bring live chat back")
	}
	// An open tab nobody touches stops counting after the idle delay;
	// the sweep tells the widgets.
	clk.Add(11 * time.Minute)
	if err := b.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if nextPresence(t, widget) || offered() {
		t.Fatal("an idle console still counts as an agent")
	}
	b.Seen("alice") // a key pressed in the console
	if !nextPresence(t, widget) {
		t.Fatal("activity did not bring live chat back")
	}
	// Closing the tab ends it.
	disconnect()
	if nextPresence(t, widget) || offered() {
		t.Fatal("live chat offered after the console was closed")
	}
	if got := b.AgentStatus("alice"); got.Connected || got.Available {
		t.Errorf("status after closing the tab: %+v", got)
	}
}

// TestLiveChatNobodyTakes: a live chat left waiting is never a dead end;
// the customer is told once, keeps their place, and may choose a callback,
// which withdraws the live chat.
func TestLiveChatNobodyTakes(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: monday10()}
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{Now: clk.Now, LiveChatWait: 4 * time.Minute})
	defer b.Connect("alice")()
	conv, _ := b.Start(ctx, nil)
	if _, err := b.Handoff(ctx, conv.ID, HandoffRequest{Channel: ChannelLiveChat}); err != nil {
		t.Fatal(err)
	}
	widget, stop := b.Subscribe(conv.ID, false)
	defer stop()
	clk.Add(3 * time.Minute)
	b.Sweep(ctx)
	if got, _ := b.Conversation(ctx, conv.ID); got.Turns[len(got.Turns)-1].From == "notice" {
		t.Fatal("told too early")
	}
	clk.Add(2 * time.Minute)
	if err := b.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	var told Event
	deadline := time.After(2 * time.Second)
	for told.Type != "notice" {
		select {
		case told = <-widget:
		case <-deadline:
			t.Fatal("the customer was not told")
		}
	}
	if !strings.Contains(told.Text, "Vous gardez votre place") {
		t.Errorf("notice = %q", told.Text)
	}
	var ids []string
	for _, c := range told.Channels {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []string{ChannelCallback, ChannelEmail}) {
		t.Errorf("channels offered = %v, want callback and e-mail", ids)
	}
	b.Sweep(ctx) // once only
	got, _ := b.Conversation(ctx, conv.ID)
	notices := 0
	for _, tr := range got.Turns {
		if tr.From == "notice" {
			notices++
		}
	}
	if notices != 1 || got.Mode != ModeWaiting {
		t.Errorf("%d notices, mode %q; want 1, still waiting", notices, got.Mode)
	}
	slot := b.slots(clk.Now())[0].ID
	if _, err := b.Handoff(ctx, conv.ID, HandoffRequest{Channel: ChannelCallback, Phone: "06 12 34 56 78", Slot: slot}); err != nil {
		t.Fatal(err)
	}
	cases, _ := b.Cases(ctx)
	states := map[string]string{}
	for _, c := range cases {
		states[c.Channel] = c.State
	}
	if states[ChannelLiveChat] != CaseWithdrawn || states[ChannelCallback] != CaseWaiting {
		t.Errorf("case states = %v", states)
	}
	if got, _ := b.Conversation(ctx, conv.ID); got.Mode != ModeBot {
		t.Errorf("mode after choosing a callback = %q, want the bot", got.Mode)
	}
}

// TestAgentActionsToldToCustomer: joining, assigning, handing back and
// closing each reach the widget in French; notes never do; the customer
// rates the closed case once.
func TestAgentActionsToldToCustomer(t *testing.T) {
	ctx := context.Background()
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{Now: monday10})
	conv, _ := b.Start(ctx, nil)
	widget, stop := b.Subscribe(conv.ID, false)
	defer stop()
	console, stopConsole := b.Subscribe("", true)
	defer stopConsole()
	b.Send(ctx, conv.ID, Message{Text: "où est mon colis ?"})
	// Writing in a bot conversation takes it over.
	if err := b.AgentReply(ctx, conv.ID, "alice.martin", "Bonjour, je regarde."); err != nil {
		t.Fatal(err)
	}
	if err := b.AddNote(ctx, conv.ID, "alice.martin", "client déjà venu hier"); err != nil {
		t.Fatal(err)
	}
	b.Assign(ctx, conv.ID, "bob")
	b.Release(ctx, conv.ID, "bob")
	if err := b.CloseCase(ctx, conv.ID, "bob", "Suivi de livraison"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"notice:Alice, du service client, a rejoint la conversation.",
		"message:Bonjour, je regarde.",
		"notice:Bob, du service client, reprend votre demande.",
		"notice:Bob vous laisse avec l’assistant.",
		"notice:Bob a clos la conversation.",
		"csat:Comment jugez-vous",
	}
	var got []string
	deadline := time.After(2 * time.Second)
	for len(got) < len(want) {
		select {
		case e := <-widget:
			if e.Type == "note" || strings.Contains(e.Text, "déjà venu") {
				t.Fatal("a private note reached the customer")
			}
			if e.Type == "notice" || e.Type == "message" || e.Type == "csat" {
				got = append(got, e.Type+":"+e.Text)
			}
		case <-deadline:
			t.Fatalf("widget got %q", got)
		}
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("event %d = %q, want %q…", i, got[i], want[i])
		}
	}
	sawNote := false
	for len(console) > 0 {
		if (<-console).Type == "note" {
			sawNote = true
		}
	}
	if !sawNote {
		t.Error("the console was not told of the note")
	}
	full, _ := b.Conversation(ctx, conv.ID)
	for _, tr := range full.Turns {
		if strings.Contains(tr.Reply.Text, "déjà venu") {
			t.Error("the note is in the customer's transcript")
		}
	}
	if notes, _ := b.Notes(ctx, conv.ID); len(notes) != 1 || notes[0].Agent != "alice.martin" {
		t.Errorf("notes = %+v", notes)
	}
	if err := b.Rate(ctx, conv.ID, 6, ""); err == nil {
		t.Error("a score of 6 was accepted")
	}
	if err := b.Rate(ctx, conv.ID, 4, "rapide, merci"); err != nil {
		t.Fatal(err)
	}
	if err := b.Rate(ctx, conv.ID, 1, ""); err == nil {
		t.Error("rated twice")
	}
	cases, _ := b.Cases(ctx)
	if len(cases) != 1 || cases[0].CSAT == nil || cases[0].CSAT.Score != 4 || cases[0].Reason != "Suivi de livraison" {
		t.Errorf("case = %+v", cases)
	}
}

func TestLogContact(t *testing.T) {
	ctx := context.Background()
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{Now: monday10})
	if _, err := b.LogContact(ctx, "alice", Contact{Channel: "fax", Customer: "x", Reason: "Paiement"}); err == nil {
		t.Error("a fax was logged")
	}
	if _, err := b.LogContact(ctx, "alice", Contact{Channel: ChannelPhone, Customer: "", Reason: "Paiement"}); err == nil {
		t.Error("a contact without a customer was logged")
	}
	c, err := b.LogContact(ctx, "alice", Contact{Channel: "social", Customer: "camille.martin@exemple.fr", Order: "4581237", Reason: "Suivi de livraison", Outcome: "lien de suivi envoyé"})
	if err != nil {
		t.Fatal(err)
	}
	cases, _ := b.Cases(ctx)
	if len(cases) != 1 || cases[0].ID != c.ID || cases[0].State != CaseClosed || cases[0].Channel != "social" || cases[0].Agent != "alice" {
		t.Errorf("cases = %+v", cases)
	}
}
