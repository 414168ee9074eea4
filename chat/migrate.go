package chat

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"
)

// The layout before the flat buckets: one sub-bucket per conversation
// holding "meta" (JSON), "turns" and "notes" (sequence-keyed JSON).
var (
	bucketOldConversations = []byte("conversations")
	keyOldMeta             = []byte("meta")
	keyOldTurns            = []byte("turns")
	keyOldNotes            = []byte("notes")
)

// migrate moves the conversations of the layout before to the flat
// buckets, and rounds the keys of a time index that held exact times, in
// one transaction, the first time chat's data is used: a data dir of an
// earlier version keeps every conversation. New does no I/O, so this runs
// before the first read or write instead.
func (b *Bot) migrate() error {
	b.migrated.Do(func() {
		var old bool
		err := b.db.View(func(tx *bbolt.Tx) error {
			idx := tx.Bucket(bucketUpdated)
			old = tx.Bucket(bucketOldConversations) != nil || (idx != nil && idx.Sequence() < updatedLayout)
			return nil
		})
		if err == nil && old {
			err = b.db.Update(func(tx *bbolt.Tx) error {
				if err := migrateLayout(tx); err != nil {
					return err
				}
				return roundUpdated(tx)
			})
		}
		if err != nil {
			b.migrationErr = fmt.Errorf("migrate conversations to the flat layout: %w", err)
		}
	})
	return b.migrationErr
}

// migrateLayout does migrate's work inside tx.
func migrateLayout(tx *bbolt.Tx) error {
	root := tx.Bucket(bucketOldConversations)
	if root == nil {
		return nil
	}
	var ids [][]byte
	if err := root.ForEachBucket(func(k []byte) error { ids = append(ids, slices.Clone(k)); return nil }); err != nil {
		return err
	}
	turns, err := tx.CreateBucketIfNotExists(bucketTurns)
	if err != nil {
		return err
	}
	for _, id := range ids {
		c := root.Bucket(id)
		key, ok := convKey(string(id))
		if !ok {
			return fmt.Errorf("conversation %q: not an id of ours", id)
		}
		var m meta
		if err := json.Unmarshal(c.Get(keyOldMeta), &m); err != nil {
			return fmt.Errorf("conversation %s: decode meta: %w", id, err)
		}
		var mentions []string
		m.Count = 0
		if old := c.Bucket(keyOldTurns); old != nil {
			err := old.ForEach(func(_, v []byte) error {
				var t Turn
				if err := json.Unmarshal(v, &t); err != nil {
					return fmt.Errorf("conversation %s: decode turn: %w", id, err)
				}
				if t.From == "" || t.From == "customer" {
					mentions = append(mentions, mentionsOf(t.Text)...)
				}
				m.Count++
				return turns.Put(turnKey(key, uint32(m.Count)), slices.Clone(v))
			})
			if err != nil {
				return err
			}
		}
		if old := c.Bucket(keyOldNotes); old != nil {
			notes, err := tx.CreateBucketIfNotExists(bucketNotes)
			if err != nil {
				return err
			}
			err = old.ForEach(func(_, v []byte) error {
				seq, err := notes.NextSequence()
				if err != nil {
					return err
				}
				return notes.Put(noteKey(key, seq), slices.Clone(v))
			})
			if err != nil {
				return err
			}
		}
		if err := putMeta(tx, key, nil, &m, mentions); err != nil {
			return err
		}
	}
	return tx.DeleteBucket(bucketOldConversations)
}

// roundUpdated rewrites the keys of chat_updated that hold the exact time
// of a conversation's last activity (before updatedLayout) rounded as
// updatedKey rounds them. Rounding a rounded key changes nothing.
func roundUpdated(tx *bbolt.Tx) error {
	idx := tx.Bucket(bucketUpdated)
	if idx == nil || idx.Sequence() >= updatedLayout {
		return nil
	}
	var keys [][]byte
	if err := idx.ForEach(func(k, _ []byte) error { keys = append(keys, slices.Clone(k)); return nil }); err != nil {
		return err
	}
	for _, k := range keys {
		if len(k) < 8 {
			continue
		}
		var at time.Time
		if ns := binary.BigEndian.Uint64(k); ns > 0 {
			at = time.Unix(0, int64(ns))
		}
		if nk := updatedKey(at, k[8:]); !bytes.Equal(nk, k) {
			if err := idx.Delete(k); err != nil {
				return err
			}
			if err := idx.Put(nk, nil); err != nil {
				return err
			}
		}
	}
	return idx.SetSequence(updatedLayout)
}
