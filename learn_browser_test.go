package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/accounts"
)

// mustAddEditorOffline adds an editor account to a data dir before the start.
func mustAddEditorOffline(t *testing.T, dataDir, name string) {
	t.Helper()
	db, err := bbolt.Open(filepath.Join(dataDir, "guichet.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := accounts.New(db, accounts.Options{Iterations: 1000}).Add(name, accounts.RoleEditor, "un mot de passe solide"); err != nil {
		t.Fatal(err)
	}
}

// TestQuestionsPageInBrowser: customers' questions asked through the API
// reach the editors' questions page grouped with their count, with the
// suggested article one link away; the list filters and refreshes live,
// from the keyboard; and the draft test an editor runs from the page's
// script shows its progress, then what the draft would change.
func TestQuestionsPageInBrowser(t *testing.T) {
	if browser == nil {
		t.Skip("Chromium not found: browser test skipped")
	}
	cfg := testConfig(t)
	mustAddEditorOffline(t, cfg.DataDir, "eve")
	p := &program{cfg: cfg, logger: newLogger(cfg, io.Discard), now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }}
	if err := p.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop(context.Background()) })
	app := "http://" + p.addr()
	for _, q := range []string{"Proposez-vous un emballage cadeau ?", "proposez vous un EMBALLAGE cadeau", "Vendez-vous des chaussettes en laine ?"} {
		f, code := startFlow(t, app, "")
		if code != 201 {
			t.Fatalf("start: %d", code)
		}
		f.say(q)
	}
	ctx := mustTab(t)
	err := chromedp.Run(ctx,
		chromedp.Navigate(app+"/editor/questions"),
		chromedp.WaitVisible(`#name`, chromedp.ByQuery),
		chromedp.SendKeys(`#name`, "eve", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "un mot de passe solide"+kb.Enter, chromedp.ByQuery),
		chromedp.WaitVisible(`#questions`, chromedp.ByQuery),
		until(`document.getElementById("questions").dataset.live === "1"`),
		until(`document.querySelectorAll('[data-testid="question"]').length === 2`),
	)
	if err != nil {
		t.Fatalf("questions page: %v", err)
	}
	var first, count, href, when, create string
	err = chromedp.Run(ctx,
		chromedp.AttributeValue(`.q-row [data-testid="new-article"]`, "href", &create, nil, chromedp.ByQuery),
		chromedp.Text(`.q-row .q-text`, &first, chromedp.ByQuery),
		chromedp.Text(`.q-row time`, &when, chromedp.ByQuery),
		chromedp.Text(`.q-row [data-testid="count"]`, &count, chromedp.ByQuery),
		chromedp.AttributeValue(`.q-row [data-testid="suggestion"]`, "href", &href, nil, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if first != "« proposez vous un EMBALLAGE cadeau »" || count != "2 fois" {
		t.Errorf("first question %q, %q; want the gift-wrap question in its newest wording, 2 fois", first, count)
	}
	if when != "le 23 novembre 2026 à 11 h 00" {
		t.Errorf("asked at %q, want 10:00 UTC said in the shop's time zone (Paris): le 23 novembre 2026 à 11 h 00", when)
	}
	if !strings.HasPrefix(href, "/editor/articles/") || !strings.Contains(href, "/edit?exemple=proposez+vous+un+EMBALLAGE+cadeau") {
		t.Errorf("suggestion link %q, want the editor with the question as an example", href)
	}
	if create != "/editor/articles/new?exemple=proposez+vous+un+EMBALLAGE+cadeau" && create != "/editor/articles/new?exemple=proposez%20vous%20un%20EMBALLAGE%20cadeau" {
		t.Errorf("new article link %q, want a new article with the question as an example", create)
	}

	// From the keyboard: Tab reaches the filter, typing filters.
	var there bool
	for i := 0; i < 20 && !there; i++ {
		if err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Tab), chromedp.Evaluate(`document.activeElement.id === "q-filter"`, &there)); err != nil {
			t.Fatal(err)
		}
	}
	if !there {
		t.Fatal("the filter cannot be reached with Tab")
	}
	var ring string
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`getComputedStyle(document.activeElement).outlineStyle`, &ring),
		chromedp.KeyEvent("chaussette"),
		until(`document.querySelectorAll('.q-row:not([hidden])').length === 1 && document.getElementById("q-shown").textContent === "1 question affichée"`),
	)
	if err != nil {
		t.Fatalf("filter: %v", err)
	}
	if ring == "none" {
		t.Error("no focus ring on the filter")
	}

	// Live: a new question appears without a reload, the filter still
	// applied and what the editor typed kept.
	f, _ := startFlow(t, app, "")
	f.say("Vendez-vous des chaussettes en coton ?")
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`window.dispatchEvent(new Event("focus"))`, nil),
		until(`document.querySelectorAll('[data-testid="question"]').length === 3`),
		until(`document.querySelectorAll('.q-row:not([hidden])').length === 2 && document.getElementById("q-filter").value === "chaussette"`),
	)
	if err != nil {
		t.Fatalf("live refresh: %v", err)
	}
	if path := os.Getenv("GUICHET_QUESTIONS_SCREENSHOT"); path != "" {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById("q-filter").value = ""; document.getElementById("q-filter").dispatchEvent(new Event("input"))`, nil), chromedp.FullScreenshot(&png, 100)); err == nil {
			os.WriteFile(path, png, 0o644)
		}
	}

	// The draft test, as the editor page runs it.
	const run = `(() => {
		const s = document.createElement("section");
		s.id = "draft-test"; s.setAttribute("aria-live", "polite");
		document.querySelector("main").append(s);
		import("/static/drafttest.js").then((m) => m.runDraftTest(s, {path: "services/emballage-cadeau.md", original: "",
			source: "---\nid: emballage-cadeau\ntitle: L’emballage cadeau\nquestions:\n  - Proposez-vous un emballage cadeau ?\n  - Pouvez-vous emballer ma commande pour l’offrir ?\n---\nOui : cochez « emballage cadeau » au moment de payer.\n"}))
			.then((st) => { s.dataset.finished = st ? st.state : "error"; });
	})()`
	var gained, summary string
	err = chromedp.Run(ctx,
		chromedp.Evaluate(run, nil),
		until(`document.getElementById("draft-test")?.dataset.finished === "done"`),
		chromedp.Text(`[data-testid="count-gained"]`, &gained, chromedp.ByQuery),
		chromedp.Text(`[data-testid="draft-test-summary"]`, &summary, chromedp.ByQuery),
		chromedp.Click(`[data-testid="draft-test-gained"] summary`, chromedp.ByQuery),
		until(`/emballage cadeau/i.test(document.querySelector('[data-testid="draft-test-gained"] td')?.textContent || "")`),
	)
	if err != nil {
		t.Fatalf("draft test: %v", err)
	}
	if gained != "2" || !strings.Contains(summary, "3 questions différentes (posées 4 fois)") {
		t.Errorf("draft test: %s gained, %q; want the gift-wrap question's 2 askings, out of 3 questions asked 4 times", gained, summary)
	}
	// A broken draft says what is wrong, and where.
	var msg string
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`import("/static/drafttest.js").then((m) => m.runDraftTest(document.getElementById("draft-test"), {path: "x.md", source: "---\nid: x\n", original: ""}))`, nil),
		until(`document.querySelector('[data-testid="draft-test-error"]') !== null`),
		chromedp.Text(`[data-testid="draft-test-error"]`, &msg, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("broken draft: %v", err)
	}
	if !strings.Contains(msg, "Ligne 1 : l’en-tête ouvert par « --- » n’est jamais fermé") {
		t.Errorf("broken draft says %q", msg)
	}
	if path := os.Getenv("GUICHET_DRAFT_SCREENSHOT"); path != "" {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById("draft-test").remove()`, nil), chromedp.Evaluate(run, nil),
			until(`document.getElementById("draft-test")?.dataset.finished === "done"`),
			chromedp.Click(`[data-testid="draft-test-gained"] summary`, chromedp.ByQuery),
			chromedp.FullScreenshot(&png, 100)); err == nil {
			os.WriteFile(path, png, 0o644)
		}
	}
}
