package chat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/nlu"
)

// Channel is a way to reach a person, offered when the bot hands over.
type Channel struct {
	ID     string `json:"id"` // live_chat, callback, email, phone
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	// Slots are the callback time slots to choose from.
	Slots []Slot `json:"slots,omitempty"`
}

// Slot is a callback time slot.
type Slot struct {
	ID    string `json:"id"` // "2026-11-23-am"
	Title string `json:"title"`
}

// The channels.
const (
	ChannelLiveChat = "live_chat"
	ChannelCallback = "callback"
	ChannelEmail    = "email"
	ChannelPhone    = "phone"
)

// HandoffRequest is what a customer fills in to be called back or answered
// by e-mail.
type HandoffRequest struct {
	Channel string `json:"channel"`
	Phone   string `json:"phone,omitempty"`
	Slot    string `json:"slot,omitempty"`
	Email   string `json:"email,omitempty"`
	Message string `json:"message,omitempty"`
}

// FormError lists what is wrong in a HandoffRequest, field by field, in
// French for the customer.
type FormError struct {
	Fields map[string]string
}

func (e *FormError) Error() string {
	return fmt.Sprintf("invalid handoff request (%d fields)", len(e.Fields))
}

// Case is a handover to a person: what an agent needs to pick it up without
// asking the customer to repeat themselves.
type Case struct {
	ID           string    `json:"id"`
	Conversation string    `json:"conversation"`
	Channel      string    `json:"channel"`
	State        string    `json:"state"` // waiting, taken, closed
	Topic        *Choice   `json:"topic,omitempty"`
	Order        string    `json:"order,omitempty"`
	Identity     *Identity `json:"identity,omitempty"`
	Phone        string    `json:"phone,omitempty"`
	Slot         *Slot     `json:"slot,omitempty"`
	Email        string    `json:"email,omitempty"`
	Message      string    `json:"message,omitempty"`
	Reason       string    `json:"reason,omitempty"` // contact reason, chosen at closing
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
	Closed       time.Time `json:"closed,omitzero"`
	// Overdue is set once the customer of a live chat nobody took in
	// time was told and offered another channel.
	Overdue bool `json:"overdue,omitempty"`
	// CSAT is the customer's rating after closing.
	CSAT *CSAT `json:"csat,omitempty"`
	// Customer and Outcome describe a contact logged by an agent (phone,
	// e-mail, social media): who, and what was done.
	Customer string `json:"customer,omitempty"`
	Outcome  string `json:"outcome,omitempty"`
	Agent    string `json:"agent,omitempty"`
}

// CSAT is a customer's satisfaction with a closed case.
type CSAT struct {
	Score   int       `json:"score"` // 1 to 5
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// Case states.
const (
	CaseWaiting = "waiting"
	CaseTaken   = "taken"
	CaseClosed  = "closed"
	// CaseWithdrawn is a live chat the customer gave up for a callback or
	// an e-mail.
	CaseWithdrawn = "withdrawn"
)

var bucketCases = []byte("cases")

// maxMessage bounds the message of an e-mail request, in runes.
const maxMessage = 2000

// channels are the ways to reach a person at now.
func (b *Bot) channels(now time.Time) []Channel {
	h := b.opts.Hours
	open := h.Open(now)
	next := whenOpen(h.NextOpen(now), now)
	var cs []Channel
	if open && b.agentOnline() {
		cs = append(cs, Channel{ID: ChannelLiveChat, Title: "Discuter avec un conseiller", Detail: "Un conseiller vous répond dans quelques minutes."})
	}
	cb := Channel{ID: ChannelCallback, Title: "Être rappelé", Detail: "Choisissez le créneau qui vous arrange.", Slots: b.slots(now)}
	if !open {
		cb.Detail = "Nos conseillers rappellent " + fromWhen(next) + " : choisissez le créneau qui vous arrange."
	}
	cs = append(cs, cb, Channel{ID: ChannelEmail, Title: "Écrire à un conseiller", Detail: "Réponse par e-mail sous 24 h ouvrées."})
	if b.opts.Phone == "" {
		return cs
	}
	phone := Channel{ID: ChannelPhone, Title: "Appeler le service client", Detail: b.opts.Phone + "."}
	if b.opts.PhoneHours != "" {
		phone.Detail = b.opts.Phone + ", " + b.opts.PhoneHours + "."
	}
	if !open {
		phone.Detail += " Le service est fermé pour le moment ; il rouvre " + next + "."
	}
	return append(cs, phone)
}

// slots are the callback slots of the next three open days: morning and
// afternoon, those not yet over.
func (b *Bot) slots(now time.Time) []Slot {
	now = now.In(paris())
	var out []Slot
	for d := 0; d < 15 && len(out) < 6; d++ {
		day := time.Date(now.Year(), now.Month(), now.Day()+d, 0, 0, 0, 0, now.Location())
		s := b.opts.Hours.span(day)
		if s.Close <= s.Open {
			continue
		}
		for _, half := range b.daySlots(s) {
			end := day.Add(time.Duration(half.to) * time.Minute)
			if half.to-half.from < 30 || !end.After(now.Add(30*time.Minute)) {
				continue
			}
			out = append(out, Slot{ID: day.Format("2006-01-02") + "-" + half.id,
				Title: fmt.Sprintf("%s entre %s et %s", whenDay(day, now), clock(half.from), clock(half.to))})
		}
	}
	return out
}

// daySlot is a callback slot of a day, in minutes after midnight.
type daySlot struct {
	id       string
	from, to int
}

// daySlots are the callback slots of a day open during s: the configured
// ones within s (their id is their start, "1400"), or the morning ("am")
// and the afternoon ("pm").
func (b *Bot) daySlots(s Span) []daySlot {
	if len(b.opts.Hours.Slots) == 0 {
		mid := min(max(12*60, s.Open), s.Close)
		return []daySlot{{"am", s.Open, mid}, {"pm", max(mid, 14*60), s.Close}}
	}
	var out []daySlot
	for _, c := range b.opts.Hours.Slots {
		from, to := max(c.Open, s.Open), min(c.Close, s.Close)
		out = append(out, daySlot{fmt.Sprintf("%02d%02d", c.Open/60, c.Open%60), from, to})
	}
	return out
}

// withHandoff adds the channels to r, with words that say why.
func (b *Bot) withHandoff(r *Reply, why string) *Reply {
	now := b.opts.Now()
	r.Channels = b.channels(now)
	text := why
	if !b.opts.Hours.Open(now) {
		text += " " + fmt.Sprintf(msgHandoffClosed, fromWhen(whenOpen(b.opts.Hours.NextOpen(now), now)))
	}
	r.append(text)
	return r
}

// notHelped answers « non » to « Cette réponse vous a-t-elle aidé ? »: the
// other close articles, once, then a person.
func (b *Bot) notHelped(conv *Conversation) *Reply {
	first := !conv.guessed // the answer is judged now, not its other guesses
	if first && len(conv.lastRanked) > 1 {
		conv.guessed = true
		r := textReply(OutcomeClarify, msgOtherGuesses)
		r.unhelpful = true
		for _, id := range conv.lastRanked[1:min(3, len(conv.lastRanked))] {
			r.Choices = append(r.Choices, b.choice(id))
		}
		return b.withHandoff(r, msgOrPerson)
	}
	r := textReply(OutcomeHandoff, msgNotHelped)
	r.unhelpful = first
	return b.withHandoff(r, msgChooseChannel)
}

// OutcomeHandoff is a reply that offers the ways to reach a person.
const OutcomeHandoff Outcome = "handoff"

// Handoff records a customer's request to be called back or answered by
// e-mail, as a case, and returns the bot's confirmation. Invalid fields
// give a *FormError and store nothing.
func (b *Bot) Handoff(ctx context.Context, convID string, req HandoffRequest) (*Reply, error) {
	defer b.locks.lock(convID)()
	conv, err := b.state(convID)
	if err != nil {
		return nil, err
	}
	now := b.opts.Now()
	c := &Case{Conversation: conv.ID, Channel: req.Channel, State: CaseWaiting, Order: conv.Order, Identity: conv.Identity,
		Created: now.UTC(), Updated: now.UTC()}
	if conv.lastAnswer != "" {
		ch := b.choice(conv.lastAnswer)
		c.Topic = &ch
	}
	fields := map[string]string{}
	var text string
	switch req.Channel {
	case ChannelCallback:
		phone := ""
		for _, e := range nlu.Extract(req.Phone) {
			if e.Kind == nlu.EntityPhone {
				phone = e.Value
			}
		}
		if phone == "" {
			fields["phone"] = "Ce numéro ne semble pas valide : indiquez un numéro français à 10 chiffres, par exemple 06 12 34 56 78."
		}
		slots := b.slots(now)
		i := slices.IndexFunc(slots, func(s Slot) bool { return s.ID == req.Slot })
		if i < 0 {
			fields["slot"] = "Choisissez l’un des créneaux proposés."
		} else {
			s := slots[i]
			c.Slot = &s
			text = fmt.Sprintf(msgCallbackOK, formatPhone(phone), strings.ToLower(s.Title[:1])+s.Title[1:])
		}
		c.Phone = phone
	case ChannelEmail:
		if addr, ok := parseEmail(req.Email); ok {
			c.Email = strings.ToLower(addr)
		} else {
			fields["email"] = msgBadEmail
		}
		msg := strings.TrimSpace(req.Message)
		switch n := utf8.RuneCountInString(msg); {
		case n == 0:
			fields["message"] = "Écrivez votre message pour le conseiller."
		case n > maxMessage:
			fields["message"] = fmt.Sprintf("Votre message est un peu long : %d caractères au plus.", maxMessage)
		}
		c.Message = msg
		text = fmt.Sprintf(msgEmailOK, c.Email)
	case ChannelLiveChat:
		if !b.opts.Hours.Open(now) || !b.agentOnline() {
			fields["channel"] = "Aucun conseiller n’est disponible pour discuter en ce moment : choisissez le rappel ou l’e-mail."
		}
		text = msgLiveChatOK
	default:
		fields["channel"] = "Choisissez le rappel ou l’e-mail."
	}
	if len(fields) > 0 {
		return nil, &FormError{Fields: fields}
	}
	if c.ID, err = newID(); err != nil {
		return nil, err
	}
	r := textReply(OutcomeHandoff, text)
	err = b.update(func(tx *bbolt.Tx) error {
		if _, err := readState(tx, conv.ID); err != nil {
			return err
		}
		bk, err := tx.CreateBucketIfNotExists(bucketCases)
		if err != nil {
			return err
		}
		if err := putJSON(bk, []byte(c.ID), c); err != nil {
			return err
		}
		switch {
		case req.Channel == ChannelLiveChat:
			err := updateMeta(tx, conv.ID, func(m *meta) error {
				m.Mode = ModeWaiting
				return nil
			})
			if err != nil {
				return err
			}
		case conv.Mode == ModeWaiting:
			// Tired of waiting, the customer chose another channel: the
			// live chat leaves the queue and the bot answers again.
			err := changeCases(tx, conv, now, func(cs *Case) {
				if cs.Channel == ChannelLiveChat {
					cs.State = CaseWithdrawn
				}
			}, false)
			if err != nil {
				return err
			}
			err = updateMeta(tx, conv.ID, func(m *meta) error {
				m.Mode = ModeBot
				if req.Channel == ChannelEmail {
					m.ContactEmail = c.Email // a transcript may go there
				}
				return nil
			})
			if err != nil {
				return err
			}
		case req.Channel == ChannelEmail:
			err := updateMeta(tx, conv.ID, func(m *meta) error {
				m.ContactEmail = c.Email // a transcript may go there
				return nil
			})
			if err != nil {
				return err
			}
		}
		t := Turn{At: now.UTC(), Text: "", Choice: "contact:" + req.Channel, Reply: *r}
		if _, err := appendTurn(tx, conv, t, nil); err != nil {
			return err
		}
		return b.report(tx, conv, t)
	})
	if err != nil {
		return nil, fmt.Errorf("handoff: %w", err)
	}
	b.publish(Event{Type: "queue", Conversation: conv.ID, Private: true})
	if req.Channel == ChannelEmail && b.opts.Mailer != nil && b.opts.SupportEmail != "" {
		full, err := b.Conversation(ctx, conv.ID)
		if err == nil {
			subject := "Demande par e-mail de " + c.Email
			if c.Topic != nil {
				subject += " — " + c.Topic.Title
			}
			body := fmt.Sprintf("Répondre à : %s\nCommande : %s\n\nMessage :\n%s\n\n---\n%s", c.Email, orDash(c.Order), c.Message, Transcript(full))
			err = b.opts.Mailer.Send(ctx, b.opts.SupportEmail, subject, body)
		}
		r.MailError = err
	}
	return r, nil
}

// parseEmail reads an e-mail address a customer typed; a domain without a
// dot is refused.
func parseEmail(s string) (string, bool) {
	addr, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil || !strings.Contains(addr.Address, ".") {
		return "", false
	}
	return addr.Address, true
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Transcript is a conversation as plain text, for a download or an e-mail.
func Transcript(conv *Conversation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Conversation du %s\n\n", frenchDate(conv.Created))
	for _, t := range conv.Turns {
		at := t.At.In(paris()).Format("15:04")
		if t.Text != "" {
			fmt.Fprintf(&b, "[%s] Vous : %s\n\n", at, t.Text)
		}
		who := "Assistant"
		switch t.From {
		case "agent":
			who = "Conseiller"
		case "notice":
			who = "Service client"
		}
		if t.Attachment != nil {
			if t.From != "agent" {
				who = "Vous"
			}
			fmt.Fprintf(&b, "[%s] %s : (fichier joint : %s)\n\n", at, who, t.Attachment.Name)
			who = "Assistant"
		}
		if t.Reply.Text != "" {
			fmt.Fprintf(&b, "[%s] %s : %s\n\n", at, who, t.Reply.Text)
		}
	}
	return b.String()
}

// Transcripts by e-mail are limited per conversation and per address, in a
// day, so that the endpoint cannot flood anyone's mailbox.
const (
	transcriptsPerConversation = 3
	transcriptsPerAddress      = 5
	transcriptWindow           = 24 * time.Hour
)

var bucketTranscripts = []byte("transcript_sends")

// ErrTooManyTranscripts is returned when the conversation or the address
// had its transcripts for the day.
var ErrTooManyTranscripts = errors.New("too many transcripts sent")

// SendTranscript e-mails the conversation to the customer: only to an
// address this conversation vouches for, that of the customer the shop
// vouches for now (who, from a current token), the one that proved the
// order, or the one typed in the conversation's e-mail request. Anything
// else would make Guichet an open relay.
func (b *Bot) SendTranscript(ctx context.Context, convID, email string, who *Identity) error {
	if b.opts.Mailer == nil {
		return ErrNoMail
	}
	addr, ok := parseEmail(email)
	if !ok {
		return &FormError{Fields: map[string]string{"email": msgBadEmail}}
	}
	addr = strings.ToLower(addr)
	conv, err := b.Conversation(ctx, convID)
	if err != nil {
		return err
	}
	contact := conv.contactEmail
	conv.present(who, "", b.opts.Now())
	var known []string
	if conv.Identity != nil {
		known = append(known, strings.ToLower(conv.Identity.Email))
	}
	if conv.Order != "" && conv.proofEmail != "" {
		known = append(known, conv.proofEmail)
	}
	if contact != "" {
		known = append(known, contact)
	}
	if !slices.Contains(known, addr) {
		return &FormError{Fields: map[string]string{"email": msgTranscriptAddress}}
	}
	if err := b.countTranscript(conv.ID, addr); err != nil {
		return err
	}
	if err := b.opts.Mailer.Send(ctx, addr, "Votre conversation avec "+b.opts.ShopName, Transcript(conv)); err != nil {
		return fmt.Errorf("send transcript: %w", err)
	}
	return nil
}

// sendCount is how many transcripts went out since a window began.
type sendCount struct {
	Count int       `json:"count"`
	Since time.Time `json:"since"`
}

// countTranscript counts a transcript sent for the conversation and to the
// address, or returns ErrTooManyTranscripts and counts nothing.
func (b *Bot) countTranscript(convID, addr string) error {
	now := b.opts.Now().UTC()
	sum := sha256.Sum256([]byte(addr))
	keys := []struct {
		key   []byte
		limit int
	}{{[]byte("conversation:" + convID), transcriptsPerConversation}, {[]byte("address:" + hex.EncodeToString(sum[:16])), transcriptsPerAddress}}
	err := b.update(func(tx *bbolt.Tx) error {
		bk, err := tx.CreateBucketIfNotExists(bucketTranscripts)
		if err != nil {
			return err
		}
		recs := make([]sendCount, len(keys))
		for i, k := range keys {
			if v := bk.Get(k.key); v != nil {
				if err := json.Unmarshal(v, &recs[i]); err != nil {
					return fmt.Errorf("decode transcript count: %w", err)
				}
			}
			if now.Sub(recs[i].Since) > transcriptWindow {
				recs[i] = sendCount{Since: now}
			}
			if recs[i].Count >= k.limit {
				return ErrTooManyTranscripts
			}
		}
		for i, k := range keys {
			recs[i].Count++
			if err := putJSON(bk, k.key, recs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("count transcript: %w", err)
	}
	return nil
}

// WaitingCases returns one page of the cases waiting for an agent, oldest
// first (the longest wait on top), and how many wait in all: the queue
// stays small to send whatever the backlog.
func (b *Bot) WaitingCases(ctx context.Context, offset, limit int) (page []Case, total int, err error) {
	all, err := b.Cases(ctx)
	if err != nil {
		return nil, 0, err
	}
	var waiting []Case
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].State == CaseWaiting {
			waiting = append(waiting, all[i])
		}
	}
	offset = min(max(offset, 0), len(waiting))
	return waiting[offset:min(offset+max(limit, 0), len(waiting))], len(waiting), nil
}

// Cases returns every case, newest first.
func (b *Bot) Cases(ctx context.Context) ([]Case, error) {
	var out []Case
	err := b.view(func(tx *bbolt.Tx) error {
		bk := tx.Bucket(bucketCases)
		if bk == nil {
			return nil
		}
		return bk.ForEach(func(_, v []byte) error {
			var c Case
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	slices.SortFunc(out, func(a, b Case) int { return b.Created.Compare(a.Created) })
	return out, nil
}

func formatPhone(digits string) string {
	if len(digits) != 10 {
		return digits
	}
	return strings.Join([]string{digits[0:2], digits[2:4], digits[4:6], digits[6:8], digits[8:10]}, " ")
}
