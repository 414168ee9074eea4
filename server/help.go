package server

import (
	"cmp"
	"context"
	"crypto/sha256"
	_ "embed"
	"fmt"
	"html"
	"html/template"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/kb"
)

// The public help centre at /aide: the knowledge base as server-rendered
// pages a shop can link to and search engines can index. No JavaScript, no
// login; the only write is the count of « Cet article vous a-t-il aidé ? ».

// helpPolicy is stricter than the console's: no script at all and no
// inline style (the shop's colour comes in the stylesheet).
const helpPolicy = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

//go:embed static/help.css
var helpBaseCSS []byte

// defaultColor is the widget's default colour, used when the shop sets
// none.
const defaultColor = "#1f3a5f"

// helpLink is an article as a link.
type helpLink struct{ ID, Title string }

// helpResult is a search result: its snippet is escaped text with the
// query's words in <mark>.
type helpResult struct {
	helpLink
	Snippet template.HTML
	Best    bool
}

// helpSection is a tag of the home page and its articles.
type helpSection struct {
	Title    string
	Articles []helpLink
}

// helpPage is what a help-centre page shows.
type helpPage struct {
	Shop, Title, Description, Canonical, Robots, CSS string
	Query                                            string
	Searched                                         bool
	Results                                          []helpResult
	Sections                                         []helpSection
	Article                                          *kb.Article
	Body                                             template.HTML
	Related                                          []helpLink
	Contact                                          *helpLink
	// Voted is the reader's answer just counted: "oui" or "non".
	Voted string
	Error string
}

// helpRender sends a help-centre page with its strict policy.
func (s *Server) helpRender(c *fiber.Ctx, status int, name string, d helpPage) error {
	d.Shop = cmp.Or(s.cfg.ShopName, "la boutique")
	d.CSS = s.helpCSSVersion
	if err := render(c, status, name, d); err != nil {
		return err
	}
	c.Set("Content-Security-Policy", helpPolicy)
	if status == fiber.StatusOK && c.Method() == fiber.MethodGet {
		c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	}
	return nil
}

// handleHelpHome is the help centre's home: the topics by tag, or the
// results of a search (?q=).
func (s *Server) handleHelpHome(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.Query("q"))
	if q != "" {
		results, err := s.helpSearch(c.UserContext(), q)
		if err != nil {
			return err
		}
		d := helpPage{Title: "Recherche : " + q, Query: q, Searched: true, Results: results, Robots: "noindex, follow",
			Sections: s.helpSections()}
		return s.helpRender(c, fiber.StatusOK, "help", d)
	}
	return s.helpRender(c, fiber.StatusOK, "help", helpPage{Title: "Centre d’aide", Canonical: c.BaseURL() + "/aide",
		Description: "Les réponses à vos questions : commandes, livraison, retours, remboursements, paiement et compte.",
		Sections:    s.helpSections()})
}

// helpSections lists the articles under their first tag, tags in the
// order of their size, articles by title.
func (s *Server) helpSections() []helpSection {
	byTag := map[string][]helpLink{}
	for _, a := range s.kb.Articles() {
		tag := "autres questions"
		if len(a.Tags) > 0 {
			tag = a.Tags[0]
		}
		byTag[tag] = append(byTag[tag], helpLink{a.ID, a.Title})
	}
	var out []helpSection
	for tag, links := range byTag {
		slices.SortFunc(links, func(a, b helpLink) int { return strings.Compare(a.Title, b.Title) })
		out = append(out, helpSection{Title: capitalize(tag), Articles: links})
	}
	slices.SortFunc(out, func(a, b helpSection) int {
		return cmp.Or(cmp.Compare(len(b.Articles), len(a.Articles)), strings.Compare(a.Title, b.Title))
	})
	return out
}

// helpSearch ranks articles for a reader's words as the bot understands
// them (typos, SMS style, stories), then adds the search's other hits.
func (s *Server) helpSearch(ctx context.Context, q string) ([]helpResult, error) {
	res, err := s.kb.Search(ctx, kb.SearchRequest{Query: q, Size: 10})
	if err != nil {
		return nil, err
	}
	snippets := map[string]template.HTML{}
	for _, h := range res.Hits {
		for _, f := range []string{"body", "questions", "title"} {
			if sn := h.Snippets[f]; len(sn) > 0 {
				// Bleve's html highlighter escapes the text and adds <mark>.
				snippets[h.ID] = template.HTML(sn[0])
				break
			}
		}
	}
	var out []helpResult
	seen := map[string]bool{}
	add := func(id string, best bool) {
		a, err := s.kb.Article(id)
		if err != nil || seen[id] || len(out) >= 10 {
			return
		}
		seen[id] = true
		sn, ok := snippets[id]
		if !ok {
			sn = template.HTML(html.EscapeString(excerpt(a.HTML, 180)))
		}
		out = append(out, helpResult{helpLink: helpLink{a.ID, a.Title}, Snippet: sn, Best: best})
	}
	m := s.kb.Match(q, 5)
	if len(m.Candidates) > 0 && (m.Confidence >= 0.5 || m.InScope >= 0.3) {
		top := m.Candidates[0].Score
		for i, cand := range m.Candidates {
			if cand.Score >= 0.5*top {
				add(cand.ID, i == 0 && m.Confidence >= 0.5)
			}
		}
	}
	// The search's own hits, while they score near its best: a word
	// shared by every article is no reason to list them all.
	for _, h := range res.Hits {
		if h.Score >= 0.4*res.Hits[0].Score && len(out) < 8 {
			add(h.ID, false)
		}
	}
	return out, nil
}

// handleHelpArticle shows one article, its related articles and the
// « Cet article vous a-t-il aidé ? » form.
func (s *Server) handleHelpArticle(c *fiber.Ctx) error {
	a, err := s.kb.Article(c.Params("id"))
	if err != nil {
		return err
	}
	d := helpPage{Title: a.Title, Article: a, Body: template.HTML(a.HTML), // sanitised by kb
		Description: excerpt(a.HTML, 155), Canonical: c.BaseURL() + "/aide/" + a.ID, Related: s.related(a)}
	switch v := c.Query("avis"); v {
	case "oui", "non":
		d.Voted, d.Robots = v, "noindex, follow"
		if v == "non" {
			if ct, err := s.kb.Article(s.bot.ContactArticle()); err == nil && ct.ID != a.ID {
				d.Contact = &helpLink{ct.ID, ct.Title}
			}
		}
	}
	return s.helpRender(c, fiber.StatusOK, "help-article", d)
}

// related are the articles the bot finds closest to a's title and first
// example questions: those a reader may have meant.
func (s *Server) related(a *kb.Article) []helpLink {
	score := map[string]float64{}
	for _, q := range append([]string{a.Title}, a.Questions[:min(3, len(a.Questions))]...) {
		for i, cand := range s.kb.Match(q, 5).Candidates {
			if cand.ID != a.ID {
				score[cand.ID] += 1 / float64(i+1)
			}
		}
	}
	ids := make([]string, 0, len(score))
	for id := range score {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(x, y string) int { return cmp.Or(cmp.Compare(score[y], score[x]), strings.Compare(x, y)) })
	var out []helpLink
	for _, id := range ids[:min(4, len(ids))] {
		if r, err := s.kb.Article(id); err == nil {
			out = append(out, helpLink{r.ID, r.Title})
		}
	}
	return out
}

// handleHelpFeedback counts « Cet article vous a-t-il aidé ? » (a plain
// form: utile=oui|non), then shows the article again with a thank-you.
func (s *Server) handleHelpFeedback(c *fiber.Ctx) error {
	a, err := s.kb.Article(c.Params("id"))
	if err != nil {
		return err
	}
	v := c.FormValue("utile")
	if v != "oui" && v != "non" {
		return fiber.ErrBadRequest
	}
	if err := s.bot.RateArticle(c.UserContext(), a.ID, v == "oui"); err != nil {
		return err
	}
	return c.Redirect("/aide/"+a.ID+"?avis="+v+"#avis", fiber.StatusSeeOther)
}

// helpError is the help centre's error page.
func (s *Server) helpError(c *fiber.Ctx, status int, msg string) error {
	title := "Un souci est survenu"
	if status == fiber.StatusNotFound {
		title = "Page introuvable"
	}
	return s.helpRender(c, status, "help-error", helpPage{Title: title, Error: msg, Robots: "noindex",
		Sections: s.helpSections()})
}

// handleHelpCSS serves the help centre's stylesheet in the shop's colour.
func (s *Server) handleHelpCSS(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	c.Set(fiber.HeaderETag, `"`+s.helpCSSVersion+`"`)
	if c.Get(fiber.HeaderIfNoneMatch) == `"`+s.helpCSSVersion+`"` {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.SendString(s.helpCSS)
}

// handleHelpSitemap lists the articles for search engines.
func (s *Server) handleHelpSitemap(c *fiber.Ctx) error {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	base := html.EscapeString(c.BaseURL())
	fmt.Fprintf(&b, "<url><loc>%s/aide</loc></url>\n", base)
	for _, a := range s.kb.Articles() {
		fmt.Fprintf(&b, "<url><loc>%s/aide/%s</loc></url>\n", base, html.EscapeString(a.ID))
	}
	b.WriteString("</urlset>\n")
	c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	return c.SendString(b.String())
}

// helpStylesheet is the help centre's CSS with the shop's colour, a text
// colour readable on it and a link colour readable on white (WCAG AA,
// 4.5:1), and its version for caching.
func helpStylesheet(color string) (css, version string) {
	if !reColor.MatchString(color) {
		color = defaultColor
	}
	r, g, b := parseHex(color)
	on := "#ffffff"
	if contrast(luminance(r, g, b), 1) < 4.5 {
		on = "#111111"
	}
	// Links and buttons sit on white: darken the colour until it reads.
	lr, lg, lb := r, g, b
	for contrast(luminance(lr, lg, lb), 1) < 4.5 {
		lr, lg, lb = lr*0.9, lg*0.9, lb*0.9
	}
	link := fmt.Sprintf("#%02x%02x%02x", int(lr), int(lg), int(lb))
	css = fmt.Sprintf(":root{--brand:%s;--on-brand:%s;--link:%s}\n", hex6(r, g, b), on, link) + string(helpBaseCSS)
	return css, fmt.Sprintf("%x", sha256.Sum256([]byte(css)))[:16]
}

var reColor = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// parseHex reads #rgb or #rrggbb.
func parseHex(c string) (r, g, b float64) {
	c = strings.TrimPrefix(c, "#")
	if len(c) == 3 {
		c = string([]byte{c[0], c[0], c[1], c[1], c[2], c[2]})
	}
	n, _ := strconv.ParseUint(c, 16, 32)
	return float64(n >> 16 & 0xff), float64(n >> 8 & 0xff), float64(n & 0xff)
}

func hex6(r, g, b float64) string { return fmt.Sprintf("#%02x%02x%02x", int(r), int(g), int(b)) }

// luminance is WCAG's relative luminance of an sRGB colour.
func luminance(r, g, b float64) float64 {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG's contrast ratio of two luminances.
func contrast(l1, l2 float64) float64 {
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

var reTag = regexp.MustCompile(`<[^>]*>`)

// excerpt is the first n characters or so of sanitised HTML's text, cut at
// a word.
func excerpt(safeHTML string, n int) string {
	t := strings.Join(strings.Fields(html.UnescapeString(reTag.ReplaceAllString(safeHTML, " "))), " ")
	t = strings.NewReplacer(" .", ".", " ,", ",", "( ", "(", " )", ")").Replace(t)
	if len([]rune(t)) <= n {
		return t
	}
	cut := string([]rune(t)[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

func capitalize(s string) string {
	for i := range s {
		if i > 0 {
			return strings.ToUpper(s[:i]) + s[i:]
		}
	}
	return strings.ToUpper(s)
}
