package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"go.etcd.io/bbolt"
)

// TestTurnKeepsChangesSinceRead checks that the state a turn's write
// reuses (the one Send read) gives way to the stored one when the
// conversation changed in between: an assignment or another turn.
func TestTurnKeepsChangesSinceRead(t *testing.T) {
	ctx := context.Background()
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{Now: fixedNow})
	turn := Turn{At: fixedNow(), Text: "Comment annuler ma commande ?", Reply: Reply{Outcome: OutcomeMiss, Text: "?"}}
	tests := []struct {
		name    string
		between func(id string) error
		want    func(c *Conversation) bool
	}{
		{"nothing", func(string) error { return nil }, func(c *Conversation) bool { return c.Misses == 1 }},
		{"assigned", func(id string) error { return b.Assign(ctx, id, "alice") }, func(c *Conversation) bool { return c.Assignee == "alice" && c.Misses == 1 }},
		{"another turn", func(id string) error {
			other, err := b.state(id)
			if err != nil {
				return err
			}
			return b.addTurn(other, turn, nil)
		}, func(c *Conversation) bool { return c.Misses == 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conv, err := b.Start(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			read, err := b.state(conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.between(conv.ID); err != nil {
				t.Fatal(err)
			}
			if err := b.addTurn(read, turn, nil); err != nil {
				t.Fatal(err)
			}
			got, err := b.Conversation(ctx, conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(got) {
				t.Errorf("after the turn: misses %d, assignee %q, %d turns", got.Misses, got.Assignee, len(got.Turns))
			}
			// What the write reused is what decoding the stored state gives.
			var fresh, reused *meta
			err = b.view(func(tx *bbolt.Tx) error {
				key, _ := convKey(conv.ID)
				r, err := readMeta(tx, key)
				if err != nil {
					return err
				}
				if reused, err = currentMeta(tx, key, r); err != nil {
					return err
				}
				fresh, err = getMeta(tx, key)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(reused, fresh) {
				t.Errorf("reused state %+v, decoded %+v", reused, fresh)
			}
		})
	}
}

// TestStateCacheAsStored checks that the state a turn keeps for the next
// one is what reading the stored state gives, along a conversation that
// asks, proves an order, says « non », clicks « Non » and comes back with
// an identity; and that the next turn
// uses it.
func TestStateCacheAsStored(t *testing.T) {
	b, _, _ := mustOrderBot(t)
	camille := &Identity{CustomerID: "C-1001", Email: "camille.martin@exemple.fr"}
	id := mustConv(t, b, nil)
	for _, m := range []Message{
		{Text: "où est mon colis ?"},
		{Text: "commande 4581237, code postal 44000"},
		{Text: "camille.martin@exemple.fr"},
		{Text: "je veux retourner un article"},
		{Text: "non"},
		{Helpful: new(bool)},
		{Text: "blorp zzz"},
		{Text: "où est mon colis ?", Identity: camille},
	} {
		mustSend(t, b, id, m)
		kept := b.states.get(id)
		if kept == nil {
			t.Fatalf("after %+v: no state kept", m)
		}
		var stored *meta
		err := b.view(func(tx *bbolt.Tx) error {
			key, _ := convKey(id)
			if !kept.current(tx, key) {
				t.Errorf("after %+v: the state kept is not current", m)
			}
			var err error
			stored, err = getMeta(tx, key)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(kept.m)
		want, _ := json.Marshal(stored)
		if !bytes.Equal(got, want) {
			t.Errorf("after %+v:\nkept   %s\nstored %s", m, got, want)
		}
		if conv, err := b.state(id); err != nil || conv.read != kept {
			t.Errorf("after %+v: the next read decoded the state again (%v)", m, err)
		}
	}
}
