package chat

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestPruneAfterRetention(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: monday10()}
	files := t.TempDir()
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{Now: clock.Now, RetentionMonths: 13, AttachmentsDir: files})
	old := mustConv(t, b, nil)
	// A file the customer sent in it: it goes with the conversation.
	if err := os.MkdirAll(filepath.Join(files, old), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(files, old, "photo"), []byte("jpeg"), 0o600); err != nil {
		t.Fatal(err)
	}
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
	if _, err := os.Stat(filepath.Join(files, old)); !os.IsNotExist(err) {
		t.Errorf("the old conversation's files: %v, want them deleted", err)
	}
	if _, err := b.Conversation(ctx, recent); err != nil {
		t.Errorf("recent conversation: %v", err)
	}
	if cases, _ := b.Cases(ctx); len(cases) != 0 {
		t.Errorf("cases left: %+v", cases)
	}
}

func TestForgetExportsThenErases(t *testing.T) {
	ctx := context.Background()
	b, _, _ := mustOrderBot(t)
	camille := &Identity{CustomerID: "cli-1001", Email: "camille.martin@exemple.fr"}
	logged := mustConv(t, b, camille)
	mustSend(t, b, logged, Message{Text: "bonjour", Identity: camille})
	proven := mustConv(t, b, nil)
	mustSend(t, b, proven, Message{Text: "où est mon colis ?"})
	mustSend(t, b, proven, Message{Text: "4581237 Camille.Martin@exemple.fr"})
	if _, err := b.Handoff(ctx, proven, HandoffRequest{Channel: ChannelEmail, Email: "camille.martin@exemple.fr", Message: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	number := mustConv(t, b, nil) // only the order number, typed
	mustSend(t, b, number, Message{Text: "ma commande 4581237 est en retard"})
	other := mustConv(t, b, nil)
	mustSend(t, b, other, Message{Text: "où est mon colis ?"})
	mustSend(t, b, other, Message{Text: "4581238 louis.bernard@exemple.fr"})

	ids := func(ex *Export) []string {
		var out []string
		for _, c := range ex.Conversations {
			out = append(out, c.ID)
		}
		slices.Sort(out)
		return out
	}
	want := []string{logged, proven, number}
	slices.Sort(want)
	ex, err := b.Forget(ctx, "camille.martin@exemple.fr", false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(ex), want) || len(ex.Cases) != 1 || ex.Erased {
		t.Errorf("export: conversations %v (want %v), %d cases", ids(ex), want, len(ex.Cases))
	}
	if _, err := b.Conversation(ctx, logged); err != nil {
		t.Errorf("an export deleted: %v", err)
	}
	ex, err = b.Forget(ctx, "CAMILLE.MARTIN@exemple.fr", true)
	if err != nil || !slices.Equal(ids(ex), want) || !ex.Erased {
		t.Fatalf("erase: %v %v", ids(ex), err)
	}
	for _, id := range want {
		if _, err := b.Conversation(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("conversation %s still there: %v", id, err)
		}
	}
	if cases, _ := b.Cases(ctx); len(cases) != 0 {
		t.Errorf("cases left: %d", len(cases))
	}
	if _, err := b.Conversation(ctx, other); err != nil {
		t.Errorf("another customer's conversation was deleted: %v", err)
	}
	var fe *FormError
	if _, err := b.Forget(ctx, "pas une adresse", true); !errors.As(err, &fe) {
		t.Errorf("bad address: %v", err)
	}
}
