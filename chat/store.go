package chat

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/nlu"
)

// Buckets chat owns in the shared bbolt file. Nobody else touches them.
// A conversation is flat records under its 16-byte id (convKey), so that a
// turn appends one record (with the conversation's state after it) on its
// transcript's page and, most of the time, touches no other page of
// chat's:
//
//	chat_conversations  id                -> meta (JSON), as of its Count-th turn
//	chat_turns          id | seq (uint32) -> turnRecord (JSON), seq from 1
//	chat_notes          id | seq (uint64) -> Note (JSON)
//	chat_updated        updated (unix ns rounded up to 10 min, uint64) | id -> nothing: retention, the inbox
//	chat_customers      "e:" e-mail, "c:" customer id or "o:" order | 0 | id -> nothing: forgetting a customer
//	stats               name -> uint64 counters
var (
	bucketConvs     = []byte("chat_conversations")
	bucketTurns     = []byte("chat_turns")
	bucketNotes     = []byte("chat_notes")
	bucketUpdated   = []byte("chat_updated")
	bucketCustomers = []byte("chat_customers")
	bucketStats     = []byte("stats")
)

// maxTurns bounds a conversation so that a script cannot grow one without
// limit; the customer is told to start a new one.
const maxTurns = 500

// Conversation is a chat between a customer and the bot.
type Conversation struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Misses counts the bot's consecutive misses.
	Misses int `json:"misses"`
	// Identity is the customer the shop vouched for, if any.
	Identity *Identity `json:"identity,omitempty"`
	// Order is the order verified in this conversation, if any.
	Order string `json:"order,omitempty"`
	// Mode says who answers: the bot (""), "waiting" for an agent, or
	// "agent" (named in Agent).
	Mode  string `json:"mode,omitempty"`
	Agent string `json:"agent,omitempty"`
	// Assignee is the agent the conversation is assigned to, if any.
	Assignee string `json:"assignee,omitempty"`
	Turns    []Turn `json:"turns"`

	pending       string     // article waiting for an order
	pendingNumber string     // order number given, proof still to come
	attempts      int        // wrong order proofs
	offered       []string   // the choices of the last reply
	lastAnswer    string     // the article of the last answer
	lastQuestion  string     // the customer's words it answered
	lastRanked    []string   // the ranking behind it
	guessed       bool       // the other guesses were offered once
	orderAt       time.Time  // when Order was proven
	proofEmail    string     // the e-mail that proved Order, if any
	client        string     // the client address of this turn (not stored)
	contactEmail  string     // the address typed in an e-mail request
	read          *stateRead // the state as read, for the turn's write (not stored)
}

// Turn is one customer message and the bot's reply.
type Turn struct {
	At     time.Time `json:"at"`
	Text   string    `json:"text"`
	Choice string    `json:"choice,omitempty"`
	// From is who wrote: the customer (with the bot's reply), or an agent
	// (named in Agent, the message in Reply).
	From  string `json:"from,omitempty"`
	Agent string `json:"agent,omitempty"`
	Reply Reply  `json:"reply"`
	// Attachment is a file the customer or the agent sent, if any.
	Attachment *Attachment `json:"attachment,omitempty"`
}

// meta is what a conversation stores besides its turns. The fields a
// turn's record leaves out of its state (see turnRecord) are omitted when
// zero.
type meta struct {
	ID            string    `json:"id,omitempty"`
	Created       time.Time `json:"created,omitzero"`
	Updated       time.Time `json:"updated,omitzero"`
	Misses        int       `json:"misses,omitempty"`
	Count         int       `json:"count,omitempty"`
	Identity      *Identity `json:"identity,omitempty"`
	Order         string    `json:"order,omitempty"`
	Pending       string    `json:"pending,omitempty"`
	PendingNumber string    `json:"pending_number,omitempty"`
	Attempts      int       `json:"attempts,omitempty"`
	Offered       []string  `json:"offered,omitempty"`
	LastAnswer    string    `json:"last_answer,omitempty"`
	LastQuestion  string    `json:"last_question,omitempty"`
	LastRanked    []string  `json:"last_ranked,omitempty"`
	Guessed       bool      `json:"guessed,omitempty"`
	Mode          string    `json:"mode,omitempty"`
	Agent         string    `json:"agent,omitempty"`
	OrderAt       time.Time `json:"order_at,omitzero"`
	ProofEmail    string    `json:"proof_email,omitempty"`
	ContactEmail  string    `json:"contact_email,omitempty"`
	Assignee      string    `json:"assignee,omitempty"`
	// Index lists the chat_customers entries written for the
	// conversation, so that deleting it leaves none behind.
	Index []string `json:"ix,omitempty"`
}

// Start creates a conversation and returns it. id is the customer the shop
// vouched for, or nil for an anonymous visitor.
func (b *Bot) Start(ctx context.Context, who *Identity) (*Conversation, error) {
	id, err := newID()
	if err != nil {
		return nil, err
	}
	now := b.opts.Now().UTC()
	err = b.update(func(tx *bbolt.Tx) error {
		key, _ := convKey(id)
		m := meta{ID: id, Created: now, Updated: now, Identity: who} // afresh if the batch is retried
		return putMeta(tx, key, nil, &m, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("start conversation: %w", err)
	}
	return &Conversation{ID: id, Created: now, Updated: now, Identity: who, Turns: []Turn{}}, nil
}

// Conversation returns a conversation with its whole transcript, or
// ErrNotFound.
func (b *Bot) Conversation(ctx context.Context, id string) (*Conversation, error) {
	var conv *Conversation
	err := b.view(func(tx *bbolt.Tx) error {
		var err error
		conv, err = readConversation(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read conversation: %w", err)
	}
	return conv, nil
}

// state returns a conversation without its transcript: what deciding the
// next reply needs, read without decoding every past turn. It keeps what
// it read, so that the turn's write reuses it (see stateRead).
func (b *Bot) state(id string) (*Conversation, error) {
	var conv *Conversation
	err := b.view(func(tx *bbolt.Tx) error {
		key, ok := convKey(id)
		if !ok {
			return ErrNotFound
		}
		r := b.states.get(id)
		if !r.current(tx, key) {
			var err error
			if r, err = readMeta(tx, key); err != nil {
				return err
			}
		}
		conv = toConversation(&r.m)
		conv.read = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read conversation state: %w", err)
	}
	return conv, nil
}

// stateRead is the state of a conversation with what it was read from:
// the sequence of its last turn and a copy of its record in
// chat_conversations. Turn records are never rewritten, so while both are
// unchanged the state is too, and the write transaction of a turn reuses
// the state Send read instead of decoding it again.
type stateRead struct {
	m   meta
	seq int
	rec []byte
}

// readMeta is getMeta keeping what the state was read from.
func readMeta(tx *bbolt.Tx, key []byte) (*stateRead, error) {
	m, err := getMeta(tx, key)
	if err != nil {
		return nil, err
	}
	seq, _ := lastTurn(tx, key)
	return &stateRead{m: *m, seq: seq, rec: slices.Clone(tx.Bucket(bucketConvs).Get(key))}, nil
}

// current tells whether r (which may be nil) is still the state of the
// conversation under key.
func (r *stateRead) current(tx *bbolt.Tx, key []byte) bool {
	if r == nil {
		return false
	}
	bk := tx.Bucket(bucketConvs)
	if bk == nil || !bytes.Equal(bk.Get(key), r.rec) {
		return false
	}
	seq, _ := lastTurn(tx, key)
	return seq == r.seq
}

// currentMeta is getMeta, reusing r (which may be nil) when the
// conversation under key has not changed since r was read.
func currentMeta(tx *bbolt.Tx, key []byte, r *stateRead) (*meta, error) {
	if r.current(tx, key) {
		m := r.m
		m.Index = slices.Clip(m.Index) // putIndexes appends: r stays as read
		return &m, nil
	}
	return getMeta(tx, key)
}

// stateCache keeps, per conversation, the state its last turn wrote, so
// that the next turn's read (Bot.state) finds it without decoding it
// again; it is used only while current (see stateRead). Conversations
// hash onto a fixed set of slots: memory stays bounded, and a slot taken
// by another conversation only costs a decode.
type stateCache [1024]stateSlot

type stateSlot struct {
	mu sync.Mutex
	id string
	r  *stateRead
}

func (c *stateCache) slot(id string) *stateSlot {
	h := fnv.New32a()
	h.Write([]byte(id))
	return &c[h.Sum32()%uint32(len(c))]
}

// get returns the state kept for conversation id, or nil.
func (c *stateCache) get(id string) *stateRead {
	s := c.slot(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.id != id {
		return nil
	}
	return s.r
}

// put keeps r, which nobody changes any more, for conversation id.
func (c *stateCache) put(id string, r *stateRead) {
	s := c.slot(id)
	s.mu.Lock()
	s.id, s.r = id, r
	s.mu.Unlock()
}

// convKey is the key of conversation id: its 16 bytes. An id that is not
// one of ours has none.
func convKey(id string) ([]byte, bool) {
	if len(id) != 32 {
		return nil, false
	}
	k, err := hex.DecodeString(id)
	return k, err == nil
}

// turnRecord is a turn as stored in chat_turns: the turn and the state of
// its conversation after it, so that a turn appends one record and leaves
// the conversation's record in chat_conversations (another page) alone.
// The state leaves out what the rest gives: the id and creation (the
// conversation's record), Count (the key), Updated (At) and Offered (the
// reply's choices). Records of earlier versions have no State.
type turnRecord struct {
	Turn
	State *meta `json:"s,omitempty"`
}

// turnState is what getMeta reads of a turnRecord.
type turnState struct {
	At    time.Time `json:"at"`
	Reply struct {
		Choices []Choice `json:"choices"`
	} `json:"reply"`
	State *meta `json:"s"`
}

// getMeta reads the state of the conversation under key, or ErrNotFound:
// its record in chat_conversations or, when turns came after that was
// written, the state its last turn stored.
func getMeta(tx *bbolt.Tx, key []byte) (*meta, error) {
	bk := tx.Bucket(bucketConvs)
	if bk == nil {
		return nil, ErrNotFound
	}
	v := bk.Get(key)
	if v == nil {
		return nil, ErrNotFound
	}
	var m meta
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, fmt.Errorf("decode meta: %w", err)
	}
	if seq, tv := lastTurn(tx, key); seq > m.Count {
		var rec turnState
		if err := json.Unmarshal(tv, &rec); err != nil {
			return nil, fmt.Errorf("decode turn state: %w", err)
		}
		if s := rec.State; s != nil {
			s.ID, s.Created, s.Count, s.Updated, s.Offered = m.ID, m.Created, seq, rec.At, nil
			for _, ch := range rec.Reply.Choices {
				s.Offered = append(s.Offered, ch.ID)
			}
			return s, nil
		}
	}
	return &m, nil
}

// lastTurn returns the sequence and record of the last turn of the
// conversation under key, or 0 when it has none.
func lastTurn(tx *bbolt.Tx, key []byte) (int, []byte) {
	bk := tx.Bucket(bucketTurns)
	if bk == nil {
		return 0, nil
	}
	k, v := seekLastTurn(bk.Cursor(), key)
	if len(k) != len(key)+4 || !bytes.HasPrefix(k, key) {
		return 0, nil
	}
	return int(binary.BigEndian.Uint32(k[len(key):])), v
}

// seekLastTurn puts c on the last turn of the conversation under key and
// returns it, or on the record before, of another conversation (or nil),
// when it has none: walking back with c.Prev reads its turns newest first.
func seekLastTurn(c *bbolt.Cursor, key []byte) ([]byte, []byte) {
	end := turnKey(key, math.MaxUint32)
	k, v := c.Seek(end)
	if k == nil {
		return c.Last()
	}
	if !bytes.Equal(k, end) {
		return c.Prev()
	}
	return k, v
}

// putMeta writes m under key with the indexes that follow from it (see
// putIndexes).
func putMeta(tx *bbolt.Tx, key []byte, old, m *meta, mentions []string) error {
	if err := putIndexes(tx, key, old, m, mentions); err != nil {
		return err
	}
	bk, err := tx.CreateBucketIfNotExists(bucketConvs)
	if err != nil {
		return err
	}
	return putJSON(bk, key, m)
}

// putIndexes writes the index entries of m, the state of the conversation
// under key: the time of its last activity (old is the state before, nil
// for a new conversation) and the customer it is about, plus mentions
// (e-mails and order numbers the customer typed), which it adds to
// m.Index. Entries already there are not rewritten, so that most turns
// touch no index page.
func putIndexes(tx *bbolt.Tx, key []byte, old, m *meta, mentions []string) error {
	if old == nil || !bytes.Equal(updatedKey(old.Updated, nil), updatedKey(m.Updated, nil)) {
		idx, err := tx.CreateBucketIfNotExists(bucketUpdated)
		if err != nil {
			return err
		}
		if idx.Sequence() == 0 { // created now: its keys are of this layout
			if err := idx.SetSequence(updatedLayout); err != nil {
				return err
			}
		}
		if old != nil {
			if err := idx.Delete(updatedKey(old.Updated, key)); err != nil {
				return err
			}
		}
		if err := idx.Put(updatedKey(m.Updated, key), nil); err != nil {
			return err
		}
	}
	var who []string
	if m.Identity != nil {
		who = append(who, "e:"+strings.ToLower(m.Identity.Email), "c:"+m.Identity.CustomerID)
	}
	who = append(who, "e:"+strings.ToLower(m.ProofEmail), "e:"+strings.ToLower(m.ContactEmail), "o:"+strings.ToLower(m.Order))
	who = append(who, mentions...)
	var cust *bbolt.Bucket
	for _, w := range who {
		if len(w) == 2 || slices.Contains(m.Index, w) {
			continue // nothing known, or already indexed
		}
		if cust == nil {
			var err error
			if cust, err = tx.CreateBucketIfNotExists(bucketCustomers); err != nil {
				return err
			}
		}
		if err := cust.Put(customerKey(w, key), nil); err != nil {
			return err
		}
		m.Index = append(m.Index, w)
	}
	return nil
}

// updatedEvery is how precisely chat_updated sorts conversations: their
// last activity rounded up to it, so that the turns of a conversation
// within the same ten minutes leave its entry (and that page) alone.
// Readers filter on the exact time, in the conversation's state.
const updatedEvery = 10 * time.Minute

// updatedLayout is chat_updated's sequence once its keys are rounded to
// updatedEvery (before, they held the exact time).
const updatedLayout = 1

// updatedKey sorts conversations by their last activity, rounded up to
// updatedEvery: a conversation active at or after t has a key at or after
// updatedKey(t, nil), and one with a key before it was last active before
// t.
func updatedKey(t time.Time, key []byte) []byte {
	var ns uint64
	if t.Unix() > 0 { // before 1970 (the zero time): first
		ns = uint64(t.Add(updatedEvery - 1).Truncate(updatedEvery).UnixNano())
	}
	return append(binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(key)), ns), key...)
}

func customerKey(who string, key []byte) []byte {
	return append(append([]byte(who), 0), key...)
}

// mentionsOf are the customer index entries for what a customer typed:
// e-mail addresses and order numbers (normalised, and as typed).
func mentionsOf(text string) []string {
	if !strings.ContainsAny(text, "@0123456789") {
		return nil
	}
	var out []string
	for _, e := range nlu.Extract(text) {
		switch e.Kind {
		case nlu.EntityEmail:
			out = append(out, "e:"+e.Value)
		case nlu.EntityOrder:
			out = append(out, "o:"+e.Value)
			if t := strings.ToLower(e.Text); t != e.Value {
				out = append(out, "o:"+t)
			}
		}
	}
	return out
}

// customerConvs returns the ids of the conversations indexed under who
// ("e:" e-mail, "c:" customer id, "o:" order number).
func customerConvs(tx *bbolt.Tx, who string) []string {
	bk := tx.Bucket(bucketCustomers)
	if bk == nil || len(who) == 2 {
		return nil
	}
	var out []string
	prefix := append([]byte(who), 0)
	c := bk.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if rest := k[len(prefix):]; len(rest) == 16 {
			out = append(out, hex.EncodeToString(rest))
		}
	}
	return out
}

func toConversation(m *meta) *Conversation {
	return &Conversation{ID: m.ID, Created: m.Created, Updated: m.Updated, Misses: m.Misses, Identity: m.Identity,
		Order: m.Order, Turns: []Turn{}, pending: m.Pending, pendingNumber: m.PendingNumber, attempts: m.Attempts,
		offered: m.Offered, lastAnswer: m.LastAnswer, lastQuestion: m.LastQuestion, lastRanked: m.LastRanked, guessed: m.Guessed, Mode: m.Mode, Agent: m.Agent,
		Assignee: m.Assignee, orderAt: m.OrderAt, proofEmail: m.ProofEmail, contactEmail: m.ContactEmail}
}

// readState reads a conversation without its turns.
func readState(tx *bbolt.Tx, id string) (*Conversation, error) {
	key, ok := convKey(id)
	if !ok {
		return nil, ErrNotFound
	}
	m, err := getMeta(tx, key)
	if err != nil {
		return nil, err
	}
	return toConversation(m), nil
}

func readConversation(tx *bbolt.Tx, id string) (*Conversation, error) {
	conv, err := readState(tx, id)
	if err != nil {
		return nil, err
	}
	key, _ := convKey(id)
	err = forTurns(tx, key, func(t Turn) error {
		conv.Turns = append(conv.Turns, t)
		return nil
	})
	return conv, err
}

// forTurns calls fn with each turn of the conversation under key, oldest
// first, until fn fails or returns errStop.
func forTurns(tx *bbolt.Tx, key []byte, fn func(Turn) error) error {
	bk := tx.Bucket(bucketTurns)
	if bk == nil {
		return nil
	}
	c := bk.Cursor()
	for k, v := c.Seek(key); k != nil && bytes.HasPrefix(k, key); k, v = c.Next() {
		var t Turn
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("decode turn: %w", err)
		}
		if err := fn(t); errors.Is(err, errStop) {
			return nil
		} else if err != nil {
			return err
		}
	}
	return nil
}

// errStop ends a forTurns walk early without error.
var errStop = errors.New("stop")

// eachTurn calls fn with the customer and agent turns (not the service's
// notices) written after since, conversation by conversation in the order
// of their last activity to ten minutes (chat_updated), each
// conversation's turns oldest first. Only the conversations active since
// then are read, and of each only its newest turns.
func eachTurn(tx *bbolt.Tx, since time.Time, fn func(convID string, t Turn) error) error {
	idx, turns := tx.Bucket(bucketUpdated), tx.Bucket(bucketTurns)
	if idx == nil || turns == nil {
		return nil
	}
	ic := idx.Cursor()
	for k, _ := ic.Seek(updatedKey(since, nil)); k != nil; k, _ = ic.Next() {
		if len(k) != 8+16 {
			continue
		}
		key := k[8:]
		id := hex.EncodeToString(key)
		// Walk back from the newest turn to the first one not after since.
		var recent []Turn
		tc := turns.Cursor()
		tk, tv := seekLastTurn(tc, key)
		for ; tk != nil && bytes.HasPrefix(tk, key); tk, tv = tc.Prev() {
			var t Turn
			if err := json.Unmarshal(tv, &t); err != nil {
				return fmt.Errorf("decode turn: %w", err)
			}
			if !t.At.After(since) {
				break
			}
			if t.From != "notice" {
				recent = append(recent, t)
			}
		}
		for i := len(recent) - 1; i >= 0; i-- {
			if err := fn(id, recent[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// addTurn appends a turn, saves the conversation's state (as Decide left
// it) and counters, and the global statistics, in one transaction.
// rev, when not nil, is stored with the turn for editors (see Review).
func (b *Bot) addTurn(conv *Conversation, t Turn, rev *Review) error {
	mentions := turnMentions(t) // before the write: the writer is shared
	var written *stateRead
	err := b.update(func(tx *bbolt.Tx) error {
		var err error
		if written, err = appendTurn(tx, conv, t, mentions); err != nil {
			return err
		}
		if err := b.report(tx, conv, t); err != nil {
			return err
		}
		if rev == nil {
			return nil
		}
		return putReview(tx, rev)
	})
	if err != nil {
		return fmt.Errorf("add turn: %w", err)
	}
	b.states.put(conv.ID, written)
	return nil
}

// appendTurn does addTurn's work inside tx: the turn under the next
// sequence of its conversation with the conversation's state after it (in
// one record), the index entries that state and mentions (turnMentions of
// t) need, and the per-turn accounting. It returns the state it wrote,
// as getMeta reads it back.
func appendTurn(tx *bbolt.Tx, conv *Conversation, t Turn, mentions []string) (*stateRead, error) {
	key, ok := convKey(conv.ID)
	if !ok {
		return nil, ErrNotFound
	}
	m, err := currentMeta(tx, key, conv.read)
	if err != nil {
		return nil, err
	}
	if m.Count >= maxTurns {
		return nil, ErrConversationFull
	}
	old := *m
	saveState(m, conv, t)
	if err := putIndexes(tx, key, &old, m, mentions); err != nil {
		return nil, err
	}
	turns, err := tx.CreateBucketIfNotExists(bucketTurns)
	if err != nil {
		return nil, err
	}
	state := *m
	state.ID, state.Created, state.Count, state.Updated, state.Offered = "", time.Time{}, 0, time.Time{}, nil
	if err := putJSON(turns, turnKey(key, uint32(m.Count)), turnRecord{Turn: t, State: &state}); err != nil {
		return nil, err
	}
	written := &stateRead{m: *m, seq: m.Count, rec: slices.Clone(tx.Bucket(bucketConvs).Get(key))}
	if t.From == "notice" {
		return written, nil // the service speaking, not a turn of the chat
	}
	// Per-turn accounting, inside the turn's transaction.
	return written, count(tx, t.Reply)
}

// turnMentions are the customer index entries for what the customer
// typed in t (see mentionsOf).
func turnMentions(t Turn) []string {
	if t.From == "" || t.From == "customer" {
		return mentionsOf(t.Text)
	}
	return nil
}

// turnKey is the key of the seq-th turn of the conversation under key.
func turnKey(key []byte, seq uint32) []byte {
	return binary.BigEndian.AppendUint32(append(make([]byte, 0, len(key)+4), key...), seq)
}

// saveState counts the turn t in m and saves the state Decide left in conv,
// in which an answer becomes the last answer.
func saveState(m *meta, conv *Conversation, t Turn) {
	m.Count++
	m.Updated = t.At
	switch t.Reply.Outcome {
	case OutcomeMiss:
		m.Misses++
	case OutcomeAnswer:
		m.Misses = 0
		conv.lastAnswer, conv.lastRanked, conv.lastQuestion = t.Reply.ArticleID, t.Reply.Ranked, t.Text
	default:
		m.Misses = 0
	}
	m.Order, m.Pending, m.PendingNumber, m.Attempts = conv.Order, conv.pending, conv.pendingNumber, conv.attempts
	m.LastAnswer, m.LastQuestion, m.LastRanked, m.Guessed = conv.lastAnswer, conv.lastQuestion, conv.lastRanked, conv.guessed
	m.OrderAt, m.ProofEmail = conv.orderAt, conv.proofEmail
	m.Offered = nil
	for _, ch := range t.Reply.Choices {
		m.Offered = append(m.Offered, ch.ID)
	}
}

// updateMeta reads a conversation's state, lets change modify it, and
// writes it back unless change fails.
func updateMeta(tx *bbolt.Tx, id string, change func(*meta) error) error {
	key, ok := convKey(id)
	if !ok {
		return ErrNotFound
	}
	m, err := getMeta(tx, key)
	if err != nil {
		return err
	}
	old := *m
	if err := change(m); err != nil {
		return err
	}
	return putMeta(tx, key, &old, m, nil)
}

// deleteConversation deletes a conversation: its state, turns, notes,
// index entries and its answer to the effort question.
func deleteConversation(tx *bbolt.Tx, id string) error {
	key, ok := convKey(id)
	if !ok {
		return ErrNotFound
	}
	m, err := getMeta(tx, key)
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bucketTurns, bucketNotes} {
		if err := deletePrefix(tx.Bucket(name), key); err != nil {
			return err
		}
	}
	if eff := tx.Bucket(bucketEffort); eff != nil {
		if err := eff.Delete([]byte(id)); err != nil {
			return err
		}
	}
	if idx := tx.Bucket(bucketUpdated); idx != nil {
		if err := idx.Delete(updatedKey(m.Updated, key)); err != nil {
			return err
		}
	}
	if cust := tx.Bucket(bucketCustomers); cust != nil {
		for _, w := range m.Index {
			if err := cust.Delete(customerKey(w, key)); err != nil {
				return err
			}
		}
	}
	return tx.Bucket(bucketConvs).Delete(key)
}

// deletePrefix deletes the records of bk whose key starts with prefix.
func deletePrefix(bk *bbolt.Bucket, prefix []byte) error {
	if bk == nil {
		return nil
	}
	var keys [][]byte
	c := bk.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, slices.Clone(k))
	}
	for _, k := range keys {
		if err := bk.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// seqKey is the key of the n-th record of a bucket: big-endian, so that
// keys sort in the order records were added.
func seqKey(n uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, n)
}

func count(tx *bbolt.Tx, r Reply) error {
	s, err := tx.CreateBucketIfNotExists(bucketStats)
	if err != nil {
		return err
	}
	keys := []string{"turns", "outcome:" + string(r.Outcome)}
	if r.OrderError != nil {
		keys = append(keys, "orders_unavailable")
	}
	for _, k := range keys {
		var n uint64
		if v := s.Get([]byte(k)); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], n+1)
		if err := s.Put([]byte(k), buf[:]); err != nil {
			return err
		}
	}
	return nil
}

// Stats counts the turns and each outcome since the data dir was created;
// "miss" is the number of questions the bot could not answer.
type Stats struct {
	Turns    uint64            `json:"turns"`
	Outcomes map[string]uint64 `json:"outcomes"`
	// OrdersUnavailable counts the turns where the order system could not
	// be checked.
	OrdersUnavailable uint64 `json:"orders_unavailable"`
}

// Stats returns the counters.
func (b *Bot) Stats(ctx context.Context) (*Stats, error) {
	st := &Stats{Outcomes: map[string]uint64{}}
	err := b.view(func(tx *bbolt.Tx) error {
		s := tx.Bucket(bucketStats)
		if s == nil {
			return nil
		}
		return s.ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return nil
			}
			n := binary.BigEndian.Uint64(v)
			if string(k) == "turns" {
				st.Turns = n
			} else if string(k) == "orders_unavailable" {
				st.OrdersUnavailable = n
			} else if len(k) > 8 && string(k[:8]) == "outcome:" {
				st.Outcomes[string(k[8:])] = n
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read stats: %w", err)
	}
	return st, nil
}

// putJSON stores v as JSON, without escaping <, > and & (the values are
// never served as they are stored): a turn's HTML reply takes a third less
// room than with encoding/json's default escapes.
func putJSON(b *bbolt.Bucket, key []byte, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return b.Put(key, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// newID returns an unguessable conversation id: the id is all a visitor
// needs to read a transcript.
func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// WithoutProof is the conversation as anyone holding only its id may see
// it: answers that were written for a verified order become a notice
// (they named the order, its status and its contents), the identity and
// the order are dropped, and the personal data typed in messages (e-mails,
// phone and order numbers, postcodes) are masked. The customer sees it all
// again while a current proof comes with the request.
func WithoutProof(c *Conversation) *Conversation {
	out := *c
	out.Identity, out.Order = nil, ""
	out.Turns = make([]Turn, len(c.Turns))
	for i, t := range c.Turns {
		t.Text = maskPersonal(t.Text)
		if t.Reply.Order != nil {
			t.Reply = Reply{Outcome: t.Reply.Outcome, ArticleID: t.Reply.ArticleID, Title: t.Reply.Title,
				Text: msgTailoredHidden, HTML: paragraph(msgTailoredHidden)}
		}
		out.Turns[i] = t
	}
	return &out
}
