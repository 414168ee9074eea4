package chat

import (
	"context"
	"path/filepath"
	"testing"
)

func TestArticleFeedbackIsCountedAndKept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	db := mustOpenDB(t, path)
	b := New(nil, db, Options{})
	for _, r := range []struct {
		id      string
		helpful bool
	}{{"suivi-colis", true}, {"suivi-colis", true}, {"suivi-colis", false}, {"facture", false}} {
		if err := b.RateArticle(ctx, r.id, r.helpful); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	b = New(nil, mustOpenDB(t, path), Options{})
	got, err := b.ArticleFeedback(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Feedback{"suivi-colis": {Helpful: 2, Unhelpful: 1}, "facture": {Unhelpful: 1}}
	if len(got) != len(want) {
		t.Fatalf("feedback = %v, want %v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("feedback[%s] = %+v, want %+v", id, got[id], w)
		}
	}
}
