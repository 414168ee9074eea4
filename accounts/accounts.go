// Package accounts owns the people who work in Guichet: agents, editors and
// admins, their passwords (PBKDF2-SHA256, 600,000 iterations) and their
// login sessions, in its own bbolt buckets.
//
// It imports none of Guichet's packages and never logs.
package accounts

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"go.etcd.io/bbolt"
)

// Role is what a user may do.
type Role string

// The roles. An admin may do everything; an agent uses the agent console;
// an editor edits the knowledge base.
const (
	RoleAgent  Role = "agent"
	RoleEditor Role = "editor"
	RoleAdmin  Role = "admin"
)

// Allows tells whether a user with role r may use what needs role need.
func (r Role) Allows(need Role) bool { return r == RoleAdmin || r == need }

// Errors callers act on.
var (
	ErrExists         = errors.New("user already exists")
	ErrBadCredentials = errors.New("bad credentials")
	ErrNoSession      = errors.New("no valid session")
	ErrNotFound       = errors.New("no such user")
	// ErrLocked is a login refused because the account is locked after
	// too many failures; Login returns it only with the right password,
	// so that it tells an attacker nothing.
	ErrLocked = errors.New("account locked")
)

// InvalidError is a problem with a new user, in French for the admin.
type InvalidError struct{ Message string }

func (e *InvalidError) Error() string { return e.Message }

// User is someone who can log in.
type User struct {
	Name    string    `json:"name"`
	Role    Role      `json:"role"`
	Salt    []byte    `json:"salt"`
	Hash    []byte    `json:"hash"`
	Iter    int       `json:"iter"`
	Created time.Time `json:"created"`
	// Disabled users cannot log in; their sessions end.
	Disabled bool `json:"disabled,omitempty"`
	// Failures counts the failed logins in a row; from lockAfter on, the
	// account is locked until LockedUntil.
	Failures    int       `json:"failures,omitempty"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
}

// Per-account lock-out: after lockAfter failed logins in a row, the
// account is locked for lockFor, doubling with each further failure (up to
// a day). The per-client limit of the server does not stop an attacker
// spread over many addresses; this does.
const (
	lockAfter = 5
	lockFor   = 15 * time.Minute
)

// SessionLife is how long a login lasts.
const SessionLife = 12 * time.Hour

var (
	bucketUsers    = []byte("users")
	bucketSessions = []byte("sessions")
	reName         = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)
)

// Options tune a Store; zero fields take the defaults.
type Options struct {
	// Iterations of PBKDF2 for new passwords (600,000).
	Iterations int
	Now        func() time.Time
}

// Store keeps users and sessions.
type Store struct {
	db   *bbolt.DB
	opts Options
	// dummy is hashed for unknown users, so that a login takes as long
	// whether the name exists or not.
	dummy User
}

// New returns a store. It does no I/O: buckets are created on first write.
func New(db *bbolt.DB, opts Options) *Store {
	if opts.Iterations == 0 {
		opts.Iterations = 600_000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{db: db, opts: opts, dummy: User{Salt: make([]byte, 16), Iter: opts.Iterations}}
}

// Add creates a user.
func (s *Store) Add(name string, role Role, password string) error {
	switch {
	case !reName.MatchString(name):
		return &InvalidError{"le nom doit faire 2 à 32 caractères : minuscules, chiffres, point, tiret ou souligné"}
	case role != RoleAgent && role != RoleEditor && role != RoleAdmin:
		return &InvalidError{"le rôle doit être agent, editor ou admin"}
	case len([]rune(password)) < 12:
		return &InvalidError{"le mot de passe doit faire au moins 12 caractères"}
	}
	u := User{Name: name, Role: role, Salt: make([]byte, 16), Iter: s.opts.Iterations, Created: s.opts.Now().UTC()}
	if _, err := rand.Read(u.Salt); err != nil {
		return fmt.Errorf("salt: %w", err)
	}
	u.Hash = hash(password, u.Salt, u.Iter)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketUsers)
		if err != nil {
			return err
		}
		if b.Get([]byte(name)) != nil {
			return ErrExists
		}
		data, err := json.Marshal(u)
		if err != nil {
			return err
		}
		return b.Put([]byte(name), data)
	})
	if err != nil {
		return fmt.Errorf("add user %q: %w", name, err)
	}
	return nil
}

func hash(password string, salt []byte, iter int) []byte {
	h, _ := pbkdf2.Key(sha256.New, password, salt, iter, 32)
	return h
}

// Login checks a password and opens a session; it returns the session
// token to put in a cookie. A disabled account, or one locked after
// repeated failures, cannot log in.
func (s *Store) Login(name, password string) (token string, u *User, err error) {
	u, err = s.user(name)
	if err != nil {
		hash(password, s.dummy.Salt, s.dummy.Iter) // same time for unknown names
		return "", nil, ErrBadCredentials
	}
	now := s.opts.Now()
	good := subtle.ConstantTimeCompare(hash(password, u.Salt, u.Iter), u.Hash) == 1
	switch {
	case u.Disabled:
		return "", nil, ErrBadCredentials
	case now.Before(u.LockedUntil):
		if good {
			return "", nil, ErrLocked
		}
		return "", nil, ErrBadCredentials
	case !good:
		if err := s.update(name, func(u *User) error {
			u.Failures++
			if over := u.Failures - lockAfter; over >= 0 {
				u.LockedUntil = now.Add(min(lockFor<<min(over, 10), 24*time.Hour)).UTC()
			}
			return nil
		}); err != nil {
			return "", nil, err
		}
		return "", nil, ErrBadCredentials
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("session token: %w", err)
	}
	token = hex.EncodeToString(raw)
	sess := session{User: u.Name, Expires: now.Add(SessionLife).UTC()}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketSessions)
		if err != nil {
			return err
		}
		data, err := json.Marshal(sess)
		if err != nil {
			return err
		}
		if err := b.Put(sessionKey(token), data); err != nil {
			return err
		}
		if u.Failures == 0 && u.LockedUntil.IsZero() {
			return nil
		}
		return updateUser(tx, name, func(u *User) error {
			u.Failures, u.LockedUntil = 0, time.Time{}
			return nil
		})
	})
	if err != nil {
		return "", nil, fmt.Errorf("open session: %w", err)
	}
	return token, u, nil
}

// Users lists the users by name, without their password hashes.
func (s *Store) Users() ([]User, error) {
	var out []User
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var u User
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			u.Salt, u.Hash = nil, nil
			out = append(out, u)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// SetDisabled disables a user (and ends their sessions) or enables them
// again.
func (s *Store) SetDisabled(name string, disabled bool) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := updateUser(tx, name, func(u *User) error {
			u.Disabled = disabled
			if !disabled {
				u.Failures, u.LockedUntil = 0, time.Time{}
			}
			return nil
		}); err != nil {
			return err
		}
		if disabled {
			return revoke(tx, name)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("disable user %q: %w", name, err)
	}
	return nil
}

// Delete removes a user and their sessions.
func (s *Store) Delete(name string) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b == nil || b.Get([]byte(name)) == nil {
			return ErrNotFound
		}
		if err := b.Delete([]byte(name)); err != nil {
			return err
		}
		return revoke(tx, name)
	})
	if err != nil {
		return fmt.Errorf("delete user %q: %w", name, err)
	}
	return nil
}

// SetPassword gives a user a new password, unlocks the account and ends
// their sessions.
func (s *Store) SetPassword(name, password string) error {
	if len([]rune(password)) < 12 {
		return &InvalidError{"le mot de passe doit faire au moins 12 caractères"}
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return fmt.Errorf("salt: %w", err)
	}
	h := hash(password, salt, s.opts.Iterations)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := updateUser(tx, name, func(u *User) error {
			u.Salt, u.Hash, u.Iter = salt, h, s.opts.Iterations
			u.Failures, u.LockedUntil = 0, time.Time{}
			return nil
		}); err != nil {
			return err
		}
		return revoke(tx, name)
	})
	if err != nil {
		return fmt.Errorf("set password of %q: %w", name, err)
	}
	return nil
}

// Revoke ends every session of a user.
func (s *Store) Revoke(name string) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if b := tx.Bucket(bucketUsers); b == nil || b.Get([]byte(name)) == nil {
			return ErrNotFound
		}
		return revoke(tx, name)
	})
	if err != nil {
		return fmt.Errorf("revoke sessions of %q: %w", name, err)
	}
	return nil
}

// PruneSessions deletes the sessions that expired, so that the bucket does
// not grow with every login; it returns how many.
func (s *Store) PruneSessions() (int, error) {
	now := s.opts.Now()
	var n int
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var err error
		n, err = deleteSessions(tx, func(sess session, bad bool) bool { return bad || !now.Before(sess.Expires) })
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune sessions: %w", err)
	}
	return n, nil
}

func revoke(tx *bbolt.Tx, name string) error {
	_, err := deleteSessions(tx, func(sess session, bad bool) bool { return !bad && sess.User == name })
	return err
}

// deleteSessions deletes the sessions doomed says must go (bad: the record
// does not parse) and counts them.
func deleteSessions(tx *bbolt.Tx, doomed func(sess session, bad bool) bool) (int, error) {
	b := tx.Bucket(bucketSessions)
	if b == nil {
		return 0, nil
	}
	var keys [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var sess session
		bad := json.Unmarshal(v, &sess) != nil
		if doomed(sess, bad) {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// update changes a user in a transaction of its own.
func (s *Store) update(name string, change func(*User) error) error {
	err := s.db.Update(func(tx *bbolt.Tx) error { return updateUser(tx, name, change) })
	if err != nil {
		return fmt.Errorf("update user %q: %w", name, err)
	}
	return nil
}

func updateUser(tx *bbolt.Tx, name string, change func(*User) error) error {
	b := tx.Bucket(bucketUsers)
	if b == nil {
		return ErrNotFound
	}
	v := b.Get([]byte(name))
	if v == nil {
		return ErrNotFound
	}
	var u User
	if err := json.Unmarshal(v, &u); err != nil {
		return err
	}
	if err := change(&u); err != nil {
		return err
	}
	data, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return b.Put([]byte(name), data)
}

type session struct {
	User    string    `json:"user"`
	Expires time.Time `json:"expires"`
}

// sessionKey stores a digest of the token: a copy of the database does not
// give anyone a session.
func sessionKey(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Session returns the user of a session token, or ErrNoSession.
func (s *Store) Session(token string) (*User, error) {
	var sess session
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if b == nil || token == "" {
			return ErrNoSession
		}
		v := b.Get(sessionKey(token))
		if v == nil {
			return ErrNoSession
		}
		return json.Unmarshal(v, &sess)
	})
	if err != nil {
		return nil, ErrNoSession
	}
	if !s.opts.Now().Before(sess.Expires) {
		return nil, ErrNoSession
	}
	u, err := s.user(sess.User)
	if err != nil || u.Disabled {
		return nil, ErrNoSession
	}
	return u, nil
}

// Logout ends a session.
func (s *Store) Logout(token string) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if b == nil {
			return nil
		}
		return b.Delete(sessionKey(token))
	})
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

func (s *Store) user(name string) (*User, error) {
	var u *User
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b == nil {
			return ErrBadCredentials
		}
		v := b.Get([]byte(name))
		if v == nil {
			return ErrBadCredentials
		}
		u = &User{}
		return json.Unmarshal(v, u)
	})
	return u, err
}
