// Package orders owns order sources: where the bot looks up a customer's
// order to tailor its answer. A Source is the built-in demo store in bbolt
// or the merchant's own order system over HTTP; platform adapters will be
// further Sources.
//
// It imports none of Guichet's packages and never logs: failures are
// returned, wrapped, and callers decide what the customer reads. No order
// detail ever goes into an error message, so that none reaches a log.
package orders

import (
	"context"
	"errors"
	"time"
)

var (
	// ErrNotFound means the source has no such order (or customer).
	ErrNotFound = errors.New("order not found")
	// ErrUnavailable means the source could not answer now: down, slow,
	// garbage, or its breaker is open. The customer gets the generic answer.
	ErrUnavailable = errors.New("order source unavailable")
)

// Source looks orders up.
type Source interface {
	// Order returns the order with this number, or ErrNotFound.
	Order(ctx context.Context, number string) (*Order, error)
	// CustomerOrders returns a customer's orders, most recent first.
	CustomerOrders(ctx context.Context, customerID string) ([]Order, error)
}

// Order is what the bot may know of an order.
type Order struct {
	Number     string `json:"number"`
	CustomerID string `json:"customer_id"`
	// Email and Postcode let an anonymous visitor prove the order is
	// theirs; they are never shown back.
	Email    string    `json:"email"`
	Postcode string    `json:"postcode"`
	Status   Status    `json:"status"`
	PlacedAt time.Time `json:"placed_at"`
	Carrier  string    `json:"carrier,omitempty"`
	// TrackingURL is the carrier's tracking page.
	TrackingURL string `json:"tracking_url,omitempty"`
	// ExpectedDelivery is the promised date; zero when unknown.
	ExpectedDelivery time.Time `json:"expected_delivery,omitzero"`
	// Total is in cents, in Currency (EUR by default).
	Total    int64  `json:"total_cents"`
	Currency string `json:"currency,omitempty"`
	Items    []Item `json:"items"`
	// Seller is the marketplace partner that sells and ships the order;
	// empty when the shop itself does.
	Seller string `json:"seller,omitempty"`
}

// Item is a line of an order.
type Item struct {
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

// Marketplace tells whether a partner sells the order.
func (o *Order) Marketplace() bool { return o.Seller != "" }
