package server

import (
	"cmp"
	"crypto/subtle"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/chat"
)

// /metrics in the Prometheus text format (version 0.0.4), written by hand:
// a few counters, gauges and histograms do not need a client library and
// its dependencies.

// latencyBuckets are the histograms' upper bounds, in seconds.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// histogram counts observations per bucket. Not safe alone: metrics locks.
type histogram struct {
	counts []uint64 // per bucket, not cumulative
	count  uint64
	sum    float64
}

func (h *histogram) observe(v float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(latencyBuckets))
	}
	if i, _ := slices.BinarySearch(latencyBuckets, v); i < len(latencyBuckets) {
		h.counts[i]++
	}
	h.count++
	h.sum += v
}

// metrics are the in-process measures; the rest is read at each scrape.
type metrics struct {
	mu    sync.Mutex
	http  map[[2]string]*histogram // method, route
	codes map[[3]string]uint64     // method, route, status
	turns map[string]*histogram    // outcome
}

func newMetrics() *metrics {
	return &metrics{http: map[[2]string]*histogram{}, codes: map[[3]string]uint64{}, turns: map[string]*histogram{}}
}

// request records a request under its route's pattern (never its path,
// which may hold ids), so that series stay few.
func (m *metrics) request(method, route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{method, route}
	if m.http[k] == nil {
		m.http[k] = &histogram{}
	}
	m.http[k].observe(d.Seconds())
	m.codes[[3]string{method, route, strconv.Itoa(status)}]++
}

// turn records the time the bot took to reply, by outcome.
func (m *metrics) turn(outcome string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.turns[outcome] == nil {
		m.turns[outcome] = &histogram{}
	}
	m.turns[outcome].observe(d.Seconds())
}

// routeOf is the pattern of the route that served c, or "unmatched".
func routeOf(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Path != "/" && r.Path != "" {
		return r.Path
	}
	if c.Path() == "/" {
		return "/"
	}
	return "unmatched"
}

// handleMetrics serves the metrics to Prometheus: with the bearer token
// when one is configured, else only to this machine (and never through a
// proxy).
func (s *Server) handleMetrics(c *fiber.Ctx) error {
	if tok := s.cfg.MetricsToken; tok != "" {
		got, _ := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(tok)) != 1 {
			return fiber.ErrUnauthorized
		}
	} else if ip := net.ParseIP(c.Context().RemoteIP().String()); ip == nil || !ip.IsLoopback() ||
		c.Get(fiber.HeaderXForwardedFor) != "" || c.Get("Forwarded") != "" {
		return fiber.ErrForbidden
	}
	ctx := c.UserContext()
	st, err := s.bot.Stats(ctx)
	if err != nil {
		return err
	}
	cases, err := s.bot.Cases(ctx)
	if err != nil {
		return err
	}
	fb, err := s.bot.ArticleFeedback(ctx)
	if err != nil {
		return err
	}
	var b strings.Builder
	family := func(name, kind, help string) { fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind) }

	family("guichet_turns_total", "counter", "Customer turns since the data dir was created, by the bot's outcome.")
	for _, o := range sortedKeys(st.Outcomes) {
		fmt.Fprintf(&b, "guichet_turns_total{outcome=%q} %d\n", o, st.Outcomes[o])
	}
	family("guichet_turns_order_unavailable_total", "counter", "Turns where the order system could not be checked.")
	fmt.Fprintf(&b, "guichet_turns_order_unavailable_total %d\n", st.OrdersUnavailable)

	s.metrics.mu.Lock()
	family("guichet_turn_duration_seconds", "histogram", "Time the bot took to reply to a message, by outcome.")
	for _, o := range sortedKeys(s.metrics.turns) {
		writeHistogram(&b, "guichet_turn_duration_seconds", fmt.Sprintf("outcome=%q", o), s.metrics.turns[o])
	}
	family("guichet_http_request_duration_seconds", "histogram", "HTTP requests by method and route pattern.")
	keys := make([][2]string, 0, len(s.metrics.http))
	for k := range s.metrics.http {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return cmp.Or(strings.Compare(a[1], b[1]), strings.Compare(a[0], b[0])) })
	for _, k := range keys {
		writeHistogram(&b, "guichet_http_request_duration_seconds", fmt.Sprintf("method=%q,route=%q", k[0], k[1]), s.metrics.http[k])
	}
	family("guichet_http_requests_total", "counter", "HTTP requests by method, route pattern and status.")
	codes := make([][3]string, 0, len(s.metrics.codes))
	for k := range s.metrics.codes {
		codes = append(codes, k)
	}
	slices.SortFunc(codes, func(a, b [3]string) int {
		return cmp.Or(strings.Compare(a[1], b[1]), strings.Compare(a[0], b[0]), strings.Compare(a[2], b[2]))
	})
	for _, k := range codes {
		fmt.Fprintf(&b, "guichet_http_requests_total{method=%q,route=%q,status=%q} %d\n", k[0], k[1], k[2], s.metrics.codes[k])
	}
	s.metrics.mu.Unlock()

	if s.cfg.Orders != nil {
		l := s.cfg.Orders.Lookups()
		family("guichet_order_lookups_total", "counter", "Order lookups since start, by result.")
		fmt.Fprintf(&b, "guichet_order_lookups_total{result=\"found\"} %d\n", l.Found)
		fmt.Fprintf(&b, "guichet_order_lookups_total{result=\"not_found\"} %d\n", l.NotFound)
		fmt.Fprintf(&b, "guichet_order_lookups_total{result=\"unavailable\"} %d\n", l.Unavailable)
		if l.Breaker != "" {
			family("guichet_order_breaker_open", "gauge", "1 while the order system's breaker fails lookups at once.")
			fmt.Fprintf(&b, "guichet_order_breaker_open %d\n", boolInt(l.Breaker == "open"))
		}
	}

	waiting := map[string]int{chat.ChannelLiveChat: 0, chat.ChannelCallback: 0, chat.ChannelEmail: 0}
	for _, k := range cases {
		if k.State == chat.CaseWaiting {
			waiting[k.Channel]++
		}
	}
	family("guichet_cases_waiting", "gauge", "Requests waiting for a person, by channel (live_chat: live chats waiting).")
	for _, ch := range sortedKeys(waiting) {
		fmt.Fprintf(&b, "guichet_cases_waiting{channel=%q} %d\n", ch, waiting[ch])
	}

	family("guichet_articles", "gauge", "Articles served.")
	fmt.Fprintf(&b, "guichet_articles %d\n", len(s.kb.Articles()))
	family("guichet_content_errors", "gauge", "Content errors of the last load, for editors to fix.")
	fmt.Fprintf(&b, "guichet_content_errors %d\n", len(s.kb.Errors()))

	var yes, no uint64
	for _, f := range fb {
		yes, no = yes+f.Helpful, no+f.Unhelpful
	}
	family("guichet_help_feedback_total", "counter", "Answers to « Cet article vous a-t-il aidé ? » in the help centre.")
	fmt.Fprintf(&b, "guichet_help_feedback_total{helpful=\"yes\"} %d\n", yes)
	fmt.Fprintf(&b, "guichet_help_feedback_total{helpful=\"no\"} %d\n", no)

	c.Set(fiber.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString(b.String())
}

// writeHistogram writes h's cumulative buckets, sum and count.
func writeHistogram(b *strings.Builder, name, labels string, h *histogram) {
	var cum uint64
	for i, le := range latencyBuckets {
		if h.counts != nil {
			cum += h.counts[i]
		}
		fmt.Fprintf(b, "%s_bucket{%s,le=\"%g\"} %d\n", name, labels, le, cum)
	}
	fmt.Fprintf(b, "%s_bucket{%s,le=\"+Inf\"} %d\n", name, labels, h.count)
	fmt.Fprintf(b, "%s_sum{%s} %g\n", name, labels, h.sum)
	fmt.Fprintf(b, "%s_count{%s} %d\n", name, labels, h.count)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
