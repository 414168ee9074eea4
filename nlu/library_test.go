package nlu

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// The library covers the processes French shops share, each in enough
// customer wordings to matter on a shop's first day.
func TestLibrary(t *testing.T) {
	lib := Library()
	if len(lib) < 40 {
		t.Errorf("%d intents, want at least 40", len(lib))
	}
	for _, in := range lib {
		if len(in.Phrasings) < 30 {
			t.Errorf("intent %s has %d phrasings, want at least 30", in.ID, len(in.Phrasings))
		}
		if in.Label == "" {
			t.Errorf("intent %s has no label", in.ID)
		}
		seen := map[string]bool{}
		for _, p := range in.Phrasings {
			if k := strings.Join(strings.Fields(Fold(p)), " "); seen[k] {
				t.Errorf("intent %s: %q repeats another phrasing", in.ID, p)
			} else {
				seen[k] = true
			}
		}
	}
	if in, ok := LookupIntent("retour"); !ok || in.ID != "retour" {
		t.Errorf("LookupIntent(retour) = %v, %v", in, ok)
	}
	if _, ok := LookupIntent("teleportation"); ok {
		t.Error("an unknown intent was found")
	}
}

func TestParseLibraryErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"phrasing before a header", "où est mon colis\n", "before any intent header"},
		{"bad header", "[Suivi Colis] Suivre\nx\n", "not « [id] Label »"},
		{"defined twice", "[a] A\nx\n\n[a] A again\ny\n", "defined twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseLibrary(fstest.MapFS{"intents/x.txt": {Data: []byte(tt.text)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseLibrary = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestConcepts(t *testing.T) {
	tests := []struct{ text, want string }{
		{"la couture a lâché", "panne"},
		{"ça ne s'allume plus", "panne"},
		{"il est HS", "panne"},
		{"je veux récupérer mon argent", "rembourser"},
		{"refund please", "rembourser"},
	}
	for _, tt := range tests {
		if got := Concepts(Analyze(tt.text)); !slices.Contains(got, tt.want) {
			t.Errorf("Concepts(%q) = %v, want %s among them", tt.text, got, tt.want)
		}
	}
	if got := Concepts(Analyze("quelle belle journée")); len(got) != 0 {
		t.Errorf("Concepts of small talk = %v, want none", got)
	}
}

func TestPassages(t *testing.T) {
	got := Passages("Imprimez l'étiquette. Déposez le colis avant 14h30 !\nRemboursement sous 14 jours : 2.5 % de frais")
	want := []string{"Imprimez l'étiquette.", "Déposez le colis avant 14h30 !", "Remboursement sous 14 jours :", "2.5 % de frais"}
	if !slices.Equal(got, want) {
		t.Errorf("Passages = %q, want %q", got, want)
	}
}

func TestElsewhere(t *testing.T) {
	known := func(w string) bool { return w == "amazon" } // this shop sells on Amazon
	tests := []struct{ text, want string }{
		{"je veux retourner un pull acheté chez Zara", "Zara"},
		{"ma commande shein est bloquée", "Shein"},
		{"je l'ai commandé sur La Redoute", "La Redoute"},
		{"vous vendez aussi sur amazon ?", ""}, // the knowledge base speaks of it
		{"où est mon colis ?", ""},
		{"j'ai eu un but au foot", ""},
		{"je fais du 38 chez Zara, je prends quoi chez vous ?", ""}, // about this shop's sizes
		{"c'est moins cher chez Fnac, vous pouvez vous aligner sur votre site ?", ""},
		{"j'ai acheté un pull chez Zara, vous le reprenez ?", "Zara"},
	}
	for _, tt := range tests {
		if got := elsewhere(tt.text, known); got != tt.want {
			t.Errorf("elsewhere(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestHealth: an article is measured by leaving each of its examples out
// of it in turn; one whose examples all read like another article's is told
// which.
func TestHealth(t *testing.T) {
	docs := append(slices.Clone(shopDocs), Doc{ID: "remboursement-bis", Title: "Quand serai-je remboursé ?",
		Questions: []string{"Je n'ai pas été remboursé", "Mon remboursement n'est pas arrivé"}})
	m := NewMatcher(docs, DefaultWeights)
	var bis, suivi Health
	for _, h := range m.Health() {
		switch h.ID {
		case "remboursement-bis":
			bis = h
		case "suivi-colis":
			suivi = h
		}
	}
	if suivi.ExampleRecall < 0.75 || len(suivi.Intents) == 0 || suivi.Intents[0].ID != "suivi" {
		t.Errorf("suivi-colis: recall %.2f, intents %v; want most examples found and the suivi intent", suivi.ExampleRecall, suivi.Intents)
	}
	if bis.Examples != 2 || !slices.Contains(bis.Neighbours, "remboursement") {
		t.Errorf("a copy of the refund article: %+v, want the original among its neighbours", bis)
	}
}
