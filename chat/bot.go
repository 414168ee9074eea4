// Package chat owns the conversation. One turn goes understand (nlu, kb) ->
// decide (answer, clarify, miss, or respond to a conversational act) ->
// reply, and every turn is stored in chat's own bbolt buckets.
//
// It imports kb and nlu, never server or Fiber, and is testable without HTTP.
package chat

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/mailer"
	"github.com/guichet/guichet/nlu"
	"github.com/guichet/guichet/orders"
	"github.com/guichet/guichet/reports"
)

// Errors a caller can act on. The server maps each to a French message.
var (
	ErrNotFound         = errors.New("conversation not found")
	ErrEmptyMessage     = errors.New("empty message")
	ErrMessageTooBig    = errors.New("message too long")
	ErrUnknownChoice    = errors.New("unknown choice")
	ErrConversationFull = errors.New("conversation full")
	ErrNoMail           = errors.New("e-mail not configured")
)

// Outcome is what the bot did with a message.
type Outcome string

// Outcomes of a turn. Acts use the nlu.Act names.
const (
	OutcomeAnswer  Outcome = "answer"
	OutcomeClarify Outcome = "clarify"
	OutcomeMiss    Outcome = "miss"
)

// Choice is an article offered to the customer: a clarify option or a
// suggestion after a miss.
type Choice struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Reply is the bot's answer to one message.
type Reply struct {
	Outcome Outcome `json:"outcome"`
	// Text is the reply as plain text (Markdown for articles).
	Text string `json:"text"`
	// HTML is the reply rendered and sanitised.
	HTML       string    `json:"html"`
	ArticleID  string    `json:"article_id,omitempty"`
	Title      string    `json:"title,omitempty"`
	Choices    []Choice  `json:"choices,omitempty"`
	Confidence float64   `json:"confidence"`
	Acts       []nlu.Act `json:"acts,omitempty"`
	// Channels are the ways to reach a person, when the bot hands over.
	Channels []Channel `json:"channels,omitempty"`
	// Order is the order the answer was written for, once verified.
	Order *OrderInfo `json:"order,omitempty"`
	// MailError is why an e-mail could not be sent (the case is stored
	// all the same), for the server to log.
	MailError error `json:"-"`
	// OrderError is why the order could not be checked, for the server to
	// log and count; it holds no order detail and never reaches the client.
	OrderError error `json:"-"`
	// Ranked is the matcher's ranking (ids, best first), kept for
	// evaluation and for agents; the widget does not need it.
	Ranked []string `json:"-"`

	unhelpful bool // the reply to « non » on the last answer: a Review
}

// Message is what the customer sends: text, or a click on a choice.
type Message struct {
	Text string `json:"text"`
	// Choice is the id of a choice of the previous reply: an article, or
	// "commande:NUMBER" for one of a verified customer's orders.
	Choice string `json:"choice,omitempty"`
	// Helpful answers « Cette réponse vous a-t-elle aidé ? » under the last
	// answer.
	Helpful *bool `json:"helpful,omitempty"`
	// Identity is the customer a currently valid token vouches for with
	// this message; nil when none came. The conversation's customer is
	// trusted, and their orders shown, only while it is presented.
	Identity *Identity `json:"-"`
	// Client is the sender's address, for the lock-out of order proofs.
	Client string `json:"-"`
}

// Options tune the decisions. Zero fields take the defaults.
type Options struct {
	// ShopName is used in the greeting; empty says « notre service client ».
	ShopName string
	// Greeting replaces the bot's first message.
	Greeting string
	// Topics are the article ids offered as quick topics under the
	// greeting; empty takes the most asked articles of the content.
	Topics []string
	// ContactArticle is the article shown when the customer asks for a
	// person ("nous-contacter" by default).
	ContactArticle string
	// AnswerAt is the confidence (nlu.Match.Confidence) from which the
	// best article is answered.
	AnswerAt float64
	// ClarifyAt is the probability that the right article is among the
	// first three (nlu.Match.InScope) from which they are offered as a
	// choice rather than treated as a miss.
	ClarifyAt float64
	// MaxRunes bounds a message's length.
	MaxRunes int
	// Orders is where orders are looked up; nil answers generically.
	Orders orders.Source
	// AfterMisses is how many misses in a row hand over (2).
	AfterMisses int
	// Hours are the service client's opening hours (DefaultHours).
	Hours *Hours
	// Phone is the service client's number, offered as a channel when
	// set, with PhoneHours (by default, Hours said in French).
	Phone, PhoneHours string
	// AgentsOnline overrides agent presence (tests); nil counts the agents
	// available at the console.
	AgentsOnline func() bool
	// IdleAfter is how long an agent with a console open but no activity
	// stays available for live chat (15 min).
	IdleAfter time.Duration
	// LiveChatWait is how long a live chat may wait before the customer is
	// offered a callback or an e-mail (5 min).
	LiveChatWait time.Duration
	// Mailer sends e-mail requests to SupportEmail and transcripts to
	// customers; nil stores requests without sending anything.
	Mailer       *mailer.Mailer
	SupportEmail string
	// RetentionMonths is how long conversations and cases are kept after
	// their last activity (13); see Prune.
	RetentionMonths int
	// AttachmentsDir is where the files sent in conversations are stored
	// (outside any web root); empty refuses attachments.
	AttachmentsDir string
	// Reports counts each event for the managers' reports; nil counts
	// nothing.
	Reports *reports.Book
	// Now gives the time (tests inject a clock).
	Now func() time.Time
}

// Defaults, chosen with « guichet eval » on the tunable sets (the public
// Garance shop, our dev file with 2 examples per article, Wikit training
// rows): answer when the first article is likely right, offer a choice when
// the right one is likely among the first three (see the README).
const (
	defaultAnswerAt  = 0.5
	defaultClarifyAt = 0.35
	defaultMaxRunes  = 2000
)

// clarifyShare is how close to the best a candidate must score to be
// offered in a choice.
const clarifyShare = 0.6

// Bot answers customers from a knowledge base and keeps conversations.
type Bot struct {
	kb       *kb.KB
	db       *bbolt.DB
	orders   orders.Source
	opts     Options
	hub      hub
	presence presence
	locks    convLocks
	// states keeps the state each recent turn wrote (see stateCache).
	states stateCache
	// writes is the one writer of chat's buckets (see commit.go).
	writes committer
	// migrated moves a data dir of the layout before to the flat one,
	// once, before the first read or write.
	migrated     sync.Once
	migrationErr error
}

// New returns a bot. It does no I/O: buckets are created on first write.
func New(k *kb.KB, db *bbolt.DB, opts Options) *Bot {
	if opts.ContactArticle == "" {
		opts.ContactArticle = "nous-contacter"
	}
	if opts.AnswerAt == 0 {
		opts.AnswerAt = defaultAnswerAt
	}
	if opts.ClarifyAt == 0 {
		opts.ClarifyAt = defaultClarifyAt
	}
	if opts.MaxRunes == 0 {
		opts.MaxRunes = defaultMaxRunes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetentionMonths == 0 {
		opts.RetentionMonths = defaultRetention
	}
	if opts.AfterMisses == 0 {
		opts.AfterMisses = 2
	}
	if opts.IdleAfter == 0 {
		opts.IdleAfter = defaultIdleAfter
	}
	if opts.LiveChatWait == 0 {
		opts.LiveChatWait = 5 * time.Minute
	}
	if opts.Hours == nil {
		opts.Hours = &DefaultHours
	}
	if opts.PhoneHours == "" {
		opts.PhoneHours = opts.Hours.Describe()
	}
	return &Bot{kb: k, db: db, orders: opts.Orders, opts: opts, writes: committer{db: db}}
}

// Now is the bot's clock, so that what the console shows about waiting
// times agrees with what the bot decided.
func (b *Bot) Now() time.Time { return b.opts.Now() }

// Greeting is the bot's first message in a new conversation.
func (b *Bot) Greeting() string {
	switch {
	case b.opts.Greeting != "":
		return b.opts.Greeting
	case b.opts.ShopName != "":
		return fmt.Sprintf(msgGreeting, b.opts.ShopName)
	}
	return msgGreetingNoName
}

// botIntro says what the bot is, to a customer who asks: never pretend
// to be a person.
func (b *Bot) botIntro() string {
	if b.opts.ShopName != "" {
		return fmt.Sprintf(msgBot, b.opts.ShopName)
	}
	return msgBotNoName
}

// Send handles one customer message in a conversation: it decides the reply
// and stores the turn.
func (b *Bot) Send(ctx context.Context, convID string, m Message) (*Reply, error) {
	m.Text = strings.TrimSpace(m.Text)
	if m.Text == "" && m.Choice == "" && m.Helpful == nil {
		return nil, ErrEmptyMessage
	}
	if utf8.RuneCountInString(m.Text) > b.opts.MaxRunes {
		return nil, ErrMessageTooBig
	}
	defer b.locks.lock(convID)()
	conv, err := b.state(convID)
	if err != nil {
		return nil, err
	}
	conv.present(m.Identity, m.Client, b.opts.Now())
	if conv.Mode != ModeBot && m.Text != "" {
		return b.relay(conv, m)
	}
	r, err := b.Decide(ctx, conv, m)
	if err != nil {
		return nil, err
	}
	now := b.opts.Now().UTC()
	if err := b.addTurn(conv, Turn{At: now, Text: m.Text, Choice: m.Choice, Reply: *r}, reviewOf(conv, m, r, now)); err != nil {
		return nil, err
	}
	b.publish(Event{Type: "turn", Conversation: convID, Private: true}) // agents watching see it
	return r, nil
}

// Decide computes the reply to m and updates conv's state (the order
// asked for or verified), without storing anything: Send stores. conv may be
// nil for a fresh conversation.
func (b *Bot) Decide(ctx context.Context, conv *Conversation, m Message) (*Reply, error) {
	if conv == nil {
		conv = &Conversation{}
	}
	if m.Helpful != nil || m.Choice != "" {
		return b.decideClick(ctx, conv, m)
	}
	acts, only := nlu.Acts(m.Text)
	if conv.pending != "" && b.orders != nil {
		if r, ok := b.verify(ctx, conv, m.Text); ok {
			return r, nil
		}
		if !only || acts[0] != nlu.ActNo {
			conv.pending, conv.pendingNumber = "", "" // the customer moved on
		}
	}
	if slices.Contains(acts, nlu.ActHuman) {
		r := b.human(acts)
		if slices.Contains(acts, nlu.ActBot) { // « t'es un robot ou une vraie personne ? »
			r.prepend(msgBotShort)
		}
		return b.withHandoff(r, msgChooseChannel), nil
	}
	if only {
		return b.decideAct(ctx, conv, acts)
	}
	return b.decideQuestion(ctx, conv, m.Text, acts), nil
}

// decideClick handles a click: on « Cette réponse vous a-t-elle aidé ? »,
// on one of the customer's orders, or on an article offered as a choice.
func (b *Bot) decideClick(ctx context.Context, conv *Conversation, m Message) (*Reply, error) {
	if m.Helpful != nil {
		if *m.Helpful {
			return textReply(Outcome(nlu.ActThanks), msgGlad), nil
		}
		return b.notHelped(conv), nil
	}
	if number, ok := strings.CutPrefix(m.Choice, choiceOrder); ok {
		return b.pickOrder(ctx, conv, number)
	}
	a, err := b.kb.Article(m.Choice)
	if err != nil {
		return nil, fmt.Errorf("choice %q: %w", m.Choice, ErrUnknownChoice)
	}
	switch {
	case conv.pending == a.ID: // « Voir la réponse générale »
		conv.pending, conv.pendingNumber = "", ""
		return b.answer(a, 1, ""), nil
	case a.Tailorable() && b.orders != nil:
		return b.tailor(ctx, conv, a, 1, ""), nil
	}
	return b.answer(a, 1, msgChose), nil
}

// decideAct replies to a message that is only acts. Yes and no answer the
// bot's last question when it asked one.
func (b *Bot) decideAct(ctx context.Context, conv *Conversation, acts []nlu.Act) (*Reply, error) {
	switch {
	case acts[0] == nlu.ActYes && conv.pending != "":
		if a, err := b.kb.Article(conv.pending); err == nil {
			return b.ask(msgAskOrder, a), nil
		}
	case acts[0] == nlu.ActYes && len(conv.offered) == 1:
		return b.decideClick(ctx, conv, Message{Choice: conv.offered[0]})
	case acts[0] == nlu.ActNo && conv.pending != "":
		if a, err := b.kb.Article(conv.pending); err == nil {
			conv.pending, conv.pendingNumber = "", ""
			return b.answer(a, 1, ""), nil
		}
	case acts[0] == nlu.ActNo && conv.lastAnswer != "":
		return b.notHelped(conv), nil
	}
	r := b.act(acts)
	if acts[0] == nlu.ActFrustration {
		r = b.withHandoff(r, msgChooseChannel)
	}
	return r, nil
}

// decideQuestion answers a question: the best article (for the customer's
// order when it depends on it), a choice, or a miss, with empathy and a way
// to a person when needed.
func (b *Bot) decideQuestion(ctx context.Context, conv *Conversation, text string, acts []nlu.Act) *Reply {
	r := b.rank(conv, b.kb.Match(text, 5))
	if r.Outcome == OutcomeAnswer && b.orders != nil {
		if a, err := b.kb.Article(r.ArticleID); err == nil && a.Tailorable() {
			ranked := r.Ranked
			r = b.tailor(ctx, conv, a, r.Confidence, text)
			r.Ranked = ranked
		}
	}
	r.Acts = acts
	angry := slices.Contains(acts, nlu.ActFrustration)
	switch {
	case r.Outcome == OutcomeMiss && angry:
		fr := b.act([]nlu.Act{nlu.ActFrustration})
		fr.Acts, fr.Ranked = acts, r.Ranked
		return b.withHandoff(fr, msgChooseChannel)
	case r.Outcome == OutcomeAnswer && angry:
		r.prepend(msgEmpathy)
		return b.withHandoff(r, msgIfNeeded)
	case r.Outcome == OutcomeAskOrder && angry:
		r.prepend(msgEmpathy) // the apology comes before asking for the order
		return r
	case r.Outcome == OutcomeMiss && conv.Misses+1 >= b.opts.AfterMisses:
		return b.withHandoff(r, msgAfterMisses)
	}
	return r
}

// rank turns the matcher's ranking into an answer, a clarify or a miss.
func (b *Bot) rank(conv *Conversation, m nlu.Match) *Reply {
	ranked := make([]string, len(m.Candidates))
	for i, c := range m.Candidates {
		ranked[i] = c.ID
	}
	// Another shop named: most likely a purchase made there. Say so, and
	// still offer the closest topics in case it is about us.
	if m.Elsewhere != "" {
		return b.miss(conv, m, ranked, fmt.Sprintf(msgElsewhere, m.Elsewhere, cmp.Or(b.opts.ShopName, "nous")))
	}
	if len(m.Candidates) > 0 && m.Confidence >= b.opts.AnswerAt {
		a, err := b.kb.Article(m.Candidates[0].ID)
		if err == nil {
			r := b.answer(a, m.Confidence, "")
			r.Ranked = ranked
			return r
		}
	}
	// Not sure enough to answer, but the right article is likely among
	// the first: ask, offering those that score close to the best.
	if len(m.Candidates) > 0 && m.InScope >= b.opts.ClarifyAt {
		top := m.Candidates[0].Score
		var choices []Choice
		for _, c := range m.Candidates[:min(3, len(m.Candidates))] {
			if c.Score >= clarifyShare*top {
				choices = append(choices, b.choice(c.ID))
			}
		}
		intro := msgClarify
		if len(choices) == 1 {
			intro = msgClarifyOne
		}
		text := intro + " " + titles(choices) + " ?"
		return &Reply{Outcome: OutcomeClarify, Text: text, HTML: paragraph(intro),
			Choices: choices, Confidence: m.Confidence, Ranked: ranked}
	}
	return b.miss(conv, m, ranked, "")
}

// miss says the bot has no answer, with intro or its usual apology, and
// offers the closest topics: whenever the ranking has a candidate, there
// are some.
func (b *Bot) miss(conv *Conversation, m nlu.Match, ranked []string, intro string) *Reply {
	var sugg []Choice
	for _, c := range m.Candidates[:min(3, len(m.Candidates))] {
		sugg = append(sugg, b.choice(c.ID))
	}
	text := intro
	switch {
	case text != "":
	case len(sugg) > 0:
		text = missMessages[conv.Misses%len(missMessages)]
	default:
		text = missNoHint[conv.Misses%len(missNoHint)]
	}
	r := &Reply{Outcome: OutcomeMiss, Text: text, HTML: paragraph(text), Choices: sugg, Confidence: m.Confidence, Ranked: ranked}
	if len(sugg) > 0 {
		r.Text += " " + titles(sugg) + "."
	}
	// Never a dead end: the way to a person is always one click away.
	if c, err := b.kb.Article(b.opts.ContactArticle); err == nil && !slices.ContainsFunc(sugg, func(x Choice) bool { return x.ID == c.ID }) {
		r.Choices = append(r.Choices, Choice{ID: c.ID, Title: c.Title})
	}
	return r
}

func (b *Bot) answer(a *kb.Article, conf float64, intro string) *Reply {
	r := &Reply{Outcome: OutcomeAnswer, ArticleID: a.ID, Title: a.Title, Confidence: conf,
		Text: a.Title + "\n\n" + a.Markdown, HTML: a.HTML}
	if intro != "" {
		r.Text = intro + "\n\n" + r.Text
	}
	return r
}

func (b *Bot) human(acts []nlu.Act) *Reply {
	r := &Reply{Outcome: Outcome(nlu.ActHuman), Acts: acts, Confidence: 1}
	if a, err := b.kb.Article(b.opts.ContactArticle); err == nil {
		r.Text, r.HTML, r.ArticleID, r.Title = a.Markdown, a.HTML, a.ID, a.Title
		r.prepend(msgHuman)
		return r
	}
	r.Text, r.HTML = msgHumanNoInfo, paragraph(msgHumanNoInfo)
	return r
}

// act replies to a message that is only a conversational act.
func (b *Bot) act(acts []nlu.Act) *Reply {
	a := acts[0]
	text := map[nlu.Act]string{
		nlu.ActGreeting:    b.Greeting(),
		nlu.ActThanks:      msgThanks,
		nlu.ActGoodbye:     msgGoodbye,
		nlu.ActYes:         msgYes,
		nlu.ActNo:          msgNo,
		nlu.ActFrustration: msgFrustration,
		nlu.ActBot:         b.botIntro(),
	}[a]
	r := textReply(Outcome(a), text)
	r.Acts = acts
	if a == nlu.ActFrustration {
		if c, err := b.kb.Article(b.opts.ContactArticle); err == nil {
			r.Choices = []Choice{{ID: c.ID, Title: c.Title}}
		}
	}
	return r
}

func (b *Bot) choice(id string) Choice {
	a, err := b.kb.Article(id)
	if err != nil {
		return Choice{ID: id, Title: id}
	}
	return Choice{ID: a.ID, Title: a.Title}
}

func titles(cs []Choice) string {
	t := make([]string, len(cs))
	for i, c := range cs {
		t[i] = "« " + c.Title + " »"
	}
	return strings.Join(t, ", ")
}

// textReply is a reply of one sentence, sure of itself.
func textReply(o Outcome, text string) *Reply {
	return &Reply{Outcome: o, Text: text, HTML: paragraph(text), Confidence: 1}
}

// prepend puts a sentence before the reply, in its text and its HTML.
func (r *Reply) prepend(text string) {
	r.Text = text + "\n\n" + r.Text
	r.HTML = paragraph(text) + r.HTML
}

// append puts a sentence after the reply, in its text and its HTML.
func (r *Reply) append(text string) {
	r.Text += "\n\n" + text
	r.HTML += paragraph(text)
}

// paragraph is text as one escaped HTML paragraph.
func paragraph(text string) string { return "<p>" + html.EscapeString(text) + "</p>" }
