package nlu

import (
	"slices"
	"strings"
	"unicode"
)

// Act is a conversational act: what a message does rather than what it asks.
type Act string

// The acts Acts recognises.
const (
	ActGreeting    Act = "greeting"
	ActThanks      Act = "thanks"
	ActGoodbye     Act = "goodbye"
	ActHuman       Act = "human"
	ActFrustration Act = "frustration"
	ActBot         Act = "bot" // asks whether it talks to a machine
	ActYes         Act = "yes"
	ActNo          Act = "no"
)

// actPhrases lists folded phrases per act. A phrase matches on word
// boundaries anywhere in the folded message.
var actPhrases = map[Act][]string{
	ActGreeting: {"bonjour", "bonsoir", "salut", "coucou", "hello", "hey", "bjr",
		"slt", "bsr", "cc", "yo", "hi", "re bonjour", "rebonjour", "bonjours", "bjour",
		"ca va", "comment ca va", "comment allez vous", "vous allez bien", "tu vas bien"},
	ActThanks: {"merci", "mrc", "mci", "merki", "thx", "thanks", "je vous remercie",
		"remercie", "c est gentil", "super merci", "parfait merci", "top merci", "nickel"},
	ActGoodbye: {"au revoir", "aurevoir", "a bientot", "bonne journee", "bonne soiree",
		"bonne fin de journee", "bye", "a plus", "a+", "ciao", "salut a vous", "adieu",
		"bon week end", "bonne nuit"},
	// « conseiller » alone is also a verb (« vous pouvez me conseiller un
	// cordonnier ? »): the person is asked for with an article, or alone
	// (humanAlone).
	ActHuman: {"un conseiller", "une conseillere", "le conseiller", "la conseillere",
		"des conseillers", "conseiller humain", "conseillere humaine", "conseiller clientele",
		"un humain", "humain svp", "une vraie personne",
		"un vrai humain", "une personne", "quelqu un", "qqn", "un agent", "operateur",
		"operatrice", "service client au telephone", "parler a", "joindre le service client",
		"etre rappele", "rappelez moi", "appeler le service client", "un responsable",
		"vous appeler", "un interlocuteur", "parler avec", "agent humain", "un employe"},
	ActFrustration: {"nul", "nulle", "nuls", "debile", "con", "connard", "connards",
		"merde", "putain", "ptn", "bordel", "arnaque", "arnaqueur", "arnaqueurs",
		"voleur", "voleurs", "escroc", "escrocs", "honteux", "honte", "scandaleux",
		"scandale", "inadmissible", "inacceptable", "ras le bol", "marre",
		"j en ai marre", "foutez", "foutre", "incompetent", "incompetents", "minable",
		"lamentable", "pitoyable", "inutile", "ca sert a rien", "sert a rien",
		"n importe quoi", "ridicule", "degoute", "degoutee", "enerve", "enervee",
		"furieux", "furieuse", "pas normal", "c est abuse", "abuse",
		"je vais porter plainte", "porter plainte", "60 millions", "ufc que choisir",
		"la pire", "le pire", "jamais plus", "plus jamais", "stupide", "idiot"},
	// Only questions put to the assistant itself: « un robot » alone is a
	// kitchen robot, « parler à un robot » a complaint (« je ne veux pas
	// parler à un robot »), which the person asked for settles.
	ActBot: {"tu es un robot", "t es un robot", "vous etes un robot", "es tu un robot",
		"etes vous un robot", "c est un robot", "je parle a un robot", "je parle a une machine",
		"tu es un bot", "t es un bot", "vous etes un bot", "es tu un bot", "etes vous un bot",
		"c est un bot", "tu es un chatbot", "vous etes un chatbot", "c est un chatbot",
		"tu es une ia", "t es une ia", "vous etes une ia", "es tu une ia", "etes vous une ia",
		"c est une ia", "tu es une intelligence artificielle", "vous etes une intelligence artificielle",
		"tu es une machine", "vous etes une machine", "es tu une machine",
		"tu es humain", "t es humain", "vous etes humain", "es tu humain", "etes vous humain",
		"tu es un humain", "vous etes un humain", "es tu un humain", "etes vous un humain",
		"tu es une vraie personne", "vous etes une vraie personne", "es tu une vraie personne",
		"etes vous une vraie personne", "qui t a programme", "qui vous a programme",
		"qui t a cree", "qui es tu", "tu es qui", "t es qui", "tu t appelles comment",
		"comment tu t appelles", "are you a bot", "are you a robot", "are you human", "chatgpt"},
	ActYes: {"oui", "ouais", "ouai", "ui", "yes", "ok", "okay", "oki", "d accord",
		"daccord", "dac", "exactement", "tout a fait", "absolument", "oui merci",
		"c est ca", "voila", "bien sur", "affirmatif", "parfait", "oui oui", "yep",
		"certainement", "volontiers", "ca m a aide", "c est bon"},
	ActNo: {"non", "nan", "nope", "no", "pas du tout", "non merci", "absolument pas",
		"pas vraiment", "non pas du tout", "negatif", "ca ne m a pas aide",
		"ca m a pas aide", "toujours pas", "pas ca", "c est pas ca", "ce n est pas ca"},
}

// humanAlone are words that ask for a person when the message is nothing
// else: « conseiller ? », « humain ».
var humanAlone = setOf("conseiller", "conseillere", "humain", "agent", "operateur", "operatrice")

// explicitYes are the words that make a yes a yes even beside a thanks:
// « parfait, merci » thanks, « oui merci » agrees.
var explicitYes = setOf("oui", "ouais", "ouai", "ui", "yes", "d accord", "daccord", "dac", "ok", "okay", "oki", "yep")

// actFillers are words that may fill a message made only of acts without
// turning it into a question: "oui merci beaucoup", "ok super, bonne journée".
var actFillers = setOf("beaucoup", "bcp", "super", "top", "genial", "parfait",
	"tres", "bien", "encore", "a", "vous", "toi", "tout", "le", "monde", "madame",
	"monsieur", "et", "ok", "alors", "bon", "donc", "du", "de", "la", "les", "pour",
	"votre", "ton", "aide", "reponse", "c", "est", "ca", "je", "j", "en", "ai",
	"infiniment", "mille", "fois", "vraiment", "je", "veux", "voudrais", "aimerais",
	"souhaite", "souhaiterais", "parler", "avec", "un", "une", "svp", "stp",
	"plait", "il", "s", "merci", "hello", "re", "passez", "passer", "mettez",
	"mettre", "relation", "moi", "me", "etes", "es", "sont", "trop", "si",
	"tellement", "site", "service", "vos", "avoir", "avez", "pouvez", "peux",
	"puis", "parle", "parlez", "quand", "meme", "completement", "totalement",
	"client", "clients", "clientele")

// Acts returns the conversational acts of text, strongest first, and whether
// the message is nothing but those acts (no question left to answer).
// Frustration is also read from shouting: several "!" or a long message in
// capitals.
func Acts(text string) (acts []Act, only bool) {
	f := " " + strings.Join(strings.FieldsFunc(Fold(text), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '+')
	}), " ") + " "
	covered := make([]bool, len(f))
	order := []Act{ActHuman, ActFrustration, ActBot, ActNo, ActYes, ActGoodbye, ActThanks, ActGreeting}
	for _, a := range order {
		hit := false
		for _, p := range actPhrases[a] {
			needle := " " + p + " "
			for i := 0; ; {
				j := strings.Index(f[i:], needle)
				if j < 0 {
					break
				}
				j += i
				hit = true
				for k := j + 1; k < j+len(needle)-1; k++ {
					covered[k] = true
				}
				i = j + 1
			}
		}
		if hit {
			acts = append(acts, a)
		}
	}
	if len(acts) == 0 {
		if w := strings.Fields(f); len(w) > 0 && len(w) <= 3 && slices.ContainsFunc(w, func(x string) bool { return humanAlone[x] }) &&
			!slices.ContainsFunc(w, func(x string) bool { return !humanAlone[x] && !actFillers[x] }) {
			acts = []Act{ActHuman}
			for i := range covered {
				covered[i] = true
			}
		}
	}
	if i, j := slices.Index(acts, ActYes), slices.Index(acts, ActThanks); i >= 0 && j > i && !hasAny(f, explicitYes) {
		acts[i], acts[j] = acts[j], acts[i] // « parfait, merci » thanks
	}
	if !slices.Contains(acts, ActFrustration) && shouting(text) {
		acts = append([]Act{ActFrustration}, acts...)
		if len(acts) > 1 && acts[1] == ActHuman {
			acts[0], acts[1] = acts[1], acts[0]
		}
	}
	// Whatever is not covered by an act phrase or a filler is a question.
	only = len(acts) > 0
	var rest []string
	for _, w := range strings.Fields(maskCovered(f, covered)) {
		if !actFillers[w] {
			only = false
			rest = append(rest, w)
		}
	}
	// An outburst with a word or two of topic and no question is still an
	// outburst: « service client de merde », « ras le bol de cette
	// boutique », « plus jamais je commande chez vous ». A report
	// (« c'est inadmissible, mon colis est arrivé cassé ») says more.
	if !only && slices.Contains(acts, ActFrustration) && !strings.Contains(text, "?") && len(Terms(strings.Join(rest, " "))) <= 1 {
		only = true
	}
	return acts, only
}

// hasAny tells whether the padded folded text f holds one of the phrases.
func hasAny(f string, phrases map[string]bool) bool {
	for p := range phrases {
		if strings.Contains(f, " "+p+" ") {
			return true
		}
	}
	return false
}

func maskCovered(f string, covered []bool) string {
	b := []byte(f)
	for i := range b {
		if covered[i] {
			b[i] = ' '
		}
	}
	return string(b)
}

func shouting(text string) bool {
	if strings.Count(text, "!") >= 3 || strings.Contains(text, "?!") {
		return true
	}
	upper, letters := 0, 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	return letters >= 12 && upper*10 >= letters*8
}
