package chat

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestPruneAfterRetention(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: monday10()}
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{Now: clock.Now, RetentionMonths: 13})
	old := mustConv(t, b, nil)
	mustSend(t, b, old, Message{Text: "comment annuler ma commande ?"})
	if _, err := b.Handoff(ctx, old, HandoffRequest{Channel: ChannelEmail, Email: "a@exemple.fr", Message: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	clock.Add(365 * 24 * time.Hour)
	recent := mustConv(t, b, nil)
	mustSend(t, b, recent, Message{Text: "comment annuler ma commande ?"})

	// Within 13 months of the last activity, nothing goes.
	if p, err := b.Prune(ctx); err != nil || p != (Pruned{}) {
		t.Fatalf("after 12 months: %+v, %v, want nothing pruned", p, err)
	}
	clock.Add(40 * 24 * time.Hour) // the first conversation is 13 months and 10 days old
	p, err := b.Prune(ctx)
	if err != nil || p != (Pruned{Conversations: 1, Cases: 1}) {
		t.Fatalf("after 13 months: %+v, %v, want the old conversation and its case", p, err)
	}
	if _, err := b.Conversation(ctx, old); !errors.Is(err, ErrNotFound) {
		t.Errorf("old conversation: %v, want ErrNotFound", err)
	}
	if _, err := b.Conversation(ctx, recent); err != nil {
		t.Errorf("recent conversation: %v", err)
	}
	if cases, _ := b.Cases(ctx); len(cases) != 0 {
		t.Errorf("cases left: %+v", cases)
	}
}
