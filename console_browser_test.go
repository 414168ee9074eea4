package main

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// mustLogIn logs alice in to the console in the tab and opens the inbox.
func mustLogIn(t *testing.T, ctx context.Context, app string) {
	t.Helper()
	err := chromedp.Run(ctx,
		chromedp.Navigate(app+"/agent/login"),
		chromedp.SendKeys(`#name`, "alice", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "un mot de passe solide"+kb.Enter, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="queue"]`, chromedp.ByQuery),
		until(`document.querySelector('[data-testid="presence-state"]').textContent === "Disponible"`),
	)
	if err != nil {
		t.Fatalf("console login: %v", err)
	}
}

// customerTab opens a second tab on the shop's page, with the widget open.
func customerTab(t *testing.T, ctx context.Context, page string) context.Context {
	t.Helper()
	c, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	err := chromedp.Run(c,
		chromedp.Navigate(page),
		until(w("launcher")+` !== null`),
		chromedp.Click(w("launcher"), chromedp.ByJSPath),
		until(lastText("topics")+` !== ""`),
	)
	if err != nil {
		t.Fatalf("customer tab: %v", err)
	}
	return c
}

// clickChannel clicks a handover channel in the widget.
func clickChannel(id string) chromedp.Action {
	return chromedp.Evaluate(shadow+`.querySelector('[data-testid="channels"]:last-of-type [data-channel="`+id+`"]').click()`, nil)
}

// q is the text of the first console element matching a selector.
func q(sel string) string {
	return `(document.querySelector(` + "`" + sel + "`" + `)?.textContent || "")`
}

// TestConsoleLiveInbox: a live chat reaches an agent whose inbox is open,
// without a reload; the agent's draft survives the customer's messages;
// typing shows both ways; Enter sends.
func TestConsoleLiveInbox(t *testing.T) {
	_, page, app := startShop(t)
	ctx := mustTab(t) // after the start: loading the content is not the tab's budget
	mustLogIn(t, ctx, app)
	if err := chromedp.Run(ctx, chromedp.Evaluate(`window.noReload = 1`, nil)); err != nil {
		t.Fatal(err)
	}
	customer := customerTab(t, ctx, page)
	err := chromedp.Run(customer,
		chromedp.SendKeys(w("input"), "je veux parler à un conseiller"+kb.Enter, chromedp.ByJSPath),
		until(shadow+`.querySelector('[data-channel="live_chat"]') !== null`),
		clickChannel("live_chat"),
		until(lastText("reply")+`.includes("Un conseiller va vous répondre")`),
	)
	if err != nil {
		t.Fatalf("customer asks for live chat: %v", err)
	}
	const draft = "Bonjour, je regarde votre commande"
	err = chromedp.Run(ctx,
		// The queue updates in place: no reload, a title that counts.
		until(`document.querySelector('[data-waiting]').dataset.waiting === "1" && window.noReload === 1`),
		until(`document.title.startsWith("(1) chat en attente") && document.body.dataset.chimes === "1"`),
		until(q(`#announce`)+` === "Un chat en attente"`),
		until(q(`#queue .rows a`)+`.includes("je veux parler à un conseiller")`),
		chromedp.Evaluate(`document.querySelector("#queue .rows a").click()`, nil), // one step: the queue is refreshed by events
		until(`document.querySelector("#reply") !== null && location.pathname.startsWith("/agent/conversations/")`),
		until(q(`#transcript`)+`.includes("Discuter avec un conseiller")`), // the choice by its title
		chromedp.SendKeys(`#reply`, draft, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("agent opens the chat: %v", err)
	}
	err = chromedp.Run(customer,
		chromedp.SendKeys(w("input"), "c'est pour la commande 4581237"+kb.Enter, chromedp.ByJSPath),
		until(w("input")+`.value === "" && !`+w("input")+`.disabled`),
		chromedp.SendKeys(w("input"), "merci", chromedp.ByJSPath), // typing, not sent
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(ctx,
		until(q(`#transcript`)+`.includes("4581237")`),
		until(`document.querySelector("#reply").value === "`+draft+`" && window.noReload === 1`),
		until(q(`#typing`)+` === "Le client écrit…"`),
		chromedp.Focus(`#reply`, chromedp.ByQuery),
		chromedp.KeyEvent(kb.Enter),
		until(q(`#transcript [data-testid="bubble-agent"]`)+`.includes("`+draft+`")`),
		until(`document.querySelector("#reply").value === ""`),
		until(q(`[data-testid="state"]`)+`.includes("Avec un conseiller : Alice")`),
		chromedp.SendKeys(`#reply`, "Je vois", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("agent answers: %v", err)
	}
	err = chromedp.Run(customer,
		until(lastText("notice")+`.includes("Alice, du service client, a rejoint la conversation")`),
		until(lastText("agent-reply")+`.includes("Alice, du service client") && `+lastText("agent-reply")+`.includes("`+draft+`")`),
		until(w("status")+`.textContent === "Alice écrit…"`),
	)
	if err != nil {
		t.Fatalf("customer side: %v", err)
	}
	if path := os.Getenv("GUICHET_CONSOLE_SCREENSHOT"); path != "" {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err == nil {
			os.WriteFile(path, png, 0o644)
		}
	}
}

// TestConsoleNoteCloseRating: a private note never reaches the customer;
// an article goes into the reply as plain text; closing with a reason tells
// the customer, who rates the help, stored with the case.
func TestConsoleNoteCloseRating(t *testing.T) {
	p, page, app := startShop(t)
	ctx := mustTab(t) // after the start: loading the content is not the tab's budget
	mustLogIn(t, ctx, app)
	customer := customerTab(t, ctx, page)
	var conv string
	err := chromedp.Run(customer,
		chromedp.SendKeys(w("input"), "Comment annuler ma commande ?"+kb.Enter, chromedp.ByJSPath),
		until(shadow+`.querySelector('[data-testid="reply"][data-article="annuler-commande"]') !== null`),
		chromedp.Evaluate(`(JSON.parse(localStorage.getItem("guichet:`+app+`") || "null") || {}).id`, &conv),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(ctx,
		// The bot's conversation is in the queue, with its topic.
		until(q(`#queue`)+`.includes("Annuler")`),
		chromedp.Navigate(app+"/agent/conversations/"+conv),
		until(q(`#transcript [data-testid="bubble-bot"]`)+`.includes("Annuler")`),
		chromedp.SendKeys(`#note`, "Cliente déjà venue hier pour la même commande", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('[data-testid="add-note"]').click()`, nil),
		until(q(`#transcript [data-testid="bubble-note"]`)+`.includes("déjà venue hier")`),
		until(`document.querySelector("#note").value === ""`),
		chromedp.Evaluate(`document.querySelector('[data-testid="insert"]').click()`, nil),
		until(`document.querySelector("#reply").value.length > 20 && !document.querySelector("#reply").value.includes("**")`),
		// The header is refreshed by every event: click in one step.
		chromedp.Evaluate(`document.querySelector('[data-testid="take"]').click()`, nil),
		until(`document.querySelector('[data-testid="release"]') !== null`),
		chromedp.Evaluate(`document.querySelector("#reason").value = "Retour ou échange"`, nil),
		until(q(`#transcript`)+`.includes("a rejoint la conversation")`),
		until(`document.querySelector("#reason").value === "Retour ou échange"`), // kept through the refreshes
		chromedp.Evaluate(`document.querySelector('[data-testid="close"]').click()`, nil),
		until(q(`#transcript`)+`.includes("a clos la conversation")`),
	)
	if err != nil {
		t.Fatalf("console: %v", err)
	}
	err = chromedp.Run(customer,
		until(lastText("notice")+`.includes("a clos la conversation")`),
		until(w("rating")+` !== null`),
		chromedp.Evaluate(w("rating")+`.querySelector('[data-score="4"]').click()`, nil),
		chromedp.SendKeys(w("rating")+`.querySelector("textarea")`, "Rapide, merci", chromedp.ByJSPath),
		chromedp.Evaluate(w("rating")+`.querySelector("button:not([data-score])").click()`, nil),
		until(lastText("notice")+` === "Merci pour votre avis !"`),
	)
	if err != nil {
		t.Fatalf("rating: %v", err)
	}
	var log string
	chromedp.Run(customer, chromedp.Evaluate(w("log")+`.textContent`, &log))
	if strings.Contains(log, "déjà venue hier") {
		t.Error("the private note reached the customer")
	}
	cases, err := p.bot.Cases(context.Background())
	if err != nil || len(cases) != 1 || cases[0].Reason != "Retour ou échange" || cases[0].CSAT == nil || cases[0].CSAT.Score != 4 || cases[0].CSAT.Comment != "Rapide, merci" {
		t.Errorf("case: %+v %v", cases, err)
	}
}

// TestPresenceSwitch: « absent » takes live chat out of the widget at once,
// « disponible » brings it back, without the customer doing anything.
func TestPresenceSwitch(t *testing.T) {
	_, page, app := startShop(t)
	ctx := mustTab(t) // after the start: loading the content is not the tab's budget
	mustLogIn(t, ctx, app)
	customer := customerTab(t, ctx, page)
	live := shadow + `.querySelector('[data-channel="live_chat"]') !== null`
	err := chromedp.Run(customer,
		chromedp.SendKeys(w("input"), "je veux parler à un conseiller"+kb.Enter, chromedp.ByJSPath),
		until(live),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(ctx, chromedp.Click(`[data-testid="presence-toggle"]`, chromedp.ByQuery),
		until(q(`[data-testid="presence-state"]`)+` === "Absent"`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(customer, until("!("+live+")")); err != nil {
		t.Fatalf("live chat still offered with the agent away: %v", err)
	}
	if err := chromedp.Run(ctx, chromedp.Click(`[data-testid="presence-toggle"]`, chromedp.ByQuery),
		until(q(`[data-testid="presence-state"]`)+` === "Disponible"`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(customer, until(live)); err != nil {
		t.Fatalf("live chat not offered again: %v", err)
	}
}

// TestAttachmentInBrowser: a photo the customer sends shows in the agent's
// transcript; an HTML page renamed .png is refused with a French message.
func TestAttachmentInBrowser(t *testing.T) {
	_, page, app := startShop(t)
	ctx := mustTab(t) // after the start: loading the content is not the tab's budget
	dir := t.TempDir()
	var img bytes.Buffer
	png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 40, 30)))
	photo, fake := filepath.Join(dir, "colis.png"), filepath.Join(dir, "piege.png")
	os.WriteFile(photo, img.Bytes(), 0o644)
	os.WriteFile(fake, []byte("<!doctype html><html><script>alert(1)</script></html>"), 0o644)
	mustLogIn(t, ctx, app)
	customer := customerTab(t, ctx, page)
	var conv string
	err := chromedp.Run(customer,
		chromedp.SendKeys(w("input"), "mon colis est arrivé abîmé"+kb.Enter, chromedp.ByJSPath),
		until(shadow+`.querySelector('[data-testid="reply"]') !== null`),
		chromedp.SetUploadFiles(w("file"), []string{fake}, chromedp.ByJSPath),
		until(lastText("info")+`.includes("Ce type de fichier n’est pas accepté")`),
		chromedp.SetUploadFiles(w("file"), []string{photo}, chromedp.ByJSPath),
		until(shadow+`.querySelector('[data-testid="me"] img') !== null && `+shadow+`.querySelector('[data-testid="me"] img').naturalWidth === 40`),
		until(lastText("reply")+`.includes("votre fichier est bien joint")`),
		chromedp.Evaluate(`(JSON.parse(localStorage.getItem("guichet:`+app+`") || "null") || {}).id`, &conv),
	)
	if err != nil {
		t.Fatalf("customer: %v", err)
	}
	err = chromedp.Run(ctx,
		chromedp.Navigate(app+"/agent/conversations/"+conv),
		until(`document.querySelector('#transcript [data-testid="file"] img')?.naturalWidth === 40`),
		until(q(`#transcript`)+`.includes("colis.png")`),
		// The agent sends one too.
		chromedp.SetUploadFiles(`#attach-file`, []string{photo}, chromedp.ByQuery),
		chromedp.Click(`[data-testid="attach-form"] button`, chromedp.ByQuery),
		until(`document.querySelector('#transcript [data-testid="bubble-agent"] [data-testid="file"] img')?.naturalWidth === 40`),
	)
	if err != nil {
		t.Fatalf("agent: %v", err)
	}
	if err := chromedp.Run(customer, until(shadow+`.querySelector('[data-testid="agent-reply"] img')?.naturalWidth === 40`)); err != nil {
		t.Fatalf("the agent's photo did not reach the customer: %v", err)
	}
}

// TestConsoleKeyboardOnly: an agent reaches a waiting chat with Tab, opens
// it with Enter, and answers with Enter, with a visible focus ring.
func TestConsoleKeyboardOnly(t *testing.T) {
	_, _, app := startShop(t)
	ctx := mustTab(t) // after the start: loading the content is not the tab's budget
	mustLogIn(t, ctx, app)
	customer, _ := startFlow(t, app, "")
	customer.say("je veux parler à un conseiller")
	if code := call(t, "POST", app+"/api/v1/conversations/"+customer.id+"/handoff", `{"channel": "live_chat"}`, nil); code != 201 {
		t.Fatalf("live chat: %d", code)
	}
	if err := chromedp.Run(ctx, until(`document.querySelector('[data-waiting]').dataset.waiting === "1"`)); err != nil {
		t.Fatal(err)
	}
	onRow := `document.activeElement === document.querySelector("#queue .rows a")`
	var there bool
	for i := 0; i < 20 && !there; i++ {
		if err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Tab), chromedp.Evaluate(onRow, &there)); err != nil {
			t.Fatal(err)
		}
	}
	if !there {
		t.Fatal("the waiting chat cannot be reached with Tab")
	}
	var ring string
	err := chromedp.Run(ctx,
		chromedp.Evaluate(`getComputedStyle(document.activeElement).outlineStyle`, &ring),
		chromedp.KeyEvent(kb.Enter),
		until(`document.activeElement === document.querySelector("#reply")`),
		chromedp.KeyEvent("Bonjour,"),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(8)), // 8 is Shift: a new line, not sent
		chromedp.KeyEvent("je suis là."),
		until(`document.querySelector("#reply").value === "Bonjour,\nje suis là."`),
		chromedp.KeyEvent(kb.Enter),
		until(q(`#transcript [data-testid="bubble-agent"]`)+`.includes("je suis là.")`),
	)
	if err != nil {
		t.Fatalf("keyboard: %v", err)
	}
	if ring == "none" {
		t.Error("no focus ring on the focused row")
	}
}
