package server

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/accounts"
	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/kb"
)

// The agents' inbox: one page with the queue on the left and the open
// conversation on the right. The server renders both; console.js listens
// to /agent/events and replaces the fragments that changed
// (/agent/fragments/...), so that drafts, focus and scroll survive.

// watchFor is how far back bot conversations are listed.
const watchFor = 2 * time.Hour

// perPage is how many bot conversations a queue page lists.
const perPage = 20

// queueData is the left pane.
type queueData struct {
	Waiting, Agent, Requests, Bot []queueRow
	Page, Prev, Next, Pages       int
	Selected                      string
	// MoreRequests counts the callbacks and e-mail requests beyond the
	// first maxRequests, oldest first: the page stays small however long
	// the queue.
	MoreRequests int
}

// maxRequests is how many callbacks and e-mail requests the queue lists.
const maxRequests = 50

// queueRow is one conversation or case in the queue.
type queueRow struct {
	Conversation, Kind, Since, First, Last, Topic, Order, Outcome, Agent, Contact string
	Frustrated, Selected                                                          bool
}

// paneData is the right pane: one conversation.
type paneData struct {
	CSRF, ID, State, Agent, Assignee, Customer, Order, Me string
	Taken, Mine, Closed                                   bool
	Items                                                 []bubble
	Reasons, Agents                                       []string
	Query                                                 string
	Hits                                                  []hitRow
	Previous                                              []historyRow
}

// bubble is one message of a transcript as the agent sees it.
type bubble struct {
	Kind, Who, At string // Kind: customer, bot, agent, notice, note
	Text          string
	HTML          template.HTML
	Choices       []string
	File          *fileRow
	at            time.Time
}

// fileRow is an attachment in a transcript.
type fileRow struct {
	URL, Name, Size string
	Image           bool
}

type hitRow struct{ Title, Text string }

var channelNames = map[string]string{
	chat.ChannelCallback: "Rappel", chat.ChannelEmail: "E-mail", chat.ChannelLiveChat: "Chat", chat.ChannelPhone: "Téléphone",
	"social": "Réseaux sociaux",
}

var outcomeNames = map[chat.Outcome]string{
	chat.OutcomeAnswer: "Répondu", chat.OutcomeClarify: "Précision demandée", chat.OutcomeMiss: "Sans réponse",
	chat.OutcomeHandoff: "Conseiller demandé", "ask_order": "Commande demandée", "human": "Conseiller demandé",
	"frustration": "Mécontent", chat.OutcomeRelayed: "Transmis", "greeting": "Salutation", "thanks": "Remerciements",
	"goodbye": "Au revoir", "yes": "Oui", "no": "Non", "bot": "Question sur l’assistant",
}

// clock formats a time in the shop's time zone.
func (s *Server) clock(t time.Time, layout string) string { return t.In(s.cfg.Location).Format(layout) }

// handleInbox is the inbox page, with a conversation open when the path
// names one.
func (s *Server) handleInbox(c *fiber.Ctx) error {
	q, err := s.queue(c, c.Params("id"))
	if err != nil {
		return err
	}
	d := pageData{Title: "Conversations", Queue: q, Events: "/agent/events",
		Presence: s.bot.AgentStatus(agentName(c)), Reasons: chat.CloseReasons}
	if id := c.Params("id"); id != "" {
		if d.Pane, err = s.pane(c, id); err != nil {
			return err
		}
	}
	return s.page(c, fiber.StatusOK, "inbox", d)
}

func (s *Server) handleQueueFragment(c *fiber.Ctx) error {
	q, err := s.queue(c, c.Query("c"))
	if err != nil {
		return err
	}
	return fragment(c, "queue-pane", q)
}

func (s *Server) handlePaneFragment(c *fiber.Ctx) error {
	p, err := s.pane(c, c.Params("id"))
	if err != nil {
		return err
	}
	return fragment(c, "conversation-pane", p)
}

func (s *Server) handleHitsFragment(c *fiber.Ctx) error {
	p, err := s.pane(c, c.Params("id"))
	if err != nil {
		return err
	}
	return fragment(c, "hits", p)
}

// fragment sends one named template, for console.js to put in place.
func fragment(c *fiber.Ctx, name string, data any) error {
	var b strings.Builder
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	setPageHeaders(c)
	return c.SendString(b.String())
}

// queue lists, in this order: live chats waiting (oldest first), live
// chats with an agent, callbacks and e-mail requests, then a page of the
// bot's recent conversations.
func (s *Server) queue(c *fiber.Ctx, selected string) (*queueData, error) {
	ctx := c.UserContext()
	cases, err := s.bot.Cases(ctx)
	if err != nil {
		return nil, err
	}
	now := s.bot.Now()
	open := map[string]chat.Case{}
	var ids []string
	for i := len(cases) - 1; i >= 0; i-- { // oldest first
		k := cases[i]
		if k.State == chat.CaseWaiting || k.State == chat.CaseTaken {
			if _, ok := open[k.Conversation]; !ok || k.Channel == chat.ChannelLiveChat {
				open[k.Conversation] = k
			}
			ids = append(ids, k.Conversation)
		}
	}
	sums, err := s.bot.Summaries(ctx, now.Add(-watchFor), ids)
	if err != nil {
		return nil, err
	}
	q := &queueData{Selected: selected}
	byID := map[string]chat.Summary{}
	for _, sum := range sums {
		byID[sum.ID] = sum
	}
	row := func(sum chat.Summary) queueRow {
		r := queueRow{Conversation: sum.ID, First: sum.First, Last: sum.Last, Topic: sum.Topic, Order: sum.Order,
			Outcome: outcomeNames[sum.Outcome], Frustrated: sum.Frustrated, Selected: sum.ID == selected,
			Agent: chat.DisplayName(sum.Assignee), Since: waited(now.Sub(sum.Updated))}
		if sum.Assignee == "" {
			r.Agent = ""
		}
		if r.Last == r.First {
			r.Last = ""
		}
		return r
	}
	seen := map[string]bool{}
	for i := len(cases) - 1; i >= 0; i-- {
		k := cases[i]
		if open[k.Conversation].ID != k.ID || seen[k.Conversation] {
			continue
		}
		sum, ok := byID[k.Conversation]
		if !ok {
			sum = chat.Summary{Conversation: chat.Conversation{ID: k.Conversation, Order: k.Order}}
		}
		r := row(sum)
		r.Kind, r.Since = channelNames[k.Channel], waited(now.Sub(k.Created))
		if r.Topic == "" && k.Topic != nil {
			r.Topic = k.Topic.Title
		}
		seen[k.Conversation] = true
		switch {
		case k.Channel == chat.ChannelLiveChat && sum.Mode == chat.ModeAgent:
			q.Agent = append(q.Agent, r)
		case k.Channel == chat.ChannelLiveChat && k.State == chat.CaseWaiting:
			q.Waiting = append(q.Waiting, r)
		case k.Channel == chat.ChannelCallback:
			r.Contact = k.Phone
			if k.Slot != nil {
				r.Contact += " — " + k.Slot.Title
			}
			q.Requests = append(q.Requests, r)
		case k.Channel == chat.ChannelEmail:
			r.Contact = k.Email
			q.Requests = append(q.Requests, r)
		default: // a chat handed back to the bot: listed with the bot's
			seen[k.Conversation] = false
		}
	}
	if len(q.Requests) > maxRequests {
		q.Requests, q.MoreRequests = q.Requests[:maxRequests], len(q.Requests)-maxRequests
	}
	var bot []queueRow
	for _, sum := range sums {
		if !seen[sum.ID] && sum.Mode == chat.ModeBot {
			bot = append(bot, row(sum))
		}
	}
	// Frustrated customers first, then the most recent.
	slices.SortStableFunc(bot, func(a, b queueRow) int {
		switch {
		case a.Frustrated == b.Frustrated:
			return 0
		case a.Frustrated:
			return -1
		}
		return 1
	})
	q.Pages = max(1, (len(bot)+perPage-1)/perPage)
	q.Page, _ = strconv.Atoi(c.Query("page"))
	q.Page = min(max(q.Page, 1), q.Pages)
	q.Bot = bot[min(len(bot), (q.Page-1)*perPage):min(len(bot), q.Page*perPage)]
	if q.Page > 1 {
		q.Prev = q.Page - 1
	}
	if q.Page < q.Pages {
		q.Next = q.Page + 1
	}
	return q, nil
}

var stateNames = map[string]string{chat.ModeBot: "Avec l’assistant", chat.ModeWaiting: "En attente d’un conseiller", chat.ModeAgent: "Avec un conseiller"}

// pane is a conversation as the agent sees it: bubbles in the shop's time
// zone, private notes, the verified order and knowledge-base answers
// written for it, as plain text.
func (s *Server) pane(c *fiber.Ctx, id string) (*paneData, error) {
	ctx := c.UserContext()
	conv, err := s.bot.Conversation(ctx, id)
	if err != nil {
		return nil, err
	}
	me := agentName(c)
	p := &paneData{ID: conv.ID, State: stateNames[conv.Mode], Agent: conv.Agent, Assignee: conv.Assignee, Me: me,
		Taken: conv.Mode == chat.ModeAgent, Mine: conv.Mode == chat.ModeAgent && conv.Agent == me, Reasons: chat.CloseReasons,
		Customer: "Visiteur anonyme"}
	p.CSRF, _ = c.Locals("csrf").(string)
	if conv.Agent != "" {
		p.State += " : " + chat.DisplayName(conv.Agent)
	}
	if conv.Identity != nil {
		p.Customer = "Client connecté : " + conv.Identity.Email
	}
	for _, a := range s.bot.Agents() {
		p.Agents = append(p.Agents, a.Name)
	}
	if !slices.Contains(p.Agents, me) {
		p.Agents = append(p.Agents, me)
	}
	var lastWords string
	for _, t := range conv.Turns {
		at := s.clock(t.At, "15:04")
		if a := t.Attachment; a != nil {
			f := &fileRow{URL: "/agent/conversations/" + conv.ID + "/attachments/" + a.ID, Name: a.Name,
				Size: fmt.Sprintf("%d Ko", (a.Size+1023)/1024), Image: strings.HasPrefix(a.Type, "image/")}
			if t.From == "agent" {
				p.Items = append(p.Items, bubble{Kind: "agent", Who: chat.DisplayName(t.Agent) + " (conseiller)", At: at, File: f, at: t.At})
			} else {
				p.Items = append(p.Items, bubble{Kind: "customer", Who: "Client", At: at, File: f, at: t.At})
			}
		}
		switch {
		case t.Attachment != nil && t.From == "agent":
			continue
		case t.From == "agent":
			p.Items = append(p.Items, bubble{Kind: "agent", Who: chat.DisplayName(t.Agent) + " (conseiller)", At: at, Text: t.Reply.Text, at: t.At})
			continue
		case t.From == "notice":
			p.Items = append(p.Items, bubble{Kind: "notice", At: at, Text: t.Reply.Text, at: t.At})
			continue
		case t.Attachment != nil:
		case t.Text != "":
			p.Items = append(p.Items, bubble{Kind: "customer", Who: "Client", At: at, Text: t.Text, at: t.At})
			lastWords = t.Text
		case t.Choice != "":
			p.Items = append(p.Items, bubble{Kind: "customer", Who: "Client (clic)", At: at, Text: s.bot.ChoiceTitle(t.Choice), at: t.At})
		case t.Reply.Outcome != chat.OutcomeRelayed && t.Reply.HTML != "":
			p.Items = append(p.Items, bubble{Kind: "customer", Who: "Client (clic)", At: at, Text: "Avis sur la réponse", at: t.At})
		}
		if t.Reply.HTML != "" && t.Reply.Outcome != chat.OutcomeRelayed {
			b := bubble{Kind: "bot", Who: "Assistant", At: at, HTML: template.HTML(t.Reply.HTML), at: t.At} // sanitised when rendered
			if t.Reply.Title != "" {
				b.Who += " — « " + t.Reply.Title + " »"
			}
			for _, ch := range t.Reply.Choices {
				b.Choices = append(b.Choices, ch.Title)
			}
			for _, ch := range t.Reply.Channels {
				b.Choices = append(b.Choices, ch.Title)
			}
			p.Items = append(p.Items, b)
		}
	}
	prev, err := s.bot.Previous(ctx, conv.ID)
	if err != nil {
		return nil, err
	}
	p.Previous = s.historyRows(prev)
	notes, err := s.bot.Notes(ctx, conv.ID)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		p.Items = append(p.Items, bubble{Kind: "note", Who: "Note de " + chat.DisplayName(n.Agent), At: s.clock(n.At, "15:04"), Text: n.Text, at: n.At})
	}
	slices.SortStableFunc(p.Items, func(a, b bubble) int { return a.at.Compare(b.at) })
	if len(p.Items) > 0 {
		p.Items[0].At = s.clock(p.Items[0].at, "02/01 15:04")
	}

	p.Query = c.Query("q", lastWords)
	var hits []kb.Hit
	if p.Query != "" {
		res, err := s.kb.Search(ctx, kb.SearchRequest{Query: p.Query, Size: 5})
		if err != nil {
			return nil, err
		}
		hits = res.Hits
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	var answers []string
	p.Order, answers = s.bot.AgentAids(ctx, conv, ids)
	for i, text := range answers {
		if text != "" {
			p.Hits = append(p.Hits, hitRow{Title: hits[i].Title, Text: text})
		}
	}
	return p, nil
}

func agentName(c *fiber.Ctx) string {
	if u, ok := c.Locals("user").(*accounts.User); ok {
		return u.Name
	}
	return ""
}

// done answers a console form: 204 to console.js, which refreshes what
// changed, or a redirect back to the page without JavaScript.
func done(c *fiber.Ctx, to string) error {
	if c.Get("X-Requested-With") == "fetch" {
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

func convPath(c *fiber.Ctx) string { return "/agent/conversations/" + c.Params("id") }

func (s *Server) handleTake(c *fiber.Ctx) error {
	if err := s.bot.TakeOver(c.UserContext(), c.Params("id"), agentName(c)); err != nil {
		return err
	}
	return done(c, convPath(c))
}

func (s *Server) handleAgentReply(c *fiber.Ctx) error {
	if err := s.bot.AgentReply(c.UserContext(), c.Params("id"), agentName(c), c.FormValue("text")); err != nil {
		return err
	}
	return done(c, convPath(c))
}

func (s *Server) handleRelease(c *fiber.Ctx) error {
	if err := s.bot.Release(c.UserContext(), c.Params("id"), agentName(c)); err != nil {
		return err
	}
	return done(c, convPath(c))
}

func (s *Server) handleClose(c *fiber.Ctx) error {
	if err := s.bot.CloseCase(c.UserContext(), c.Params("id"), agentName(c), c.FormValue("reason")); err != nil {
		return err
	}
	return done(c, convPath(c))
}

func (s *Server) handleNote(c *fiber.Ctx) error {
	if err := s.bot.AddNote(c.UserContext(), c.Params("id"), agentName(c), c.FormValue("text")); err != nil {
		return err
	}
	return done(c, convPath(c))
}

func (s *Server) handleAssign(c *fiber.Ctx) error {
	to := cmp.Or(strings.TrimSpace(c.FormValue("to")), agentName(c))
	if err := s.bot.Assign(c.UserContext(), c.Params("id"), to); err != nil {
		return err
	}
	return done(c, convPath(c))
}

// handleAgentTyping tells the customer that the agent is writing.
func (s *Server) handleAgentTyping(c *fiber.Ctx) error {
	s.bot.Typing(c.Params("id"), agentName(c))
	return c.SendStatus(fiber.StatusNoContent)
}

// handlePresence is the « disponible / absent » switch.
func (s *Server) handlePresence(c *fiber.Ctx) error {
	s.bot.SetAway(agentName(c), c.FormValue("away") == "1")
	return done(c, "/agent")
}

// handleHeartbeat is console.js saying, every 30 s, whether the agent
// typed, clicked or scrolled since the last beat.
func (s *Server) handleHeartbeat(c *fiber.Ctx) error {
	if c.FormValue("active") == "1" {
		s.bot.Seen(agentName(c))
	}
	return c.JSON(s.bot.AgentStatus(agentName(c)))
}

// handleLogContact records a contact that came by phone, e-mail or social
// media.
func (s *Server) handleLogContact(c *fiber.Ctx) error {
	_, err := s.bot.LogContact(c.UserContext(), agentName(c), chat.Contact{Channel: c.FormValue("channel"),
		Customer: c.FormValue("customer"), Order: c.FormValue("order"), Reason: c.FormValue("reason"), Outcome: c.FormValue("outcome")})
	if err != nil {
		return err
	}
	return done(c, "/agent")
}

// handleQueueEvents streams every event to a console tab; while it is
// open, the agent counts as connected (see chat.Connect).
func (s *Server) handleQueueEvents(c *fiber.Ctx) error {
	events, cancel := s.bot.Subscribe("", true)
	disconnect := s.bot.Connect(agentName(c))
	return s.stream(c, events, func() { cancel(); disconnect() })
}

// stream sends events as server-sent events until the subscription ends
// or the client goes away, with a comment every 15 s to keep proxies open
// and to notice a client gone. The server's write deadline covers a whole
// response; a stream pushes it back before each write, so it lives as long
// as the client reads.
func (s *Server) stream(c *fiber.Ctx, events <-chan chat.Event, cancel func()) error {
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("X-Accel-Buffering", "no")
	conn := c.Context().Conn()
	ping := min(15*time.Second, s.cfg.WriteTimeout/2)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer cancel()
		ticker := time.NewTicker(ping)
		defer ticker.Stop()
		flush := func() bool {
			conn.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
			return w.Flush() == nil
		}
		fmt.Fprint(w, ": ouvert\n\n")
		if !flush() {
			return
		}
		for {
			select {
			case e, ok := <-events:
				if !ok {
					return
				}
				data, _ := json.Marshal(e)
				fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Type, data)
			case <-ticker.C:
				fmt.Fprint(w, ": ping\n\n")
			}
			if !flush() {
				return
			}
		}
	})
	return nil
}
