package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
)

// Questions returns n distinct questions a customer could type, the same
// for the same n: the sample articles' examples, the same with what
// customers add around a question (a greeting, some context, thanks) or
// typed fast (lower case, no accents, no question mark), and other
// phrasings about orders, deliveries, returns, refunds, payment and
// accounts, with the products of a home-goods shop. They are shuffled, so
// that any prefix mixes them all.
func Questions(n int) ([]string, error) {
	examples, err := Examples()
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(11, 5))
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	add := func(q string) {
		q = strings.Join(strings.Fields(q), " ")
		if q != "" && !seen[q] && len(out) < n {
			seen[q] = true
			out = append(out, q)
		}
	}
	for _, q := range examples {
		add(q)
	}
	for tries := 0; len(out) < n && tries < 50*n; tries++ {
		var q string
		if rng.IntN(2) == 0 {
			q = examples[rng.IntN(len(examples))]
		} else {
			q = phrasing(rng)
		}
		add(dress(rng, q))
	}
	if len(out) < n {
		return nil, fmt.Errorf("only %d distinct questions can be generated, %d asked", len(out), n)
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out, nil
}

// products are what a home-goods shop sells, with their article.
var products = []string{
	"le coussin", "le plaid", "la lampe", "le vase", "le tapis", "la bougie parfumée", "les assiettes",
	"la nappe", "les rideaux", "la chaise", "la table basse", "le miroir", "la housse de couette",
	"le service à thé", "les verres", "la carafe", "le panier en osier", "l'applique murale",
	"le fauteuil", "l'étagère", "le cadre photo", "la suspension", "le jeté de canapé",
	"les serviettes de bain", "le tabouret", "la théière", "les torchons", "le bougeoir",
	"la parure de lit", "le porte-manteau", "la corbeille à fruits", "le linge de table",
}

// phrasings are questions customers write in their own words; {p} is a
// product, {n} an order number, {d} a day.
var phrasings = []string{
	"Je n'ai toujours pas reçu {p}, c'est normal ?",
	"Où en est ma commande {n} ?",
	"Quand vais-je recevoir {p} ?",
	"{p} est arrivé cassé, qu'est-ce que je fais ?",
	"J'ai reçu {p} abîmé dans le colis",
	"Comment je renvoie {p} ?",
	"Je voudrais retourner {p}, il ne me plaît pas",
	"Est-ce que je peux échanger {p} contre un autre coloris ?",
	"Il manque {p} dans mon colis",
	"{p} n'est plus disponible, il revient quand ?",
	"Je me suis trompé de modèle pour {p}, je peux changer ?",
	"Le suivi de la commande {n} ne bouge plus depuis {d}",
	"Ma commande {n} devait arriver {d}, toujours rien",
	"Je voudrais annuler la commande {n}",
	"Je peux encore modifier ma commande {n} ?",
	"Le remboursement de {p} n'est toujours pas arrivé",
	"Vous m'avez débité deux fois pour la commande {n}",
	"J'ai besoin de la facture de la commande {n}",
	"Je peux payer {p} en plusieurs fois ?",
	"Ma carte est refusée quand je veux acheter {p}",
	"Le colis est marqué livré mais je n'ai rien reçu",
	"Le livreur est passé {d} mais personne ne m'a prévenu",
	"Combien coûte la livraison pour {p} ?",
	"Vous livrez en Belgique ?",
	"Est-ce que vous livrez en Suisse ou au Luxembourg ?",
	"Je veux changer l'adresse de livraison de la commande {n}",
	"Comment récupérer mon colis au point relais ?",
	"Mon code promo ne marche pas",
	"Le prix de {p} a baissé juste après mon achat, vous remboursez la différence ?",
	"Je n'arrive plus à me connecter à mon compte",
	"J'ai oublié mon mot de passe",
	"Comment supprimer mes données personnelles ?",
	"Je ne veux plus recevoir la newsletter",
	"{p} a un défaut au bout de deux mois, c'est sous garantie ?",
	"Où trouver la notice de {p} ?",
	"Quelles sont les dimensions de {p} ?",
	"Les frais de retour de {p} sont à ma charge ?",
	"Je peux retirer ma commande en magasin ?",
	"Ma commande {n} est arrivée en deux colis, il en manque un",
	"Je n'ai pas reçu le mail de confirmation de la commande {n}",
	"Comment utiliser ma carte cadeau ?",
	"Mon colis est reparti chez vous, que se passe-t-il ?",
	"On m'a envoyé {p} à la place de ce que j'avais commandé",
	"{p} vendu par un partenaire, à qui je m'adresse ?",
	"Je peux parler à quelqu'un ?",
	"Comment vous joindre par téléphone ?",
	"Combien de temps pour être remboursé de {p} ?",
	"Mes points de fidélité n'apparaissent pas",
	"Comment parrainer une amie ?",
	"C'est sécurisé de payer par carte chez vous ?",
}

var (
	days = []string{"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "hier", "avant-hier",
		"la semaine dernière", "le 24 novembre", "le 1er décembre", "ce matin"}
	greetings = []string{"Bonjour, ", "Bonjour ", "Bonsoir, ", "Salut, ", "Bonjour madame, ", "Hello, ",
		"Excusez-moi, ", "Bonjour, j'ai une question : ", "Re bonjour, "}
	contexts = []string{"j'ai commandé la semaine dernière et ", "j'ai passé commande hier, ",
		"c'est pour un cadeau, ", "c'est la deuxième fois que je demande, ", "petite question : ",
		"je suis cliente depuis longtemps et ", "pour ma commande de samedi, ", "au sujet de mon achat, "}
	thanks = []string{" merci", " merci d'avance", " svp", " s'il vous plaît", " Merci beaucoup !",
		" Cordialement", " merci de votre aide", " c'est urgent", " ?", " !!"}
	unaccent = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ç", "c",
		"î", "i", "ï", "i", "ô", "o", "ù", "u", "û", "u", "É", "E", "À", "A", "’", "'")
)

// phrasing fills one of the phrasings.
func phrasing(rng *rand.Rand) string {
	q := phrasings[rng.IntN(len(phrasings))]
	p := products[rng.IntN(len(products))]
	if strings.HasPrefix(q, "{p}") {
		p = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.NewReplacer("{p}", p, "{n}", fmt.Sprint(4_000_000+rng.IntN(999_999)), "{d}", days[rng.IntN(len(days))]).Replace(q)
}

// dress says a question the way customers type it: maybe with a greeting
// or some context before it, thanks after it, in lower case, without
// accents or without its question mark.
func dress(rng *rand.Rand, q string) string {
	if rng.IntN(3) == 0 {
		q = contexts[rng.IntN(len(contexts))] + lowerFirst(q)
	}
	if rng.IntN(2) == 0 {
		g := greetings[rng.IntN(len(greetings))]
		if strings.HasSuffix(g, ", ") || strings.HasSuffix(g, ": ") {
			q = lowerFirst(q)
		}
		q = g + q
	}
	if rng.IntN(3) == 0 {
		q = strings.TrimRight(q, " ?") + thanks[rng.IntN(len(thanks))]
	}
	switch rng.IntN(6) {
	case 0:
		q = strings.ToLower(q)
	case 1:
		q = unaccent.Replace(q)
	case 2:
		q = strings.TrimRight(q, " ?")
	}
	return q
}

// lowerFirst lowers the first letter, unless the first word is an acronym
// or a name.
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) < 2 || unicode.IsUpper(r[1]) {
		return s
	}
	r[0] = unicode.ToLower(r[0])
	return string(r)
}
