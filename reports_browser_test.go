package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/guichet/guichet/accounts"
)

// TestReportsInBrowser: a customer finds an answer, says it helped and
// answers the effort question in the widget; an editor then reads it in
// the reports, chart and tables, and exports a table as CSV.
func TestReportsInBrowser(t *testing.T) {
	p, page, app := startShop(t)
	if err := p.users.Add("eve", accounts.RoleEditor, "un mot de passe solide"); err != nil {
		t.Fatal(err)
	}
	ctx := mustTab(t)
	if err := chromedp.Run(ctx, chromedp.Navigate(app+"/healthz")); err != nil { // the browser starts with the first tab
		t.Fatal(err)
	}
	customer := customerTab(t, ctx, page)
	err := chromedp.Run(customer,
		chromedp.SendKeys(w("input"), "Comment annuler ma commande ?"+kb.Enter, chromedp.ByJSPath),
		until(shadow+`.querySelector('[data-testid="reply"][data-article="annuler-commande"]') !== null`),
		chromedp.Evaluate(w("helpful-yes")+`.click()`, nil),
		until(w("effort")+` !== null`),
		until(w("effort")+`.textContent.includes("Avez-vous trouvé facilement ce que vous cherchiez ?")`),
		chromedp.Evaluate(w("effort-4")+`.click()`, nil),
		until(w("effort")+` === null && `+lastText("notice")+`.startsWith("Merci")`),
	)
	if err != nil {
		t.Fatalf("widget: %v", err)
	}
	var csv, week string
	err = chromedp.Run(ctx,
		chromedp.Navigate(app+"/reports"),
		chromedp.SendKeys(`#name`, "eve", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "un mot de passe solide"+kb.Enter, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="section-autonomie"]`, chromedp.ByQuery),
		until(q(`[data-testid="section-autonomie"]`)+`.includes("Résolues par l’assistant seul")`),
		until(q(`[data-testid="section-autonomie"] .figures`)+`.includes("100,0")`),
		until(q(`[data-testid="table-articles"]`)+`.includes("Annuler une commande")`),
		until(q(`[data-testid="table-notes"]`)+`.includes("4 sur 5")`),
		until(`document.querySelector('#chart-outcomes title').textContent === "Messages par issue"`),
		// The range picker keeps the shop's days; a preset link works.
		chromedp.AttributeValue(`.presets a`, "href", &week, nil, chromedp.ByQuery),
		chromedp.ActionFunc(func(ctx context.Context) error { return chromedp.Navigate(app + week).Do(ctx) }),
		until(`document.querySelector('.presets a[aria-current]')?.textContent === "7 derniers jours" && document.title.includes("du 17 novembre 2026 au 23 novembre 2026")`),
		chromedp.Evaluate(`fetch(document.querySelector('[data-testid="table-articles"] a.csv').href).then(r => r.text())`, &csv, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	if err != nil {
		t.Fatalf("reports: %v", err)
	}
	if !strings.Contains(csv, "Annuler une commande;1;") {
		t.Errorf("CSV export: %q", csv)
	}
	if dir := os.Getenv("GUICHET_SCREENSHOTS"); dir != "" {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.EmulateViewport(1280, 900), chromedp.FullScreenshot(&png, 100)); err == nil {
			os.WriteFile(filepath.Join(dir, "reports.png"), png, 0o644)
		}
	}
}
