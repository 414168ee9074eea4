package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// HTTPConfig configures the merchant's order system. Zero fields take the
// defaults in parentheses.
type HTTPConfig struct {
	// BaseURL of the order API, e.g. https://boutique.example/api/guichet.
	BaseURL string
	// Token is sent as "Authorization: Bearer <Token>".
	Token string
	// Timeout bounds a whole lookup, retries included (2 s).
	Timeout time.Duration
	// Retries after a network error or a 5xx answer (2; -1 for none).
	Retries int
	// CacheTTL keeps answers this long (30 s); "not found" half as long.
	CacheTTL time.Duration
	// BreakerAfter consecutive failures open the breaker (5) for
	// BreakerFor (30 s): lookups then fail at once, costing nothing; then
	// exactly one lookup tries (half-open), and closes it or opens it
	// again.
	BreakerAfter int
	BreakerFor   time.Duration
	// Client and Now are for tests; defaults are a plain http.Client and
	// time.Now.
	Client *http.Client
	Now    func() time.Time
}

// HTTP is the merchant's order system, reached over HTTP with the JSON
// contract documented in the README. It is safe for concurrent use.
type HTTP struct {
	cfg HTTPConfig

	mu        sync.Mutex
	cache     map[string]cached
	failures  int       // consecutive
	openUntil time.Time // breaker
	tripped   bool      // the breaker opened and no lookup succeeded since
	probing   bool      // half-open: the one trial lookup is under way

	failed atomic.Uint64 // lookups that failed, for statistics
}

type cached struct {
	orders  []Order
	err     error
	expires time.Time
}

// maxBody bounds what is read of an answer.
const maxBody = 1 << 20

// NewHTTP returns the source. It does no I/O.
func NewHTTP(cfg HTTPConfig) *HTTP {
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = 2
	case cfg.Retries < 0:
		cfg.Retries = 0 // -1 asks for none
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = 30 * time.Second
	}
	if cfg.BreakerAfter == 0 {
		cfg.BreakerAfter = 5
	}
	if cfg.BreakerFor == 0 {
		cfg.BreakerFor = 30 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &HTTP{cfg: cfg, cache: map[string]cached{}}
}

// Failures counts the lookups that ended in ErrUnavailable.
func (h *HTTP) Failures() uint64 { return h.failed.Load() }

// Order looks an order up: GET {BaseURL}/orders/{number}.
func (h *HTTP) Order(ctx context.Context, number string) (*Order, error) {
	os, err := h.lookup(ctx, "orders/"+url.PathEscape(number), func(body []byte) ([]Order, error) {
		var o Order
		if err := json.Unmarshal(body, &o); err != nil {
			return nil, err
		}
		if o.Number != number {
			return nil, errors.New("answer is for another order")
		}
		return []Order{o}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("order: %w", err)
	}
	return &os[0], nil
}

// CustomerOrders lists a customer's orders:
// GET {BaseURL}/customers/{id}/orders -> {"orders": [...]}.
func (h *HTTP) CustomerOrders(ctx context.Context, customerID string) ([]Order, error) {
	os, err := h.lookup(ctx, "customers/"+url.PathEscape(customerID)+"/orders", func(body []byte) ([]Order, error) {
		var list struct {
			Orders []Order `json:"orders"`
		}
		if err := json.Unmarshal(body, &list); err != nil {
			return nil, err
		}
		for _, o := range list.Orders {
			if o.CustomerID != customerID {
				return nil, errors.New("answer lists another customer's order")
			}
		}
		return list.Orders, nil
	})
	if err != nil {
		return nil, fmt.Errorf("customer orders: %w", err)
	}
	return os, nil
}

// lookup runs a GET through the cache, the breaker and the retries, and
// decodes a 200 answer with decode.
func (h *HTTP) lookup(ctx context.Context, path string, decode func([]byte) ([]Order, error)) ([]Order, error) {
	now := h.cfg.Now()
	h.mu.Lock()
	if c, ok := h.cache[path]; ok && now.Before(c.expires) {
		h.mu.Unlock()
		return c.orders, c.err
	}
	// Open: fail at once. Half-open (cooled down, not yet recovered): one
	// lookup goes through as a trial, the others fail at once meanwhile.
	if now.Before(h.openUntil) || h.probing {
		h.mu.Unlock()
		h.failed.Add(1)
		return nil, fmt.Errorf("breaker open: %w", ErrUnavailable)
	}
	probe := h.tripped
	h.probing = probe
	h.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	orders, err := h.fetch(ctx, path, decode)

	h.mu.Lock()
	defer h.mu.Unlock()
	if probe {
		h.probing = false
	}
	switch {
	case err == nil:
		h.failures, h.tripped = 0, false
		h.cache[path] = cached{orders: orders, expires: h.cfg.Now().Add(h.cfg.CacheTTL)}
	case errors.Is(err, ErrNotFound):
		h.failures, h.tripped = 0, false
		h.cache[path] = cached{err: err, expires: h.cfg.Now().Add(h.cfg.CacheTTL / 2)}
	default:
		h.failed.Add(1)
		h.failures++
		if probe || h.failures >= h.cfg.BreakerAfter {
			h.openUntil = h.cfg.Now().Add(h.cfg.BreakerFor)
			h.failures, h.tripped = 0, true
		}
	}
	h.prune()
	return orders, err
}

// prune drops expired cache entries once the cache grows.
func (h *HTTP) prune() {
	if len(h.cache) < 1024 {
		return
	}
	now := h.cfg.Now()
	for k, c := range h.cache {
		if !now.Before(c.expires) {
			delete(h.cache, k)
		}
	}
}

// fetch tries the request, retrying network errors and 5xx answers with a
// short backoff while the deadline allows.
func (h *HTTP) fetch(ctx context.Context, path string, decode func([]byte) ([]Order, error)) ([]Order, error) {
	var last error
	for attempt := 0; attempt <= h.cfg.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("%w: %w", ErrUnavailable, last)
			case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
			}
		}
		orders, retry, err := h.try(ctx, path, decode)
		if err == nil || errors.Is(err, ErrNotFound) {
			return orders, err
		}
		if !retry {
			if !errors.Is(err, ErrUnavailable) {
				err = fmt.Errorf("%w: %w", ErrUnavailable, err)
			}
			return nil, err
		}
		last = err
	}
	return nil, fmt.Errorf("%w: %w", ErrUnavailable, last)
}

// get sends GET {BaseURL}/path with the token. A request that cannot be
// built is ErrUnavailable; a request that failed on the way keeps only its
// cause: url.Error's message holds the URL, hence the order number, and no
// order detail may reach a log.
func (h *HTTP) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.cfg.BaseURL+"/"+path, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: build request: %w", ErrUnavailable, err)
	}
	req.Header.Set("Accept", "application/json")
	if h.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.cfg.Token)
	}
	resp, err := h.cfg.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("request: %w", err)
	}
	return resp, nil
}

// try makes one request. retry tells whether another attempt may succeed.
func (h *HTTP) try(ctx context.Context, path string, decode func([]byte) ([]Order, error)) (orders []Order, retry bool, err error) {
	resp, err := h.get(ctx, path)
	if err != nil {
		return nil, !errors.Is(err, ErrUnavailable) && ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, ctx.Err() == nil, fmt.Errorf("read answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusBadRequest:
		// The merchant knows no such order (or refuses the number as
		// malformed): an answer, not a failure of its system.
		return nil, false, ErrNotFound
	case resp.StatusCode >= 500:
		return nil, true, fmt.Errorf("answer status %d", resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, false, fmt.Errorf("%w: answer status %d", ErrUnavailable, resp.StatusCode)
	}
	orders, err = decode(body)
	if err != nil {
		return nil, false, fmt.Errorf("%w: malformed answer: %w", ErrUnavailable, err)
	}
	for _, o := range orders {
		if !o.Status.Valid() {
			return nil, false, fmt.Errorf("%w: unknown status %q", ErrUnavailable, o.Status)
		}
	}
	return orders, false, nil
}
