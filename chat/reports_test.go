package chat

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/reports"
)

// TestReportsCountWhatChatStores follows a self-service conversation and a
// live chat through the reports' counters.
func TestReportsCountWhatChatStores(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: monday10()}
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "g.db"))
	book := reports.New(db, reports.Options{Now: clock.Now})
	b := New(mustOpenKB(t), db, Options{Now: clock.Now, Reports: book, AgentsOnline: func() bool { return true }})

	// Self-service: an answer judged helpful, then the effort question.
	self, _ := b.Start(ctx, &Identity{CustomerID: "cli-1", Email: "camille@exemple.fr"})
	who := &Identity{CustomerID: "cli-1", Email: "camille@exemple.fr"}
	if r := mustSend(t, b, self.ID, Message{Text: "Comment annuler ma commande ?", Identity: who}); r.Outcome != OutcomeAnswer {
		t.Fatalf("outcome %s, want an answer", r.Outcome)
	}
	yes := true
	mustSend(t, b, self.ID, Message{Helpful: &yes, Identity: who})
	if err := b.Effort(ctx, self.ID, 6); !errors.Is(err, ErrBadScore) {
		t.Errorf("effort 6: %v, want ErrBadScore", err)
	}
	if err := b.Effort(ctx, self.ID, 4); err != nil {
		t.Fatal(err)
	}
	if err := b.Effort(ctx, self.ID, 5); !errors.Is(err, ErrNoRating) {
		t.Errorf("second effort answer: %v, want ErrNoRating", err)
	}

	// A live chat: asked, answered by alice 3 minutes later, closed, rated.
	live, _ := b.Start(ctx, nil)
	mustSend(t, b, live.ID, Message{Text: "je veux parler à un conseiller"})
	if err := b.Effort(ctx, live.ID, 3); !errors.Is(err, ErrNoRating) {
		t.Errorf("effort without an answer: %v, want ErrNoRating", err)
	}
	if _, err := b.Handoff(ctx, live.ID, HandoffRequest{Channel: ChannelLiveChat}); err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(3 * time.Minute)
	if err := b.AgentReply(ctx, live.ID, "alice", "Bonjour, je regarde."); err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(10 * time.Minute)
	if err := b.CloseCase(ctx, live.ID, "alice", "Remboursement"); err != nil {
		t.Fatal(err)
	}
	if err := b.Rate(ctx, live.ID, 5, ""); err != nil {
		t.Fatal(err)
	}
	// bob takes a live chat and closes it without writing: it is his.
	quiet, _ := b.Start(ctx, nil)
	mustSend(t, b, quiet.ID, Message{Text: "je veux parler à un conseiller"})
	if _, err := b.Handoff(ctx, quiet.ID, HandoffRequest{Channel: ChannelLiveChat}); err != nil {
		t.Fatal(err)
	}
	if err := b.TakeOver(ctx, quiet.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := b.CloseCase(ctx, quiet.ID, "bob", "Autre"); err != nil {
		t.Fatal(err)
	}

	r, err := book.Report(ctx, clock.t, clock.t)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]int64{
		"conv": 3, "resolved": 1, "resolved_known": 1, "conv_person": 2, "conv_anon": 2, "agent_conv\x00bob": 1, "agent_close_n\x00bob": 1,
		"chat_helpful\x00annuler-commande": 1, "ces_n": 1, "ces_sum": 4,
		"handoff_channel\x00live_chat": 2, "handoff_reason\x00asked": 2, "wait_n": 1, "wait_s": 180,
		"closes": 2, "close_reason\x00Remboursement": 1, "close_s": 13 * 60, "agent_close_n\x00alice": 1,
		"csat_n": 1, "csat_sum": 5, "agent_csat_sum\x00alice": 5,
	} {
		if got := r.Total(key); got != want {
			t.Errorf("%q: %d, want %d", key, got, want)
		}
	}
}

// TestForgetErasesReportTraces: forgetting a customer also drops what the
// reports kept about their conversation (the digests of their identity,
// the last-contact entries) and their effort answer; the day counters,
// which name nobody, still count it.
func TestForgetErasesReportTraces(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: monday10()}
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "g.db"))
	book := reports.New(db, reports.Options{Now: clock.Now})
	b := New(mustOpenKB(t), db, Options{Now: clock.Now, Reports: book})
	who := &Identity{CustomerID: "cli-9", Email: "lou@exemple.fr"}
	conv, _ := b.Start(ctx, who)
	mustSend(t, b, conv.ID, Message{Text: "Comment annuler ma commande ?", Identity: who})
	yes := true
	mustSend(t, b, conv.ID, Message{Helpful: &yes, Identity: who})
	if err := b.Effort(ctx, conv.ID, 4); err != nil {
		t.Fatal(err)
	}
	holds := func() (states, contacts, efforts int) {
		t.Helper()
		err := db.View(func(tx *bbolt.Tx) error {
			for name, n := range map[string]*int{"report_conversations": &states, "report_contacts": &contacts, "effort": &efforts} {
				if bk := tx.Bucket([]byte(name)); bk != nil {
					*n = bk.Stats().KeyN
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if s, c, e := holds(); s != 1 || c == 0 || e != 1 {
		t.Fatalf("before: %d states, %d contacts, %d efforts; want the conversation traced", s, c, e)
	}
	if _, err := b.Forget(ctx, "lou@exemple.fr", true); err != nil {
		t.Fatal(err)
	}
	if s, c, e := holds(); s != 0 || c != 0 || e != 0 {
		t.Errorf("after forget: %d states, %d contacts, %d efforts left, want none", s, c, e)
	}
	r, err := book.Report(ctx, clock.t, clock.t)
	if err != nil {
		t.Fatal(err)
	}
	if r.Total("ces_n") != 1 || r.Total("turns") == 0 {
		t.Errorf("day counters after forget: ces_n %d, turns %d; want them kept", r.Total("ces_n"), r.Total("turns"))
	}
}
