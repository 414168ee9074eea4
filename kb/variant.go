package kb

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
)

// Variant is a part of an answer meant for orders in given statuses:
//
//	::: statut shipped in_transit
//	Votre commande **{{numero}}** est en route avec {{transporteur}}.
//	:::
//
// When the customer's order is known and its status is listed, the first
// matching variant is the answer; otherwise the generic text is.
type Variant struct {
	// Statuses are status codes, plus "partenaire" for orders sold by a
	// marketplace partner.
	Statuses []string `json:"statuses"`
	Markdown string   `json:"markdown"`
	Line     int      `json:"line"`
}

// StatusPartner is the pseudo-status a variant lists to apply to every order
// sold by a marketplace partner.
const StatusPartner = "partenaire"

// Placeholders are the order fields a variant may use, with what they hold.
var Placeholders = map[string]string{
	"numero":           "le numéro de la commande",
	"date":             "la date de la commande",
	"statut":           "le statut, en clair",
	"transporteur":     "le transporteur",
	"suivi":            "le lien de suivi du transporteur",
	"livraison_prevue": "la date de livraison prévue",
	"montant":          "le montant total",
	"articles":         "les articles commandés",
	"vendeur":          "le vendeur partenaire",
}

var (
	reOpen        = regexp.MustCompile(`^:::\s*statut\b(.*)$`)
	rePlaceholder = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
)

// splitVariants separates the generic answer from its variants. first is
// the file line of body[0]; statuses are the valid codes.
func splitVariants(file string, body []string, first int, statuses []string) (generic string, vs []Variant, errs []*ValidationError) {
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &ValidationError{File: file, Line: line, Field: "variantes", Message: fmt.Sprintf(format, args...)})
	}
	var gen []string
	var cur *Variant
	var curLines []string
	for i, l := range body {
		line := first + i
		trim := strings.TrimSpace(l)
		if m := reOpen.FindStringSubmatch(trim); m != nil {
			if cur != nil {
				fail(line, "une section « ::: statut » s’ouvre avant que la précédente (ligne %d) soit fermée par « ::: »", cur.Line)
			}
			cur, curLines = &Variant{Line: line}, nil
			for _, s := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
				if s != StatusPartner && !slices.Contains(statuses, s) {
					fail(line, "statut inconnu « %s » : les statuts possibles sont %s, et « %s »", s, strings.Join(statuses, ", "), StatusPartner)
					continue
				}
				cur.Statuses = append(cur.Statuses, s)
			}
			if len(cur.Statuses) == 0 && len(m[1]) == 0 {
				fail(line, "indiquez après « ::: statut » le ou les statuts concernés, par exemple « ::: statut shipped in_transit »")
			}
			continue
		}
		if trim == ":::" {
			if cur == nil {
				fail(line, "« ::: » ferme une section qui n’a pas été ouverte par « ::: statut … »")
				continue
			}
			cur.Markdown = strings.TrimSpace(strings.Join(curLines, "\n"))
			if cur.Markdown == "" {
				fail(cur.Line, "la section « ::: statut » est vide")
			}
			vs = append(vs, *cur)
			cur = nil
			continue
		}
		for _, m := range rePlaceholder.FindAllStringSubmatch(l, -1) {
			if _, ok := Placeholders[m[1]]; !ok {
				fail(line, "champ inconnu « {{%s}} » : les champs possibles sont %s", m[1], placeholderList())
			} else if cur == nil {
				fail(line, "le champ « {{%s}} » ne peut figurer que dans une section « ::: statut » : sans commande connue, la réponse générale s’affiche", m[1])
			}
		}
		if cur != nil {
			curLines = append(curLines, l)
		} else {
			gen = append(gen, l)
		}
	}
	if cur != nil {
		fail(cur.Line, "la section « ::: statut » n’est jamais fermée : ajoutez une ligne « ::: » à sa fin")
	}
	return strings.TrimSpace(strings.Join(gen, "\n")), vs, errs
}

func placeholderList() string {
	names := make([]string, 0, len(Placeholders))
	for k := range Placeholders {
		names = append(names, "{{"+k+"}}")
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// Tailored is an answer written for one order.
type Tailored struct {
	Markdown string
	HTML     string
}

// Tailor returns the variant of a for an order in status (partner: sold by
// a marketplace partner), with its fields filled in, or false when no
// variant applies and the generic answer stands. Field values are escaped:
// whatever the order system returns cannot inject Markdown or HTML.
func (k *KB) Tailor(a *Article, status string, partner bool, fields map[string]string) (*Tailored, bool, error) {
	for _, v := range a.Variants {
		if !slices.Contains(v.Statuses, status) && !(partner && slices.Contains(v.Statuses, StatusPartner)) {
			continue
		}
		md := rePlaceholder.ReplaceAllStringFunc(v.Markdown, func(p string) string {
			name := rePlaceholder.FindStringSubmatch(p)[1]
			val := fields[name]
			if name == "suivi" {
				if !strings.HasPrefix(val, "https://") && !strings.HasPrefix(val, "http://") {
					return ""
				}
				return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(val)
			}
			return escapeMarkdown(val)
		})
		out, err := k.render.HTML(md)
		if err != nil {
			return nil, false, fmt.Errorf("tailor %q: %w", a.ID, err)
		}
		return &Tailored{Markdown: md, HTML: out}, true, nil
	}
	return nil, false, nil
}

// escapeMarkdown makes a value plain text inside Markdown.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range html.EscapeString(s) {
		if strings.ContainsRune("\\`*_[]()#+-!|>~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
