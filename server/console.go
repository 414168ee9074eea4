package server

import (
	"bufio"
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/accounts"
	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/kb"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// pageData is what every console page may show.
type pageData struct {
	Title, Error, Name, Next string
	User                     string
	CanEdit                  bool
	CSRF                     string
	Cases                    []caseRow
	Articles                 int
	Errors                   []*kb.ValidationError
	Reviews                  []reviewRow
	// Events is the event stream the page reloads on.
	Events string
	// The conversation page.
	Conv    *chat.Conversation
	Order   string
	Turns   []turnRow
	Reasons []string
	Query   string
	Hits    []hitRow
	Live    []liveRow
}

type turnRow struct{ At, Who, Text string }

// reviewRow is a question to review, as the editor page shows it.
type reviewRow struct{ At, Kind, Text, Closest string }

type hitRow struct{ Title, Text string }

type liveRow struct{ ID, Label string }

// caseRow is a case as the queue shows it.
type caseRow struct {
	Waiting, Channel, Topic, Contact, Order, Conversation string
}

// page renders a console page with the user and the CSRF token filled in.
func (s *Server) page(c *fiber.Ctx, status int, name string, d pageData) error {
	if u, ok := c.Locals("user").(*accounts.User); ok {
		d.User, d.CanEdit = u.Name, u.Role.Allows(accounts.RoleEditor)
	}
	d.CSRF, _ = c.Locals("csrf").(string)
	return render(c, status, name, d)
}

// render sends the template name filled with data as an HTML page.
func render(c *fiber.Ctx, status int, name string, data any) error {
	var b strings.Builder
	if err := pages.ExecuteTemplate(&b, name+".html", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	setPageHeaders(c)
	return c.Status(status).SendString(b.String())
}

// pagePolicy lets pages load scripts, styles and data from Guichet only
// (styles inline too: the templates and the widget's Shadow DOM use them).
const pagePolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

func setPageHeaders(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", pagePolicy)
	c.Set("X-Frame-Options", "DENY")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
}

var channelNames = map[string]string{
	chat.ChannelCallback: "Rappel", chat.ChannelEmail: "E-mail", chat.ChannelLiveChat: "Chat", chat.ChannelPhone: "Téléphone",
}

// handleQueue lists the waiting cases, oldest first.
func (s *Server) handleQueue(c *fiber.Ctx) error {
	cases, err := s.bot.Cases(c.UserContext())
	if err != nil {
		return err
	}
	var rows []caseRow
	for i := len(cases) - 1; i >= 0; i-- {
		k := cases[i]
		if k.State != chat.CaseWaiting {
			continue
		}
		r := caseRow{Waiting: waited(time.Since(k.Created)), Channel: channelNames[k.Channel], Order: k.Order, Conversation: k.Conversation}
		if k.Topic != nil {
			r.Topic = k.Topic.Title
		}
		switch k.Channel {
		case chat.ChannelCallback:
			r.Contact = k.Phone
			if k.Slot != nil {
				r.Contact += " — " + k.Slot.Title
			}
		case chat.ChannelEmail:
			r.Contact = k.Email
		}
		rows = append(rows, r)
	}
	recent, err := s.bot.Recent(c.UserContext(), time.Now().Add(-30*time.Minute))
	if err != nil {
		return err
	}
	var live []liveRow
	for _, r := range recent {
		if r.Mode == chat.ModeBot {
			live = append(live, liveRow{ID: r.ID, Label: "Active " + waited(time.Since(r.Updated)) + " — commencée il y a " + waited(time.Since(r.Created))})
		}
	}
	return s.page(c, fiber.StatusOK, "queue", pageData{Title: "File d’attente", Cases: rows, Live: live, Events: "/agent/events"})
}

// handleConversationPage shows a conversation to an agent: transcript,
// order, knowledge-base search prefilled with the customer's last words.
func (s *Server) handleConversationPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	conv, err := s.bot.Conversation(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	d := pageData{Title: "Conversation", Conv: conv, Reasons: chat.CloseReasons, Events: "/agent/conversations/" + conv.ID + "/events",
		Query: c.Query("q")}
	for _, t := range conv.Turns {
		at := t.At.In(time.Local).Format("15:04")
		switch {
		case t.From == "agent":
			d.Turns = append(d.Turns, turnRow{at, "Conseiller (" + t.Agent + ")", t.Reply.Text})
			continue
		case t.Text != "":
			d.Turns = append(d.Turns, turnRow{at, "Client", t.Text})
			d.Query = cmp.Or(c.Query("q"), t.Text)
		case t.Choice != "":
			d.Turns = append(d.Turns, turnRow{at, "Client", "(choix : " + t.Choice + ")"})
		}
		if t.Reply.Text != "" {
			d.Turns = append(d.Turns, turnRow{at, "Assistant", t.Reply.Text})
		}
	}
	var hits []kb.Hit
	if d.Query != "" {
		res, err := s.kb.Search(ctx, kb.SearchRequest{Query: d.Query, Size: 5})
		if err != nil {
			return err
		}
		hits = res.Hits
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	var answers []string
	d.Order, answers = s.bot.AgentAids(ctx, conv, ids)
	for i, text := range answers {
		if text != "" {
			d.Hits = append(d.Hits, hitRow{Title: hits[i].Title, Text: text})
		}
	}
	return s.page(c, fiber.StatusOK, "conversation", d)
}

func agentName(c *fiber.Ctx) string {
	u, _ := c.Locals("user").(*accounts.User)
	return u.Name
}

func (s *Server) handleTake(c *fiber.Ctx) error {
	if err := s.bot.TakeOver(c.UserContext(), c.Params("id"), agentName(c)); err != nil {
		return err
	}
	return c.Redirect("/agent/conversations/"+c.Params("id"), fiber.StatusSeeOther)
}

func (s *Server) handleAgentReply(c *fiber.Ctx) error {
	if err := s.bot.AgentReply(c.UserContext(), c.Params("id"), agentName(c), c.FormValue("text")); err != nil {
		return err
	}
	return c.Redirect("/agent/conversations/"+c.Params("id"), fiber.StatusSeeOther)
}

func (s *Server) handleRelease(c *fiber.Ctx) error {
	if err := s.bot.Release(c.UserContext(), c.Params("id"), agentName(c)); err != nil {
		return err
	}
	return c.Redirect("/agent/conversations/"+c.Params("id"), fiber.StatusSeeOther)
}

func (s *Server) handleClose(c *fiber.Ctx) error {
	if err := s.bot.CloseCase(c.UserContext(), c.Params("id"), agentName(c), c.FormValue("reason")); err != nil {
		return err
	}
	return c.Redirect("/agent", fiber.StatusSeeOther)
}

// handleQueueEvents streams every event to the console.
func (s *Server) handleQueueEvents(c *fiber.Ctx) error {
	events, cancel := s.bot.Subscribe("", true)
	return s.stream(c, events, cancel)
}

// handleConsoleConversationEvents streams one conversation's events to the
// console.
func (s *Server) handleConsoleConversationEvents(c *fiber.Ctx) error {
	events, cancel := s.bot.Subscribe(c.Params("id"), true)
	return s.stream(c, events, cancel)
}

// stream sends events as server-sent events until the subscription ends
// or the client goes away, with a comment every 15 s to keep proxies open.
// The server's write deadline covers a whole response; a stream pushes it
// back before each write, so it lives as long as the client reads.
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

func waited(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "moins d’une minute"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	}
	return fmt.Sprintf("%d h %02d", int(d.Hours()), int(d.Minutes())%60)
}

// handleEditor shows the state of the content, for editors: its errors,
// and the questions the bot recently missed or answered unhelpfully.
func (s *Server) handleEditor(c *fiber.Ctx) error {
	reviews, err := s.bot.Reviews(c.UserContext(), editorReviews)
	if err != nil {
		return err
	}
	d := pageData{Title: "Contenu", Articles: len(s.kb.Articles()), Errors: s.kb.Errors()}
	for _, r := range reviews {
		row := reviewRow{At: r.At.In(time.Local).Format("02/01 15:04"), Kind: "Sans réponse", Text: r.Text}
		if r.Kind == chat.ReviewUnhelpful {
			row.Kind = "Réponse jugée inutile : « " + s.articleTitle(r.Article) + " »"
		}
		titles := make([]string, len(r.Closest))
		for i, id := range r.Closest {
			titles[i] = s.articleTitle(id)
		}
		row.Closest = strings.Join(titles, " ; ")
		d.Reviews = append(d.Reviews, row)
	}
	return s.page(c, fiber.StatusOK, "editor", d)
}

// editorReviews is how many questions to review the editor page lists.
const editorReviews = 100

// articleTitle names an article for staff; an id that is gone stays an id.
func (s *Server) articleTitle(id string) string {
	if a, err := s.kb.Article(id); err == nil {
		return a.Title
	}
	return id
}
