// Package reports owns the counters behind the managers' reports: per-day
// counters in its own bbolt buckets, kept incrementally as chat records
// each event inside the transaction that stores it, so that a report over
// a year reads a few hundred small buckets whatever the traffic.
//
// It also keeps a small state per conversation (what it became: resolved
// by the bot, handed to a person, re-contacted) and, per known customer or
// order, the last contact, so that a resolution is known to be durable
// once no new contact came within the window.
//
// It imports bbolt, orders (the status vocabulary) and nlu (grouping
// similar questions); never chat or server, and it never logs.
package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/orders"
)

// Buckets reports owns in the shared bbolt file. Nobody else touches them.
var (
	bucketDays     = []byte("report_days")          // one sub-bucket per day: counter -> int64
	bucketConvs    = []byte("report_conversations") // conversation id -> convState
	bucketContacts = []byte("report_contacts")      // digest of a customer or order -> lastContact
	bucketNames    = []byte("report_names")         // article id -> title
)

// Kind is what happened.
type Kind string

// The kinds of Event.
const (
	// KindTurn is a customer message the bot replied to (Outcome), maybe
	// an answer (Article) or a judgement of the last answer (Helpful).
	KindTurn Kind = "turn"
	// KindRelayed is a customer message to the agent who answers.
	KindRelayed Kind = "relayed"
	// KindAgentMessage is a message an agent wrote (Agent).
	KindAgentMessage Kind = "agent"
	// KindHandoff is a customer's request for a person (Channel).
	KindHandoff Kind = "handoff"
	// KindClose is a case closed with a contact reason (Case, Reason,
	// Agent, Opened); with no Conversation, a contact an agent logged
	// from another channel (Channel).
	KindClose Kind = "close"
	// KindCSAT is a customer's satisfaction (Score, 1 to 5) with a
	// closed case (Case).
	KindCSAT Kind = "csat"
	// KindEffort is the customer's answer (Score, 1 to 5) to « Avez-vous
	// trouvé facilement ce que vous cherchiez ? » after self-service.
	KindEffort Kind = "effort"
	// KindArticleFeedback is « Cet article vous a-t-il aidé ? » under an
	// article of the help centre (Article, Helpful).
	KindArticleFeedback Kind = "article_feedback"
)

// Event is one thing that happened, as chat knows it when it stores it.
type Event struct {
	Kind         Kind
	At           time.Time
	Conversation string
	// Customer is the customer id the shop vouched for, Email an address
	// known for the customer, Order the order the conversation is about.
	Customer, Email, Order string
	// Outcome is the bot's outcome for a turn; Article and Title the
	// article answered.
	Outcome, Article, Title string
	// Helpful judges Judged, the conversation's last answer (or Article
	// for the help centre).
	Helpful *bool
	Judged  string
	Channel string
	Agent   string
	Reason  string
	Case    string
	// Opened is when the case closed now was opened.
	Opened time.Time
	Score  int
	// Seller, Carrier and Status describe the order an answer was written
	// for.
	Seller, Carrier, Status string
}

// Options tune a Book. Zero fields take the defaults.
type Options struct {
	// Location is the shop's time zone: days are its days (Europe/Paris).
	Location *time.Location
	// Window is how long a resolution must stand without a new contact by
	// the same customer or about the same order to count as durable (7
	// days); it is also the re-contact window.
	Window time.Duration
	// Now gives the time (tests inject a clock).
	Now func() time.Time
}

// Book keeps the counters. A nil *Book records nothing.
type Book struct {
	db   *bbolt.DB
	opts Options
}

// New returns a book over db. It does no I/O: buckets are created on the
// first event.
func New(db *bbolt.DB, opts Options) *Book {
	if opts.Location == nil {
		opts.Location = paris()
	}
	if opts.Window == 0 {
		opts.Window = 7 * 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Book{db: db, opts: opts}
}

// Location is the shop's time zone the days are cut in.
func (b *Book) Location() *time.Location { return b.opts.Location }

// Window is the durable-resolution and re-contact window.
func (b *Book) Window() time.Duration { return b.opts.Window }

// Now is the book's clock.
func (b *Book) Now() time.Time { return b.opts.Now() }

func paris() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}

// dayKey is the shop's day of t, as a key that sorts by date.
func dayKey(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(time.DateOnly)
}

// convState is what reports remembers of a conversation (or of a contact
// logged by an agent, under "case:ID"), to classify it as it goes on.
type convState struct {
	Day         string    `json:"d"` // of the first contact: the day it is counted on
	Last        time.Time `json:"l"`
	Keys        []string  `json:"k,omitempty"` // digests of the customer, e-mail, order
	Answered    int       `json:"a,omitempty"` // 1 once the bot answered (older states: how many times)
	Topic       string    `json:"t,omitempty"` // last article answered
	Misses      int       `json:"m,omitempty"` // consecutive
	LastOutcome string    `json:"o,omitempty"`
	Unhelpful   bool      `json:"u,omitempty"`
	Person      bool      `json:"p,omitempty"` // a person was asked for or took part
	Waiting     time.Time `json:"w,omitzero"`  // live chat asked, no agent reply yet
	Agent       string    `json:"g,omitempty"`
	Reason      string    `json:"r,omitempty"` // last close reason
	Closed      []string  `json:"c,omitempty"` // cases counted closed
	Rated       []string  `json:"s,omitempty"` // cases counted rated
	Effort      bool      `json:"e,omitempty"`
	Recontacted bool      `json:"x,omitempty"`
	Seller      string    `json:"sl,omitempty"`
	Carrier     string    `json:"ca,omitempty"`
	Problem     bool      `json:"pb,omitempty"` // the order is in trouble
}

// lastContact is the latest conversation of a customer or an order.
type lastContact struct {
	Conv string    `json:"c"`
	At   time.Time `json:"a"`
}

// problemStatuses are the order statuses that are a partner's problem.
var problemStatuses = []orders.Status{orders.StatusDelayed, orders.StatusDeliveryFailed, orders.StatusLost}

// resolved tells whether the bot resolved the conversation alone.
func (st *convState) resolved() bool { return st.Answered > 0 && !st.Person && !st.Unhelpful }

// reason is the conversation's contact reason: the close reason an agent
// chose ("c:…"), else the last article answered ("a:…").
func (st *convState) reason() string {
	switch {
	case st.Reason != "":
		return "c:" + st.Reason
	case st.Topic != "":
		return "a:" + st.Topic
	}
	return ""
}

// contrib lists the counters the conversation adds to on its day, as it
// stands: when it changes, the old list is taken away and the new added.
func (st *convState) contrib() []string {
	k := []string{"conv"}
	known := len(st.Keys) > 0
	if known {
		k = append(k, "conv_known")
	} else {
		k = append(k, "conv_anon")
	}
	if st.Person {
		k = append(k, "conv_person")
	}
	if st.resolved() {
		k = append(k, "resolved")
		if known {
			k = append(k, "resolved_known")
			if st.Recontacted {
				k = append(k, "resolved_recontacted")
			}
		} else {
			k = append(k, "resolved_anon")
		}
	}
	if r := st.reason(); r != "" {
		k = append(k, "reason_conv\x00"+r)
		if known {
			k = append(k, "reason_known\x00"+r)
			if st.Recontacted {
				k = append(k, "reason_recontact\x00"+r)
			}
		}
	}
	if st.Agent != "" {
		k = append(k, "agent_conv\x00"+st.Agent)
		if known {
			k = append(k, "agent_known\x00"+st.Agent)
			if st.Recontacted {
				k = append(k, "agent_recontact\x00"+st.Agent)
			}
		}
	}
	if known && st.Recontacted {
		k = append(k, "recontacted")
	}
	problem := st.Problem || st.Person || st.Unhelpful
	if st.Seller != "" {
		k = append(k, "seller_conv\x00"+st.Seller)
		if problem {
			k = append(k, "seller_problem\x00"+st.Seller)
		}
	}
	if st.Carrier != "" {
		k = append(k, "carrier_conv\x00"+st.Carrier)
		if problem {
			k = append(k, "carrier_problem\x00"+st.Carrier)
		}
	}
	return k
}

// keys are the customer and order an event names, as digests: reports
// must hold no personal data, only whether two contacts are the same
// customer or order.
func (e *Event) keys() []string {
	var k []string
	for _, v := range []struct{ kind, value string }{{"customer:", e.Customer}, {"email:", strings.ToLower(strings.TrimSpace(e.Email))}, {"order:", e.Order}} {
		if v.value != "" {
			sum := sha256.Sum256([]byte(v.kind + v.value))
			k = append(k, v.kind+hex.EncodeToString(sum[:12]))
		}
	}
	return k
}

// recorder is one Record call's view of the buckets.
type recorder struct {
	days, convs, contacts, names *bbolt.Bucket
	loc                          *time.Location
	window                       time.Duration
}

// Record counts e. Call it inside the write transaction that stores what
// e says, so that the counters never disagree with the data.
func (b *Book) Record(tx *bbolt.Tx, e Event) error {
	if b == nil {
		return nil
	}
	if e.At.IsZero() {
		e.At = b.opts.Now()
	}
	var r recorder
	var err error
	for _, bk := range []struct {
		name []byte
		to   **bbolt.Bucket
	}{{bucketDays, &r.days}, {bucketConvs, &r.convs}, {bucketContacts, &r.contacts}, {bucketNames, &r.names}} {
		if *bk.to = tx.Bucket(bk.name); *bk.to != nil {
			continue // found without CreateBucketIfNotExists's copy of the name
		}
		if *bk.to, err = tx.CreateBucketIfNotExists(bk.name); err != nil {
			return fmt.Errorf("record %s: %w", e.Kind, err)
		}
	}
	r.loc, r.window = b.opts.Location, b.opts.Window
	if err := b.record(&r, e); err != nil {
		return fmt.Errorf("record %s: %w", e.Kind, err)
	}
	return nil
}

func (b *Book) record(r *recorder, e Event) error {
	day := dayKey(e.At, r.loc)
	counts := map[string]int64{}
	if e.Kind == KindArticleFeedback {
		if e.Helpful == nil || e.Article == "" {
			return nil
		}
		counts[feedbackKey("aide", *e.Helpful)+e.Article]++
		return r.add(day, counts)
	}
	id := e.Conversation
	if id == "" {
		if e.Case == "" {
			return nil
		}
		id = "case:" + e.Case
	}
	st, err := r.state(id)
	if err != nil {
		return err
	}
	var before []string // what the conversation counted so far
	var stored []byte   // the state as stored, nil for a new one
	var storedLast time.Time
	if st == nil {
		st = &convState{Day: day}
	} else {
		before = st.contrib()
		stored, storedLast = slices.Clone(r.convs.Get([]byte(id))), st.Last
	}
	switch e.Kind {
	case KindTurn:
		counts["turns"]++
		counts["outcome\x00"+e.Outcome]++
		switch e.Outcome {
		case "answer":
			st.Misses = 0
			if e.Article != "" {
				// Whether it answered is all that counts; counting
				// on would rewrite the state with every answer.
				st.Answered = max(st.Answered, 1)
				st.Topic = e.Article
				counts["answered\x00"+e.Article]++
				if err := r.name(e.Article, e.Title); err != nil {
					return err
				}
			}
		case "miss":
			st.Misses++
		default:
			st.Misses = 0
		}
		if e.Outcome != "handoff" || st.LastOutcome == "" {
			st.LastOutcome = e.Outcome
		}
		if e.Helpful != nil && e.Judged != "" {
			counts[feedbackKey("chat", *e.Helpful)+e.Judged]++
			st.Unhelpful = !*e.Helpful
		}
		if e.Seller != "" {
			st.Seller = e.Seller
		}
		if e.Carrier != "" {
			st.Carrier = e.Carrier
		}
		if slices.Contains(problemStatuses, orders.Status(e.Status)) {
			st.Problem = true
		}
	case KindRelayed:
		counts["relayed"]++
	case KindHandoff:
		counts["handoffs"]++
		counts["handoff_channel\x00"+e.Channel]++
		counts["handoff_reason\x00"+st.handoffReason()]++
		counts["handoff_topic\x00"+st.Topic]++
		st.Person = true
		if e.Channel == "live_chat" && st.Waiting.IsZero() {
			st.Waiting = e.At
		}
	case KindAgentMessage:
		counts["agent_messages"]++
		st.Person = true
		st.Agent = e.Agent
		if !st.Waiting.IsZero() {
			w := int64(e.At.Sub(st.Waiting).Seconds())
			counts["wait_n"]++
			counts["wait_s"] += w
			counts["wait_le\x00"+waitBucket(w)]++
			counts["agent_wait_n\x00"+e.Agent]++
			counts["agent_wait_s\x00"+e.Agent] += w
			st.Waiting = time.Time{}
		}
	case KindClose:
		if e.Case == "" || slices.Contains(st.Closed, e.Case) {
			return nil
		}
		st.Closed = append(st.Closed, e.Case)
		st.Person, st.Reason, st.Waiting = true, e.Reason, time.Time{}
		if e.Agent != "" {
			st.Agent = e.Agent
		}
		counts["closes"]++
		counts["close_reason\x00"+e.Reason]++
		if e.Conversation == "" {
			counts["logged_channel\x00"+e.Channel]++
		}
		if !e.Opened.IsZero() {
			d := int64(e.At.Sub(e.Opened).Seconds())
			counts["close_n"]++
			counts["close_s"] += d
			if st.Agent != "" {
				counts["agent_close_n\x00"+st.Agent]++
				counts["agent_close_s\x00"+st.Agent] += d
			}
		}
	case KindCSAT:
		if e.Case == "" || e.Score < 1 || e.Score > 5 || slices.Contains(st.Rated, e.Case) {
			return nil
		}
		st.Rated = append(st.Rated, e.Case)
		counts["csat_n"]++
		counts["csat_sum"] += int64(e.Score)
		counts["csat\x00"+strconv.Itoa(e.Score)]++
		if st.Agent != "" {
			counts["agent_csat_n\x00"+st.Agent]++
			counts["agent_csat_sum\x00"+st.Agent] += int64(e.Score)
		}
	case KindEffort:
		if e.Score < 1 || e.Score > 5 || st.Effort {
			return nil
		}
		st.Effort = true
		counts["ces_n"]++
		counts["ces_sum"] += int64(e.Score)
		counts["ces\x00"+strconv.Itoa(e.Score)]++
	default:
		return fmt.Errorf("unknown kind %q", e.Kind)
	}
	if err := r.settleContacts(id, st, e, counts); err != nil {
		return err
	}
	st.Last = e.At
	if err := r.add(day, counts); err != nil {
		return err
	}
	if err := r.apply(st.Day, before, st.contrib()); err != nil {
		return err
	}
	return r.putState(id, st, before != nil, stored, storedLast)
}

// settleContacts settles the customer and order the event names: a key new to
// the conversation whose last contact was another conversation within the
// window makes that one re-contacted (so not durably resolved); every key
// of the conversation then points to it, as of now.
func (r *recorder) settleContacts(id string, st *convState, e Event, counts map[string]int64) error {
	for _, k := range e.keys() {
		if slices.Contains(st.Keys, k) {
			continue
		}
		st.Keys = append(st.Keys, k)
		var last lastContact
		found, err := getJSON(r.contacts, k, &last)
		if err != nil {
			return err
		}
		if strings.HasPrefix(k, "order:") {
			if found {
				counts["order_repeat"]++
			} else {
				counts["order_first"]++
			}
		}
		if !found || last.Conv == id || e.At.Sub(last.At) > r.window {
			continue
		}
		prev, err := r.state(last.Conv)
		if err != nil || prev == nil || prev.Recontacted {
			return err
		}
		old := prev.contrib()
		prev.Recontacted = true
		if err := r.apply(prev.Day, old, prev.contrib()); err != nil {
			return err
		}
		if err := putJSON(r.convs, last.Conv, prev); err != nil {
			return err
		}
	}
	for _, k := range st.Keys {
		if err := putJSON(r.contacts, k, lastContact{Conv: id, At: e.At}); err != nil {
			return err
		}
	}
	return nil
}

// handoffReason is why the customer wanted a person, as the conversation
// shows it: the bot's misses, an answer judged unhelpful, or the customer
// asking from the start.
func (st *convState) handoffReason() string {
	switch {
	case st.Unhelpful:
		return "unhelpful"
	case st.Misses > 0 || st.LastOutcome == "miss":
		return "miss"
	case st.Answered == 0:
		return "asked"
	}
	return "after_answer"
}

func feedbackKey(where string, helpful bool) string {
	if helpful {
		return where + "_helpful\x00"
	}
	return where + "_unhelpful\x00"
}

// waitBucket is the bar of the waiting-time chart a wait of s seconds
// falls in.
func waitBucket(s int64) string {
	switch {
	case s <= 60:
		return "1"
	case s <= 300:
		return "5"
	case s <= 900:
		return "15"
	case s <= 3600:
		return "60"
	}
	return "more"
}

// lastEvery is how precisely a conversation's last event is kept (only
// pruning reads it, a month later): a state that changed in nothing else
// is not rewritten within that time of the last stored, so that most
// turns leave the conversation's page of report_conversations alone.
const lastEvery = 10 * time.Minute

// putState stores st under id unless it differs from stored (what was
// there, when found, whose Last is storedLast) only by a Last less than
// lastEvery later.
func (r *recorder) putState(id string, st *convState, found bool, stored []byte, storedLast time.Time) error {
	if found && st.Last.Sub(storedLast) < lastEvery {
		last := st.Last
		st.Last = storedLast
		data, err := json.Marshal(st)
		st.Last = last
		if err == nil && bytes.Equal(data, stored) {
			return nil
		}
	}
	return putJSON(r.convs, id, st)
}

func (r *recorder) state(id string) (*convState, error) {
	var st convState
	found, err := getJSON(r.convs, id, &st)
	if err != nil || !found {
		return nil, err
	}
	return &st, nil
}

func (r *recorder) name(article, title string) error {
	if title == "" || string(r.names.Get([]byte(article))) == title {
		return nil
	}
	return r.names.Put([]byte(article), []byte(title))
}

// apply takes the counters in old away from day and adds those in new.
func (r *recorder) apply(day string, old, new []string) error {
	if slices.Equal(old, new) {
		return nil
	}
	counts := map[string]int64{}
	for _, k := range old {
		counts[k]--
	}
	for _, k := range new {
		counts[k]++
	}
	return r.add(day, counts)
}

// add adds counts to the counters of day.
func (r *recorder) add(day string, counts map[string]int64) error {
	if len(counts) == 0 {
		return nil
	}
	d := r.days.Bucket([]byte(day))
	if d == nil {
		var err error
		if d, err = r.days.CreateBucketIfNotExists([]byte(day)); err != nil {
			return err
		}
	}
	// bbolt keeps the values until the commit: one array for them all.
	vals := make([]byte, 0, 8*len(counts))
	for k, n := range counts {
		if n == 0 {
			continue
		}
		var v int64
		if old := d.Get([]byte(k)); len(old) == 8 {
			v = int64(binary.BigEndian.Uint64(old))
		}
		vals = binary.BigEndian.AppendUint64(vals, uint64(v+n))
		if err := d.Put([]byte(k), vals[len(vals)-8:]); err != nil {
			return err
		}
	}
	return nil
}

func getJSON(b *bbolt.Bucket, key string, v any) (bool, error) {
	data := b.Get([]byte(key))
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("decode %q: %w", key, err)
	}
	return true, nil
}

func putJSON(b *bbolt.Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), data)
}
