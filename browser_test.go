package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// browser is the one Chromium allocator of this test binary; nil when
// Chromium is missing (browser tests skip, unless GUICHET_REQUIRE_BROWSER=1).
var browser context.Context

func TestMain(m *testing.M) {
	path := os.Getenv("CHROMIUM_PATH")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	cancel := func() {}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("GUICHET_REQUIRE_BROWSER") == "1" {
			fmt.Fprintf(os.Stderr, "browser tests: Chromium not found at %s (set CHROMIUM_PATH, or apt-get install chromium)\n", path)
			os.Exit(1)
		}
	} else {
		profile, _ := os.MkdirTemp("", "guichet-chromium-")
		defer os.RemoveAll(profile)
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(profile),
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.WindowSize(1200, 900))
		browser, cancel = chromedp.NewExecAllocator(context.Background(), opts...)
	}
	code := m.Run()
	cancel()
	os.Exit(code)
}

// mustTab opens a tab with a 30 s budget; on failure it saves a screenshot.
func mustTab(t *testing.T) context.Context {
	t.Helper()
	if browser == nil {
		t.Skip("Chromium not found: browser test skipped")
	}
	ctx, cancelTab := chromedp.NewContext(browser)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			var png []byte
			shot, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			var where string
			if chromedp.Run(shot, chromedp.Evaluate(`location.href + " — " + document.body.innerText.slice(0, 1500)`, &where)) == nil {
				t.Logf("page: %s", where)
			}
			if chromedp.Run(shot, chromedp.FullScreenshot(&png, 100)) == nil { // 100: PNG
				path := filepath.Join(os.TempDir(), "guichet-"+strings.ReplaceAll(t.Name(), "/", "-")+".png")
				if os.WriteFile(path, png, 0o644) == nil {
					t.Logf("screenshot: %s", path)
				}
			}
			stop()
		}
		cancel()
		cancelTab()
	})
	return ctx
}

const shadow = `document.querySelector("[data-guichet]").shadowRoot`

// w is a JS path to an element of the widget by its data-testid.
func w(testid string) string {
	return shadow + `.querySelector('[data-testid="` + testid + `"]')`
}

// until waits for a JavaScript condition.
func until(expr string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		if err := chromedp.Poll(expr, nil, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)).Do(ctx); err != nil { // an interval, not rAF: background tabs get no animation frames
			var page string
			chromedp.Evaluate(`location.pathname + " | " + document.title + " | " + (document.body ? document.body.innerText.slice(0, 800) : "")`, &page).Do(ctx)
			return fmt.Errorf("waiting for %s: %w (page: %s)", expr, err, page)
		}
		return nil
	})
}

// lastText is the text of the last element of the widget with a testid.
func lastText(testid string) string {
	return `(() => { const n = ` + shadow + `.querySelectorAll('[data-testid="` + testid + `"]'); return n.length ? n[n.length-1].textContent : ""; })()`
}

// startWithHostPage runs Guichet (sample content, within opening hours)
// and a bare shop page that embeds the widget as a merchant would, on
// another origin, which Guichet allows (CORS is part of the test).
func startWithHostPage(t *testing.T) (p *program, page, app string) {
	t.Helper()
	return startWithHost(t, `data-title="Aide Maison Colibri"`, true)
}

// startShop is startWithHostPage over the small fixture corpus, which
// loads in a fraction of the sample's time: for tests of the widget's and
// the console's behaviour rather than of the sample's answers.
func startShop(t *testing.T) (p *program, page, app string) {
	t.Helper()
	return startWithHost(t, `data-title="Aide Maison Colibri"`, false)
}

// startWithHost is startWithHostPage with the snippet's data-* attributes,
// over the sample content or the fixture corpus.
func startWithHost(t *testing.T, attrs string, sample bool) (p *program, page, app string) {
	t.Helper()
	if browser == nil {
		t.Skip("Chromium not found: browser test skipped")
	}
	host := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		io.WriteString(rw, `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Boutique</title></head>
<body><h1>Ma boutique</h1><script src="`+app+`/widget.js" async `+attrs+`></script></body></html>`)
	}))
	t.Cleanup(host.Close)
	cfg := testConfig(t)
	if sample {
		cfg.ContentDir = ""
	}
	cfg.WidgetOrigins = []string{host.URL}
	mustAddAgent(t, cfg.DataDir, "alice")
	p = &program{cfg: cfg, logger: newLogger(cfg, io.Discard), now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }}
	if err := p.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop(context.Background()) })
	app = "http://" + p.addr()
	return p, host.URL, app
}

func TestWidgetInBrowser(t *testing.T) {
	_, page, app := startWithHostPage(t)
	ctx := mustTab(t) // after the start: loading the content is not the tab's budget

	var conv string
	err := chromedp.Run(ctx,
		chromedp.Navigate(page),
		until(w("launcher")+` !== null`),
		chromedp.Click(w("launcher"), chromedp.ByJSPath),
		until(lastText("topics")+`.includes("Où est mon colis")`),
		chromedp.SendKeys(w("input"), "Comment annuler ma commande ?"+kb.Enter, chromedp.ByJSPath),
		until(shadow+`.querySelector('[data-testid="reply"][data-article="annuler-commande"]') !== null`),
		chromedp.SendKeys(w("input"), "comment utiliser ma carte cadeau ?"+kb.Enter, chromedp.ByJSPath),
		until(shadow+`.querySelector('[data-testid="reply"][data-article="carte-cadeau"]') !== null`),
		// The answer says which question it answers; only the latest
		// answer can be judged.
		until(lastText("reply")+`.includes("carte cadeau")`),
		until(shadow+`.querySelector('[data-testid="reply"][data-article="carte-cadeau"] .title') !== null`),
		until(shadow+`.querySelectorAll('[data-testid="helpful"]').length === 1`),
		chromedp.Evaluate(`JSON.parse(localStorage.getItem("guichet:`+app+`")).id`, &conv),
	)
	if err != nil {
		t.Fatalf("ask: %v", err)
	}
	// An agent logs in to the console: live chat can be offered.
	jar, _ := cookiejar.New(nil)
	agent := &agentClient{t: t, base: app, c: &http.Client{Jar: jar}}
	agent.get("/agent/login")
	if code := agent.post("/agent/login", url.Values{"name": {"alice"}, "password": {"un mot de passe solide"}}); code != 200 {
		t.Fatalf("agent login: %d", code)
	}
	agent.connect()
	err = chromedp.Run(ctx,
		chromedp.Click(w("helpful-no"), chromedp.ByJSPath),
		until(lastText("channels")+`.includes("Discuter avec un conseiller")`),
		chromedp.Evaluate(`[...`+shadow+`.querySelectorAll('[data-testid="channels"] button')].find(b => b.textContent.includes("Discuter")).click()`, nil),
		until(lastText("reply")+`.includes("Un conseiller va vous répondre")`),
	)
	if err != nil {
		t.Fatalf("handoff: %v", err)
	}
	// The agent takes over and replies from the console.
	agent.get("/agent/conversations/" + conv)
	if code := agent.post("/agent/conversations/"+conv+"/take", url.Values{}); code != 200 {
		t.Fatalf("take over: %d", code)
	}
	if code := agent.post("/agent/conversations/"+conv+"/reply", url.Values{"text": {"Bonjour, ici Alice. Je m’occupe de votre carte cadeau."}}); code != 200 {
		t.Fatalf("agent reply: %d", code)
	}
	if err := chromedp.Run(ctx, until(lastText("agent-reply")+`.includes("Alice, du service client") && `+lastText("agent-reply")+`.includes("Je m’occupe de votre carte cadeau")`)); err != nil {
		t.Fatalf("agent reply not shown live: %v", err)
	}
	// A page load later, the conversation is still there.
	err = chromedp.Run(ctx,
		chromedp.Reload(),
		until(w("launcher")+` !== null`),
		chromedp.Click(w("launcher"), chromedp.ByJSPath),
		until(shadow+`.querySelectorAll('[data-testid="me"]').length >= 2`),
		until(lastText("agent-reply")+`.includes("Je m’occupe de votre carte cadeau")`),
		until(w("helpful")+` === null`), // no stale question under old answers
	)
	if err != nil {
		t.Fatalf("after reload: %v", err)
	}
	if path := os.Getenv("GUICHET_SCREENSHOT"); path != "" {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.Screenshot(w("panel"), &png, chromedp.ByJSPath)); err == nil {
			os.WriteFile(path, png, 0o644)
		}
	}
}

func TestWidgetKeyboardOnly(t *testing.T) {
	_, page, _ := startShop(t)
	ctx := mustTab(t) // after the start: loading the content is not the tab's budget
	focused := func(testid string) string {
		return shadow + `.activeElement === ` + w(testid)
	}
	err := chromedp.Run(ctx,
		chromedp.Navigate(page),
		until(w("launcher")+` !== null`),
		chromedp.KeyEvent(kb.Tab),
		until(focused("launcher")),
		chromedp.KeyEvent(kb.Enter),
		until(focused("input")+` && !`+w("panel")+`.hidden`),
		chromedp.KeyEvent("ou en est mon remboursement"),
		chromedp.KeyEvent(kb.Enter),
		until(shadow+`.querySelector('[data-testid="reply"][data-article]') !== null`),
		chromedp.KeyEvent(kb.Escape),
		until(w("panel")+`.hidden && `+focused("launcher")),
	)
	if err != nil {
		t.Fatalf("keyboard: %v", err)
	}
}

// TestDemoPage: the demo shop at / logs in as a demo customer, whose orders
// the widget offers and answers for, under the page's CSP.
func TestDemoPage(t *testing.T) {
	if browser == nil {
		t.Skip("Chromium not found: browser test skipped")
	}
	cfg := testConfig(t)
	cfg.ContentDir = ""
	p := mustStart(t, cfg)
	ctx := mustTab(t)
	app := "http://" + p.addr()
	err := chromedp.Run(ctx,
		chromedp.Navigate(app+"/"),
		chromedp.WaitVisible(`[data-testid="demo-login"]`),
		// What the login switch stores before it reloads the page.
		chromedp.Evaluate(`sessionStorage.setItem("guichet-demo-customer", "cli-1001")`, nil),
		chromedp.Navigate(app+"/"),
		until(`document.querySelector('[data-testid="demo-login"]').value === "cli-1001"`),
		until(`document.querySelector("[data-guichet]") !== null && `+w("launcher")+` !== null`),
		until(`[...document.scripts].some(s => s.dataset.customerToken)`),
		chromedp.Click(w("launcher"), chromedp.ByJSPath),
		until(lastText("topics")+` !== ""`),
		chromedp.SendKeys(w("input"), "où est mon colis ?"+kb.Enter, chromedp.ByJSPath),
		until(lastText("choices")+`.includes("Commande 4581237")`),
		chromedp.Evaluate(`[...`+shadow+`.querySelectorAll('[data-testid="choices"] button')].find(b => b.textContent.includes("4581237")).click()`, nil),
		until(lastText("reply")+`.includes("4581237") && `+lastText("reply")+`.includes("en route")`),
	)
	if err != nil {
		t.Fatalf("demo page: %v", err)
	}
	// Another customer on the same browser (a shared computer), without the
	// demo switch's clean-up: the widget starts a conversation of their own.
	var before, after string
	stored := `JSON.parse(localStorage.getItem("guichet:` + app + `")).id`
	err = chromedp.Run(ctx,
		chromedp.Evaluate(stored, &before),
		chromedp.Evaluate(`sessionStorage.setItem("guichet-demo-customer", "cli-1002")`, nil),
		chromedp.Navigate(app+"/"),
		until(`document.querySelector("[data-guichet]") !== null && [...document.scripts].some(s => s.dataset.customerToken)`),
		chromedp.Click(w("launcher"), chromedp.ByJSPath),
		until(lastText("topics")+` !== ""`),
		chromedp.Evaluate(stored, &after),
	)
	if err != nil {
		t.Fatalf("second customer: %v", err)
	}
	var log string
	if err := chromedp.Run(ctx, chromedp.Evaluate(shadow+`.querySelector(".log").textContent`, &log)); err != nil {
		t.Fatal(err)
	}
	if after == before || strings.Contains(log, "4581237") {
		t.Errorf("second customer resumed the first one's conversation (%s -> %s): %q", before, after, log)
	}
	// The quick topics are the shop's; a click on one answers on that topic.
	err = chromedp.Run(ctx,
		until(lastText("topics")+`.includes("Quand serai-je remboursé ?")`),
		chromedp.Evaluate(`[...`+shadow+`.querySelectorAll('[data-testid="topics"] button')].find(b => b.textContent.includes("remboursé")).click()`, nil),
		until(shadow+`.querySelector('[data-testid="reply"][data-article="delai-remboursement"]') !== null`),
	)
	if err != nil {
		t.Fatalf("quick topic: %v", err)
	}
}
