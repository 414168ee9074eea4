package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.etcd.io/bbolt"

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
	Type         string `json:"type"` // message, mode, queue
	Conversation string `json:"conversation"`
	From         string `json:"from,omitempty"` // customer, bot, agent
	Agent        string `json:"agent,omitempty"`
	Text         string `json:"text,omitempty"`
	HTML         string `json:"html,omitempty"`
	Mode         string `json:"mode,omitempty"`
}

// hub fans events out to subscribers. Slow subscribers miss events rather
// than block the chat.
type hub struct {
	mu     sync.Mutex
	subs   map[chan Event]string // channel -> conversation id, "" for all
	closed bool
}

// Subscribe returns the events of a conversation ("" for every event) until
// cancel is called or the bot is closed.
func (b *Bot) Subscribe(conversation string) (events <-chan Event, cancel func()) {
	ch := make(chan Event, 32)
	b.hub.mu.Lock()
	defer b.hub.mu.Unlock()
	if b.hub.closed {
		close(ch)
		return ch, func() {}
	}
	if b.hub.subs == nil {
		b.hub.subs = map[chan Event]string{}
	}
	b.hub.subs[ch] = conversation
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
	for ch, conv := range b.hub.subs {
		if conv == "" || conv == e.Conversation {
			select {
			case ch <- e:
			default:
			}
		}
	}
}

// Close ends every subscription, so that streams end before shutdown.
func (b *Bot) Close() {
	b.hub.mu.Lock()
	defer b.hub.mu.Unlock()
	b.hub.closed = true
	for ch := range b.hub.subs {
		close(ch)
	}
	b.hub.subs = nil
}

// Seen records that an agent is at the console now: live chat is offered
// while one was seen in the last two minutes.
func (b *Bot) Seen(agent string) {
	b.presence.Store(agent, b.opts.Now())
}

func (b *Bot) agentOnline() bool {
	if b.opts.AgentsOnline != nil {
		return b.opts.AgentsOnline()
	}
	online := false
	now := b.opts.Now()
	b.presence.Range(func(_, v any) bool {
		online = now.Sub(v.(time.Time)) < 2*time.Minute
		return !online
	})
	return online
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

// TakeOver gives the conversation to an agent: the bot falls silent and the
// agent's messages reach the customer.
func (b *Bot) TakeOver(ctx context.Context, convID, agent string) error {
	return b.setMode(convID, ModeAgent, agent, CaseTaken, "")
}

// Release hands the conversation back to the bot.
func (b *Bot) Release(ctx context.Context, convID string) error {
	return b.setMode(convID, ModeBot, "", "", "")
}

// CloseCase closes the conversation's open cases with a contact reason and
// hands the conversation back to the bot.
func (b *Bot) CloseCase(ctx context.Context, convID, reason string) error {
	if !slices.Contains(CloseReasons, reason) {
		return ErrBadReason
	}
	return b.setMode(convID, ModeBot, "", CaseClosed, reason)
}

// setMode changes who answers and, when caseState is set, the state of the
// conversation's open cases, in one transaction.
func (b *Bot) setMode(convID, mode, agent, caseState, reason string) error {
	now := b.opts.Now().UTC()
	err := b.db.Update(func(tx *bbolt.Tx) error {
		c := convBucket(tx, convID)
		if c == nil {
			return ErrNotFound
		}
		err := updateMeta(c, func(m *meta) error {
			m.Mode, m.Agent = mode, agent
			return nil
		})
		if err != nil {
			return err
		}
		if caseState == "" {
			return nil
		}
		bk := tx.Bucket(bucketCases)
		if bk == nil {
			return nil
		}
		return bk.ForEach(func(k, v []byte) error {
			var cs Case
			if err := json.Unmarshal(v, &cs); err != nil {
				return err
			}
			if cs.Conversation != convID || cs.State == CaseClosed {
				return nil
			}
			cs.State, cs.Updated = caseState, now
			if caseState == CaseClosed {
				cs.Reason = reason
			}
			return putJSON(bk, k, cs)
		})
	})
	if err != nil {
		return fmt.Errorf("set conversation mode: %w", err)
	}
	b.publish(Event{Type: "mode", Conversation: convID, Mode: mode, Agent: agent})
	b.publish(Event{Type: "queue", Conversation: convID})
	return nil
}

// AgentReply stores an agent's message and pushes it to the customer.
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
	r := Reply{Outcome: OutcomeAgent, Text: text, HTML: strings.ReplaceAll(paragraph(text), "\n", "<br>"), Confidence: 1}
	if err := b.addTurn(conv, Turn{At: b.opts.Now().UTC(), From: "agent", Agent: agent, Reply: r}, nil); err != nil {
		return err
	}
	b.publish(Event{Type: "message", Conversation: convID, From: "agent", Agent: agent, Text: r.Text, HTML: r.HTML})
	return nil
}

// OutcomeAgent marks a message written by an agent.
const OutcomeAgent Outcome = "agent"

// Recent returns the conversations active since the given time, most recent
// first, without their transcripts: what agents watch.
func (b *Bot) Recent(ctx context.Context, since time.Time) ([]Conversation, error) {
	var out []Conversation
	err := b.db.View(func(tx *bbolt.Tx) error {
		root := tx.Bucket(bucketConversations)
		if root == nil {
			return nil
		}
		return root.ForEachBucket(func(k []byte) error {
			conv, err := readMeta(root.Bucket(k))
			if err != nil {
				return err
			}
			if !conv.Updated.Before(since) && conv.Updated.After(conv.Created) {
				out = append(out, *conv)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("recent conversations: %w", err)
	}
	slices.SortFunc(out, func(a, b Conversation) int { return b.Updated.Compare(a.Updated) })
	return out, nil
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
		answers = append(answers, text)
	}
	return order, answers
}
