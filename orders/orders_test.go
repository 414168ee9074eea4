package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

func TestVocabularyIsComplete(t *testing.T) {
	want := []Status{StatusAwaitingPayment, StatusPaymentRefused, StatusPreparing, StatusShipped, StatusInTransit,
		StatusDelayed, StatusAtPickupPoint, StatusDelivered, StatusDeliveryFailed, StatusLost, StatusCancelled,
		StatusReturnInProgress, StatusRefunded}
	for _, s := range want {
		if !s.Valid() || s.Label() == "" {
			t.Errorf("status %q missing from the vocabulary", s)
		}
	}
	if Status("shipped_maybe").Valid() {
		t.Error("an unknown status is valid")
	}
}

func TestDemoHasEveryStatus(t *testing.T) {
	db, err := bbolt.Open(filepath.Join(t.TempDir(), "d.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := NewDemo(db, func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) })
	if err := d.Seed(); err != nil {
		t.Fatal(err)
	}
	if err := d.Seed(); err != nil { // idempotent
		t.Fatal(err)
	}
	ctx := context.Background()
	seen := map[Status]bool{}
	marketplace := false
	for _, c := range DemoCustomers {
		os, err := d.CustomerOrders(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range os {
			seen[o.Status] = true
			marketplace = marketplace || o.Marketplace()
			if o.CustomerID != c.ID || o.Email != c.Email {
				t.Errorf("order %s listed for %s", o.Number, c.ID)
			}
			if i > 0 && o.PlacedAt.After(os[i-1].PlacedAt) {
				t.Errorf("orders of %s not most recent first", c.ID)
			}
		}
	}
	for _, s := range Vocabulary {
		if !seen[s.Status] {
			t.Errorf("no demo order in status %s", s.Status)
		}
	}
	if !marketplace {
		t.Error("no marketplace demo order")
	}
	o, err := d.Order(ctx, "4581237")
	if err != nil || o.Status != StatusShipped || o.TrackingURL == "" {
		t.Errorf("Order(4581237) = %+v, %v", o, err)
	}
	if _, err := d.Order(ctx, "0000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown order: %v", err)
	}
	if _, err := d.CustomerOrders(ctx, "cli-9999"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown customer: %v", err)
	}
}

// merchant stands in for a merchant's order system.
type merchant struct {
	calls atomic.Int32
	srv   *httptest.Server
}

func newMerchant(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *merchant {
	m := &merchant{}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, "unauthorised", http.StatusUnauthorized)
			return
		}
		handle(w, r)
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func sendOrder(w http.ResponseWriter, number string, status Status) {
	json.NewEncoder(w).Encode(Order{Number: number, CustomerID: "c1", Status: status, Carrier: "Colissimo"})
}

func TestHTTPSource(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		handle    func(w http.ResponseWriter, r *http.Request)
		wantErr   error
		wantCalls int32
	}{
		{"normal", func(w http.ResponseWriter, r *http.Request) { sendOrder(w, "123456", StatusShipped) }, nil, 1},
		{"unknown order", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, ErrNotFound, 1},
		{"number refused", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad number", 400) }, ErrNotFound, 1},
		{"500 then retried", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }, ErrUnavailable, 3},
		{"malformed JSON", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"number": "123456", "status": `)) }, ErrUnavailable, 1},
		{"unknown status", func(w http.ResponseWriter, r *http.Request) { sendOrder(w, "123456", "teleported") }, ErrUnavailable, 1},
		{"another order", func(w http.ResponseWriter, r *http.Request) { sendOrder(w, "999999", StatusShipped) }, ErrUnavailable, 1},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}, ErrUnavailable, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMerchant(t, tt.handle)
			src := NewHTTP(HTTPConfig{BaseURL: m.srv.URL, Token: "s3cret", Timeout: 300 * time.Millisecond})
			start := time.Now()
			o, err := src.Order(ctx, "123456")
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("lookup took %s, want within the timeout", elapsed)
			}
			if tt.wantErr == nil && (err != nil || o.Status != StatusShipped) {
				t.Errorf("Order = %+v, %v", o, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "123456") {
				t.Errorf("error names the order: %v", err)
			}
			if got := m.calls.Load(); got != tt.wantCalls {
				t.Errorf("%d calls, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestHTTPCacheAndBreaker(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	up := true
	m := newMerchant(t, func(w http.ResponseWriter, r *http.Request) {
		if !up {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		sendOrder(w, strings.TrimPrefix(r.URL.Path, "/orders/"), StatusDelivered)
	})
	src := NewHTTP(HTTPConfig{BaseURL: m.srv.URL, Token: "s3cret", Retries: -1, BreakerAfter: 2, BreakerFor: time.Minute, Now: clock})

	// Cached: the second lookup costs no call, until the entry expires.
	for range 2 {
		if _, err := src.Order(ctx, "111111"); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.calls.Load(); got != 1 {
		t.Errorf("%d calls for two lookups, want 1 (cached)", got)
	}
	now = now.Add(31 * time.Second)
	if _, err := src.Order(ctx, "111111"); err != nil || m.calls.Load() != 2 {
		t.Errorf("expired entry not refreshed: %v, %d calls", err, m.calls.Load())
	}

	// Two failures open the breaker: the next lookup fails without a call.
	up = false
	for _, n := range []string{"222222", "333333"} {
		if _, err := src.Order(ctx, n); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("down: %v", err)
		}
	}
	calls := m.calls.Load()
	if _, err := src.Order(ctx, "444444"); !errors.Is(err, ErrUnavailable) || m.calls.Load() != calls {
		t.Errorf("open breaker: %v, %d calls (was %d)", err, m.calls.Load(), calls)
	}
	// After the cool-down, one trial closes it again.
	up = true
	now = now.Add(2 * time.Minute)
	if _, err := src.Order(ctx, "444444"); err != nil {
		t.Errorf("after cool-down: %v", err)
	}
	if got := src.Failures(); got != 3 {
		t.Errorf("failures = %d, want 3", got)
	}
}

func TestHTTPBreakerHalfOpenLetsOneProbe(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	var down atomic.Bool
	release := make(chan struct{})
	arrived := make(chan struct{}, 16)
	m := newMerchant(t, func(w http.ResponseWriter, r *http.Request) {
		switch p := strings.TrimPrefix(r.URL.Path, "/orders/"); {
		case p == "400000":
			http.Error(w, "bad number", 400)
		case p == "404000":
			http.NotFound(w, r)
		case down.Load():
			http.Error(w, "down", http.StatusServiceUnavailable)
		default:
			arrived <- struct{}{}
			<-release
			sendOrder(w, p, StatusDelivered)
		}
	})
	src := NewHTTP(HTTPConfig{BaseURL: m.srv.URL, Token: "s3cret", Retries: -1, BreakerAfter: 2, BreakerFor: time.Minute, Now: clock})

	// The merchant's "no such order" answers are not failures.
	for _, n := range []string{"400000", "404000", "400000"} {
		src.cache = map[string]cached{} // each one asks the merchant
		if _, err := src.Order(ctx, n); !errors.Is(err, ErrNotFound) {
			t.Fatalf("%s: %v, want ErrNotFound", n, err)
		}
	}
	if got := src.Failures(); got != 0 {
		t.Errorf("400 and 404 counted as %d failures", got)
	}

	// Two failures open the breaker; after the cool-down, ten lookups at
	// once: one reaches the merchant, the nine others fail at once.
	down.Store(true)
	for _, n := range []string{"222222", "333333"} {
		src.Order(ctx, n)
	}
	down.Store(false)
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	calls := m.calls.Load()
	errs := make(chan error, 10)
	var wg sync.WaitGroup
	wg.Go(func() { _, err := src.Order(ctx, "555555"); errs <- err })
	<-arrived // the probe is at the merchant
	for i := range 9 {
		wg.Go(func() { _, err := src.Order(ctx, fmt.Sprintf("66666%d", i)); errs <- err })
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(errs) < 9 && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if got := m.calls.Load() - calls; got != 1 {
		t.Errorf("half-open: %d lookups reached the merchant, want 1", got)
	}
	close(release)
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
		}
	}
	if failed != 9 {
		t.Errorf("%d of 10 lookups failed, want the 9 that did not probe", failed)
	}
	// The probe succeeded: the breaker is closed.
	if _, err := src.Order(ctx, "777777"); err != nil {
		t.Errorf("after a good probe: %v", err)
	}
}
