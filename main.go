// Command guichet is a self-hosted knowledge base and self-care chatbot for
// French e-commerce customer service.
//
// main only wires: configuration, logger, storage, knowledge base, chat and
// HTTP server, start and stop. Subcommands: "check" validates a content
// directory, "eval" measures matching quality on a labelled file.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // French dates in Europe/Paris on machines without zoneinfo

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/guichet/guichet/accounts"
	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/content"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/mailer"
	"github.com/guichet/guichet/nlu"
	"github.com/guichet/guichet/orders"
	"github.com/guichet/guichet/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "guichet:", err)
		os.Exit(1)
	}
}

// run dispatches a subcommand, or serves until ctx is done.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "user":
			return runUser(args[1:], getenv, stdin, stdout, stderr)
		case "check":
			return runCheck(args[1:], stdout, stderr)
		case "intents":
			return runIntents(stdout)
		case "eval":
			return runEval(args[1:], stdout, stderr)
		case "serve":
			args = args[1:]
		}
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	p := &program{cfg: cfg, logger: newLogger(cfg, stderr)}
	if err := p.start(ctx); err != nil {
		return err
	}
	p.logger.Info("guichet started", "url", "http://"+p.addr(), "config", cfg.String())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.stop(sctx)
}

// config is the whole configuration. Precedence: defaults < GUICHET_* env
// < flags.
type config struct {
	Addr          string
	DataDir       string
	ContentDir    string
	WidgetOrigins []string
	ShopName      string
	// Color is the shop's colour for the help centre (#rrggbb).
	Color     string
	LogLevel  string
	LogFormat string
	// OrdersURL is the merchant's order API; empty uses the demo orders.
	OrdersURL string
	// Handoff: misses in a row before offering a person, closed days
	// ("2026-12-25,…"; empty keeps the French public holidays), and the
	// phone number with its hours.
	AfterMisses int
	Holidays    []string
	Phone       string
	PhoneHours  string
	// SMTP server for e-mail requests and transcripts; SupportEmail
	// receives the requests.
	SMTPAddr, SMTPFrom, SMTPUser string
	SupportEmail                 string
	// Secrets, from the environment only.
	OrdersToken  string
	TokenSecret  string
	MetricsToken string
	SMTPPassword string
}

func defaultConfig() config {
	return config{Addr: ":8080", DataDir: "data", ShopName: "Maison Colibri", LogLevel: "info", LogFormat: "text"}
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	cfg := defaultConfig()
	env := func(dst *string, key string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	env(&cfg.Addr, "GUICHET_ADDR")
	env(&cfg.DataDir, "GUICHET_DATA_DIR")
	env(&cfg.ContentDir, "GUICHET_CONTENT_DIR")
	env(&cfg.ShopName, "GUICHET_SHOP_NAME")
	env(&cfg.Color, "GUICHET_COLOR")
	env(&cfg.LogLevel, "GUICHET_LOG_LEVEL")
	env(&cfg.LogFormat, "GUICHET_LOG_FORMAT")
	env(&cfg.OrdersURL, "GUICHET_ORDERS_URL")
	env(&cfg.OrdersToken, "GUICHET_ORDERS_TOKEN")
	env(&cfg.TokenSecret, "GUICHET_TOKEN_SECRET")
	env(&cfg.MetricsToken, "GUICHET_METRICS_TOKEN")
	env(&cfg.SMTPAddr, "GUICHET_SMTP_ADDR")
	env(&cfg.SMTPFrom, "GUICHET_SMTP_FROM")
	env(&cfg.SMTPUser, "GUICHET_SMTP_USER")
	env(&cfg.SMTPPassword, "GUICHET_SMTP_PASSWORD")
	env(&cfg.SupportEmail, "GUICHET_SUPPORT_EMAIL")
	env(&cfg.Phone, "GUICHET_PHONE")
	env(&cfg.PhoneHours, "GUICHET_PHONE_HOURS")
	origins := getenv("GUICHET_WIDGET_ORIGINS")
	holidays := getenv("GUICHET_HOLIDAYS")
	if v := getenv("GUICHET_HANDOFF_AFTER_MISSES"); v != "" {
		if _, err := fmt.Sscan(v, &cfg.AfterMisses); err != nil {
			return cfg, fmt.Errorf("GUICHET_HANDOFF_AFTER_MISSES=%q: want a number", v)
		}
	}

	fset := flag.NewFlagSet("guichet", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on")
	fset.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (bbolt file and search index)")
	fset.StringVar(&cfg.ContentDir, "content", cfg.ContentDir, "directory of Markdown articles, watched for changes (default: embedded sample content)")
	fset.StringVar(&origins, "widget-origins", origins, "comma-separated origins allowed to call the API from a browser")
	fset.StringVar(&cfg.ShopName, "shop-name", cfg.ShopName, "shop name the bot introduces itself with")
	fset.StringVar(&cfg.Color, "color", cfg.Color, "shop colour of the help centre, #rrggbb (default: the widget's blue)")
	fset.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error")
	fset.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "text or json")
	fset.StringVar(&cfg.OrdersURL, "orders-url", cfg.OrdersURL, "base URL of the merchant's order API (default: demo orders)")
	fset.IntVar(&cfg.AfterMisses, "handoff-after-misses", cfg.AfterMisses, "misses in a row before the bot offers a person (default 2)")
	fset.StringVar(&holidays, "holidays", holidays, "comma-separated closed days, YYYY-MM-DD (default: French public holidays 2026-2027)")
	fset.StringVar(&cfg.Phone, "phone", cfg.Phone, "service client phone number (default: the sample shop's)")
	fset.StringVar(&cfg.PhoneHours, "phone-hours", cfg.PhoneHours, "phone opening hours, as said to customers")
	if err := fset.Parse(args); err != nil {
		return cfg, err
	}
	for _, d := range strings.Split(holidays, ",") {
		if d = strings.TrimSpace(d); d != "" {
			cfg.Holidays = append(cfg.Holidays, d)
		}
	}
	for _, o := range strings.Split(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.WidgetOrigins = append(cfg.WidgetOrigins, strings.TrimRight(o, "/"))
		}
	}
	return cfg, cfg.validate()
}

func (c config) validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("invalid address %q (expected host:port, e.g. :8080): %w", c.Addr, err)
	}
	if c.DataDir == "" {
		return errors.New("the data directory must not be empty (-data or GUICHET_DATA_DIR)")
	}
	if c.ContentDir != "" {
		if fi, err := os.Stat(c.ContentDir); err != nil || !fi.IsDir() {
			return fmt.Errorf("content directory %q is not a readable directory", c.ContentDir)
		}
	}
	for _, o := range c.WidgetOrigins {
		if !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
			return fmt.Errorf("widget origin %q must start with http:// or https://", o)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel)
	}
	if c.Color != "" && !regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`).MatchString(c.Color) {
		return fmt.Errorf("color %q: use a hex colour such as #2d4a3e", c.Color)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log format %q: use text or json", c.LogFormat)
	}
	if c.OrdersURL != "" && !strings.HasPrefix(c.OrdersURL, "http://") && !strings.HasPrefix(c.OrdersURL, "https://") {
		return fmt.Errorf("orders URL %q must start with http:// or https://", c.OrdersURL)
	}
	for _, d := range c.Holidays {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			return fmt.Errorf("holiday %q: use YYYY-MM-DD", d)
		}
	}
	if c.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			return fmt.Errorf("SMTP address %q: expected host:port", c.SMTPAddr)
		}
		if c.SMTPFrom == "" || c.SupportEmail == "" {
			return errors.New("with GUICHET_SMTP_ADDR, set GUICHET_SMTP_FROM (sender) and GUICHET_SUPPORT_EMAIL (where e-mail requests go)")
		}
	}
	if c.AfterMisses < 0 {
		return errors.New("handoff-after-misses must be 1 or more")
	}
	if (c.Phone == "") != (c.PhoneHours == "") {
		return errors.New("set the phone number and its hours together (-phone and -phone-hours)")
	}
	if c.TokenSecret != "" && len(c.TokenSecret) < 32 {
		return errors.New("GUICHET_TOKEN_SECRET must be at least 32 characters (a random string, e.g. from: openssl rand -hex 32)")
	}
	return nil
}

// String is the effective configuration for the start-up log, secrets
// masked.
func (c config) String() string {
	content := c.ContentDir
	if content == "" {
		content = "(embedded sample)"
	}
	ordersURL := c.OrdersURL
	if ordersURL == "" {
		ordersURL = "(demo orders)"
	}
	set := func(secret string) string {
		if secret == "" {
			return "unset"
		}
		return "set"
	}
	smtp := c.SMTPAddr
	if smtp == "" {
		smtp = "(none: e-mail requests are stored, not sent)"
	}
	return fmt.Sprintf("addr=%s data=%s content=%s widget_origins=%v shop=%q orders=%s orders_token=%s token_secret=%s metrics_token=%s smtp=%s smtp_password=%s log=%s/%s",
		c.Addr, c.DataDir, content, c.WidgetOrigins, c.ShopName, ordersURL, set(c.OrdersToken), set(c.TokenSecret), set(c.MetricsToken), smtp, set(c.SMTPPassword), c.LogLevel, c.LogFormat)
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// program is one running Guichet.
type program struct {
	cfg    config
	logger *slog.Logger
	// now is the clock (tests set it to be within opening hours).
	now func() time.Time

	db     *bbolt.DB
	kb     *kb.KB
	bot    *chat.Bot
	srv    *server.Server
	ln     net.Listener
	served chan error
}

// start opens storage and the knowledge base, binds the listener (a busy
// port fails here) and serves in the background. On failure, what it
// opened is closed again.
func (p *program) start(ctx context.Context) (err error) {
	db, err := openDB(p.cfg.DataDir)
	if err != nil {
		return err
	}
	p.db = db
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	k, err := kb.Open(p.kbOptions())
	if err != nil {
		return err
	}
	p.kb = k
	defer func() {
		if err != nil {
			k.Close()
		}
	}()
	p.logContentErrors(k.Errors())
	var source orders.Source
	secret := []byte(p.cfg.TokenSecret)
	var demoCustomers []chat.Identity
	if p.cfg.OrdersURL != "" {
		source = orders.NewHTTP(orders.HTTPConfig{BaseURL: p.cfg.OrdersURL, Token: p.cfg.OrdersToken})
	} else {
		demo := orders.NewDemo(db, nil)
		if err := demo.Seed(); err != nil {
			return err
		}
		source = demo
		// Demo mode: the demo page signs tokens for the demo customers,
		// with a random per-process secret when none is configured.
		for _, c := range orders.DemoCustomers {
			demoCustomers = append(demoCustomers, chat.Identity{CustomerID: c.ID, Email: c.Email})
		}
		if len(secret) == 0 {
			secret = make([]byte, 32)
			if _, err := rand.Read(secret); err != nil {
				return fmt.Errorf("demo token secret: %w", err)
			}
		}
	}
	metered := orders.Meter(source)
	source = metered
	hours := chat.DefaultHours
	if len(p.cfg.Holidays) > 0 {
		hours.Holidays = p.cfg.Holidays
	}
	bot := chat.New(k, db, chat.Options{ShopName: p.cfg.ShopName, Orders: source, AfterMisses: p.cfg.AfterMisses,
		Hours: &hours, Phone: p.cfg.Phone, PhoneHours: p.cfg.PhoneHours, Now: p.now, SupportEmail: p.cfg.SupportEmail,
		Mailer: mailer.New(mailer.Config{Addr: p.cfg.SMTPAddr, From: p.cfg.SMTPFrom, User: p.cfg.SMTPUser, Password: p.cfg.SMTPPassword})})
	p.bot = bot
	p.srv = server.New(server.Config{WidgetOrigins: p.cfg.WidgetOrigins, TokenSecret: secret, ShopName: p.cfg.ShopName, Color: p.cfg.Color,
		Orders: metered, MetricsToken: p.cfg.MetricsToken,
		DemoCustomers: demoCustomers}, bot, k,
		accounts.New(db, accounts.Options{}), p.logger)
	ln, err := net.Listen("tcp", p.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", p.cfg.Addr, err)
	}
	p.ln = ln
	p.served = make(chan error, 1)
	go func() { p.served <- p.srv.Serve(ln) }()
	return nil
}

// openDB opens the data dir's bbolt file, creating the dir. A second
// Guichet on the same dir fails after a second, saying why.
func openDB(dataDir string) (*bbolt.DB, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dataDir, "guichet.db")
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: already in use by another Guichet (one data dir per instance; stop it to add users)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

func (p *program) kbOptions() kb.Options {
	opts := kb.Options{Content: contentFS(p.cfg.ContentDir), Dir: p.cfg.ContentDir, IndexPath: filepath.Join(p.cfg.DataDir, "index"), Statuses: orders.Codes()}
	if p.cfg.ContentDir != "" {
		opts.OnReload = func(articles int, errs []*kb.ValidationError, err error) {
			if err != nil {
				p.logger.Error("content reload failed", "err", err)
				return
			}
			p.logger.Info("content reloaded", "articles", articles, "errors", len(errs))
			p.logContentErrors(errs)
		}
	}
	return opts
}

// logContentErrors tells the operator what editors must fix.
func (p *program) logContentErrors(errs []*kb.ValidationError) {
	for _, e := range errs {
		p.logger.Warn("content error", "file", e.File, "line", e.Line, "message", e.Message)
	}
}

func (p *program) addr() string { return p.ln.Addr().String() }

// stop ends the event streams, shuts the server down, then closes the
// index, then the database.
func (p *program) stop(ctx context.Context) error {
	p.bot.Close()
	errs := []error{p.srv.Shutdown(ctx)}
	// Shutdown does nothing if Serve has not started yet; closing the
	// listener ends Serve in every case.
	_ = p.ln.Close()
	if err := <-p.served; err != nil && !errors.Is(err, net.ErrClosed) {
		errs = append(errs, err)
	}
	errs = append(errs, p.kb.Close())
	if err := p.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close database: %w", err))
	}
	return errors.Join(errs...)
}

// contentFS returns the content directory, or the embedded sample.
func contentFS(dir string) fs.FS {
	if dir == "" {
		return content.FS
	}
	return os.DirFS(dir)
}

// runCheck validates a content directory: "guichet check --content DIR".
func runCheck(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("check", flag.ContinueOnError)
	fset.SetOutput(stderr)
	dir := fset.String("content", "", "content directory to check (default: embedded sample)")
	if err := fset.Parse(args); err != nil {
		return err
	}
	rep, err := kb.Check(contentFS(*dir), orders.Codes())
	if err != nil {
		return err
	}
	for _, e := range rep.Errors {
		fmt.Fprintln(stdout, e.Error())
	}
	if len(rep.Errors) > 0 {
		fmt.Fprintln(stdout)
	}
	writeHealth(stdout, rep.Health)
	fmt.Fprintf(stdout, "%d article(s) valide(s), %d erreur(s)\n", rep.Valid, len(rep.Errors))
	if len(rep.Errors) > 0 {
		return fmt.Errorf("%d content error(s)", len(rep.Errors))
	}
	return nil
}

// runIntents lists the built-in intent library: "guichet intents".
func runIntents(stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "intention\tlibellé\tformulations")
	for _, in := range nlu.Library() {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", in.ID, in.Label, len(in.Phrasings))
	}
	return tw.Flush()
}

// writeHealth prints how well the bot knows each article, for editors.
func writeHealth(w io.Writer, hs []kb.Health) {
	pct := func(x float64) string {
		if x < 0 {
			return "—"
		}
		return fmt.Sprintf("%.0f %%", 100*x)
	}
	names := func(refs []kb.IntentRef, withID bool) string {
		var parts []string
		for _, r := range refs {
			if withID {
				parts = append(parts, r.ID+" ("+r.Title+")")
			} else {
				parts = append(parts, "« "+r.Title+" »")
			}
		}
		return strings.Join(parts, ", ")
	}
	for _, h := range hs {
		fmt.Fprintf(w, "%s — « %s »\n", h.ID, h.Title)
		switch {
		case len(h.Intents) > 0 && h.Fixed:
			fmt.Fprintf(w, "  intentions (choisies dans l’en-tête) : %s\n", names(h.Intents, true))
		case len(h.Intents) > 0:
			fmt.Fprintf(w, "  intentions : %s\n", names(h.Intents, true))
		case h.Fixed:
			fmt.Fprintln(w, "  intentions : aucune (refusées dans l’en-tête)")
		default:
			fmt.Fprintln(w, "  intentions : aucune")
		}
		fmt.Fprintf(w, "  retrouvé par ses exemples : %s · par les phrases de sa réponse : %s\n", pct(h.ExampleRecall), pct(h.ProbeRecall))
		if len(h.Neighbours) > 0 {
			fmt.Fprintf(w, "  proche de : %s\n", names(h.Neighbours, false))
		}
		for _, a := range h.Advice {
			fmt.Fprintf(w, "  ⚠ %s\n", a)
		}
	}
}

// runUser manages accounts: "guichet user add -name NAME -role ROLE", the
// password read from standard input (never a flag: it would show in the
// process list and the shell history).
func runUser(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: guichet user add -name NAME -role agent|editor|admin [-data DIR] < password")
	}
	fset := flag.NewFlagSet("user add", flag.ContinueOnError)
	fset.SetOutput(stderr)
	dataDir := defaultConfig().DataDir
	if v := getenv("GUICHET_DATA_DIR"); v != "" {
		dataDir = v
	}
	fset.StringVar(&dataDir, "data", dataDir, "data directory")
	name := fset.String("name", "", "login name")
	role := fset.String("role", "agent", "agent, editor or admin")
	if err := fset.Parse(args[1:]); err != nil {
		return err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return errors.New("type the password on standard input, e.g. echo 'un long mot de passe' | guichet user add …")
	}
	db, err := openDB(dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := accounts.New(db, accounts.Options{}).Add(*name, accounts.Role(*role), strings.TrimRight(line, "\r\n")); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "utilisateur %s (%s) créé\n", *name, *role)
	return nil
}

// runEval measures matching on a labelled file:
// "guichet eval --content DIR --questions FILE.jsonl [--json]".
func runEval(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("eval", flag.ContinueOnError)
	fset.SetOutput(stderr)
	dir := fset.String("content", "", "content directory (default: embedded sample)")
	file := fset.String("questions", "", "JSON Lines file of {\"q\": ..., \"expect\": ...}")
	asJSON := fset.Bool("json", false, "print the report as one JSON object")
	maxEx := fset.Int("max-examples", 0, "keep only the first N example questions of each article (0: all)")
	weights := fset.String("weights", "", "matcher weights to try instead of the defaults, e.g. Passage=0.6,Temp=10")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if *maxEx < 0 {
		return errors.New("--max-examples must be 0 (all) or more")
	}
	w, err := nlu.ParseWeights(*weights)
	if err != nil {
		return fmt.Errorf("--weights: %w", err)
	}
	if *file == "" {
		return errors.New("eval needs --questions FILE.jsonl")
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	qs, err := chat.ReadQuestions(f)
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	tmp, err := os.MkdirTemp("", "guichet-eval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	k, err := kb.Open(kb.Options{Content: contentFS(*dir), IndexPath: filepath.Join(tmp, "index"), Statuses: orders.Codes(), MaxExamples: *maxEx, Weights: w})
	if err != nil {
		return err
	}
	defer k.Close()
	for _, e := range k.Errors() {
		fmt.Fprintln(stderr, "content error:", e.Error())
	}
	rep := chat.New(k, nil, chat.Options{}).Evaluate(qs)
	if *asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	return rep.WriteText(stdout)
}
