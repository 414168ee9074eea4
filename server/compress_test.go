package server

import (
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// TestCompression: what is worth compressing is gzipped (or deflated) for
// clients that accept it; a short chat reply is sent as it is, since it
// fits in one packet either way.
func TestCompression(t *testing.T) {
	s, _ := mustServer(t, Config{})
	id := mustStart(t, s)
	for _, c := range []struct {
		name, method, path, body, accept, want string
	}{
		{"widget, browser", "GET", "/widget.js", "", "gzip, deflate, br", "gzip"},
		{"widget, deflate only", "GET", "/widget.js", "", "deflate", "deflate"},
		{"widget, no compression asked", "GET", "/widget.js", "", "", ""},
		{"API description", "GET", "/api/v1/openapi.json", "", "br, gzip", "gzip"},
		{"short chat reply", "POST", "/api/v1/conversations/" + id + "/messages", `{"text":"bonjour"}`, "gzip, deflate, br", ""},
	} {
		resp, body := do(t, s, c.method, c.path, c.body, "Accept-Encoding", c.accept)
		if got := resp.Header.Get("Content-Encoding"); got != c.want || resp.StatusCode >= 300 {
			t.Errorf("%s: %d, Content-Encoding %q, want %q", c.name, resp.StatusCode, got, c.want)
			continue
		}
		if c.want == "gzip" {
			zr, err := gzip.NewReader(strings.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil || len(plain) < minCompressed {
				t.Errorf("%s: %d bytes once decompressed, %v", c.name, len(plain), err)
			}
		}
	}
}
