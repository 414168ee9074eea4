package kb

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// After a series of edits, each visible at once through a patched matcher,
// and once the background refresh has settled, the knowledge base ranks
// exactly as one built from scratch on the same files.
func TestUpdatesEndAsAFullRebuild(t *testing.T) {
	dir := mustCopyCorpus(t)
	k := mustOpenUnwatched(t, dir)
	first := func(q string) string {
		t.Helper()
		if c := k.Match(q, 1).Candidates; len(c) > 0 {
			return c[0].ID
		}
		return ""
	}
	edits := []struct {
		name  string
		edit  func()
		q     string // a question the edit makes answerable, or ""
		want  string
		gone  string // an id the edit removes, or ""
		check bool   // whether the refresh is awaited after this edit
	}{
		{name: "add", edit: func() {
			mustWrite(t, filepath.Join(dir, "cadeau.md"), "---\nid: carte-cadeau\ntitle: Cartes cadeaux\nquestions:\n  - Comment utiliser ma carte cadeau ?\n  - Solde de ma carte cadeau\n  - Ma carte cadeau a expiré\n---\nSaisissez le code de la carte cadeau au paiement. Elle reste valable un an.")
		}, q: "utiliser une carte cadeau", want: "carte-cadeau"},
		{name: "change", edit: func() {
			mustWrite(t, filepath.Join(dir, "annuler.md"), strings.Replace(mustRead(t, dir, "annuler.md"), "questions:\n", "questions:\n  - Je me suis trompé de trottinette dans ma commande\n", 1))
		}, q: "trompé de trottinette", want: "annuler-commande", check: true},
		{name: "delete", edit: func() {
			if err := os.Remove(filepath.Join(dir, "contact.md")); err != nil {
				t.Fatal(err)
			}
		}, gone: "nous-contacter"},
		{name: "rename file", edit: func() {
			if err := os.Rename(filepath.Join(dir, "suivi.md"), filepath.Join(dir, "ou-est-mon-colis.md")); err != nil {
				t.Fatal(err)
			}
		}, q: "où est mon colis", want: "suivi-colis"},
		{name: "rename id", edit: func() {
			mustWrite(t, filepath.Join(dir, "paiement.md"), strings.Replace(mustRead(t, dir, "paiement.md"), "id: paiement-refuse", "id: paiement-bloque", 1))
		}, q: "ma carte bancaire est refusée", want: "paiement-bloque", gone: "paiement-refuse"},
	}
	for _, e := range edits {
		e.edit()
		if err := k.Reload(); err != nil {
			t.Fatalf("%s: reload: %v", e.name, err)
		}
		if e.q != "" {
			if got := first(e.q); got != e.want {
				t.Errorf("%s: right after the reload, %q goes to %q, want %q", e.name, e.q, got, e.want)
			}
		}
		if e.gone != "" {
			for _, c := range k.Match(e.gone, 10).Candidates {
				if c.ID == e.gone {
					t.Errorf("%s: %s still ranked", e.name, e.gone)
				}
			}
			for _, h := range k.Health() {
				if h.ID == e.gone {
					t.Errorf("%s: %s still in health", e.name, e.gone)
				}
			}
		}
		if e.check {
			waitRefreshed(t, k)
		}
	}
	waitRefreshed(t, k)
	scratch := mustOpenUnwatched(t, dir)
	if !scratch.Refreshed() {
		t.Fatal("a knowledge base just opened is not refreshed")
	}
	for _, q := range evalQuestions(t, k) {
		got, want := k.Match(q, 5), scratch.Match(q, 5)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Match(%q) after updates = %+v\nfrom scratch = %+v", q, got, want)
		}
	}
	if got, want := k.Health(), scratch.Health(); !reflect.DeepEqual(got, want) {
		t.Errorf("health after updates = %+v\nfrom scratch = %+v", got, want)
	}
}

// Two builds of the same content rank to the last bit alike: what the
// equivalence above relies on.
func TestFullBuildIsDeterministic(t *testing.T) {
	a, b := mustOpenUnwatched(t, "testdata/corpus"), mustOpenUnwatched(t, "testdata/corpus")
	for _, q := range evalQuestions(t, a) {
		if got, want := a.Match(q, 5), b.Match(q, 5); !reflect.DeepEqual(got, want) {
			t.Errorf("Match(%q) = %+v, then %+v", q, got, want)
		}
	}
}

func mustOpenUnwatched(tb testing.TB, dir string) *KB {
	tb.Helper()
	k, err := Open(Options{Content: os.DirFS(dir), IndexPath: filepath.Join(tb.TempDir(), "index")})
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

func waitRefreshed(tb testing.TB, k *KB) {
	tb.Helper()
	deadline := time.Now().Add(3 * time.Minute) // a build under -race on a loaded machine
	for !k.Refreshed() {
		if time.Now().After(deadline) {
			tb.Fatal("timed out waiting for the background refresh")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// evalQuestions are the searches of testdata/searches.json, every title and
// example question of k, with typos, stories and off-topic questions.
func evalQuestions(tb testing.TB, k *KB) []string {
	tb.Helper()
	data, err := os.ReadFile("testdata/searches.json")
	if err != nil {
		tb.Fatal(err)
	}
	var searches []struct{ Q string }
	if err := json.Unmarshal(data, &searches); err != nil {
		tb.Fatal(err)
	}
	qs := []string{"jai tjrs pas recu ma comande", "quelle est la météo à Lyon demain",
		"j'ai acheté un pull chez Zara et il est troué", "rembourssement carte cadeau expirée"}
	for _, s := range searches {
		qs = append(qs, s.Q)
	}
	for _, a := range k.Articles() {
		qs = append(qs, a.Title)
		qs = append(qs, a.Questions...)
	}
	return qs
}

func mustOpenIndexAt(tb testing.TB, dir, index string) *KB {
	tb.Helper()
	k, err := Open(Options{Content: os.DirFS(dir), IndexPath: index})
	if err != nil {
		tb.Fatalf("open kb: %v", err)
	}
	return k
}

func mustClose(tb testing.TB, k *KB) {
	tb.Helper()
	if err := k.Close(); err != nil {
		tb.Fatalf("close kb: %v", err)
	}
}

// A second start with the same content reads the matcher saved by the
// first instead of training it, and ranks exactly alike; a change made
// while the service was down is seen at the next start, in search too.
func TestSecondStartReusesWhatItCan(t *testing.T) {
	dir := mustCopyCorpus(t)
	index := filepath.Join(t.TempDir(), "index")
	k := mustOpenIndexAt(t, dir, index)
	if k.snap.Load().saved {
		t.Fatal("first start read a saved matcher")
	}
	qs := evalQuestions(t, k)
	want := map[string]any{}
	for _, q := range qs {
		want[q] = k.Match(q, 5)
	}
	mustClose(t, k) // waits for the save
	if _, err := os.Stat(index + ".matcher"); err != nil {
		t.Fatalf("matcher not saved: %v", err)
	}

	k = mustOpenIndexAt(t, dir, index)
	if !k.snap.Load().saved {
		t.Error("second start trained the matcher again")
	}
	for _, q := range qs {
		if got := k.Match(q, 5); !reflect.DeepEqual(got, want[q]) {
			t.Errorf("Match(%q) on the second start = %+v, want %+v", q, got, want[q])
		}
	}
	if ids := searchIDs(t, k, "annulation"); len(ids) == 0 || ids[0] != "annuler-commande" {
		t.Errorf("search on the reused index = %v", ids)
	}
	mustClose(t, k)

	// Changed while down: one article renamed, one deleted.
	mustWrite(t, filepath.Join(dir, "annuler.md"), strings.Replace(mustRead(t, dir, "annuler.md"), "title: Annuler une commande", "title: Annuler une trottinette", 1))
	if err := os.Remove(filepath.Join(dir, "contact.md")); err != nil {
		t.Fatal(err)
	}
	k = mustOpenIndexAt(t, dir, index)
	defer mustClose(t, k)
	if k.snap.Load().saved {
		t.Error("the matcher of other content was reused")
	}
	if ids := searchIDs(t, k, "trottinette"); len(ids) != 1 || ids[0] != "annuler-commande" {
		t.Errorf("search for the new title = %v, want annuler-commande", ids)
	}
	if ids := searchIDs(t, k, "horaires téléphone"); slices.Contains(ids, "nous-contacter") {
		t.Errorf("article deleted while down still found: %v", ids)
	}
	scratch := mustOpenUnwatched(t, dir)
	for _, q := range evalQuestions(t, k) {
		if got, want := k.Match(q, 5), scratch.Match(q, 5); !reflect.DeepEqual(got, want) {
			t.Errorf("Match(%q) after a change while down = %+v, from scratch %+v", q, got, want)
		}
	}
}

// A damaged saved matcher is never served: the matcher is trained again.
func TestDamagedSavedMatcherIsRebuilt(t *testing.T) {
	dir := mustCopyCorpus(t)
	index := filepath.Join(t.TempDir(), "index")
	mustClose(t, mustOpenIndexAt(t, dir, index))
	data, err := os.ReadFile(index + ".matcher")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(index+".matcher", data[:len(data)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	k := mustOpenIndexAt(t, dir, index)
	defer mustClose(t, k)
	if k.snap.Load().saved {
		t.Error("a damaged matcher was read")
	}
	if c := k.Match("comment annuler ma commande", 1).Candidates; len(c) == 0 || c[0].ID != "annuler-commande" {
		t.Errorf("Match after a damaged file = %+v", c)
	}
}

func searchIDs(tb testing.TB, k *KB, q string) []string {
	tb.Helper()
	res, err := k.Search(context.Background(), SearchRequest{Query: q})
	if err != nil {
		tb.Fatalf("search %q: %v", q, err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}
