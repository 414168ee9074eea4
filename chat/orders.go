package chat

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/nlu"
	"github.com/guichet/guichet/orders"
)

// Identity is a customer the shop vouched for with a signed token.
type Identity struct {
	CustomerID string `json:"customer_id"`
	Email      string `json:"email"`
}

// OrderInfo is what a reply says of the order it was tailored to.
type OrderInfo struct {
	Number string `json:"number"`
	Status string `json:"status"`
	Label  string `json:"label"`
	// Seller and Carrier are for the reports, never sent.
	Seller  string `json:"-"`
	Carrier string `json:"-"`
}

// OutcomeAskOrder is a reply asking which order the question is about.
const OutcomeAskOrder Outcome = "ask_order"

// choiceOrder prefixes a choice that picks one of a verified customer's
// orders: "commande:4581237".
const choiceOrder = "commande:"

// orderGrant is how long an order proven in a conversation stays shown
// without a new proof: the conversation id alone must not be a lasting key
// to someone's order.
const orderGrant = 30 * time.Minute

// maxAttempts is how many wrong order proofs a conversation may make before
// the bot stops asking and offers a person.
const maxAttempts = 5

// present keeps, for this turn, only what a current proof covers: the
// conversation's customer when who (the token of this request) is them, and
// the order while that customer is, or for orderGrant after a visitor
// proved it with its e-mail.
func (conv *Conversation) present(who *Identity, client string, now time.Time) {
	conv.client = client
	if conv.Identity != nil && (who == nil || !eq(who.CustomerID, conv.Identity.CustomerID)) {
		conv.Identity = nil
	}
	if conv.Order != "" && conv.Identity == nil && (conv.proofEmail == "" || now.Sub(conv.orderAt) > orderGrant) {
		conv.Order, conv.proofEmail = "", ""
	}
}

// tailor answers with a, written for the customer's order when one is known
// or can be found; otherwise it asks for the order, keeping the generic
// answer one click away.
func (b *Bot) tailor(ctx context.Context, conv *Conversation, a *kb.Article, conf float64, text string) *Reply {
	if conv.Order != "" {
		return b.answerForOrder(ctx, conv, a, conf, conv.Order)
	}
	if conv.attempts >= maxAttempts {
		return b.answer(a, conf, "")
	}
	conv.pending = a.ID
	if r, ok := b.verify(ctx, conv, text); ok {
		return r
	}
	if conv.Identity != nil {
		list, err := b.orders.CustomerOrders(ctx, conv.Identity.CustomerID)
		switch {
		case errors.Is(err, orders.ErrNotFound):
			conv.pending = ""
			return b.answer(a, conf, "")
		case err != nil:
			conv.pending = ""
			return b.unavailable(a, conf, err)
		case len(list) == 1:
			conv.pending = ""
			return b.answerForOrder(ctx, conv, a, conf, list[0].Number)
		}
		r := &Reply{Outcome: OutcomeAskOrder, Text: msgWhichOrder, HTML: paragraph(msgWhichOrder), Confidence: conf,
			ArticleID: a.ID, Title: a.Title}
		for _, o := range list[:min(5, len(list))] {
			r.Choices = append(r.Choices, Choice{ID: choiceOrder + o.Number, Title: fmt.Sprintf("Commande %s du %s — %s", o.Number, frenchDate(o.PlacedAt), o.Status.Label())})
		}
		r.Choices = append(r.Choices, Choice{ID: a.ID, Title: msgGeneric})
		return r
	}
	r := b.ask(msgAskOrder, a)
	r.Confidence = conf
	return r
}

// verify reads an order number and the e-mail used for the order in text,
// for the article waiting in conv.pending. ok is false when text holds none
// of them: the customer moved on to something else. A postcode is not a
// proof (a few hundred guesses find it): the bot asks for the e-mail.
func (b *Bot) verify(ctx context.Context, conv *Conversation, text string) (r *Reply, ok bool) {
	var number, email, postcode string
	for _, e := range nlu.Extract(text) {
		switch e.Kind {
		case nlu.EntityOrder:
			number = e.Value
		case nlu.EntityEmail:
			email = e.Value
		case nlu.EntityPostal:
			postcode = e.Value
		}
	}
	if number == "" && email == "" && postcode == "" {
		return nil, false
	}
	a, err := b.kb.Article(conv.pending)
	if err != nil {
		conv.pending = ""
		return nil, false
	}
	if number != "" {
		conv.pendingNumber = number
	}
	if conv.pendingNumber == "" {
		return b.ask(msgAskNumber, a), true
	}
	if conv.Identity == nil && email == "" {
		return b.ask(msgAskProof, a), true
	}
	number = conv.pendingNumber
	reserved, err := b.reserveProof(number, conv.client)
	if err != nil {
		conv.pending, conv.pendingNumber = "", ""
		return b.unavailable(a, 1, err), true
	}
	if !reserved {
		// Locked out: the proof is not even checked, and the words are
		// those of too many attempts, whether the proof was right or not.
		conv.pending, conv.pendingNumber = "", ""
		r := b.human(nil)
		r.prepend(msgTooManyAttempts)
		return b.withHandoff(r, msgChooseChannel), true
	}
	o, err := b.orders.Order(ctx, number)
	if err != nil && !errors.Is(err, orders.ErrNotFound) {
		conv.pending, conv.pendingNumber = "", ""
		if rerr := b.refundProof(number, conv.client); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return b.unavailable(a, 1, err), true
	}
	if err == nil && owns(conv.Identity, o, email) {
		conv.pending, conv.pendingNumber = "", ""
		if email != "" {
			conv.proofEmail = strings.ToLower(email)
		}
		// A failing database shows when the turn is stored.
		_ = b.refundProof(number, conv.client)
		return b.answerWith(conv, a, 1, o), true
	}
	// Unknown order or wrong proof: the same words either way, so that
	// nobody learns whether an order number exists.
	conv.attempts++
	conv.pendingNumber = ""
	if conv.attempts >= maxAttempts {
		conv.pending = ""
		r := b.human(nil)
		r.prepend(msgTooManyAttempts)
		return b.withHandoff(r, msgChooseChannel), true
	}
	return b.ask(msgNoMatch, a), true
}

// owns tells whether the order is the customer's: the verified identity's,
// or the anonymous visitor gave its e-mail. Comparisons take constant time.
func owns(id *Identity, o *orders.Order, email string) bool {
	if id != nil {
		return eq(id.CustomerID, o.CustomerID)
	}
	return email != "" && eq(strings.ToLower(email), strings.ToLower(o.Email))
}

func eq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// pickOrder answers for one of the orders a verified customer was offered
// as choices. Only a choice of the last reply, for a customer whose token is
// presented now, reaches the order system.
func (b *Bot) pickOrder(ctx context.Context, conv *Conversation, number string) (*Reply, error) {
	if b.orders == nil || conv.Identity == nil || !slices.Contains(conv.offered, choiceOrder+number) {
		return nil, fmt.Errorf("order choice: %w", ErrUnknownChoice)
	}
	a, err := b.kb.Article(conv.pending)
	if err != nil {
		return nil, fmt.Errorf("order choice: %w", ErrUnknownChoice)
	}
	conv.pending = ""
	return b.answerForOrder(ctx, conv, a, 1, number), nil
}

// ask asks for the order (or part of the proof) on the topic of a, whose
// generic answer stays one click away.
func (b *Bot) ask(text string, a *kb.Article) *Reply {
	r := textReply(OutcomeAskOrder, text)
	r.ArticleID, r.Title, r.Choices = a.ID, a.Title, []Choice{{ID: a.ID, Title: msgGeneric}}
	return r
}

// answerForOrder looks the order up again (the source caches) and answers.
func (b *Bot) answerForOrder(ctx context.Context, conv *Conversation, a *kb.Article, conf float64, number string) *Reply {
	o, err := b.orders.Order(ctx, number)
	switch {
	case errors.Is(err, orders.ErrNotFound):
		conv.Order = ""
		return b.answer(a, conf, "")
	case err != nil:
		return b.unavailable(a, conf, err)
	case conv.Identity != nil && !eq(conv.Identity.CustomerID, o.CustomerID):
		return b.answer(a, conf, "")
	}
	return b.answerWith(conv, a, conf, o)
}

// answerWith answers with the variant of a for o, or the generic answer
// when no variant applies, and remembers the order for later turns: for
// orderGrant from now when it was just proven.
func (b *Bot) answerWith(conv *Conversation, a *kb.Article, conf float64, o *orders.Order) *Reply {
	if conv.Order != o.Number {
		conv.Order, conv.orderAt = o.Number, b.opts.Now().UTC()
	}
	r := b.answer(a, conf, "")
	r.Order = &OrderInfo{Number: o.Number, Status: string(o.Status), Label: o.Status.Label(), Seller: o.Seller, Carrier: o.Carrier}
	t, ok, err := b.kb.Tailor(a, string(o.Status), o.Marketplace(), orderFields(o))
	if err != nil || !ok {
		return r
	}
	r.Text, r.HTML = a.Title+"\n\n"+t.Markdown, t.HTML
	return r
}

// unavailable is the generic answer when the order system cannot answer.
func (b *Bot) unavailable(a *kb.Article, conf float64, err error) *Reply {
	r := b.answer(a, conf, "")
	r.OrderError = err
	r.prepend(msgOrdersDown)
	return r
}

// orderFields are the values of an order's placeholders, in French.
func orderFields(o *orders.Order) map[string]string {
	f := map[string]string{
		"numero":       o.Number,
		"date":         frenchDate(o.PlacedAt),
		"statut":       o.Status.Label(),
		"transporteur": o.Carrier,
		"suivi":        o.TrackingURL,
		"montant":      frenchAmount(o.Total, o.Currency),
		"vendeur":      o.Seller,
	}
	if f["transporteur"] == "" {
		f["transporteur"] = "notre transporteur"
	}
	f["livraison_prevue"] = "dans les prochains jours"
	if !o.ExpectedDelivery.IsZero() {
		f["livraison_prevue"] = "le " + frenchDate(o.ExpectedDelivery)
	}
	items := make([]string, len(o.Items))
	for i, it := range o.Items {
		items[i] = fmt.Sprintf("%d × %s", it.Quantity, it.Name)
	}
	f["articles"] = strings.Join(items, ", ")
	return f
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

func frenchDate(t time.Time) string {
	t = t.In(paris())
	day := strconv.Itoa(t.Day())
	if day == "1" {
		day = "1er" // « le 1er décembre »
	}
	return fmt.Sprintf("%s %s %d", day, frenchMonths[t.Month()-1], t.Year())
}

func frenchAmount(cents int64, currency string) string {
	symbol := "€"
	if currency != "" && currency != "EUR" {
		symbol = html.EscapeString(currency)
	}
	return fmt.Sprintf("%d,%02d %s", cents/100, cents%100, symbol)
}

// paris is the shop's time zone, for dates customers read (loaded on first
// use; main embeds the time zone database).
var paris = sync.OnceValue(func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
})
