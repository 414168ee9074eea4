package kb

import (
	"fmt"
	"strings"
)

// ParseDraft reads an article an editor has not saved yet, as if it were
// the file named file of the content: the same validation as a reload
// (every problem, with its line, in French), the same sanitised
// rendering, and an id already used by another file is refused. The
// knowledge base is not changed.
func (k *KB) ParseDraft(file string, src []byte) (*Article, []*ValidationError) {
	a, errs := parse(file, src, k.opts.Statuses)
	if a == nil {
		return nil, errs
	}
	html, err := k.render.HTML(a.Markdown)
	if err != nil {
		return nil, []*ValidationError{{File: file, Message: "la réponse ne peut pas être mise en forme : " + err.Error()}}
	}
	a.HTML, a.text = html, k.render.Text(html)
	if other, ok := k.snap.Load().byID[a.ID]; ok && other.File != file {
		line := 2
		for i, l := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(l, "id:") {
				line = i + 1
				break
			}
		}
		return nil, []*ValidationError{{File: file, Field: "id", Line: line,
			Message: fmt.Sprintf("l’identifiant « %s » est déjà utilisé par %s : choisissez-en un autre", a.ID, other.File)}}
	}
	return a, nil
}
