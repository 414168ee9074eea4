package server

// French messages the API sends in error bodies. Polite, and each says what
// to do next.
const (
	msgNotFound           = "Cette page n’existe pas."
	msgArticleNotFound    = "Cet article n’existe pas ou a été retiré."
	msgBadLimit           = "Le paramètre limit doit être un nombre entre 1 et 1000."
	msgConvNotFound       = "Cette conversation est introuvable. Vous pouvez en commencer une nouvelle."
	msgEmptyMessage       = "Votre message est vide : écrivez votre question puis envoyez-la."
	msgMessageTooBig      = "Votre message est un peu long pour moi (2 000 caractères au plus). Pouvez-vous le raccourcir ?"
	msgConversationFull   = "Cette conversation est très longue : pour continuer, commencez-en une nouvelle."
	msgUnknownChoice      = "Ce choix n’est plus disponible. Posez votre question, je vous réponds tout de suite."
	msgBadJSON            = "La requête est illisible : le corps doit être un JSON valide, par exemple {\"text\": \"Où est mon colis ?\"}."
	msgBodyTooBig         = "La requête est trop volumineuse."
	msgTooManyRequests    = "Vous envoyez beaucoup de messages en peu de temps. Merci de patienter quelques secondes avant de réessayer."
	msgBadToken           = "Votre connexion n’a pas pu être vérifiée. Reconnectez-vous sur le site, puis rouvrez la discussion."
	msgNoMail             = "L’envoi par e-mail n’est pas disponible : vous pouvez télécharger la conversation."
	msgTooManyTranscripts = "Cette conversation vous a déjà été envoyée plusieurs fois aujourd’hui. Vous pouvez la télécharger à tout moment."
	msgTranscriptSent     = "C’est envoyé : vous recevrez la conversation par e-mail dans quelques minutes."
	msgBadReason          = "Choisissez un motif de contact dans la liste avant de clore."
	msgBadLogin           = "Identifiant ou mot de passe incorrect."
	msgAccountLocked      = "Ce compte est bloqué pour quelques minutes après plusieurs mots de passe incorrects. Réessayez plus tard, ou demandez à un administrateur de réinitialiser votre mot de passe."
	msgLoginNeeded        = "Connectez-vous pour accéder à la console."
	msgForbidden          = "Cette page n’est pas accessible avec votre rôle, ou le formulaire a expiré : rechargez la page et réessayez."
	msgTooManyLogins      = "Trop de tentatives de connexion. Patientez une minute avant de réessayer."
	msgInvalidForm        = "Certains champs sont à corriger : voyez le détail sous chacun."
	msgBadRequest         = "La requête n’a pas pu être traitée. Vérifiez-la puis réessayez."
	msgTimeout            = "La requête a mis trop de temps à arriver. Réessayez dans un instant."
	msgMethodNotAllowed   = "Cette action n’est pas possible à cette adresse."
	msgInternal           = "Une erreur interne est survenue. Réessayez dans un instant ; si le problème continue, indiquez ce code au support : %s."
	msgServiceOverloaded  = "Le service est momentanément indisponible. Réessayez dans un instant."
)
