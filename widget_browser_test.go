package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
	"github.com/chromedp/chromedp/kb"
)

// TestWidgetUnreadBadge: an agent's message while the panel is closed shows
// a badge on the launcher and in the page's title; the agent's message looks
// like an agent's, and the waiting line goes once one answers.
func TestWidgetUnreadBadge(t *testing.T) {
	_, page, app := startShop(t)
	ctx := mustTab(t) // after the start: loading the content is not the tab's budget
	jar, _ := cookiejar.New(nil)
	agent := &agentClient{t: t, base: app, c: &http.Client{Jar: jar}}
	agent.get("/agent/login")
	agent.post("/agent/login", url.Values{"name": {"alice"}, "password": {"un mot de passe solide"}})
	agent.connect()
	var conv string
	err := chromedp.Run(ctx,
		chromedp.Navigate(page),
		until(w("launcher")+` !== null`),
		chromedp.Click(w("launcher"), chromedp.ByJSPath),
		chromedp.SendKeys(w("input"), "je veux parler à un conseiller"+kb.Enter, chromedp.ByJSPath),
		until(shadow+`.querySelector('[data-channel="live_chat"]') !== null`),
		clickChannel("live_chat"),
		until(lastText("reply")+`.includes("Un conseiller va vous répondre")`),
		chromedp.SendKeys(w("input"), "vous êtes là ?"+kb.Enter, chromedp.ByJSPath),
		until(w("status")+`.textContent === "Un conseiller va vous répondre."`),
		chromedp.Evaluate(`(JSON.parse(localStorage.getItem("guichet:`+app+`") || "null") || {}).id`, &conv),
		chromedp.Click(w("close"), chromedp.ByJSPath),
		until(w("panel")+`.hidden && `+w("unread")+`.hidden`),
	)
	if err != nil {
		t.Fatal(err)
	}
	agent.get("/agent/conversations/" + conv)
	if code := agent.post("/agent/conversations/"+conv+"/reply", url.Values{"text": {"Oui, je suis là."}}); code != 200 {
		t.Fatalf("agent reply: %d", code)
	}
	err = chromedp.Run(ctx,
		// The join notice and the message: two unread.
		until(`!`+w("unread")+`.hidden && `+w("unread")+`.textContent === "2"`),
		until(`document.title === "(2) 2 nouveaux messages — Boutique"`),
		until(w("launcher")+`.getAttribute("aria-label").includes("2 nouveaux messages")`),
		chromedp.Click(w("launcher"), chromedp.ByJSPath),
		until(w("unread")+`.hidden && document.title === "Boutique"`),
		until(shadow+`.querySelector('[data-testid="agent-reply"] .avatar').textContent === "A"`),
		until(lastText("agent-reply")+`.includes("Alice, du service client")`),
		chromedp.SendKeys(w("input"), "merci"+kb.Enter, chromedp.ByJSPath),
		until(shadow+`.querySelectorAll('[data-testid="me"]').length === 4`),
		until(w("status")+`.textContent === ""`), // no « Un conseiller va vous répondre » once one did
	)
	if err != nil {
		t.Fatalf("badge: %v", err)
	}
}

// contrastJS computes WCAG contrast ratios in the page.
const contrastJS = `
const rgbOf = (s) => s.match(/[\d.]+/g).slice(0, 3).map(Number);
const lumOf = (c) => { const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const ratioOf = (a, b) => { const [x, y] = [lumOf(rgbOf(a)), lumOf(rgbOf(b))].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
`

// TestWidgetLightColor: a light data-color stays readable: text on it is
// black, outlines on white are darkened, the focus ring passes 3:1.
func TestWidgetLightColor(t *testing.T) {
	_, page, _ := startWithHost(t, `data-title="Aide" data-color="#ffe14d"`, false)
	ctx := mustTab(t) // after the start: loading the content is not the tab's budget
	var got struct{ Header, Launcher, Chip, Focus float64 }
	err := chromedp.Run(ctx,
		chromedp.Navigate(page),
		until(w("launcher")+` !== null`),
		chromedp.Click(w("launcher"), chromedp.ByJSPath),
		until(lastText("topics")+` !== ""`),
		chromedp.Focus(shadow+`.querySelector('[data-testid="topics"] button')`, chromedp.ByJSPath),
		chromedp.Evaluate(`(() => {`+contrastJS+`
const r = `+shadow+`, cs = (n) => getComputedStyle(n);
const header = r.querySelector("header"), chip = r.querySelector('[data-testid="topics"] button');
return {
  Header: ratioOf(cs(r.querySelector("h2")).color, cs(header).backgroundColor),
  Launcher: ratioOf(cs(r.querySelector(".launcher")).color, cs(r.querySelector(".launcher")).backgroundColor),
  Chip: ratioOf(cs(chip).color, "rgb(255,255,255)"),
  Focus: ratioOf(cs(chip).outlineColor, "rgb(255,255,255)"),
};
})()`, &got),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header < 4.5 || got.Launcher < 3 || got.Chip < 4.5 || got.Focus < 3 {
		t.Errorf("contrast with data-color #ffe14d: header text %.2f, launcher icon %.2f, topic button %.2f, focus ring %.2f", got.Header, got.Launcher, got.Chip, got.Focus)
	}
}

// TestWidgetSmallScreenAndTools: at 375 px the header's title fits on one
// line; « Nouvelle conversation » asks first; the transcript can be
// downloaded or asked for by e-mail from the panel.
func TestWidgetSmallScreenAndTools(t *testing.T) {
	_, page, app := startShop(t)
	ctx := mustTab(t) // after the start: loading the content is not the tab's budget
	var first, second string
	err := chromedp.Run(ctx,
		chromedp.Emulate(device.IPhoneX), // 375 px wide
		chromedp.Navigate(page),
		until(w("launcher")+` !== null`),
		chromedp.Click(w("launcher"), chromedp.ByJSPath),
		until(lastText("topics")+` !== ""`),
		until(w("title")+`.scrollWidth <= `+w("title")+`.clientWidth && `+w("title")+`.getBoundingClientRect().height < 30`),
		chromedp.SendKeys(w("input"), "Comment annuler ma commande ?"+kb.Enter, chromedp.ByJSPath),
		until(shadow+`.querySelector('[data-testid="reply"][data-article]') !== null`),
		chromedp.Evaluate(`(JSON.parse(localStorage.getItem("guichet:`+app+`") || "null") || {}).id`, &first),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(ctx,
		chromedp.Focus(w("download"), chromedp.ByJSPath),
		until(w("download")+`.href === "`+app+`/api/v1/conversations/`+first+`/transcript"`),
		chromedp.Click(w("by-email"), chromedp.ByJSPath),
		until(w("form-transcript")+` !== null`),
		chromedp.SendKeys(w("form-transcript")+`.querySelector("input")`, "camille@exemple.fr"+kb.Enter, chromedp.ByJSPath),
		until(w("form-transcript")+`.querySelector(".err").textContent.includes("télécharger la conversation")`), // no SMTP in tests
		// Restart asks first; « Annuler » keeps everything.
		chromedp.Click(w("restart"), chromedp.ByJSPath),
		until(w("confirm-restart")+` !== null`),
		chromedp.Evaluate(w("confirm-restart")+`.querySelectorAll("button")[1].click()`, nil),
		until(w("confirm-restart")+` === null && `+shadow+`.querySelector('[data-testid="reply"][data-article]') !== null`),
		chromedp.Click(w("restart"), chromedp.ByJSPath),
		chromedp.Click(w("restart-yes"), chromedp.ByJSPath),
		until(shadow+`.querySelector('[data-testid="reply"]') === null && (JSON.parse(localStorage.getItem("guichet:`+app+`") || "null") || {}).id !== "`+first+`"`),
		until(lastText("topics")+` !== "" && localStorage.getItem("guichet:`+app+`") !== null`),
		chromedp.Evaluate(`(JSON.parse(localStorage.getItem("guichet:`+app+`") || "null") || {}).id`, &second),
	)
	if err != nil {
		t.Fatal(err)
	}
	if second == "" || strings.EqualFold(first, second) {
		t.Errorf("after restarting: conversation %q, was %q", second, first)
	}
}
