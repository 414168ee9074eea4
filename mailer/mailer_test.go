package mailer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/mailer/mailertest"
)

func TestSend(t *testing.T) {
	if New(Config{}) != nil {
		t.Error("a mailer without a server")
	}
	addr, got := mailertest.NewServer(t)
	m := New(Config{Addr: addr, From: "guichet@boutique.example", Timeout: 2 * time.Second})
	if err := m.Send(context.Background(), "service@boutique.example", "Demande de Camille — à traiter", "Bonjour,\nune ligne.\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-got:
		if !strings.Contains(msg, "To: service@boutique.example") || !strings.Contains(msg, "=?utf-8?q?") || !strings.Contains(msg, "une ligne.") {
			t.Errorf("message = %q", msg)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("nothing received")
	}
	if err := m.Send(context.Background(), "a@b.fr\r\nBcc: x@y.fr", "s", "b"); err == nil {
		t.Error("header injection accepted")
	}
	dead := New(Config{Addr: "127.0.0.1:1", From: "g@b.example", Timeout: 500 * time.Millisecond})
	if err := dead.Send(context.Background(), "a@b.fr", "s", "b"); err == nil {
		t.Error("no error from a dead server")
	}
}
