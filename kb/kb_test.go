package kb

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/guichet/guichet/content"
	"github.com/guichet/guichet/nlu"
	"github.com/guichet/guichet/orders"
)

// mustOpenKB opens a knowledge base over dir (watched) with its index in a
// temp dir, closed at the end of the test.
func mustOpenKB(tb testing.TB, dir string) *KB {
	tb.Helper()
	k, err := Open(Options{Content: os.DirFS(dir), Dir: dir, IndexPath: filepath.Join(tb.TempDir(), "index")})
	if err != nil {
		tb.Fatalf("open kb: %v", err)
	}
	tb.Cleanup(func() {
		if err := k.Close(); err != nil {
			tb.Errorf("close kb: %v", err)
		}
	})
	return k
}

// mustCopyCorpus copies the fixture corpus to a temp dir tests may edit.
func mustCopyCorpus(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	files, _ := filepath.Glob("testdata/corpus/*.md")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		mustWrite(tb, filepath.Join(dir, filepath.Base(f)), string(data))
	}
	return dir
}

func mustWrite(tb testing.TB, path, data string) {
	tb.Helper()
	// Write then rename, as editors' tools do, so the watcher never reads
	// a half-written file.
	tmp := path + ".tmp~"
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
}

// eventually polls cond until it holds or 5 s pass.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// testStatuses stand for the order status vocabulary (kb does not import
// orders: main passes it in).
var testStatuses = []string{"preparing", "shipped", "in_transit", "delivered", "lost", "cancelled", "refunded"}

func TestParseErrors(t *testing.T) {
	const good = "---\nid: a\ntitle: A\nquestions:\n  - q1\n  - q2\n---\nRéponse."
	tests := []struct {
		name     string
		file     string
		wantLine int
		wantMsg  string
	}{
		{"no front matter", "Juste du texte", 1, "doit commencer par une ligne « --- »"},
		{"unclosed", "---\nid: a\ntitle: A\n", 1, "jamais fermé"},
		{"bad yaml", "---\nid: a\ntitle: [oops\nquestions:\n  - q\n---\nx", 3, "YAML illisible"},
		{"colon in title", "---\nid: a\ntitle: Retour : mode d'emploi\nquestions: [q1, q2]\n---\nx", 3, "mettez-le entre guillemets"},
		{"unknown key", "---\nid: a\ntitle: A\ncategorie: x\nquestions: [q1, q2]\n---\nx", 4, "clé inconnue « categorie »"},
		{"missing title", "---\nid: a\nquestions: [q1, q2]\n---\nx", 2, "il manque le titre"},
		{"missing questions", "---\nid: a\ntitle: A\n---\nx", 2, "il manque les questions"},
		{"one question", "---\nid: a\ntitle: A\nquestions:\n  - seule\n---\nx", 4, "au moins 2 questions"},
		{"bad id", "---\nid: Suivi Colis\ntitle: A\nquestions: [q1, q2]\n---\nx", 2, "minuscules sans accents"},
		{"questions not a list", "---\nid: a\ntitle: A\nquestions: une seule\n---\nx", 4, "doit être une liste"},
		{"empty body", "---\nid: a\ntitle: A\nquestions: [q1, q2]\n---\n  \n", 6, "la réponse générale est vide"},
		{"unknown status", "---\nid: a\ntitle: A\nquestions: [q1, q2]\n---\nGénéral.\n\n::: statut shipped expediee\nEn route.\n:::\n", 8, "statut inconnu « expediee »"},
		{"unknown placeholder", "---\nid: a\ntitle: A\nquestions: [q1, q2]\n---\nGénéral.\n::: statut shipped\nCommande {{numéro}}.\n:::\n", 8, "champ inconnu « {{numéro}} »"},
		{"placeholder outside", "---\nid: a\ntitle: A\nquestions: [q1, q2]\n---\nVotre commande {{numero}}.\n", 6, "ne peut figurer que dans une section"},
		{"unclosed variant", "---\nid: a\ntitle: A\nquestions: [q1, q2]\n---\nGénéral.\n::: statut lost\nPerdu.\n", 7, "jamais fermée"},
		{"stray closing", "---\nid: a\ntitle: A\nquestions: [q1, q2]\n---\nGénéral.\n:::\n", 7, "n’a pas été ouverte"},
		{"only variants", "---\nid: a\ntitle: A\nquestions: [q1, q2]\n---\n::: statut lost\nPerdu.\n:::\n", 6, "réponse générale est vide"},
		{"duplicate key", "---\nid: a\nid: b\ntitle: A\nquestions: [q1, q2]\n---\nx", 3, "apparaît deux fois"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, errs := parse("x.md", []byte(tt.file), testStatuses)
			if a != nil || len(errs) == 0 {
				t.Fatalf("parse accepted a broken file: %+v", a)
			}
			e := errs[0]
			if e.File != "x.md" || e.Line != tt.wantLine || !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("got %s, want line %d with %q", e.Error(), tt.wantLine, tt.wantMsg)
			}
		})
	}
	if a, errs := parse("ok.md", []byte(good), testStatuses); a == nil || len(errs) > 0 {
		t.Errorf("valid file rejected: %v", errs)
	}
}

func TestOpenServesValidArticlesAndReportsBrokenOnes(t *testing.T) {
	dir := mustCopyCorpus(t)
	mustWrite(t, filepath.Join(dir, "zz-broken.md"), "---\nid: broken\ntitle: A\n---\nx")
	mustWrite(t, filepath.Join(dir, "zz-dup.md"), "---\nid: suivi-colis\ntitle: Doublon\nquestions: [a b, c d]\n---\nx")
	k := mustOpenKB(t, dir)

	if got := len(k.Articles()); got != 8 {
		t.Errorf("articles = %d, want the 8 valid ones", got)
	}
	var files []string
	for _, e := range k.Errors() {
		files = append(files, e.File)
	}
	if !slices.Equal(files, []string{"zz-broken.md", "zz-dup.md"}) {
		t.Errorf("errors in %v, want zz-broken.md and zz-dup.md", files)
	}
	a, err := k.Article("suivi-colis")
	if err != nil || a.Title != "Où est mon colis ?" {
		t.Errorf("duplicate id took over the original: %+v, %v", a, err)
	}
	if _, err := k.Article("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Article(nope) error = %v, want ErrNotFound", err)
	}
}

func TestHotReload(t *testing.T) {
	dir := mustCopyCorpus(t)
	k := mustOpenKB(t, dir)
	ctx := context.Background()
	search := func(q string) []string {
		res, err := k.Search(ctx, SearchRequest{Query: q})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return ids
	}

	// Changed file: new title served.
	mustWrite(t, filepath.Join(dir, "annuler.md"), strings.Replace(mustRead(t, dir, "annuler.md"), "title: Annuler une commande", "title: Annuler ou modifier une commande", 1))
	eventually(t, "changed title", func() bool {
		a, err := k.Article("annuler-commande")
		return err == nil && a.Title == "Annuler ou modifier une commande"
	})

	// Added file: found by search and by the matcher.
	mustWrite(t, filepath.Join(dir, "cadeau.md"), "---\nid: carte-cadeau\ntitle: Cartes cadeaux\nquestions:\n  - Comment utiliser ma carte cadeau ?\n  - Solde de ma carte cadeau\n---\nSaisissez le code au paiement.")
	eventually(t, "new article searchable", func() bool {
		_, err := k.Article("carte-cadeau")
		return err == nil && slices.Contains(search("carte cadeau"), "carte-cadeau")
	})
	if m := k.Match("utiliser une carte cadeau", 1); len(m.Candidates) == 0 || m.Candidates[0].ID != "carte-cadeau" {
		t.Errorf("matcher not rebuilt: %+v", m.Candidates)
	}

	// Broken file: the last good version stays, and the error is visible.
	mustWrite(t, filepath.Join(dir, "cadeau.md"), "---\nid: carte-cadeau\ntitle: Cartes cadeaux\nquestions: [oops\n---\nx")
	eventually(t, "error reported", func() bool { return len(k.Errors()) == 1 })
	if e := k.Errors()[0]; e.File != "cadeau.md" || e.Line == 0 {
		t.Errorf("error = %+v, want cadeau.md with a line", e)
	}
	if _, err := k.Article("carte-cadeau"); err != nil {
		t.Errorf("last good version dropped: %v", err)
	}

	// Deleted file: gone from articles and search.
	if err := os.Remove(filepath.Join(dir, "cadeau.md")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "deleted article gone", func() bool {
		_, err := k.Article("carte-cadeau")
		return errors.Is(err, ErrNotFound) && !slices.Contains(search("carte cadeau"), "carte-cadeau")
	})
	if len(k.Errors()) != 0 {
		t.Errorf("errors after delete = %v, want none", k.Errors())
	}
}

func mustRead(tb testing.TB, dir, name string) string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

func TestSearchRelevance(t *testing.T) {
	k := mustOpenKB(t, "testdata/corpus")
	data, err := os.ReadFile("testdata/searches.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Q, Top string }
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Q, func(t *testing.T) {
			res, err := k.Search(context.Background(), SearchRequest{Query: c.Q})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || res.Hits[0].ID != c.Top {
				var got []string
				for _, h := range res.Hits {
					got = append(got, h.ID)
				}
				t.Errorf("Search(%q) = %v, want %s first", c.Q, got, c.Top)
			}
		})
	}
}

func TestSearchHighlightsAndFacets(t *testing.T) {
	k := mustOpenKB(t, "testdata/corpus")
	ctx := context.Background()
	res, err := k.Search(ctx, SearchRequest{Query: "remboursé"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 {
		t.Fatal("no hits")
	}
	snips := strings.Join(res.Hits[0].Snippets["title"], " ")
	if !strings.Contains(snips, "<mark>remboursé</mark>") {
		t.Errorf("title snippets = %q, want the word highlighted", snips)
	}
	if len(res.Tags) == 0 || res.Tags[0].Tag == "" {
		t.Errorf("no tag facets: %+v", res.Tags)
	}
	// Filter by tag.
	res, err = k.Search(ctx, SearchRequest{Query: "", Tag: "livraison"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 {
		t.Errorf("tag livraison: %d hits, want 2", res.Total)
	}
	// Typos: a fuzzy retry finds the article and says so.
	res, err = k.Search(ctx, SearchRequest{Query: "anulatoin"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Fuzzy || len(res.Hits) == 0 || res.Hits[0].ID != "annuler-commande" {
		t.Errorf("fuzzy search = %+v", res)
	}
}

func TestSearchEscapesSnippets(t *testing.T) {
	fsys := fstest.MapFS{"x.md": {Data: []byte("---\nid: x\ntitle: Colis <script>alert(1)</script>\nquestions: [colis perdu, colis volé]\n---\nLe <b>colis</b> arrive.")}}
	k, err := Open(Options{Content: fsys, IndexPath: filepath.Join(t.TempDir(), "i")})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	res, err := k.Search(context.Background(), SearchRequest{Query: "colis"})
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("search: %v %+v", err, res)
	}
	for field, snips := range res.Hits[0].Snippets {
		for _, s := range snips {
			if strings.Contains(s, "<script") || strings.Contains(s, "<b>") {
				t.Errorf("%s snippet not escaped: %q", field, s)
			}
		}
	}
	a, _ := k.Article("x")
	if strings.Contains(a.HTML, "<b>") && strings.Contains(a.HTML, "script") {
		t.Errorf("HTML not sanitised: %q", a.HTML)
	}
}

func TestMarkdownIsSanitised(t *testing.T) {
	r := newRenderer()
	out, err := r.HTML("**Bien** <script>alert(1)</script> [lien](javascript:alert(1)) <img src=x onerror=alert(1)> [ok](https://exemple.fr)")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "javascript:", "onerror"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML keeps %q: %s", bad, out)
		}
	}
	for _, good := range []string{"<strong>Bien</strong>", `href="https://exemple.fr"`, `rel="nofollow`} {
		if !strings.Contains(out, good) {
			t.Errorf("HTML lacks %q: %s", good, out)
		}
	}
}

// The Bleve analyser and the chat matcher must see the same terms.
func TestAnalyzerIsNLU(t *testing.T) {
	for _, s := range []string{"Je n’ai toujours pas reçu ma commande !", "jai tjrs pas recu ma cmd", "L'ÉTIQUETTE de retour"} {
		var got []string
		for _, tk := range (frenchAnalyzer{}).Analyze([]byte(s)) {
			got = append(got, string(tk.Term))
		}
		if want := nlu.Terms(s); !slices.Equal(got, want) {
			t.Errorf("analyser(%q) = %v, nlu.Terms = %v", s, got, want)
		}
	}
}

// The shipped sample content must parse entirely and meet the bar set for
// it: at least 40 articles with 5 example questions each.
func TestSampleContent(t *testing.T) {
	rep, err := Check(content.FS, orders.Codes())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rep.Errors {
		t.Errorf("content error: %s", e.Error())
	}
	if rep.Valid < 40 {
		t.Errorf("%d sample articles, want at least 40", rep.Valid)
	}
	k, err := Open(Options{Content: content.FS, IndexPath: filepath.Join(t.TempDir(), "i"), Statuses: orders.Codes()})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	for _, a := range k.Articles() {
		if len(a.Questions) < 5 {
			t.Errorf("%s has %d example questions, want at least 5", a.ID, len(a.Questions))
		}
		if len(a.Markdown) < 200 {
			t.Errorf("%s: answer of %d characters is too thin", a.ID, len(a.Markdown))
		}
	}
}

func TestVariants(t *testing.T) {
	src := "---\nid: suivi\ntitle: Où est mon colis ?\nquestions: [où est mon colis, suivi commande]\n---\n" +
		"Suivez votre colis depuis votre compte.\n\n" +
		"::: statut partenaire\nVotre commande {{numero}} est expédiée par {{vendeur}}.\n:::\n\n" +
		"::: statut shipped, in_transit\nVotre commande **{{numero}}** est en route avec {{transporteur}} : [suivre le colis]({{suivi}}).\n:::\n" +
		"::: statut lost\nNous sommes désolés : le colis de la commande {{numero}} est perdu. Nous vous renvoyons {{articles}}.\n:::\n"
	fsys := fstest.MapFS{"suivi.md": {Data: []byte(src)}}
	k, err := Open(Options{Content: fsys, IndexPath: filepath.Join(t.TempDir(), "i"), Statuses: testStatuses})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if errs := k.Errors(); len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	a, _ := k.Article("suivi")
	if !a.Tailorable() || len(a.Variants) != 3 || a.Markdown != "Suivez votre colis depuis votre compte." {
		t.Fatalf("article = %+v", a)
	}
	fields := map[string]string{"numero": "4581237", "transporteur": "Colissimo", "suivi": "https://suivi.example/c/4581237",
		"articles": "2 × Coussin <velours>", "vendeur": "Atelier *Terre*"}
	tests := []struct {
		status  string
		partner bool
		want    []string
		generic bool
		mustNot []string
	}{
		{"shipped", false, []string{"<strong>4581237</strong>", "Colissimo", `href="https://suivi.example/c/4581237"`}, false, nil},
		{"in_transit", false, []string{"en route"}, false, nil},
		{"lost", false, []string{"2 × Coussin &lt;velours&gt;"}, false, []string{"<velours>"}},
		{"shipped", true, []string{"expédiée par Atelier *Terre*"}, false, []string{"<em>"}},
		{"delivered", false, nil, true, nil},
	}
	for _, tt := range tests {
		got, ok, err := k.Tailor(a, tt.status, tt.partner, fields)
		if err != nil {
			t.Fatal(err)
		}
		if ok == tt.generic {
			t.Errorf("%s: tailored = %v, want %v", tt.status, ok, !tt.generic)
			continue
		}
		if !ok {
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(got.HTML, w) {
				t.Errorf("%s: HTML %q lacks %q", tt.status, got.HTML, w)
			}
		}
		for _, w := range tt.mustNot {
			if strings.Contains(got.HTML, w) {
				t.Errorf("%s: HTML %q contains %q", tt.status, got.HTML, w)
			}
		}
	}
	// A tracking link that is not http(s) is dropped, not rendered.
	fields["suivi"] = "javascript:alert(1)"
	got, _, _ := k.Tailor(a, "shipped", false, fields)
	if strings.Contains(got.HTML, "javascript") {
		t.Errorf("unsafe link kept: %s", got.HTML)
	}
}

// TestIntents: articles are mapped to the library's intents from their own
// text, whatever their id; editors can choose or refuse them in front
// matter, and an unknown intent is a content error.
func TestIntents(t *testing.T) {
	files := map[string]string{
		// An id and a file name that say nothing: the mapping reads the text.
		"a1.md": "---\nid: a1\ntitle: Renvoyer un produit\nquestions:\n  - \"Comment vous retourner un article ?\"\n  - Je veux renvoyer ma commande\n---\nImprimez l’étiquette de retour depuis votre compte et déposez le colis en point relais sous 30 jours.\n",
		"a2.md": "---\nid: a2\ntitle: Mot de passe perdu\nquestions:\n  - J’ai oublié mon mot de passe\n  - Impossible de me connecter\nintents: []\n---\nCliquez sur « Mot de passe oublié » : un lien vous est envoyé par e-mail.\n",
		"a3.md": "---\nid: a3\ntitle: Nos ateliers de poterie\nquestions:\n  - \"Vous organisez des ateliers de poterie ?\"\n  - Cours de céramique\n---\nNos ateliers ont lieu le samedi matin, dans notre boutique de Lyon.\n",
		"a4.md": "---\nid: a4\ntitle: Payer\nquestions:\n  - \"Quels moyens de paiement ?\"\n  - \"Je peux payer par PayPal ?\"\nintents: [moyens-paiement, paiement-plusieurs-fois]\n---\nCarte bancaire, PayPal, et paiement en trois fois sans frais dès 100 €.\n",
	}
	rep, err := Check(mapFiles(files), orders.Codes())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("errors: %v", rep.Errors)
	}
	got := map[string][]string{}
	for _, h := range rep.Health {
		for _, in := range h.Intents {
			got[h.ID] = append(got[h.ID], in.ID)
		}
	}
	if !slices.Contains(got["a1"], "retour") {
		t.Errorf("a1 (returns) mapped to %v, want retour among them", got["a1"])
	}
	if len(got["a2"]) != 0 {
		t.Errorf("a2 refuses every intent (intents: []), mapped to %v", got["a2"])
	}
	if len(got["a3"]) != 0 {
		t.Errorf("a3 (pottery workshops) mapped to %v, want none", got["a3"])
	}
	if !slices.Equal(got["a4"], []string{"moyens-paiement", "paiement-plusieurs-fois"}) {
		t.Errorf("a4 mapped to %v, want the editor's two intents", got["a4"])
	}
	for _, h := range rep.Health {
		if h.Examples < 5 && (len(h.Advice) == 0 || !strings.Contains(h.Advice[0], "questions d’exemple")) {
			t.Errorf("%s has %d examples and no advice to add some: %v", h.ID, h.Examples, h.Advice)
		}
	}
	files["a5.md"] = "---\nid: a5\ntitle: X\nquestions:\n  - a\n  - b\nintents: [retour, teleportation]\n---\nY\n"
	rep, err = Check(mapFiles(files), orders.Codes())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "intention inconnue « teleportation »") || rep.Errors[0].Line != 7 {
		t.Errorf("unknown intent: errors = %v, want one at line 7 naming it", rep.Errors)
	}
}

// TestSharedIntentKeepsArticlesApart: two articles mapped to the same
// intent both get its phrasings as evidence, and each still answers its own
// questions.
func TestSharedIntentKeepsArticlesApart(t *testing.T) {
	files := map[string]string{
		"colis.md":   "---\nid: retour-colis\ntitle: Retour par colis\nquestions:\n  - Retourner un article par la poste\n  - Renvoyer par colis\nintents: [retour]\n---\nDéposez votre colis retour en bureau de poste avec l’étiquette prépayée.\n",
		"magasin.md": "---\nid: retour-magasin\ntitle: Retour en magasin\nquestions:\n  - Rendre un article en magasin\n  - Retour dans une boutique\nintents: [retour]\n---\nRapportez l’article dans l’un de nos magasins avec votre bon de commande.\n",
		"autre.md":   "---\nid: facture\ntitle: Facture\nquestions:\n  - Obtenir ma facture\n  - Télécharger la facture\n---\nVotre facture est dans votre compte, rubrique Mes commandes.\n",
	}
	k, err := Open(Options{Content: mapFiles(files), IndexPath: filepath.Join(t.TempDir(), "i"), Statuses: orders.Codes()})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	for q, want := range map[string]string{
		"je peux rapporter le pull dans un de vos magasins ?": "retour-magasin",
		"je le renvoie par la poste comment ?":                "retour-colis",
		"comment faire un retour":                             "", // either: both answer it
	} {
		m := k.Match(q, 2)
		if len(m.Candidates) < 2 {
			t.Errorf("%q: %v, want both return articles", q, m.Candidates)
			continue
		}
		if want != "" && m.Candidates[0].ID != want {
			t.Errorf("%q: first %s, want %s", q, m.Candidates[0].ID, want)
		}
		if ids := []string{m.Candidates[0].ID, m.Candidates[1].ID}; !slices.Contains(ids, "retour-colis") || !slices.Contains(ids, "retour-magasin") {
			t.Errorf("%q: %v, want both return articles first", q, ids)
		}
	}
}

func mapFiles(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}
