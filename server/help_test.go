package server

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestHelpCentre(t *testing.T) {
	s, _ := mustServer(t, Config{ShopName: "Boutique Hirondelle", Color: "#7b2d8e"})
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		want       []string
		notWant    []string
	}{
		{"home lists every topic", "GET", "/aide", "", 200,
			[]string{`<html lang="fr">`, "Aide Boutique Hirondelle", `<a class="skip" href="#contenu">`, `<main id="contenu"`,
				`role="search"`, `<label for="q">`, `href="/aide/suivi-colis">Où est mon colis ?</a>`, `href="/aide/annuler-commande"`,
				`<link rel="canonical" href="http://example.com/aide">`},
			[]string{"<script"}},
		{"search understands as the bot does", "GET", "/aide?q=" + url.QueryEscape("jai tjrs pas recu ma comande"), "", 200,
			[]string{"Résultats pour « jai tjrs pas recu ma comande »", `class="best"`, `La réponse la plus probable`, `href="/aide/suivi-colis"`,
				`<meta name="robots" content="noindex, follow">`}, nil},
		{"search words are escaped", "GET", "/aide?q=" + url.QueryEscape(`<script>alert(1)</script>`), "", 200,
			[]string{"&lt;script&gt;alert(1)&lt;/script&gt;"}, []string{"<script>alert"}},
		{"a search that finds nothing says so", "GET", "/aide?q=" + url.QueryEscape("xylophone zébré"), "", 200,
			[]string{"Nous n’avons pas trouvé d’article pour « xylophone zébré »", "Tous les sujets"}, nil},
		{"article page", "GET", "/aide/annuler-commande", "", 200,
			[]string{"<h1>Annuler une commande</h1>", "Dans <strong>Mon compte", `aria-label="Fil d’Ariane"`, "Articles liés",
				`<form method="post" action="/aide/annuler-commande/avis">`, "Cet article vous a-t-il aidé ?", `name="utile" value="oui"`,
				`<meta name="description" content="Dans Mon compte`}, []string{"<script"}},
		{"unknown article is a French page", "GET", "/aide/nope", "", 404,
			[]string{"<h1>Page introuvable</h1>", "Cet article n’existe pas ou a été retiré.", `href="/aide/suivi-colis"`}, []string{`"error"`}},
		{"a vote must be oui or non", "POST", "/aide/annuler-commande/avis", "utile=peut-etre", 400,
			[]string{"La requête n’a pas pu être traitée."}, nil},
		{"a vote on an unknown article", "POST", "/aide/nope/avis", "utile=oui", 404, []string{"Cet article n’existe pas"}, nil},
		{"sitemap", "GET", "/aide/sitemap.xml", "", 200, []string{"<loc>http://example.com/aide/suivi-colis</loc>"}, nil},
		{"stylesheet in the shop's colour", "GET", "/aide/aide.css", "", 200, []string{"--brand:#7b2d8e", "--on-brand:#ffffff"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := []string{}
			if tt.method == "POST" {
				header = []string{"Content-Type", "application/x-www-form-urlencoded"}
			}
			resp, body := do(t, s, tt.method, tt.path, tt.body, header...)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("%s %s: status %d, want %d\n%s", tt.method, tt.path, resp.StatusCode, tt.wantStatus, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q\n%s", w, body)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("body has %q", w)
				}
			}
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				if got := resp.Header.Get("Content-Security-Policy"); got != helpPolicy {
					t.Errorf("CSP = %q, want %q", got, helpPolicy)
				}
			}
		})
	}
}

func TestHelpFeedbackIsStored(t *testing.T) {
	s, _ := mustServer(t, Config{})
	form := []string{"Content-Type", "application/x-www-form-urlencoded"}
	for _, v := range []string{"oui", "oui", "non"} {
		resp, _ := do(t, s, "POST", "/aide/suivi-colis/avis", "utile="+v, form...)
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/aide/suivi-colis?avis="+v+"#avis" {
			t.Fatalf("vote %s: %d, Location %q", v, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	fb, err := s.bot.ArticleFeedback(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := fb["suivi-colis"]; got.Helpful != 2 || got.Unhelpful != 1 {
		t.Errorf("feedback = %+v, want 2 helpful, 1 unhelpful", got)
	}
	_, body := do(t, s, "GET", "/aide/suivi-colis?avis=non", "")
	for _, w := range []string{"Merci pour votre réponse !", "désolés", `href="/aide/nous-contacter"`} {
		if !strings.Contains(body, w) {
			t.Errorf("page after « non » lacks %q", w)
		}
	}
	if strings.Contains(body, `action="/aide/suivi-colis/avis"`) {
		t.Error("the form is shown again after a vote")
	}
}

func TestHelpStylesheetIsReadableOnAnyColour(t *testing.T) {
	reVar := regexp.MustCompile(`--brand:(#[0-9a-f]{6});--on-brand:(#[0-9a-f]{6});--link:(#[0-9a-f]{6})`)
	for _, color := range []string{"#1f3a5f", "#ffeb3b", "#fff", "#ff6f61", "#000000", "nonsense", "#2d4a3e"} {
		css, _ := helpStylesheet(color)
		m := reVar.FindStringSubmatch(css)
		if m == nil {
			t.Fatalf("%s: no colour variables in %.80s", color, css)
		}
		lum := func(h string) float64 { r, g, b := parseHex(h); return luminance(r, g, b) }
		if c := contrast(lum(m[1]), lum(m[2])); c < 4.5 {
			t.Errorf("%s: text on the brand colour has contrast %.2f, want 4.5 at least", color, c)
		}
		if c := contrast(lum(m[3]), 1); c < 4.5 {
			t.Errorf("%s: links on white have contrast %.2f, want 4.5 at least", color, c)
		}
	}
}
