package chat

import (
	"context"
	"encoding/binary"
	"fmt"

	"go.etcd.io/bbolt"
)

// CheckWrite tells whether the database can write (a full disk, a file
// gone read-only): it writes the time in chat's stats bucket.
func (b *Bot) CheckWrite(ctx context.Context) error {
	err := b.db.Update(func(tx *bbolt.Tx) error {
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
