package chat

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guichet/guichet/content"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/mailer"
	"github.com/guichet/guichet/mailer/mailertest"
	"github.com/guichet/guichet/orders"
)

// countingSource counts the order lookups that reach the order system.
type countingSource struct {
	orders.Source
	lookups atomic.Int64
}

func (s *countingSource) Order(ctx context.Context, number string) (*orders.Order, error) {
	s.lookups.Add(1)
	return s.Source.Order(ctx, number)
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sample is the sample content's knowledge base, opened once for the
// package's tests (it is read only, and slow to build under -race).
var sample struct {
	once sync.Once
	dir  string
	kb   *kb.KB
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sample.kb != nil {
		sample.kb.Close()
	}
	if sample.dir != "" {
		os.RemoveAll(sample.dir)
	}
	os.Exit(code)
}

// mustSampleKB returns the sample content's knowledge base, whose articles
// have order variants.
func mustSampleKB(tb testing.TB) *kb.KB {
	tb.Helper()
	sample.once.Do(func() {
		if sample.dir, sample.err = os.MkdirTemp("", "guichet-chat-"); sample.err == nil {
			sample.kb, sample.err = kb.Open(kb.Options{Content: content.FS, IndexPath: filepath.Join(sample.dir, "index"), Statuses: orders.Codes()})
		}
	})
	if sample.err != nil {
		tb.Fatalf("open the sample kb: %v", sample.err)
	}
	return sample.kb
}

// mustOrderBot is a bot on the sample content and the demo orders,
// counting lookups, on a fake clock.
func mustOrderBot(tb testing.TB) (*Bot, *countingSource, *fakeClock) {
	tb.Helper()
	k := mustSampleKB(tb)
	db := mustOpenDB(tb, filepath.Join(tb.TempDir(), "g.db"))
	clock := &fakeClock{t: monday10()}
	demo := orders.NewDemo(db, clock.Now)
	if err := demo.Seed(); err != nil {
		tb.Fatal(err)
	}
	src := &countingSource{Source: demo}
	return New(k, db, Options{Orders: src, Now: clock.Now}), src, clock
}

func mustConv(tb testing.TB, b *Bot, who *Identity) string {
	tb.Helper()
	c, err := b.Start(context.Background(), who)
	if err != nil {
		tb.Fatal(err)
	}
	return c.ID
}

func mustSend(tb testing.TB, b *Bot, id string, m Message) *Reply {
	tb.Helper()
	r, err := b.Send(context.Background(), id, m)
	if err != nil {
		tb.Fatalf("send %q: %v", m.Text, err)
	}
	return r
}

// prove asks about a parcel in a new conversation from client, then gives
// the order number and e-mail.
func prove(tb testing.TB, b *Bot, client, number, email string) *Reply {
	tb.Helper()
	id := mustConv(tb, b, nil)
	mustSend(tb, b, id, Message{Text: "où est mon colis ?", Client: client})
	return mustSend(tb, b, id, Message{Text: "commande " + number + ", " + email, Client: client})
}

func TestProofNeedsTheEmail(t *testing.T) {
	b, _, _ := mustOrderBot(t)
	id := mustConv(t, b, nil)
	mustSend(t, b, id, Message{Text: "où est mon colis ?"})
	// The postcode of the order is not a proof: the bot asks for the e-mail.
	if r := mustSend(t, b, id, Message{Text: "commande 4581237, code postal 44000"}); r.Order != nil || r.Outcome != OutcomeAskOrder || !strings.Contains(r.Text, "adresse e-mail") {
		t.Errorf("number and postcode: %s %q order=%v, want a request for the e-mail", r.Outcome, r.Text, r.Order)
	}
	if r := mustSend(t, b, id, Message{Text: "camille.martin@exemple.fr"}); r.Order == nil || r.Order.Number != "4581237" {
		t.Errorf("then the e-mail: %+v, want the order", r)
	}
}

func TestProofLockoutPerOrderAcrossConversations(t *testing.T) {
	b, src, clock := mustOrderBot(t)
	// Five visitors, each from its own address and conversation, try
	// e-mails against one order.
	for i := range proofFreePerOrder {
		if r := prove(t, b, "203.0.113."+string(rune('1'+i)), "4581237", "pirate@exemple.fr"); r.Order != nil {
			t.Fatalf("wrong e-mail %d showed the order", i)
		}
	}
	before := src.lookups.Load()
	// The order is locked now: even the right e-mail, from a new address,
	// is not checked, and reads as too many attempts.
	r := prove(t, b, "198.51.100.7", "4581237", "camille.martin@exemple.fr")
	if r.Order != nil || !strings.Contains(r.Text, "protéger vos données") || len(r.Channels) == 0 {
		t.Errorf("locked order: %s %q, want no order and a way to a person", r.Outcome, r.Text)
	}
	if got := src.lookups.Load() - before; got != 0 {
		t.Errorf("locked order still looked up %d times", got)
	}
	// Another order is not affected.
	if r := prove(t, b, "198.51.100.7", "4581238", "louis.bernard@exemple.fr"); r.Order == nil {
		t.Errorf("another order: %s %q, want it shown", r.Outcome, r.Text)
	}
	// The lock-out ends, then grows: after the delay the owner gets in.
	clock.Add(proofDelay + time.Second)
	if r := prove(t, b, "198.51.100.7", "4581237", "camille.martin@exemple.fr"); r.Order == nil {
		t.Errorf("after %s: %s %q, want the order", proofDelay, r.Outcome, r.Text)
	}
	// One more failure locks it for twice as long.
	prove(t, b, "203.0.113.9", "4581237", "pirate@exemple.fr")
	clock.Add(proofDelay + time.Second)
	if r := prove(t, b, "198.51.100.7", "4581237", "camille.martin@exemple.fr"); r.Order != nil {
		t.Errorf("the second lock-out did not grow: order shown after %s", proofDelay)
	}
	clock.Add(proofDelay)
	if r := prove(t, b, "198.51.100.7", "4581237", "camille.martin@exemple.fr"); r.Order == nil {
		t.Errorf("after twice the delay: %s %q, want the order", r.Outcome, r.Text)
	}
}

func TestProofLockoutPerClientAddress(t *testing.T) {
	b, _, _ := mustOrderBot(t)
	numbers := []string{"4581230", "4581231", "4581232", "4581238", "4581239", "4581240", "4581241", "4581242", "4581243", "4581244"}
	for i := range proofFreePerClient {
		prove(t, b, "203.0.113.5", numbers[i%len(numbers)], "pirate@exemple.fr")
	}
	if r := prove(t, b, "203.0.113.5", "4581237", "camille.martin@exemple.fr"); r.Order != nil {
		t.Errorf("address with %d failures still checks proofs", proofFreePerClient)
	}
	if r := prove(t, b, "198.51.100.7", "4581237", "camille.martin@exemple.fr"); r.Order == nil {
		t.Errorf("another address: %s %q, want the order", r.Outcome, r.Text)
	}
}

func TestProofsInParallel(t *testing.T) {
	ctx := context.Background()
	b, src, _ := mustOrderBot(t)
	// 20 guesses at once in one conversation: it holds 5 attempts.
	id := mustConv(t, b, nil)
	mustSend(t, b, id, Message{Text: "où est mon colis ?", Client: "203.0.113.5"})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			b.Send(ctx, id, Message{Text: "commande 4581237, pirate" + string(rune('a'+i)) + "@exemple.fr", Client: "203.0.113.5"})
		})
	}
	wg.Wait()
	if got := src.lookups.Load(); got > maxAttempts {
		t.Errorf("20 parallel guesses in one conversation: %d checked, want %d at most", got, maxAttempts)
	}
	// 20 guesses at once in 20 conversations from 20 addresses, against one
	// order: the per-order count holds.
	ids := make([]string, 20)
	for i := range ids {
		ids[i] = mustConv(t, b, nil)
		mustSend(t, b, ids[i], Message{Text: "où est mon colis ?"})
	}
	before := src.lookups.Load()
	for i, id := range ids {
		wg.Go(func() {
			b.Send(ctx, id, Message{Text: "commande 4581238, pirate@exemple.fr", Client: "192.0.2." + string(rune('a'+i))})
		})
	}
	wg.Wait()
	if got := src.lookups.Load() - before; got > proofFreePerOrder {
		t.Errorf("20 parallel guesses on one order: %d checked, want %d at most", got, proofFreePerOrder)
	}
}

func TestOrderShownOnlyWithCurrentProof(t *testing.T) {
	b, _, clock := mustOrderBot(t)
	camille := &Identity{CustomerID: "cli-1001", Email: "camille.martin@exemple.fr"}
	t.Run("token", func(t *testing.T) {
		id := mustConv(t, b, camille)
		if r := mustSend(t, b, id, Message{Text: "où est mon colis ?", Identity: camille}); r.Outcome != OutcomeAskOrder || len(r.Choices) < 2 {
			t.Fatalf("with the token: %s %v, want the customer's orders", r.Outcome, r.Choices)
		}
		if r := mustSend(t, b, id, Message{Choice: "commande:4581237", Identity: camille}); r.Order == nil {
			t.Fatalf("choosing an order: %+v", r)
		}
		// Without the token (expired, or someone else with the id), the
		// same conversation shows neither the order nor the orders.
		if r := mustSend(t, b, id, Message{Text: "où est mon colis ?"}); r.Order != nil || strings.Contains(r.Text, "4581237") || r.Outcome != OutcomeAskOrder {
			t.Errorf("without the token: %s %q, want a request for the order", r.Outcome, r.Text)
		}
		if _, err := b.Send(context.Background(), id, Message{Choice: "commande:4581237"}); err == nil {
			t.Errorf("an order choice without the token was accepted")
		}
	})
	t.Run("order and e-mail", func(t *testing.T) {
		id := mustConv(t, b, nil)
		mustSend(t, b, id, Message{Text: "où est mon colis ?"})
		if r := mustSend(t, b, id, Message{Text: "4581237 camille.martin@exemple.fr"}); r.Order == nil {
			t.Fatalf("proof: %+v", r)
		}
		clock.Add(orderGrant - time.Minute)
		if r := mustSend(t, b, id, Message{Text: "et pour la retourner ?"}); r.Order == nil {
			t.Errorf("within %s: %s, want the same order", orderGrant, r.Outcome)
		}
		clock.Add(2 * time.Minute)
		if r := mustSend(t, b, id, Message{Text: "où est mon colis ?"}); r.Order != nil || r.Outcome != OutcomeAskOrder {
			t.Errorf("after %s: %s order=%v, want a new proof asked", orderGrant, r.Outcome, r.Order)
		}
	})
	t.Run("an offered choice only", func(t *testing.T) {
		id := mustConv(t, b, camille)
		mustSend(t, b, id, Message{Text: "où est mon colis ?", Identity: camille})
		for _, c := range []string{"commande:4581238", "commande:../../admin", "commande:"} {
			if _, err := b.Send(context.Background(), id, Message{Choice: c, Identity: camille}); err == nil {
				t.Errorf("choice %q not offered, accepted", c)
			}
		}
	})
}

func TestTranscriptGoesOnlyToAProvenAddress(t *testing.T) {
	ctx := context.Background()
	b, _, clock := mustOrderBot(t)
	addr, mails := mailertest.NewServer(t)
	b.opts.Mailer = mailer.New(mailer.Config{Addr: addr, From: "guichet@boutique.example"})
	camille := &Identity{CustomerID: "cli-1001", Email: "Camille.Martin@exemple.fr"}

	logged := mustConv(t, b, camille)
	mustSend(t, b, logged, Message{Text: "bonjour", Identity: camille})
	if err := b.SendTranscript(ctx, logged, "camille.martin@exemple.fr", camille); err != nil {
		t.Errorf("to the customer's own address with their token: %v", err)
	} else if m := <-mails; !strings.Contains(m, "To: camille.martin@exemple.fr") {
		t.Errorf("mail: %s", m)
	}
	var fe *FormError
	if err := b.SendTranscript(ctx, logged, "camille.martin@exemple.fr", nil); !errors.As(err, &fe) {
		t.Errorf("without the token: %v, want a form error", err)
	}

	proven := mustConv(t, b, nil)
	mustSend(t, b, proven, Message{Text: "où est mon colis ?"})
	mustSend(t, b, proven, Message{Text: "4581237 camille.martin@exemple.fr"})
	if err := b.SendTranscript(ctx, proven, "camille.martin@exemple.fr", nil); err != nil {
		t.Errorf("to the address that proved the order: %v", err)
	} else {
		<-mails
	}
	if err := b.SendTranscript(ctx, proven, "autre@exemple.fr", nil); !errors.As(err, &fe) {
		t.Errorf("to another address: %v, want a form error", err)
	}
	clock.Add(orderGrant + time.Minute)
	if err := b.SendTranscript(ctx, proven, "camille.martin@exemple.fr", nil); !errors.As(err, &fe) {
		t.Errorf("once the proof expired: %v, want a form error", err)
	}
}
