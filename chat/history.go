package chat

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/nlu"
)

// HistoryQuery searches past conversations and cases. Empty fields match
// everything; the others must all match.
type HistoryQuery struct {
	Text   string    // words the customer or an agent wrote (case and accents ignored)
	Order  string    // an order number
	Email  string    // the customer's e-mail address
	Reason string    // a contact reason
	From   time.Time // the first day, inclusive (zero: no bound)
	To     time.Time // the last day, inclusive (zero: no bound)
	Limit  int       // 50 when zero
}

// HistoryHit is one conversation, or one contact logged without a
// conversation, that matches.
type HistoryHit struct {
	Conversation string // "" for a logged contact
	At           time.Time
	Channel      string
	Email        string
	Order        string
	Reason       string
	Excerpt      string // the customer's first words, or what the agent logged
	Case         *Case  // the last case, if any
}

// History returns what matches q, most recent first.
func (b *Bot) History(ctx context.Context, q HistoryQuery) ([]HistoryHit, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	text := nlu.Fold(strings.TrimSpace(q.Text))
	email := strings.ToLower(strings.TrimSpace(q.Email))
	order := strings.TrimSpace(q.Order)
	var out []HistoryHit
	err := b.view(func(tx *bbolt.Tx) error {
		byConv, logged, err := casesByConversation(tx)
		if err != nil {
			return err
		}
		inDates := func(t time.Time) bool {
			return (q.From.IsZero() || !t.Before(q.From)) && (q.To.IsZero() || t.Before(q.To.AddDate(0, 0, 1)))
		}
		for _, c := range logged {
			hit := HistoryHit{At: c.Created, Channel: c.Channel, Email: c.Customer, Order: c.Order, Reason: c.Reason, Excerpt: c.Outcome, Case: &c}
			if inDates(c.Created) && (q.Reason == "" || c.Reason == q.Reason) && (order == "" || c.Order == order) &&
				(email == "" || strings.Contains(strings.ToLower(c.Customer), email)) &&
				(text == "" || strings.Contains(nlu.Fold(c.Outcome+" "+c.Customer), text)) {
				out = append(out, hit)
			}
		}
		// A search of every word ever written reads every conversation.
		bk := tx.Bucket(bucketConvs)
		if bk == nil {
			return nil
		}
		return bk.ForEach(func(k, _ []byte) error {
			conv, err := readConversation(tx, hex.EncodeToString(k))
			if err != nil {
				return err
			}
			if !inDates(conv.Created) {
				return nil
			}
			cases := byConv[conv.ID]
			hit := HistoryHit{Conversation: conv.ID, At: conv.Created, Channel: ChannelLiveChat, Order: conv.Order}
			emails := customerEmails(conv, cases)
			if len(emails) > 0 {
				hit.Email = emails[0]
			}
			orderSeen := conv.Order == order
			reasonSeen := false
			for i := range cases {
				c := cases[i]
				hit.Case, hit.Channel = &c, c.Channel
				orderSeen = orderSeen || c.Order == order
				reasonSeen = reasonSeen || c.Reason == q.Reason
				if c.Reason != "" {
					hit.Reason = c.Reason
				}
			}
			textSeen := text == ""
			for _, t := range conv.Turns {
				words := t.Text
				if t.From == "agent" {
					words = t.Reply.Text
				}
				if hit.Excerpt == "" && t.Text != "" {
					hit.Excerpt = t.Text
				}
				if order != "" && strings.Contains(words, order) {
					orderSeen = true
				}
				if !textSeen && words != "" && strings.Contains(nlu.Fold(words), text) {
					textSeen = true
				}
			}
			if hit.Excerpt == "" || !textSeen || (order != "" && !orderSeen) || (q.Reason != "" && !reasonSeen) ||
				(email != "" && !slices.ContainsFunc(emails, func(e string) bool { return strings.Contains(e, email) })) {
				return nil
			}
			out = append(out, hit)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("search history: %w", err)
	}
	slices.SortFunc(out, func(a, b HistoryHit) int { return b.At.Compare(a.At) })
	return out[:min(len(out), q.Limit)], nil
}

// Previous returns the customer's other conversations, most recent first:
// those of the same customer account, e-mail address or order.
func (b *Bot) Previous(ctx context.Context, convID string) ([]HistoryHit, error) {
	var out []HistoryHit
	err := b.view(func(tx *bbolt.Tx) error {
		byConv, _, err := casesByConversation(tx)
		if err != nil {
			return err
		}
		conv, err := readConversation(tx, convID)
		if err != nil {
			return err
		}
		emails := customerEmails(conv, byConv[conv.ID])
		customer := ""
		if conv.Identity != nil {
			customer = conv.Identity.CustomerID
		}
		if len(emails) == 0 && customer == "" && conv.Order == "" {
			return nil
		}
		bk := tx.Bucket(bucketConvs)
		return bk.ForEach(func(k, _ []byte) error {
			m, err := getMeta(tx, k)
			if err != nil {
				return err
			}
			if m.ID == convID {
				return nil
			}
			other := toConversation(m)
			same := (customer != "" && other.Identity != nil && other.Identity.CustomerID == customer) ||
				(conv.Order != "" && other.Order == conv.Order) ||
				slices.ContainsFunc(customerEmails(other, byConv[other.ID]), func(e string) bool { return slices.Contains(emails, e) })
			if !same {
				return nil
			}
			hit := HistoryHit{Conversation: other.ID, At: other.Created, Order: other.Order}
			if cs := byConv[other.ID]; len(cs) > 0 {
				last := cs[len(cs)-1]
				hit.Case, hit.Channel, hit.Reason = &last, last.Channel, last.Reason
			}
			if t, err := firstWords(tx, k); err == nil {
				hit.Excerpt = t
			}
			out = append(out, hit)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("previous conversations of %q: %w", convID, err)
	}
	slices.SortFunc(out, func(a, b HistoryHit) int { return b.At.Compare(a.At) })
	return out[:min(len(out), 10)], nil
}

// casesByConversation reads every case: those of each conversation, oldest
// first, and the contacts logged without one.
func casesByConversation(tx *bbolt.Tx) (map[string][]Case, []Case, error) {
	byConv := map[string][]Case{}
	var logged []Case
	bk := tx.Bucket(bucketCases)
	if bk == nil {
		return byConv, nil, nil
	}
	err := bk.ForEach(func(_, v []byte) error {
		var c Case
		if err := json.Unmarshal(v, &c); err != nil {
			return err
		}
		if c.Conversation == "" {
			logged = append(logged, c)
		} else {
			byConv[c.Conversation] = append(byConv[c.Conversation], c)
		}
		return nil
	})
	for _, cs := range byConv {
		slices.SortFunc(cs, func(a, b Case) int { return a.Created.Compare(b.Created) })
	}
	return byConv, logged, err
}

// customerEmails are the addresses a conversation knows its customer by.
func customerEmails(conv *Conversation, cases []Case) []string {
	var out []string
	if conv.Identity != nil && conv.Identity.Email != "" {
		out = append(out, strings.ToLower(conv.Identity.Email))
	}
	for _, c := range cases {
		if c.Email != "" && !slices.Contains(out, c.Email) {
			out = append(out, c.Email)
		}
	}
	return out
}

// firstWords is the first thing the customer wrote in the conversation
// under key.
func firstWords(tx *bbolt.Tx, key []byte) (string, error) {
	var words string
	err := forTurns(tx, key, func(t Turn) error {
		if words = t.Text; words != "" {
			return errStop
		}
		return nil
	})
	return words, err
}
