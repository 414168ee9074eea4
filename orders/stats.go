package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"go.etcd.io/bbolt"
)

// Volume is how many orders were placed in a period, and how many units
// they hold.
type Volume struct {
	Orders int64 `json:"orders"`
	Units  int64 `json:"units"`
}

// ErrNoStats means the order source does not count its orders: the
// optional GET {base}/stats/orders is not implemented.
var ErrNoStats = errors.New("order statistics not offered")

// Stats is the optional part of the order contract: a source that counts
// its orders, so that reports can say how many contacts 100 orders bring.
type Stats interface {
	// Volume counts the orders placed from from (included) to to
	// (excluded).
	Volume(ctx context.Context, from, to time.Time) (Volume, error)
}

// Volume counts the demo orders placed in the period.
func (d *Demo) Volume(ctx context.Context, from, to time.Time) (Volume, error) {
	var v Volume
	err := d.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketDemo)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, data []byte) error {
			var o Order
			if err := json.Unmarshal(data, &o); err != nil {
				return err
			}
			if o.PlacedAt.Before(from) || !o.PlacedAt.Before(to) {
				return nil
			}
			v.Orders++
			for _, it := range o.Items {
				v.Units += int64(it.Quantity)
			}
			return nil
		})
	})
	if err != nil {
		return Volume{}, fmt.Errorf("demo order volume: %w", err)
	}
	return v, nil
}

// Volume asks the merchant's system for the orders of the period:
// GET {BaseURL}/stats/orders?from=RFC3339&to=RFC3339 -> {"orders": n,
// "units": n}. A 404 or 501 means the system does not offer it
// (ErrNoStats); anything else that fails is ErrUnavailable.
func (h *HTTP) Volume(ctx context.Context, from, to time.Time) (Volume, error) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	q := url.Values{"from": {from.UTC().Format(time.RFC3339)}, "to": {to.UTC().Format(time.RFC3339)}}
	resp, err := h.get(ctx, "stats/orders?"+q.Encode())
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			return Volume{}, fmt.Errorf("order volume: %w", err)
		}
		return Volume{}, fmt.Errorf("order volume: %w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusNotImplemented:
		return Volume{}, fmt.Errorf("order volume: %w", ErrNoStats)
	default:
		return Volume{}, fmt.Errorf("order volume: %w: answer status %d", ErrUnavailable, resp.StatusCode)
	}
	var v Volume
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&v); err != nil || v.Orders < 0 || v.Units < 0 {
		return Volume{}, fmt.Errorf("order volume: %w: malformed answer", ErrUnavailable)
	}
	return v, nil
}

// Volume counts the orders of the period through the wrapped source, or
// returns ErrNoStats when it does not count them.
func (m *Metered) Volume(ctx context.Context, from, to time.Time) (Volume, error) {
	s, ok := m.src.(Stats)
	if !ok {
		return Volume{}, fmt.Errorf("order volume: %w", ErrNoStats)
	}
	return s.Volume(ctx, from, to)
}
