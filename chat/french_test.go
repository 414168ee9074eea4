package chat

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/content"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/orders"
)

func TestFrenchWhen(t *testing.T) {
	paris := paris()
	tests := []struct{ name, got, want string }{
		{"the first of the month", frenchDate(time.Date(2026, 12, 1, 10, 0, 0, 0, paris)), "1er décembre 2026"},
		{"another day", frenchDate(time.Date(2026, 12, 3, 10, 0, 0, 0, paris)), "3 décembre 2026"},
		{"today elides", fromWhen("aujourd’hui à 14 h"), "à partir d’aujourd’hui à 14 h"},
		{"tomorrow", fromWhen("demain à 9 h"), "à partir de demain à 9 h"},
		{"a date contracts", fromWhen("le 1er décembre 2026 à 9 h"), "à partir du 1er décembre 2026 à 9 h"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestAngryOrderQuestion: an angry customer whose answer depends on the
// order hears the apology before the question about the order.
func TestAngryOrderQuestion(t *testing.T) {
	k, err := kb.Open(kb.Options{Content: content.FS, IndexPath: filepath.Join(t.TempDir(), "i"), Statuses: orders.Codes()})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	b := New(k, nil, Options{Orders: fixedSource{orders.Order{Number: "4581237", Status: orders.StatusShipped}}, Now: monday10})
	r, err := b.Decide(context.Background(), &Conversation{}, Message{Text: "c'est inadmissible, toujours pas reçu ma commande !!!"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != OutcomeAskOrder || !strings.HasPrefix(r.Text, msgEmpathy) || !strings.Contains(r.Text, "numéro de commande") {
		t.Errorf("reply: %s %q", r.Outcome, r.Text)
	}
}
