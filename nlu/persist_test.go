package nlu

import (
	"bytes"
	"reflect"
	"testing"
)

// A matcher read back ranks exactly as the one written: a small shop's,
// and one large enough to weigh its evidence again (see rerank).
func TestMatcherReadsBackIdentical(t *testing.T) {
	t.Run("small", func(t *testing.T) { readsBackIdentical(t, shopDocs) })
	t.Run("reweighed", func(t *testing.T) {
		var docs []Doc
		for _, in := range Library() {
			docs = append(docs, Doc{ID: in.ID, Title: in.Label, Questions: in.Phrasings[:4]})
		}
		if m := NewMatcher(docs, DefaultWeights); m.rerank == (rerank{}) {
			t.Fatal("the evidence is not reweighed: the test would not check it is saved")
		}
		readsBackIdentical(t, docs)
	})
}

func readsBackIdentical(t *testing.T, docs []Doc) {
	m := NewMatcher(docs, DefaultWeights)
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMatcher(bytes.NewReader(buf.Bytes()), docs, DefaultWeights)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"jai tjrs pas recu ma comande", "mdp oublie", "toujours pas de rembourssement",
		"quelle est la météo à Lyon demain", "un pull acheté chez Zara", "ma carte est refusée et je veux un remboursement",
		"le colis est arrivé abîmé, je veux être remboursé", "je voudrais changer de taille"} {
		if a, b := got.Match(q, 5), m.Match(q, 5); !reflect.DeepEqual(a, b) {
			t.Errorf("Match(%q) read back = %+v, built = %+v", q, a, b)
		}
	}
	if a, b := got.Health(), m.Health(); !reflect.DeepEqual(a, b) {
		t.Errorf("Health read back = %+v, built = %+v", a, b)
	}
	if c, _ := got.Correct("ma comande"); c != "ma commande" {
		t.Errorf("Correct read back = %q", c)
	}
}

// What was written for other articles, other weights, or was cut short is
// refused, never served.
func TestReadMatcherRefusesWhatDoesNotFit(t *testing.T) {
	m := NewMatcher(shopDocs, DefaultWeights)
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	other := DefaultWeights
	other.Next = 0.4
	tests := []struct {
		name string
		data []byte
		docs []Doc
		w    Weights
	}{
		{"other weights", data, shopDocs, other},
		{"fewer articles", data, shopDocs[1:], DefaultWeights},
		{"other article", data, append([]Doc{{ID: "autre"}}, shopDocs[1:]...), DefaultWeights},
		{"cut short", data[:len(data)/2], shopDocs, DefaultWeights},
		{"empty", nil, shopDocs, DefaultWeights},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ReadMatcher(bytes.NewReader(tt.data), tt.docs, tt.w); err == nil {
				t.Error("read without error")
			}
		})
	}
	// An updated matcher is on its way to a rebuild: never saved.
	up := m.Update([]Doc{{ID: "cadeau", Title: "Carte cadeau"}}, nil)
	if _, err := up.WriteTo(&bytes.Buffer{}); err == nil {
		t.Error("updated matcher written")
	}
}
