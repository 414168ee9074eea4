package chat

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/kb"
)

func mustOpenKB(tb testing.TB) *kb.KB {
	tb.Helper()
	dir := "../kb/testdata/corpus"
	k, err := kb.Open(kb.Options{Content: os.DirFS(dir), IndexPath: filepath.Join(tb.TempDir(), "index")})
	if err != nil {
		tb.Fatalf("open kb: %v", err)
	}
	tb.Cleanup(func() { k.Close() })
	return k
}

func mustOpenDB(tb testing.TB, path string) *bbolt.DB {
	tb.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatalf("open db: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func fixedNow() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) }

func TestDecideOutcomes(t *testing.T) {
	b := New(mustOpenKB(t), nil, Options{Now: fixedNow, ShopName: "Maison Colibri"})
	tests := []struct {
		name, text  string
		outcome     Outcome
		article     string
		textContain string
	}{
		{"answer with sms and typos", "jai tjrs pas recu ma comande", OutcomeAnswer, "suivi-colis", "Mon compte"},
		{"answer without accents", "ou en est mon remboursement", OutcomeAnswer, "delai-remboursement", "14 jours"},
		{"greeting plus question answers the question", "Bonjour, comment annuler ma commande ?", OutcomeAnswer, "annuler-commande", ""},
		{"angry question gets empathy and the answer", "c'est inadmissible, toujours pas reçu mon colis !!!", OutcomeAnswer, "suivi-colis", "désolé"},
		{"weather is a miss", "quel temps fait-il à Paris demain ?", OutcomeMiss, "", ""},
		{"weather tomorrow is a miss", "quel temps fera-t-il demain à Lyon ?", OutcomeMiss, "", ""},
		{"greeting", "bonjour", "greeting", "", "Maison Colibri"},
		{"thanks", "merci beaucoup", "thanks", "", "plaisir"},
		{"goodbye", "au revoir", "goodbye", "", "journée"},
		{"human", "je veux parler à un conseiller", "human", "nous-contacter", "01 86 95 42 10"},
		{"frustration", "vous êtes nuls", "frustration", "", "désolé"},
		{"yes", "oui", "yes", "", ""},
		{"no", "non", "no", "", ""},
		{"another shop named", "je veux retourner un pull acheté chez Zara", OutcomeMiss, "", "concerne Zara"},
		{"an outburst with a word of topic", "service client de merde", "frustration", "", "désolé"},
		{"conseiller, the verb", "vous pouvez me conseiller un bon cordonnier ?", OutcomeMiss, "", ""},
		{"asked whether it is a robot, it says so", "tu es un robot ?", "bot", "", "assistant automatique de Maison Colibri"},
		{"asked who made it", "qui t'a programmé ?", "bot", "", "écrivez « conseiller »"},
		{"robot or person: it says what it is, then how to reach a person", "t'es un robot ou une vraie personne ?", "human", "nous-contacter", "Je suis l’assistant automatique du service client.\n\nBien sûr"},
		{"a robot in a question is not about the bot", "vous êtes un robot ? où est mon colis", OutcomeAnswer, "suivi-colis", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := b.Decide(context.Background(), nil, Message{Text: tt.text})
			if err != nil {
				t.Fatal(err)
			}
			if r.Outcome != tt.outcome || r.ArticleID != tt.article {
				t.Errorf("Decide(%q) = %s %q, want %s %q", tt.text, r.Outcome, r.ArticleID, tt.outcome, tt.article)
			}
			if !strings.Contains(r.Text, tt.textContain) {
				t.Errorf("reply %q lacks %q", r.Text, tt.textContain)
			}
			if r.HTML == "" || strings.Contains(r.Text, "reformulez") {
				t.Errorf("reply HTML empty or scolding: %+v", r)
			}
		})
	}
}

func TestClarifyOffersCloseArticles(t *testing.T) {
	// A bot that never answers outright turns a two-topic question into a
	// choice.
	b := New(mustOpenKB(t), nil, Options{AnswerAt: 1.1, ClarifyAt: 0.001})
	r, err := b.Decide(context.Background(), nil, Message{Text: "retour et remboursement"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != OutcomeClarify || len(r.Choices) < 2 {
		t.Fatalf("got %s with %d choices, want clarify with 2 or 3", r.Outcome, len(r.Choices))
	}
	ids := map[string]bool{}
	for _, c := range r.Choices {
		ids[c.ID] = true
		if c.Title == "" {
			t.Errorf("choice %s has no title", c.ID)
		}
	}
	if !ids["delai-remboursement"] || !ids["retourner-article"] {
		t.Errorf("choices = %+v, want the refund and return articles", r.Choices)
	}
	if !strings.HasPrefix(r.Text, "Pour bien vous répondre") {
		t.Errorf("clarify text = %q", r.Text)
	}
}

func TestMissIsHonestAndVaries(t *testing.T) {
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{Now: fixedNow})
	ctx := context.Background()
	conv, err := b.Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	first, err := b.Send(ctx, conv.ID, Message{Text: "quelle est la recette de la tarte tatin ?"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := b.Send(ctx, conv.ID, Message{Text: "et le score du match de foot d'hier ?"})
	if err != nil {
		t.Fatal(err)
	}
	if first.Outcome != OutcomeMiss || second.Outcome != OutcomeMiss {
		t.Fatalf("outcomes %s, %s, want two misses", first.Outcome, second.Outcome)
	}
	if first.ArticleID != "" || second.ArticleID != "" {
		t.Errorf("a miss answered with an article")
	}
	for _, r := range []*Reply{first, second} {
		if n := len(r.Choices); n == 0 || r.Choices[n-1].ID != "nous-contacter" {
			t.Errorf("miss choices = %+v, want the contact article last", r.Choices)
		}
	}
	if first.Text == second.Text {
		t.Errorf("the same miss message twice: %q", first.Text)
	}
	got, err := b.Conversation(ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Misses != 2 {
		t.Errorf("misses = %d, want 2", got.Misses)
	}
	st, err := b.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Turns != 2 || st.Outcomes["miss"] != 2 {
		t.Errorf("stats = %+v, want 2 turns, 2 misses", st)
	}
}

func TestConversationSurvivesReopen(t *testing.T) {
	k := mustOpenKB(t)
	path := filepath.Join(t.TempDir(), "g.db")
	ctx := context.Background()

	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b := New(k, db, Options{Now: fixedNow})
	conv, err := b.Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Send(ctx, conv.ID, Message{Text: "comment annuler ma commande"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Send(ctx, conv.ID, Message{Choice: "frais-livraison"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	b = New(k, mustOpenDB(t, path), Options{Now: fixedNow})
	got, err := b.Conversation(ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Turns) != 2 {
		t.Fatalf("%d turns after reopen, want 2", len(got.Turns))
	}
	t0, t1 := got.Turns[0], got.Turns[1]
	if t0.Text != "comment annuler ma commande" || t0.Reply.Outcome != OutcomeAnswer || t0.Reply.ArticleID != "annuler-commande" ||
		t0.Reply.Confidence <= 0 || !t0.At.Equal(fixedNow()) {
		t.Errorf("first turn = %+v", t0)
	}
	if t1.Choice != "frais-livraison" || t1.Reply.ArticleID != "frais-livraison" {
		t.Errorf("second turn = %+v", t1)
	}
}

func TestSendRejectsBadInput(t *testing.T) {
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{})
	ctx := context.Background()
	conv, err := b.Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		id   string
		msg  Message
		want error
	}{
		{"empty", conv.ID, Message{Text: "   "}, ErrEmptyMessage},
		{"too long", conv.ID, Message{Text: strings.Repeat("é", 2001)}, ErrMessageTooBig},
		{"unknown conversation", "0123456789abcdef0123456789abcdef", Message{Text: "colis"}, ErrNotFound},
		{"no id", "", Message{Text: "colis"}, ErrNotFound},
		{"unknown choice", conv.ID, Message{Choice: "n-existe-pas"}, ErrUnknownChoice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := b.Send(ctx, tt.id, tt.msg); !errors.Is(err, tt.want) {
				t.Errorf("Send error = %v, want %v", err, tt.want)
			}
		})
	}
	got, err := b.Conversation(ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Turns) != 0 {
		t.Errorf("rejected messages were stored: %+v", got.Turns)
	}
}

func TestEvaluate(t *testing.T) {
	b := New(mustOpenKB(t), nil, Options{})
	qs, err := ReadQuestions(strings.NewReader(`{"q": "jai tjrs pas recu ma comande", "expect": "suivi-colis"}
{"q": "comment annuler ma commande", "expect": "annuler-commande"}
{"q": "quel temps fait-il demain", "expect": null}
{"q": "bonjour", "expect": "@greeting"}
{"q": "merci", "expect": "@goodbye"}
`))
	if err != nil {
		t.Fatal(err)
	}
	r := b.Evaluate(qs)
	if r.Questions != 5 || r.InScope != 2 || r.OOS != 1 || r.ActQs != 2 {
		t.Errorf("counts = %+v", r)
	}
	if r.Top1 != 1 || r.Top3 != 1 || r.MRR != 1 || r.OOSCorrect != 1 || r.FalseMiss != 0 || r.Acts != 0.5 {
		t.Errorf("scores = %+v, want top1 1, oos 1, acts 0.5", r)
	}
	if len(r.Confusions) != 1 || r.Confusions[0].Expect != "@goodbye" || r.Confusions[0].Got != "thanks" {
		t.Errorf("confusions = %+v", r.Confusions)
	}
	var sb strings.Builder
	if err := r.WriteText(&sb); err != nil || !strings.Contains(sb.String(), "top-1") {
		t.Errorf("text report = %q, %v", sb.String(), err)
	}
	if _, err := ReadQuestions(strings.NewReader(`{"q": "x"}`)); err == nil {
		t.Error("a line without expect was accepted")
	}
}

// TestMissOffersTheClosestTopics: a miss is never a dead end; whenever the
// ranking has a candidate, the closest topics are offered, and the way to a
// person always.
func TestMissOffersTheClosestTopics(t *testing.T) {
	b := New(mustOpenKB(t), nil, Options{Now: fixedNow, AnswerAt: 1.1, ClarifyAt: 1.1})
	r, err := b.Decide(context.Background(), nil, Message{Text: "mon remboursement et ma livraison"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != OutcomeMiss || len(r.Choices) < 2 {
		t.Fatalf("Decide = %s with %v, want a miss offering topics", r.Outcome, r.Choices)
	}
	if last := r.Choices[len(r.Choices)-1]; last.ID != "nous-contacter" {
		t.Errorf("choices %v lack the way to a person", r.Choices)
	}
	if !strings.Contains(r.Text, "«") {
		t.Errorf("miss text %q does not name the topics it offers", r.Text)
	}
}

func TestEvaluateTellsWrongFromResolved(t *testing.T) {
	k := mustOpenKB(t)
	// The second question is labelled with another article on purpose:
	// answering it is the worst outcome, "wrong".
	qs, err := ReadQuestions(strings.NewReader(`{"q": "jai tjrs pas recu ma comande", "expect": "suivi-colis"}
{"q": "comment annuler ma commande", "expect": "suivi-colis"}
`))
	if err != nil {
		t.Fatal(err)
	}
	sure := New(k, nil, Options{AnswerAt: 0.001, ClarifyAt: 0.001}).Evaluate(qs)
	if sure.Top1 != 0.5 || sure.Wrong != 0.5 || sure.Resolved != 0.5 || sure.RankTop1 != 0.5 {
		t.Errorf("always answering: %+v, want top1, wrong, resolved and rank_top1 0.5", sure)
	}
	// A bot that never dares answer clarifies: right when its choices hold
	// the article, never wrong.
	shy := New(k, nil, Options{AnswerAt: 1.1, ClarifyAt: 0.001}).Evaluate(qs[:1])
	if shy.Top1 != 0 || shy.Wrong != 0 || shy.Resolved != 1 || shy.Clarify != 1 || shy.RankTop1 != 1 {
		t.Errorf("always clarifying: %+v, want resolved 1, top1 0, wrong 0", shy)
	}
	var sb strings.Builder
	if err := shy.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(sb.String(), "\n") {
		if strings.HasPrefix(line, "acts recognised") || strings.HasPrefix(line, "out of scope handled") {
			if !strings.HasSuffix(line, "—") {
				t.Errorf("a family with no question: %q, want « — »", line)
			}
		}
	}
}

func TestYesAndNoAnswerTheLastQuestion(t *testing.T) {
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{AnswerAt: 1.1, ClarifyAt: 0.001})
	ctx := context.Background()
	conv, err := b.Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A never-sure bot asks about the one close article…
	r, err := b.Send(ctx, conv.ID, Message{Text: "annuler ma commande"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != OutcomeClarify || len(r.Choices) != 1 {
		t.Fatalf("got %s with %d choices, want a one-choice clarify", r.Outcome, len(r.Choices))
	}
	// …and « oui » picks it.
	r, err = b.Send(ctx, conv.ID, Message{Text: "oui"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != OutcomeAnswer || r.ArticleID != "annuler-commande" {
		t.Errorf("« oui » after a one-choice question: %s %q, want the article", r.Outcome, r.ArticleID)
	}
	// With nothing asked, « oui » is just a yes.
	r, err = b.Send(ctx, conv.ID, Message{Text: "oui"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != "yes" {
		t.Errorf("« oui » out of context: %s, want yes", r.Outcome)
	}
}
