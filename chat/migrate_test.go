package chat

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"maps"
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
	// The conversations come in the order of the time index (to ten
	// minutes), so they are compared apart.
	type seen struct{ from, text string }
	got := map[string][]seen{}
	err := db.View(func(tx *bbolt.Tx) error {
		return eachTurn(tx, since, func(id string, t Turn) error {
			words := t.Text
			if t.From == "agent" {
				words = t.Reply.Text
			}
			got[id] = append(got[id], seen{t.From, words})
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]seen{quiet: {{"", "et le remboursement ?"}}, busy: {{"", "où est mon colis ?"}, {"agent", "Je regarde."}}}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("eachTurn since = %+v\nwant %+v", got, want)
	}
}

// TestMigrateExactTimeIndex opens a data dir of the flat layout as it was
// before turns carried their conversation's state and the time index was
// rounded: every turn a plain record, the state rewritten with each, and
// chat_updated keyed by the exact time.
func TestMigrateExactTimeIndex(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "g.db"))
	clock := &fakeClock{t: monday10()}
	before := New(mustOpenKB(t), db, Options{Now: clock.Now, RetentionMonths: 13})
	id := mustConv(t, before, nil)
	mustSend(t, before, id, Message{Text: "où est mon colis ?"})
	clock.Add(3 * time.Minute)
	mustSend(t, before, id, Message{Text: "comment annuler ma commande ?"})
	before.Close()
	key, _ := convKey(id)
	var updated time.Time
	err := db.Update(func(tx *bbolt.Tx) error {
		m, err := getMeta(tx, key)
		if err != nil {
			return err
		}
		updated = m.Updated
		if err := putJSON(tx.Bucket(bucketConvs), key, m); err != nil {
			return err
		}
		turns := tx.Bucket(bucketTurns)
		for seq := uint32(1); seq <= uint32(m.Count); seq++ {
			var t Turn
			if err := json.Unmarshal(turns.Get(turnKey(key, seq)), &t); err != nil {
				return err
			}
			if err := putJSON(turns, turnKey(key, seq), t); err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket(bucketUpdated); err != nil {
			return err
		}
		idx, err := tx.CreateBucket(bucketUpdated)
		if err != nil {
			return err
		}
		exact := binary.BigEndian.AppendUint64(nil, uint64(updated.UnixNano()))
		return idx.Put(append(exact, key...), nil)
	})
	if err != nil {
		t.Fatal(err)
	}

	clock.Add(time.Minute)
	b := New(mustOpenKB(t), db, Options{Now: clock.Now, RetentionMonths: 13})
	defer b.Close()
	if sums, err := b.Summaries(ctx, updated, nil); err != nil || len(sums) != 1 || sums[0].ID != id || sums[0].Messages != 2 {
		t.Fatalf("summaries since the last turn: %+v, %v", sums, err)
	}
	mustSend(t, b, id, Message{Text: "et le remboursement ?"})
	conv, err := b.Conversation(ctx, id)
	if err != nil || len(conv.Turns) != 3 || conv.Turns[2].Text != "et le remboursement ?" || !conv.Updated.Equal(clock.Now()) {
		t.Fatalf("after a new turn: %+v, %v", conv, err)
	}
	qs, err := b.PastQuestions(ctx, monday10().Add(-time.Minute))
	if err != nil || len(qs) != 3 {
		t.Errorf("past questions: %+v, %v", qs, err)
	}
	// One entry in the time index, rounded, whatever the turns since.
	db.View(func(tx *bbolt.Tx) error {
		idx := tx.Bucket(bucketUpdated)
		if idx.Sequence() != updatedLayout || idx.Stats().KeyN != 1 || idx.Get(updatedKey(clock.Now(), key)) == nil {
			t.Errorf("time index: sequence %d, %d keys, want one rounded key", idx.Sequence(), idx.Stats().KeyN)
		}
		return nil
	})
	clock.Add(2 * 365 * 24 * time.Hour)
	if p, err := b.Prune(ctx); err != nil || p.Conversations != 1 {
		t.Errorf("prune: %+v, %v, want the conversation", p, err)
	}
	db.View(func(tx *bbolt.Tx) error {
		if n := tx.Bucket(bucketUpdated).Stats().KeyN; n != 0 {
			t.Errorf("time index after prune: %d keys", n)
		}
		return nil
	})
}
