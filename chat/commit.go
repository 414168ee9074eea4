package chat

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"go.etcd.io/bbolt"
)

// committer is the one writer of chat's buckets: callers hand it a
// function and wait, and it runs whatever is pending in one bbolt
// transaction, so that concurrent turns share one commit (and its
// fdatasyncs). The next batch starts as soon as the previous commit ends,
// with no timer: unlike bbolt's Batch, a lone write waits for nobody.
//
// Its goroutine runs only while there is work and exits when the queue is
// empty, so that a Bot nobody closes leaks nothing.
type committer struct {
	db      *bbolt.DB
	mu      sync.Mutex
	pending []*pendingWrite
	running bool
	idle    sync.Cond // signalled when running becomes false
	// commits counts the transactions committed, for the benchmarks.
	commits atomic.Int64
}

type pendingWrite struct {
	fn   func(*bbolt.Tx) error
	done chan writeResult
}

type writeResult struct {
	err      error
	panicked any
}

// errPanicked stands for a function of the batch that panicked; it is
// re-raised in its caller's goroutine, where the service's recover
// middleware turns it into a 500, instead of killing the writer.
var errPanicked = errors.New("write panicked")

// update runs fn in a write transaction shared with the other pending
// writes and returns once that transaction is durable. fn may run more
// than once (when another function of its batch fails, the batch is
// retried without it), so it must set, not accumulate, what it reports
// to its caller.
func (c *committer) update(fn func(*bbolt.Tx) error) error {
	w := &pendingWrite{fn: fn, done: make(chan writeResult, 1)}
	c.mu.Lock()
	c.pending = append(c.pending, w)
	if !c.running {
		c.running = true
		go c.run()
	}
	c.mu.Unlock()
	res := <-w.done
	if res.panicked != nil {
		panic(res.panicked)
	}
	return res.err
}

// run commits batches until nothing is pending.
func (c *committer) run() {
	for {
		c.mu.Lock()
		batch := c.pending
		c.pending = nil
		if len(batch) == 0 {
			c.running = false
			c.idleCond().Broadcast()
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.commit(batch)
	}
}

// commit runs batch in one transaction. A function that fails is answered
// with its error and the batch is retried without it, so that it sinks no
// other write; an error of the commit itself goes to every caller.
func (c *committer) commit(batch []*pendingWrite) {
	for len(batch) > 0 {
		failed := -1
		var res writeResult
		err := c.db.Update(func(tx *bbolt.Tx) error {
			for i, w := range batch {
				if res = call(w.fn, tx); res.err != nil {
					failed = i
					return res.err
				}
			}
			return nil
		})
		if failed >= 0 {
			batch[failed].done <- res
			batch = slices.Delete(batch, failed, failed+1)
			continue
		}
		if err == nil {
			c.commits.Add(1)
		}
		for _, w := range batch {
			w.done <- writeResult{err: err}
		}
		return
	}
}

// call runs fn, turning a panic into an error for its caller alone.
func call(fn func(*bbolt.Tx) error, tx *bbolt.Tx) (res writeResult) {
	defer func() {
		if p := recover(); p != nil {
			res = writeResult{err: fmt.Errorf("%w: %v", errPanicked, p), panicked: p}
		}
	}()
	return writeResult{err: fn(tx)}
}

// wait returns once no batch is being committed or pending.
func (c *committer) wait() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.running {
		c.idleCond().Wait()
	}
}

// idleCond returns the condition of c.mu, set up on first use; c.mu is held.
func (c *committer) idleCond() *sync.Cond {
	if c.idle.L == nil {
		c.idle.L = &c.mu
	}
	return &c.idle
}

// update runs fn in the group commit, once the data dir has the current
// layout.
func (b *Bot) update(fn func(*bbolt.Tx) error) error {
	if err := b.migrate(); err != nil {
		return err
	}
	return b.writes.update(fn)
}

// view runs fn in a read transaction, once the data dir has the current
// layout.
func (b *Bot) view(fn func(*bbolt.Tx) error) error {
	if err := b.migrate(); err != nil {
		return err
	}
	return b.db.View(fn)
}
