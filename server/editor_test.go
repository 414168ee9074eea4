package server

import (
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/accounts"
	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/editor"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/orders"
)

// mustEditorServer serves a writable copy of the fixture corpus, watched
// as in production, with the editor's store.
func mustEditorServer(tb testing.TB) (*Server, string) {
	tb.Helper()
	dir := tb.TempDir()
	src := os.DirFS("../kb/testdata/corpus")
	files, _ := fs.Glob(src, "*.md")
	for _, f := range files {
		data, _ := fs.ReadFile(src, f)
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	k, db := testKB(tb, kb.Options{Content: os.DirFS(dir), Dir: dir, Statuses: orders.Codes()}), testDB(tb)
	users := testUsers(tb, db, map[string]accounts.Role{"alice": accounts.RoleAgent, "eve": accounts.RoleEditor, "root": accounts.RoleAdmin})
	s := New(Config{Editor: editor.New(db, editor.Options{Dir: dir})}, chat.New(k, db, chat.Options{}), k, users, slog.New(slog.DiscardHandler))
	return s, dir
}

// served polls the served endpoint until the version is live (every
// 50 ms, as the page does every 150 ms: a busy loop would starve the
// reload it waits for).
func served(t *testing.T, b *browser, url string) {
	t.Helper()
	start := time.Now()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for ; ; <-tick.C {
		_, body := b.do("GET", url, nil)
		if strings.Contains(body, `"served":true`) {
			t.Logf("%s served after %v", url, time.Since(start))
			return
		}
		if time.Now().After(deadline) {
			a, err := b.s.kb.Article(strings.Split(url, "/")[3])
			t.Fatalf("%s never served: %s (kb: %+v %v %v)", url, body, a, err, b.s.kb.Errors())
		}
	}
}

func TestLoginSendsEachRoleHome(t *testing.T) {
	var s *Server
	for i, tc := range []struct{ name, user, next, want string }{
		{"editor", "eve", "", "/editor"},
		{"agent", "alice", "", "/agent"},
		{"admin", "root", "", "/agent"},
		{"editor asked for the agents' page", "eve", "/agent/history", "/editor"},
		{"editor asked for an article", "eve", "/editor/articles/retour", "/editor/articles/retour"},
		{"admin asked for the editor", "root", "/editor", "/editor"},
		{"agent asked for the editor", "alice", "/editor", "/agent"},
		{"editor asked for the reports", "eve", "/reports?from=2026-11-01", "/reports?from=2026-11-01"},
	} {
		if i%4 == 0 {
			s, _ = mustEditorServer(t) // five logins a minute per client
		}
		t.Run(tc.name, func(t *testing.T) {
			b := &browser{t: t, s: s, cookies: map[string]string{}}
			_, page := b.do("GET", "/agent/login", nil)
			resp, _ := b.do("POST", "/agent/login", url.Values{"_csrf": {reCSRF.FindStringSubmatch(page)[1]}, "name": {tc.user}, "password": {"un mot de passe solide"}, "next": {tc.next}})
			if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != tc.want {
				t.Errorf("login: %d to %q, want %q", resp.StatusCode, got, tc.want)
			}
		})
	}
}

func TestEditorPages(t *testing.T) {
	s, dir := mustEditorServer(t)
	eve := &browser{t: t, s: s, cookies: map[string]string{}}
	_, csrf := eve.login("eve", "un mot de passe solide")
	_, page := eve.do("GET", "/editor", nil)
	csrf = reCSRF.FindStringSubmatch(page)[1] // bound to the session now
	alice := &browser{t: t, s: s, cookies: map[string]string{}}
	alice.login("alice", "un mot de passe solide")
	fetch := []string{"X-Requested-With", "fetch"}
	article := func(id, title, body string, extra url.Values) url.Values {
		v := url.Values{"_csrf": {csrf}, "id": {id}, "title": {title}, "body": {body}, "question": {"Où est ma carte cadeau ?", "Comment utiliser ma carte cadeau ?"}, "tags": {"paiement, cadeau"}}
		for k, vs := range extra {
			v[k] = vs
		}
		return v
	}
	for _, tc := range []struct {
		name         string
		who          *browser
		method, path string
		form         url.Values
		header       []string
		status       int
		want         []string
	}{
		{"list with health and search", eve, "GET", "/editor?q=rembourse", nil, nil, 200, []string{"Quand serai-je remboursé", "exemples 100 %"}},
		{"list filtered by tag", eve, "GET", "/editor/fragments/articles?tag=compte", nil, fetch, 200, []string{"Mot de passe oublié"}},
		{"agents may not edit", alice, "GET", "/editor/articles/new", nil, nil, 403, nil},
		{"example question pre-filled", eve, "GET", "/editor/articles/retourner-article/edit?exemple=" + url.QueryEscape("je veux renvoyer ma robe"), nil, nil, 200,
			[]string{`value="je veux renvoyer ma robe"`, "ne sera enregistrée qu’à la publication"}},
		{"preview problems in French, by field and line", eve, "POST", "/editor/preview", url.Values{"_csrf": {csrf}, "id": {"Carte Cadeau"}, "title": {"Carte"}, "question": {"une seule"},
			"body": {"Texte.\n\n::: statut expedie\nx\n:::"}}, fetch, 200,
			[]string{"doit être en minuscules", "il faut au moins 2 questions", `data-line="3"`, "statut inconnu « expedie »"}},
		{"preview of a status section with an example order", eve, "POST", "/editor/preview", article("carte", "Carte", "Texte.\n\n::: statut shipped\nCommande {{numero}}, {{montant}}, le {{date}}\n:::", nil), fetch, 200,
			[]string{"Commande : Expédiée", "Commande 100245, 59,90 €"}},
		{"preview is sanitised", eve, "POST", "/editor/preview", article("carte", "Carte", "Texte <script>alert(1)</script> [x](javascript:alert(1))", nil), fetch, 200, []string{"Texte"}},
		{"save needs the CSRF token", eve, "POST", "/editor/articles", url.Values{"id": {"x"}}, fetch, 403, nil},
		{"refused save keeps the form and says why", eve, "POST", "/editor/articles", article("carte-cadeau", "", "Texte.", nil), nil, 422,
			[]string{"donnez un titre à l’article", `value="carte-cadeau"`, "Rien n’a été enregistré"}},
		{"create", eve, "POST", "/editor/articles", article("carte-cadeau", "Carte cadeau", "Saisissez le code au paiement.", nil), fetch, 200, []string{`"ok":true`, `"version":1`}},
		{"create over an existing file is a conflict", eve, "POST", "/editor/articles", article("carte-cadeau", "Carte cadeau", "Autre texte.", nil), fetch, 409, []string{"Votre version n’a pas été enregistrée", "eve a enregistré une autre version"}},
		{"an id taken by another article", eve, "POST", "/editor/articles", article("retourner-article", "Doublon", "Texte.", nil), fetch, 422, []string{"déjà utilisé par retour.md"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tc.who.do(tc.method, tc.path, tc.form, tc.header...)
			if resp.StatusCode != tc.status {
				t.Fatalf("%s %s: %d, want %d\n%s", tc.method, tc.path, resp.StatusCode, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s %s lacks %q:\n%s", tc.method, tc.path, w, body)
				}
			}
			if strings.Contains(body, "<script>alert") || strings.Contains(body, "javascript:alert") {
				t.Errorf("unsanitised HTML in %s", tc.path)
			}
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") && tc.status == 200 && resp.Header.Get("Content-Security-Policy") != editorPolicy {
				t.Errorf("CSP = %q, want the editor's strict policy", resp.Header.Get("Content-Security-Policy"))
			}
		})
	}
	if t.Failed() {
		return
	}
	served(t, eve, "/editor/articles/carte-cadeau/served?v=1")
	data, err := os.ReadFile(filepath.Join(dir, "carte-cadeau.md"))
	if err != nil || !strings.HasPrefix(string(data), "---\nid: carte-cadeau\ntitle: Carte cadeau\nquestions:\n  - Où est ma carte cadeau ?\n") || !strings.Contains(string(data), "tags: [paiement, cadeau]\n---\nSaisissez le code au paiement.\n") {
		t.Errorf("saved file:\n%s %v", data, err)
	}

	// Rename: the file follows the id when it was named after it.
	_, page = eve.do("GET", "/editor/articles/carte-cadeau/edit", nil)
	base := regexpField(page, "base")
	resp, body := eve.do("POST", "/editor/articles/carte-cadeau", article("carte-kdo", "Carte cadeau", "Saisissez le code au paiement.",
		url.Values{"original": {"carte-cadeau"}, "path": {"carte-cadeau.md"}, "base": {base}}), fetch...)
	var res saveResult
	if err := json.Unmarshal([]byte(body), &res); err != nil || resp.StatusCode != 200 || res.Path != "carte-kdo.md" {
		t.Fatalf("rename: %d %s", resp.StatusCode, body)
	}
	served(t, eve, res.Served)
	if _, err := os.Stat(filepath.Join(dir, "carte-cadeau.md")); !os.IsNotExist(err) {
		t.Error("the old file is still there after the rename")
	}
	if _, err := s.kb.Article("carte-cadeau"); err == nil {
		t.Error("the old id is still served")
	}

	// Delete: gone from the bot, listed as restorable.
	resp, _ = eve.do("POST", "/editor/articles/carte-kdo/delete", url.Values{"_csrf": {csrf}, "base": {"stale"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("delete from a stale page: %d, want 409", resp.StatusCode)
	}
	resp, _ = eve.do("POST", "/editor/articles/carte-kdo/delete", url.Values{"_csrf": {csrf}, "base": {res.Base}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	served(t, eve, "/editor/articles/carte-kdo/served?v=3")
	if _, body := eve.do("GET", "/editor", nil); !strings.Contains(body, `href="/editor/articles/carte-kdo/history"`) {
		t.Error("the deleted article is not offered for restoring")
	}
	if _, body := eve.do("GET", "/editor/articles/carte-kdo/history", nil); !strings.Contains(body, "Suppression") || !strings.Contains(body, "Renommage (ancien nom : carte-cadeau)") || !strings.Contains(body, "Création") {
		t.Errorf("history of the deleted article:\n%s", body)
	}
}

// regexpField is the value of a hidden field of a page.
func regexpField(page, name string) string {
	i := strings.Index(page, `name="`+name+`" value="`)
	if i < 0 {
		return ""
	}
	rest := page[i+len(`name="`+name+`" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// TestEditorFixesBrokenFile: a file the knowledge base cannot read opens in
// the editor from the list of errors, with its problems on their lines,
// and publishing the fix puts it online.
func TestEditorFixesBrokenFile(t *testing.T) {
	s, dir := mustEditorServer(t)
	broken := "---\nid: garantie\ntitle: Garantie\nquestions:\n  - Quelle est la garantie ?\n---\nDeux ans.\n"
	if err := os.WriteFile(filepath.Join(dir, "garantie.md"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.kb.Reload(); err != nil {
		t.Fatal(err)
	}
	eve := &browser{t: t, s: s, cookies: map[string]string{}}
	eve.login("eve", "un mot de passe solide")
	if _, body := eve.do("GET", "/editor", nil); !strings.Contains(body, `href="/editor/files/edit?path=garantie.md"`) {
		t.Fatalf("the error list does not link to the file")
	}
	_, page := eve.do("GET", "/editor/files/edit?path=garantie.md", nil)
	for _, want := range []string{"Corriger garantie.md", "il faut au moins 2 questions d’exemple", `value="Quelle est la garantie ?"`, "Deux ans."} {
		if !strings.Contains(page, want) {
			t.Errorf("fix page lacks %q", want)
		}
	}
	form := url.Values{"_csrf": {reCSRF.FindStringSubmatch(page)[1]}, "id": {"garantie"}, "title": {"Garantie"}, "body": {"Deux ans."},
		"question": {"Quelle est la garantie ?", "Combien de temps dure la garantie ?"}, "path": {"garantie.md"}, "base": {regexpField(page, "base")}}
	resp, body := eve.do("POST", "/editor/articles", form, "X-Requested-With", "fetch")
	if resp.StatusCode != 200 || !strings.Contains(body, `"path":"garantie.md"`) {
		t.Fatalf("publish the fix: %d %s", resp.StatusCode, body)
	}
	served(t, eve, "/editor/articles/garantie/served?v=2") // 1 is the broken file as it was
	// A served article whose file breaks: its page says so, the bot keeps
	// the last good version, and the edit page reads the file as it is.
	data, _ := os.ReadFile(filepath.Join(dir, "retour.md"))
	os.WriteFile(filepath.Join(dir, "retour.md"), []byte(strings.Replace(string(data), "title:", "titre:", 1)), 0o644)
	if err := s.kb.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, body := eve.do("GET", "/editor/articles/retourner-article", nil); !strings.Contains(body, "Le fichier contient des erreurs") || !strings.Contains(body, "clé inconnue « titre »") {
		t.Errorf("the article page does not tell that its file is broken")
	}
	if _, body := eve.do("GET", "/editor/articles/retourner-article/edit", nil); !strings.Contains(body, "clé inconnue « titre »") {
		t.Errorf("the edit page does not show the file's problem")
	}
	if resp, _ := eve.do("GET", "/editor/files/edit?path=../g.md", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a path outside the content dir: %d, want 404", resp.StatusCode)
	}
}
