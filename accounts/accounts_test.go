package accounts

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

func mustStore(t *testing.T, now *time.Time) *Store {
	db, err := bbolt.Open(filepath.Join(t.TempDir(), "a.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return New(db, Options{Iterations: 1000, Now: func() time.Time { return *now }})
}

func TestAccounts(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s := mustStore(t, &now)
	var inv *InvalidError
	for _, bad := range []struct {
		name string
		role Role
		pass string
	}{{"A", RoleAgent, "correct horse battery"}, {"alice", "boss", "correct horse battery"}, {"alice", RoleAgent, "court"}} {
		if err := s.Add(bad.name, bad.role, bad.pass); !errors.As(err, &inv) {
			t.Errorf("Add(%q, %q) = %v, want an InvalidError", bad.name, bad.role, err)
		}
	}
	if err := s.Add("alice", RoleAgent, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("alice", RoleEditor, "another long password"); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate: %v", err)
	}
	if _, _, err := s.Login("alice", "wrong password!!"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("wrong password: %v", err)
	}
	if _, _, err := s.Login("bob", "correct horse battery"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("unknown user: %v", err)
	}
	token, u, err := s.Login("alice", "correct horse battery")
	if err != nil || u.Role != RoleAgent {
		t.Fatalf("login: %v %+v", err, u)
	}
	if got, err := s.Session(token); err != nil || got.Name != "alice" {
		t.Errorf("session: %v %+v", err, got)
	}
	if _, err := s.Session(token + "x"); !errors.Is(err, ErrNoSession) {
		t.Errorf("forged token: %v", err)
	}
	now = now.Add(SessionLife)
	if _, err := s.Session(token); !errors.Is(err, ErrNoSession) {
		t.Errorf("expired session: %v", err)
	}
	token, _, _ = s.Login("alice", "correct horse battery")
	if err := s.Logout(token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(token); !errors.Is(err, ErrNoSession) {
		t.Errorf("after logout: %v", err)
	}
	if !RoleAdmin.Allows(RoleEditor) || RoleAgent.Allows(RoleEditor) || !RoleAgent.Allows(RoleAgent) {
		t.Error("role checks")
	}
}
