package server

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/guichet/guichet/chat"
)

// ErrBadToken is returned for any customer token that must not be trusted.
// The reason is kept for the merchant's developers (wrapped), never shown
// to the visitor.
var ErrBadToken = errors.New("invalid customer token")

// maxTokenLife is the longest lifetime a customer token may have.
const maxTokenLife = time.Hour

// clockSkew is the leeway given to a token's "nbf" (the shop's clock may be
// a little ahead).
const clockSkew = time.Minute

// tokenClaims is the payload a merchant signs.
type tokenClaims struct {
	Sub   string   `json:"sub"`
	Email string   `json:"email"`
	Exp   *int64   `json:"exp"`
	Iat   *int64   `json:"iat"`
	Nbf   *int64   `json:"nbf"`
	Aud   audience `json:"aud"`
}

// audience is a JWT "aud": one string or a list of them.
type audience []string

func (a *audience) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return err
	}
	*a = list
	return nil
}

var b64 = base64.RawURLEncoding

// TokenKey is a secret the shop signs customer tokens with (HS256). ID,
// optional, is the "kid" of the tokens' header that names it.
type TokenKey struct {
	ID     string
	Secret []byte
}

// Tokens says how customer tokens are checked.
type Tokens struct {
	// Keys are the secrets accepted: one, or two while the shop rotates
	// its secret (the new one first: it signs the demo's tokens). A token
	// with a "kid" is checked with that key only.
	Keys []TokenKey
	// Audience is what a token's "aud", when it has one, must name
	// ("guichet" when empty).
	Audience string
}

// Verify checks a JWT signed by the merchant with HS256 and returns the
// customer it vouches for. It rejects every other algorithm ("none"
// included), an unknown "kid", a bad signature, a missing or past "exp", a
// lifetime over one hour, a future "nbf" and an "aud" that does not name
// Guichet.
func (t Tokens) Verify(token string, now time.Time) (*chat.Identity, error) {
	if len(t.Keys) == 0 {
		return nil, fmt.Errorf("%w: no secret configured", ErrBadToken)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: not a JWT", ErrBadToken)
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodePart(parts[0], &header); err != nil {
		return nil, err
	}
	if header.Alg != "HS256" {
		return nil, fmt.Errorf("%w: algorithm %q refused (HS256 only)", ErrBadToken, header.Alg)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: signature encoding", ErrBadToken)
	}
	signed, named := false, false
	for _, k := range t.Keys {
		if header.Kid != "" && k.ID != header.Kid {
			continue
		}
		named = true
		if hmac.Equal(sig, signature(k.Secret, parts[0]+"."+parts[1])) { // constant time
			signed = true
		}
	}
	switch {
	case !named:
		return nil, fmt.Errorf("%w: unknown kid %q", ErrBadToken, header.Kid)
	case !signed:
		return nil, fmt.Errorf("%w: bad signature", ErrBadToken)
	}
	var c tokenClaims
	if err := decodePart(parts[1], &c); err != nil {
		return nil, err
	}
	aud := cmp.Or(t.Audience, "guichet")
	switch {
	case c.Exp == nil:
		return nil, fmt.Errorf("%w: exp is required", ErrBadToken)
	case now.Unix() >= *c.Exp:
		return nil, fmt.Errorf("%w: expired", ErrBadToken)
	case *c.Exp-now.Unix() > int64(maxTokenLife/time.Second)+60,
		c.Iat != nil && *c.Exp-*c.Iat > int64(maxTokenLife/time.Second):
		return nil, fmt.Errorf("%w: lifetime over one hour", ErrBadToken)
	case c.Nbf != nil && now.Add(clockSkew).Unix() < *c.Nbf:
		return nil, fmt.Errorf("%w: not valid yet (nbf)", ErrBadToken)
	case c.Aud != nil && !slices.Contains(c.Aud, aud):
		return nil, fmt.Errorf("%w: audience is not %q", ErrBadToken, aud)
	case c.Sub == "" || c.Email == "":
		return nil, fmt.Errorf("%w: sub and email are required", ErrBadToken)
	}
	return &chat.Identity{CustomerID: c.Sub, Email: strings.ToLower(c.Email)}, nil
}

func decodePart(part string, v any) error {
	data, err := b64.DecodeString(part)
	if err != nil {
		return fmt.Errorf("%w: encoding", ErrBadToken)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: JSON", ErrBadToken)
	}
	return nil
}

// Sign makes the token a merchant's site would make, with the first key
// (and its kid): for the demo shop page. exp is now + life.
func (t Tokens) Sign(id chat.Identity, now time.Time, life time.Duration) string {
	k := t.Keys[0]
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT", "kid": k.ID})
	if k.ID == "" {
		header = []byte(`{"alg":"HS256","typ":"JWT"}`)
	}
	payload, _ := json.Marshal(map[string]any{"sub": id.CustomerID, "email": id.Email, "iat": now.Unix(), "exp": now.Add(life).Unix()})
	unsigned := b64.EncodeToString(header) + "." + b64.EncodeToString(payload)
	return unsigned + "." + b64.EncodeToString(signature(k.Secret, unsigned))
}

// SignCustomerToken signs a token with one secret and no kid, as most
// shops do: for tests.
func SignCustomerToken(secret []byte, id chat.Identity, now time.Time, life time.Duration) string {
	return Tokens{Keys: []TokenKey{{Secret: secret}}}.Sign(id, now, life)
}

// signature is the HS256 signature of a token's header and payload.
func signature(secret []byte, unsigned string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(unsigned))
	return mac.Sum(nil)
}
