package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"
)

// keepStates is how long a conversation's state outlives its last event:
// a conversation the customer resumes later is counted again, as a new
// contact on that day.
const keepStates = 30 * 24 * time.Hour

// Prune forgets what no longer settles anything: last contacts older than
// the window, and conversation states idle for 30 days. The day counters,
// which hold no personal data, stay. It returns how many records went.
func (b *Book) Prune(ctx context.Context) (int, error) {
	now := b.opts.Now()
	n := 0
	err := b.db.Update(func(tx *bbolt.Tx) error {
		for _, p := range []struct {
			bucket []byte
			before time.Time
			last   func([]byte) (time.Time, error)
		}{
			{bucketContacts, now.Add(-b.opts.Window), func(v []byte) (time.Time, error) {
				var c lastContact
				err := json.Unmarshal(v, &c)
				return c.At, err
			}},
			{bucketConvs, now.Add(-keepStates), func(v []byte) (time.Time, error) {
				var st convState
				err := json.Unmarshal(v, &st)
				return st.Last, err
			}},
		} {
			bk := tx.Bucket(p.bucket)
			if bk == nil {
				continue
			}
			var old [][]byte
			err := bk.ForEach(func(k, v []byte) error {
				last, err := p.last(v)
				if err != nil {
					return fmt.Errorf("decode %q: %w", k, err)
				}
				if last.Before(p.before) {
					old = append(old, slices.Clone(k))
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, k := range old {
				if err := bk.Delete(k); err != nil {
					return err
				}
			}
			n += len(old)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune reports: %w", err)
	}
	return n, nil
}

// Forget drops what the book holds about conversation conv, when a
// customer asks to be forgotten: its state (with the digests of the
// customer, e-mail and order) and the last-contact entries that point to
// it. The day counters, which hold no personal data, stay.
func (b *Book) Forget(tx *bbolt.Tx, conv string) error {
	if b == nil {
		return nil
	}
	convs, contacts := tx.Bucket(bucketConvs), tx.Bucket(bucketContacts)
	if convs == nil {
		return nil
	}
	var st convState
	found, err := getJSON(convs, conv, &st)
	if err != nil || !found {
		return err
	}
	for _, k := range st.Keys {
		if contacts == nil {
			break
		}
		var last lastContact
		ok, err := getJSON(contacts, k, &last)
		if err != nil {
			return fmt.Errorf("forget %q: %w", conv, err)
		}
		if ok && last.Conv == conv {
			if err := contacts.Delete([]byte(k)); err != nil {
				return fmt.Errorf("forget %q: %w", conv, err)
			}
		}
	}
	if err := convs.Delete([]byte(conv)); err != nil {
		return fmt.Errorf("forget %q: %w", conv, err)
	}
	return nil
}
