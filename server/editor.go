package server

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/kb"
)

// healthRow is how well the bot knows an article, as the editor page shows
// it.
type healthRow struct {
	ID, Title, Intents, Recall, Neighbours string
	Examples                               int
	Weak                                   bool
	Advice                                 []string
}

// healthRows turns the knowledge base's health into rows, the articles that
// need work first.
func healthRows(hs []kb.Health) []healthRow {
	pct := func(x float64) string {
		if x < 0 {
			return "—"
		}
		return fmt.Sprintf("%.0f %%", 100*x)
	}
	var weak, fine []healthRow
	for _, h := range hs {
		r := healthRow{ID: h.ID, Title: h.Title, Examples: h.Examples, Advice: h.Advice, Weak: len(h.Advice) > 0,
			Recall: "exemples " + pct(h.ExampleRecall) + " · réponse " + pct(h.ProbeRecall)}
		var intents, near []string
		for _, in := range h.Intents {
			intents = append(intents, in.Title)
		}
		switch {
		case len(intents) > 0:
			r.Intents = strings.Join(intents, ", ")
		case h.Fixed:
			r.Intents = "aucune (refusées)"
		default:
			r.Intents = "aucune"
		}
		for _, n := range h.Neighbours {
			near = append(near, "« "+n.Title+" »")
		}
		r.Neighbours = strings.Join(near, ", ")
		if r.Weak {
			weak = append(weak, r)
		} else {
			fine = append(fine, r)
		}
	}
	return append(weak, fine...)
}

// editorList is the editor's list of articles: a search, a tag filter,
// and how well the bot knows each article.
type editorList struct {
	Query, Tag string
	Tags       []string
	Rows       []articleRow
	Total      int
	Deleted    []deletedRow
	// Notice says what was just done (an article deleted), Served where
	// to learn when the bot no longer serves it.
	Notice, Served string
}

// articleRow is an article in the list, with its health.
type articleRow struct {
	healthRow
	File string
	Tags []string
}

// deletedRow is an article deleted in the editor, still restorable.
type deletedRow struct{ ID, When, Who string }

// editorArticles lists the articles matching ?q= (read as the bot reads
// it) and ?tag=, those that need work first (no query) or by relevance.
func (s *Server) editorArticles(c *fiber.Ctx) (*editorList, error) {
	l := &editorList{Query: strings.TrimSpace(c.Query("q")), Tag: strings.TrimSpace(c.Query("tag"))}
	tags := map[string]bool{}
	articles := map[string]*kb.Article{}
	for _, a := range s.kb.Articles() {
		articles[a.ID] = a
		for _, t := range a.Tags {
			tags[t] = true
		}
	}
	l.Total = len(articles)
	for t := range tags {
		l.Tags = append(l.Tags, t)
	}
	slices.Sort(l.Tags)
	rows := healthRows(s.kb.Health())
	if l.Query != "" {
		res, err := s.kb.Search(c.UserContext(), kb.SearchRequest{Query: l.Query, Tag: l.Tag, Size: 50})
		if err != nil {
			return nil, err
		}
		byID := map[string]healthRow{}
		for _, r := range rows {
			byID[r.ID] = r
		}
		rows = rows[:0:0]
		for _, h := range res.Hits {
			if r, ok := byID[h.ID]; ok {
				rows = append(rows, r)
			}
		}
	}
	for _, r := range rows {
		a, ok := articles[r.ID]
		if !ok || (l.Tag != "" && !slices.Contains(a.Tags, l.Tag)) {
			continue
		}
		l.Rows = append(l.Rows, articleRow{healthRow: r, File: a.File, Tags: a.Tags})
	}
	if s.cfg.Editor != nil {
		gone, err := s.cfg.Editor.Deleted()
		if err != nil {
			return nil, err
		}
		for _, v := range gone {
			if _, live := articles[v.Article]; !live {
				l.Deleted = append(l.Deleted, deletedRow{ID: v.Article, When: s.frenchWhen(v.At), Who: v.Author})
			}
		}
	}
	if id := c.Query("supprime"); id != "" {
		l.Notice = "L’article « " + id + " » a été supprimé. Son historique permet de le restaurer."
		if v, err := strconv.Atoi(c.Query("v")); err == nil {
			l.Served = "/editor/articles/" + url.PathEscape(id) + "/served?v=" + strconv.Itoa(v)
		}
	}
	return l, nil
}

// handleEditorArticlesFragment is the list's table alone: the page's
// script replaces it as the editor types a search.
func (s *Server) handleEditorArticlesFragment(c *fiber.Ctx) error {
	l, err := s.editorArticles(c)
	if err != nil {
		return err
	}
	return s.editorRender(c, fiber.StatusOK, "editor-rows", editorPage{List: l})
}

// Messages of the editor's pages.
const (
	msgEditorReadOnly  = "Le contenu est en lecture seule : aucun dossier d’articles modifiable n’est configuré."
	msgDeleteConflict  = "L’article n’a pas été supprimé : il a été modifié depuis que vous avez ouvert sa page. Rouvrez-la pour voir la dernière version."
	msgRestoreConflict = "La version n’a pas été restaurée : l’article a été modifié depuis que vous avez ouvert cette page. Rouvrez l’historique pour voir la dernière version."
)
