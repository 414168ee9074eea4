package kb

import (
	"strings"
	"testing"
)

const giftWrap = "---\nid: emballage-cadeau\ntitle: L’emballage cadeau\nquestions:\n  - Proposez-vous un emballage cadeau ?\n  - Pouvez-vous emballer ma commande pour l’offrir ?\n---\nOui : cochez « emballage cadeau » au moment de payer.\n"

func TestDraft(t *testing.T) {
	k := mustOpenKB(t, "testdata/corpus")
	for _, tc := range []struct {
		name, file, source, original string
		want                         string // a problem's message, "" for none
		line                         int
	}{
		{"a new article", "services/emballage-cadeau.md", giftWrap, "", "", 0},
		{"an edit keeps its id", "suivi.md", strings.Replace(giftWrap, "emballage-cadeau", "suivi-colis", 1), "suivi-colis", "", 0},
		{"an id another article has", "autre.md", strings.Replace(giftWrap, "emballage-cadeau", "suivi-colis", 1), "", "l’identifiant « suivi-colis » est déjà utilisé par suivi.md", 2},
		{"a file another article has", "suivi.md", giftWrap, "", "le fichier suivi.md contient déjà l’article « Où est mon colis ? »", 0},
		{"a path out of the content", "../x.md", giftWrap, "", "le chemin du fichier doit être relatif", 0},
		{"not Markdown", "x.txt", giftWrap, "", "finir par « .md »", 0},
		{"a broken front matter", "x.md", "---\nid: x\n", "", "l’en-tête ouvert par « --- » n’est jamais fermé", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, errs := k.Draft(tc.file, []byte(tc.source), tc.original)
			if tc.want == "" {
				if len(errs) > 0 || a == nil || a.HTML == "" || a.File != tc.file {
					t.Fatalf("draft: %v %+v", errs, a)
				}
				return
			}
			if len(errs) == 0 || !strings.Contains(errs[0].Message, tc.want) || errs[0].Line != tc.line {
				t.Errorf("problems = %v, want %q on line %d", errs, tc.want, tc.line)
			}
		})
	}
}

// TestTrial checks the trial matcher answers with the draft while the live
// knowledge base does not know it, and that an article edited away is gone
// from the trial only.
func TestTrial(t *testing.T) {
	k := mustOpenKB(t, "testdata/corpus")
	a, errs := k.Draft("services/emballage-cadeau.md", []byte(giftWrap), "")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	trial := k.Trial(a, "")
	if m := trial.Match("proposez vous un emballage cadeau", 3); len(m.Candidates) == 0 || m.Candidates[0].ID != "emballage-cadeau" {
		t.Errorf("trial ranks %v, want the draft first", m.Candidates)
	}
	if _, err := k.Article("emballage-cadeau"); err == nil {
		t.Errorf("the draft reached the live knowledge base")
	}
	edit, errs := k.Draft("suivi.md", []byte(strings.Replace(giftWrap, "emballage-cadeau", "suivi-colis", 1)), "suivi-colis")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	trial = k.Trial(edit, "suivi-colis")
	if got, err := trial.Article("suivi-colis"); err != nil || got.Title != "L’emballage cadeau" {
		t.Errorf("trial's suivi-colis = %+v %v, want the draft", got, err)
	}
	if live, _ := k.Article("suivi-colis"); live.Title != "Où est mon colis ?" {
		t.Errorf("the live article changed: %q", live.Title)
	}
	if n := len(k.Articles()); n != 8 {
		t.Errorf("%d live articles", n)
	}
}
