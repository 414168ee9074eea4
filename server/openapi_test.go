package server

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The OpenAPI document is checked against the Fiber app's real routes, both
// ways, and the API's real answers against its schemas, with the small
// JSON Schema subset it uses (type, properties, required,
// additionalProperties, items, enum, minimum, maximum, maxLength, $ref).

type openAPIDoc struct {
	OpenAPI    string                           `json:"openapi"`
	Servers    []struct{ URL string }           `json:"servers"`
	Paths      map[string]map[string]openAPIOp  `json:"paths"`
	Components struct{ Schemas map[string]any } `json:"components"`
}

type openAPIOp struct {
	OperationID string                     `json:"operationId"`
	Responses   map[string]openAPIResponse `json:"responses"`
}

type openAPIResponse struct {
	Content map[string]struct {
		Schema any `json:"schema"`
	} `json:"content"`
}

func mustOpenAPI(tb testing.TB) *openAPIDoc {
	tb.Helper()
	var d openAPIDoc
	if err := json.Unmarshal(openAPI, &d); err != nil {
		tb.Fatalf("openapi.json: %v", err)
	}
	if d.OpenAPI != "3.1.0" || len(d.Servers) != 1 || d.Servers[0].URL != "/api/v1" {
		tb.Fatalf("openapi %q, servers %v: want 3.1.0 on /api/v1", d.OpenAPI, d.Servers)
	}
	return &d
}

var reParam = regexp.MustCompile(`:([a-z_]+)`)

func TestOpenAPIListsEveryRoute(t *testing.T) {
	s, _ := mustServer(t, Config{})
	doc := mustOpenAPI(t)
	routes := map[string]bool{}
	for _, r := range s.App().GetRoutes(true) {
		p, ok := strings.CutPrefix(r.Path, "/api/v1")
		if !ok || r.Method == "HEAD" || r.Method == "OPTIONS" || r.Method == "USE" || p == "" {
			continue
		}
		routes[strings.ToLower(r.Method)+" "+reParam.ReplaceAllString(p, "{$1}")] = true
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m, op := range ops {
			documented[m+" "+p] = true
			if op.OperationID == "" || len(op.Responses) == 0 {
				t.Errorf("%s %s: operationId and responses wanted", m, p)
			}
		}
	}
	if len(routes) < 10 {
		t.Fatalf("only %d /api/v1 routes found: %v", len(routes), routes)
	}
	for r := range routes {
		if !documented[r] {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for d := range documented {
		if !routes[d] {
			t.Errorf("openapi.json documents %s, which is no route", d)
		}
	}
}

func TestOpenAPIMatchesRealAnswers(t *testing.T) {
	s, _ := mustServer(t, Config{})
	doc := mustOpenAPI(t)
	id := mustStart(t, s)
	session := func(name string) []string {
		tok, _, err := s.accounts.Login(name, "un mot de passe solide")
		if err != nil {
			t.Fatal(err)
		}
		return []string{"Cookie", sessionCookie + "=" + tok}
	}
	editor, agent := session("eve"), session("alice")
	conv := "/api/v1/conversations/" + id
	solved := "/api/v1/conversations/" + mustStart(t, s)
	tests := []struct {
		method, path, body string
		header             []string
		wantStatus         int
	}{
		{"POST", "/api/v1/conversations", "", nil, 201},
		{"POST", "/api/v1/conversations", `{"customer_token":"pas.un.jeton"}`, nil, 401},
		{"POST", conv + "/messages", `{"text":"jai tjrs pas recu ma comande"}`, nil, 200},
		{"POST", conv + "/messages", `{"helpful":false}`, nil, 200},
		{"POST", conv + "/messages", `{"text":"quel temps fait-il demain à Brest ?"}`, nil, 200},
		{"POST", conv + "/messages", `{"text":"je veux parler à un conseiller"}`, nil, 200},
		{"POST", conv + "/messages", `{"choice":"nous-contacter"}`, nil, 200},
		{"POST", conv + "/messages", `{"text":""}`, nil, 400},
		{"POST", conv + "/messages", `{"text":`, nil, 400},
		{"POST", "/api/v1/conversations/inconnue/messages", `{"text":"colis"}`, nil, 404},
		{"POST", solved + "/effort", `{"score":4}`, nil, 409},
		{"POST", solved + "/messages", `{"text":"Comment annuler ma commande ?"}`, nil, 200},
		{"POST", solved + "/effort", `{"score":9}`, nil, 400},
		{"POST", solved + "/effort", `{"score":4}`, nil, 201},
		{"POST", solved + "/effort", `{"score":5}`, nil, 409},
		{"POST", "/api/v1/conversations/inconnue/effort", `{"score":4}`, nil, 404},
		{"POST", conv + "/handoff", `{"channel":"callback","phone":"12","slot":"hier"}`, nil, 400},
		{"POST", conv + "/handoff", `{"channel":"email","email":"camille@exemple.fr","message":"Mon colis n’est pas arrivé."}`, nil, 201},
		{"POST", conv + "/transcript", `{"email":"camille@exemple.fr"}`, nil, 503},
		{"GET", conv, "", nil, 200},
		{"GET", conv + "/transcript", "", nil, 200},
		{"GET", "/api/v1/articles?q=remboursement", "", nil, 200},
		{"GET", "/api/v1/articles?q=rembourssement", "", nil, 200},
		{"GET", "/api/v1/articles?tag=livraison", "", nil, 200},
		{"GET", "/api/v1/articles/annuler-commande", "", nil, 200},
		{"GET", "/api/v1/articles/nope", "", nil, 404},
		{"GET", "/api/v1/content/errors", "", editor, 200},
		{"GET", "/api/v1/content/errors", "", nil, 401},
		{"GET", "/api/v1/content/reviews", "", editor, 200},
		{"GET", "/api/v1/content/reviews?limit=0", "", editor, 400},
		{"GET", "/api/v1/stats", "", agent, 200},
		{"GET", "/api/v1/openapi.json", "", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := do(t, s, tt.method, tt.path, tt.body, tt.header...)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			op := operationFor(t, doc, tt.method, tt.path)
			r, ok := op.Responses[fmt.Sprint(resp.StatusCode)]
			if !ok {
				t.Fatalf("status %d is not documented for %s", resp.StatusCode, op.OperationID)
			}
			ctype, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
			media, ok := r.Content[ctype]
			if !ok {
				t.Fatalf("%s %d answers %s, documented %v", op.OperationID, resp.StatusCode, ctype, r.Content)
			}
			if ctype != "application/json" {
				return
			}
			var v any
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if errs := validate(doc, media.Schema, v, "$"); len(errs) > 0 {
				t.Errorf("%s %d does not match its schema:\n%s\n%s", op.OperationID, resp.StatusCode, strings.Join(errs, "\n"), body)
			}
		})
	}
}

// TestSchemaCheckerFails keeps the checker honest: each bad value is caught.
func TestSchemaCheckerFails(t *testing.T) {
	doc := mustOpenAPI(t)
	ref := map[string]any{"$ref": "#/components/schemas/Reply"}
	for _, bad := range []string{
		`{"text":"", "html":"", "confidence":1}`,
		`{"outcome":"perhaps","text":"","html":"","confidence":1}`,
		`{"outcome":"answer","text":"","html":"","confidence":2}`,
		`{"outcome":"answer","text":3,"html":"","confidence":1}`,
		`{"outcome":"answer","text":"","html":"","confidence":1,"secret":"x"}`,
		`{"outcome":"answer","text":"","html":"","confidence":1,"choices":[{"id":"x"}]}`,
	} {
		var v any
		if err := json.Unmarshal([]byte(bad), &v); err != nil {
			t.Fatal(err)
		}
		if errs := validate(doc, ref, v, "$"); len(errs) == 0 {
			t.Errorf("%s passed the Reply schema", bad)
		}
	}
}

// operationFor finds the documented operation whose path template matches.
func operationFor(tb testing.TB, doc *openAPIDoc, method, path string) openAPIOp {
	tb.Helper()
	p, _, _ := strings.Cut(strings.TrimPrefix(path, "/api/v1"), "?")
	for tmpl, ops := range doc.Paths {
		re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(tmpl), `[^/]+`) + "$")
		if op, ok := ops[strings.ToLower(method)]; ok && re.MatchString(p) {
			return op
		}
	}
	tb.Fatalf("%s %s is not documented", method, path)
	return openAPIOp{}
}

// validate checks v against schema and returns what does not match.
func validate(doc *openAPIDoc, schema any, v any, at string) []string {
	sc, ok := schema.(map[string]any)
	if !ok {
		return []string{at + ": bad schema"}
	}
	if ref, ok := sc["$ref"].(string); ok {
		name, _ := strings.CutPrefix(ref, "#/components/schemas/")
		target, ok := doc.Components.Schemas[name]
		if !ok {
			return []string{at + ": unknown $ref " + ref}
		}
		return validate(doc, target, v, at)
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	if t, ok := sc["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		if !slices.ContainsFunc(types, func(t string) bool { return hasType(v, t) }) {
			fail("%s, want %v", jsonType(v), types)
			return errs
		}
	}
	if enum, ok := sc["enum"].([]any); ok && !slices.Contains(enum, v) {
		fail("%v is not one of %v", v, enum)
	}
	if n, ok := v.(float64); ok {
		if m, ok := sc["minimum"].(float64); ok && n < m {
			fail("%v below the minimum %v", n, m)
		}
		if m, ok := sc["maximum"].(float64); ok && n > m {
			fail("%v above the maximum %v", n, m)
		}
	}
	if s, ok := v.(string); ok {
		if m, ok := sc["maxLength"].(float64); ok && float64(len([]rune(s))) > m {
			fail("longer than %v", m)
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := sc["items"]; ok {
			for i, x := range arr {
				errs = append(errs, validate(doc, items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := sc["properties"].(map[string]any)
		if req, ok := sc["required"].([]any); ok {
			for _, r := range req {
				if _, ok := obj[r.(string)]; !ok {
					fail("%q is required", r)
				}
			}
		}
		for k, x := range obj {
			if p, ok := props[k]; ok {
				errs = append(errs, validate(doc, p, x, at+"."+k)...)
				continue
			}
			switch ap := sc["additionalProperties"].(type) {
			case bool:
				if !ap {
					fail("%q is not in the schema", k)
				}
			case map[string]any:
				errs = append(errs, validate(doc, ap, x, at+"."+k)...)
			}
		}
	}
	return errs
}

func hasType(v any, t string) bool {
	switch t {
	case "integer":
		n, ok := v.(float64)
		return ok && n == math.Trunc(n)
	case "number":
		_, ok := v.(float64)
		return ok
	}
	return jsonType(v) == t
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
