package nlu

import (
	"math"
	"testing"
)

// The inverted indexes score every unit exactly as its dot product with
// the question, to the last bit, in a built matcher and in an updated one:
// ranking through them ranks as before.
func TestUnitIndexScoresAsDot(t *testing.T) {
	built := NewMatcher(shopDocs, DefaultWeights)
	changed := Doc{ID: "retour", Title: "Renvoyer un article", Questions: []string{"Comment faire un retour ?", "Où imprimer l'étiquette de retour ?"},
		Body: "Imprimez l'étiquette depuis votre espace client. Déposez le colis en point relais sous 30 jours."}
	added := Doc{ID: "cadeau", Title: "Offrir une carte cadeau", Questions: []string{"Comment offrir une carte cadeau ?"}, FixedIntents: true, Intents: []string{built.lib[0].ID}}
	updated := built.Update([]Doc{changed, added}, []string{"paiement-refuse"})
	questions := []string{"jai tjrs pas recu ma comande", "mdp oublie", "je veux renvoyer mon colis en point relais",
		"ma carte cadeau est refusée", "quelle est la météo à Lyon demain", "étiquette de retour perdue"}
	for name, m := range map[string]*Matcher{"built": built, "updated": updated} {
		if len(m.docIdx) != len(m.docUnits) || len(m.intentIdx) != len(m.intentUnits) {
			t.Fatalf("%s: %d article indexes for %d articles, %d intent indexes for %d intents", name, len(m.docIdx), len(m.docUnits), len(m.intentIdx), len(m.intentUnits))
		}
		phrasings := 0
		for _, us := range m.intentUnits {
			phrasings += len(us)
		}
		if phrasings == 0 {
			t.Fatalf("%s: no intent mapped, the intents' indexes go untested", name)
		}
		sc := m.pool.Get().(*scratch)
		for _, q := range questions {
			v := m.vector(features(Analyze(q)))
			for i, id := range v.ids {
				sc.dense[id] = float32(v.w[i])
				sc.bits[id>>6] |= 1 << (id & 63)
			}
			check := func(what string, x *unitIndex, us []int32) {
				acc := sc.grow(len(us))
				x.score(acc, m.units, us, sc.bits, sc.dense)
				for i, u := range us {
					if want := m.unitVec(int(u)).dot(sc.dense); math.Float32bits(acc[i]) != math.Float32bits(want) {
						t.Errorf("%s, %q, %s unit %d: index %v, dot %v", name, q, what, u, acc[i], want)
					}
				}
			}
			for d, us := range m.docUnits {
				check("article "+m.docs[d].ID, &m.docIdx[d], us)
				if a, b := m.models[d].dotIn(sc.bits, sc.dense), m.models[d].dot(sc.dense); math.Float32bits(a) != math.Float32bits(b) {
					t.Errorf("%s, %q, model of %s: %v, dot %v", name, q, m.docs[d].ID, a, b)
				}
			}
			for in, us := range m.intentUnits {
				check("intent "+m.lib[in].ID, &m.intentIdx[in], us)
			}
			for _, id := range v.ids {
				sc.dense[id], sc.bits[id>>6] = 0, 0
			}
		}
	}
}
