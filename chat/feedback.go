package chat

import (
	"context"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/reports"
)

// Feedback counts the answers to « Cet article vous a-t-il aidé ? » under
// an article of the public help centre.
type Feedback struct {
	Helpful   uint64 `json:"helpful"`
	Unhelpful uint64 `json:"unhelpful"`
}

// bucketFeedback holds one Feedback per article id.
var bucketFeedback = []byte("article_feedback")

// RateArticle counts a reader's answer to « Cet article vous a-t-il aidé ? »
// under the article articleID, which the caller has checked exists.
func (b *Bot) RateArticle(ctx context.Context, articleID string, helpful bool) error {
	err := b.update(func(tx *bbolt.Tx) error {
		bk, err := tx.CreateBucketIfNotExists(bucketFeedback)
		if err != nil {
			return err
		}
		f, err := readFeedback(bk, articleID)
		if err != nil {
			return err
		}
		if helpful {
			f.Helpful++
		} else {
			f.Unhelpful++
		}
		if err := b.opts.Reports.Record(tx, reports.Event{Kind: reports.KindArticleFeedback, Article: articleID, Helpful: &helpful}); err != nil {
			return err
		}
		return putJSON(bk, []byte(articleID), f)
	})
	if err != nil {
		return fmt.Errorf("rate article %q: %w", articleID, err)
	}
	return nil
}

// ArticleFeedback returns the answers counted for every article rated at
// least once, by article id.
func (b *Bot) ArticleFeedback(ctx context.Context) (map[string]Feedback, error) {
	out := map[string]Feedback{}
	err := b.view(func(tx *bbolt.Tx) error {
		bk := tx.Bucket(bucketFeedback)
		if bk == nil {
			return nil
		}
		return bk.ForEach(func(k, v []byte) error {
			var f Feedback
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("decode feedback: %w", err)
			}
			out[string(k)] = f
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read article feedback: %w", err)
	}
	return out, nil
}

func readFeedback(bk *bbolt.Bucket, articleID string) (Feedback, error) {
	var f Feedback
	if v := bk.Get([]byte(articleID)); v != nil {
		if err := json.Unmarshal(v, &f); err != nil {
			return f, fmt.Errorf("decode feedback: %w", err)
		}
	}
	return f, nil
}

// ContactArticle is the article that says how to reach a person.
func (b *Bot) ContactArticle() string { return b.opts.ContactArticle }
