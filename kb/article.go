package kb

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/guichet/guichet/nlu"
)

// Article is one answer of the knowledge base, read from a Markdown file.
type Article struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Questions []string `json:"questions"`
	Tags      []string `json:"tags"`
	// Markdown is the answer as the editor wrote it, front matter removed.
	Markdown string `json:"markdown"`
	// HTML is Markdown rendered and sanitised: safe to insert in a page.
	HTML string `json:"html"`
	// File is the path of the source file inside the content dir.
	File string `json:"file"`
	// Variants are the parts of the answer for orders in given statuses;
	// Markdown and HTML are the generic answer, without them.
	Variants []Variant `json:"variants,omitempty"`
	// Intents are the built-in library intents the editor says the
	// article answers, when FixedIntents is set (« intents: [] » refuses
	// them all); otherwise the matcher maps the article from its text.
	Intents      []string `json:"intents,omitempty"`
	FixedIntents bool     `json:"fixed_intents,omitempty"`

	text string // the generic answer's visible text, for the index and the matcher
}

// Tailorable tells whether the answer depends on the customer's order.
func (a *Article) Tailorable() bool { return len(a.Variants) > 0 }

// ValidationError is a problem in a content file, written for editors in
// French. Line is 1-based; 0 when the problem concerns the whole file.
type ValidationError struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (e *ValidationError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Message)
}

var (
	reID       = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	reYAMLLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// fields lists the front matter keys an article may have.
var fields = []string{"id", "title", "questions", "tags", "intents"}

// parse reads one article file. It returns every problem found, not only the
// first, so that an editor can fix a file in one go.
func parse(file string, data []byte, statuses []string) (*Article, []*ValidationError) {
	var errs []*ValidationError
	fail := func(line int, field, format string, args ...any) {
		errs = append(errs, &ValidationError{File: file, Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	text := strings.ReplaceAll(string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		fail(1, "", "le fichier doit commencer par une ligne « --- » suivie de l’en-tête (id, title, questions, tags)")
		return nil, errs
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "---" {
			end = i
			break
		}
	}
	if end < 0 {
		fail(1, "", "l’en-tête ouvert par « --- » n’est jamais fermé : ajoutez une ligne « --- » après la dernière clé")
		return nil, errs
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(strings.Join(lines[1:end], "\n")), &doc); err != nil {
		// yaml.v3 does not always say where; an unclosed bracket or quote
		// is the usual culprit and is found more precisely by hand.
		line, detail := unbalancedLine(lines[1:end]), strings.TrimPrefix(err.Error(), "yaml: ")
		if m := reYAMLLine.FindStringSubmatch(err.Error()); m != nil {
			n, _ := strconv.Atoi(m[1])
			if line == 0 {
				line = n
			}
			detail = m[2]
		}
		line = max(line, 1) + 1 // the front matter starts on line 2
		hint := "vérifiez l’indentation, les deux-points et les guillemets"
		if strings.Contains(detail, "mapping values are not allowed") {
			hint = "un texte contient « : » ; mettez-le entre guillemets, par exemple title: \"Retour : mode d’emploi\""
		}
		fail(line, "", "en-tête YAML illisible (%s) : %s", detail, hint)
		return nil, errs
	}
	a := &Article{File: file}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		fail(2, "", "l’en-tête doit être une liste de clés « clé: valeur » (id, title, questions, tags)")
		return nil, errs
	}
	seen := map[string]int{}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		line := k.Line + 1 // the front matter starts on line 2 of the file
		if prev, dup := seen[k.Value]; dup {
			fail(line, k.Value, "la clé « %s » apparaît deux fois (déjà ligne %d)", k.Value, prev)
			continue
		}
		seen[k.Value] = line
		switch k.Value {
		case "id":
			a.ID = scalar(v, line, "id", fail)
			if a.ID != "" && !reID.MatchString(a.ID) {
				fail(line, "id", "l’identifiant « %s » doit être en minuscules sans accents, avec des tirets (ex. : suivi-colis)", a.ID)
			}
		case "title":
			a.Title = scalar(v, line, "title", fail)
		case "questions":
			a.Questions = list(v, line, "questions", fail)
		case "tags":
			a.Tags = list(v, line, "tags", fail)
			for i, t := range a.Tags {
				a.Tags[i] = strings.ToLower(t)
			}
		case "intents":
			a.Intents, a.FixedIntents = list(v, line, "intents", fail), true
			for _, id := range a.Intents {
				if _, ok := nlu.LookupIntent(id); !ok {
					fail(line, "intents", "intention inconnue « %s » : « guichet intents » liste celles de la bibliothèque", id)
				}
			}
		default:
			fail(line, k.Value, "clé inconnue « %s » : les clés possibles sont %s", k.Value, strings.Join(fields, ", "))
		}
	}
	if _, ok := seen["id"]; !ok {
		fail(2, "id", "il manque l’identifiant : ajoutez une ligne « id: mon-article »")
	}
	if _, ok := seen["title"]; !ok {
		fail(2, "title", "il manque le titre : ajoutez une ligne « title: … »")
	}
	if line, ok := seen["questions"]; !ok {
		fail(2, "questions", "il manque les questions d’exemple : ajoutez « questions: » suivi d’au moins 2 formulations de clients")
	} else if len(a.Questions) < 2 {
		fail(line, "questions", "il faut au moins 2 questions d’exemple (il y en a %d)", len(a.Questions))
	}
	generic, variants, verrs := splitVariants(file, lines[end+1:], end+2, statuses)
	errs = append(errs, verrs...)
	a.Markdown, a.Variants = generic, variants
	if a.Markdown == "" {
		fail(end+2, "", "la réponse générale est vide : écrivez-la en Markdown après la ligne « --- » (elle s’affiche quand la commande n’est pas connue)")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return a, nil
}

// unbalancedLine guesses where a YAML error without a line is: the first
// line whose brackets or quotes are not closed (1-based), else 0.
func unbalancedLine(lines []string) int {
	for i, l := range lines {
		if strings.Count(l, "[") != strings.Count(l, "]") || strings.Count(l, "{") != strings.Count(l, "}") ||
			strings.Count(l, `"`)%2 == 1 {
			return i + 1
		}
	}
	return 0
}

func scalar(v *yaml.Node, line int, field string, fail func(int, string, string, ...any)) string {
	if v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" {
		fail(line, field, "« %s » doit être un texte non vide sur la même ligne", field)
		return ""
	}
	return strings.TrimSpace(v.Value)
}

func list(v *yaml.Node, line int, field string, fail func(int, string, string, ...any)) []string {
	if v.Kind != yaml.SequenceNode {
		fail(line, field, "« %s » doit être une liste : une ligne « - … » par élément, ou [a, b]", field)
		return nil
	}
	var out []string
	for _, item := range v.Content {
		if item.Kind != yaml.ScalarNode || strings.TrimSpace(item.Value) == "" {
			fail(item.Line+1, field, "chaque élément de « %s » doit être un texte non vide", field)
			continue
		}
		out = append(out, strings.TrimSpace(item.Value))
	}
	return out
}
