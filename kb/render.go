package kb

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// renderer turns editors' Markdown into HTML that is safe to put in a page
// and into plain text for the search index.
type renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	strip  *bluemonday.Policy
}

func newRenderer() *renderer {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return &renderer{
		md:     goldmark.New(goldmark.WithExtensions(extension.GFM)),
		policy: p,
		strip:  bluemonday.StrictPolicy(),
	}
}

// HTML renders Markdown and sanitises the result: raw HTML, scripts and
// event handlers an editor (or an attacker with editor rights) wrote are
// removed.
func (r *renderer) HTML(src string) (string, error) {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return r.policy.Sanitize(buf.String()), nil
}

// Text returns the visible text of sanitised HTML, for indexing and
// snippets.
func (r *renderer) Text(safeHTML string) string {
	t := strings.NewReplacer("</p>", "\n", "</li>", "\n", "<br>", "\n", "</h2>", "\n", "</h3>", "\n").Replace(safeHTML)
	return strings.TrimSpace(html.UnescapeString(r.strip.Sanitize(t)))
}
