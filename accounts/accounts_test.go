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

func TestLockoutAndManagement(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s := mustStore(t, &now)
	const pass = "correct horse battery"
	for _, n := range []string{"alice", "bob"} {
		if err := s.Add(n, RoleAgent, pass); err != nil {
			t.Fatal(err)
		}
	}
	// Five wrong passwords lock the account, whatever the client address;
	// the right password is then refused too, for a while.
	for range lockAfter {
		s.Login("alice", "wrong password!!")
	}
	if _, _, err := s.Login("alice", pass); !errors.Is(err, ErrLocked) {
		t.Errorf("locked account, right password: %v, want ErrLocked", err)
	}
	if _, _, err := s.Login("alice", "wrong password!!"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("locked account, wrong password: %v, want ErrBadCredentials (nothing learnt)", err)
	}
	if _, _, err := s.Login("bob", pass); err != nil {
		t.Errorf("another account is not locked: %v", err)
	}
	now = now.Add(2 * lockFor) // the sixth failure doubled the delay
	if _, _, err := s.Login("alice", pass); err != nil {
		t.Errorf("after the lock-out: %v", err)
	}

	// Revoke, disable, reset, delete.
	token, _, _ := s.Login("alice", pass)
	if err := s.Revoke("alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(token); !errors.Is(err, ErrNoSession) {
		t.Errorf("revoked session still valid: %v", err)
	}
	token, _, _ = s.Login("alice", pass)
	if err := s.SetDisabled("alice", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(token); !errors.Is(err, ErrNoSession) {
		t.Errorf("disabled user's session still valid: %v", err)
	}
	if _, _, err := s.Login("alice", pass); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("disabled user logged in: %v", err)
	}
	if users, err := s.Users(); err != nil || len(users) != 2 || !users[0].Disabled || users[0].Hash != nil {
		t.Errorf("Users = %+v, %v: want alice disabled, no hashes", users, err)
	}
	s.SetDisabled("alice", false)
	if err := s.SetPassword("alice", "a brand new password"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Login("alice", pass); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("old password after a reset: %v", err)
	}
	if _, _, err := s.Login("alice", "a brand new password"); err != nil {
		t.Errorf("new password: %v", err)
	}
	if err := s.Delete("alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
	if _, _, err := s.Login("alice", "a brand new password"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("deleted user logged in: %v", err)
	}
}

func TestPruneSessions(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s := mustStore(t, &now)
	s.Add("alice", RoleAgent, "correct horse battery")
	old, _, _ := s.Login("alice", "correct horse battery")
	now = now.Add(SessionLife - time.Hour)
	fresh, _, _ := s.Login("alice", "correct horse battery")
	now = now.Add(2 * time.Hour) // the first one expired an hour ago
	if n, err := s.PruneSessions(); err != nil || n != 1 {
		t.Errorf("PruneSessions = %d, %v, want 1", n, err)
	}
	if _, err := s.Session(fresh); err != nil {
		t.Errorf("the live session was pruned: %v", err)
	}
	if _, err := s.Session(old); !errors.Is(err, ErrNoSession) {
		t.Errorf("the expired one: %v", err)
	}
}
