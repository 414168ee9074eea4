package chat

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mustPNG is a small real PNG image.
func mustPNG(tb testing.TB) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestAttach(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "attachments")
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{Now: monday10, AttachmentsDir: dir})
	conv, _ := b.Start(ctx, nil)
	other, _ := b.Start(ctx, nil)
	tests := []struct {
		name    string
		file    string
		data    []byte
		wantErr error
		want    string
	}{
		{"a photo", "colis abîmé.png", mustPNG(t), nil, "image/png"},
		{"a PDF", "facture.pdf", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"), nil, "application/pdf"},
		{"an HTML page renamed .png", "photo.png", []byte("<!doctype html><script>alert(1)</script>"), ErrAttachmentType, ""},
		{"an SVG", "image.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ErrAttachmentType, ""},
		{"too big", "gros.pdf", append([]byte("%PDF-1.4\n"), make([]byte, MaxAttachment)...), ErrAttachmentTooBig, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, err := b.Attach(ctx, conv.ID, "", tt.file, tt.data)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if a.Type != tt.want || a.Name != tt.file {
				t.Errorf("attachment = %+v", a)
			}
			got, data, err := b.OpenAttachment(ctx, conv.ID, a.ID)
			if err != nil || got.ID != a.ID || !bytes.Equal(data, tt.data) {
				t.Errorf("open: %+v %v", got, err)
			}
			if _, _, err := b.OpenAttachment(ctx, other.ID, a.ID); !errors.Is(err, ErrAttachmentMissing) {
				t.Errorf("another conversation opens it: %v", err)
			}
		})
	}
	// Stored under the data dir by id, never by the name the sender gave.
	a, r, err := b.Attach(ctx, conv.ID, "", "../../etc/passwd.png", mustPNG(t))
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "passwd.png" {
		t.Errorf("name = %q", a.Name)
	}
	if _, err := os.Stat(filepath.Join(dir, conv.ID, a.ID)); err != nil {
		t.Errorf("file not under the data dir: %v", err)
	}
	// The bot cannot read photos: it says so and offers a person.
	if r.Outcome != OutcomeAttachment || len(r.Channels) == 0 {
		t.Errorf("bot reply to a file: %+v", r)
	}
	if full, _ := b.Conversation(ctx, conv.ID); !strings.Contains(Transcript(full), "Vous : (fichier joint : passwd.png)") {
		t.Errorf("the transcript does not name the file:\n%s", Transcript(full))
	}
	if _, _, err := b.OpenAttachment(ctx, conv.ID, "../"+a.ID); !errors.Is(err, ErrAttachmentMissing) {
		t.Errorf("a crafted id: %v", err)
	}
}
