package reports

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// clock is a fake clock tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func mustBook(tb testing.TB, loc *time.Location, c *clock) *Book {
	tb.Helper()
	db, err := bbolt.Open(filepath.Join(tb.TempDir(), "r.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return New(db, Options{Location: loc, Now: c.now})
}

func mustRecord(tb testing.TB, b *Book, events ...Event) {
	tb.Helper()
	err := b.db.Update(func(tx *bbolt.Tx) error {
		for _, e := range events {
			if err := b.Record(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func mustReport(tb testing.TB, b *Book, from, to time.Time) *Report {
	tb.Helper()
	r, err := b.Report(context.Background(), from, to)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Skipf("no time zone %s: %v", name, err)
	}
	return loc
}

// answer is a customer turn the bot answered with article.
func answer(conv string, at time.Time, article string) Event {
	return Event{Kind: KindTurn, At: at, Conversation: conv, Outcome: "answer", Article: article, Title: "Titre " + article}
}

func TestDurableResolution(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	day := time.Date(2026, 11, 2, 10, 0, 0, 0, paris)
	c := &clock{day}
	b := mustBook(t, paris, c)
	known := func(e Event, customer, order string) Event { e.Customer, e.Order = customer, order; return e }

	// Four conversations resolved by the bot on 2 November: one customer
	// comes back 6 days later (not durable), another 8 days later
	// (durable), one about an order is re-contacted through a logged phone
	// call 3 days later (not durable), and one anonymous visitor (never
	// durable, reported apart).
	mustRecord(t, b,
		known(answer("a", day, "suivi-colis"), "cli-1", ""),
		known(answer("b", day.Add(time.Hour), "retour"), "cli-2", ""),
		known(answer("c", day.Add(2*time.Hour), "suivi-colis"), "", "4581237"),
		answer("anon", day.Add(3*time.Hour), "suivi-colis"),
	)
	mustRecord(t, b,
		known(answer("a2", day.Add(6*24*time.Hour), "retour"), "cli-1", ""),
		known(answer("b2", day.Add(8*24*time.Hour+2*time.Hour), "retour"), "cli-2", ""),
		Event{Kind: KindClose, At: day.Add(3 * 24 * time.Hour), Case: "call-1", Channel: "phone", Order: "4581237",
			Reason: "Suivi de livraison", Agent: "alice", Opened: day.Add(3 * 24 * time.Hour)},
	)

	// On 5 November nothing of the 2nd is settled yet.
	c.t = day.Add(3 * 24 * time.Hour)
	r := mustReport(t, b, day, day)
	if got := r.SettledTotal("resolved_known"); got != 0 {
		t.Errorf("settled resolutions on the 5th: %d, want 0 (the window is open)", got)
	}
	// Three weeks later the 2nd is settled.
	c.t = day.Add(21 * 24 * time.Hour)
	r = mustReport(t, b, day, day)
	for key, want := range map[string]int64{
		"conv": 4, "resolved": 4, "resolved_known": 3, "resolved_anon": 1, "resolved_recontacted": 2, "recontacted": 2,
		"conv_anon": 1,
	} {
		if got := r.SettledTotal(key); got != want {
			t.Errorf("%q: %d, want %d", key, got, want)
		}
	}
	if got := r.Total("reason_known\x00a:suivi-colis"); got != 2 {
		t.Errorf("identified conversations about suivi-colis: %d, want 2", got)
	}
	if got := r.Total("reason_recontact\x00a:suivi-colis"); got != 2 {
		t.Errorf("re-contacts about suivi-colis: %d, want 2", got)
	}
	durable := r.SettledTotal("resolved_known") - r.SettledTotal("resolved_recontacted")
	if durable != 1 {
		t.Errorf("durable resolutions: %d, want 1 (cli-2, back after 8 days)", durable)
	}
	// The logged call is counted as a contact closed with its reason, on
	// its own day.
	r = mustReport(t, b, day, day.Add(10*24*time.Hour))
	if got := r.Labelled("close_reason", "Suivi de livraison"); got != 1 {
		t.Errorf("close reasons: %d, want 1", got)
	}
	if got := r.Total("order_repeat"); got != 1 {
		t.Errorf("repeated contacts about an order: %d, want 1", got)
	}
}

func TestRecontactWindowAndHandoff(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	start := time.Date(2026, 11, 10, 9, 0, 0, 0, paris)
	c := &clock{start.Add(60 * 24 * time.Hour)}
	for _, tc := range []struct {
		name      string
		back      time.Duration // when the customer writes again after the last event
		recontact bool
	}{
		{"the same day", 2 * time.Hour, true},
		{"just within 7 days", 7*24*time.Hour - time.Minute, true},
		{"just after 7 days", 7*24*time.Hour + time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := mustBook(t, paris, c)
			// A conversation handed to alice, who replies 4 minutes after
			// the live chat was asked for and closes it.
			first := Event{Kind: KindTurn, At: start, Conversation: "1", Customer: "cli-9", Outcome: "miss"}
			mustRecord(t, b, first,
				Event{Kind: KindHandoff, At: start.Add(time.Minute), Conversation: "1", Channel: "live_chat"},
				Event{Kind: KindAgentMessage, At: start.Add(5 * time.Minute), Conversation: "1", Agent: "alice"},
				Event{Kind: KindClose, At: start.Add(20 * time.Minute), Conversation: "1", Case: "k1", Agent: "alice",
					Reason: "Remboursement", Opened: start.Add(time.Minute)},
				Event{Kind: KindCSAT, At: start.Add(21 * time.Minute), Conversation: "1", Case: "k1", Score: 4},
				Event{Kind: KindCSAT, At: start.Add(22 * time.Minute), Conversation: "1", Case: "k1", Score: 1}, // once
			)
			mustRecord(t, b, Event{Kind: KindTurn, At: start.Add(22*time.Minute + tc.back), Conversation: "2", Customer: "cli-9", Outcome: "answer", Article: "x"})
			r := mustReport(t, b, start, start.Add(30*24*time.Hour))
			want := int64(0)
			if tc.recontact {
				want = 1
			}
			for _, key := range []string{"agent_recontact\x00alice", "reason_recontact\x00c:Remboursement", "recontacted"} {
				if got := r.Total(key); got != want {
					t.Errorf("%q: %d, want %d", key, got, want)
				}
			}
			for key, want := range map[string]int64{"wait_n": 1, "wait_s": 240, "wait_le\x005": 1, "agent_wait_s\x00alice": 240,
				"close_n": 1, "close_s": 19 * 60, "csat_n": 1, "csat_sum": 4, "agent_csat_sum\x00alice": 4,
				"handoff_reason\x00miss": 1, "handoff_channel\x00live_chat": 1, "resolved": 1, "conv_person": 1} {
				if got := r.Total(key); got != want {
					t.Errorf("%q: %d, want %d", key, got, want)
				}
			}
		})
	}
}

func TestDaysAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		zone string
		// Two instants an hour apart in UTC that fall on two local days
		// on a day the clocks change.
		late, early time.Time
		days        int // in the range of the change day and the next
	}{
		// Paris goes back from CEST to CET on 25 October 2026: 23:30 local
		// is 22:30 UTC, and 00:30 the next day is 23:30 UTC.
		{"Europe/Paris", time.Date(2026, 10, 25, 22, 30, 0, 0, time.UTC), time.Date(2026, 10, 25, 23, 30, 0, 0, time.UTC), 2},
		// New York springs forward on 8 March 2026 (EST -> EDT).
		{"America/New_York", time.Date(2026, 3, 9, 3, 30, 0, 0, time.UTC), time.Date(2026, 3, 9, 4, 30, 0, 0, time.UTC), 2},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			loc := mustZone(t, tc.zone)
			b := mustBook(t, loc, &clock{tc.early.Add(30 * 24 * time.Hour)})
			mustRecord(t, b, answer("late", tc.late, "a"), answer("early", tc.early, "a"))
			r := mustReport(t, b, tc.late, tc.early)
			if len(r.Days) != tc.days {
				t.Fatalf("days in the range: %d, want %d", len(r.Days), tc.days)
			}
			for i, d := range r.Days {
				if d.Counts["turns"] != 1 {
					t.Errorf("day %d (%s): %d turns, want 1", i, d.Date, d.Counts["turns"])
				}
				if h, m, _ := d.Date.Clock(); h != 0 || m != 0 {
					t.Errorf("day %d starts at %02d:%02d, want midnight", i, h, m)
				}
			}
			// A range over the change keeps every calendar day once.
			local := tc.late.In(loc)
			week := mustReport(t, b, local.AddDate(0, 0, -3), local.AddDate(0, 0, 3))
			if len(week.Days) != 7 {
				t.Errorf("a week around the change: %d days, want 7", len(week.Days))
			}
		})
	}
}

func TestFeedbackAndEffort(t *testing.T) {
	c := &clock{time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	b := mustBook(t, time.UTC, c)
	yes, no := true, false
	mustRecord(t, b,
		answer("1", c.t, "retour"),
		Event{Kind: KindTurn, At: c.t, Conversation: "1", Outcome: "thanks", Helpful: &yes, Judged: "retour"},
		Event{Kind: KindEffort, At: c.t, Conversation: "1", Score: 2},
		Event{Kind: KindEffort, At: c.t, Conversation: "1", Score: 5}, // once per conversation
		answer("2", c.t, "retour"),
		Event{Kind: KindTurn, At: c.t, Conversation: "2", Outcome: "clarify", Helpful: &no, Judged: "retour"},
		Event{Kind: KindArticleFeedback, At: c.t, Article: "retour", Helpful: &no},
	)
	r := mustReport(t, b, c.t, c.t)
	for key, want := range map[string]int64{"chat_helpful\x00retour": 1, "chat_unhelpful\x00retour": 1, "aide_unhelpful\x00retour": 1,
		"ces_n": 1, "ces_sum": 2, "resolved": 1, "answered\x00retour": 2} {
		if got := r.Total(key); got != want {
			t.Errorf("%q: %d, want %d", key, got, want)
		}
	}
	if r.Names["retour"] != "Titre retour" {
		t.Errorf("article title: %q", r.Names["retour"])
	}
}

func TestSimilar(t *testing.T) {
	got := Similar([]string{"mon colis n'est pas arrivé", "je veux payer en bitcoin", "Colis pas arrivé", "paiement bitcoin possible ?", "colis pas arrivé !"})
	if len(got) != 2 || got[0].Count != 3 || got[0].Text != "mon colis n'est pas arrivé" || got[1].Count != 2 {
		t.Fatalf("groups: %+v", got)
	}
}

func TestPruneForgetsWhatNoLongerSettles(t *testing.T) {
	c := &clock{time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	b := mustBook(t, time.UTC, c)
	e := answer("old", c.t, "retour")
	e.Customer = "cli-1"
	recent := answer("recent", c.t.Add(28*24*time.Hour), "retour") // its state stays
	mustRecord(t, b, e, recent)
	c.t = c.t.Add(31 * 24 * time.Hour)
	n, err := b.Prune(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want the state and the last contact", n, err)
	}
	// The day keeps its counters, and the customer coming back now is a
	// first contact again.
	e = answer("new", c.t, "retour")
	e.Customer = "cli-1"
	mustRecord(t, b, e)
	r := mustReport(t, b, c.t.Add(-40*24*time.Hour), c.t)
	if got, want := r.Total("resolved"), int64(3); got != want {
		t.Errorf("resolved: %d, want %d", got, want)
	}
	if got := r.Total("recontacted"); got != 0 {
		t.Errorf("re-contacted after a month: %d, want 0", got)
	}
}

// TestStateKeptToTenMinutes checks that a turn which changes nothing of
// its conversation's state but the time of its last event leaves the
// stored state as it is (one page less written per turn), while its
// counters still count, and that pruning still goes by the last event,
// to ten minutes.
func TestStateKeptToTenMinutes(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	c := &clock{start}
	b := mustBook(t, time.UTC, c)
	stored := func() string {
		var v []byte
		b.db.View(func(tx *bbolt.Tx) error {
			v = slices.Clone(tx.Bucket(bucketConvs).Get([]byte("1")))
			return nil
		})
		return string(v)
	}
	clarify := func(at time.Time) Event {
		return Event{Kind: KindTurn, At: at, Conversation: "1", Outcome: "clarify"}
	}
	mustRecord(t, b, clarify(start))
	first := stored()
	mustRecord(t, b, clarify(start.Add(time.Minute)), clarify(start.Add(9*time.Minute)))
	if got := stored(); got != first {
		t.Errorf("state rewritten by turns that changed nothing: %s, then %s", first, got)
	}
	mustRecord(t, b, answer("1", start.Add(9*time.Minute), "retour"))
	answered := stored()
	if answered == first {
		t.Error("an answer left the state as it was")
	}
	mustRecord(t, b, answer("1", start.Add(9*time.Minute+30*time.Second), "retour"))
	if got := stored(); got != answered {
		t.Errorf("the same answer again rewrote the state: %s, then %s", answered, got)
	}
	mustRecord(t, b, clarify(start.Add(10*time.Minute)), clarify(start.Add(15*time.Minute)))
	changed := stored()
	last := start.Add(21 * time.Minute)
	mustRecord(t, b, clarify(last))
	if got := stored(); got == changed {
		t.Error("the last event, more than ten minutes after the one kept, was not kept")
	}
	if r := mustReport(t, b, start, start); r.Total("turns") != 8 || r.Total("answered\x00retour") != 2 {
		t.Errorf("turns %d, answers %d: want 8 and 2", r.Total("turns"), r.Total("answered\x00retour"))
	}
	// Thirty days after the last event kept, and not before, the state goes.
	c.t = last.Add(keepStates - time.Minute)
	if n, err := b.Prune(context.Background()); err != nil || n != 0 {
		t.Errorf("pruned %d, %v before thirty days", n, err)
	}
	c.t = last.Add(keepStates + time.Minute)
	if n, err := b.Prune(context.Background()); err != nil || n != 1 {
		t.Errorf("pruned %d, %v after thirty days, want the state", n, err)
	}
}

// TestStateRewrittenOnlyWhenChanged checks that a conversation's state
// is rewritten when it changes, or when its last event is lastEvery
// older than the one stored, and left alone otherwise.
func TestStateRewrittenOnlyWhenChanged(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	b := mustBook(t, time.UTC, c)
	state := func() string {
		var v []byte
		b.db.View(func(tx *bbolt.Tx) error {
			v = slices.Clone(tx.Bucket(bucketConvs).Get([]byte("c1")))
			return nil
		})
		return string(v)
	}
	answer := func(min int, outcome string) Event {
		return Event{Kind: KindTurn, At: c.t.Add(time.Duration(min) * time.Minute), Conversation: "c1", Outcome: outcome, Article: "retours"}
	}
	mustRecord(t, b, answer(0, "answer"))
	first := state()
	for _, tt := range []struct {
		name    string
		e       Event
		rewrite bool
	}{
		{"same, 5 minutes later", answer(5, "answer"), false},
		{"same, 9 minutes after the stored one", answer(9, "answer"), false},
		{"same, 11 minutes after the stored one", answer(11, "answer"), true},
		{"a miss a minute later", answer(12, "miss"), true},
		{"another miss", answer(13, "miss"), true},
	} {
		before := state()
		mustRecord(t, b, tt.e)
		if got := state() != before; got != tt.rewrite {
			t.Errorf("%s: rewritten %v, want %v (%s -> %s)", tt.name, got, tt.rewrite, before, state())
		}
	}
	if first == state() {
		t.Errorf("state never rewritten: %s", first)
	}
}
