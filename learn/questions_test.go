package learn

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/guichet/guichet/chat"
)

func TestQuestionKey(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		same       bool
	}{
		{"case, accents and punctuation", "Où est mon colis ?", "ou est mon COLIS", true},
		{"apostrophes and elision", "Je n’ai pas reçu ma commande", "je n'ai pas recu ma commande !", true},
		{"stop words only", "Et alors ?", "et alors", true},
		{"other words", "Où est mon colis ?", "Où est ma facture ?", false},
		{"negation kept apart", "remboursé", "pas remboursé", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ka, kb := questionKey(tc.a), questionKey(tc.b)
			if (ka == kb) != tc.same {
				t.Errorf("questionKey(%q) = %q, questionKey(%q) = %q; same = %v, want %v", tc.a, ka, tc.b, kb, ka == kb, tc.same)
			}
		})
	}
}

// TestQuestions lists, from real turns, what editors learn from: misses and
// unhelpful answers grouped with their count, a conversation an agent
// resolved with an article, each with suggested articles.
func TestQuestions(t *testing.T) {
	c := &clock{time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	k := mustKB(t)
	b := mustBot(t, k, c)
	ctx := context.Background()
	mustAsk(t, b, c, "vous vendez des chaussettes en laine ?", "Vous vendez des chaussettes en laine", "Vous Vendez des Chaussettes en Laîne ?")
	mustAsk(t, b, c, "puis-je payer en bitcoin")

	// An answer the customer says did not help.
	conv, err := b.Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Minute)
	r, err := b.Send(ctx, conv.ID, chat.Message{Text: "où est mon colis ?"})
	if err != nil || r.Outcome != chat.OutcomeAnswer {
		t.Fatalf("%+v %v", r, err)
	}
	no := false
	if _, err := b.Send(ctx, conv.ID, chat.Message{Helpful: &no}); err != nil {
		t.Fatal(err)
	}

	// A customer an agent answered with an article, inserted from the
	// console as plain text, then closed.
	conv2, err := b.Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Minute)
	if _, err := b.Send(ctx, conv2.ID, chat.Message{Text: "mon paquet est arrivé tout cabossé, que faire"}); err != nil {
		t.Fatal(err)
	}
	a, err := k.Article("colis-endommage")
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Minute)
	if err := b.AgentReply(ctx, conv2.ID, "alice", "Bonjour, désolée !\n\n"+k.PlainText(a.Markdown)); err != nil {
		t.Fatal(err)
	}
	if err := b.CloseCase(ctx, conv2.ID, "alice", chat.CloseReasons[0]); err != nil {
		t.Fatal(err)
	}

	l := New(b, k)
	qs, err := l.Questions(ctx, ByCount)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 3 {
		t.Fatalf("questions = %+v", qs)
	}
	if qs[0].Count != 3 || qs[0].Misses != 3 || qs[0].Text != "Vous Vendez des Chaussettes en Laîne ?" {
		t.Errorf("first = %+v, want the question asked 3 times, in its newest wording", qs[0])
	}
	byText := map[string]Question{}
	for _, q := range qs {
		byText[q.Text] = q
		if len(q.Suggested) == 0 || len(q.Suggested) > Suggest {
			t.Errorf("%q suggests %v", q.Text, q.Suggested)
		}
	}
	if q := byText["puis-je payer en bitcoin"]; q.Suggested[0].ID != "moyens-paiement" {
		t.Errorf("bitcoin suggests %v, want the payment article first", q.Suggested)
	}
	unhelpful := byText["où est mon colis ?"]
	if unhelpful.Unhelpful != 1 || len(unhelpful.Judged) != 1 || unhelpful.Judged[0].ID != "suivi-colis" ||
		slices.ContainsFunc(unhelpful.Suggested, func(a Article) bool { return a.ID == "suivi-colis" }) {
		t.Errorf("unhelpful = %+v, want it judged on suivi-colis, which is not suggested again", unhelpful)
	}
	resolved := byText["mon paquet est arrivé tout cabossé, que faire"]
	if resolved.Resolved != 1 || len(resolved.Used) != 1 || resolved.Used[0].ID != "colis-endommage" || resolved.Suggested[0].ID != "colis-endommage" {
		t.Errorf("resolved = %+v, want the article the agent used, suggested first", resolved)
	}

	recent, err := l.Questions(ctx, ByRecent)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(recent); i++ {
		if recent[i].Last.After(recent[i-1].Last) {
			t.Errorf("by recent: %q (%s) after %q (%s)", recent[i].Text, recent[i].Last, recent[i-1].Text, recent[i-1].Last)
		}
	}
}

// TestSuggestionsOnEvalSets measures how often the article a question is
// about is among the suggested ones, on the labelled sets: for every
// in-scope question, and for those the bot does not answer right (the ones
// an editor sees in the review list).
func TestSuggestionsOnEvalSets(t *testing.T) {
	k := mustKB(t)
	b := mustBot(t, k, &clock{time.Now()})
	l := New(b, k)
	for _, tc := range []struct {
		file        string
		all, missed float64 // floors, a little under the measures
	}{
		{"../eval/heldout.jsonl", 0.95, 0.75},
		{"../eval/dev.jsonl", 0.95, 0.75},
	} {
		t.Run(tc.file, func(t *testing.T) {
			qs, err := chat.ReadQuestions(mustOpen(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var in, inTop, wrong, wrongTop int
			for _, q := range qs {
				if q.Expect == "" || q.Expect[0] == '@' {
					continue
				}
				in++
				got := slices.ContainsFunc(l.suggest(q.Q, nil, nil), func(a Article) bool { return a.ID == q.Expect })
				if got {
					inTop++
				}
				r, err := b.Decide(context.Background(), nil, chat.Message{Text: q.Q})
				if err != nil {
					t.Fatal(err)
				}
				if r.Outcome != chat.OutcomeAnswer || r.ArticleID != q.Expect {
					wrong++
					if got {
						wrongTop++
					}
				}
			}
			all, missed := float64(inTop)/float64(in), float64(wrongTop)/float64(max(1, wrong))
			t.Logf("%s: right article in the %d suggested for %s of %d in-scope questions, and for %s of the %d the bot does not answer right",
				tc.file, Suggest, pct(all), in, pct(missed), wrong)
			if all < tc.all || missed < tc.missed {
				t.Errorf("suggestions fell: %s overall (floor %s), %s of the missed (floor %s)", pct(all), pct(tc.all), pct(missed), pct(tc.missed))
			}
		})
	}
}

func pct(x float64) string { return fmt.Sprintf("%.1f %%", 100*x) }
