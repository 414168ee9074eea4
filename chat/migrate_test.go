package chat

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// oldConversation writes a conversation as versions before the flat
// layout did: a bucket of its own with its meta, turns and notes.
func oldConversation(tb testing.TB, db *bbolt.DB, m meta, turns []Turn, notes []Note) {
	tb.Helper()
	err := db.Update(func(tx *bbolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists([]byte("conversations"))
		if err != nil {
			return err
		}
		c, err := root.CreateBucket([]byte(m.ID))
		if err != nil {
			return err
		}
		tb, err := c.CreateBucket([]byte("turns"))
		if err != nil {
			return err
		}
		for _, t := range turns {
			seq, _ := tb.NextSequence()
			if err := putJSON(tb, seqKey(seq), t); err != nil {
				return err
			}
		}
		if len(notes) > 0 {
			nb, err := c.CreateBucket([]byte("notes"))
			if err != nil {
				return err
			}
			for _, n := range notes {
				seq, _ := nb.NextSequence()
				if err := putJSON(nb, seqKey(seq), n); err != nil {
					return err
				}
			}
		}
		m.Count = len(turns)
		return putJSON(c, []byte("meta"), m)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestMigrateOldLayout(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	db := mustOpenDB(t, path)
	clock := &fakeClock{t: monday10()}
	long := monday10().AddDate(-2, 0, 0)
	camille := &Identity{CustomerID: "cli-1001", Email: "Camille.Martin@exemple.fr"}
	known := meta{ID: "0123456789abcdef0123456789abcdef", Created: monday10().Add(-time.Hour), Updated: monday10().Add(-time.Hour), Identity: camille,
		Mode: ModeAgent, Agent: "alice", Assignee: "alice"}
	oldConversation(t, db, known, []Turn{
		{At: known.Created, Text: "où est mon colis ?", Reply: Reply{Outcome: OutcomeAnswer, ArticleID: "suivi-colis", Text: "Suivez-le."}},
		{At: known.Created.Add(time.Minute), From: "agent", Agent: "alice", Reply: Reply{Outcome: OutcomeAgent, Text: "Je regarde."}},
	}, []Note{{At: known.Created, Agent: "alice", Text: "client pressé"}})
	typed := meta{ID: "fedcba9876543210fedcba9876543210", Created: long, Updated: long}
	oldConversation(t, db, typed, []Turn{{At: long, Text: "ma commande 4581237, camille.martin@exemple.fr", Reply: Reply{Outcome: OutcomeMiss}}}, nil)

	b := New(mustOpenKB(t), db, Options{Now: clock.Now, RetentionMonths: 13})
	got, err := b.Conversation(ctx, known.ID)
	if err != nil {
		t.Fatalf("migrated conversation: %v", err)
	}
	if len(got.Turns) != 2 || got.Turns[1].Reply.Text != "Je regarde." || got.Mode != ModeAgent || got.Identity == nil || got.Identity.CustomerID != "cli-1001" {
		t.Errorf("migrated conversation: %+v", got)
	}
	if notes, err := b.Notes(ctx, known.ID); err != nil || len(notes) != 1 || notes[0].Text != "client pressé" {
		t.Errorf("migrated notes: %+v, %v", notes, err)
	}
	db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket([]byte("conversations")) != nil {
			t.Error("the old bucket is still there")
		}
		return nil
	})
	// The conversation goes on under the next sequence.
	if err := b.AgentReply(ctx, known.ID, "alice", "C'est parti."); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Conversation(ctx, known.ID); len(got.Turns) != 3 || got.Turns[2].Reply.Text != "C'est parti." {
		t.Errorf("after a new turn: %+v", got.Turns)
	}
	// The indexes were built: the customer is found in both conversations
	// (the second only typed the address), and retention finds the old one.
	ex, err := b.Forget(ctx, "camille.martin@exemple.fr", false)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range ex.Conversations {
		ids = append(ids, c.ID)
	}
	if want := []string{known.ID, typed.ID}; !slices.Equal(ids, want) {
		t.Errorf("forget finds %v, want %v", ids, want)
	}
	if p, err := b.Prune(ctx); err != nil || p.Conversations != 1 {
		t.Errorf("prune: %+v, %v, want the conversation of two years ago", p, err)
	}
	if _, err := b.Conversation(ctx, typed.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("pruned conversation: %v", err)
	}
	// What it deleted left nothing behind in the indexes.
	db.View(func(tx *bbolt.Tx) error {
		key, _ := convKey(typed.ID)
		for _, name := range [][]byte{bucketCustomers, bucketUpdated, bucketTurns} {
			tx.Bucket(name).ForEach(func(k, _ []byte) error {
				if bytes.HasSuffix(k, key) || bytes.HasPrefix(k, key) {
					t.Errorf("%s still holds %q", name, k)
				}
				return nil
			})
		}
		return nil
	})
}

func TestEachTurnSince(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: monday10()}
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "g.db"))
	b := New(mustOpenKB(t), db, Options{Now: clock.Now})
	quiet := mustConv(t, b, nil)
	mustSend(t, b, quiet, Message{Text: "comment annuler ma commande ?"})
	clock.Add(time.Hour)
	since := clock.Now()
	clock.Add(time.Minute)
	busy := mustConv(t, b, nil)
	mustSend(t, b, busy, Message{Text: "où est mon colis ?"})
	clock.Add(time.Minute)
	mustSend(t, b, quiet, Message{Text: "et le remboursement ?"})
	clock.Add(time.Minute)
	if err := b.AgentReply(ctx, busy, "alice", "Je regarde."); err != nil { // after a notice that alice joined
		t.Fatal(err)
	}
	type seen struct{ conv, from, text string }
	var got []seen
	err := db.View(func(tx *bbolt.Tx) error {
		return eachTurn(tx, since, func(id string, t Turn) error {
			words := t.Text
			if t.From == "agent" {
				words = t.Reply.Text
			}
			got = append(got, seen{id, t.From, words})
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []seen{{quiet, "", "et le remboursement ?"}, {busy, "", "où est mon colis ?"}, {busy, "agent", "Je regarde."}}
	if !slices.Equal(got, want) {
		t.Errorf("eachTurn since = %+v\nwant %+v", got, want)
	}
}
