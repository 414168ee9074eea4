// Command guichet is a self-hosted knowledge base and self-care chatbot for
// French e-commerce customer service.
//
// main only wires: configuration, logger, storage, knowledge base, chat and
// HTTP server, start and stop. Subcommands: "check" validates a content
// directory, "eval" measures matching quality on a labelled file.
package main

import (
	"cmp"
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
	"net/netip"
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
	"github.com/guichet/guichet/editor"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/mailer"
	"github.com/guichet/guichet/nlu"
	"github.com/guichet/guichet/orders"
	"github.com/guichet/guichet/reports"
	"github.com/guichet/guichet/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return // -h: the options were printed
	}
	if err != nil {
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
		case "backup":
			return runBackup(args[1:], getenv, stdout, stderr)
		case "forget":
			return runForget(args[1:], getenv, stdout, stderr)
		case "serve":
			args = args[1:]
		default:
			if !strings.HasPrefix(args[0], "-") {
				// "guichet chek" must not start the sample shop on :8080.
				return fmt.Errorf("commande inconnue « %s » : utilisez serve (par défaut), user, check, intents, eval, backup ou forget", args[0])
			}
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
	p.logger.Info("guichet started", "url", serveURL(p.ln.Addr()), "config", cfg.String())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.stop(sctx)
}

// parseFlags parses a command's options, saying in French what is wrong
// (the flag package says it in English); fset.Usage lists the options.
func parseFlags(fset *flag.FlagSet, args []string, stderr io.Writer) error {
	fset.SetOutput(io.Discard) // fset.Usage writes to stderr itself
	err := fset.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	msg := err.Error()
	for en, fr := range map[string]string{
		"flag provided but not defined: ": "option inconnue : ",
		"flag needs an argument: ":        "cette option attend une valeur : ",
		"invalid value ":                  "valeur invalide ",
		" for flag ":                      " pour l’option ",
		": parse error":                   " : un nombre est attendu",
	} {
		msg = strings.Replace(msg, en, fr, 1)
	}
	return errors.New(msg)
}

// printFlags lists a command's options in French (flag.PrintDefaults
// writes « default »).
func printFlags(w io.Writer, fset *flag.FlagSet) {
	fset.VisitAll(func(f *flag.Flag) {
		fmt.Fprintf(w, "  -%s\n    \t%s", f.Name, f.Usage)
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			fmt.Fprintf(w, " (par défaut : %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// serveURL is the URL to open for the address Guichet listens on: an
// unspecified host (":8080" binds every interface) is reached at localhost.
func serveURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// config is the whole configuration. Precedence: defaults < GUICHET_* env
// < flags.
type config struct {
	Addr          string
	DataDir       string
	ContentDir    string
	WidgetOrigins []string
	// TrustedProxies are the reverse proxies (CIDRs) whose X-Forwarded-For
	// gives the client's address.
	TrustedProxies []netip.Prefix
	ShopName       string
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
	// RetentionMonths: conversations and cases are deleted this long after
	// their last activity (13).
	RetentionMonths int
	Holidays        []string
	Phone           string
	PhoneHours      string
	// The shop settings file (guichet.yaml) and what only it sets: the
	// greeting, the quick topics (article ids), the weekly hours (nil: the
	// default) and the callback slots.
	SettingsFile   string
	Greeting       string
	ContactArticle string
	Topics         []string
	Week           *[7]chat.Span
	Slots          []chat.Span
	// TimeZone is the shop's time zone for the times agents read.
	TimeZone string
	// LiveChatWait is how long a live chat may wait before the customer is
	// offered a callback or an e-mail.
	LiveChatWait time.Duration
	// ChatRate is how many chat requests one client may make per minute.
	ChatRate int
	// SMTP server for e-mail requests and transcripts; SupportEmail
	// receives the requests.
	SMTPAddr, SMTPFrom, SMTPUser string
	SupportEmail                 string
	// Customer tokens: the id ("kid") of the secret, the previous secret
	// and its id while the shop rotates, the audience ("guichet").
	TokenKeyID, TokenKeyIDPrevious, TokenAudience string
	// Secrets, from the environment only.
	OrdersToken         string
	TokenSecret         string
	TokenSecretPrevious string
	MetricsToken        string
	SMTPPassword        string
}

func defaultConfig() config {
	return config{Addr: ":8080", DataDir: "data", LogLevel: "info", LogFormat: "text", RetentionMonths: 13, ChatRate: 60,
		TimeZone: "Europe/Paris", LiveChatWait: 5 * time.Minute}
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
	env(&cfg.TokenKeyID, "GUICHET_TOKEN_KID")
	env(&cfg.TokenSecretPrevious, "GUICHET_TOKEN_SECRET_PREVIOUS")
	env(&cfg.TokenKeyIDPrevious, "GUICHET_TOKEN_KID_PREVIOUS")
	env(&cfg.TokenAudience, "GUICHET_TOKEN_AUDIENCE")
	env(&cfg.MetricsToken, "GUICHET_METRICS_TOKEN")
	env(&cfg.SMTPAddr, "GUICHET_SMTP_ADDR")
	env(&cfg.SMTPFrom, "GUICHET_SMTP_FROM")
	env(&cfg.SMTPUser, "GUICHET_SMTP_USER")
	env(&cfg.SMTPPassword, "GUICHET_SMTP_PASSWORD")
	env(&cfg.SupportEmail, "GUICHET_SUPPORT_EMAIL")
	env(&cfg.Phone, "GUICHET_PHONE")
	env(&cfg.PhoneHours, "GUICHET_PHONE_HOURS")
	env(&cfg.SettingsFile, "GUICHET_SETTINGS")
	env(&cfg.TimeZone, "GUICHET_TIMEZONE")
	if v := getenv("GUICHET_LIVE_CHAT_WAIT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return cfg, fmt.Errorf("GUICHET_LIVE_CHAT_WAIT=%q: want a duration such as 5m", v)
		}
		cfg.LiveChatWait = d
	}
	origins := getenv("GUICHET_WIDGET_ORIGINS")
	proxies := getenv("GUICHET_TRUSTED_PROXIES")
	holidays := getenv("GUICHET_HOLIDAYS")
	if v := getenv("GUICHET_RETENTION_MONTHS"); v != "" {
		if _, err := fmt.Sscan(v, &cfg.RetentionMonths); err != nil {
			return cfg, fmt.Errorf("GUICHET_RETENTION_MONTHS=%q : un nombre de mois est attendu", v)
		}
	}
	if v := getenv("GUICHET_CHAT_RATE"); v != "" {
		if _, err := fmt.Sscan(v, &cfg.ChatRate); err != nil {
			return cfg, fmt.Errorf("GUICHET_CHAT_RATE=%q : un nombre de requêtes par minute est attendu", v)
		}
	}
	if v := getenv("GUICHET_HANDOFF_AFTER_MISSES"); v != "" {
		if _, err := fmt.Sscan(v, &cfg.AfterMisses); err != nil {
			return cfg, fmt.Errorf("GUICHET_HANDOFF_AFTER_MISSES=%q : un nombre est attendu", v)
		}
	}

	fset := flag.NewFlagSet("guichet", flag.ContinueOnError)
	fset.Usage = func() {
		fmt.Fprintln(stderr, "usage : guichet [serve] [options] | user | check | intents | eval | backup | forget\noptions du service :")
		printFlags(stderr, fset)
	}
	fset.StringVar(&cfg.Addr, "addr", cfg.Addr, "adresse d’écoute, hôte:port")
	fset.StringVar(&cfg.DataDir, "data", cfg.DataDir, "dossier des données (fichier bbolt et index de recherche)")
	fset.StringVar(&cfg.ContentDir, "content", cfg.ContentDir, "dossier des articles Markdown, relus à chaque changement (par défaut : le contenu d’exemple intégré)")
	fset.StringVar(&origins, "widget-origins", origins, "origines (séparées par des virgules) des pages de la boutique qui intègrent le widget")
	fset.StringVar(&proxies, "trusted-proxies", proxies, "CIDR (séparés par des virgules) des proxys dont on croit X-Forwarded-For, par exemple 127.0.0.1/32")
	fset.StringVar(&cfg.SettingsFile, "settings", cfg.SettingsFile, "fichier des réglages de la boutique (par défaut : guichet.yaml s’il existe)")
	fset.StringVar(&cfg.ShopName, "shop-name", cfg.ShopName, "nom de la boutique, dit par l’assistant (par défaut : celui des réglages)")
	fset.StringVar(&cfg.Color, "color", cfg.Color, "couleur de la boutique pour le centre d’aide, #rrggbb (par défaut : le bleu du widget)")
	fset.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "niveau de journal : debug, info, warn ou error")
	fset.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "format du journal : text ou json")
	fset.StringVar(&cfg.OrdersURL, "orders-url", cfg.OrdersURL, "URL de base de l’API des commandes du marchand (par défaut : commandes de démonstration)")
	fset.IntVar(&cfg.RetentionMonths, "retention-months", cfg.RetentionMonths, "mois de conservation des conversations et demandes après leur dernière activité")
	fset.IntVar(&cfg.ChatRate, "chat-rate", cfg.ChatRate, "requêtes de chat permises par minute à chaque client (adresse IP)")
	fset.IntVar(&cfg.AfterMisses, "handoff-after-misses", cfg.AfterMisses, "questions sans réponse d’affilée avant de proposer un conseiller (par défaut 2)")
	fset.StringVar(&holidays, "holidays", holidays, "jours fermés AAAA-MM-JJ, séparés par des virgules (par défaut : jours fériés 2026-2027)")
	fset.StringVar(&cfg.Phone, "phone", cfg.Phone, "numéro du service client (par défaut : celui des réglages)")
	fset.StringVar(&cfg.PhoneHours, "phone-hours", cfg.PhoneHours, "horaires du téléphone, tels que dits aux clients (par défaut : les heures d’ouverture)")
	fset.StringVar(&cfg.TimeZone, "timezone", cfg.TimeZone, "fuseau horaire de la boutique, pour les heures que lisent les conseillers (nom IANA)")
	fset.DurationVar(&cfg.LiveChatWait, "live-chat-wait", cfg.LiveChatWait, "attente d’un chat en direct avant de proposer au client un rappel ou un e-mail")
	if err := parseFlags(fset, args, stderr); err != nil {
		return cfg, err
	}
	for _, d := range strings.Split(holidays, ",") {
		if d = strings.TrimSpace(d); d != "" {
			cfg.Holidays = append(cfg.Holidays, d)
		}
	}
	for _, p := range strings.Split(proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := parseProxy(p)
		if err != nil {
			return cfg, err
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, prefix)
	}
	for _, o := range strings.Split(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.WidgetOrigins = append(cfg.WidgetOrigins, strings.TrimRight(o, "/"))
		}
	}
	settings, required := cfg.SettingsFile, cfg.SettingsFile != ""
	if !required {
		settings = "guichet.yaml"
	}
	if err := readSettings(settings, required, &cfg); err != nil {
		return cfg, err
	}
	return cfg, cfg.validate()
}

// parseProxy reads a trusted proxy: a CIDR, or one address.
func parseProxy(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("proxy de confiance %q : indiquez un CIDR comme 10.0.0.0/8 ou une adresse comme 127.0.0.1", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (c config) validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("adresse d’écoute %q invalide (hôte:port attendu, par exemple :8080) : %w", c.Addr, err)
	}
	if c.DataDir == "" {
		return errors.New("le dossier des données ne peut pas être vide (-data ou GUICHET_DATA_DIR)")
	}
	if c.ContentDir != "" {
		if fi, err := os.Stat(c.ContentDir); err != nil || !fi.IsDir() {
			return fmt.Errorf("le dossier des articles %q n’est pas un dossier lisible", c.ContentDir)
		}
	}
	for _, o := range c.WidgetOrigins {
		if !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
			return fmt.Errorf("l’origine du widget %q doit commencer par http:// ou https://", o)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("niveau de journal %q : choisissez debug, info, warn ou error", c.LogLevel)
	}
	if c.Color != "" && !regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`).MatchString(c.Color) {
		return fmt.Errorf("color %q: use a hex colour such as #2d4a3e", c.Color)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("format de journal %q : choisissez text ou json", c.LogFormat)
	}
	if c.OrdersURL != "" && !strings.HasPrefix(c.OrdersURL, "http://") && !strings.HasPrefix(c.OrdersURL, "https://") {
		return fmt.Errorf("l’URL des commandes %q doit commencer par http:// ou https://", c.OrdersURL)
	}
	for _, d := range c.Holidays {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			return fmt.Errorf("jour férié %q : écrivez-le AAAA-MM-JJ", d)
		}
	}
	if c.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			return fmt.Errorf("adresse SMTP %q : hôte:port attendu", c.SMTPAddr)
		}
		if c.SMTPFrom == "" || c.SupportEmail == "" {
			return errors.New("avec GUICHET_SMTP_ADDR, indiquez GUICHET_SMTP_FROM (l’expéditeur) et GUICHET_SUPPORT_EMAIL (où vont les demandes par e-mail)")
		}
	}
	if c.RetentionMonths < 1 {
		return errors.New("la durée de conservation (-retention-months) doit être d’un mois au moins")
	}
	if c.ChatRate < 1 {
		return errors.New("chat-rate (GUICHET_CHAT_RATE) doit valoir 1 requête par minute ou plus")
	}
	if c.AfterMisses < 0 {
		return errors.New("handoff-after-misses doit valoir 1 ou plus")
	}
	if c.Phone == "" && c.PhoneHours != "" {
		return errors.New("des horaires de téléphone sans numéro : indiquez aussi le numéro (-phone, ou phone dans guichet.yaml)")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
		return fmt.Errorf("time zone %q: use an IANA name such as Europe/Paris", c.TimeZone)
	}
	if c.LiveChatWait < 30*time.Second {
		return errors.New("live-chat-wait must be 30s or more")
	}
	if c.TokenSecret != "" && len(c.TokenSecret) < 32 {
		return errors.New("GUICHET_TOKEN_SECRET doit faire au moins 32 caractères (une chaîne aléatoire, par exemple : openssl rand -hex 32)")
	}
	if c.TokenSecretPrevious != "" {
		switch {
		case c.TokenSecret == "":
			return errors.New("GUICHET_TOKEN_SECRET_PREVIOUS sert pendant un changement de secret : indiquez aussi le nouveau dans GUICHET_TOKEN_SECRET")
		case len(c.TokenSecretPrevious) < 32:
			return errors.New("GUICHET_TOKEN_SECRET_PREVIOUS doit faire au moins 32 caractères")
		case c.TokenKeyID != "" && c.TokenKeyID == c.TokenKeyIDPrevious:
			return errors.New("GUICHET_TOKEN_KID et GUICHET_TOKEN_KID_PREVIOUS doivent différer : le kid dit quel secret a signé un jeton")
		}
	}
	return nil
}

// String is the effective configuration for the start-up log, secrets
// masked.
func (c config) String() string {
	content := c.ContentDir
	if content == "" {
		content = filepath.Join(c.DataDir, "content") + " (a copy of the embedded sample, made on the first run)"
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
	return fmt.Sprintf("addr=%s data=%s content=%s widget_origins=%v trusted_proxies=%v shop=%q orders=%s orders_token=%s token_secret=%s token_secret_previous=%s token_kid=%q metrics_token=%s smtp=%s smtp_password=%s retention_months=%d chat_rate=%d/min timezone=%s live_chat_wait=%s log=%s/%s",
		c.Addr, c.DataDir, content, c.WidgetOrigins, c.TrustedProxies, c.ShopName, ordersURL, set(c.OrdersToken), set(c.TokenSecret), set(c.TokenSecretPrevious), c.TokenKeyID, set(c.MetricsToken), smtp, set(c.SMTPPassword), c.RetentionMonths, c.ChatRate, c.TimeZone, c.LiveChatWait, c.LogLevel, c.LogFormat)
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

	db *bbolt.DB
	kb *kb.KB
	// contentDir is the directory of articles served and edited.
	contentDir string
	bot        *chat.Bot
	srv        *server.Server
	ctl        *control
	users      *accounts.Store
	// reports keeps the counters behind /reports.
	reports *reports.Book
	ln      net.Listener
	// pruning is closed to stop the retention job, which closes pruned.
	pruning, pruned chan struct{}
	served          chan error
	stopWatch       func() // stops the live chat sweeps and waits for the last one
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
	if p.contentDir, err = editableContent(p.cfg.DataDir, p.cfg.ContentDir); err != nil {
		return err
	}
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
	var keys []server.TokenKey
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
	keys = append(keys, server.TokenKey{ID: p.cfg.TokenKeyID, Secret: secret})
	if p.cfg.TokenSecretPrevious != "" {
		keys = append(keys, server.TokenKey{ID: p.cfg.TokenKeyIDPrevious, Secret: []byte(p.cfg.TokenSecretPrevious)})
	}
	if len(secret) == 0 {
		keys = nil // no secret: tokens are refused
	}
	shop, err := p.shop(k)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(p.cfg.TimeZone)
	if err != nil {
		return fmt.Errorf("time zone %q: %w", p.cfg.TimeZone, err)
	}
	book := reports.New(db, reports.Options{Location: loc, Now: p.now})
	p.reports = book
	bot := chat.New(k, db, chat.Options{Reports: book, ShopName: shop.ShopName, Greeting: shop.Greeting, Topics: shop.Topics, ContactArticle: shop.ContactArticle, Orders: source, AfterMisses: p.cfg.AfterMisses, RetentionMonths: p.cfg.RetentionMonths,
		Hours: shop.Hours, Phone: shop.Phone, PhoneHours: shop.PhoneHours, Now: p.now, SupportEmail: p.cfg.SupportEmail,
		LiveChatWait: p.cfg.LiveChatWait, AttachmentsDir: filepath.Join(p.cfg.DataDir, "attachments"),
		Mailer: mailer.New(mailer.Config{Addr: p.cfg.SMTPAddr, From: p.cfg.SMTPFrom, User: p.cfg.SMTPUser, Password: p.cfg.SMTPPassword})})
	p.bot = bot
	users := accounts.New(db, accounts.Options{})
	p.users = users
	p.srv = server.New(server.Config{WidgetOrigins: p.cfg.WidgetOrigins, Tokens: server.Tokens{Keys: keys, Audience: p.cfg.TokenAudience}, ShopName: cmp.Or(shop.ShopName, "Guichet"),
		DemoCustomers: demoCustomers, TrustedProxies: p.cfg.TrustedProxies, Location: loc,
		Color: p.cfg.Color, ChatRate: p.cfg.ChatRate, Orders: metered, MetricsToken: p.cfg.MetricsToken, Reports: book,
		Editor: editor.New(db, editor.Options{Dir: p.contentDir, Now: p.now})}, bot, k, users, p.logger)
	// Without the control socket (a data dir path too long for one, say)
	// the service still serves; only the commands need it while it runs.
	ctl, cerr := startControl(p.cfg.DataDir, db, users, bot)
	if cerr != nil {
		p.logger.Warn("no control socket: user, backup and forget need the service stopped", "err", cerr)
	} else {
		defer func() {
			if err != nil {
				ctl.close()
			}
		}()
		p.ctl = ctl
	}
	ln, err := net.Listen("tcp", p.cfg.Addr)
	if err != nil {
		return fmt.Errorf("écouter sur %s : %w", p.cfg.Addr, err)
	}
	p.ln = ln
	p.served = make(chan error, 1)
	go func() { p.served <- p.srv.Serve(ln) }()
	p.pruning = make(chan struct{})
	p.pruned = make(chan struct{})
	go p.prune(time.Hour)
	// Live chats nobody takes, agents gone idle: looked at every 15 s.
	watch, stopWatch := context.WithCancel(context.Background())
	watched := make(chan struct{})
	p.stopWatch = func() { stopWatch(); <-watched }
	go func() {
		defer close(watched)
		bot.Watch(watch, 15*time.Second, func(err error) { p.logger.Error("live chat sweep", "err", err) })
	}()
	return nil
}

// prune deletes what is past the retention period, at start and then
// every interval, until stop.
func (p *program) prune(every time.Duration) {
	defer close(p.pruned)
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		n, err := p.bot.Prune(context.Background())
		switch {
		case err != nil:
			p.logger.Error("retention: pruning failed", "err", err)
		case n.Conversations > 0 || n.Cases > 0:
			p.logger.Info("retention: pruned", "conversations", n.Conversations, "cases", n.Cases, "months", p.cfg.RetentionMonths)
		}
		if _, err := p.reports.Prune(context.Background()); err != nil {
			p.logger.Error("retention: pruning report states failed", "err", err)
		}
		if _, err := p.users.PruneSessions(); err != nil {
			p.logger.Error("retention: pruning sessions failed", "err", err)
		}
		select {
		case <-ticker.C:
		case <-p.pruning:
			return
		}
	}
}

// sampleShop is what the sample content says of its shop, Maison Colibri:
// used only with the sample content, never for a shop's own.
var sampleShop = chat.Options{ShopName: "Maison Colibri", Phone: "01 86 95 42 10",
	Topics: []string{"suivi-colis", "retourner-article", "delai-remboursement", "nous-contacter"}}

// shop is what the bot says of the shop: the settings, with the sample
// shop's name and phone when serving the sample content, and the quick
// topics checked against the content.
func (p *program) shop(k *kb.KB) (chat.Options, error) {
	c := p.cfg
	if c.ContentDir == "" {
		c.ShopName, c.Phone = cmp.Or(c.ShopName, sampleShop.ShopName), cmp.Or(c.Phone, sampleShop.Phone)
		if len(c.Topics) == 0 {
			c.Topics = sampleShop.Topics
		}
	}
	hours := chat.DefaultHours
	if c.Week != nil {
		hours.Week = *c.Week
	}
	if len(c.Holidays) > 0 {
		hours.Holidays = c.Holidays
	}
	hours.Slots = c.Slots
	for _, id := range c.Topics {
		if _, err := k.Article(id); err != nil {
			return chat.Options{}, fmt.Errorf("réglages : quick_topics : l’article « %s » n’existe pas dans le contenu", id)
		}
	}
	if c.ContactArticle != "" {
		if _, err := k.Article(c.ContactArticle); err != nil {
			return chat.Options{}, fmt.Errorf("réglages : contact_article : l’article « %s » n’existe pas dans le contenu", c.ContactArticle)
		}
	}
	return chat.Options{ShopName: c.ShopName, Greeting: c.Greeting, Topics: c.Topics, ContactArticle: c.ContactArticle,
		Hours: &hours, Phone: c.Phone, PhoneHours: c.PhoneHours}, nil
}

// openDB opens the data dir's bbolt file, creating the dir. A second
// Guichet on the same dir fails after a second, saying why.
func openDB(dataDir string) (*bbolt.DB, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("créer le dossier des données : %w", err)
	}
	path := filepath.Join(dataDir, "guichet.db")
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%s est déjà utilisé par un autre Guichet (un dossier de données par instance)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("ouvrir %s : %w", path, err)
	}
	return db, nil
}

func (p *program) kbOptions() kb.Options {
	return kb.Options{Content: os.DirFS(p.contentDir), Dir: p.contentDir, IndexPath: filepath.Join(p.cfg.DataDir, "index"), Statuses: orders.Codes(),
		OnReload: func(articles int, errs []*kb.ValidationError, err error) {
			if err != nil {
				p.logger.Error("content reload failed", "err", err)
				return
			}
			p.logger.Info("content reloaded", "articles", articles, "errors", len(errs))
			p.logContentErrors(errs)
		}}
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
	close(p.pruning)
	<-p.pruned
	p.stopWatch()
	p.bot.Close()
	errs := []error{p.srv.Shutdown(ctx)}
	// Shutdown does nothing if Serve has not started yet; closing the
	// listener ends Serve in every case.
	_ = p.ln.Close()
	if err := <-p.served; err != nil && !errors.Is(err, net.ErrClosed) {
		errs = append(errs, err)
	}
	if p.ctl != nil {
		if err := p.ctl.close(); err != nil {
			errs = append(errs, fmt.Errorf("close control socket: %w", err))
		}
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
		return fmt.Errorf("%d erreur(s) dans le contenu", len(rep.Errors))
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
		return errors.New("eval a besoin de --questions FICHIER.jsonl")
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
