package nlu

import (
	"slices"
	"testing"
)

func TestActs(t *testing.T) {
	tests := []struct {
		in       string
		want     Act // first act, "" for none
		wantOnly bool
	}{
		{"Bonjour !", ActGreeting, true},
		{"bjr", ActGreeting, true},
		{"merci beaucoup", ActThanks, true},
		{"Merci, bonne journée !", ActGoodbye, true},
		{"au revoir", ActGoodbye, true},
		{"je veux parler à un conseiller", ActHuman, true},
		{"passez-moi un humain svp", ActHuman, true},
		{"vous êtes nuls", ActFrustration, true},
		{"C'EST INADMISSIBLE CETTE ATTENTE", ActFrustration, true},
		{"C'EST INADMISSIBLE, MON COLIS EST ARRIVÉ CASSÉ", ActFrustration, false},
		{"service client de merde", ActFrustration, true},
		{"plus jamais je commande chez vous", ActFrustration, true},
		{"c'est scandaleux, pourquoi ma commande est annulée ?", ActFrustration, false},
		{"salut, ça va ?", ActGreeting, true},
		{"parfait, merci", ActThanks, true},
		{"oui merci", ActYes, true},
		{"conseiller svp", ActHuman, true},
		{"humain", ActHuman, true},
		{"vous pouvez me conseiller un bon cordonnier ?", "", false},
		{"quelle taille vous me conseillez ?", "", false},
		{"oui", ActYes, true},
		{"ok d'accord", ActYes, true},
		{"non merci", ActNo, true},
		{"nan", ActNo, true},
		{"bonjour, où est mon colis ?", ActGreeting, false},
		{"où est mon colis ?", "", false},
		{"c'est nul, toujours pas reçu mon colis", ActFrustration, false},
		{"je veux parler à un conseiller pour mon remboursement", ActHuman, false},
		{"tu es un robot ?", ActBot, true},
		{"qui t'a programmé ?", ActBot, true},
		{"Bonjour, vous êtes une IA ?", ActBot, true},
		{"t'es un robot ou une vraie personne ?", ActHuman, false},
		{"je ne veux pas parler à un robot, passez-moi un conseiller", ActHuman, false},
		{"mon robot pâtissier ne s'allume plus", "", false},
		{"vous êtes un robot ? où est mon colis", ActBot, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			acts, only := Acts(tt.in)
			if tt.want == "" {
				if len(acts) != 0 {
					t.Errorf("Acts(%q) = %v, want none", tt.in, acts)
				}
				return
			}
			if len(acts) == 0 || acts[0] != tt.want {
				t.Errorf("Acts(%q) = %v, want %s first", tt.in, acts, tt.want)
			}
			if only != tt.wantOnly {
				t.Errorf("Acts(%q) only = %v, want %v", tt.in, only, tt.wantOnly)
			}
		})
	}
	if acts, _ := Acts("Merci, bonne journée !"); !slices.Contains(acts, ActThanks) {
		t.Errorf("thanks lost in %v", acts)
	}
	if acts, _ := Acts("t'es un robot ou une vraie personne ?"); !slices.Contains(acts, ActBot) {
		t.Errorf("the question about the bot lost in %v", acts)
	}
}
