package chat

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/nlu"
)

// PastQuestion is a question a customer asked, masked as in the review
// list, with what the bot did with it then.
type PastQuestion struct {
	Conversation string    `json:"conversation"`
	At           time.Time `json:"at"`
	Text         string    `json:"text"`
	// Outcome and Article are the bot's reply at the time ("" for a
	// message relayed to an agent).
	Outcome Outcome `json:"outcome,omitempty"`
	Article string  `json:"article,omitempty"`
}

// PastQuestions returns the questions customers typed since a time, oldest
// first: their own words, not clicks, greetings, thanks or requests for a
// person. E-mail addresses, phone numbers, order numbers and postcodes are
// masked.
func (b *Bot) PastQuestions(ctx context.Context, since time.Time) ([]PastQuestion, error) {
	var out []PastQuestion
	err := b.view(func(tx *bbolt.Tx) error {
		return eachTurn(tx, since, func(convID string, t Turn) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if q, ok := pastQuestion(convID, t); ok {
				out = append(out, q)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("past questions: %w", err)
	}
	slices.SortStableFunc(out, func(a, b PastQuestion) int { return a.At.Compare(b.At) })
	return out, nil
}

// ConversationQuestions returns a conversation's questions as PastQuestions does, and
// the conversation (for what agents answered).
func (b *Bot) ConversationQuestions(ctx context.Context, convID string) ([]PastQuestion, *Conversation, error) {
	conv, err := b.Conversation(ctx, convID)
	if err != nil {
		return nil, nil, err
	}
	var out []PastQuestion
	for _, t := range conv.Turns {
		if q, ok := pastQuestion(convID, t); ok {
			out = append(out, q)
		}
	}
	return out, conv, nil
}

// pastQuestion is the turn t as a past question, if it is one.
func pastQuestion(convID string, t Turn) (PastQuestion, bool) {
	if t.Text == "" || t.Choice != "" || (t.From != "" && t.From != "customer") {
		return PastQuestion{}, false
	}
	if acts, only := nlu.Acts(t.Text); only || slices.Contains(acts, nlu.ActHuman) || !hasWords(t.Text) {
		return PastQuestion{}, false
	}
	q := PastQuestion{Conversation: convID, At: t.At, Text: maskPersonal(t.Text), Outcome: t.Reply.Outcome, Article: t.Reply.ArticleID}
	if t.From == "customer" {
		q.Outcome = "" // relayed to an agent: the bot did not reply
	}
	return q, true
}

// hasWords tells whether text says something besides the personal data in
// it: an order number or an e-mail address given when the bot asked for
// one is not a question.
func hasWords(text string) bool {
	for _, e := range nlu.Extract(text) {
		if _, ok := entityMasks[e.Kind]; ok {
			text = text[:e.Start] + strings.Repeat(" ", e.End-e.Start) + text[e.End:]
		}
	}
	return len(nlu.Analyze(text)) > 0
}

// Judge is the decision the bot makes on a ranking (see rank): answer the
// best article, offer a choice, or miss. It lets a caller rank with another
// matcher, such as one trained on a draft, and decide exactly as the bot
// would.
func (b *Bot) Judge(m nlu.Match) Outcome {
	switch {
	case m.Elsewhere != "" || len(m.Candidates) == 0:
		return OutcomeMiss
	case m.Confidence >= b.opts.AnswerAt:
		return OutcomeAnswer
	case m.InScope >= b.opts.ClarifyAt:
		return OutcomeClarify
	}
	return OutcomeMiss
}
