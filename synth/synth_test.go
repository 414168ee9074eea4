package synth_test

import (
	"strings"
	"testing"

	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/synth"
)

// TestArticlesAreValidContent: every generated article passes the checks
// editors' articles pass, and the same n gives the same files.
func TestArticlesAreValidContent(t *testing.T) {
	fsys, err := synth.Articles(120)
	if err != nil {
		t.Fatal(err)
	}
	if len(fsys) != 120 {
		t.Fatalf("got %d files, want 120", len(fsys))
	}
	r, err := kb.Check(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Valid != 120 || len(r.Errors) > 0 {
		t.Fatalf("valid %d of 120, errors %v", r.Valid, r.Errors)
	}
	again, _ := synth.Articles(120)
	for name, f := range fsys {
		if string(again[name].Data) != string(f.Data) {
			t.Fatalf("%s differs between two generations", name)
		}
	}
}

// TestQuestions: thousands of distinct questions, not only the sample's
// examples, and each reads as French a customer writes.
func TestQuestions(t *testing.T) {
	qs, err := synth.Questions(6000)
	if err != nil {
		t.Fatal(err)
	}
	examples, err := synth.Examples()
	if err != nil {
		t.Fatal(err)
	}
	isExample := map[string]bool{}
	for _, q := range examples {
		isExample[q] = true
	}
	seen := map[string]bool{}
	var own, greeted, unaccented int
	for _, q := range qs {
		if seen[q] {
			t.Fatalf("%q twice", q)
		}
		seen[q] = true
		if strings.TrimSpace(q) == "" || strings.ContainsAny(q, "{}") {
			t.Errorf("%q is no question", q)
		}
		if !isExample[q] {
			own++
		}
		if strings.HasPrefix(q, "Bonjour") || strings.HasPrefix(q, "bonjour") {
			greeted++
		}
		if !strings.ContainsAny(q, "éèàçêù") {
			unaccented++
		}
	}
	if len(qs) != 6000 {
		t.Errorf("got %d questions, want 6000", len(qs))
	}
	if own < 4000 || greeted < 500 || unaccented < 500 {
		t.Errorf("too little variety: %d beyond the examples, %d greeted, %d without accents", own, greeted, unaccented)
	}
	if again, _ := synth.Questions(6000); again[17] != qs[17] {
		t.Errorf("two generations differ: %q, %q", again[17], qs[17])
	}
	t.Logf("e.g. %q, %q, %q", qs[0], qs[1], qs[2])
}
