package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/orders"
	"github.com/guichet/guichet/server"
)

const testSecret = "0123456789abcdef0123456789abcdef-test"

// statusNumber is the number of the test order in the i-th status of the
// vocabulary: 7000001, 7000002…
func statusNumber(i int) string { return fmt.Sprintf("700%04d", i+1) }

// merchantServer stands in for a merchant's order system: one order per
// status (number 70000NN), a customer with one order and one with three,
// and numbers that are slow, fail or answer garbage.
func merchantServer(t *testing.T) *httptest.Server {
	t.Helper()
	byNumber := map[string]orders.Order{}
	for i, s := range orders.Vocabulary {
		n := statusNumber(i)
		byNumber[n] = orders.Order{Number: n, CustomerID: "multi", Email: "Client.Test@Exemple.fr", Postcode: "75011",
			Status: s.Status, PlacedAt: time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC), Carrier: "Colissimo",
			TrackingURL: "https://suivi.example/" + n, Total: 3980, Currency: "EUR", Items: []orders.Item{{Name: "Coussin velours", Quantity: 2}}}
	}
	byNumber["7100001"] = orders.Order{Number: "7100001", CustomerID: "solo", Email: "solo@exemple.fr", Postcode: "44000",
		Status: orders.StatusShipped, Carrier: "Chronopost", TrackingURL: "https://suivi.example/7100001", Total: 1000}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer merchant-token" {
			http.Error(w, "unauthorised", http.StatusUnauthorized)
			return
		}
		switch p := r.URL.Path; {
		case p == "/orders/7200001": // slow
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		case p == "/orders/7200002":
			http.Error(w, "boom", http.StatusInternalServerError)
		case p == "/orders/7200003":
			w.Write([]byte(`{"number": "7200003", "status": [`))
		case strings.HasPrefix(p, "/orders/"):
			o, ok := byNumber[strings.TrimPrefix(p, "/orders/")]
			if !ok {
				http.NotFound(w, r)
				return
			}
			json.NewEncoder(w).Encode(o)
		case strings.HasPrefix(p, "/customers/"):
			id := strings.TrimSuffix(strings.TrimPrefix(p, "/customers/"), "/orders")
			var list []orders.Order
			for _, o := range byNumber {
				if o.CustomerID == id {
					list = append(list, o)
				}
			}
			if len(list) == 0 {
				http.NotFound(w, r)
				return
			}
			if len(list) > 3 {
				list = list[:3]
			}
			json.NewEncoder(w).Encode(map[string]any{"orders": list})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

type flowReply struct {
	Outcome   string `json:"outcome"`
	ArticleID string `json:"article_id"`
	Text      string `json:"text"`
	HTML      string `json:"html"`
	Choices   []struct{ ID, Title string }
	Order     *struct{ Number, Status, Label string } `json:"order"`
	Error     struct{ Code, Message string }          `json:"error"`
}

// flow is one visitor talking to a running Guichet.
type flow struct {
	t     *testing.T
	base  string
	id    string
	token string // sent with each message, as the widget does
}

func startFlow(t *testing.T, base, token string) (*flow, int) {
	body := ""
	if token != "" {
		body = `{"customer_token": "` + token + `"}`
	}
	var conv struct{ ID string }
	code := call(t, "POST", base+"/api/v1/conversations", body, &conv)
	return &flow{t: t, base: base, id: conv.ID, token: token}, code
}

// message is the JSON of a message, with the flow's token if any.
func (f *flow) message(m map[string]string) string {
	if f.token != "" {
		m["customer_token"] = f.token
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func (f *flow) say(text string) flowReply {
	f.t.Helper()
	var r flowReply
	if code := call(f.t, "POST", f.base+"/api/v1/conversations/"+f.id+"/messages", f.message(map[string]string{"text": text}), &r); code != 200 {
		f.t.Fatalf("say %q: %d %+v", text, code, r.Error)
	}
	return r
}

func (f *flow) choose(choice string) flowReply {
	f.t.Helper()
	var r flowReply
	if code := call(f.t, "POST", f.base+"/api/v1/conversations/"+f.id+"/messages", f.message(map[string]string{"choice": choice}), &r); code != 200 {
		f.t.Fatalf("choose %q: %d %+v", choice, code, r.Error)
	}
	return r
}

func startWithMerchant(t *testing.T) (string, *program) {
	merchant := merchantServer(t)
	cfg := testConfig(t)
	cfg.ContentDir = "" // the sample content, with its order variants
	cfg.OrdersURL = merchant.URL
	cfg.OrdersToken = "merchant-token"
	cfg.TokenSecret = testSecret
	p := mustStart(t, cfg)
	return "http://" + p.addr(), p
}

func TestOrderVariantsForEveryStatus(t *testing.T) {
	base, _ := startWithMerchant(t)
	seen := map[string]string{}
	for i, s := range orders.Vocabulary {
		number := statusNumber(i)
		f, _ := startFlow(t, base, "")
		if r := f.say("où est mon colis ?"); r.Outcome != "ask_order" || r.ArticleID != "suivi-colis" || r.Order != nil {
			t.Fatalf("%s: first reply %+v, want a question about the order", s.Status, r)
		}
		r := f.say("c'est la " + number + ", mon mail client.test@exemple.fr")
		if r.Outcome != "answer" || r.ArticleID != "suivi-colis" || r.Order == nil || r.Order.Status != string(s.Status) {
			t.Fatalf("%s: reply %+v", s.Status, r)
		}
		if !strings.Contains(r.HTML, number) {
			t.Errorf("%s: answer does not name the order: %s", s.Status, r.HTML)
		}
		for other, html := range seen {
			if html == r.HTML {
				t.Errorf("%s and %s get the same answer", s.Status, other)
			}
		}
		seen[string(s.Status)] = r.HTML
		// The conversation remembers the order.
		if r := f.say("et pour la retourner ?"); r.ArticleID != "retourner-article" || r.Order == nil || r.Order.Number != number {
			t.Errorf("%s: follow-up %+v, want the return article for the same order", s.Status, r)
		}
	}
	if !strings.Contains(seen["shipped"], `href="https://suivi.example/7000004"`) {
		t.Errorf("shipped answer lacks the tracking link: %s", seen["shipped"])
	}
}

func TestOrderProofLeaksNothing(t *testing.T) {
	base, _ := startWithMerchant(t)
	wrong, _ := startFlow(t, base, "")
	wrong.say("où en est ma commande ?")
	r1 := wrong.say("commande 7000004, email pirate@exemple.fr")
	unknown, _ := startFlow(t, base, "")
	unknown.say("où en est ma commande ?")
	r2 := unknown.say("commande 7999999, email pirate@exemple.fr")
	if r1.Outcome != "ask_order" || r1.Text != r2.Text || r1.Order != nil || strings.Contains(r1.HTML, "Colissimo") {
		t.Errorf("wrong e-mail %+v vs unknown order %+v: they must read the same and show nothing", r1, r2)
	}
	// A number alone is never enough.
	alone, _ := startFlow(t, base, "")
	alone.say("où est mon colis")
	if r := alone.say("7000004"); r.Outcome != "ask_order" || r.Order != nil || !strings.Contains(r.Text, "adresse e-mail") {
		t.Errorf("number without proof: %+v", r)
	}
	// « non »: the visitor would rather not say; the generic answer.
	shy, _ := startFlow(t, base, "")
	shy.say("où est mon colis ?")
	if r := shy.say("non merci"); r.Outcome != "answer" || r.ArticleID != "suivi-colis" || r.Order != nil {
		t.Errorf("« non » to the order question: %+v, want the generic answer", r)
	}
	// A postcode is not a proof: it is guessed in a few hundred tries.
	if r := alone.say("75011"); r.Outcome != "ask_order" || r.Order != nil || !strings.Contains(r.Text, "adresse e-mail") {
		t.Errorf("number then postcode: %+v, want the e-mail asked", r)
	}
	// Five wrong proofs: the bot stops asking and offers a person.
	var r flowReply
	for range 4 {
		r = wrong.say("commande 7000004, email pirate@exemple.fr")
	}
	if r.Outcome != "human" || r.Order != nil || !strings.Contains(r.Text, "01 86 95 42 10") {
		t.Errorf("after 5 wrong proofs: %+v, want the way to a person", r)
	}
	if r := wrong.say("où est mon colis ?"); r.Outcome != "answer" || r.Order != nil {
		t.Errorf("after 5 wrong proofs, a question: %+v, want the generic answer without asking again", r)
	}
}

func TestOrderSystemFailures(t *testing.T) {
	base, p := startWithMerchant(t)
	for _, number := range []string{"7200001", "7200002", "7200003"} { // slow, 500, garbage
		f, _ := startFlow(t, base, "")
		f.say("où est mon colis ?")
		start := time.Now()
		r := f.say("commande " + number + " client.test@exemple.fr")
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s: reply took %s, want within the 2 s order timeout", number, took)
		}
		if r.Outcome != "answer" || r.ArticleID != "suivi-colis" || r.Order != nil || !strings.Contains(r.Text, "pas pu consulter votre commande") {
			t.Errorf("%s: %+v, want the generic answer with a note", number, r)
		}
	}
	if st, err := p.bot.Stats(context.Background()); err != nil || st.OrdersUnavailable != 3 {
		t.Errorf("stats = %+v, %v: want the 3 failures counted", st, err)
	}
}

func TestCustomerToken(t *testing.T) {
	base, _ := startWithMerchant(t)
	now := time.Now()
	sign := func(id string, life time.Duration) string {
		return server.SignCustomerToken([]byte(testSecret), chat.Identity{CustomerID: id, Email: id + "@exemple.fr"}, now, life)
	}
	// One order: answered at once.
	f, code := startFlow(t, base, sign("solo", 10*time.Minute))
	if code != 201 {
		t.Fatalf("valid token: %d", code)
	}
	if r := f.say("où est mon colis ?"); r.Outcome != "answer" || r.Order == nil || r.Order.Number != "7100001" {
		t.Errorf("customer with one order: %+v", r)
	}
	// Several orders: a choice, then the answer; another customer's order
	// cannot be picked.
	f, _ = startFlow(t, base, sign("multi", 10*time.Minute))
	r := f.say("où est mon colis ?")
	if r.Outcome != "ask_order" || len(r.Choices) < 3 || !strings.HasPrefix(r.Choices[0].ID, "commande:") {
		t.Fatalf("customer with several orders: %+v", r)
	}
	if r := f.choose(r.Choices[0].ID); r.Outcome != "answer" || r.Order == nil {
		t.Errorf("after choosing: %+v", r)
	}
	// Another customer's order cannot be picked, nor proven by number.
	g, _ := startFlow(t, base, sign("multi", 10*time.Minute))
	g.say("où est mon colis ?")
	var picked flowReply
	if code := call(t, "POST", base+"/api/v1/conversations/"+g.id+"/messages", g.message(map[string]string{"choice": "commande:7100001"}), &picked); code != 400 || picked.Order != nil {
		t.Errorf("picked another customer's order: %d %+v, want 400", code, picked)
	}
	h, _ := startFlow(t, base, sign("multi", 10*time.Minute))
	h.say("où est mon colis ?")
	if r := h.say("commande 7100001"); r.Order != nil || r.Outcome != "ask_order" {
		t.Errorf("another customer's order by number: %+v", r)
	}

	bad := map[string]string{
		"alg none":      unsignedToken(`{"alg":"none","typ":"JWT"}`, now.Add(time.Minute).Unix()),
		"HS512":         unsignedToken(`{"alg":"HS512","typ":"JWT"}`, now.Add(time.Minute).Unix()) + "c2ln",
		"expired":       sign("solo", -time.Minute),
		"over one hour": sign("solo", 2*time.Hour),
		"bad signature": sign("solo", time.Minute)[:len(sign("solo", time.Minute))-2] + "xx",
		"other secret":  server.SignCustomerToken([]byte("another-secret-another-secret-32!"), chat.Identity{CustomerID: "solo", Email: "s@e.fr"}, now, time.Minute),
		"garbage":       "not.a.token",
	}
	for name, tok := range bad {
		if _, code := startFlow(t, base, tok); code != 401 {
			t.Errorf("%s: status %d, want 401", name, code)
		}
	}
}

func unsignedToken(header string, exp int64) string {
	enc := func(s string) string { return strings.TrimRight(b64url(s), "=") }
	payload, _ := json.Marshal(map[string]any{"sub": "solo", "email": "solo@exemple.fr", "exp": exp})
	return enc(header) + "." + enc(string(payload)) + "."
}

func b64url(s string) string {
	return strings.NewReplacer("+", "-", "/", "_").Replace(base64Std(s))
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestExpiredTokenRevealsNothing: a conversation id is not a lasting key to
// a customer's identity and orders.
func TestExpiredTokenRevealsNothing(t *testing.T) {
	base, _ := startWithMerchant(t)
	now := time.Now()
	solo := chat.Identity{CustomerID: "solo", Email: "solo@exemple.fr"}
	f, _ := startFlow(t, base, server.SignCustomerToken([]byte(testSecret), solo, now, 10*time.Minute))
	if r := f.say("où est mon colis ?"); r.Order == nil || r.Order.Number != "7100001" {
		t.Fatalf("with a valid token: %+v", r)
	}
	for name, token := range map[string]string{
		"expired token":            server.SignCustomerToken([]byte(testSecret), solo, now.Add(-time.Hour), 10*time.Minute),
		"no token":                 "",
		"another customer's token": server.SignCustomerToken([]byte(testSecret), chat.Identity{CustomerID: "multi", Email: "m@exemple.fr"}, now, 10*time.Minute),
	} {
		other := &flow{t: t, base: base, id: f.id, token: token}
		if r := other.say("où en est ma commande ?"); r.Order != nil || strings.Contains(r.Text, "7100001") || r.Outcome != "ask_order" {
			t.Errorf("%s: %s %q, want the order asked for, none shown", name, r.Outcome, r.Text)
		}
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/conversations/"+f.id, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	if body["identity"] != nil || body["order"] != nil {
		t.Errorf("GET by id shows identity %v and order %v", body["identity"], body["order"])
	}
}

// TestHistoryWithoutProofHidesTheOrder: the transcript and the
// conversation, fetched with its id alone, no longer replay the answers
// written for a verified order, nor the e-mail typed to prove it.
func TestHistoryWithoutProofHidesTheOrder(t *testing.T) {
	base, _ := startWithMerchant(t)
	f, _ := startFlow(t, base, "")
	f.say("où est mon colis ?")
	number := statusNumber(slices.IndexFunc(orders.Vocabulary, func(s orders.StatusInfo) bool { return s.Status == "shipped" }))
	if r := f.say("c'est la " + number + ", mon mail client.test@exemple.fr"); r.Order == nil {
		t.Fatalf("the order was not verified: %+v", r)
	}
	for _, path := range []string{"", "/transcript"} {
		resp, err := http.Get(base + "/api/v1/conversations/" + f.id + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if body := string(b); resp.StatusCode != 200 || strings.Contains(body, "suivi.example") || strings.Contains(body, "client.test@exemple.fr") || !strings.Contains(body, "reconnectez-vous") {
			t.Errorf("GET …%s with the id alone: %d, shows the order or the e-mail, or no notice", path, resp.StatusCode)
		}
	}
}
