package orders

import (
	"context"
	"errors"
	"sync/atomic"
)

// Metered counts the lookups of a Source by result, for operators.
type Metered struct {
	src                     Source
	found, notFound, failed atomic.Uint64
}

// Meter wraps src so that its lookups are counted.
func Meter(src Source) *Metered { return &Metered{src: src} }

// Lookups are counts of lookups by result.
type Lookups struct {
	Found, NotFound, Unavailable uint64
	// Breaker is the state of the source's breaker: "closed", "open", or
	// "" for a source without one (the demo store).
	Breaker string
}

// Order looks an order up through the wrapped source.
func (m *Metered) Order(ctx context.Context, number string) (*Order, error) {
	o, err := m.src.Order(ctx, number)
	m.count(err)
	return o, err
}

// CustomerOrders looks a customer's orders up through the wrapped source.
func (m *Metered) CustomerOrders(ctx context.Context, customerID string) ([]Order, error) {
	os, err := m.src.CustomerOrders(ctx, customerID)
	m.count(err)
	return os, err
}

func (m *Metered) count(err error) {
	switch {
	case err == nil:
		m.found.Add(1)
	case errors.Is(err, ErrNotFound):
		m.notFound.Add(1)
	default:
		m.failed.Add(1)
	}
}

// Lookups returns the counts so far and the breaker's state.
func (m *Metered) Lookups() Lookups {
	l := Lookups{Found: m.found.Load(), NotFound: m.notFound.Load(), Unavailable: m.failed.Load()}
	if h, ok := m.src.(*HTTP); ok {
		l.Breaker = "closed"
		if h.breakerOpen() {
			l.Breaker = "open"
		}
	}
	return l
}

// breakerOpen tells whether lookups fail at once for now.
func (h *HTTP) breakerOpen() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cfg.Now().Before(h.openUntil)
}
