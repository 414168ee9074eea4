package server

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/accounts"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/learn"
)

// Messages of the draft test (beside the code that sends them, to keep
// the merge of messages.go simple).
const (
	msgDraftTestNotFound = "Ce test de brouillon n’existe plus (il est gardé 15 minutes) : relancez-le."
	msgDraftTestsBusy    = "Trop de tests de brouillon sont en attente : réessayez dans une minute."
)

// draftInvalid is a draft that does not parse: its problems, in French,
// for the editor.
type draftInvalid struct{ errs []*kb.ValidationError }

func (e draftInvalid) Error() string { return fmt.Sprintf("invalid draft: %d problem(s)", len(e.errs)) }

// message says every problem with its line, as the editor reads it.
func (e draftInvalid) message() string {
	parts := make([]string, len(e.errs))
	for i, v := range e.errs {
		parts[i] = v.Message
		if v.Line > 0 {
			parts[i] = fmt.Sprintf("Ligne %d : %s", v.Line, v.Message)
		}
	}
	return "Le brouillon ne peut pas être testé : " + strings.Join(parts, " ; ")
}

// fields are the problems by front matter field ("" for the file), so a
// form can show each beside its input.
func (e draftInvalid) fields() map[string]string {
	out := map[string]string{}
	for _, v := range e.errs {
		msg := v.Message
		if v.Line > 0 {
			msg = fmt.Sprintf("Ligne %d : %s", v.Line, v.Message)
		}
		key := v.Field
		if key == "" {
			key = "source"
		}
		if prev, ok := out[key]; ok {
			msg = prev + " ; " + msg
		}
		out[key] = msg
	}
	return out
}

// draftRequest is what the editor's draft test sends.
type draftRequest struct {
	// Path is the file in the content dir ("livraison/suivi.md").
	Path string `json:"path"`
	// Source is the whole Markdown file the save would write.
	Source string `json:"source"`
	// Original is the id of the article edited, "" for a new one.
	Original string `json:"original"`
}

// handleDraftTestStart validates a draft and starts testing it on the
// past questions: 202 and the test's id to poll, or 400 with the draft's
// problems and their lines.
func (s *Server) handleDraftTestStart(c *fiber.Ctx) error {
	var req draftRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	id, errs, err := s.learn.StartDraftTest(editorName(c), strings.TrimSpace(req.Path), []byte(req.Source), strings.TrimSpace(req.Original))
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return draftInvalid{errs}
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"id": id})
}

// handleDraftTest reports a draft test's progress and, once done, its
// diff. Only the editor who started it may read it.
func (s *Server) handleDraftTest(c *fiber.Ctx) error {
	st, err := s.learn.Status(c.Params("id"), editorName(c))
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func editorName(c *fiber.Ctx) string {
	if u, ok := c.Locals("user").(*accounts.User); ok {
		return u.Name
	}
	return ""
}

// questionRow is a question to learn from, as the page shows it.
type questionRow struct {
	learn.Question
	When, What string
	Links      []suggestionLink
}

// suggestionLink opens the editor on an article with the question as a new
// example.
type suggestionLink struct{ Title, Href string }

// questionsPage is the data of the questions page and its fragment.
type questionsPage struct {
	pageData
	Rows    []questionRow
	Order   string
	Summary string
}

// questions builds the page's data, in the order asked (?tri=).
func (s *Server) questions(c *fiber.Ctx) (*questionsPage, error) {
	order := learn.ByCount
	if c.Query("tri") == learn.ByRecent {
		order = learn.ByRecent
	}
	qs, err := s.learn.Questions(c.UserContext(), order)
	if err != nil {
		return nil, err
	}
	d := &questionsPage{pageData: pageData{Title: "Questions à apprendre"}, Order: order}
	if u, ok := c.Locals("user").(*accounts.User); ok {
		d.User, d.CanEdit = u.Name, u.Role.Allows(accounts.RoleEditor)
	}
	d.CSRF, _ = c.Locals("csrf").(string)
	asked := 0
	for _, q := range qs {
		row := questionRow{Question: q, When: s.frenchWhen(q.Last), What: whatHappened(q)}
		for _, a := range q.Suggested {
			row.Links = append(row.Links, suggestionLink{Title: a.Title,
				Href: "/editor/articles/" + url.PathEscape(a.ID) + "/edit?exemple=" + url.QueryEscape(q.Text)})
		}
		d.Rows = append(d.Rows, row)
		asked += q.Count
	}
	switch len(d.Rows) {
	case 0:
	case 1:
		d.Summary = fmt.Sprintf("Une question, posée %s au cours des 90 derniers jours.", countTimes(asked))
	default:
		d.Summary = fmt.Sprintf("%d questions différentes, posées %s au cours des 90 derniers jours.", len(d.Rows), countTimes(asked))
	}
	return d, nil
}

// whatHappened says in French what the bot did with a question.
func whatHappened(q learn.Question) string {
	var parts []string
	if q.Misses > 0 {
		parts = append(parts, times(q.Misses, "sans réponse"))
	}
	if q.Unhelpful > 0 {
		titles := make([]string, len(q.Judged))
		for i, a := range q.Judged {
			titles[i] = "« " + a.Title + " »"
		}
		parts = append(parts, times(q.Unhelpful, "réponse jugée inutile")+" : "+strings.Join(titles, ", "))
	}
	if q.Resolved > 0 {
		titles := make([]string, len(q.Used))
		for i, a := range q.Used {
			titles[i] = "« " + a.Title + " »"
		}
		parts = append(parts, times(q.Resolved, "résolue par un conseiller")+" avec "+strings.Join(titles, ", "))
	}
	return strings.Join(parts, " · ")
}

func countTimes(n int) string {
	if n == 1 {
		return "une fois"
	}
	return fmt.Sprintf("%d fois", n)
}

func times(n int, what string) string {
	if n == 1 {
		return what
	}
	return fmt.Sprintf("%s (%d fois)", what, n)
}

// handleQuestions is the editors' list of questions to learn from.
func (s *Server) handleQuestions(c *fiber.Ctx) error {
	d, err := s.questions(c)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, "questions", d)
}

// handleQuestionsFragment is the list alone, which the page fetches to
// stay current without a reload.
func (s *Server) handleQuestionsFragment(c *fiber.Ctx) error {
	d, err := s.questions(c)
	if err != nil {
		return err
	}
	var b strings.Builder
	if err := pages.ExecuteTemplate(&b, "questions-list", d); err != nil {
		return fmt.Errorf("render questions: %w", err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	setPageHeaders(c)
	return c.SendString(b.String())
}
