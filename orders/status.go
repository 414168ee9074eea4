package orders

// Status is where an order stands, in Guichet's vocabulary. Merchants' order
// systems map their own statuses onto it (see the README).
type Status string

// The status vocabulary.
const (
	StatusAwaitingPayment  Status = "awaiting_payment"
	StatusPaymentRefused   Status = "payment_refused"
	StatusPreparing        Status = "preparing"
	StatusShipped          Status = "shipped"
	StatusInTransit        Status = "in_transit"
	StatusDelayed          Status = "delayed"
	StatusAtPickupPoint    Status = "at_pickup_point"
	StatusDelivered        Status = "delivered"
	StatusDeliveryFailed   Status = "delivery_failed"
	StatusLost             Status = "lost"
	StatusCancelled        Status = "cancelled"
	StatusReturnInProgress Status = "return_in_progress"
	StatusRefunded         Status = "refunded"
)

// StatusInfo describes a status for editors and customers.
type StatusInfo struct {
	Status Status `json:"status"`
	// Label is what a customer reads.
	Label string `json:"label"`
	// Meaning tells editors when a merchant's order is in this status.
	Meaning string `json:"meaning"`
}

// Vocabulary lists every status, in the order of an order's life.
var Vocabulary = []StatusInfo{
	{StatusAwaitingPayment, "En attente de paiement", "la commande est passée, le paiement n’est pas encore confirmé (virement, paiement en plusieurs fois en cours d’accord)"},
	{StatusPaymentRefused, "Paiement refusé", "la banque ou le partenaire de financement a refusé le paiement ; rien n’est débité"},
	{StatusPreparing, "En préparation", "le paiement est confirmé, l’entrepôt prépare le colis"},
	{StatusShipped, "Expédiée", "le colis est remis au transporteur ; le suivi est disponible"},
	{StatusInTransit, "En cours d’acheminement", "le transporteur achemine le colis"},
	{StatusDelayed, "Retardée", "la date de livraison promise est dépassée ou le transporteur signale un retard"},
	{StatusAtPickupPoint, "Disponible en point relais", "le colis attend le client en point relais ou en magasin"},
	{StatusDelivered, "Livrée", "le transporteur a livré le colis"},
	{StatusDeliveryFailed, "Échec de livraison", "la livraison n’a pas pu se faire (absence, adresse incomplète) ; le colis peut revenir"},
	{StatusLost, "Colis perdu", "le transporteur a déclaré le colis perdu"},
	{StatusCancelled, "Annulée", "la commande est annulée, par le client ou par la boutique"},
	{StatusReturnInProgress, "Retour en cours", "le client a demandé un retour ; le colis revient à l’entrepôt"},
	{StatusRefunded, "Remboursée", "le remboursement est validé"},
}

var statusInfo = func() map[Status]StatusInfo {
	m := make(map[Status]StatusInfo, len(Vocabulary))
	for _, s := range Vocabulary {
		m[s.Status] = s
	}
	return m
}()

// Valid tells whether s belongs to the vocabulary.
func (s Status) Valid() bool { _, ok := statusInfo[s]; return ok }

// Label is the status as a customer reads it, in French.
func (s Status) Label() string { return statusInfo[s].Label }

// Codes lists the status codes, for validating content that names them.
func Codes() []string {
	out := make([]string, len(Vocabulary))
	for i, s := range Vocabulary {
		out[i] = string(s.Status)
	}
	return out
}
