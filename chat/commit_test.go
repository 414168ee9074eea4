package chat

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// queued waits until n writes are pending behind the batch being
// committed.
func queued(tb testing.TB, c *committer, n int) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		got := len(c.pending)
		c.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d writes pending, want %d", got, n)
		}
		time.Sleep(time.Millisecond) // polling, with a deadline
	}
}

func put(key string) func(*bbolt.Tx) error {
	return func(tx *bbolt.Tx) error {
		bk, err := tx.CreateBucketIfNotExists([]byte("test"))
		if err != nil {
			return err
		}
		return bk.Put([]byte(key), []byte("v"))
	}
}

// TestGroupCommit checks that writes arriving while a commit runs share
// the next one, that a failing or panicking write sinks none of the
// others, and that each caller hears of its own write only.
func TestGroupCommit(t *testing.T) {
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "g.db"))
	c := &committer{db: db}
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := c.update(func(tx *bbolt.Tx) error {
			<-release // hold the first commit while the others queue
			return put("first")(tx)
		})
		if err != nil {
			t.Errorf("first write: %v", err)
		}
	}()
	// Wait for the first write to be taken into its batch.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		taken := c.running && len(c.pending) == 0
		c.mu.Unlock()
		if taken {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first write never started")
		}
		time.Sleep(time.Millisecond)
	}
	errBad := errors.New("refused")
	results := make([]error, 10)
	panics := make([]any, 10)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			results[i] = c.update(func(tx *bbolt.Tx) error {
				if err := put(fmt.Sprint("w", i))(tx); err != nil {
					return err
				}
				switch i {
				case 3:
					return errBad // after writing: the write must vanish
				case 7:
					panic("boom")
				}
				return nil
			})
		}()
	}
	queued(t, c, len(results))
	close(release)
	wg.Wait()
	c.wait()

	if got := c.commits.Load(); got != 2 {
		t.Errorf("%d commits for 11 writes, want 2 (the first, then the 10 queued behind it)", got)
	}
	for i, err := range results {
		switch i {
		case 3:
			if !errors.Is(err, errBad) {
				t.Errorf("write 3: %v, want its own error", err)
			}
		case 7:
			if panics[i] != "boom" {
				t.Errorf("write 7: panic %v, want it raised in its caller", panics[i])
			}
		default:
			if err != nil || panics[i] != nil {
				t.Errorf("write %d: %v %v, want it stored despite the others", i, err, panics[i])
			}
		}
	}
	db.View(func(tx *bbolt.Tx) error {
		bk := tx.Bucket([]byte("test"))
		for i := range results {
			got := bk.Get([]byte(fmt.Sprint("w", i))) != nil
			if want := i != 3 && i != 7; got != want {
				t.Errorf("w%d stored: %v, want %v", i, got, want)
			}
		}
		if bk.Get([]byte("first")) == nil {
			t.Error("the first write is missing")
		}
		return nil
	})
}

// TestGroupCommitLoneWrite checks that a write alone waits for no timer
// and that the writer stops once idle.
func TestGroupCommitLoneWrite(t *testing.T) {
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "g.db"))
	c := &committer{db: db}
	for i := range 3 {
		if err := c.update(put(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	c.wait()
	c.mu.Lock()
	running := c.running
	c.mu.Unlock()
	if running || c.commits.Load() != 3 {
		t.Errorf("running %v after %d commits, want idle after 3", running, c.commits.Load())
	}
	// A commit that fails (the database closed) reaches its caller.
	db.Close()
	if err := c.update(put("late")); !errors.Is(err, bbolt.ErrDatabaseNotOpen) {
		t.Errorf("write to a closed database: %v", err)
	}
}

// TestRetriedBatchKeepsIndexes checks that a conversation started in a
// batch retried without a failing write is still indexed by its customer.
func TestRetriedBatchKeepsIndexes(t *testing.T) {
	ctx := context.Background()
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{})
	mustConv(t, b, nil) // migrated, buckets made
	release := make(chan struct{})
	done := make(chan error, 3)
	go func() {
		done <- b.update(func(*bbolt.Tx) error { <-release; return nil })
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.writes.mu.Lock()
		taken := b.writes.running && len(b.writes.pending) == 0
		b.writes.mu.Unlock()
		if taken {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first write never started")
		}
		time.Sleep(time.Millisecond)
	}
	var id string
	go func() {
		c, err := b.Start(ctx, &Identity{CustomerID: "cli-7", Email: "lea@exemple.fr"})
		if err == nil {
			id = c.ID
		}
		done <- err
	}()
	queued(t, &b.writes, 1)
	go func() { done <- b.update(func(*bbolt.Tx) error { return ErrConversationFull }) }()
	queued(t, &b.writes, 2)
	close(release)
	var errs []error
	for range 3 {
		errs = append(errs, <-done)
	}
	if n := len(slices.DeleteFunc(errs, func(err error) bool { return err == nil })); n != 1 {
		t.Fatalf("errors %v, want the failing write's only", errs)
	}
	ex, err := b.Forget(ctx, "lea@exemple.fr", false)
	if err != nil || len(ex.Conversations) != 1 || ex.Conversations[0].ID != id {
		t.Errorf("forget after a retried batch: %+v, %v, want the conversation %s", ex, err, id)
	}
}
