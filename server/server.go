// Package server is Guichet's HTTP layer and the only package that imports
// Fiber. routes.go lists every route; each area has its own file. Handlers
// return errors to the one error handler in errors.go.
//
// Nothing imports server.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/accounts"
	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/editor"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/learn"
	"github.com/guichet/guichet/orders"
	"github.com/guichet/guichet/reports"
)

// Config holds the HTTP options.
type Config struct {
	// WidgetOrigins are the origins allowed to call the API from a
	// browser (CORS). Empty means same-origin only.
	WidgetOrigins []string
	// ChatRate is how many chat requests one client may make per minute.
	ChatRate int
	// StreamsPerClient bounds the customer event streams one client
	// address holds open at once (20).
	StreamsPerClient int
	// BodyLimit bounds request bodies, in bytes.
	BodyLimit int
	// WriteTimeout bounds writing a response (10 s); event streams extend
	// it at each write.
	WriteTimeout time.Duration
	// Tokens verifies the customer tokens merchants sign (HS256); without
	// keys, tokens are refused.
	Tokens Tokens
	// ShopName titles the demo page and the help centre.
	ShopName string
	// Color is the shop's colour (#rgb or #rrggbb) for the help centre;
	// the widget's default blue when empty.
	Color string
	// Orders, when set, is the order source whose lookups /metrics counts.
	Orders *orders.Metered
	// MetricsToken, when set, is the bearer token /metrics requires;
	// without it /metrics answers only on the loopback interface.
	MetricsToken string
	// DemoCustomers may get a token from /demo/token (demo mode only).
	DemoCustomers []chat.Identity
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; empty trusts nobody.
	TrustedProxies []netip.Prefix
	// Editor writes articles into the content directory and keeps their
	// versions; without it the editor pages are read-only.
	Editor *editor.Store
	// Location is the shop's time zone, for the times agents read
	// (Europe/Paris when nil).
	Location *time.Location
	// Reports, when set, serves the reports at /reports; it must cut days
	// in Location.
	Reports *reports.Book
}

// Server serves the API.
type Server struct {
	app      *fiber.App
	bot      *chat.Bot
	kb       *kb.KB
	accounts *accounts.Store
	learn    *learn.Learner
	logger   *slog.Logger
	cfg      Config

	streamsMu               sync.Mutex
	streams                 map[string]int // open customer event streams per client
	metrics                 *metrics
	helpCSS, helpCSSVersion string // the help centre's stylesheet, in the shop's colour
}

// New builds the server and its routes. It does no I/O.
func New(cfg Config, bot *chat.Bot, k *kb.KB, users *accounts.Store, logger *slog.Logger) *Server {
	if cfg.ChatRate == 0 {
		cfg.ChatRate = 60
	}
	if cfg.StreamsPerClient == 0 {
		cfg.StreamsPerClient = 20
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 64 << 10
	}
	if cfg.Location == nil {
		cfg.Location = paris()
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	s := &Server{bot: bot, kb: k, accounts: users, learn: learn.New(bot, k), logger: logger, cfg: cfg, streams: map[string]int{}}
	s.helpCSS, s.helpCSSVersion = helpStylesheet(cfg.Color)
	s.metrics = newMetrics()
	s.app = fiber.New(fiber.Config{
		AppName:               "Guichet",
		ErrorHandler:          s.handleError,
		Immutable:             true,
		ReadTimeout:           10 * time.Second,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           60 * time.Second,
		BodyLimit:             chat.MaxAttachment + 64<<10, // uploads; smallBodies keeps cfg.BodyLimit elsewhere
		DisableStartupMessage: true,
	})
	s.routes()
	return s
}

// Serve serves HTTP on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.app.Listener(ln); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// Shutdown stops accepting connections and waits for requests in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.app.ShutdownWithContext(ctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return s.learn.Close(ctx) // draft tests read the database main closes next
}

// App returns the Fiber app, so that tests can run requests in process.
func (s *Server) App() *fiber.App { return s.app }

// paris is the default shop time zone; a fixed CET when the time zone
// database is missing (main embeds it).
func paris() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}
