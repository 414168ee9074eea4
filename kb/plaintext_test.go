package kb

import "testing"

func TestPlainText(t *testing.T) {
	k := mustOpenKB(t, "testdata/corpus")
	tests := []struct{ name, md, want string }{
		{"emphasis goes", "Allez dans **Mon compte > Mes commandes**, puis _Suivre_.", "Allez dans Mon compte > Mes commandes, puis Suivre."},
		{"links keep their address", "[Suivre mon colis](https://suivi.exemple.fr/123)", "Suivre mon colis (https://suivi.exemple.fr/123)"},
		{"paragraphs stay apart", "Un.\n\nDeux.", "Un.\n\nDeux."},
		{"bullets", "Au choix :\n\n- **carte**\n- virement", "Au choix :\n\n- carte\n- virement"},
		{"numbered", "1. Connectez-vous\n2. Cliquez", "1. Connectez-vous\n2. Cliquez"},
		{"raw HTML tags dropped", "Bonjour <b>toi</b>", "Bonjour toi"},
		{"table cells", "| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n1 | 2"},
		{"heading", "## Délais\nSous 48 h.", "Délais\n\nSous 48 h."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := k.PlainText(tt.md); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.md, got, tt.want)
			}
		})
	}
}
