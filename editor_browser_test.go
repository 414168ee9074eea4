package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/guichet/guichet/accounts"
	"github.com/guichet/guichet/editor"
)

// mustAddEditor adds an editor to a running Guichet.
func mustAddEditor(t *testing.T, p *program, name string) {
	t.Helper()
	if err := p.users.Add(name, accounts.RoleEditor, "un mot de passe solide"); err != nil {
		t.Fatal(err)
	}
}

// editorLogIn is the login of an editor in the tab.
func editorLogIn(app, name string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(app + "/agent/login"),
		chromedp.SendKeys(`#name`, name, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "un mot de passe solide"+kb.Enter, chromedp.ByQuery),
		chromedp.WaitVisible(`#article-rows`, chromedp.ByQuery),
		until(`location.pathname === "/editor"`),
	}
}

// shot saves a screenshot of the tab in $GUICHET_EDITOR_SHOTS, when set,
// for a person to look at.
func shot(ctx context.Context, name string) {
	dir := os.Getenv("GUICHET_EDITOR_SHOTS")
	if dir == "" {
		return
	}
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err == nil {
		os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// ask starts a conversation and asks the bot a question over the API.
func ask(t *testing.T, app, question string) apiReply {
	t.Helper()
	var conv struct{ ID string }
	if code := call(t, "POST", app+"/api/v1/conversations", "", &conv); code != 201 {
		t.Fatalf("start conversation: %d", code)
	}
	var r apiReply
	if code := call(t, "POST", app+"/api/v1/conversations/"+conv.ID+"/messages", `{"text":"`+question+`"}`, &r); code != 200 {
		t.Fatalf("message: %d", code)
	}
	return r
}

// TestEditorLoginLandsOnEditor: an editor's first login opens the editor,
// not the agents' console they may not use.
func TestEditorLoginLandsOnEditor(t *testing.T) {
	p, _, app := startShop(t)
	mustAddEditor(t, p, "emma")
	ctx := mustTab(t)
	var title string
	err := chromedp.Run(ctx, editorLogIn(app, "emma"), chromedp.Title(&title))
	if err != nil {
		t.Fatal(err)
	}
	shot(ctx, "list")
	if !strings.HasPrefix(title, "Contenu") {
		t.Errorf("title = %q, want the editor's page", title)
	}
	// The list filters as the editor types, without a reload.
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`window.noReload = 1`, nil),
		chromedp.SendKeys(`#q`, "rembourse", chromedp.ByQuery),
		until(`document.querySelectorAll("#article-rows tr").length === 1 && `+q(`#article-rows`)+`.includes("Quand serai-je remboursé")`),
		until(`window.noReload === 1 && location.search === "?q=rembourse&tag="`),
	)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
}

// TestEditorPublishesArticle: an editor writes a new article with a status
// section, sees a mistake pointed out on its line, then the preview as a
// customer with an order would read it, publishes in one click, and the
// bot answers with it within a second.
func TestEditorPublishesArticle(t *testing.T) {
	p, _, app := startShop(t)
	mustAddEditor(t, p, "emma")
	ctx := mustTab(t)
	body := "Présentez votre carte de fidélité en caisse ou saisissez son numéro à la commande.\n\n" +
		"::: statut expedie\nVotre commande **{{numero}}** est partie avec {{transporteur}} : les points arrivent à la livraison.\n:::"
	err := chromedp.Run(ctx,
		editorLogIn(app, "emma"),
		chromedp.Evaluate(`window.noReload = 1`, nil),
		chromedp.Navigate(app+"/editor/articles/new?exemple="+url.QueryEscape("Comment marche la carte de fidélité ?")),
		until(`document.querySelector('[data-testid="question"]').value === "Comment marche la carte de fidélité ?"`),
		chromedp.Evaluate(`window.noReload = 1`, nil),
		chromedp.SendKeys(`#f-title`, "Carte de fidélité", chromedp.ByQuery),
		chromedp.SendKeys(`#f-id`, "carte-fidelite", chromedp.ByQuery),
		chromedp.Click(`#questions li:last-child input`, chromedp.ByQuery),
		chromedp.SendKeys(`#questions li:last-child input`, "Où voir mes points de fidélité ?", chromedp.ByQuery),
		chromedp.KeyEvent(kb.Enter), // a new question field, focused
		chromedp.SendKeys(`#questions li:last-child input`, "J'ai perdu ma carte de fidélité", chromedp.ByQuery),
		chromedp.SendKeys(`#f-tags`, "fidélité", chromedp.ByQuery),
		chromedp.SendKeys(`#f-body`, body, chromedp.ByQuery),
		// The unknown status is pointed out on its line of the text.
		until(q(`#e-body`)+`.includes("Ligne 3") && `+q(`#e-body`)+`.includes("statut inconnu « expedie »")`),
		until(`document.querySelector("#f-body").getAttribute("aria-invalid") === "true"`),
		chromedp.Evaluate(`document.querySelector('[data-testid="problems"] a[data-line]').click()`, nil),
		until(`document.activeElement.id === "f-body" && document.activeElement.value.substring(document.activeElement.selectionStart, document.activeElement.selectionEnd) === "::: statut expedie"`),
		chromedp.Evaluate(`(() => { const b = document.querySelector("#f-body"); b.value = b.value.replace("statut expedie", "statut shipped in_transit"); b.dispatchEvent(new Event("input", {bubbles: true})); })()`, nil),
		until(q(`#e-body`)+` === "" && document.querySelector('[data-testid="problems"]') === null`),
		until(q(`[data-testid="preview-generic"]`)+`.includes("Présentez votre carte de fidélité")`),
		until(q(`[data-testid="preview-variant"]`)+`.includes("Votre commande 100245 est partie avec Colissimo")`),
		until(q(`#preview`)+`.includes("Commande : Expédiée ou En cours d’acheminement")`),
	)
	if err != nil {
		t.Fatalf("writing the article: %v", err)
	}
	shot(ctx, "edit")
	// The draft test runs on the questions customers really asked: two
	// asked through the API before the article exists would now get it.
	for _, question := range []string{"Comment utiliser ma carte de fidélité ?", "je ne vois pas mes points fidélité sur mon compte"} {
		if r := ask(t, app, question); r.ArticleID == "carte-fidelite" {
			t.Fatalf("before the article, the bot answers %+v", r)
		}
	}
	err = chromedp.Run(ctx,
		chromedp.Click(`#draft-test-button`, chromedp.ByQuery),
		until(`document.querySelector('#draft-test [data-testid="count-gained"]') !== null`),
		until(`Number(document.querySelector('#draft-test [data-testid="count-gained"]').textContent) >= 1`),
		until(q(`#draft-test [data-testid="draft-test-gained"]`)+`.includes("carte de fidélité")`),
	)
	if err != nil {
		t.Fatalf("draft test: %v", err)
	}
	clicked := time.Now()
	err = chromedp.Run(ctx,
		chromedp.Click(`[data-testid="publish"]`, chromedp.ByQuery),
		until(q(`#save-status`)+`.startsWith("Publié")`),
		until(`window.noReload === 1 && location.pathname === "/editor/articles/carte-fidelite/edit"`),
	)
	t.Logf("from the click to « Publié »: %v", time.Since(clicked))
	shot(ctx, "published")
	if err != nil {
		t.Fatalf("publishing: %v", err)
	}
	// « Publié » means served: the bot answers with it at once.
	deadline := time.Now().Add(time.Second)
	for {
		r := ask(t, app, "Comment marche la carte de fidélité ?")
		if r.ArticleID == "carte-fidelite" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a second after « Publié », the bot answers %+v", r)
		}
	}
	saved, err := os.ReadFile(filepath.Join(p.contentDir, "carte-fidelite.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"id: carte-fidelite\n", "  - Comment marche la carte de fidélité ?\n", "  - J'ai perdu ma carte de fidélité\n", "tags: [fidélité]", "::: statut shipped in_transit\n"} {
		if !strings.Contains(string(saved), want) {
			t.Errorf("saved file lacks %q:\n%s", want, saved)
		}
	}
}

// consoleClient is a second editor, working over plain HTTP.
type consoleClient struct {
	*agentClient
}

func mustConsoleClient(t *testing.T, app, name string) consoleClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	a := &agentClient{t: t, base: app, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	a.get("/agent/login")
	if code := a.post("/agent/login", url.Values{"name": {name}, "password": {"un mot de passe solide"}}); code != 200 {
		t.Fatalf("%s logs in: %d", name, code) // the client follows the redirect to the editor
	}
	return consoleClient{a}
}

// field is the value of a hidden field in a page.
func field(page, name string) string {
	i := strings.Index(page, `name="`+name+`" value="`)
	if i < 0 {
		return ""
	}
	rest := page[i+len(`name="`+name+`" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// TestEditorConflictLosesNothing: while an editor edits an article,
// another saves it; the first one's save is refused, saying who changed
// it and what, and their text stays in the form.
func TestEditorConflictLosesNothing(t *testing.T) {
	p, _, app := startShop(t)
	mustAddEditor(t, p, "emma")
	mustAddEditor(t, p, "louis")
	ctx := mustTab(t)
	err := chromedp.Run(ctx,
		editorLogIn(app, "emma"),
		chromedp.Navigate(app+"/editor/articles/annuler-commande/edit"),
		until(`document.querySelector("#f-body").value.length > 20`),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Louis saves the same article meanwhile.
	louis := mustConsoleClient(t, app, "louis")
	code, page := louis.get("/editor/articles/annuler-commande/edit")
	if code != 200 {
		t.Fatalf("louis opens the article: %d", code)
	}
	form := url.Values{"id": {"annuler-commande"}, "title": {"Annuler une commande (Louis)"}, "original": {"annuler-commande"},
		"path": {field(page, "path")}, "base": {field(page, "base")}, "body": {"Écrivez-nous : nous annulons tant que le colis n’est pas parti."},
		"question": {"Comment annuler ma commande ?", "Je veux annuler"}}
	if code := louis.post("/editor/articles/annuler-commande", form); code != 200 {
		t.Fatalf("louis saves: %d", code)
	}
	const mine = "Ma nouvelle réponse, à ne pas perdre."
	err = chromedp.Run(ctx,
		chromedp.SetValue(`#f-body`, mine, chromedp.ByQuery),
		chromedp.Click(`[data-testid="publish"]`, chromedp.ByQuery),
		until(q(`[data-testid="conflict"]`)+`.includes("louis a enregistré une autre version de cet article le ")`),
		until(q(`[data-testid="conflict"]`)+`.includes("Votre texte est toujours dans le formulaire")`),
		until(`document.querySelector("#f-body").value === "`+mine+`"`),
		chromedp.Evaluate(`document.querySelector('[data-testid="conflict"] summary').click()`, nil),
		until(q(`[data-testid="conflict"] .diff .add`)+`.includes("Annuler une commande (Louis)")`),
	)
	shot(ctx, "conflict")
	if err != nil {
		t.Fatalf("conflict: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(p.contentDir, field(page, "path"))); !strings.Contains(string(data), "(Louis)") {
		t.Errorf("the refused save replaced Louis's version:\n%s", data)
	}
	// Saving over Louis's version is an explicit choice, then it works.
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`document.querySelector('[data-force-base]').click()`, nil),
		until(q(`#save-status`)+`.startsWith("Publié")`),
	)
	if err != nil {
		t.Fatalf("save over: %v", err)
	}
}

// TestEditorRestoresVersion: an edit is undone from the history, and the
// restored text is what the bot serves again.
func TestEditorRestoresVersion(t *testing.T) {
	p, _, app := startShop(t)
	mustAddEditor(t, p, "emma")
	a, err := p.kb.Article("annuler-commande")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(p.contentDir, a.File)
	original, _ := os.ReadFile(file)
	ctx := mustTab(t)
	err = chromedp.Run(ctx,
		editorLogIn(app, "emma"),
		chromedp.Navigate(app+"/editor/articles/annuler-commande/edit"),
		until(`document.querySelector("#f-body").value.length > 20`),
		chromedp.SetValue(`#f-body`, "Une réponse ratée.", chromedp.ByQuery),
		chromedp.Click(`[data-testid="publish"]`, chromedp.ByQuery),
		until(q(`#save-status`)+`.startsWith("Publié")`),
		chromedp.Navigate(app+"/editor/articles/annuler-commande/history"),
		until(`document.querySelectorAll('[data-testid="version"]').length === 2`),
		until(q(`tbody`)+`.includes("emma") && `+q(`tbody`)+`.includes("Version d’origine")`),
		chromedp.Navigate(app+"/editor/articles/annuler-commande/history/2"),
		until(q(`[data-testid="diff"] .add`)+`.includes("Une réponse ratée.")`),
		chromedp.ActionFunc(func(ctx context.Context) error { shot(ctx, "version"); return nil }),
		chromedp.Navigate(app+"/editor/articles/annuler-commande/history/1"),
		chromedp.Click(`[data-testid="restore"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="publish-state"]`, chromedp.ByQuery),
		until(`location.pathname === "/editor/articles/annuler-commande"`),
		until(q(`[data-testid="publish-state"]`)+`.startsWith("Publié")`),
		// The page shows what is live now, without a reload.
		until(q(`[data-testid="preview-generic"]`)+`.length > 20 && !`+q(`[data-testid="preview-generic"]`)+`.includes("Une réponse ratée.")`),
	)
	shot(ctx, "restored")
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if now, _ := os.ReadFile(file); string(now) != string(original) {
		t.Errorf("restored file differs:\n%s\nwant:\n%s", now, original)
	}
	if got, _ := p.kb.Article("annuler-commande"); got.Markdown != a.Markdown {
		t.Errorf("the bot serves %q, want the restored answer", got.Markdown)
	}
	vs, err := editor.New(p.db, editor.Options{}).History("annuler-commande")
	if err != nil || len(vs) != 3 || vs[2].Action != editor.Restored || vs[2].RestoredFrom != 1 || vs[2].Author != "emma" {
		t.Errorf("history = %+v, %v; want the original, the edit and its restore", vs, err)
	}
}

// TestSampleContentIsEditable: without --content, the first run copies the
// embedded sample into the data dir and serves it from there, watched, so
// the web editor can change it; the next run keeps the editors' changes.
func TestSampleContentIsEditable(t *testing.T) {
	cfg := testConfig(t)
	cfg.ContentDir = ""
	p := mustStart(t, cfg)
	dir := filepath.Join(cfg.DataDir, "content")
	if p.contentDir != dir {
		t.Fatalf("content dir = %q, want %q", p.contentDir, dir)
	}
	file := filepath.Join(dir, "suivi-colis.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "title: Où est mon colis ?", "title: Où en est mon colis ?", 1)
	if err := editor.WriteFile(file, []byte(edited)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	deadline := time.Now().Add(20 * time.Second) // the sample reloads in seconds under load
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for a, _ := p.kb.Article("suivi-colis"); a.Title != "Où en est mon colis ?"; a, _ = p.kb.Article("suivi-colis") {
		if time.Now().After(deadline) {
			t.Fatalf("the copied sample is not watched: title %q", a.Title)
		}
		<-tick.C
	}
	t.Logf("reloaded in %v", time.Since(start))
	mustStop(t, p)
	p = mustStart(t, cfg)
	if a, err := p.kb.Article("suivi-colis"); err != nil || a.Title != "Où en est mon colis ?" {
		t.Errorf("after a restart: %+v %v, want the edited article", a, err)
	}
}

// TestEditorDeletesThenRestores: a deleted article leaves the bot and the
// list, stays restorable from the list, and comes back in two clicks.
func TestEditorDeletesThenRestores(t *testing.T) {
	p, _, app := startShop(t)
	mustAddEditor(t, p, "emma")
	ctx := mustTab(t)
	err := chromedp.Run(ctx,
		editorLogIn(app, "emma"),
		chromedp.Navigate(app+"/editor/articles/annuler-commande"),
		chromedp.Evaluate(`document.querySelector(".danger-zone").open = true`, nil),
		chromedp.Click(`[data-testid="delete"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#article-rows`, chromedp.ByQuery),
		until(q(`#publish-state`)+`.includes("L’assistant ne le donne plus")`),
		until(`!`+q(`#article-rows`)+`.includes("Annuler une commande")`),
		until(`document.querySelector('a[href="/editor/articles/annuler-commande/history"]') !== null`),
	)
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := p.kb.Article("annuler-commande"); err == nil {
		t.Error("the bot still has the deleted article")
	}
	err = chromedp.Run(ctx,
		chromedp.Navigate(app+"/editor/articles/annuler-commande/history"),
		until(q(`tbody`)+`.includes("Suppression")`),
		chromedp.Navigate(app+"/editor/articles/annuler-commande/history/1"),
		until(`document.querySelector('[data-testid="restore"]') !== null`),
		chromedp.Click(`[data-testid="restore"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="publish-state"]`, chromedp.ByQuery),
		until(q(`[data-testid="publish-state"]`)+`.startsWith("Publié")`),
	)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if r := ask(t, app, "Comment annuler ma commande ?"); r.ArticleID != "annuler-commande" {
		t.Errorf("after the restore the bot answers %+v", r)
	}
}
