package orders

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

func mustDB(tb testing.TB) *bbolt.DB {
	tb.Helper()
	db, err := bbolt.Open(filepath.Join(tb.TempDir(), "d.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestDemoVolume(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	d := NewDemo(mustDB(t), func() time.Time { return now })
	if err := d.Seed(); err != nil {
		t.Fatal(err)
	}
	// The demo orders placed 0, 0, 1, 2, 3, 3 and 4 days ago; the one 5
	// days ago is before the period.
	v, err := Meter(d).Volume(context.Background(), now.Add(-4*24*time.Hour-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if v.Orders != 7 || v.Units != 11 {
		t.Errorf("volume = %+v, want 7 orders and 11 units", v)
	}
}

func TestHTTPVolume(t *testing.T) {
	var gotQuery string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok/stats/orders":
			gotQuery = r.URL.RawQuery
			w.Write([]byte(`{"orders": 1200, "units": 3100}`))
		case "/down/stats/orders":
			w.WriteHeader(http.StatusBadGateway)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	v, err := NewHTTP(HTTPConfig{BaseURL: srv.URL + "/ok"}).Volume(context.Background(), from, to)
	if err != nil || v != (Volume{1200, 3100}) {
		t.Errorf("volume = %+v, %v", v, err)
	}
	if gotQuery != "from=2026-11-01T00%3A00%3A00Z&to=2026-12-01T00%3A00%3A00Z" {
		t.Errorf("query = %s", gotQuery)
	}
	if _, err := NewHTTP(HTTPConfig{BaseURL: srv.URL + "/old"}).Volume(context.Background(), from, to); !errors.Is(err, ErrNoStats) {
		t.Errorf("without the endpoint: %v, want ErrNoStats", err)
	}
	if _, err := NewHTTP(HTTPConfig{BaseURL: srv.URL + "/down"}).Volume(context.Background(), from, to); !errors.Is(err, ErrUnavailable) {
		t.Errorf("failing endpoint: %v, want ErrUnavailable", err)
	}
}
