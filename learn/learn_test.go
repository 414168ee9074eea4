package learn

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/content"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/orders"
)

// clock is a fake clock tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func mustKB(tb testing.TB) *kb.KB {
	tb.Helper()
	k, err := kb.Open(kb.Options{Content: content.FS, IndexPath: filepath.Join(tb.TempDir(), "index"), Statuses: orders.Codes()})
	if err != nil {
		tb.Fatalf("open kb: %v", err)
	}
	tb.Cleanup(func() { k.Close() })
	return k
}

// mustCorpusKB opens the small fixture corpus (8 articles): it trains in a
// fraction of the sample's time, which matters under the race detector.
func mustCorpusKB(tb testing.TB) *kb.KB {
	tb.Helper()
	k, err := kb.Open(kb.Options{Content: os.DirFS("../kb/testdata/corpus"), IndexPath: filepath.Join(tb.TempDir(), "index")})
	if err != nil {
		tb.Fatalf("open kb: %v", err)
	}
	tb.Cleanup(func() { k.Close() })
	return k
}

func mustBot(tb testing.TB, k *kb.KB, c *clock) *chat.Bot {
	tb.Helper()
	db, err := bbolt.Open(filepath.Join(tb.TempDir(), "g.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatalf("open db: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	b := chat.New(k, db, chat.Options{Now: c.now, AgentsOnline: func() bool { return false }})
	tb.Cleanup(b.Close)
	return b
}

// mustAsk sends each question in a conversation of its own, as customers
// do, a minute apart, and returns the replies.
func mustAsk(tb testing.TB, b *chat.Bot, c *clock, questions ...string) []*chat.Reply {
	tb.Helper()
	ctx := context.Background()
	var out []*chat.Reply
	for _, q := range questions {
		conv, err := b.Start(ctx, nil)
		if err != nil {
			tb.Fatal(err)
		}
		c.t = c.t.Add(time.Minute)
		r, err := b.Send(ctx, conv.ID, chat.Message{Text: q})
		if err != nil {
			tb.Fatalf("send %q: %v", q, err)
		}
		out = append(out, r)
	}
	return out
}

// article is a draft's Markdown source.
func article(id, title string, questions []string, body string) string {
	var b strings.Builder
	b.WriteString("---\nid: " + id + "\ntitle: \"" + title + "\"\nquestions:\n")
	for _, q := range questions {
		b.WriteString("  - \"" + q + "\"\n")
	}
	b.WriteString("---\n" + body + "\n")
	return b.String()
}

func mustCorpusSource(tb testing.TB, file string) string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("../kb/testdata/corpus", file))
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

// mustDraftTest runs a draft test to its end.
func mustDraftTest(tb testing.TB, l *Learner, file, source, original string) *Diff {
	tb.Helper()
	id, errs, err := l.StartDraftTest("ed", file, []byte(source), original)
	if err != nil || len(errs) > 0 {
		tb.Fatalf("start draft test: %v %v", err, errs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // -race on a busy machine
	defer cancel()
	s, err := l.Wait(ctx, id, "ed")
	if err != nil {
		tb.Fatal(err)
	}
	if s.State != StateDone || s.Result == nil {
		tb.Fatalf("draft test: %+v", s)
	}
	if s.Done != s.Total {
		tb.Errorf("progress at the end: %d of %d", s.Done, s.Total)
	}
	return s.Result
}

func questionsOf(cs []Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Question)
	}
	return out
}

func find(cs []Change, q string) *Change {
	for i := range cs {
		if cs[i].Question == q {
			return &cs[i]
		}
	}
	return nil
}

// TestDraftTest runs drafts on questions asked through the bot: a new
// article captures the questions it is about, an article edited away loses
// its own, a miss becomes an answer, and questions nobody touched stay out
// of the diff.
func TestDraftTest(t *testing.T) {
	c := &clock{time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	k := mustCorpusKB(t)
	b := mustBot(t, k, c)
	old := c.t
	c.t = c.t.Add(-100 * 24 * time.Hour) // beyond the 90 days: not tested
	mustAsk(t, b, c, "Proposez-vous un emballage cadeau ?")
	c.t = old.Add(-time.Hour)
	mustAsk(t, b, c,
		"Proposez-vous un emballage cadeau ?", "proposez vous un EMBALLAGE cadeau", // one question, asked twice
		"où est mon colis ?", "Mon colis est où ?",
		"puis-je payer en bitcoin",
		"Comment annuler ma commande ?",
		"bonjour", "merci", // acts are not questions
		"je n'ai pas reçu la commande 4581237, écrivez-moi à jean.dupont@exemple.fr",
	)
	l := New(b, k)
	for _, tc := range []struct {
		name, file, source, original   string
		gained, lost, answered, missed []string
		untouched                      []string
	}{
		{
			name: "a new article captures its questions",
			file: "services/emballage-cadeau.md",
			source: article("emballage-cadeau", "L’emballage cadeau", []string{"Proposez-vous un emballage cadeau ?",
				"Pouvez-vous emballer ma commande pour l’offrir ?", "Paquet cadeau possible ?"},
				"Oui : cochez « emballage cadeau » au moment de payer (2 €). Le prix n’apparaît pas sur le bon de livraison."),
			gained:    []string{"proposez vous un EMBALLAGE cadeau"},
			untouched: []string{"où est mon colis ?", "Comment annuler ma commande ?"},
		},
		{
			name:      "an article edited away loses its questions",
			file:      "suivi.md",
			original:  "suivi-colis",
			source:    article("suivi-colis", "Nos bougies parfumées", []string{"Quelles bougies vendez-vous ?", "Vos bougies sont-elles parfumées ?"}, "Nos bougies sont coulées à la main, en cire de soja."),
			lost:      []string{"où est mon colis ?", "Mon colis est où ?"},
			untouched: []string{"Comment annuler ma commande ?"},
		},
		{
			name:     "a miss becomes an answer",
			file:     "paiement.md",
			original: "paiement-refuse",
			source: strings.Replace(mustCorpusSource(t, "paiement.md"), "questions:\n",
				"questions:\n  - Puis-je payer en bitcoin ?\n  - Acceptez-vous les cryptomonnaies ?\n", 1),
			gained:    []string{"puis-je payer en bitcoin"},
			answered:  []string{"puis-je payer en bitcoin"},
			untouched: []string{"où est mon colis ?"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustDraftTest(t, l, tc.file, tc.source, tc.original)
			if d.Asked != 7 {
				t.Errorf("asked = %d, want the 7 questions of the last 90 days (no acts)", d.Asked)
			}
			lists := map[string][]Change{"gained": d.Gained, "lost": d.Lost, "answered": d.Answered, "missed": d.Missed}
			for name, want := range map[string][]string{"gained": tc.gained, "lost": tc.lost, "answered": tc.answered, "missed": tc.missed} {
				for _, q := range want {
					if find(lists[name], q) == nil {
						t.Errorf("%s = %q, want %q in it", name, questionsOf(lists[name]), q)
					}
				}
			}
			all := slices.Concat(d.Gained, d.Lost, d.Answered, d.Missed)
			for _, q := range tc.untouched {
				if find(all, q) != nil {
					t.Errorf("%q is in the diff, but the draft is not about it: %+v", q, d)
				}
			}
			if d.Counts.Gained != sumCounts(d.Gained) || d.Counts.Lost != sumCounts(d.Lost) {
				t.Errorf("counts %+v do not add up", d.Counts)
			}
		})
	}
	t.Run("duplicates are one question with its count", func(t *testing.T) {
		d := mustDraftTest(t, l, "services/emballage-cadeau.md", article("emballage-cadeau", "L’emballage cadeau",
			[]string{"Proposez-vous un emballage cadeau ?", "Paquet cadeau possible ?"}, "Oui, pour 2 €."), "")
		ch := find(d.Gained, "proposez vous un EMBALLAGE cadeau")
		if ch == nil || ch.Count != 2 || ch.After.Title != "L’emballage cadeau" || ch.After.Outcome != chat.OutcomeAnswer {
			t.Errorf("gained = %+v, want the question once, asked 2 times, now answered by the draft", d.Gained)
		}
	})
	t.Run("what customers typed is masked", func(t *testing.T) {
		d := mustDraftTest(t, l, "suivi.md", article("suivi-colis", "Colis perdu",
			[]string{"Mon colis est perdu", "Le transporteur a perdu mon colis"}, "Nous ouvrons une enquête."), "suivi-colis")
		for _, ch := range slices.Concat(d.Gained, d.Lost, d.Answered, d.Missed) {
			if strings.Contains(ch.Question, "4581237") || strings.Contains(ch.Question, "jean.dupont") {
				t.Errorf("a question shows personal data: %q", ch.Question)
			}
		}
	})
}

func sumCounts(cs []Change) int {
	n := 0
	for _, c := range cs {
		n += c.Count
	}
	return n
}

// TestJudgeAgreesWithTheBot checks that the draft test decides as the bot
// does: the outcome Judge gives on the live ranking of each stored question
// is the one the bot replied with.
func TestJudgeAgreesWithTheBot(t *testing.T) {
	c := &clock{time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	k := mustKB(t)
	b := mustBot(t, k, c)
	qs, err := chat.ReadQuestions(mustOpen(t, "../eval/dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, q := range qs[:min(len(qs), 150)] {
		texts = append(texts, q.Q)
	}
	mustAsk(t, b, c, texts...)
	past, err := b.PastQuestions(context.Background(), c.t.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(past) < 100 {
		t.Fatalf("%d past questions of %d asked", len(past), len(texts))
	}
	for _, q := range past {
		m := k.Match(q.Text, 5)
		got := b.Judge(m)
		if got != q.Outcome && q.Outcome != chat.OutcomeHandoff {
			t.Errorf("%q: Judge says %s, the bot said %s", q.Text, got, q.Outcome)
		}
		if got == chat.OutcomeAnswer && q.Outcome == chat.OutcomeAnswer && m.Candidates[0].ID != q.Article {
			t.Errorf("%q: Judge answers %s, the bot answered %s", q.Text, m.Candidates[0].ID, q.Article)
		}
	}
}

func mustOpen(tb testing.TB, name string) *os.File {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// TestPastQuestions keeps what customers asked in their own words: not
// clicks, acts, requests for a person or an order number given alone.
func TestPastQuestions(t *testing.T) {
	c := &clock{time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	k := mustKB(t)
	b := mustBot(t, k, c)
	mustAsk(t, b, c, "Comment annuler ma commande ?", "merci beaucoup", "je veux parler à un conseiller", "4581237",
		"jean.dupont@exemple.fr", "mon colis 4581237 n'est pas arrivé")
	got, err := b.PastQuestions(context.Background(), c.t.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, q := range got {
		texts = append(texts, q.Text)
	}
	want := []string{"Comment annuler ma commande ?", "mon colis [n° de commande] n'est pas arrivé"}
	if !slices.Equal(texts, want) {
		t.Errorf("past questions = %q, want %q", texts, want)
	}
}

// TestCloseStopsDraftTests: closing the learner ends the draft tests, so
// that the database can close, and refuses new ones.
func TestCloseStopsDraftTests(t *testing.T) {
	c := &clock{time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	k := mustCorpusKB(t)
	b := mustBot(t, k, c)
	mustAsk(t, b, c, "Proposez-vous un emballage cadeau ?")
	l := New(b, k)
	src := []byte(article("emballage-cadeau", "L’emballage cadeau", []string{"Emballage cadeau ?", "Paquet cadeau ?"}, "Oui."))
	id, _, err := l.StartDraftTest("ed", "cadeau.md", src, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	if s, err := l.Status(id, "ed"); err != nil || (s.State != StateDone && s.State != StateFailed) {
		t.Errorf("after close: %+v %v, want the test ended", s, err)
	}
	if _, _, err := l.StartDraftTest("ed", "cadeau.md", src, ""); err != ErrBusy {
		t.Errorf("a test started after close: %v", err)
	}
}
