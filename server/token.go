package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
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

// tokenClaims is the payload a merchant signs.
type tokenClaims struct {
	Sub   string `json:"sub"`
	Email string `json:"email"`
	Exp   *int64 `json:"exp"`
	Iat   *int64 `json:"iat"`
}

var b64 = base64.RawURLEncoding

// VerifyCustomerToken checks a JWT signed by the merchant with HS256 and
// returns the customer it vouches for. It rejects every other algorithm
// ("none" included), a bad signature, a missing or past "exp", and a
// lifetime over one hour.
func VerifyCustomerToken(secret []byte, token string, now time.Time) (*chat.Identity, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("%w: no secret configured", ErrBadToken)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: not a JWT", ErrBadToken)
	}
	var header struct {
		Alg string `json:"alg"`
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
	if !hmac.Equal(sig, signature(secret, parts[0]+"."+parts[1])) { // constant time
		return nil, fmt.Errorf("%w: bad signature", ErrBadToken)
	}
	var c tokenClaims
	if err := decodePart(parts[1], &c); err != nil {
		return nil, err
	}
	switch {
	case c.Exp == nil:
		return nil, fmt.Errorf("%w: exp is required", ErrBadToken)
	case now.Unix() >= *c.Exp:
		return nil, fmt.Errorf("%w: expired", ErrBadToken)
	case *c.Exp-now.Unix() > int64(maxTokenLife/time.Second)+60,
		c.Iat != nil && *c.Exp-*c.Iat > int64(maxTokenLife/time.Second):
		return nil, fmt.Errorf("%w: lifetime over one hour", ErrBadToken)
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

// SignCustomerToken makes the token a merchant's site would make: for the
// demo shop page and for tests. exp is now + life.
func SignCustomerToken(secret []byte, id chat.Identity, now time.Time, life time.Duration) string {
	header := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload, _ := json.Marshal(map[string]any{"sub": id.CustomerID, "email": id.Email, "iat": now.Unix(), "exp": now.Add(life).Unix()})
	unsigned := header + "." + b64.EncodeToString(payload)
	return unsigned + "." + b64.EncodeToString(signature(secret, unsigned))
}

// signature is the HS256 signature of a token's header and payload.
func signature(secret []byte, unsigned string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(unsigned))
	return mac.Sum(nil)
}
