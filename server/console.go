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

//go:embed static
var staticFS embed.FS

var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// pageData is what every console page may show.
type pageData struct {
	Title, Error, Name, Next string
	User                     string
	CanEdit, CanAgent        bool
	CSRF                     string
	Articles                 int
	Errors                   []*kb.ValidationError
	Reviews                  []reviewRow
	Health                   []healthRow
	// Events is the event stream the page listens to.
	Events string
	// The inbox: the queue, and the open conversation if any.
	Queue    *queueData
	Pane     *paneData
	Presence chat.AgentStatus
	Reasons  []string
	History  *historyData
	// List is the editor's list of articles.
	List *editorList
}

// reviewRow is a question to review, as the editor page shows it.
type reviewRow struct{ At, Kind, Text, Closest string }

// page renders a console page with the user and the CSRF token filled in.
func (s *Server) page(c *fiber.Ctx, status int, name string, d pageData) error {
	if u, ok := c.Locals("user").(*accounts.User); ok {
		d.User, d.CanEdit, d.CanAgent = u.Name, u.Role.Allows(accounts.RoleEditor), u.Role.Allows(accounts.RoleAgent)
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
	list, err := s.editorArticles(c)
	if err != nil {
		return err
	}
	d := pageData{Title: "Contenu", Articles: len(s.kb.Articles()), Errors: s.kb.Errors(), List: list}
	for _, r := range reviews {
		row := reviewRow{At: s.clock(r.At, "02/01 15:04"), Kind: "Sans réponse", Text: r.Text}
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
	if err := s.page(c, fiber.StatusOK, "editor", d); err != nil {
		return err
	}
	c.Set("Content-Security-Policy", editorPolicy)
	return nil
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
