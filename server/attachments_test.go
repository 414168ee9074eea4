package server

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"
)

func upload(t *testing.T, s *Server, path, name string, data []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// TestAttachments: a photo is stored and served with its sniffed type to
// the conversation's customer and to agents, never to anyone else nor as
// HTML; other requests keep their 64 KiB limit.
func TestAttachments(t *testing.T) {
	s, _ := mustServer(t, Config{})
	conv, other := mustStart(t, s), mustStart(t, s)
	var img bytes.Buffer
	png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8)))
	code, body := upload(t, s, "/api/v1/conversations/"+conv+"/attachments", "colis.png", img.Bytes())
	if code != 201 {
		t.Fatalf("upload: %d %s", code, body)
	}
	var r struct{ Attachment struct{ ID, Type string } }
	json.Unmarshal([]byte(body), &r)
	if r.Attachment.Type != "image/png" {
		t.Fatalf("type = %q", r.Attachment.Type)
	}
	resp, data := do(t, s, "GET", "/api/v1/conversations/"+conv+"/attachments/"+r.Attachment.ID, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "sandbox") || data != img.String() {
		t.Errorf("serve: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := do(t, s, "GET", "/api/v1/conversations/"+other+"/attachments/"+r.Attachment.ID, ""); resp.StatusCode != 404 {
		t.Errorf("through another conversation: %d, want 404", resp.StatusCode)
	}
	if resp, _ := do(t, s, "GET", "/agent/conversations/"+conv+"/attachments/"+r.Attachment.ID, ""); resp.StatusCode != 303 {
		t.Errorf("console path without a session: %d, want the login page", resp.StatusCode)
	}
	agent := &browser{t: t, s: s, cookies: map[string]string{}}
	agent.login("alice", "un mot de passe solide")
	if resp, data := agent.do("GET", "/agent/conversations/"+conv+"/attachments/"+r.Attachment.ID, nil); resp.StatusCode != 200 || data != img.String() {
		t.Errorf("agent: %d", resp.StatusCode)
	}
	code, body = upload(t, s, "/api/v1/conversations/"+conv+"/attachments", "photo.png", []byte("<html><script>alert(1)</script></html>"))
	if code != 415 || !strings.Contains(body, "Ce type de fichier n’est pas accepté") {
		t.Errorf("HTML renamed .png: %d %s", code, body)
	}
	big := `{"text": "` + strings.Repeat("a", 70<<10) + `"}`
	if resp, _ := do(t, s, "POST", "/api/v1/conversations/"+conv+"/messages", big); resp.StatusCode != 413 {
		t.Errorf("a 70 KiB message body: %d, want 413", resp.StatusCode)
	}
}
