package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// Export is everything Guichet holds about a customer, as a right of
// access or a forget request returns it.
type Export struct {
	Email         string          `json:"email"`
	At            time.Time       `json:"exported_at"`
	Conversations []*Conversation `json:"conversations"`
	Cases         []Case          `json:"cases"`
	// Erased tells whether it was deleted too.
	Erased bool `json:"erased"`
}

// Forget finds everything held about the customer with this e-mail: the
// conversations where it was given (by the shop's token, as an order's
// proof, in an e-mail request, or typed in a message), then those of the
// same customer id or of the same orders, and the cases of all of these.
// It returns them, and deletes them when erase is true. Guichet stores no
// other file about customers; the questions to review are masked when
// stored, so they name nobody.
func (b *Bot) Forget(ctx context.Context, email string, erase bool) (*Export, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if _, ok := parseEmail(email); !ok {
		return nil, &FormError{Fields: map[string]string{"email": msgBadEmail}}
	}
	ex := &Export{Email: email, At: b.opts.Now().UTC(), Conversations: []*Conversation{}, Cases: []Case{}, Erased: erase}
	find := func(tx *bbolt.Tx) (convs []string, cases []string, err error) {
		ex.Conversations, ex.Cases = ex.Conversations[:0], ex.Cases[:0] // a retried batch runs this again
		var allCases []Case
		if bk := tx.Bucket(bucketCases); bk != nil {
			err := bk.ForEach(func(_, v []byte) error {
				var c Case
				if err := json.Unmarshal(v, &c); err != nil {
					return err
				}
				allCases = append(allCases, c)
				return nil
			})
			if err != nil {
				return nil, nil, err
			}
		}
		// The customer index gives the conversations that may be about
		// the customer; each is then read and checked.
		read := map[string]*Conversation{}
		candidates := func(who ...string) ([]*Conversation, error) {
			var out []*Conversation
			for _, w := range who {
				for _, id := range customerConvs(tx, w) {
					if _, seen := read[id]; seen {
						continue
					}
					c, err := readConversation(tx, id)
					if errors.Is(err, ErrNotFound) {
						continue
					} else if err != nil {
						return nil, err
					}
					read[id] = c
					out = append(out, c)
				}
			}
			return out, nil
		}
		// The e-mail leads to customer ids and order numbers, which lead
		// to more conversations and cases; two rounds reach them all.
		ids, numbers, found := map[string]bool{}, map[string]bool{}, map[string]bool{}
		mentions := func(c *Conversation, words ...string) bool {
			for _, t := range c.Turns {
				text := strings.ToLower(t.Text)
				for _, w := range words {
					if w != "" && strings.Contains(text, w) {
						return true
					}
				}
			}
			return false
		}
		take := func(c *Conversation) {
			found[c.ID] = true
			if c.Identity != nil {
				ids[c.Identity.CustomerID] = true
			}
			if c.Order != "" {
				numbers[c.Order] = true
			}
		}
		first, err := candidates("e:" + email)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range first {
			if (c.Identity != nil && strings.EqualFold(c.Identity.Email, email)) || c.proofEmail == email || c.contactEmail == email || mentions(c, email) {
				take(c)
			}
		}
		for _, k := range allCases {
			if k.Email == email || (k.Identity != nil && strings.EqualFold(k.Identity.Email, email)) {
				found[k.Conversation] = true
				if k.Order != "" {
					numbers[k.Order] = true
				}
			}
		}
		var who []string
		for id := range ids {
			who = append(who, "c:"+id)
		}
		for _, n := range keys(numbers) {
			who = append(who, "o:"+n)
		}
		slices.Sort(who)
		second, err := candidates(who...)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range append(first, second...) {
			if !found[c.ID] && ((c.Identity != nil && ids[c.Identity.CustomerID]) || numbers[c.Order] || mentions(c, keys(numbers)...)) {
				take(c)
			}
		}
		// Conversations named by a case only are read now.
		var named []string
		for id := range found {
			if _, seen := read[id]; !seen && id != "" {
				named = append(named, id)
			}
		}
		for _, id := range named {
			c, err := readConversation(tx, id)
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return nil, nil, err
			}
			read[id] = c
		}
		var all []*Conversation
		for id, c := range read {
			if found[id] {
				all = append(all, c)
			}
		}
		slices.SortFunc(all, func(a, b *Conversation) int { return strings.Compare(a.ID, b.ID) })
		for _, c := range all {
			if found[c.ID] {
				ex.Conversations = append(ex.Conversations, c)
				convs = append(convs, c.ID)
			}
		}
		for _, k := range allCases {
			if found[k.Conversation] || numbers[k.Order] || k.Email == email || (k.Identity != nil && ids[k.Identity.CustomerID]) {
				ex.Cases = append(ex.Cases, k)
				cases = append(cases, k.ID)
			}
		}
		return convs, cases, nil
	}
	var err error
	var gone []string // conversations whose files go too
	if !erase {
		err = b.view(func(tx *bbolt.Tx) error { _, _, err := find(tx); return err })
	} else {
		err = b.update(func(tx *bbolt.Tx) error {
			convs, cases, err := find(tx)
			if err != nil {
				return err
			}
			for _, id := range convs {
				if err := deleteConversation(tx, id); err != nil {
					return err
				}
				if err := b.opts.Reports.Forget(tx, id); err != nil {
					return err
				}
			}
			gone = convs
			for _, id := range cases {
				if err := tx.Bucket(bucketCases).Delete([]byte(id)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err == nil {
		err = b.removeAttachments(gone)
	}
	if err != nil {
		return nil, fmt.Errorf("forget: %w", err)
	}
	return ex, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, strings.ToLower(k))
	}
	slices.Sort(out)
	return out
}
