package learn

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/kb"
)

// Errors a caller can act on.
var (
	// ErrNotFound: no draft test with this id for this person (or it
	// expired).
	ErrNotFound = errors.New("draft test not found")
	// ErrBusy: too many draft tests are waiting to run.
	ErrBusy = errors.New("too many draft tests waiting")
)

// The states of a draft test, in order.
const (
	StateQueued   = "queued"   // waiting for the one before it
	StateTraining = "training" // training a matcher on the draft
	StateRanking  = "ranking"  // ranking the past questions (Done of Total)
	StateDone     = "done"     // Result is set
	StateFailed   = "failed"   // Error says why
)

const (
	// keepTests is how long a finished draft test can be read.
	keepTests = 15 * time.Minute
	// maxWaiting bounds the draft tests not finished yet.
	maxWaiting = 8
	// testTimeout bounds one draft test.
	testTimeout = 2 * time.Minute
)

// Learner runs draft tests and lists the questions to learn from. Draft
// tests run one at a time (each uses every core while it ranks) and are
// kept in memory for a while: they are derived data, recomputed at will.
type Learner struct {
	bot  *chat.Bot
	kb   *kb.KB
	turn chan struct{} // held by the draft test running
	// base ends with Close, and with it every draft test; runs counts
	// those not finished.
	base context.Context
	stop context.CancelFunc
	runs sync.WaitGroup

	mu    sync.Mutex
	tests map[string]*draftTest
	// live caches the live verdicts on past questions and ranked the live
	// ranking's best ids, by question key, for the knowledge base state
	// liveOf (its article list): see fresh.
	live   map[string]Verdict
	ranked map[string][]string
	liveOf []*kb.Article
	used   map[*kb.Article]string // the start of each article's plain text (see agentArticle)
}

// New returns a learner over the bot's conversations and the live
// knowledge base. It does no I/O.
func New(bot *chat.Bot, k *kb.KB) *Learner {
	base, stop := context.WithCancel(context.Background())
	return &Learner{bot: bot, kb: k, turn: make(chan struct{}, 1), tests: map[string]*draftTest{}, base: base, stop: stop}
}

// Close stops the draft tests running or waiting, and waits for them to
// end (or for ctx): call it before closing the database they read.
func (l *Learner) Close(ctx context.Context) error {
	l.mu.Lock() // no test starts once stopped (see StartDraftTest)
	l.stop()
	l.mu.Unlock()
	done := make(chan struct{})
	go func() { l.runs.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop draft tests: %w", ctx.Err())
	}
}

// Status is where a draft test is.
type Status struct {
	ID    string `json:"id"`
	State string `json:"state"`
	// Questions is how many different past questions are tested; Done of
	// Total rankings are made (each question twice: live and with the
	// draft).
	Questions int   `json:"questions"`
	Done      int   `json:"done"`
	Total     int   `json:"total"`
	Result    *Diff `json:"result,omitempty"`
	// Error says, in French, why the test failed.
	Error string `json:"error,omitempty"`
	// Took is how long the test ran, in milliseconds, once done.
	Took int64 `json:"took_ms,omitempty"`
}

type draftTest struct {
	owner    string
	finished time.Time // zero while it runs

	state  atomic.Value // string
	asked  atomic.Int64
	done   atomic.Int64
	total  atomic.Int64
	result *Diff  // set with finished, under Learner.mu
	fail   string // idem
	took   time.Duration
}

// StartDraftTest validates the draft (see kb.KB.Draft) and, when it is
// valid, starts testing it on the past questions in the background. It
// returns the test's id, for Status; owner is who may read it.
func (l *Learner) StartDraftTest(owner, file string, source []byte, original string) (string, []*kb.ValidationError, error) {
	a, errs := l.kb.Draft(file, source, original)
	if len(errs) > 0 {
		return "", errs, nil
	}
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("draft test id: %w", err)
	}
	id := hex.EncodeToString(raw)
	t := &draftTest{owner: owner}
	t.state.Store(StateQueued)
	now := time.Now()
	l.mu.Lock()
	waiting := 0
	for k, x := range l.tests {
		switch {
		case x.finished.IsZero():
			waiting++
		case now.Sub(x.finished) > keepTests:
			delete(l.tests, k)
		}
	}
	if waiting >= maxWaiting || l.base.Err() != nil {
		l.mu.Unlock()
		return "", nil, ErrBusy
	}
	l.tests[id] = t
	l.runs.Add(1)
	l.mu.Unlock()
	go l.run(t, a, original)
	return id, nil, nil
}

// run tests the draft a; it owns t until it sets finished.
func (l *Learner) run(t *draftTest, a *kb.Article, original string) {
	defer l.runs.Done()
	ctx, cancel := context.WithTimeout(l.base, testTimeout)
	defer cancel()
	var d *Diff
	err := ctx.Err()
	select {
	case l.turn <- struct{}{}:
		defer func() { <-l.turn }()
	case <-ctx.Done():
		err = ctx.Err()
	}
	start := time.Now()
	if err == nil {
		d, err = l.test(ctx, t, a, original)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t.finished, t.took = time.Now(), time.Since(start)
	if err != nil {
		t.fail = msgTestFailed
		if errors.Is(err, context.DeadlineExceeded) {
			t.fail = msgTestTooLong
		}
		t.state.Store(StateFailed)
		return
	}
	t.result = d
	t.state.Store(StateDone)
}

// Messages of a failed draft test, for editors.
const (
	msgTestFailed  = "Le test du brouillon n’a pas pu aboutir. Réessayez ; si cela se reproduit, prévenez l’administrateur."
	msgTestTooLong = "Le test du brouillon a pris trop de temps et a été arrêté. Réessayez dans un moment."
)

// test is the draft test itself: the past questions grouped, ranked with
// the live knowledge base (while a matcher trains on the draft, on another
// core) and with the draft, and compared.
func (l *Learner) test(ctx context.Context, t *draftTest, a *kb.Article, original string) (*Diff, error) {
	qs, err := l.bot.PastQuestions(ctx, l.bot.Now().Add(-Window))
	if err != nil {
		return nil, err
	}
	g := newGrouper()
	for _, q := range qs {
		g.add(q.Text, q.At)
	}
	groups := g.groups()
	texts := make([]string, len(groups))
	for i, gr := range groups {
		texts[i] = gr.Text
	}
	t.asked.Store(int64(len(groups)))
	t.total.Store(int64(2 * len(groups)))
	t.state.Store(StateTraining)
	var before []Verdict
	var liveErr error
	live := make(chan struct{})
	go func() {
		defer close(live)
		before, liveErr = l.liveVerdicts(ctx, groups, texts, &t.done)
	}()
	trial := l.kb.Trial(a, original)
	<-live
	if liveErr != nil {
		return nil, liveErr
	}
	t.state.Store(StateRanking)
	after, err := verdicts(ctx, texts, trial, l.bot.Judge, runtime.GOMAXPROCS(0), &t.done)
	if err != nil {
		return nil, err
	}
	d := diff(groups, before, after, a.ID, original)
	d.Title = a.Title
	return d, nil
}

// liveVerdicts are the live knowledge base's verdicts on the groups, on one
// core: those of earlier draft tests are reused until the content changes.
func (l *Learner) liveVerdicts(ctx context.Context, groups []group, texts []string, done *atomic.Int64) ([]Verdict, error) {
	l.mu.Lock()
	l.fresh()
	cache := l.live
	out := make([]Verdict, len(groups))
	var todo []int
	for i, g := range groups {
		if v, ok := cache[g.Key]; ok {
			out[i] = v
			done.Add(1)
		} else {
			todo = append(todo, i)
		}
	}
	l.mu.Unlock()
	rest := make([]string, len(todo))
	for j, i := range todo {
		rest[j] = texts[i]
	}
	vs, err := verdicts(ctx, rest, l.kb, l.bot.Judge, 1, done)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for j, i := range todo {
		out[i] = vs[j]
		if len(l.live) < maxCached {
			cache[groups[i].Key] = vs[j]
		}
	}
	return out, nil
}

// fresh empties the caches when the content changed since they were
// filled. l.mu is held.
func (l *Learner) fresh() {
	arts := l.kb.Articles() // a new slice at each reload
	if l.live == nil || len(arts) != len(l.liveOf) || (len(arts) > 0 && &arts[0] != &l.liveOf[0]) {
		l.live, l.ranked, l.liveOf = map[string]Verdict{}, map[string][]string{}, arts
	}
}

// maxCached bounds the live verdicts kept between draft tests.
const maxCached = 50000

// Status returns where the draft test id of owner is.
func (l *Learner) Status(id, owner string) (*Status, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.tests[id]
	if !ok || t.owner != owner {
		return nil, ErrNotFound
	}
	s := &Status{ID: id, State: t.state.Load().(string), Questions: int(t.asked.Load()), Done: int(t.done.Load()), Total: int(t.total.Load()),
		Result: t.result, Error: t.fail}
	if !t.finished.IsZero() {
		s.Took = t.took.Milliseconds()
	}
	return s, nil
}

// Wait blocks until the draft test id is finished or ctx ends, and returns
// its status: for callers without a page to poll from (tests, the command
// line).
func (l *Learner) Wait(ctx context.Context, id, owner string) (*Status, error) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s, err := l.Status(id, owner)
		if err != nil || s.State == StateDone || s.State == StateFailed {
			return s, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}
