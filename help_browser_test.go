package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestHelpCentreInBrowser follows a customer from the widget's answer to
// the full article in the help centre, then through the help centre with
// JavaScript off: keyboard skip link, a search read as the bot reads it,
// and « Cet article vous a-t-il aidé ? » counted.
func TestHelpCentreInBrowser(t *testing.T) {
	cfg := testConfig(t)
	cfg.ContentDir = "" // the embedded sample
	cfg.Color = "#2d4a3e"
	var app string
	host := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		io.WriteString(rw, `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Boutique</title></head>
<body><h1>Ma boutique</h1><script src="`+app+`/widget.js" async></script></body></html>`)
	}))
	t.Cleanup(host.Close)
	cfg.WidgetOrigins = []string{host.URL}
	p := mustStart(t, cfg)
	app = "http://" + p.addr()
	ctx := mustTab(t) // after the start: loading the sample takes long under -race

	var href string
	err := chromedp.Run(ctx,
		chromedp.Navigate(host.URL),
		until(w("launcher")+` !== null`),
		chromedp.Click(w("launcher"), chromedp.ByJSPath),
		until(w("input")+` !== null && !`+w("panel")+`.hidden`),
		until(lastText("topics")+`.includes("Où est mon colis")`),
		chromedp.SendKeys(w("input"), "comment utiliser ma carte cadeau ?"+kb.Enter, chromedp.ByJSPath),
		until(shadow+`.querySelector('[data-testid="reply"][data-article="carte-cadeau"] [data-testid="full-article"]') !== null`),
		chromedp.Evaluate(shadow+`.querySelector('[data-testid="full-article"]').href`, &href),
	)
	if err != nil {
		var dbg string
		chromedp.Run(ctx, chromedp.Evaluate(shadow+`.innerHTML.slice(-3000)`, &dbg))
		t.Fatalf("widget answer: %v\n%s", err, dbg)
	}
	if href != app+"/aide/carte-cadeau" {
		t.Fatalf("full-article link = %q, want %q", href, app+"/aide/carte-cadeau")
	}

	// The help centre needs no JavaScript: run it with scripts off.
	var h1, bg, focusedClass, hash string
	err = chromedp.Run(ctx,
		emulation.SetScriptExecutionDisabled(true),
		chromedp.Navigate(href),
		chromedp.WaitVisible(`h1`),
		chromedp.Text(`h1`, &h1),
		chromedp.Evaluate(`getComputedStyle(document.querySelector("header.top")).backgroundColor`, &bg),
		chromedp.KeyEvent(kb.Tab),
		chromedp.Evaluate(`document.activeElement.className`, &focusedClass),
		chromedp.KeyEvent(kb.Enter),
		chromedp.Evaluate(`location.hash`, &hash),
	)
	if err != nil {
		t.Fatalf("article page: %v", err)
	}
	if h1 != "Cartes cadeaux" || bg != "rgb(45, 74, 62)" {
		t.Errorf("article page: h1 %q, header colour %q; want « Cartes cadeaux » in rgb(45, 74, 62)", h1, bg)
	}
	if focusedClass != "skip" || hash != "#contenu" {
		t.Errorf("first Tab focuses %q and Enter goes to %q; want the skip link to #contenu", focusedClass, hash)
	}

	var first string
	err = chromedp.Run(ctx,
		chromedp.SetValue(`#q`, "jai tjrs pas recu mon colis", chromedp.ByID),
		chromedp.Submit(`#q`, chromedp.ByID),
		chromedp.WaitVisible(`[data-testid="help-results"]`),
		chromedp.AttributeValue(`[data-testid="help-results"] li.best h2 a`, "href", &first, nil),
	)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	if first != "/aide/suivi-colis" {
		t.Fatalf("best result = %q, want /aide/suivi-colis", first)
	}
	var thanks, contact string
	err = chromedp.Run(ctx,
		chromedp.Click(`li.best h2 a`),
		chromedp.WaitVisible(`[data-testid="help-no"]`),
		chromedp.Click(`[data-testid="help-no"]`),
		chromedp.WaitVisible(`[data-testid="help-thanks"]`),
		chromedp.Text(`[data-testid="help-thanks"]`, &thanks),
		chromedp.AttributeValue(`#avis a`, "href", &contact, nil),
	)
	if err != nil {
		t.Fatalf("feedback: %v", err)
	}
	if thanks != "Merci pour votre réponse !" || contact != "/aide/nous-contacter" {
		t.Errorf("after « Non »: %q, contact link %q", thanks, contact)
	}
	if path := os.Getenv("GUICHET_HELP_SCREENSHOT"); path != "" {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.Navigate(app+"/aide/retourner-article"), chromedp.WaitVisible(`h1`), chromedp.FullScreenshot(&png, 100)); err == nil {
			os.WriteFile(path, png, 0o644)
		}
		if err := chromedp.Run(ctx, chromedp.Navigate(app+"/aide?q=rembourssement+pas+recu"), chromedp.WaitVisible(`h1`), chromedp.FullScreenshot(&png, 100)); err == nil {
			os.WriteFile(strings.TrimSuffix(path, ".png")+"-recherche.png", png, 0o644)
		}
	}

	resp, err := http.Get(app + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `guichet_help_feedback_total{helpful="no"} 1`) {
		t.Errorf("the « Non » was not counted:\n%s", body)
	}
}
