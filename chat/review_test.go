package chat

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.etcd.io/bbolt"
)

func TestMaskPersonal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"où est mon colis ?", "où est mon colis ?"},
		{"écrivez-moi à marie.dupont@example.fr svp", "écrivez-moi à [e-mail] svp"},
		{"rappelez moi au 06 12 34 56 78 ou au +33 1 23 45 67 89", "rappelez moi au [téléphone] ou au [téléphone]"},
		{"commande GC-1234567 livrée au 75011 Paris", "commande [n° de commande] livrée au [code postal] Paris"},
		{"j'ai payé 25 € le 12/03", "j'ai payé 25 € le 12/03"}, // amounts and dates are not personal
	}
	for _, tt := range tests {
		if got := maskPersonal(tt.in); got != tt.want {
			t.Errorf("maskPersonal(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReviewsForEditors(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	db := mustOpenDB(t, path)
	k := mustOpenKB(t)
	b := New(k, db, Options{Now: monday10})
	conv, err := b.Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	send := func(m Message) *Reply {
		t.Helper()
		r, err := b.Send(ctx, conv.ID, m)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := send(Message{Text: "quel temps fera-t-il demain ? répondez à marie.dupont@example.fr"}); r.Outcome != OutcomeMiss {
		t.Fatalf("weather: %s, want a miss", r.Outcome)
	}
	if r := send(Message{Text: "comment annuler ma commande ?"}); r.Outcome != OutcomeAnswer || r.ArticleID != "annuler-commande" {
		t.Fatalf("cancel: %s %s", r.Outcome, r.ArticleID)
	}
	no := false
	send(Message{Helpful: &no})
	send(Message{Text: "non"}) // the other guesses did not help either: no second review

	// Reviews survive a restart.
	db.Close()
	b = New(k, mustOpenDB(t, path), Options{Now: monday10})
	got, err := b.Reviews(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d reviews, want 2: %+v", len(got), got)
	}
	unhelpful, miss := got[0], got[1] // newest first
	if unhelpful.Kind != ReviewUnhelpful || unhelpful.Text != "comment annuler ma commande ?" || unhelpful.Article != "annuler-commande" || len(unhelpful.Closest) == 0 {
		t.Errorf("unhelpful answer: %+v", unhelpful)
	}
	if miss.Kind != ReviewMiss || miss.Text != "quel temps fera-t-il demain ? répondez à [e-mail]" || miss.Article != "" {
		t.Errorf("miss: %+v", miss)
	}
	if !monday10().Equal(miss.At) {
		t.Errorf("miss at %v", miss.At)
	}
}

func TestReviewsAreBounded(t *testing.T) {
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "g.db"))
	err := db.Update(func(tx *bbolt.Tx) error {
		for i := range keepReviews + 5 {
			if err := putReview(tx, &Review{Kind: ReviewMiss, Text: fmt.Sprintf("question %d", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := New(mustOpenKB(t), db, Options{}).Reviews(context.Background(), 2*keepReviews)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != keepReviews || got[0].Text != fmt.Sprintf("question %d", keepReviews+4) || !strings.HasSuffix(got[len(got)-1].Text, " 5") {
		t.Errorf("%d reviews kept, newest %q, oldest %q", len(got), got[0].Text, got[len(got)-1].Text)
	}
}
