package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/nlu"
	"github.com/guichet/guichet/reports"
)

// report tells the reports what the turn t, just stored in tx, was. Called
// after appendTurn, conv is the state the turn left.
func (b *Bot) report(tx *bbolt.Tx, conv *Conversation, t Turn) error {
	if b.opts.Reports == nil || t.From == "notice" {
		return nil
	}
	e := reports.Event{Kind: reports.KindTurn, At: t.At, Conversation: conv.ID, Order: conv.Order, Email: conv.proofEmail}
	if conv.Identity != nil {
		e.Customer, e.Email = conv.Identity.CustomerID, conv.Identity.Email
	}
	switch {
	case t.From == "agent":
		e.Kind, e.Agent = reports.KindAgentMessage, t.Agent
	case t.From == "customer":
		e.Kind = reports.KindRelayed
	case strings.HasPrefix(t.Choice, "contact:"):
		e.Kind, e.Channel = reports.KindHandoff, strings.TrimPrefix(t.Choice, "contact:")
	default:
		e.Outcome = string(t.Reply.Outcome)
		if t.Reply.Outcome == OutcomeAnswer {
			e.Article, e.Title = t.Reply.ArticleID, t.Reply.Title
		}
		if o := t.Reply.Order; o != nil {
			e.Seller, e.Carrier, e.Status = o.Seller, o.Carrier, o.Status
		}
		// A click on « Oui » is thanked; on « Non » (or a typed « non »)
		// the reply is marked unhelpful. Both judge the last answer.
		helped := t.Reply.Outcome == Outcome(nlu.ActThanks) && t.Text == "" && t.Choice == ""
		if helped || t.Reply.unhelpful {
			e.Helpful, e.Judged = &helped, conv.lastAnswer
		}
	}
	return b.opts.Reports.Record(tx, e)
}

// reportCases tells the reports about the conversation's cases closed or
// rated in tx; the reports count each case once.
func (b *Bot) reportCases(tx *bbolt.Tx, convID string) error {
	bk := tx.Bucket(bucketCases)
	if b.opts.Reports == nil || bk == nil {
		return nil
	}
	// A case closed from the console names no agent: the conversation's
	// assignee handled it.
	var assignee string
	if conv, err := readState(tx, convID); err == nil {
		assignee = conv.Assignee
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	return bk.ForEach(func(_, v []byte) error {
		var cs Case
		if err := json.Unmarshal(v, &cs); err != nil {
			return err
		}
		if cs.Conversation != convID || cs.State != CaseClosed {
			return nil
		}
		if cs.Agent == "" {
			cs.Agent = assignee
		}
		return b.reportCase(tx, &cs)
	})
}

// reportCase tells the reports about a closed case and its rating.
func (b *Bot) reportCase(tx *bbolt.Tx, cs *Case) error {
	if b.opts.Reports == nil {
		return nil
	}
	e := reports.Event{Kind: reports.KindClose, At: cs.Closed, Conversation: cs.Conversation, Case: cs.ID, Reason: cs.Reason,
		Agent: cs.Agent, Opened: cs.Created, Channel: cs.Channel, Order: cs.Order}
	if cs.Identity != nil {
		e.Customer, e.Email = cs.Identity.CustomerID, cs.Identity.Email
	}
	if strings.Contains(cs.Customer, "@") {
		e.Email = cs.Customer
	}
	if err := b.opts.Reports.Record(tx, e); err != nil {
		return err
	}
	if cs.CSAT == nil {
		return nil
	}
	return b.opts.Reports.Record(tx, reports.Event{Kind: reports.KindCSAT, At: cs.CSAT.At, Conversation: cs.Conversation, Case: cs.ID, Score: cs.CSAT.Score})
}

// effort is a customer's answer to the effort question (CES).
type effort struct {
	Score int `json:"score"`
}

var bucketEffort = []byte("effort")

// Effort stores the customer's answer (1 to 5) to « Avez-vous trouvé
// facilement ce que vous cherchiez ? », asked once the bot resolved their
// question (an answer judged helpful, nobody called in): once per
// conversation.
func (b *Bot) Effort(ctx context.Context, convID string, score int) error {
	if score < 1 || score > 5 {
		return ErrBadScore
	}
	now := b.opts.Now().UTC()
	err := b.update(func(tx *bbolt.Tx) error {
		conv, err := readState(tx, convID)
		if err != nil {
			return err
		}
		bk, err := tx.CreateBucketIfNotExists(bucketEffort)
		if err != nil {
			return err
		}
		if conv.lastAnswer == "" || conv.Mode != ModeBot || bk.Get([]byte(convID)) != nil {
			return ErrNoRating
		}
		if err := putJSON(bk, []byte(convID), effort{Score: score}); err != nil {
			return err
		}
		return b.opts.Reports.Record(tx, reports.Event{Kind: reports.KindEffort, At: now, Conversation: convID, Score: score})
	})
	if err != nil {
		return fmt.Errorf("effort %q: %w", convID, err)
	}
	return nil
}
