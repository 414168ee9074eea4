package server

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/guichet/guichet/chat"
)

// cli1 is the customer of the tokens below.
func cli1() *chat.Identity { return &chat.Identity{CustomerID: "cli-1", Email: "a@exemple.fr"} }

// mint signs any header and claims, as a shop's code (or an attacker's)
// might.
func mint(secret string, header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	unsigned := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	return unsigned + "." + b64.EncodeToString(signature([]byte(secret), unsigned))
}

func TestTokenRotationAudienceAndNbf(t *testing.T) {
	const current, previous, other = "current-secret-current-secret-32", "previous-secret-previous-secret!", "another-secret-another-secret-32"
	tokens := Tokens{Keys: []TokenKey{{ID: "2026-12", Secret: []byte(current)}, {ID: "2026-06", Secret: []byte(previous)}}}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	claims := func(extra map[string]any) map[string]any {
		c := map[string]any{"sub": "cli-1", "email": "a@exemple.fr", "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	hs := func(kid string) map[string]any {
		h := map[string]any{"alg": "HS256", "typ": "JWT"}
		if kid != "" {
			h["kid"] = kid
		}
		return h
	}
	for _, c := range []struct {
		name  string
		token string
		ok    bool
	}{
		{"current secret, its kid", mint(current, hs("2026-12"), claims(nil)), true},
		{"previous secret, its kid", mint(previous, hs("2026-06"), claims(nil)), true},
		{"previous secret, no kid", mint(previous, hs(""), claims(nil)), true},
		{"current secret, no kid", mint(current, hs(""), claims(nil)), true},
		{"previous secret under the current kid", mint(previous, hs("2026-12"), claims(nil)), false},
		{"unknown kid", mint(current, hs("2025-01"), claims(nil)), false},
		{"another secret", mint(other, hs(""), claims(nil)), false},
		{"aud guichet", mint(current, hs(""), claims(map[string]any{"aud": "guichet"})), true},
		{"aud list with guichet", mint(current, hs(""), claims(map[string]any{"aud": []string{"boutique", "guichet"}})), true},
		{"aud of another service", mint(current, hs(""), claims(map[string]any{"aud": "paiement"})), false},
		{"nbf passed", mint(current, hs(""), claims(map[string]any{"nbf": now.Add(-time.Minute).Unix()})), true},
		{"nbf within the clock skew", mint(current, hs(""), claims(map[string]any{"nbf": now.Add(30 * time.Second).Unix()})), true},
		{"nbf in the future", mint(current, hs(""), claims(map[string]any{"nbf": now.Add(5 * time.Minute).Unix()})), false},
	} {
		id, err := tokens.Verify(c.token, now)
		if c.ok && (err != nil || id.CustomerID != "cli-1") {
			t.Errorf("%s: %v, want accepted", c.name, err)
		}
		if !c.ok && !errors.Is(err, ErrBadToken) {
			t.Errorf("%s: accepted (%v), want refused", c.name, id)
		}
	}
	// The demo signs with the first key and names it.
	if _, err := (Tokens{Keys: tokens.Keys[1:]}).Verify(tokens.Sign(*cli1(), now, time.Minute), now); err == nil {
		t.Error("a token signed with the current key passed with the previous one only")
	}
	if _, err := tokens.Verify(tokens.Sign(*cli1(), now, time.Minute), now); err != nil {
		t.Errorf("the demo's own token: %v", err)
	}
	// A custom audience.
	custom := Tokens{Keys: tokens.Keys, Audience: "aide.boutique.example"}
	if _, err := custom.Verify(mint(current, hs(""), claims(map[string]any{"aud": "guichet"})), now); err == nil {
		t.Error("aud guichet accepted with another audience configured")
	}
}
