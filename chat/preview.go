package chat

import "github.com/guichet/guichet/orders"

// OrderFields returns the values the bot puts in an answer's placeholders
// for order o, so that the editor previews a status section exactly as a
// customer with that order would read it.
func OrderFields(o *orders.Order) map[string]string { return orderFields(o) }
