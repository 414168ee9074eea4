package nlu

import (
	"slices"
	"strings"
)

// retailers are other French and international shops and marketplaces,
// folded. A customer who names one the knowledge base never mentions is
// most likely asking about a purchase made there (« je veux retourner un
// pull acheté chez Zara »), which no article of this shop can answer.
var retailers = setOf(
	"amazon", "cdiscount", "fnac", "darty", "boulanger", "leboncoin", "vinted",
	"shein", "temu", "aliexpress", "alibaba", "wish", "ebay", "rakuten", "etsy",
	"zalando", "asos", "zara", "bershka", "mango", "primark", "kiabi", "uniqlo",
	"decathlon", "ikea", "conforama", "castorama", "bricomarche",
	"carrefour", "leclerc", "auchan", "intermarche", "lidl", "aldi", "monoprix",
	"franprix", "sephora", "nocibe", "marionnaud", "veepee",
	"showroomprive", "laredoute", "bhv", "samsung", "backmarket", "ldlc", "manomano",
	"jules", "celio", "promod", "camaieu", "etam", "undiz", "sezane", "zadig",
	"sandro", "maje", "nike", "adidas", "deliveroo", "ubereats",
	"netflix", "spotify", "airbnb", "sncf", "ouigo", "blablacar",
)

// retailerPairs are names of two or three words whose words alone are
// too common (« but », « vente », « maisons »).
var retailerPairs = map[string]string{
	"leroy merlin": "Leroy Merlin", "la redoute": "La Redoute", "vente privee": "Vente Privée",
	"back market": "Back Market", "galeries lafayette": "Galeries Lafayette", "yves rocher": "Yves Rocher",
	"materiel net": "Materiel.net", "uber eats": "Uber Eats",
}

// ours are words with which a customer who names another shop says the
// question is about this one: « je fais du 38 chez Zara, je prends quoi
// chez vous ? », « c'est moins cher sur Amazon, vous vous alignez sur
// votre site ? ».
var ours = []string{"chez vous", "chez toi", "votre site", "votre boutique", "votre magasin",
	"vos magasins", "vos boutiques", "votre marque", "vos produits", "votre enseigne"}

// elsewhere returns the other shop the text names, as typed, when the
// knowledge base never mentions it (knows reports the words it has) and
// the text does not also speak of this shop (ours).
func elsewhere(text string, knows func(string) bool) string {
	words := splitWords(text)
	for i := 0; i+1 < len(words); i++ {
		if slices.Contains(ours, words[i].text+" "+words[i+1].text) {
			return ""
		}
	}
	for i, w := range words {
		if i+1 < len(words) {
			pair := w.text + " " + words[i+1].text
			if name, ok := retailerPairs[pair]; ok && !knows(w.text) && !knows(words[i+1].text) {
				return name
			}
		}
		if !retailers[w.text] || knows(w.text) {
			continue
		}
		typed := text[w.start:w.end]
		return strings.ToUpper(typed[:1]) + typed[1:]
	}
	return ""
}
