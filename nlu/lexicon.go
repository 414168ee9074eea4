package nlu

// This file holds the immutable word tables of the French pipeline. All keys
// are folded (lowercase, no accents).

// smsWords maps SMS spellings and abbreviations customers type to the words
// they stand for. An empty list means the word carries no meaning for
// matching (politeness, pronouns glued to verbs).
var smsWords = map[string][]string{
	// glued pronouns and auxiliaries
	"jai": nil, "g": nil, "jsuis": nil, "chui": nil, "chuis": nil, "jsui": nil,
	"cest": nil, "c": nil, "ct": nil, "sa": nil, "ya": nil,
	"ai": nil, "jme": nil, "jte": nil, "ke": nil, "k": nil, "ki": nil, "koi": nil,
	"vs": nil, "ns": nil, "tt": nil, "tte": nil, "ts": nil, "ds": nil, "pr": nil,
	"dc": nil, "ac": nil, "avc": nil, "o": nil, "qqn": {"quelqu", "un"},
	"svp": nil, "stp": nil, "plz": nil, "pls": nil, "sil": nil, "mrc": nil, "mci": nil,
	"merki": nil, "thx": nil, "cdt": nil, "cdlt": nil, "bjr": nil, "bjour": nil,
	"bonjr": nil, "bsr": nil, "slt": nil, "cc": nil, "dsl": nil,
	// content words
	"tjrs": {"toujours"}, "tjs": {"toujours"}, "tjr": {"toujours"}, "toujour": {"toujours"},
	"pb": {"probleme"}, "pbm": {"probleme"}, "pblm": {"probleme"}, "prob": {"probleme"},
	"cmd": {"commande"}, "cde": {"commande"}, "cmde": {"commande"}, "comde": {"commande"},
	"rbt": {"remboursement"}, "rmbt": {"remboursement"}, "rembt": {"remboursement"},
	"remb": {"remboursement"}, "rembourst": {"remboursement"},
	"qd": {"quand"}, "kan": {"quand"}, "qand": {"quand"}, "quan": {"quand"},
	"bcp": {"beaucoup"}, "pk": {"pourquoi"}, "pq": {"pourquoi"}, "pkoi": {"pourquoi"},
	"pourkoi": {"pourquoi"}, "mdp": {"mot", "passe"}, "pwd": {"mot", "passe"},
	"password": {"mot", "passe"}, "tel": {"telephone"}, "tél": {"telephone"},
	"num": {"numero"}, "msg": {"message"}, "mail": {"mail"}, "email": {"mail"},
	"courriel": {"mail"}, "info": {"information"}, "infos": {"informations"},
	"auj": {"aujourdhui"}, "ajd": {"aujourdhui"}, "aujd": {"aujourdhui"},
	"mtn": {"maintenant"}, "mnt": {"maintenant"}, "dmd": {"demande"},
	"cb": {"carte", "bancaire"}, "sav": {"service", "apres", "vente"},
	"rdv": {"rendez", "vous"}, "veu": {"veux"}, "vx": {"veux"}, "vlx": {"veux"},
	"px": {"peux"}, "jpx": {"peux"}, "nn": {"non"}, "ui": {"oui"}, "ouai": {"oui"},
	"ouais": {"oui"}, "dac": {"accord"}, "dak": {"accord"}, "daccord": {"accord"},
	"okay": {"ok"}, "oki": {"ok"}, "coli": {"colis"}, "livr": {"livraison"},
	"3x": {"plusieurs", "fois"}, "4x": {"plusieurs", "fois"}, "10x": {"plusieurs", "fois"},
	"pcq": {"parce"}, "psk": {"parce"}, "pck": {"parce"},
	"jamai": {"jamais"}, "tjours": {"toujours"}, "encor": {"encore"},
}

// stopWords are folded words that carry no topic: articles, pronouns,
// auxiliaries, prepositions, politeness. Negation ("pas", "jamais"), time
// ("toujours", "encore", "depuis") and question words that change the topic
// ("combien", "quand", "pourquoi") are kept on purpose.
var stopWords = setOf(
	// articles and determiners
	"le", "la", "les", "un", "une", "des", "du", "de", "au", "aux", "ce", "cet",
	"cette", "ces", "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses",
	"notre", "nos", "votre", "vos", "leur", "leurs", "quelque", "quelques",
	// pronouns
	"je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "me", "te",
	"se", "moi", "toi", "lui", "eux", "y", "en", "ca", "cela", "ceci", "celui",
	"celle", "ceux", "celles", "qui", "que", "quoi", "dont", "lequel", "laquelle",
	"quel", "quelle", "quels", "quelles", "mien",
	// auxiliaries and very common verb forms
	"suis", "es", "est", "sommes", "etes", "sont", "etais", "etait", "etaient",
	"etre", "ete", "serai", "sera", "serait", "seront", "serais", "serions",
	"seriez", "seraient", "etions", "etiez", "soyons", "soyez", "soient",
	"aurions", "auriez", "auraient", "ai", "as", "a", "avons",
	"avez", "ont", "avais", "avait", "avaient", "avoir", "aurai", "aura", "aurais",
	"aurait", "eu", "fut", "soit", "sois",
	// prepositions and conjunctions
	"et", "ou", "mais", "donc", "or", "ni", "car", "dans", "par", "pour", "sur",
	"sous", "avec", "chez", "vers", "entre", "comme", "si", "lorsque",
	"puis", "alors", "aussi", "tres", "bien", "ainsi", "afin", "ne", "n",
	"selon", "malgre", "parmi", "envers",
	"est-ce", "ici", "voici", "voila", "deja", "meme",
	// elided particles left alone after an apostrophe
	"l", "d", "j", "m", "t", "s", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
	// politeness and address: never a topic
	"bonjour", "bonsoir", "salut", "merci", "cordialement", "madame", "monsieur",
	"mme", "mr", "mlle", "svp", "plait", "coucou", "hello", "bonne", "journee",
	"soiree", "please", "sinon",
	// fillers of spoken French
	"euh", "bah", "ben", "hein", "bref", "voila", "enfin", "vraiment", "svp",
	"comment", "faire", "fait", "faut", "veux", "voudrais", "souhaite",
	"souhaiterais", "aimerais", "peux", "pouvez", "puis", "peut", "possible",
	"fera", "ferait", "ferai", "ferais", "ferons", "ferez", "feront", "faites",
	"savoir", "besoin", "dois", "doit", "avoir", "etre",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// phrases are two-word expressions (a « de » between them is skipped) read
// as one word: « quel temps » asks
// for the weather, never for a duration (« combien de temps »); « en moins »
// is something missing. Keys are folded words separated by a space.
var phrases = map[string]string{
	"quel temps": "meteo", "kel temps": "meteo",
	"en moins":      "manque",
	"combien temps": "delai", // « combien de temps », « de » skipped
	"trop petit":    "taille", "trop petite": "taille", "trop petits": "taille", "trop petites": "taille",
	"trop grand": "taille", "trop grande": "taille", "trop grands": "taille", "trop grandes": "taille",
	"trop court": "taille", "trop courte": "taille", "trop large": "taille", "trop serre": "taille",
	// « conseiller » after an object pronoun is the verb, « recommander »,
	// not the person customers ask to speak to (« un conseiller »).
	"me conseiller": "recommander", "me conseillez": "recommander", "me conseilles": "recommander",
	"me conseille": "recommander", "nous conseiller": "recommander", "nous conseillez": "recommander",
	"lui conseiller": "recommander", "te conseiller": "recommander",
}

// synonyms maps words customers use to the word editors usually write, so
// that both meet on one term: "paquet" and "colis", "prélevé" and
// "débité", "cassé" and "abîmé". Keys and values are folded; values go
// through the stemmer like any word. General French customer-service
// vocabulary only: nothing here names a knowledge base's articles.
var synonyms = map[string]string{
	// parcels and carriers
	"paquet": "colis", "paquets": "colis", "carton": "colis", "cartons": "colis",
	"colissimo": "transporteur", "chronopost": "transporteur", "ups": "transporteur",
	"dpd": "transporteur", "gls": "transporteur", "dhl": "transporteur", "fedex": "transporteur",
	"livreur": "transporteur", "livreurs": "transporteur", "facteur": "transporteur",
	"relay": "relais", "locker": "relais", "consigne": "relais",
	"boutique": "magasin", "boutiques": "magasin", "enseigne": "magasin",
	"envoi": "livraison", "envois": "livraison", "port": "livraison",
	// damage
	"casse": "abime", "cassee": "abime", "cassees": "abime", "casses": "abime",
	"brise": "abime", "brisee": "abime", "brisees": "abime", "brises": "abime",
	"endommage": "abime", "endommagee": "abime", "endommagees": "abime", "endommages": "abime",
	"fele": "abime", "felee": "abime", "ebreche": "abime", "ebrechee": "abime",
	"ecrase": "abime", "ecrasee": "abime", "raye": "abime", "rayee": "abime",
	"abimee": "abime", "abimees": "abime", "abimes": "abime", "detruit": "abime",
	"morceaux": "abime", "miettes": "abime", "fendu": "abime", "fendue": "abime",
	"fissure": "abime", "fissuree": "abime", "tordu": "abime", "tordue": "abime", "bosse": "abime",
	// working or not
	"marche": "fonctionne", "marchent": "fonctionne", "fonctionnent": "fonctionne",
	"panne": "defectueux", "defaut": "defectueux", "defectueuse": "defectueux",
	// money
	"preleve": "debite", "prelevee": "debite", "prelevement": "debite", "prelevements": "debite",
	"debit": "debite", "debitee": "debite", "fric": "argent", "thune": "argent",
	"pognon": "argent", "tarif": "prix", "tarifs": "prix",
	"cout": "prix", "coute": "prix", "coutent": "prix", "coutera": "prix",
	"offert": "gratuit", "offerte": "gratuit", "offerts": "gratuit", "gratuite": "gratuit",
	"promo": "reduction", "promotion": "reduction", "coupon": "reduction", "remise": "reduction",
	"reduc": "reduction", "cagnotte": "points",
	// contact
	"joindre": "contacter", "appeler": "contacter", "telephoner": "contacter",
	"ecrire": "contacter", "injoignable": "contacter", "courriel": "mail", "mel": "mail",
	// account
	"desinscrire": "desabonner", "desinscription": "desabonner", "desabonnement": "desabonner",
	"inscrire": "abonner", "inscription": "abonner", "effacer": "supprimer",
	"suppression": "supprimer", "login": "connexion", "connecter": "connexion",
	"identifiant": "connexion", "identifiants": "connexion",
	// stock and sizes
	"dispo": "disponible", "epuise": "rupture", "epuisee": "rupture", "pointure": "taille",
	"fringue": "vetement", "fringues": "vetement", "habits": "vetement",
	// returns and refunds
	"rapporter": "retourner", "recredite": "rembourse", "recreditee": "rembourse",
	"recrediter": "rembourse", "credite": "rembourse", "creditee": "rembourse",
	// size, advertising, trust
	"dimension": "taille", "dimensions": "taille",
	"promotionnel": "publicite", "promotionnels": "publicite", "promotionnelle": "publicite",
	"promotionnelles": "publicite", "publicitaire": "publicite", "publicitaires": "publicite",
	"pub": "publicite", "pubs": "publicite", "fiable": "securise", "fiables": "securise",
	"trois": "plusieurs", "quatre": "plusieurs", // « en trois fois » like « 3x »
	// one verb, two spellings
	"paye": "paie", "payes": "paie", "payent": "paie", "paient": "paie",
}
