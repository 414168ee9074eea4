package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/guichet/guichet/nlu"
	"go.etcd.io/bbolt"
)

// Review is a question the bot did not serve well, kept for editors so that
// they can add its wording to the right article or write a new one: a miss,
// or an answer the customer said did not help. E-mail addresses, phone
// numbers, order numbers and postcodes are masked before it is stored.
type Review struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"` // ReviewMiss or ReviewUnhelpful
	Text string    `json:"text"`
	// Article is the answer the customer found unhelpful.
	Article string `json:"article,omitempty"`
	// Closest are the articles the bot offered instead, best first.
	Closest []string `json:"closest,omitempty"`
}

// The kinds of Review.
const (
	ReviewMiss      = "miss"
	ReviewUnhelpful = "unhelpful"
)

var bucketReviews = []byte("reviews")

// keepReviews bounds the reviews kept: the oldest go first.
const keepReviews = 1000

// reviewOf returns the review a turn deserves, or nil. conv is the state
// before the turn is stored, so its last answer is the one the customer's
// « non » (clicked or typed) judges.
func reviewOf(conv *Conversation, m Message, r *Reply, at time.Time) *Review {
	switch {
	case r.Outcome == OutcomeMiss && m.Text != "":
		rv := &Review{At: at, Kind: ReviewMiss, Text: m.Text}
		for _, c := range r.Choices {
			rv.Closest = append(rv.Closest, c.ID)
		}
		return rv
	case r.unhelpful && conv.lastAnswer != "" && conv.lastQuestion != "":
		rv := &Review{At: at, Kind: ReviewUnhelpful, Text: conv.lastQuestion, Article: conv.lastAnswer}
		if len(conv.lastRanked) > 1 {
			rv.Closest = conv.lastRanked[1:min(3, len(conv.lastRanked))]
		}
		return rv
	}
	return nil
}

// entityMasks are what personal data is replaced with in a review.
var entityMasks = map[nlu.EntityKind]string{
	nlu.EntityEmail:  "[e-mail]",
	nlu.EntityPhone:  "[téléphone]",
	nlu.EntityOrder:  "[n° de commande]",
	nlu.EntityPostal: "[code postal]",
}

// maskPersonal replaces the personal data nlu recognises in text.
func maskPersonal(text string) string {
	var b strings.Builder
	last := 0
	ents := nlu.Extract(text) // never overlapping, but grouped by kind
	slices.SortFunc(ents, func(a, b nlu.Entity) int { return a.Start - b.Start })
	for _, e := range ents {
		mask, ok := entityMasks[e.Kind]
		if !ok {
			continue
		}
		b.WriteString(text[last:e.Start])
		b.WriteString(mask)
		last = e.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// putReview stores rv, masked, and drops the review keepReviews older.
func putReview(tx *bbolt.Tx, rv *Review) error {
	bk, err := tx.CreateBucketIfNotExists(bucketReviews)
	if err != nil {
		return err
	}
	// Reviews are only appended at the end: a split keeps the older
	// ones on a full page (bbolt's default leaves it half empty). Not so
	// chat_turns or chat_updated, whose new keys (a new conversation's,
	// under a random id) land anywhere: there full pages split again at
	// the next insert (measured: more pages per commit, not fewer).
	bk.FillPercent = 1
	seq, err := bk.NextSequence()
	if err != nil {
		return err
	}
	masked := *rv
	masked.Text = maskPersonal(rv.Text)
	if err := putJSON(bk, seqKey(seq), masked); err != nil {
		return err
	}
	if seq > keepReviews {
		return bk.Delete(seqKey(seq - keepReviews))
	}
	return nil
}

// Reviews returns the n most recent reviews, newest first.
func (b *Bot) Reviews(ctx context.Context, n int) ([]Review, error) {
	var out []Review
	err := b.view(func(tx *bbolt.Tx) error {
		bk := tx.Bucket(bucketReviews)
		if bk == nil {
			return nil
		}
		c := bk.Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			var rv Review
			if err := json.Unmarshal(v, &rv); err != nil {
				return fmt.Errorf("decode review: %w", err)
			}
			out = append(out, rv)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read reviews: %w", err)
	}
	return out, nil
}
