package nlu

import "testing"

var shopDocs = []Doc{
	{ID: "suivi-colis", Title: "Où est mon colis ?", Questions: []string{"Où en est ma livraison ?", "Je n'ai toujours pas reçu ma commande", "Comment suivre mon colis ?", "Quand vais-je recevoir ma commande ?"}},
	{ID: "retour", Title: "Retourner un article", Questions: []string{"Comment faire un retour ?", "Je veux renvoyer un produit", "Comment obtenir une étiquette de retour ?", "L'article ne me plaît pas"}},
	{ID: "remboursement", Title: "Quand serai-je remboursé ?", Questions: []string{"Je n'ai pas été remboursé", "Quel est le délai de remboursement ?", "Mon remboursement n'est pas arrivé"}},
	{ID: "paiement-refuse", Title: "Mon paiement est refusé", Questions: []string{"Ma carte bancaire est refusée", "Le paiement ne passe pas", "Erreur au moment de payer"}},
	{ID: "mot-de-passe", Title: "Mot de passe oublié", Questions: []string{"J'ai oublié mon mot de passe", "Je n'arrive pas à me connecter", "Réinitialiser mon mot de passe"}},
}

func TestMatchRanksTheRightArticle(t *testing.T) {
	m := NewMatcher(shopDocs, DefaultWeights)
	tests := []struct{ name, q, want string }{
		{"sms and typos", "jai tjrs pas recu ma comande", "suivi-colis"},
		{"no accents", "ou est mon colis", "suivi-colis"},
		{"typo in long word", "toujours pas de rembourssement", "remboursement"},
		{"abbreviation", "mdp oublie", "mot-de-passe"},
		{"other words", "comment renvoyer un article", "retour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := m.Match(tt.q, 3)
			if len(r.Candidates) == 0 || r.Candidates[0].ID != tt.want {
				t.Errorf("Match(%q) = %+v, want %s first", tt.q, r.Candidates, tt.want)
			}
		})
	}
}

func TestMatchCorrectsTyposAgainstVocabulary(t *testing.T) {
	m := NewMatcher(shopDocs, DefaultWeights)
	r := m.Match("ma comande", 1)
	if r.Corrections["comande"] != "commande" {
		t.Errorf("corrections = %v, want comande -> commande", r.Corrections)
	}
	// Real French words are never "corrected" into the knowledge base's
	// words, however close: they mean something else.
	for _, q := range []string{"une pomme", "tu aimes la musique", "mon salon", "un conte"} {
		if r := m.Match(q, 1); len(r.Corrections) > 0 {
			t.Errorf("Match(%q) corrected %v", q, r.Corrections)
		}
	}
}

func TestConfidenceSeparatesOnAndOffTopic(t *testing.T) {
	m := NewMatcher(shopDocs, DefaultWeights)
	on := m.Match("je n'ai toujours pas reçu mon colis", 1).Confidence
	off := m.Match("quelle est la météo à Lyon demain", 1).Confidence
	if on <= off {
		t.Errorf("confidence on topic %.3f <= off topic %.3f", on, off)
	}
	if off > 0.2 {
		t.Errorf("confidence for the weather = %.3f, want a miss (< 0.2)", off)
	}
}

func TestMatchEmpty(t *testing.T) {
	m := NewMatcher(shopDocs, DefaultWeights)
	if r := m.Match("   ", 3); len(r.Candidates) != 0 || r.Confidence != 0 {
		t.Errorf("Match(blank) = %+v, want nothing", r)
	}
	if r := NewMatcher(nil, DefaultWeights).Match("colis", 3); len(r.Candidates) != 0 {
		t.Errorf("empty matcher returned %+v", r)
	}
}

func TestSpellerCompletesAbbreviations(t *testing.T) {
	s := newSpeller([][]Token{Analyze("restaurant restaurant psychologue disponible endommagé")})
	tests := []struct{ in, want string }{{"restau", "restaurant"}, {"psych", "psychologue"}, {"dispo", "disponible"}}
	for _, tt := range tests {
		if got, ok := s.complete(tt.in); !ok || got != tt.want {
			t.Errorf("complete(%q) = %q, %v, want %q", tt.in, got, ok, tt.want)
		}
	}
	if got, ok := s.complete("end"); ok {
		t.Errorf("three letters completed to %q", got)
	}
}
