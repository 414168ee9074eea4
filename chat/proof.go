package chat

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"go.etcd.io/bbolt"
)

// Failed order proofs are counted per order number and per client address,
// across conversations, in chat's own bucket, so that nobody can sweep
// e-mail addresses against one order, nor order numbers from one address,
// by opening conversation after conversation. An attempt is reserved
// before the order is looked up (one bbolt transaction checks the lock-out
// and counts), so that parallel guesses cannot all get through; a correct
// proof, or an order system that could not answer, gives it back.
var bucketProofs = []byte("proof_failures")

// Lock-out: the failure that reaches the free count, and each one after,
// locks the key for a delay that doubles (from proofDelay up to proofMaxDelay); a key with no
// failure for proofWindow starts again from zero.
const (
	proofFreePerOrder  = 5
	proofFreePerClient = 10
	proofDelay         = 5 * time.Minute
	proofMaxDelay      = 24 * time.Hour
	proofWindow        = 24 * time.Hour
)

// proofRecord is the failures counted for one key.
type proofRecord struct {
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
	Until time.Time `json:"until,omitzero"`
}

// proofKey is a counted key: the order number is stored as a digest, so
// that the bucket lists no order numbers.
type proofKey struct {
	key  []byte
	free int
}

func proofKeys(number, client string) []proofKey {
	sum := sha256.Sum256([]byte(number))
	keys := []proofKey{{[]byte("order:" + hex.EncodeToString(sum[:16])), proofFreePerOrder}}
	if client != "" {
		keys = append(keys, proofKey{[]byte("client:" + client), proofFreePerClient})
	}
	return keys
}

// reserveProof counts an attempt to prove number from client, unless one of
// them is locked out: then ok is false and nothing is counted.
func (b *Bot) reserveProof(number, client string) (ok bool, err error) {
	now := b.opts.Now().UTC()
	keys := proofKeys(number, client)
	err = b.update(func(tx *bbolt.Tx) error {
		ok = false // a retried batch runs this again
		bk, err := tx.CreateBucketIfNotExists(bucketProofs)
		if err != nil {
			return err
		}
		recs := make([]proofRecord, len(keys))
		for i, k := range keys {
			if recs[i], err = readProof(bk, k.key, now); err != nil {
				return err
			}
			if now.Before(recs[i].Until) {
				return nil // locked: ok stays false
			}
		}
		for i, k := range keys {
			r := &recs[i]
			r.Count++
			r.Last = now
			if over := r.Count - k.free; over >= 0 {
				r.Until = now.Add(min(proofDelay<<min(over, 20), proofMaxDelay))
			}
			if err := putJSON(bk, k.key, r); err != nil {
				return err
			}
		}
		ok = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("reserve order proof: %w", err)
	}
	return ok, nil
}

// refundProof gives back an attempt reserved by reserveProof: the proof
// was right, or could not be checked.
func (b *Bot) refundProof(number, client string) error {
	now := b.opts.Now().UTC()
	err := b.update(func(tx *bbolt.Tx) error {
		bk := tx.Bucket(bucketProofs)
		if bk == nil {
			return nil
		}
		for _, k := range proofKeys(number, client) {
			r, err := readProof(bk, k.key, now)
			if err != nil {
				return err
			}
			// The key was not locked when the attempt was reserved (or
			// it would not have been), so the lock-out this attempt
			// started ends with it.
			r.Count = max(r.Count-1, 0)
			r.Until = time.Time{}
			if err := putJSON(bk, k.key, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("refund order proof: %w", err)
	}
	return nil
}

// readProof reads a key's record; one quiet for proofWindow is forgotten.
func readProof(bk *bbolt.Bucket, key []byte, now time.Time) (proofRecord, error) {
	var r proofRecord
	v := bk.Get(key)
	if v == nil {
		return r, nil
	}
	if err := json.Unmarshal(v, &r); err != nil {
		return r, fmt.Errorf("decode proof record: %w", err)
	}
	if now.Sub(r.Last) > proofWindow && !now.Before(r.Until) {
		return proofRecord{}, nil
	}
	return r, nil
}

// convLocks serialises the turns of one conversation: a turn reads the
// conversation's state, decides (maybe checking an order proof) and writes
// the state back, so two turns of one conversation must not interleave.
// Conversations hash onto a fixed set of locks: memory stays bounded.
type convLocks [64]sync.Mutex

func (l *convLocks) lock(id string) func() {
	h := fnv.New32a()
	h.Write([]byte(id))
	m := &l[h.Sum32()%uint32(len(l))]
	m.Lock()
	return m.Unlock
}
