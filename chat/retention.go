package chat

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"go.etcd.io/bbolt"
)

// CheckWrite tells whether the database can write (a full disk, a file
// gone read-only): it writes the time in chat's stats bucket.
func (b *Bot) CheckWrite(ctx context.Context) error {
	err := b.update(func(tx *bbolt.Tx) error {
		s, err := tx.CreateBucketIfNotExists(bucketStats)
		if err != nil {
			return err
		}
		return s.Put([]byte("health_check"), binary.BigEndian.AppendUint64(nil, uint64(b.opts.Now().Unix())))
	})
	if err != nil {
		return fmt.Errorf("write check: %w", err)
	}
	return nil
}

// defaultRetention is how long conversations and cases are kept after
// their last activity, in months: 13, as the CNIL advises for customer
// relations data.
const defaultRetention = 13

// Pruned counts what Prune deleted.
type Pruned struct {
	Conversations, Cases int
}

// Prune deletes the conversations and cases with no activity for the
// retention period (Options.RetentionMonths), and the lock-out and
// transcript counters that expired. The questions to review are masked
// when stored and bounded to the last 1,000; they stay.
func (b *Bot) Prune(ctx context.Context) (Pruned, error) {
	now := b.opts.Now().UTC()
	cutoff := now.AddDate(0, -b.opts.RetentionMonths, 0)
	var p Pruned
	var gone []string // conversations whose files go too
	err := b.update(func(tx *bbolt.Tx) error {
		gone = gone[:0] // a retried batch runs this again
		// The conversations idle since before the cutoff come first in
		// the time index: read no other.
		if idx := tx.Bucket(bucketUpdated); idx != nil {
			var keys [][]byte
			c := idx.Cursor()
			end := updatedKey(cutoff, nil)
			for k, _ := c.First(); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
				if len(k) == 8+16 {
					keys = append(keys, slices.Clone(k))
				}
			}
			p.Conversations = 0
			for _, k := range keys {
				id := hex.EncodeToString(k[8:])
				gone = append(gone, id)
				switch err := deleteConversation(tx, id); {
				case errors.Is(err, ErrNotFound):
					// An entry left without its conversation: drop it.
					if err := idx.Delete(k); err != nil {
						return err
					}
				case err != nil:
					return err
				default:
					p.Conversations++
				}
			}
		}
		n, err := deleteWhere(tx, bucketCases, func(v []byte) bool {
			var c Case
			return json.Unmarshal(v, &c) == nil && c.Updated.Before(cutoff)
		})
		if err != nil {
			return err
		}
		p.Cases = n
		if _, err := deleteWhere(tx, bucketProofs, func(v []byte) bool {
			var r proofRecord
			return json.Unmarshal(v, &r) == nil && now.Sub(r.Last) > proofWindow && !now.Before(r.Until)
		}); err != nil {
			return err
		}
		_, err = deleteWhere(tx, bucketTranscripts, func(v []byte) bool {
			var s sendCount
			return json.Unmarshal(v, &s) == nil && now.Sub(s.Since) > transcriptWindow
		})
		return err
	})
	if err != nil {
		return Pruned{}, fmt.Errorf("prune: %w", err)
	}
	if err := b.removeAttachments(gone); err != nil {
		return p, fmt.Errorf("prune: %w", err)
	}
	return p, nil
}

// removeAttachments deletes the files sent in these conversations, once
// their records are gone.
func (b *Bot) removeAttachments(convs []string) error {
	if b.opts.AttachmentsDir == "" {
		return nil
	}
	var errs []error
	for _, id := range convs {
		if reID.MatchString(id) {
			errs = append(errs, os.RemoveAll(filepath.Join(b.opts.AttachmentsDir, id)))
		}
	}
	return errors.Join(errs...)
}

// deleteWhere deletes the records of a bucket for which old is true, and
// returns how many.
func deleteWhere(tx *bbolt.Tx, bucket []byte, old func(v []byte) bool) (int, error) {
	bk := tx.Bucket(bucket)
	if bk == nil {
		return 0, nil
	}
	var keys [][]byte
	err := bk.ForEach(func(k, v []byte) error {
		if v != nil && old(v) {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if err := bk.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
