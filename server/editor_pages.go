package server

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"gopkg.in/yaml.v3"

	"github.com/guichet/guichet/accounts"
	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/editor"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/orders"
)

// editorPolicy is the editor pages' CSP: stricter than the console's, no
// inline style either (editor.css carries every rule).
const editorPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// editorPage is what the editor's pages show.
type editorPage struct {
	Title, User, CSRF string
	CanAgent          bool
	Notice            string

	List     *editorList
	Article  *articleView
	Form     *editorForm
	Preview  *previewData
	History  *historyView
	Version  *versionView
	Editable bool
}

// editorForm is an article as the edit page's form holds it.
type editorForm struct {
	ID, Title, Tags, Intents string
	FixedIntents             bool
	Questions                []string
	Body                     string
	// Path is the file in the content dir, Base the Hash of the file the
	// editor started from, Original the id being edited ("" when new).
	Path, Base, Original string
	// Example is a question proposed by ?exemple=, added but not saved.
	Example string
}

// FieldNames names the form's fields in the list of problems.
func (editorPage) FieldNames() map[string]string { return fieldNames }

// frontMatter is the header the form writes, in the order editors read.
type frontMatter struct {
	ID        string    `yaml:"id"`
	Title     string    `yaml:"title"`
	Questions []string  `yaml:"questions"`
	Tags      []string  `yaml:"tags,flow,omitempty"`
	Intents   *[]string `yaml:"intents,flow,omitempty"`
}

// source is the whole file the form saves, and the file line where the
// answer's text starts.
func (f *editorForm) source() ([]byte, int) {
	fm := frontMatter{ID: f.ID, Title: f.Title, Questions: f.Questions, Tags: splitList(f.Tags)}
	if fm.Questions == nil {
		fm.Questions = []string{}
	}
	if f.FixedIntents {
		in := splitList(f.Intents)
		if in == nil {
			in = []string{}
		}
		fm.Intents = &in
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	_ = enc.Encode(fm) // strings and lists of strings always encode
	enc.Close()
	b.WriteString("---\n")
	first := strings.Count(b.String(), "\n") + 1
	b.WriteString(strings.TrimSpace(strings.ReplaceAll(f.Body, "\r\n", "\n")))
	b.WriteString("\n")
	return b.Bytes(), first
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// formFromSource fills the form from a file, or returns false when its
// header cannot be read (the kb's last good version is then used).
func formFromSource(src []byte) (*editorForm, bool) {
	text := strings.ReplaceAll(string(bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	if len(lines) < 2 || strings.TrimSpace(lines[0]) != "---" {
		return nil, false
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "---" {
			continue
		}
		var fm frontMatter
		if err := yaml.Unmarshal([]byte(strings.Join(lines[1:i], "\n")), &fm); err != nil {
			return nil, false
		}
		f := &editorForm{ID: fm.ID, Title: fm.Title, Questions: fm.Questions, Tags: strings.Join(fm.Tags, ", "),
			Body: strings.TrimSpace(strings.Join(lines[i+1:], "\n"))}
		if fm.Intents != nil {
			f.FixedIntents, f.Intents = true, strings.Join(*fm.Intents, ", ")
		}
		return f, true
	}
	return nil, false
}

func formFromArticle(a *kb.Article) *editorForm {
	f := &editorForm{ID: a.ID, Title: a.Title, Questions: slices.Clone(a.Questions), Tags: strings.Join(a.Tags, ", "),
		FixedIntents: a.FixedIntents, Intents: strings.Join(a.Intents, ", "), Body: a.Markdown}
	for _, v := range a.Variants {
		f.Body += "\n\n::: statut " + strings.Join(v.Statuses, " ") + "\n" + v.Markdown + "\n:::"
	}
	return f
}

// target is where the form saves: the article's file, renamed with the
// id when the file was named after it; id.md for a new article.
func (f *editorForm) target() string {
	if f.Original == "" && f.Path != "" {
		return f.Path // a file the knowledge base could not read yet
	}
	if f.Original == "" {
		if f.ID == "" {
			return "nouvel-article.md" // refused anyway: the id is missing
		}
		return f.ID + ".md"
	}
	if f.ID != f.Original && f.ID != "" && path.Base(f.Path) == f.Original+".md" {
		return path.Join(path.Dir(f.Path), f.ID+".md")
	}
	return f.Path
}

// readForm reads the posted form.
func readForm(c *fiber.Ctx) *editorForm {
	f := &editorForm{
		ID: strings.TrimSpace(c.FormValue("id")), Title: strings.TrimSpace(c.FormValue("title")),
		Tags: c.FormValue("tags"), Intents: c.FormValue("intents"), FixedIntents: c.FormValue("intents_fixed") != "",
		Body: c.FormValue("body"), Path: c.FormValue("path"), Base: c.FormValue("base"), Original: c.FormValue("original"),
	}
	for _, q := range c.Request().PostArgs().PeekMulti("question") {
		if s := strings.TrimSpace(string(q)); s != "" {
			f.Questions = append(f.Questions, s)
		}
	}
	return f
}

// previewData is the live preview: problems first, then the answer as a
// customer reads it, without an order and for each status section.
type previewData struct {
	Errors   []fieldError
	HTML     template.HTML
	Variants []variantPreview
}

// fieldError is a problem of the form, by field or by line of the text.
type fieldError struct {
	Field, Message string
	// Line is the line of the answer's text (1-based), 0 for a header field.
	Line int
}

// variantPreview is a status section filled with an example order.
type variantPreview struct {
	Statuses string
	HTML     template.HTML
}

// fieldNames names the header fields in French, for the error list.
var fieldNames = map[string]string{"body": "Réponse", "id": "Identifiant", "title": "Titre", "questions": "Questions d’exemple", "tags": "Étiquettes", "intents": "Intentions"}

// preview validates and renders the form as kb would serve it.
func (s *Server) preview(f *editorForm, file string) (*previewData, *kb.Article, []byte) {
	src, first := f.source()
	a, errs := s.kb.ParseDraft(file, src)
	p := &previewData{}
	for _, e := range errs {
		fe := fieldError{Field: e.Field, Message: e.Message}
		switch { // kb speaks of the file's keys; the form has fields
		case e.Field == "title" && f.Title == "":
			fe.Message = "donnez un titre à l’article : c’est ce que le client lit en premier"
		case e.Field == "id" && f.ID == "":
			fe.Message = "donnez un identifiant à l’article, en minuscules avec des tirets (ex. : carte-cadeau)"
		}
		if e.Line >= first {
			fe.Field, fe.Line = "body", e.Line-first+1
		} else if _, ok := fieldNames[fe.Field]; !ok {
			fe.Field = "id" // a header problem the form cannot place: the first field
		}
		p.Errors = append(p.Errors, fe)
	}
	if a == nil {
		return p, nil, src
	}
	return s.rendered(a, p), a, src
}

// rendered adds to p the answer of a, generic and per status section.
func (s *Server) rendered(a *kb.Article, p *previewData) *previewData {
	p.HTML = template.HTML(a.HTML) // sanitised by kb
	for _, v := range a.Variants {
		status, partner := v.Statuses[0], false
		if status == kb.StatusPartner {
			status, partner = string(orders.StatusShipped), true
		}
		t, ok, err := s.kb.Tailor(a, status, partner, chat.OrderFields(sampleOrder(status, partner, s.cfg.Location)))
		if err != nil || !ok {
			continue
		}
		labels := make([]string, len(v.Statuses))
		for i, st := range v.Statuses {
			if st == kb.StatusPartner {
				labels[i] = "vendue par un partenaire"
			} else {
				labels[i] = orders.Status(st).Label()
			}
		}
		p.Variants = append(p.Variants, variantPreview{Statuses: strings.Join(labels, " ou "), HTML: template.HTML(t.HTML)})
	}
	return p
}

// sampleOrder is the example order a status section is previewed with:
// every field filled, so that the editor sees each placeholder's value.
func sampleOrder(status string, partner bool, loc *time.Location) *orders.Order {
	placed := time.Now().In(loc).AddDate(0, 0, -3)
	o := &orders.Order{Number: "100245", Status: orders.Status(status), PlacedAt: placed, Carrier: "Colissimo",
		TrackingURL: "https://suivi.exemple.fr/100245", ExpectedDelivery: placed.AddDate(0, 0, 5), Total: 5990,
		Items: []orders.Item{{Name: "Théière en fonte", Quantity: 1}, {Name: "Thé vert, 100 g", Quantity: 2}}}
	if partner {
		o.Seller = "Atelier Partenaire"
	}
	return o
}

// editorMessage is a page that explains why an action was not done.
func (s *Server) editorMessage(c *fiber.Ctx, status int, msg string) error {
	return s.editorRender(c, status, "editor-message", editorPage{Title: "Action impossible", Notice: msg})
}

// editorUser is the logged-in editor.
func editorUser(c *fiber.Ctx) *accounts.User {
	u, _ := c.Locals("user").(*accounts.User)
	return u
}

// editorRender renders an editor page with its strict CSP.
func (s *Server) editorRender(c *fiber.Ctx, status int, name string, d editorPage) error {
	if u := editorUser(c); u != nil {
		d.User, d.CanAgent = u.Name, u.Role.Allows(accounts.RoleAgent)
	}
	d.CSRF, _ = c.Locals("csrf").(string)
	d.Editable = s.cfg.Editor != nil
	if err := render(c, status, name, d); err != nil {
		return err
	}
	c.Set("Content-Security-Policy", editorPolicy)
	return nil
}

// fetched tells whether the page's script sent the request (it wants a
// fragment or JSON, not a page).
func fetched(c *fiber.Ctx) bool { return c.Get("X-Requested-With") == "fetch" }

// handleEditorNew is the form for a new article (?exemple= proposes a
// first question).
func (s *Server) handleEditorNew(c *fiber.Ctx) error {
	f := &editorForm{}
	s.addExample(c, f)
	p, _, _ := s.preview(f, "nouvel-article.md")
	return s.editorRender(c, fiber.StatusOK, "editor-edit", editorPage{Title: "Nouvel article", Form: f, Preview: p})
}

// addExample adds ?exemple= to the form's questions, unless it is there.
func (s *Server) addExample(c *fiber.Ctx, f *editorForm) {
	ex := strings.TrimSpace(c.Query("exemple"))
	if ex == "" || len(ex) > 500 {
		return
	}
	for _, q := range f.Questions {
		if strings.EqualFold(q, ex) {
			return
		}
	}
	f.Questions, f.Example = append(f.Questions, ex), ex
}

// handleEditorEdit is the edit page of an article, read from its file.
func (s *Server) handleEditorEdit(c *fiber.Ctx) error {
	a, err := s.kb.Article(c.Params("id"))
	if err != nil {
		return err
	}
	f, notice, err := s.formOf(a)
	if err != nil {
		return err
	}
	s.addExample(c, f)
	p, _, _ := s.preview(f, f.Path)
	return s.editorRender(c, fiber.StatusOK, "editor-edit", editorPage{Title: "Modifier « " + a.Title + " »", Form: f, Preview: p, Notice: notice})
}

// handleEditorFile is the edit page of a file the knowledge base could
// not read (?path=): its problems are shown at once, on their lines.
func (s *Server) handleEditorFile(c *fiber.Ctx) error {
	rel := c.Query("path")
	for _, a := range s.kb.Articles() {
		if a.File == rel { // served from its last good version: edit the article
			return c.Redirect("/editor/articles/"+url.PathEscape(a.ID)+"/edit", fiber.StatusSeeOther)
		}
	}
	src, base, err := s.cfg.Editor.Current(rel)
	if errors.Is(err, editor.ErrBadPath) || (err == nil && src == nil) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	f, ok := formFromSource(src)
	notice := "Ce fichier n’est pas en ligne : l’assistant ne peut pas le lire. Corrigez les problèmes listés dans l’aperçu, puis publiez."
	if !ok {
		f = &editorForm{Body: string(src)}
		notice = "L’en-tête de ce fichier est illisible : le texte complet est dans la réponse ci-dessous. Remplissez les champs, retirez l’ancien en-tête du texte, puis publiez."
	}
	f.Path, f.Base = rel, base
	p, _, _ := s.preview(f, rel)
	return s.editorRender(c, fiber.StatusOK, "editor-edit", editorPage{Title: "Corriger " + rel, Form: f, Preview: p, Notice: notice})
}

// formOf is the form for an article's file as it is on disk now.
func (s *Server) formOf(a *kb.Article) (*editorForm, string, error) {
	var src []byte
	var base string
	if s.cfg.Editor != nil {
		var err error
		if src, base, err = s.cfg.Editor.Current(a.File); err != nil {
			return nil, "", err
		}
	}
	f, ok := formFromSource(src)
	notice := ""
	if !ok {
		f = formFromArticle(a)
		if src != nil {
			notice = "L’en-tête du fichier est illisible : le formulaire reprend la dernière version valide de l’article. L’enregistrer remplacera le fichier."
		}
	}
	f.Path, f.Base, f.Original = a.File, base, a.ID
	if ok {
		// A key the form does not know (a typo such as « titre: »)
		// would leave its field empty: the last good value fills it.
		f.ID, f.Title = cmp.Or(f.ID, a.ID), cmp.Or(f.Title, a.Title)
	}
	var problems []string
	for _, e := range s.kb.Errors() {
		if e.File == a.File {
			problems = append(problems, fmt.Sprintf("ligne %d : %s", e.Line, e.Message))
		}
	}
	if len(problems) > 0 && notice == "" {
		notice = "Le fichier contient des erreurs (" + strings.Join(problems, " ; ") + ") : l’assistant sert la dernière version valide. Le formulaire reprend le fichier ; publier le corrige."
	}
	return f, notice, nil
}

// handleEditorPreview renders the posted form as the customers would see
// it, with its problems: the fragment the edit page shows live.
func (s *Server) handleEditorPreview(c *fiber.Ctx) error {
	f := readForm(c)
	p, _, _ := s.preview(f, f.target())
	return s.editorRender(c, fiber.StatusOK, "editor-preview", editorPage{Preview: p})
}

// handleEditorSource is the file the form would save, and where: what
// the draft test runs on.
func (s *Server) handleEditorSource(c *fiber.Ctx) error {
	f := readForm(c)
	src, _ := f.source()
	return c.JSON(fiber.Map{"path": f.target(), "source": string(src), "original": f.Original})
}

// saveResult is what the edit page's script learns of a save.
type saveResult struct {
	OK      bool   `json:"ok"`
	ID      string `json:"id,omitempty"`
	Path    string `json:"path,omitempty"`
	Version int    `json:"version,omitempty"`
	Base    string `json:"base,omitempty"`
	// Message is an HTML fragment for the status area; Preview one for
	// the preview (with the problems, when refused).
	Message string `json:"message"`
	Preview string `json:"preview,omitempty"`
	// Served is the URL to poll until the new version is live.
	Served string `json:"served,omitempty"`
	Edit   string `json:"edit,omitempty"`
}

// handleEditorSave publishes the form: validated as kb will read it,
// checked against the version the editor started from, written into the
// content dir and recorded.
func (s *Server) handleEditorSave(c *fiber.Ctx) error {
	if s.cfg.Editor == nil {
		return s.editorMessage(c, fiber.StatusConflict, msgEditorReadOnly)
	}
	f := readForm(c)
	if orig := c.Params("id"); orig != f.Original {
		return fiber.ErrBadRequest
	}
	target := f.target()
	p, a, src := s.preview(f, target)
	if a == nil {
		return s.saveRefused(c, f, p, "")
	}
	ch := editor.Change{ID: a.ID, OldID: f.Original, Path: target, OldPath: f.Path, Source: src, Base: f.Base, Author: editorUser(c).Name}
	v, err := s.cfg.Editor.Save(ch)
	var conflict *editor.ConflictError
	switch {
	case errors.As(err, &conflict):
		return s.saveConflict(c, f, p, conflict)
	case errors.Is(err, editor.ErrExists):
		p.Errors = append(p.Errors, fieldError{Field: "id", Message: fmt.Sprintf("le fichier %s existe déjà : choisissez un autre identifiant", target)})
		return s.saveRefused(c, f, p, "")
	case errors.Is(err, editor.ErrBadPath):
		p.Errors = append(p.Errors, fieldError{Field: "id", Message: "cet identifiant ne peut pas servir de nom de fichier"})
		return s.saveRefused(c, f, p, "")
	case err != nil:
		return err
	}
	served := "/editor/articles/" + url.PathEscape(v.Article) + "/served?v=" + strconv.Itoa(v.N)
	if !fetched(c) {
		return c.Redirect("/editor/articles/"+url.PathEscape(v.Article)+"?publie="+strconv.Itoa(v.N), fiber.StatusSeeOther)
	}
	return c.JSON(saveResult{OK: true, ID: v.Article, Path: v.Path, Version: v.N, Base: v.Hash, Served: served,
		Edit: "/editor/articles/" + url.PathEscape(v.Article) + "/edit", Message: "Enregistré (version " + strconv.Itoa(v.N) + "). Publication en cours…"})
}

// saveRefused answers a save that cannot be done as is: the form stays
// as the editor typed it, with the problems.
func (s *Server) saveRefused(c *fiber.Ctx, f *editorForm, p *previewData, message string) error {
	if message == "" {
		message = fmt.Sprintf("Rien n’a été enregistré : %d problème(s) à corriger, listés dans l’aperçu.", len(p.Errors))
	}
	if !fetched(c) {
		return s.editorRender(c, fiber.StatusUnprocessableEntity, "editor-edit", editorPage{Title: "Modifier l’article", Form: f, Preview: p, Notice: message})
	}
	var b strings.Builder
	if err := pages.ExecuteTemplate(&b, "editor-preview.html", editorPage{Preview: p}); err != nil {
		return fmt.Errorf("render preview: %w", err)
	}
	return c.Status(fiber.StatusUnprocessableEntity).JSON(saveResult{Message: message, Preview: b.String()})
}

// conflictView is the message of a refused save: who changed what.
type conflictView struct {
	Who, When, Path, ID string
	Deleted             bool
	Diff                []diffLine
	// Current is the Hash of the file now: saving over it is the editor's
	// explicit choice.
	Current string
}

// diffLine is a line of a diff as the pages show it.
type diffLine struct {
	Class, Sign, Text string
}

func diffLines(d []editor.Line) []diffLine {
	out := make([]diffLine, 0, len(d))
	for _, l := range d {
		switch l.Op {
		case editor.Added:
			out = append(out, diffLine{"add", "+", l.Text})
		case editor.Removed:
			out = append(out, diffLine{"del", "−", l.Text})
		case editor.Skipped:
			out = append(out, diffLine{"gap", "", "…"})
		default:
			out = append(out, diffLine{"same", "", l.Text})
		}
	}
	return out
}

// saveConflict tells the editor that someone saved meanwhile, by whom and
// what changed; their text stays in the form.
func (s *Server) saveConflict(c *fiber.Ctx, f *editorForm, p *previewData, e *editor.ConflictError) error {
	cv := conflictView{Path: f.Path, ID: f.Original, Current: editor.Hash([]byte(e.Current)), Deleted: e.Current == ""}
	if cv.Deleted {
		cv.Current = ""
	}
	if e.Latest != nil {
		cv.Who, cv.When = e.Latest.Author, s.frenchWhen(e.Latest.At)
	}
	before := ""
	if e.Base != nil {
		before = e.Base.Source
	} else {
		src, _ := f.source()
		before = string(src) // the base is unknown: compare with the editor's own text
	}
	cv.Diff = diffLines(editor.Compact(editor.Diff(before, e.Current), 2))
	var b strings.Builder
	if err := pages.ExecuteTemplate(&b, "editor-conflict.html", cv); err != nil {
		return fmt.Errorf("render conflict: %w", err)
	}
	if !fetched(c) {
		return s.editorRender(c, fiber.StatusConflict, "editor-edit", editorPage{Title: "Modifier l’article", Form: f, Preview: p, Notice: "Votre version n’a pas été enregistrée : l’article a changé depuis que vous l’avez ouvert. Votre texte est toujours dans le formulaire."})
	}
	return c.Status(fiber.StatusConflict).JSON(saveResult{Message: b.String()})
}

// handleEditorServed tells whether version v of an article is what the
// bot serves now: the edit page polls it after a save to say « Publié ».
func (s *Server) handleEditorServed(c *fiber.Ctx) error {
	n, _ := strconv.Atoi(c.Query("v"))
	v, err := s.cfg.Editor.Version(c.Params("id"), n)
	if errors.Is(err, editor.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	live, lerr := s.kb.Article(v.Article)
	served := false
	if v.Action == editor.Deleted {
		served = errors.Is(lerr, kb.ErrNotFound)
	} else if lerr == nil {
		want, errs := s.kb.ParseDraft(v.Path, []byte(v.Source))
		served = len(errs) == 0 && sameArticle(want, live)
	}
	return c.JSON(fiber.Map{"served": served})
}

// sameArticle compares what a reload reads of a file.
func sameArticle(a, b *kb.Article) bool {
	type view struct {
		ID, Title, Markdown, File string
		Questions, Tags, Intents  []string
		Fixed                     bool
		Variants                  []kb.Variant
	}
	v := func(a *kb.Article) view {
		return view{a.ID, a.Title, a.Markdown, a.File, a.Questions, a.Tags, a.Intents, a.FixedIntents, a.Variants}
	}
	return reflect.DeepEqual(v(a), v(b))
}

// articleView is an article's page in the editor.
type articleView struct {
	A      *kb.Article
	Health *healthRow
	Base   string
	// Published is the version just saved, which the page waits for.
	Published int
	// Errors are the problems of the file on disk: the bot serves its
	// last good version meanwhile.
	Errors   []*kb.ValidationError
	Versions int
}

// handleEditorArticle is an article's page: how customers read it, how
// the bot knows it, and what an editor can do with it.
func (s *Server) handleEditorArticle(c *fiber.Ctx) error {
	a, err := s.kb.Article(c.Params("id"))
	if errors.Is(err, kb.ErrNotFound) {
		a, err = s.justSaved(c, err)
	}
	if err != nil {
		return err
	}
	f, _, err := s.formOf(a)
	if err != nil {
		return err
	}
	av := &articleView{A: a, Base: f.Base}
	av.Published, _ = strconv.Atoi(c.Query("publie"))
	for _, e := range s.kb.Errors() {
		if e.File == a.File {
			av.Errors = append(av.Errors, e)
		}
	}
	for _, h := range healthRows(s.kb.Health()) {
		if h.ID == a.ID {
			av.Health = &h
		}
	}
	if s.cfg.Editor != nil {
		vs, err := s.cfg.Editor.History(a.ID)
		if err != nil {
			return err
		}
		av.Versions = len(vs)
	}
	return s.editorRender(c, fiber.StatusOK, "editor-article", editorPage{Title: a.Title, Article: av, Preview: s.rendered(a, &previewData{})})
}

// justSaved is the article a save just created (or a restore brought
// back) and the bot does not serve yet: read from the version saved, so
// that the page shows it while it waits; notFound otherwise.
func (s *Server) justSaved(c *fiber.Ctx, notFound error) (*kb.Article, error) {
	n, _ := strconv.Atoi(c.Query("publie"))
	if s.cfg.Editor == nil || n < 1 {
		return nil, notFound
	}
	v, err := s.cfg.Editor.Version(c.Params("id"), n)
	if err != nil || v.Action == editor.Deleted {
		return nil, notFound
	}
	a, errs := s.kb.ParseDraft(v.Path, []byte(v.Source))
	if len(errs) > 0 {
		return nil, notFound
	}
	return a, nil
}

// handleEditorDelete deletes an article's file; its history stays, to
// restore it.
func (s *Server) handleEditorDelete(c *fiber.Ctx) error {
	if s.cfg.Editor == nil {
		return s.editorMessage(c, fiber.StatusConflict, msgEditorReadOnly)
	}
	a, err := s.kb.Article(c.Params("id"))
	if err != nil {
		return err
	}
	v, err := s.cfg.Editor.Delete(a.ID, a.File, c.FormValue("base"), editorUser(c).Name)
	if errors.As(err, new(*editor.ConflictError)) {
		return s.editorMessage(c, fiber.StatusConflict, msgDeleteConflict)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/editor?supprime="+url.QueryEscape(a.ID)+"&v="+strconv.Itoa(v.N), fiber.StatusSeeOther)
}

// historyView lists an article's versions.
type historyView struct {
	ID, Title string
	Rows      []versionRow
	Gone      bool
}

// versionRow is a version in a list.
type versionRow struct {
	N                 int
	When, Who, Action string
	Current           bool
}

var actionNames = map[editor.Action]string{
	editor.Original: "Version d’origine (fichier)", editor.Created: "Création", editor.Edited: "Modification",
	editor.Renamed: "Renommage", editor.Deleted: "Suppression", editor.Restored: "Restauration",
}

func (s *Server) versionRow(v editor.Version) versionRow {
	r := versionRow{N: v.N, When: s.frenchWhen(v.At), Who: v.Author, Action: actionNames[v.Action]}
	if r.Who == "" {
		r.Who = "—"
	}
	if v.Action == editor.Restored {
		r.Action += fmt.Sprintf(" de la version %d", v.RestoredFrom)
	}
	if v.Action == editor.Renamed && v.From != "" {
		r.Action += " (ancien nom : " + v.From + ")"
	}
	return r
}

// handleEditorHistory lists the versions of an article, deleted ones too.
func (s *Server) handleEditorHistory(c *fiber.Ctx) error {
	id := c.Params("id")
	vs, err := s.cfg.Editor.History(id)
	if err != nil {
		return err
	}
	h := &historyView{ID: id, Title: id}
	if a, err := s.kb.Article(id); err == nil {
		h.Title = a.Title
	} else {
		h.Gone = true
	}
	if len(vs) == 0 && h.Gone {
		return fiber.ErrNotFound
	}
	for i := len(vs) - 1; i >= 0; i-- {
		r := s.versionRow(vs[i])
		r.Current = i == len(vs)-1
		h.Rows = append(h.Rows, r)
	}
	return s.editorRender(c, fiber.StatusOK, "editor-history", editorPage{Title: "Historique de « " + h.Title + " »", History: h})
}

// versionView is one version: what it changed, and its text.
type versionView struct {
	ID     string
	Row    versionRow
	Diff   []diffLine
	Source string
	// Base is the Hash of the article's file now, for a restore.
	Base       string
	Restorable bool
}

// versioned lets through the pages that need the editor's history and
// files: without an editable content directory there are none.
func (s *Server) versioned(c *fiber.Ctx) error {
	if s.cfg.Editor == nil {
		return fiber.ErrNotFound
	}
	return c.Next()
}

// handleEditorVersion shows a version and what it changed from the one
// before.
func (s *Server) handleEditorVersion(c *fiber.Ctx) error {
	id := c.Params("id")
	n, _ := strconv.Atoi(c.Params("n"))
	v, err := s.cfg.Editor.Version(id, n)
	if errors.Is(err, editor.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	prev := ""
	if n > 1 {
		if p, err := s.cfg.Editor.Version(id, n-1); err == nil {
			prev = p.Source
		}
	}
	vs, err := s.cfg.Editor.History(id)
	if err != nil {
		return err
	}
	vv := &versionView{ID: id, Row: s.versionRow(*v), Diff: diffLines(editor.Compact(editor.Diff(prev, v.Source), 3)),
		Source: v.Source, Restorable: v.Action != editor.Deleted}
	vv.Row.Current = len(vs) > 0 && vs[len(vs)-1].N == n
	if a, err := s.kb.Article(id); err == nil {
		if _, vv.Base, err = s.cfg.Editor.Current(a.File); err != nil {
			return err
		}
	}
	return s.editorRender(c, fiber.StatusOK, "editor-version", editorPage{Title: fmt.Sprintf("Version %d de « %s »", n, id), Version: vv})
}

// handleEditorRestore saves an old version again, as a new version: the
// same checks as a save.
func (s *Server) handleEditorRestore(c *fiber.Ctx) error {
	id := c.Params("id")
	n, _ := strconv.Atoi(c.Params("n"))
	v, err := s.cfg.Editor.Version(id, n)
	if errors.Is(err, editor.ErrNotFound) || (err == nil && v.Action == editor.Deleted) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	target, oldPath := v.Path, ""
	if a, err := s.kb.Article(id); err == nil {
		target, oldPath = a.File, a.File
	}
	a, errs := s.kb.ParseDraft(target, []byte(v.Source))
	if len(errs) > 0 {
		msg := make([]string, len(errs))
		for i, e := range errs {
			msg[i] = e.Message
		}
		return s.editorMessage(c, fiber.StatusUnprocessableEntity, "Cette version ne peut plus être publiée telle quelle : "+strings.Join(msg, " ; ")+". Ouvrez l’article dans l’éditeur pour la reprendre.")
	}
	saved, err := s.cfg.Editor.Save(editor.Change{ID: a.ID, OldID: id, Path: target, OldPath: oldPath, Source: []byte(v.Source),
		Base: c.FormValue("base"), Author: editorUser(c).Name, RestoredFrom: n})
	if errors.As(err, new(*editor.ConflictError)) {
		return s.editorMessage(c, fiber.StatusConflict, msgRestoreConflict)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/editor/articles/"+url.PathEscape(saved.Article)+"?publie="+strconv.Itoa(saved.N), fiber.StatusSeeOther)
}
