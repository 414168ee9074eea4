package nlu

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"accents", "Où ÇA, l’été à Noël", "ou ca, l'ete a noel"},
		{"ligature", "Cœur ŒUVRE", "coeur oeuvre"},
		{"apostrophes", "l`adresse d´envoi", "l'adresse d'envoi"},
		{"no-break space", "10\u00a0€", "10 €"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTermsMatchAcrossSpellings(t *testing.T) {
	// Each pair must normalise to the same terms: the way customers write
	// and the way editors write.
	tests := []struct{ name, customer, editor string }{
		{"no accents", "je n'ai pas recu ma livraison", "Je n’ai pas reçu ma livraison"},
		{"sms", "jai tjrs pas recu ma cmd", "J'ai toujours pas reçu ma commande"},
		{"elision both apostrophes", "l’adresse d’expédition", "l'adresse d'expedition"},
		{"capitals", "REMBOURSEMENT", "remboursement"},
		{"plural and gender", "commandes livrées", "commande livrée"},
		{"glued j", "jveux annuler", "je veux annuler"},
		{"abbreviation", "mdp oublié", "mot de passe oublié"},
		{"aujourd'hui", "aujourd’hui", "aujourdhui"},
		{"où without its accent", "ou est mon colis", "Où est mon colis ?"},
		{"où en est", "ou en est ma commande", "Où en est ma commande ?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := Terms(tt.customer), Terms(tt.editor)
			if !slices.Equal(got, want) {
				t.Errorf("Terms(%q) = %v, want %v (as for %q)", tt.customer, got, want, tt.editor)
			}
		})
	}
}

func TestAnalyzeDropsNoiseAndKeepsOffsets(t *testing.T) {
	text := "Bonjour, où est ma commande 4581237 s'il vous plaît ?"
	toks := Analyze(text)
	var terms []string
	for _, tk := range toks {
		terms = append(terms, tk.Term)
		if got := Fold(text[tk.Start:tk.End]); !strings.HasPrefix(got, tk.Word[:1]) {
			t.Errorf("token %q points at %q", tk.Word, text[tk.Start:tk.End])
		}
	}
	if want := []string{"ou", "command"}; !slices.Equal(terms, want) {
		t.Errorf("terms = %v, want %v (politeness, stop words and the order number dropped)", terms, want)
	}
	// "ou" (or) is noise; "où" (where) is the question.
	if got := Terms("un échange ou un remboursement"); slices.Contains(got, "ou") {
		t.Errorf("Terms(échange ou remboursement) = %v: 'or' kept", got)
	}
	// « quel temps » is the weather; « combien de temps » a duration.
	if got := Terms("quel temps fera-t-il demain ?"); !slices.Contains(got, "meteo") {
		t.Errorf("Terms(quel temps…) = %v, want meteo", got)
	}
	if got := Terms("combien de temps pour être livré"); slices.Contains(got, "meteo") {
		t.Errorf("Terms(combien de temps…) = %v, want no meteo", got)
	}
	if got := Terms("en combien de temps je suis livré"); !slices.Contains(got, Stem("delai")) || slices.Contains(got, "temp") {
		t.Errorf("Terms(combien de temps…) = %v, want delai", got)
	}
	if got := Terms("il y a un article en moins"); !slices.Contains(got, "manqu") {
		t.Errorf("Terms(… en moins) = %v, want manqu", got)
	}
	// "pas" carries the meaning of "pas reçu": it must stay.
	if got := Terms("pas reçu"); !slices.Contains(got, "pas") {
		t.Errorf("Terms(pas reçu) = %v, want the negation kept", got)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "jai tjrs pas recu ma comande", "L’été où ÇA ?", "aujourd'hui", "j", "ʼ'’", "\xff\xfe", "3x 4x cmd#123456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		folded := Fold(s)
		if Fold(folded) != folded {
			t.Errorf("Fold not idempotent on %q", s)
		}
		toks := Analyze(s)
		for _, tk := range toks {
			if tk.Start < 0 || tk.End > len(s) || tk.Start > tk.End {
				t.Fatalf("bad offsets %d-%d in %q", tk.Start, tk.End, s)
			}
			if tk.Term == "" {
				t.Fatalf("empty term in %q", s)
			}
		}
		// Terms are folded: analysing them again changes nothing.
		for _, tk := range toks {
			if utf8.ValidString(tk.Term) && Fold(tk.Term) != tk.Term {
				t.Errorf("term %q of %q is not folded", tk.Term, s)
			}
		}
		// Accents never decide a term, except the one of "où".
		if utf8.ValidString(s) && !strings.ContainsAny(s, "ùÙ") {
			if a, b := Terms(s), Terms(Fold(s)); !slices.Equal(a, b) {
				t.Errorf("Terms(%q) = %v but Terms(Fold) = %v", s, a, b)
			}
		}
	})
}
