package kb

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
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

// PlainText turns Markdown into the text a person would type: no markup,
// links as « text (address) », list items on their own lines, raw HTML
// dropped. Agents insert answers into a chat with it.
func (k *KB) PlainText(markdown string) string {
	src := []byte(markdown)
	doc := k.render.md.Parser().Parse(text.NewReader(src))
	var b strings.Builder
	var ordered []int // item numbers of the open ordered lists, 0 for bullets
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Text:
			if entering {
				b.Write(n.Segment.Value(src))
				if n.HardLineBreak() {
					b.WriteString("\n")
				} else if n.SoftLineBreak() {
					b.WriteString(" ")
				}
			}
		case *ast.String:
			if entering {
				b.Write(n.Value)
			}
		case *ast.AutoLink:
			if entering {
				b.Write(n.URL(src))
			}
		case *ast.Link:
			if !entering {
				if dest := string(n.Destination); dest != "" && !strings.HasSuffix(b.String(), dest) {
					b.WriteString(" (" + dest + ")")
				}
			}
		case *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		case *ast.List:
			if entering {
				start := 0
				if n.IsOrdered() {
					start = n.Start
				}
				ordered = append(ordered, start)
			} else {
				ordered = ordered[:len(ordered)-1]
				b.WriteString("\n")
			}
		case *ast.ListItem:
			if entering {
				i := len(ordered) - 1
				b.WriteString(strings.Repeat("  ", i))
				if ordered[i] > 0 {
					fmt.Fprintf(&b, "%d. ", ordered[i])
					ordered[i]++
				} else {
					b.WriteString("- ")
				}
			} else if !strings.HasSuffix(b.String(), "\n") {
				b.WriteString("\n")
			}
		case *east.TableCell:
			if !entering && n.NextSibling() != nil {
				b.WriteString(" | ")
			}
		case *east.TableRow, *east.TableHeader:
			if !entering {
				b.WriteString("\n")
			}
		case *ast.Paragraph, *ast.Heading, *ast.TextBlock, *ast.FencedCodeBlock, *ast.CodeBlock, *ast.Blockquote, *east.Table:
			if code, ok := n.(*ast.FencedCodeBlock); ok && entering {
				for i := 0; i < code.Lines().Len(); i++ {
					line := code.Lines().At(i)
					b.Write(line.Value(src))
				}
			}
			if !entering {
				if _, inItem := n.Parent().(*ast.ListItem); inItem {
					if !strings.HasSuffix(b.String(), "\n") {
						b.WriteString("\n")
					}
				} else {
					b.WriteString("\n\n")
				}
			}
		}
		return ast.WalkContinue, nil
	})
	out := strings.TrimSpace(b.String())
	for strings.Contains(out, "\n\n\n") {
		out = strings.ReplaceAll(out, "\n\n\n", "\n\n")
	}
	return out
}
