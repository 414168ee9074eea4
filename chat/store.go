package chat

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// Buckets chat owns in the shared bbolt file. Nobody else touches them.
var (
	bucketConversations = []byte("conversations")
	bucketStats         = []byte("stats")
	keyMeta             = []byte("meta")
	keyTurns            = []byte("turns")
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

	pending       string    // article waiting for an order
	pendingNumber string    // order number given, proof still to come
	attempts      int       // wrong order proofs
	offered       []string  // the choices of the last reply
	lastAnswer    string    // the article of the last answer
	lastQuestion  string    // the customer's words it answered
	lastRanked    []string  // the ranking behind it
	guessed       bool      // the other guesses were offered once
	orderAt       time.Time // when Order was proven
	proofEmail    string    // the e-mail that proved Order, if any
	client        string    // the client address of this turn (not stored)
	contactEmail  string    // the address typed in an e-mail request
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

// meta is what a conversation stores besides its turns.
type meta struct {
	ID            string    `json:"id"`
	Created       time.Time `json:"created"`
	Updated       time.Time `json:"updated"`
	Misses        int       `json:"misses"`
	Count         int       `json:"count"`
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
}

// Start creates a conversation and returns it. id is the customer the shop
// vouched for, or nil for an anonymous visitor.
func (b *Bot) Start(ctx context.Context, who *Identity) (*Conversation, error) {
	id, err := newID()
	if err != nil {
		return nil, err
	}
	now := b.opts.Now().UTC()
	m := meta{ID: id, Created: now, Updated: now, Identity: who}
	err = b.db.Update(func(tx *bbolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bucketConversations)
		if err != nil {
			return err
		}
		c, err := root.CreateBucket([]byte(id))
		if err != nil {
			return err
		}
		if _, err := c.CreateBucket(keyTurns); err != nil {
			return err
		}
		return putJSON(c, keyMeta, m)
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
	err := b.db.View(func(tx *bbolt.Tx) error {
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
// next reply needs, read without decoding every past turn.
func (b *Bot) state(id string) (*Conversation, error) {
	var conv *Conversation
	err := b.db.View(func(tx *bbolt.Tx) error {
		c := convBucket(tx, id)
		if c == nil {
			return ErrNotFound
		}
		var err error
		conv, err = readMeta(c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read conversation state: %w", err)
	}
	return conv, nil
}

func readMeta(c *bbolt.Bucket) (*Conversation, error) {
	var m meta
	if err := json.Unmarshal(c.Get(keyMeta), &m); err != nil {
		return nil, fmt.Errorf("decode meta: %w", err)
	}
	return &Conversation{ID: m.ID, Created: m.Created, Updated: m.Updated, Misses: m.Misses, Identity: m.Identity,
		Order: m.Order, Turns: []Turn{}, pending: m.Pending, pendingNumber: m.PendingNumber, attempts: m.Attempts,
		offered: m.Offered, lastAnswer: m.LastAnswer, lastQuestion: m.LastQuestion, lastRanked: m.LastRanked, guessed: m.Guessed, Mode: m.Mode, Agent: m.Agent,
		Assignee: m.Assignee, orderAt: m.OrderAt, proofEmail: m.ProofEmail, contactEmail: m.ContactEmail}, nil
}

func readConversation(tx *bbolt.Tx, id string) (*Conversation, error) {
	c := convBucket(tx, id)
	if c == nil {
		return nil, ErrNotFound
	}
	conv, err := readMeta(c)
	if err != nil {
		return nil, err
	}
	err = c.Bucket(keyTurns).ForEach(func(_, v []byte) error {
		var t Turn
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("decode turn: %w", err)
		}
		conv.Turns = append(conv.Turns, t)
		return nil
	})
	return conv, err
}

func convBucket(tx *bbolt.Tx, id string) *bbolt.Bucket {
	root := tx.Bucket(bucketConversations)
	if root == nil || id == "" {
		return nil
	}
	return root.Bucket([]byte(id))
}

// addTurn appends a turn, saves the conversation's state (as Decide left
// it) and counters, and the global statistics, in one transaction.
// rev, when not nil, is stored with the turn for editors (see Review).
func (b *Bot) addTurn(conv *Conversation, t Turn, rev *Review) error {
	err := b.db.Update(func(tx *bbolt.Tx) error {
		if err := appendTurn(tx, conv, t); err != nil {
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
	return nil
}

// appendTurn does addTurn's work inside tx.
func appendTurn(tx *bbolt.Tx, conv *Conversation, t Turn) error {
	c := convBucket(tx, conv.ID)
	if c == nil {
		return ErrNotFound
	}
	err := updateMeta(c, func(m *meta) error {
		if m.Count >= maxTurns {
			return ErrConversationFull
		}
		turns := c.Bucket(keyTurns)
		seq, err := turns.NextSequence()
		if err != nil {
			return err
		}
		if err := putJSON(turns, seqKey(seq), t); err != nil {
			return err
		}
		saveState(m, conv, t)
		return nil
	})
	if err != nil {
		return err
	}
	if t.From == "notice" {
		return nil // the service speaking, not a turn of the chat
	}
	return count(tx, t.Reply)
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
	m.Offered = m.Offered[:0]
	for _, ch := range t.Reply.Choices {
		m.Offered = append(m.Offered, ch.ID)
	}
}

// updateMeta reads a conversation's meta, lets change modify it, and
// writes it back unless change fails.
func updateMeta(c *bbolt.Bucket, change func(*meta) error) error {
	var m meta
	if err := json.Unmarshal(c.Get(keyMeta), &m); err != nil {
		return fmt.Errorf("decode meta: %w", err)
	}
	if err := change(&m); err != nil {
		return err
	}
	return putJSON(c, keyMeta, m)
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
	err := b.db.View(func(tx *bbolt.Tx) error {
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

func putJSON(b *bbolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
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
