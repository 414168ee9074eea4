package server

import (
	"embed"
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
}

// caseRow is a case as the queue shows it.
type caseRow struct {
	Waiting, Channel, Topic, Contact, Order string
}

// page renders a console page with the user and the CSRF token filled in.
func (s *Server) page(c *fiber.Ctx, status int, name string, d pageData) error {
	if u, ok := c.Locals("user").(*accounts.User); ok {
		d.User, d.CanEdit = u.Name, u.Role.Allows(accounts.RoleEditor)
	}
	d.CSRF, _ = c.Locals("csrf").(string)
	var b strings.Builder
	if err := pages.ExecuteTemplate(&b, name+".html", d); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	return c.Status(status).SendString(b.String())
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
		r := caseRow{Waiting: waited(time.Since(k.Created)), Channel: channelNames[k.Channel], Order: k.Order}
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
	return s.page(c, fiber.StatusOK, "queue", pageData{Title: "File d’attente", Cases: rows})
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

// handleEditor shows the state of the content, for editors.
func (s *Server) handleEditor(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "editor", pageData{Title: "Contenu", Articles: len(s.kb.Articles()), Errors: s.kb.Errors()})
}
