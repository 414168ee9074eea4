package chat

// French texts the bot says. They are polite, never blame the customer, and
// always lead somewhere: an answer, a choice, or a way to reach a person.
const (
	msgGreeting          = "Bonjour ! Je suis l’assistant de %s. Posez-moi votre question, je vous réponds tout de suite."
	msgGreetingNoName    = "Bonjour ! Je suis l’assistant du service client. Posez-moi votre question, je vous réponds tout de suite."
	msgThanks            = "Avec plaisir ! Puis-je vous aider pour autre chose ?"
	msgGoodbye           = "Merci de votre visite et belle journée !"
	msgYes               = "Parfait ! Avez-vous une autre question ?"
	msgNo                = "Entendu. Dites-moi ce que vous cherchez, je ferai de mon mieux pour vous aider."
	msgFrustration       = "Je suis sincèrement désolé pour ce désagrément. Je comprends votre agacement et je vais faire le nécessaire pour vous aider."
	msgHuman             = "Bien sûr, voici comment joindre un conseiller de notre service client :"
	msgBot               = "Je suis l’assistant automatique de %s : je réponds tout de suite aux questions sur vos commandes, la livraison, les retours et nos services. Si vous préférez parler à une personne, écrivez « conseiller »."
	msgBotNoName         = "Je suis l’assistant automatique du service client : je réponds tout de suite aux questions sur vos commandes, la livraison, les retours et nos services. Si vous préférez parler à une personne, écrivez « conseiller »."
	msgBotShort          = "Je suis l’assistant automatique du service client."
	msgHumanNoInfo       = "Bien sûr. Un conseiller de notre service client pourra reprendre votre demande."
	msgEmpathy           = "Je suis désolé pour ce désagrément."
	msgTranscriptAddress = "Pour protéger vos données, j’envoie la conversation uniquement à l’adresse de votre compte client, ou à celle que vous avez indiquée dans cette conversation. Vous pouvez aussi la télécharger."
	msgBadEmail          = "Cette adresse e-mail ne semble pas valide, par exemple prenom.nom@exemple.fr."
	msgClarify           = "Pour bien vous répondre, votre question concerne plutôt :"
	msgChose             = "Voici la réponse à votre question :"
	msgAskOrder          = "Pour vous répondre précisément, j’ai besoin de votre numéro de commande (il figure dans l’e-mail de confirmation) et de l’adresse e-mail utilisée pour la commande."
	msgAskNumber         = "Merci. Il me manque le numéro de commande : il figure dans l’e-mail de confirmation et dans votre compte."
	msgAskProof          = "Merci. Pour vérifier qu’il s’agit bien de votre commande, indiquez l’adresse e-mail utilisée pour la commande."
	msgNoMatch           = "Je ne retrouve pas de commande correspondant à ces informations. Vérifiez le numéro de commande et l’adresse e-mail utilisés, puis renvoyez-les-moi."
	msgTooManyAttempts   = "Je ne parviens pas à vérifier cette commande. Pour protéger vos données, je m’arrête là, mais un conseiller pourra vous aider."
	msgWhichOrder        = "Votre question concerne quelle commande ?"
	msgGeneric           = "Voir la réponse générale"
	msgOrdersDown        = "Je n’ai pas pu consulter votre commande pour le moment : voici la réponse générale. Réessayez dans quelques minutes pour une réponse personnalisée."
	msgHandoffClosed     = "Nos conseillers sont absents pour le moment : ils vous répondront %s."
	msgChooseChannel     = "Choisissez comment joindre un conseiller, il reprendra votre demande sans que vous ayez à la répéter."
	msgAfterMisses       = "Je préfère vous passer le relais : un conseiller saura vous répondre. Choisissez comment le joindre."
	msgIfNeeded          = "Si vous préférez en parler à un conseiller, choisissez comment le joindre."
	msgOtherGuesses      = "Désolé que cette réponse ne vous ait pas aidé. Vous cherchiez peut-être :"
	msgOrPerson          = "Sinon, un conseiller peut reprendre votre demande : choisissez comment le joindre."
	msgNotHelped         = "Désolé que cette réponse ne vous ait pas aidé."
	msgGlad              = "Merci pour votre retour ! Puis-je vous aider pour autre chose ?"
	msgCallbackOK        = "C’est noté : un conseiller vous rappellera au %s, %s. Il aura notre conversation sous les yeux."
	msgLiveChatOK        = "Un conseiller va vous répondre dans quelques instants. Vous pouvez continuer à écrire : il lira toute notre conversation."
	msgEmailOK           = "C’est noté : un conseiller vous répondra à %s sous 24 h ouvrées. Il aura notre conversation sous les yeux."
	msgClarifyOne        = "Pour être sûr de bien vous répondre, votre question concerne-t-elle"
	msgTailoredHidden    = "Cette réponse concernait votre commande : pour la revoir, reconnectez-vous sur le site de la boutique, ou redemandez-la en indiquant votre numéro de commande."
	msgElsewhere         = "Il me semble que votre question concerne %s : je ne peux vous renseigner que sur les achats faits chez %s. Si elle nous concerne, ces sujets pourront vous aider :"
	msgJoined            = "%s, du service client, a rejoint la conversation."
	msgReleased          = "%s vous laisse avec l’assistant. Vous pouvez redemander un conseiller à tout moment."
	msgClosed            = "%s a clos la conversation. Merci de nous avoir écrit et belle journée !"
	msgAssigned          = "%s, du service client, reprend votre demande."
	msgCSAT              = "Comment jugez-vous l’aide reçue ? Votre avis nous aide à progresser."
	msgLiveChatLate      = "Nos conseillers sont tous occupés pour le moment. Vous gardez votre place : un conseiller vous répondra ici dès que possible. Si vous préférez ne pas attendre, nous pouvons vous rappeler ou vous répondre par e-mail."
	msgLiveChatNobody    = "Aucun conseiller n’est disponible pour discuter à l’instant. Vous gardez votre place : si l’un d’eux revient, il vous répondra ici. Vous pouvez aussi être rappelé ou recevoir une réponse par e-mail."
	msgAttachmentNoted   = "Merci, votre fichier est bien joint à notre conversation. Je ne sais pas lire les fichiers, mais un conseiller pourra le regarder."
)

// missMessages vary from one miss to the next in a conversation, so that the
// customer never reads the same apology twice in a row.
var missMessages = []string{
	"Je ne suis pas certain d’avoir bien saisi votre demande. Voici les sujets qui s’en approchent le plus :",
	"Je n’ai pas trouvé de réponse précise à cette question. Ces sujets pourront peut-être vous aider :",
	"Cette question dépasse ce que je sais traiter pour le moment. Un conseiller pourra vous aider ; voici aussi les sujets les plus proches :",
}

// missNoHint are said when nothing in the knowledge base is even close.
// They name no topic: the shop's topics are its own (the quick topics and
// the contact article are offered as choices).
var missNoHint = []string{
	"Je n’ai malheureusement pas de réponse à cette question. Un conseiller de notre service client pourra vous aider.",
	"Cette question sort de ce que je connais, désolé. Un conseiller de notre service client saura sans doute vous répondre.",
	"Je ne sais pas répondre à cela, mais un conseiller de notre service client pourra vous aider.",
}
