package chat

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/nlu"
	"github.com/guichet/guichet/orders"
)

// Conversation modes: who answers the customer.
const (
	ModeBot     = ""        // the bot
	ModeWaiting = "waiting" // a live chat was requested, no agent yet
	ModeAgent   = "agent"   // an agent took over; the bot is silent
)

// CloseReasons are the contact reasons an agent picks when closing a case.
var CloseReasons = []string{"Suivi de livraison", "Retour ou échange", "Remboursement", "Paiement", "Produit défectueux", "Compte client", "Autre"}

// ErrBadReason is returned when a case is closed without a known reason.
var ErrBadReason = errors.New("unknown contact reason")

// Event is something that happened in a conversation, pushed to the
// customer's widget and to the agents' console as it happens.
type Event struct {
	// Type is message, notice, mode, queue, typing, note, presence or csat.
	Type         string `json:"type"`
	Conversation string `json:"conversation,omitempty"` // "" for every conversation
	From         string `json:"from,omitempty"`         // customer, bot, agent
	Agent        string `json:"agent,omitempty"`
	Text         string `json:"text,omitempty"`
	HTML         string `json:"html,omitempty"`
	Mode         string `json:"mode,omitempty"`
	// Available says, on a presence event, whether live chat is offered.
	Available *bool `json:"available,omitempty"`
	// Channels are the ways to reach a person offered with a notice.
	Channels []Channel `json:"channels,omitempty"`
	// Attachment is the file a message carries.
	Attachment *Attachment `json:"attachment,omitempty"`
	// Private events reach the console only, never a customer's widget.
	Private bool `json:"-"`
}

// hub fans events out to subscribers. Slow subscribers miss events rather
// than block the chat.
type hub struct {
	mu     sync.Mutex
	subs   map[chan Event]subscription
	closed bool
}

type subscription struct {
	conversation string // "" for every conversation
	staff        bool   // an agent's console: private events too
}

// Subscribe returns the events of a conversation ("" for every
// conversation), and those about every conversation (presence), until
// cancel is called or the bot is closed. A customer's subscription (staff
// false) never receives private events: notes, the queue, their own typing.
func (b *Bot) Subscribe(conversation string, staff bool) (events <-chan Event, cancel func()) {
	ch := make(chan Event, 32)
	b.hub.mu.Lock()
	defer b.hub.mu.Unlock()
	if b.hub.closed {
		close(ch)
		return ch, func() {}
	}
	if b.hub.subs == nil {
		b.hub.subs = map[chan Event]subscription{}
	}
	b.hub.subs[ch] = subscription{conversation, staff}
	return ch, func() {
		b.hub.mu.Lock()
		defer b.hub.mu.Unlock()
		if _, ok := b.hub.subs[ch]; ok {
			delete(b.hub.subs, ch)
			close(ch)
		}
	}
}

func (b *Bot) publish(e Event) {
	b.hub.mu.Lock()
	defer b.hub.mu.Unlock()
	for ch, sub := range b.hub.subs {
		if e.Private && !sub.staff {
			continue
		}
		if sub.conversation == "" || e.Conversation == "" || sub.conversation == e.Conversation {
			select {
			case ch <- e:
			default:
			}
		}
	}
}

// Close ends every subscription, so that streams end before shutdown, and
// waits for the writes being committed. Requests still being answered may
// write after it (the server drains them after Close), until the database
// is closed; the writer's goroutine never outlives its pending writes.
func (b *Bot) Close() {
	b.hub.mu.Lock()
	b.hub.closed = true
	for ch := range b.hub.subs {
		close(ch)
	}
	b.hub.subs = nil
	b.hub.mu.Unlock()
	b.writes.wait()
}

// relay stores a customer's message while a person answers: no bot reply.
func (b *Bot) relay(conv *Conversation, m Message) (*Reply, error) {
	r := &Reply{Outcome: OutcomeRelayed, Confidence: 1}
	if err := b.addTurn(conv, Turn{At: b.opts.Now().UTC(), Text: m.Text, From: "customer", Reply: *r}, nil); err != nil {
		return nil, err
	}
	b.publish(Event{Type: "message", Conversation: conv.ID, From: "customer", Text: m.Text})
	return r, nil
}

// OutcomeRelayed is the reply to a message an agent will read: the bot says
// nothing.
const OutcomeRelayed Outcome = "relayed"

// OutcomeNotice is what the service tells the customer about their
// conversation: an agent joined, left, closed it, nobody is free yet.
const OutcomeNotice Outcome = "notice"

// DisplayName is how customers read an agent's login name: its first word,
// capitalised (« alice.martin » -> « Alice »).
func DisplayName(agent string) string {
	name, _, _ := strings.Cut(agent, ".")
	name, _, _ = strings.Cut(name, " ")
	r, size := utf8.DecodeRuneInString(name)
	if size == 0 {
		return "Un conseiller"
	}
	return strings.ToUpper(string(r)) + name[size:]
}

// TakeOver gives the conversation to an agent: the bot falls silent, the
// agent's messages reach the customer, and the customer is told who joined.
// A conversation the agent joins unasked gets a case, so that its closing
// reason is counted like any other.
func (b *Bot) TakeOver(ctx context.Context, convID, agent string) error {
	text := fmt.Sprintf(msgJoined, DisplayName(agent))
	return b.setMode(convID, ModeAgent, agent, func(cs *Case) { cs.State = CaseTaken }, true, text)
}

// Release hands the conversation back to the bot, and says so.
func (b *Bot) Release(ctx context.Context, convID, agent string) error {
	text := fmt.Sprintf(msgReleased, DisplayName(agent))
	return b.setMode(convID, ModeBot, "", nil, false, text)
}

// CloseCase closes the conversation's open cases with a contact reason,
// hands the conversation back to the bot, tells the customer and asks them
// how satisfied they are.
func (b *Bot) CloseCase(ctx context.Context, convID, agent, reason string) error {
	if !slices.Contains(CloseReasons, reason) {
		return ErrBadReason
	}
	now := b.opts.Now().UTC()
	closeCase := func(cs *Case) { cs.State, cs.Reason, cs.Closed = CaseClosed, reason, now }
	if err := b.setMode(convID, ModeBot, "", closeCase, true, fmt.Sprintf(msgClosed, DisplayName(agent))); err != nil {
		return err
	}
	b.publish(Event{Type: "csat", Conversation: convID, Text: msgCSAT})
	return nil
}

// Assign gives the conversation to an agent, the one who takes it or a
// colleague. A customer who talks to an agent or waits for one is told.
func (b *Bot) Assign(ctx context.Context, convID, to string) error {
	var notify bool
	err := b.update(func(tx *bbolt.Tx) error {
		notify = false
		conv, err := readState(tx, convID)
		if err != nil {
			return err
		}
		if conv.Assignee == to {
			return nil
		}
		notify = conv.Mode != ModeBot
		err = updateMeta(tx, convID, func(m *meta) error {
			m.Assignee = to
			if m.Mode == ModeAgent {
				m.Agent = to
			}
			return nil
		})
		if err != nil || !notify {
			return err
		}
		_, err = appendTurn(tx, conv, noticeTurn(b.opts.Now(), fmt.Sprintf(msgAssigned, DisplayName(to)), nil), nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("assign %q: %w", convID, err)
	}
	if notify {
		b.publish(Event{Type: "notice", Conversation: convID, Text: fmt.Sprintf(msgAssigned, DisplayName(to)), HTML: paragraph(fmt.Sprintf(msgAssigned, DisplayName(to)))})
	}
	b.publish(Event{Type: "queue", Conversation: convID, Private: true})
	return nil
}

func noticeTurn(now time.Time, text string, channels []Channel) Turn {
	r := textReply(OutcomeNotice, text)
	r.Channels = channels
	return Turn{At: now.UTC(), From: "notice", Reply: *r}
}

// setMode changes who answers and, when change is set, the conversation's
// open cases (creating one when there is none and create is set), then
// tells the customer notice, in one transaction.
func (b *Bot) setMode(convID, mode, agent string, change func(*Case), create bool, notice string) error {
	now := b.opts.Now()
	err := b.update(func(tx *bbolt.Tx) error {
		conv, err := readState(tx, convID)
		if err != nil {
			return err
		}
		err = updateMeta(tx, convID, func(m *meta) error {
			m.Mode, m.Agent = mode, agent
			if agent != "" {
				m.Assignee = agent
			}
			return nil
		})
		if err != nil {
			return err
		}
		if change != nil {
			if err := changeCases(tx, conv, now, change, create); err != nil {
				return err
			}
		}
		if err := b.reportCases(tx, convID); err != nil {
			return err
		}
		_, err = appendTurn(tx, conv, noticeTurn(now, notice, nil), nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("set conversation mode: %w", err)
	}
	b.publish(Event{Type: "mode", Conversation: convID, Mode: mode, Agent: agent})
	b.publish(Event{Type: "notice", Conversation: convID, Text: notice, HTML: paragraph(notice)})
	b.publish(Event{Type: "queue", Conversation: convID, Private: true})
	return nil
}

// changeCases applies change to the conversation's open cases; with none
// open and create set, to a new live chat case.
func changeCases(tx *bbolt.Tx, conv *Conversation, now time.Time, change func(*Case), create bool) error {
	bk, err := tx.CreateBucketIfNotExists(bucketCases)
	if err != nil {
		return err
	}
	found := false
	err = bk.ForEach(func(k, v []byte) error {
		var cs Case
		if err := json.Unmarshal(v, &cs); err != nil {
			return err
		}
		if cs.Conversation != conv.ID || cs.State == CaseClosed || cs.State == CaseWithdrawn {
			return nil
		}
		found = true
		change(&cs)
		cs.Updated = now.UTC()
		return putJSON(bk, k, cs)
	})
	if err != nil || found || !create {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	cs := Case{ID: id, Conversation: conv.ID, Channel: ChannelLiveChat, Order: conv.Order, Identity: conv.Identity,
		Created: now.UTC(), Updated: now.UTC()}
	change(&cs)
	return putJSON(bk, []byte(id), cs)
}

// AgentReply stores an agent's message and pushes it to the customer. An
// agent who writes in a conversation nobody has taken takes it over first.
func (b *Bot) AgentReply(ctx context.Context, convID, agent, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return ErrEmptyMessage
	}
	if utf8.RuneCountInString(text) > b.opts.MaxRunes {
		return ErrMessageTooBig
	}
	conv, err := b.state(convID)
	if err != nil {
		return err
	}
	if conv.Mode != ModeAgent {
		if err := b.TakeOver(ctx, convID, agent); err != nil {
			return err
		}
		if conv, err = b.state(convID); err != nil {
			return err
		}
	}
	r := Reply{Outcome: OutcomeAgent, Text: text, HTML: strings.ReplaceAll(paragraph(text), "\n", "<br>"), Confidence: 1}
	if err := b.addTurn(conv, Turn{At: b.opts.Now().UTC(), From: "agent", Agent: agent, Reply: r}, nil); err != nil {
		return err
	}
	b.publish(Event{Type: "message", Conversation: convID, From: "agent", Agent: DisplayName(agent), Text: r.Text, HTML: r.HTML})
	b.publish(Event{Type: "queue", Conversation: convID, Private: true})
	return nil
}

// OutcomeAgent marks a message written by an agent.
const OutcomeAgent Outcome = "agent"

// Typing tells the other side that someone is writing: the customer
// (agents only are told), or an agent (the customer is told their name).
func (b *Bot) Typing(convID, agent string) {
	if agent == "" {
		b.publish(Event{Type: "typing", Conversation: convID, From: "customer", Private: true})
		return
	}
	b.publish(Event{Type: "typing", Conversation: convID, From: "agent", Agent: DisplayName(agent)})
}

// Note is a private note between agents about a conversation; customers
// never see it.
type Note struct {
	At    time.Time `json:"at"`
	Agent string    `json:"agent"`
	Text  string    `json:"text"`
}

// noteKey is the key of a note: its conversation's, then the notes
// bucket's sequence.
func noteKey(key []byte, seq uint64) []byte {
	return append(append(make([]byte, 0, len(key)+8), key...), seqKey(seq)...)
}

// AddNote stores a private note with the conversation, apart from its
// turns, so that no transcript the customer reads can hold it.
func (b *Bot) AddNote(ctx context.Context, convID, agent, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return ErrEmptyMessage
	}
	if utf8.RuneCountInString(text) > b.opts.MaxRunes {
		return ErrMessageTooBig
	}
	err := b.update(func(tx *bbolt.Tx) error {
		key, ok := convKey(convID)
		if !ok {
			return ErrNotFound
		}
		if _, err := getMeta(tx, key); err != nil {
			return err
		}
		notes, err := tx.CreateBucketIfNotExists(bucketNotes)
		if err != nil {
			return err
		}
		seq, err := notes.NextSequence()
		if err != nil {
			return err
		}
		return putJSON(notes, noteKey(key, seq), Note{At: b.opts.Now().UTC(), Agent: agent, Text: text})
	})
	if err != nil {
		return fmt.Errorf("note on %q: %w", convID, err)
	}
	b.publish(Event{Type: "note", Conversation: convID, Private: true})
	return nil
}

// Notes returns a conversation's private notes, oldest first.
func (b *Bot) Notes(ctx context.Context, convID string) ([]Note, error) {
	var out []Note
	err := b.view(func(tx *bbolt.Tx) error {
		key, ok := convKey(convID)
		if !ok {
			return ErrNotFound
		}
		if _, err := getMeta(tx, key); err != nil {
			return err
		}
		notes := tx.Bucket(bucketNotes)
		if notes == nil {
			return nil
		}
		c := notes.Cursor()
		for k, v := c.Seek(key); k != nil && bytes.HasPrefix(k, key); k, v = c.Next() {
			var n Note
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("notes of %q: %w", convID, err)
	}
	return out, nil
}

// Sweep is the service's periodic look at live chats: it re-reads agent
// presence (an idle agent stops being available), and tells each customer
// whose live chat nobody took within the wait (or for whom no agent is left)
// that they keep their place, offering a callback or an e-mail. Each
// waiting chat is told once.
func (b *Bot) Sweep(ctx context.Context) error {
	b.presenceChanged()
	now := b.opts.Now()
	online := b.LiveChatOffered()
	type told struct {
		conv, text string
		channels   []Channel
	}
	var out []told
	var offer []Channel
	for _, ch := range b.channels(now) {
		if ch.ID == ChannelCallback || ch.ID == ChannelEmail {
			offer = append(offer, ch)
		}
	}
	err := b.update(func(tx *bbolt.Tx) error {
		out = out[:0] // a retried batch runs this again
		bk := tx.Bucket(bucketCases)
		if bk == nil {
			return nil
		}
		type due struct {
			key []byte
			cs  Case
		}
		var dues []due
		err := bk.ForEach(func(k, v []byte) error {
			var cs Case
			if err := json.Unmarshal(v, &cs); err != nil {
				return err
			}
			if cs.Channel == ChannelLiveChat && cs.State == CaseWaiting && !cs.Overdue &&
				(!online || now.Sub(cs.Created) >= b.opts.LiveChatWait) {
				dues = append(dues, due{slices.Clone(k), cs})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, d := range dues {
			d.cs.Overdue, d.cs.Updated = true, now.UTC()
			if err := putJSON(bk, d.key, d.cs); err != nil {
				return err
			}
			text := msgLiveChatLate
			if !online {
				text = msgLiveChatNobody
			}
			conv, err := readState(tx, d.cs.Conversation)
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if _, err := appendTurn(tx, conv, noticeTurn(now, text, offer), nil); err != nil && !errors.Is(err, ErrConversationFull) {
				return err
			}
			out = append(out, told{d.cs.Conversation, text, offer})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sweep live chats: %w", err)
	}
	for _, t := range out {
		b.publish(Event{Type: "notice", Conversation: t.conv, Text: t.text, HTML: paragraph(t.text), Channels: t.channels})
		b.publish(Event{Type: "queue", Conversation: t.conv, Private: true})
	}
	return nil
}

// Watch runs Sweep every interval until ctx ends.
func (b *Bot) Watch(ctx context.Context, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := b.Sweep(ctx); err != nil && onError != nil {
				onError(err)
			}
		}
	}
}

// Summary is a conversation as the agents' inbox lists it.
type Summary struct {
	Conversation
	// First and Last are the customer's first and last words (a choice
	// by its title).
	First, Last string
	// Topic is the title of the last article answered or chosen.
	Topic string
	// Outcome is the bot's last outcome.
	Outcome Outcome
	// Frustrated is set when the customer vented or shouted.
	Frustrated bool
	// Messages counts the customer's messages.
	Messages int
}

// Summaries returns the conversations active since the given time, and
// those named in ids whenever they were active, most recent first.
// Conversations where the customer never wrote are left out.
func (b *Bot) Summaries(ctx context.Context, since time.Time, ids []string) ([]Summary, error) {
	var out []Summary
	err := b.view(func(tx *bbolt.Tx) error {
		// The conversations active since then, by the time index, and
		// those named.
		var active []string
		if idx := tx.Bucket(bucketUpdated); idx != nil {
			c := idx.Cursor()
			for k, _ := c.Seek(updatedKey(since, nil)); k != nil; k, _ = c.Next() {
				if len(k) == 8+16 {
					active = append(active, hex.EncodeToString(k[8:]))
				}
			}
		}
		for _, id := range ids {
			if !slices.Contains(active, id) {
				active = append(active, id)
			}
		}
		for _, id := range active {
			conv, err := readState(tx, id)
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if conv.Updated.Before(since) && !slices.Contains(ids, conv.ID) {
				continue
			}
			sum := Summary{Conversation: *conv}
			key, _ := convKey(id)
			err = forTurns(tx, key, func(t Turn) error {
				words := t.Text
				if words == "" && t.Choice != "" {
					words = b.ChoiceTitle(t.Choice)
				}
				if words != "" && t.From != "agent" && t.From != "notice" {
					if sum.First == "" {
						sum.First = words
					}
					sum.Last = words
					sum.Messages++
				}
				if t.Reply.Title != "" {
					sum.Topic = t.Reply.Title
				}
				if t.From == "" {
					sum.Outcome = t.Reply.Outcome
				}
				if t.Reply.Outcome == Outcome(nlu.ActFrustration) || slices.Contains(t.Reply.Acts, nlu.ActFrustration) {
					sum.Frustrated = true
				}
				return nil
			})
			if err != nil {
				return err
			}
			if sum.Messages > 0 {
				out = append(out, sum)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("conversation summaries: %w", err)
	}
	slices.SortFunc(out, func(a, b Summary) int { return b.Updated.Compare(a.Updated) })
	return out, nil
}

// ChoiceTitle is what the customer read on a button they clicked: an
// article's title, « Commande N », or a channel's name.
func (b *Bot) ChoiceTitle(id string) string {
	if n, ok := strings.CutPrefix(id, "commande:"); ok {
		return "Commande " + n
	}
	if ch, ok := strings.CutPrefix(id, "contact:"); ok {
		for _, c := range b.channels(b.opts.Now()) {
			if c.ID == ch {
				return c.Title
			}
		}
		if ch == ChannelLiveChat {
			return "Discuter avec un conseiller"
		}
		return ch
	}
	return b.choice(id).Title
}

// AgentAids is what the console shows beside a conversation: its verified
// order in one line, and the given articles as an agent would insert them,
// written for that order when one is known ("" for an article gone since).
// The order is looked up once.
func (b *Bot) AgentAids(ctx context.Context, conv *Conversation, articleIDs []string) (order string, answers []string) {
	var o *orders.Order
	if conv.Order != "" && b.orders != nil {
		var err error
		if o, err = b.orders.Order(ctx, conv.Order); err != nil {
			o, order = nil, "Commande "+conv.Order+" (impossible à consulter pour le moment)"
		}
	}
	var fields map[string]string
	if o != nil {
		fields = orderFields(o)
		order = fmt.Sprintf("Commande %s du %s — %s — %s — %s", o.Number, fields["date"], o.Status.Label(), fields["montant"], fields["articles"])
		if o.Seller != "" {
			order += " — vendue par " + o.Seller
		}
	}
	for _, id := range articleIDs {
		a, err := b.kb.Article(id)
		if err != nil {
			answers = append(answers, "")
			continue
		}
		text := a.Markdown
		if o != nil {
			if t, ok, err := b.kb.Tailor(a, string(o.Status), o.Marketplace(), fields); err == nil && ok {
				text = t.Markdown
			}
		}
		answers = append(answers, b.kb.PlainText(text))
	}
	return order, answers
}

// Errors of the satisfaction question.
var (
	ErrBadScore  = errors.New("score out of 1..5")
	ErrNoRating  = errors.New("nothing to rate")
	ErrBadLogged = errors.New("incomplete logged contact")
)

// Rate stores the customer's satisfaction (1 to 5, an optional comment)
// with the conversation's last closed case, once.
func (b *Bot) Rate(ctx context.Context, convID string, score int, comment string) error {
	if score < 1 || score > 5 {
		return ErrBadScore
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > maxMessage {
		return ErrMessageTooBig
	}
	now := b.opts.Now().UTC()
	err := b.update(func(tx *bbolt.Tx) error {
		bk := tx.Bucket(bucketCases)
		if bk == nil {
			return ErrNoRating
		}
		var key []byte
		var last Case
		err := bk.ForEach(func(k, v []byte) error {
			var cs Case
			if err := json.Unmarshal(v, &cs); err != nil {
				return err
			}
			if cs.Conversation == convID && cs.State == CaseClosed && cs.Closed.After(last.Closed) {
				key, last = slices.Clone(k), cs
			}
			return nil
		})
		if err != nil {
			return err
		}
		if key == nil || last.CSAT != nil {
			return ErrNoRating
		}
		last.CSAT = &CSAT{Score: score, Comment: comment, At: now}
		if err := putJSON(bk, key, last); err != nil {
			return err
		}
		return b.reportCase(tx, &last)
	})
	if err != nil {
		return fmt.Errorf("rate %q: %w", convID, err)
	}
	b.publish(Event{Type: "queue", Conversation: convID, Private: true})
	return nil
}

// Contact is a contact that came by another channel than chat, logged by
// an agent so that contact reasons and re-contacts cover every channel.
type Contact struct {
	Channel  string // phone, email, social
	Customer string // name, e-mail or customer id, as the agent knows it
	Order    string
	Reason   string // one of CloseReasons
	Outcome  string // what was done
}

// LoggedChannels are the channels a logged contact may come by.
var LoggedChannels = map[string]string{ChannelPhone: "Téléphone", ChannelEmail: "E-mail", "social": "Réseaux sociaux"}

// LogContact stores a contact as a closed case, by agent.
func (b *Bot) LogContact(ctx context.Context, agent string, c Contact) (*Case, error) {
	c.Customer, c.Order, c.Outcome = strings.TrimSpace(c.Customer), strings.TrimSpace(c.Order), strings.TrimSpace(c.Outcome)
	if _, ok := LoggedChannels[c.Channel]; !ok || c.Customer == "" || !slices.Contains(CloseReasons, c.Reason) {
		return nil, ErrBadLogged
	}
	if utf8.RuneCountInString(c.Outcome) > maxMessage || utf8.RuneCountInString(c.Customer) > 200 || len(c.Order) > 40 {
		return nil, ErrMessageTooBig
	}
	id, err := newID()
	if err != nil {
		return nil, err
	}
	now := b.opts.Now().UTC()
	cs := &Case{ID: id, Channel: c.Channel, State: CaseClosed, Order: c.Order, Customer: c.Customer, Reason: c.Reason,
		Outcome: c.Outcome, Agent: agent, Created: now, Updated: now, Closed: now}
	err = b.update(func(tx *bbolt.Tx) error {
		bk, err := tx.CreateBucketIfNotExists(bucketCases)
		if err != nil {
			return err
		}
		if err := b.reportCase(tx, cs); err != nil {
			return err
		}
		return putJSON(bk, []byte(id), cs)
	})
	if err != nil {
		return nil, fmt.Errorf("log contact: %w", err)
	}
	return cs, nil
}
