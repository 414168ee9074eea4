package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/accounts"
	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/orders"
	"github.com/guichet/guichet/reports"
)

// mustReportsServer is a server with reports and the demo orders, on a
// fixed clock, with an agent (alice), a second agent (bob), an editor (eve)
// and an admin (root).
func mustReportsServer(tb testing.TB, now time.Time) (*Server, *chat.Bot, *reports.Book, *bbolt.DB) {
	tb.Helper()
	k, db := testKB(tb, kb.Options{}), testDB(tb)
	clock := func() time.Time { return now }
	users := testUsers(tb, db, map[string]accounts.Role{"alice": accounts.RoleAgent, "bob": accounts.RoleAgent, "eve": accounts.RoleEditor, "root": accounts.RoleAdmin})
	demo := orders.NewDemo(db, clock)
	if err := demo.Seed(); err != nil {
		tb.Fatal(err)
	}
	book := reports.New(db, reports.Options{Location: paris(), Now: clock})
	bot := chat.New(k, db, chat.Options{Now: clock, Reports: book, AgentsOnline: func() bool { return true }})
	s := New(Config{Reports: book, Orders: orders.Meter(demo)}, bot, k, users, slog.New(slog.NewTextHandler(&strings.Builder{}, nil)))
	return s, bot, book, db
}

func TestReportsPageAndRoles(t *testing.T) {
	now := time.Date(2026, 12, 1, 11, 0, 0, 0, paris())
	s, bot, _, _ := mustReportsServer(t, now)
	ctx := context.Background()
	// A self-service answer, a miss asked twice, and a live chat alice
	// answers and closes.
	c1, _ := bot.Start(ctx, nil)
	bot.Send(ctx, c1.ID, chat.Message{Text: "Comment annuler ma commande ?"})
	for _, q := range []string{"payer en bitcoin =1+1", "payer en bitcoin"} {
		c, _ := bot.Start(ctx, nil)
		bot.Send(ctx, c.ID, chat.Message{Text: q})
	}
	c2, _ := bot.Start(ctx, nil)
	bot.Send(ctx, c2.ID, chat.Message{Text: "je veux parler à un conseiller"})
	if _, err := bot.Handoff(ctx, c2.ID, chat.HandoffRequest{Channel: chat.ChannelLiveChat}); err != nil {
		t.Fatal(err)
	}
	if err := bot.AgentReply(ctx, c2.ID, "alice", "Bonjour !"); err != nil {
		t.Fatal(err)
	}
	if err := bot.CloseCase(ctx, c2.ID, "alice", "Remboursement"); err != nil {
		t.Fatal(err)
	}
	c3, _ := bot.Start(ctx, nil)
	if err := bot.AgentReply(ctx, c3.ID, "bob", "Bonjour, ici Bob."); err != nil {
		t.Fatal(err)
	}

	anon := &browser{t: t, s: s, cookies: map[string]string{}}
	if resp, _ := anon.do("GET", "/reports", nil); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/agent/login?next=/reports") {
		t.Errorf("anonymous: %d %s, want the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := anon.do("GET", "/reports/export/articles.csv", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous CSV: %d, want the login page", resp.StatusCode)
	}
	users := map[string]*browser{}
	for _, tc := range []struct {
		user      string
		path      string
		status    int
		want, not []string
	}{
		{"eve", "/reports", 200, []string{"Motifs de contact", "Self-service", "Annuler une commande", "Contacts pour 100 commandes", "payer en bitcoin", "<svg", "<title id=", "Remboursement", "alice"}, nil},
		{"root", "/reports?from=2026-11-01&to=2026-12-01", 200, []string{"du 1er novembre 2026 au 1er décembre 2026", `href="/reports/export/articles.csv?from=2026-11-01&amp;to=2026-12-01"`}, nil},
		{"alice", "/reports", 200, []string{"Vos chiffres", "alice"}, []string{"Motifs de contact", "bitcoin"}},
		{"bob", "/reports", 200, []string{"Vos chiffres", "<th scope=\"row\">bob</th>"}, []string{"alice"}},
		{"eve", "/reports?from=demain", 200, []string{"La date de début doit être au format AAAA-MM-JJ"}, nil},
		{"eve", "/reports/export/inconnue.csv", 404, nil, nil},
		// An agent exports only their own figures.
		{"alice", "/reports/export/articles.csv", 404, nil, nil},
		{"alice", "/reports/export/conseillers.csv", 200, []string{"alice;1;"}, []string{"bob"}},
	} {
		t.Run(tc.user+tc.path, func(t *testing.T) {
			b := users[tc.user]
			if b == nil {
				b = &browser{t: t, s: s, cookies: map[string]string{}}
				if resp, _ := b.login(tc.user, "un mot de passe solide"); resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("login: %d", resp.StatusCode)
				}
				users[tc.user] = b
			}
			b.t = t
			resp, body := b.do("GET", tc.path, nil)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("page shows %q", n)
				}
			}
			if tc.status == 200 && !strings.Contains(tc.path, ".csv") {
				if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "style-src 'self'") {
					t.Errorf("CSP %q is not strict", csp)
				}
				if strings.Contains(body, "<style") || strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
					t.Error("inline style or script in the page")
				}
			}
		})
	}
}

func TestReportsCSV(t *testing.T) {
	now := time.Date(2026, 12, 1, 11, 0, 0, 0, paris())
	s, bot, _, _ := mustReportsServer(t, now)
	ctx := context.Background()
	for _, q := range []string{"=HYPERLINK(\"x\"); payer en bitcoin", "payer en bitcoin", "Comment annuler ma commande ?"} {
		c, _ := bot.Start(ctx, nil)
		bot.Send(ctx, c.ID, chat.Message{Text: q})
	}
	b := &browser{t: t, s: s, cookies: map[string]string{}}
	b.login("eve", "un mot de passe solide")
	resp, body := b.do("GET", "/reports/export/sans-reponse.csv?from=2026-11-25&to=2026-12-01", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="guichet-sans-reponse-2026-11-25-2026-12-01.csv"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	want := "\ufeffQuestion (la plus récente);Fois;Autres formulations\n" +
		"payer en bitcoin;2;\"'=HYPERLINK(\"\"x\"\"); payer en bitcoin\"\n"
	if body != want {
		t.Errorf("CSV:\n%q\nwant\n%q", body, want)
	}
	// A chart's data is exported too, day by day.
	_, body = b.do("GET", "/reports/export/chart-outcomes.csv?from=2026-11-30&to=2026-12-01", nil)
	if want := "\ufeffPériode;Répondu;Précision demandée;Sans réponse;Autres (salutations, commande demandée…)\n30/11/2026;0;0;0;0\n01/12/2026;1;0;2;0\n"; body != want {
		t.Errorf("chart CSV:\n%q\nwant\n%q", body, want)
	}
	_, body = b.do("GET", "/reports/export/articles.csv?from=2026-11-25&to=2026-12-01", nil)
	if !strings.Contains(body, "Annuler une commande;1;100,0\u00a0%") {
		t.Errorf("articles CSV: %q", body)
	}
}

// BenchmarkReportsYear renders a year of reports over day buckets filled
// as a year of 1 million turns leaves them: about 2,740 turns a day over
// 1,300 conversations, 150 articles answered, misses, handoffs, closes,
// ratings, sellers and carriers.
func BenchmarkReportsYear(b *testing.B) {
	now := time.Date(2026, 12, 1, 11, 0, 0, 0, paris())
	s, _, book, db := mustReportsServer(b, now)
	fillYear(b, db, book, now)
	u := &browser{t: &testing.T{}, s: s, cookies: map[string]string{}}
	u.login("eve", "un mot de passe solide")
	path := "/reports?from=2025-12-02&to=2026-12-01"
	// CPU time, besides wall time: the machine is shared, and a report
	// waiting for a core is not a slow report.
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b.ResetTimer()
	start := cpu()
	for b.Loop() {
		resp, body := u.do("GET", path, nil)
		if resp.StatusCode != 200 || !strings.Contains(body, "Motifs de contact") {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(cpu()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// fillYear records, day by day, events standing for 1 million turns. Each
// conversation is recorded whole (its turns counted by one event each
// would take minutes); the day buckets hold the same keys and so cost
// the same to read.
func fillYear(tb testing.TB, db *bbolt.DB, book *reports.Book, now time.Time) {
	tb.Helper()
	yes := true
	conv := 0
	for day := 0; day < 365; day++ {
		at := now.AddDate(0, 0, -day)
		err := db.Update(func(tx *bbolt.Tx) error {
			for i := 0; i < 1300; i++ { // 1,300 conversations of 2.1 turns: 2,740 turns a day
				conv++
				id := fmt.Sprint("c", conv)
				e := reports.Event{Kind: reports.KindTurn, At: at, Conversation: id, Outcome: "answer", Article: fmt.Sprint("article-", i%150), Title: fmt.Sprint("Article ", i%150)}
				if i%3 == 0 {
					e.Customer = fmt.Sprint("cli-", conv%5000)
				}
				if i%7 == 0 {
					e.Order, e.Seller, e.Carrier, e.Status = fmt.Sprint(conv%9000), fmt.Sprint("Vendeur ", i%20), fmt.Sprint("Transporteur ", i%6), "delayed"
				}
				events := []reports.Event{e, {Kind: reports.KindTurn, At: at, Conversation: id, Outcome: "thanks", Helpful: &yes, Judged: e.Article}}
				switch i % 10 {
				case 0:
					events = append(events, reports.Event{Kind: reports.KindTurn, At: at, Conversation: id, Outcome: "miss"})
				case 1:
					events = append(events, reports.Event{Kind: reports.KindHandoff, At: at, Conversation: id, Channel: "live_chat"},
						reports.Event{Kind: reports.KindAgentMessage, At: at.Add(time.Duration(i) * time.Second), Conversation: id, Agent: fmt.Sprint("agent", i%12)},
						reports.Event{Kind: reports.KindClose, At: at.Add(time.Hour), Conversation: id, Case: id, Reason: chat.CloseReasons[i%7], Opened: at},
						reports.Event{Kind: reports.KindCSAT, At: at.Add(time.Hour), Conversation: id, Case: id, Score: 1 + i%5})
				case 2:
					events = append(events, reports.Event{Kind: reports.KindEffort, At: at, Conversation: id, Score: 1 + i%5})
				}
				for _, e := range events {
					if err := book.Record(tx, e); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// TestReportsContactsPer100Orders: the demo source counts its orders; an
// order system without GET /stats/orders gets a French explanation.
func TestReportsContactsPer100Orders(t *testing.T) {
	now := time.Date(2026, 12, 1, 11, 0, 0, 0, paris())
	s, bot, _, _ := mustReportsServer(t, now)
	ctx := context.Background()
	for range 3 {
		c, _ := bot.Start(ctx, nil)
		bot.Send(ctx, c.ID, chat.Message{Text: "Comment annuler ma commande ?"})
	}
	old := httptest.NewServer(http.NotFoundHandler())
	defer old.Close()
	without := New(Config{Reports: s.cfg.Reports, Orders: orders.Meter(orders.NewHTTP(orders.HTTPConfig{BaseURL: old.URL}))}, s.bot, s.kb, s.accounts, s.logger)
	for _, tc := range []struct {
		name string
		s    *Server
		want string
	}{
		// The 14 demo orders are placed within 30 days but one: 3
		// contacts for 13 orders.
		{"demo", s, "23,1"},
		{"without the endpoint", without, "ne donne pas le nombre de commandes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &browser{t: t, s: tc.s, cookies: map[string]string{}}
			b.login("root", "un mot de passe solide")
			_, body := b.do("GET", "/reports", nil)
			i := strings.Index(body, `data-testid="section-commandes"`)
			if i < 0 || !strings.Contains(body[i:], tc.want) {
				t.Errorf("contacts per 100 orders lack %q", tc.want)
			}
		})
	}
}
