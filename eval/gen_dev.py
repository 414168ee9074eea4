import json
# Development questions: used to choose thresholds. Never the held-out file.
D = [("mon colis n'est toujours pas arrivé", "suivi-colis"), ("suivi de ma commande", "suivi-colis"), ("je cherche à savoir où est mon paquet", "suivi-colis"),
("livraison très en retard", "retard-livraison"), ("le transporteur n'avance pas depuis 8 jours", "retard-livraison"),
("le site dit livré mais rien reçu", "colis-livre-non-recu"), ("colis disparu alors qu'il est noté livré", "colis-livre-non-recu"),
("assiettes cassées dans le colis", "colis-endommage"), ("emballage abîmé et produit rayé", "colis-endommage"),
("il manque une pièce de ma commande, un article absent", "article-manquant"), ("j'ai pas reçu tous mes articles", "article-manquant"),
("mauvais coloris reçu", "erreur-article"), ("vous avez envoyé un autre produit", "erreur-article"),
("changer adresse livraison", "modifier-adresse"), ("mauvaise adresse sur la commande", "modifier-adresse"),
("annulez ma commande", "annuler-commande"), ("je souhaite annuler", "annuler-commande"),
("ajouter un produit à une commande en cours", "modifier-commande"),
("confirmation de commande jamais reçue", "confirmation-commande"),
("commande livrée en deux fois", "commande-plusieurs-colis"),
("renvoyer un article qui ne convient pas", "retourner-article"), ("faire un retour produit", "retourner-article"),
("article personnalisé retour possible", "retour-non-retournable"),
("qui paie les frais de retour", "frais-retour"),
("j'attends mon remboursement depuis longtemps", "delai-remboursement"), ("remboursement en retard", "delai-remboursement"),
("remboursé sur ma carte bancaire ?", "mode-remboursement"),
("échange taille", "echange-article"), ("échanger contre une autre couleur", "echange-article"),
("produit en panne sous garantie", "garantie-legale"), ("l'appareil ne fonctionne pas", "garantie-legale"),
("notice de montage introuvable", "notice-produit"),
("paiement refusé par la banque", "paiement-refuse"), ("impossible de payer", "paiement-refuse"),
("moyens de paiement acceptés", "moyens-paiement"),
("paiement en trois fois", "paiement-plusieurs-fois"),
("débité deux fois", "double-debit"),
("facture de ma commande", "facture"),
("code promo invalide", "code-promo"),
("le prix a baissé", "baisse-prix"),
("mot de passe perdu", "mot-de-passe"),
("changer mon e-mail", "compte-informations"),
("suppression de mon compte", "donnees-personnelles"),
("désabonnement newsletter", "newsletter"),
("vendeur marketplace injoignable", "vendeur-partenaire"),
("retrait en boutique", "click-and-collect"),
("délai de garde en point relais", "point-relais"),
("prix de la livraison", "frais-livraison"),
("délai de livraison à domicile", "delais-livraison"),
("livraison au luxembourg", "livraison-etranger"),
("article en rupture de stock", "rupture-stock"),
("carte cadeau refusée", "carte-cadeau"),
("points de fidélité", "fidelite"),
("téléphone du service client", "nous-contacter"),
("sms frauduleux colis", "securite-paiement"),
("quelle taille choisir", "guide-tailles"),
("parrainer une amie", "parrainage"),
("colis retourné à l'expéditeur", "colis-retourne-expediteur"),
("commander sans compte", "passer-commande")]
OOS = ["quelle est la météo ce week-end", "recette du boeuf bourguignon", "score du match de rugby", "je veux acheter une maison", "comment faire un cv", "meilleur restaurant à Nantes", "horaires de la mairie", "comment nager le crawl", "prix du bitcoin", "conseils pour dormir", "quelle est la hauteur de la tour eiffel", "tu aimes la musique ?", "comment changer une ampoule de voiture", "je veux adopter un chien", "quel est ton nom", "location de voiture pas chère", "réserver un hôtel à Nice", "réparer une fuite d'eau", "je cherche un avocat", "cours de guitare en ligne", "comment faire du pain maison", "quand sont les vacances scolaires", "combien de calories dans une pomme", "horaires des trains pour Lille", "vous vendez des billets de concert ?"]
with open("dev.jsonl", "w") as f:
    for q, a in D:
        f.write(json.dumps({"q": q, "expect": a}, ensure_ascii=False) + "\n")
    for q in OOS:
        f.write(json.dumps({"q": q, "expect": None}, ensure_ascii=False) + "\n")
print(len(D), len(OOS))
