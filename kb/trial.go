package kb

import (
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/guichet/guichet/nlu"
)

// Trial is the knowledge base as it would be with one draft article saved:
// the current articles, the draft in place of the one it edits, and a
// matcher trained on them aside from the live one. Nothing is written and
// the live knowledge base keeps serving.
type Trial struct {
	// Draft is the draft article, parsed and rendered as a save would.
	Draft   *Article
	byID    map[string]*Article
	matcher *nlu.Matcher
}

// Draft parses source as the content file named file would be parsed and
// rendered, to replace the article original ("" for a new article). Its
// problems come back as validation errors, in French with their line: the
// file's own, and an id or a file name another article already has.
func (k *KB) Draft(file string, source []byte, original string) (*Article, []*ValidationError) {
	if !fs.ValidPath(file) || file == "." || path.Ext(file) != ".md" {
		return nil, []*ValidationError{{File: file, Field: "path", Message: "le chemin du fichier doit être relatif au dossier du contenu et finir par « .md » (ex. : livraison/suivi.md)"}}
	}
	a, errs := parse(file, source, k.opts.Statuses)
	if a != nil {
		if k.opts.MaxExamples > 0 && len(a.Questions) > k.opts.MaxExamples {
			a.Questions = a.Questions[:k.opts.MaxExamples]
		}
		html, err := k.render.HTML(a.Markdown)
		if err != nil {
			errs = append(errs, &ValidationError{File: file, Message: "la réponse ne peut pas être mise en forme : " + err.Error()})
		}
		a.HTML, a.text = html, k.render.Text(html)
	}
	snap := k.snap.Load()
	if a != nil {
		if other, ok := snap.byID[a.ID]; ok && other.ID != original {
			errs = append(errs, &ValidationError{File: file, Field: "id", Line: 2,
				Message: fmt.Sprintf("l’identifiant « %s » est déjà utilisé par %s : choisissez-en un autre", a.ID, other.File)})
		}
		if other, ok := snap.byFile[file]; ok && other.ID != original {
			errs = append(errs, &ValidationError{File: file, Field: "path",
				Message: fmt.Sprintf("le fichier %s contient déjà l’article « %s » : choisissez un autre nom de fichier", file, other.Title)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return a, nil
}

// Trial puts the draft a (from Draft) in place of the article original and
// trains a matcher on the result: seconds at ten thousand articles, the
// live knowledge base serving meanwhile.
func (k *KB) Trial(a *Article, original string) *Trial {
	snap := k.snap.Load()
	t := &Trial{Draft: a, byID: map[string]*Article{a.ID: a}}
	articles := make([]*Article, 0, len(snap.sorted)+1)
	for _, x := range snap.sorted {
		if x.ID != original && x.ID != a.ID {
			articles = append(articles, x)
			t.byID[x.ID] = x
		}
	}
	articles = append(articles, a)
	sort.Slice(articles, func(i, j int) bool { return articles[i].ID < articles[j].ID })
	t.matcher = newMatcher(articles, k.opts.Weights)
	return t
}

// Match ranks the articles of the trial for a customer's question, as
// KB.Match does for the live ones.
func (t *Trial) Match(text string, n int) nlu.Match { return t.matcher.Match(text, n) }

// Article returns the trial's article with this id, or ErrNotFound.
func (t *Trial) Article(id string) (*Article, error) {
	if a, ok := t.byID[id]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("article %q: %w", id, ErrNotFound)
}
