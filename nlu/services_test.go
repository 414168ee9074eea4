package nlu

import (
	"slices"
	"testing"
)

// serviceDocs is a shop with an article for each service of the library's
// third file, next to the everyday articles they could be confused with.
var serviceDocs = []Doc{
	{ID: "entretien", Title: "Conseils d'entretien de vos articles", Questions: []string{"Comment laver mon pull ?", "Quelle température de lavage pour le coton ?"},
		Body: "Suivez l'étiquette cousue dans l'article. Lavez la laine à froid, à plat. Le lin se repasse humide. Le cuir se nourrit avec une crème adaptée."},
	{ID: "magasins", Title: "Nos magasins et leurs horaires", Questions: []string{"Où sont vos boutiques ?", "Le magasin est-il ouvert le dimanche ?"},
		Body: "Nos 12 magasins sont ouverts du lundi au samedi de 10 h à 19 h. Retrouvez leurs adresses sur la page Magasins."},
	{ID: "retouches", Title: "Ourlets et retouches", Questions: []string{"Faites-vous les ourlets ?", "Combien coûte une retouche ?"},
		Body: "Nos boutiques proposent ourlets et retouches : 8 € l'ourlet, prêt sous 5 jours. Un article retouché ne peut plus être retourné."},
	{ID: "montage", Title: "Montage et installation à domicile", Questions: []string{"Proposez-vous le montage des meubles ?", "L'installation du lave-linge est-elle comprise ?"},
		Body: "Ajoutez l'option montage au panier : un technicien monte le meuble ou installe et branche l'appareil le jour de la livraison."},
	{ID: "reconditionne", Title: "Nos produits reconditionnés", Questions: []string{"Que veut dire grade A ?", "Un reconditionné est-il garanti ?"},
		Body: "Chaque appareil reconditionné est testé, nettoyé et classé : grade A comme neuf, grade B légères traces, grade C traces visibles. Garantie 12 mois."},
	{ID: "extension", Title: "Extension de garantie et assurance casse", Questions: []string{"Que couvre l'extension de garantie ?", "Comment souscrire l'assurance casse ?"},
		Body: "L'extension prolonge de 3 ans la garantie légale. L'assurance casse couvre la chute et l'oxydation, avec une franchise de 30 €."},
	{ID: "reprise", Title: "Reprise de votre ancien appareil", Questions: []string{"Reprenez-vous mon ancien frigo ?", "Comment recycler mon vieux lave-linge ?"},
		Body: "À la livraison d'un gros électroménager, le livreur reprend gratuitement l'ancien appareil équivalent pour le recycler."},
	{ID: "parrainage", Title: "Parrainez vos proches", Questions: []string{"Comment parrainer quelqu'un ?", "Je n'ai pas reçu ma récompense de parrainage"},
		Body: "Partagez votre code parrain : votre filleul gagne 10 € sur sa première commande, vous 10 € dès son expédition."},
	{ID: "avis", Title: "Donner son avis sur un produit", Questions: []string{"Comment laisser un avis ?", "Mon avis n'est pas publié"},
		Body: "Après la livraison, un e-mail vous invite à noter vos produits. Les avis sont modérés sous 48 h."},
	{ID: "perso", Title: "Personnalisation et gravure", Questions: []string{"Puis-je faire graver un prénom ?", "Quel délai pour un article personnalisé ?"},
		Body: "La gravure est offerte jusqu'à 20 caractères. Un article personnalisé est fabriqué sous 5 jours et ne peut être ni repris ni échangé."},
	{ID: "express", Title: "Livraison express et créneaux", Questions: []string{"Livrez-vous le jour même ?", "Comment choisir un créneau de livraison ?"},
		Body: "Commandez avant 13 h pour être livré le jour même à Paris (9,90 €). Partout ailleurs, l'express livre le lendemain."},
	{ID: "substitution", Title: "Produits remplacés ou manquants dans vos courses", Questions: []string{"On m'a remplacé un produit", "Il manque un article dans mes courses"},
		Body: "Si un produit manque le jour de la préparation, nous le remplaçons par un équivalent si vous l'avez accepté. Refusez-le au livreur : il est remboursé."},
	{ID: "pro", Title: "Espace professionnels : devis et facturation", Questions: []string{"Comment ouvrir un compte pro ?", "Pouvez-vous me faire un devis ?"},
		Body: "Le compte pro donne les prix HT, le paiement à 30 jours et des devis sous 24 h. Renseignez votre SIRET et votre numéro de TVA."},

	{ID: "contact", Title: "Contacter le service client", Questions: []string{"Quel est votre numéro ?", "Comment vous joindre ?"},
		Body: "Notre service client répond au téléphone du lundi au vendredi de 9 h à 18 h, et par le formulaire de contact."},
	{ID: "delais", Title: "Délais et modes de livraison", Questions: []string{"Combien de temps pour être livré ?", "Quels modes de livraison proposez-vous ?"},
		Body: "Livraison standard en 3 à 5 jours ouvrés, en point relais ou à domicile."},
	{ID: "retour", Title: "Retourner un article", Questions: []string{"Comment retourner un article ?", "Je veux renvoyer ma commande"},
		Body: "Vous avez 30 jours pour retourner un article depuis votre compte, étiquette prépayée fournie."},
	{ID: "facture", Title: "Obtenir une facture", Questions: []string{"Où est ma facture ?", "Je voudrais une facture"},
		Body: "Vos factures se téléchargent depuis Mon compte > Mes commandes."},
	{ID: "fidelite", Title: "Programme de fidélité", Questions: []string{"Comment gagner des points ?", "Où voir mes points ?"},
		Body: "Chaque euro dépensé vous rapporte un point ; 100 points valent 5 €."},
	{ID: "manquant", Title: "Il manque un article dans mon colis", Questions: []string{"Un produit manque dans mon colis", "Colis incomplet"},
		Body: "Certaines commandes partent en plusieurs colis. Sinon, signalez-nous le produit manquant sous 48 h."},
	{ID: "defaut", Title: "Produit défectueux : la garantie", Questions: []string{"Mon appareil est en panne", "Mon article est défectueux"},
		Body: "La garantie légale de conformité couvre 2 ans : nous réparons ou remplaçons le produit défectueux."},
	{ID: "rdv", Title: "Livraison de gros colis sur rendez-vous", Questions: []string{"Comment fixer le rendez-vous de livraison ?", "Le livreur monte-t-il à l'étage ?"},
		Body: "Le transporteur vous appelle pour fixer un créneau. La livraison se fait dans la pièce de votre choix."},
}

// A shop that writes two examples for its alterations, refurbished or
// referral article gets the library's customer wordings for it, and only
// that article does: its care article does not answer the defect questions.
func TestServiceIntentsMapToTheirArticles(t *testing.T) {
	m := NewMatcher(serviceDocs, DefaultWeights)
	want := map[string]string{
		"entretien": "entretien", "magasins": "magasins", "retouches": "retouches", "montage": "montage-installation",
		"reconditionne": "reconditionne", "extension": "extension-garantie", "reprise": "reprise-ancien",
		"parrainage": "parrainage", "avis": "avis-client", "perso": "personnalisation", "express": "livraison-express",
		"substitution": "substitution", "pro": "professionnels",
		"contact": "contact", "delais": "delais-livraison", "retour": "retour", "facture": "facture", "fidelite": "fidelite", "manquant": "article-manquant",
		"defaut": "defectueux-garantie", "rdv": "livraison-rendez-vous",
	}
	for _, d := range serviceDocs {
		got := m.Intents(d.ID)
		w, ok := want[d.ID]
		switch {
		case ok && !slices.Equal(got, []string{w}):
			t.Errorf("%s is mapped to %v, want [%s]", d.ID, got, w)
		case !ok && slices.ContainsFunc(got, func(id string) bool { return slices.Contains([]string{"livraison-express", "magasins"}, id) }):
			t.Errorf("%s is mapped to %v, a service it does not answer", d.ID, got)
		}
	}
	// Customers' wordings the articles' examples do not have.
	for q, id := range map[string]string{
		"mon jean est trop long, vous pouvez me l'ourler ?":            "retouches",
		"le téléphone d'occasion a-t-il une batterie neuve ?":          "reconditionne",
		"quelqu'un peut venir assembler l'armoire chez moi ?":          "montage",
		"ils ont mis une autre marque de lait à la place de la mienne": "substitution",
	} {
		if r := m.Match(q, 3); len(r.Candidates) == 0 || r.Candidates[0].ID != id {
			t.Errorf("%q ranks %+v, want %s first", q, r.Candidates, id)
		}
	}
}
