package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/guichet/guichet/orders"
)

var reSample = regexp.MustCompile(`^([a-z_]+)(\{[^}]*\})? (-?[0-9.e+-]+|\+Inf)$`)

// parseMetrics checks the text format line by line and returns the samples
// by name with labels.
func parseMetrics(tb testing.TB, text string) map[string]float64 {
	tb.Helper()
	out := map[string]float64{}
	typed := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, kind, _ := strings.Cut(f, " ")
			typed[name] = kind
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := reSample.FindStringSubmatch(line)
		if m == nil {
			tb.Fatalf("not a Prometheus sample: %q", line)
		}
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m[1], "_bucket"), "_sum"), "_count")
		if typed[m[1]] == "" && typed[base] != "histogram" {
			tb.Errorf("sample %q has no # TYPE", m[1])
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			tb.Fatalf("value of %q: %v", line, err)
		}
		out[m[1]+m[2]] = v
	}
	return out
}

func TestMetrics(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer failing.Close()
	metered := orders.Meter(orders.NewHTTP(orders.HTTPConfig{BaseURL: failing.URL, Retries: -1, BreakerAfter: 2}))
	s, _ := mustServer(t, Config{MetricsToken: "un jeton de test", Orders: metered})

	if resp, _ := do(t, s, "GET", "/metrics", ""); resp.StatusCode != 401 {
		t.Fatalf("metrics without the token: %d, want 401", resp.StatusCode)
	}
	id := mustStart(t, s)
	for _, text := range []string{"jai tjrs pas recu ma comande", "quel temps fait-il demain à Brest ?", "comment annuler ma commande"} {
		if resp, body := do(t, s, "POST", "/api/v1/conversations/"+id+"/messages", `{"text":"`+text+`"}`); resp.StatusCode != 200 {
			t.Fatalf("message: %d %s", resp.StatusCode, body)
		}
	}
	for range 3 {
		if _, err := metered.Order(context.Background(), "4581237"); !errors.Is(err, orders.ErrUnavailable) {
			t.Fatalf("lookup on a failing source: %v", err)
		}
	}
	resp, body := do(t, s, "GET", "/metrics", "", "Authorization", "Bearer un jeton de test")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("metrics: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	got := parseMetrics(t, body)
	want := map[string]float64{
		`guichet_turns_total{outcome="answer"}`:                            2,
		`guichet_turns_total{outcome="miss"}`:                              1,
		`guichet_order_lookups_total{result="unavailable"}`:                3,
		`guichet_order_lookups_total{result="found"}`:                      0,
		`guichet_order_breaker_open`:                                       1,
		`guichet_cases_waiting{channel="live_chat"}`:                       0,
		`guichet_articles`:                                                 8,
		`guichet_content_errors`:                                           0,
		`guichet_turn_duration_seconds_count{outcome="answer"}`:            2,
		`guichet_turn_duration_seconds_bucket{outcome="answer",le="+Inf"}`: 2,
		`guichet_http_requests_total{method="POST",route="/api/v1/conversations/:id/messages",status="200"}`: 3,
		`guichet_http_requests_total{method="GET",route="/metrics",status="401"}`:                            1,
	}
	for k, w := range want {
		if v, ok := got[k]; !ok || v != w {
			t.Errorf("%s = %v (present %v), want %v", k, v, ok, w)
		}
	}
	// Buckets are cumulative and end with the count.
	prev := -1.0
	for _, le := range []string{"0.001", "0.01", "0.1", "1", "10", "+Inf"} {
		v := got[`guichet_http_request_duration_seconds_bucket{method="POST",route="/api/v1/conversations/:id/messages",le="`+le+`"}`]
		if v < prev {
			t.Errorf("bucket le=%s = %v, below the previous %v", le, v, prev)
		}
		prev = v
	}
	if prev != 3 {
		t.Errorf("+Inf bucket = %v, want 3", prev)
	}
	if strings.Contains(body, id) {
		t.Error("metrics name a conversation id")
	}
}

// TestMetricsOnlyOnLoopbackWithoutToken runs real HTTP on 127.0.0.1.
func TestMetricsOnlyOnLoopbackWithoutToken(t *testing.T) {
	s, _ := mustServer(t, Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	get := func(header ...string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/metrics", nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(); code != 200 || !strings.Contains(body, "# TYPE guichet_turns_total counter") {
		t.Errorf("from loopback: %d %.200s", code, body)
	}
	if code, _ := get("X-Forwarded-For", "203.0.113.9"); code != 403 {
		t.Errorf("through a proxy: %d, want 403", code)
	}
	if _, body := do(t, s, "GET", "/metrics", ""); strings.Contains(body, "guichet_turns_total") {
		t.Error("metrics reached a non-loopback client without a token")
	}
}
