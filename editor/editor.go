// Package editor owns what the web editor adds to the content files: the
// atomic write of an article into the content directory (the files stay
// the source of truth), the history of every version saved, in its own
// bbolt buckets, and the check that an editor saves over the version they
// started from, so that two editors never overwrite each other.
//
// It does not parse articles (kb does) and must not import server, chat
// or Fiber.
package editor

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.etcd.io/bbolt"
)

var bucketHistory = []byte("editor_history")

// Errors the editor's pages explain.
var (
	// ErrNotFound: no such version, or no history for the article.
	ErrNotFound = errors.New("version not found")
	// ErrExists: the new file name of a rename is already taken.
	ErrExists = errors.New("file already exists")
	// ErrBadPath: a path outside the content directory, or not *.md.
	ErrBadPath = errors.New("bad article path")
)

// Action is what a version did to the article.
type Action string

// The actions of a version.
const (
	// Original is the file as it was before its first save in the editor
	// (written by hand, from git or the sample).
	Original Action = "original"
	Created  Action = "created"
	Edited   Action = "edited"
	Renamed  Action = "renamed"
	Deleted  Action = "deleted"
	Restored Action = "restored"
)

// Version is one saved state of an article file.
type Version struct {
	// N numbers the versions of an article from 1.
	N       int    `json:"n"`
	Article string `json:"article"`
	Path    string `json:"path"`
	// Author is the editor who saved it; empty for Original.
	Author string    `json:"author,omitempty"`
	At     time.Time `json:"at"`
	Action Action    `json:"action"`
	// From is the article's previous id (or path) when renamed.
	From string `json:"from,omitempty"`
	// RestoredFrom is the version a restore brought back.
	RestoredFrom int `json:"restored_from,omitempty"`
	// Source is the whole file; empty once deleted.
	Source string `json:"source"`
	// Hash is Hash(Source), empty once deleted.
	Hash string `json:"hash"`
}

// Hash identifies a file's content: what a save says it was based on. A
// missing file has the empty hash.
func Hash(source []byte) string {
	if source == nil {
		return ""
	}
	sum := sha256.Sum256(source)
	return hex.EncodeToString(sum[:16])
}

// ConflictError is returned when the file changed since the editor read
// it: someone else saved (Latest tells who and when) or the file was
// changed outside the editor (Latest is nil).
type ConflictError struct {
	// Base is the version the editor started from, when known.
	Base *Version
	// Latest is the version on disk now, when the editor saved it.
	Latest *Version
	// Current is the file on disk now (empty when deleted).
	Current string
}

func (e *ConflictError) Error() string { return "article changed since it was read" }

// Options configure a Store.
type Options struct {
	// Dir is the content directory the articles are written to.
	Dir string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Store writes articles and keeps their versions.
type Store struct {
	db   *bbolt.DB
	opts Options
	mu   sync.Mutex // one change at a time: check, write and record together
}

// New returns a store. It does no I/O: buckets are created on first save.
func New(db *bbolt.DB, opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{db: db, opts: opts}
}

// Dir is the content directory.
func (s *Store) Dir() string { return s.opts.Dir }

// Change is a save asked by an editor.
type Change struct {
	// ID is the article's id in Source; OldID the id it had (empty for a
	// new article). They differ for a rename.
	ID, OldID string
	// Path is where Source goes, OldPath where the article was (empty
	// for a new article), both relative to the content dir, with "/".
	Path, OldPath string
	Source        []byte
	// Base is the Hash of the file the editor started from (empty for a
	// new article).
	Base   string
	Author string
	// RestoredFrom, when set, says the change restores that version.
	RestoredFrom int
}

// Current reads an article file: its content and Hash (nil and "" when
// missing).
func (s *Store) Current(rel string) ([]byte, string, error) {
	full, err := s.full(rel)
	if err != nil {
		return nil, "", err
	}
	data, err := os.ReadFile(full)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", rel, err)
	}
	return data, Hash(data), nil
}

// Save writes the change atomically and records it as a new version. It
// fails with a *ConflictError when the file is no longer the one the
// editor read, and with ErrExists when a rename's target is taken.
func (s *Store) Save(c Change) (*Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := c.OldPath
	if from == "" {
		from = c.Path
	}
	cur, err := s.check(from, c.OldID, c.ID, c.Base)
	if err != nil {
		return nil, err
	}
	if c.OldPath != "" && c.OldPath != c.Path {
		if _, h, err := s.Current(c.Path); err != nil {
			return nil, err
		} else if h != "" {
			return nil, fmt.Errorf("rename to %s: %w", c.Path, ErrExists)
		}
	}
	full, err := s.full(c.Path)
	if err != nil {
		return nil, err
	}
	if err := WriteFile(full, c.Source); err != nil {
		return nil, err
	}
	if c.OldPath != "" && c.OldPath != c.Path {
		if err := s.remove(c.OldPath); err != nil {
			return nil, err
		}
	}
	v := Version{Article: c.ID, Path: c.Path, Author: c.Author, At: s.opts.Now().UTC(), Action: Edited,
		Source: string(c.Source), Hash: Hash(c.Source), RestoredFrom: c.RestoredFrom}
	switch {
	case c.RestoredFrom > 0:
		v.Action = Restored
	case c.OldID == "":
		v.Action = Created
	case c.OldID != c.ID:
		v.Action, v.From = Renamed, c.OldID
	case c.OldPath != c.Path:
		v.Action, v.From = Renamed, c.OldPath
	}
	return s.record(c.OldID, cur, from, v)
}

// Delete removes the article file, after the same check as Save; its
// history stays, so that it can be restored.
func (s *Store) Delete(id, rel, base, author string) (*Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.check(rel, id, id, base)
	if err != nil {
		return nil, err
	}
	if err := s.remove(rel); err != nil {
		return nil, err
	}
	return s.record(id, cur, rel, Version{Article: id, Path: rel, Author: author, At: s.opts.Now().UTC(), Action: Deleted})
}

// check returns the file at rel when its hash is base, else a
// *ConflictError that says who changed it.
func (s *Store) check(rel, oldID, id, base string) ([]byte, error) {
	cur, h, err := s.Current(rel)
	if err != nil {
		return nil, err
	}
	if h == base {
		return cur, nil
	}
	conflict := &ConflictError{Current: string(cur)}
	err = s.db.View(func(tx *bbolt.Tx) error {
		for _, key := range []string{oldID, id} {
			vs, err := history(tx, key)
			if err != nil {
				return err
			}
			for i := len(vs) - 1; i >= 0; i-- {
				if conflict.Latest == nil && vs[i].Hash == h && i == len(vs)-1 {
					conflict.Latest = &vs[i]
				}
				if conflict.Base == nil && base != "" && vs[i].Hash == base {
					conflict.Base = &vs[i]
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return nil, conflict
}

// record stores v, first the file as it was (Original) when the article
// has no history yet, and moves the history to the new id on a rename.
func (s *Store) record(oldID string, before []byte, beforePath string, v Version) (*Version, error) {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bucketHistory)
		if err != nil {
			return err
		}
		if oldID != "" && oldID != v.Article {
			if err := move(root, oldID, v.Article); err != nil {
				return err
			}
		}
		b, err := root.CreateBucketIfNotExists([]byte(v.Article))
		if err != nil {
			return err
		}
		if before != nil && b.Sequence() == 0 {
			o := Version{Article: oldID, Path: beforePath, At: s.modTime(beforePath, v.At), Action: Original, Source: string(before), Hash: Hash(before)}
			if o.Article == "" {
				o.Article = v.Article
			}
			if err := put(b, &o); err != nil {
				return err
			}
		}
		return put(b, &v)
	})
	if err != nil {
		return nil, fmt.Errorf("record version of %q: %w", v.Article, err)
	}
	return &v, nil
}

// modTime is when the file was last changed before the editor, for its
// Original version (now when unknown, or when the clock says earlier).
func (s *Store) modTime(rel string, now time.Time) time.Time {
	full, err := s.full(rel)
	if err != nil {
		return now
	}
	if fi, err := os.Stat(full); err == nil && fi.ModTime().Before(now) {
		return fi.ModTime().UTC()
	}
	return now
}

func put(b *bbolt.Bucket, v *Version) error {
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	v.N = int(seq)
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key(seq), data)
}

// move appends the history of id from to that of id to.
func move(root *bbolt.Bucket, from, to string) error {
	old := root.Bucket([]byte(from))
	if old == nil {
		return nil
	}
	dst, err := root.CreateBucketIfNotExists([]byte(to))
	if err != nil {
		return err
	}
	err = old.ForEach(func(_, data []byte) error {
		var v Version
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		return put(dst, &v)
	})
	if err != nil {
		return err
	}
	return root.DeleteBucket([]byte(from))
}

func key(n uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, n)
	return k
}

func history(tx *bbolt.Tx, id string) ([]Version, error) {
	root := tx.Bucket(bucketHistory)
	if root == nil || id == "" {
		return nil, nil
	}
	b := root.Bucket([]byte(id))
	if b == nil {
		return nil, nil
	}
	var vs []Version
	err := b.ForEach(func(_, data []byte) error {
		var v Version
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("decode version: %w", err)
		}
		vs = append(vs, v)
		return nil
	})
	return vs, err
}

// History returns the versions of an article, oldest first (none when it
// was never saved in the editor).
func (s *Store) History(id string) ([]Version, error) {
	var vs []Version
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		vs, err = history(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("history of %q: %w", id, err)
	}
	return vs, nil
}

// Version returns version n of an article, or ErrNotFound.
func (s *Store) Version(id string, n int) (*Version, error) {
	var v *Version
	err := s.db.View(func(tx *bbolt.Tx) error {
		root := tx.Bucket(bucketHistory)
		if root == nil || n < 1 {
			return nil
		}
		b := root.Bucket([]byte(id))
		if b == nil {
			return nil
		}
		data := b.Get(key(uint64(n)))
		if data == nil {
			return nil
		}
		v = &Version{}
		return json.Unmarshal(data, v)
	})
	if err != nil {
		return nil, fmt.Errorf("version %d of %q: %w", n, id, err)
	}
	if v == nil {
		return nil, fmt.Errorf("version %d of %q: %w", n, id, ErrNotFound)
	}
	return v, nil
}

// Deleted lists the last version of every article deleted in the editor
// and not brought back, newest first: what can still be restored.
func (s *Store) Deleted() ([]Version, error) {
	var out []Version
	err := s.db.View(func(tx *bbolt.Tx) error {
		root := tx.Bucket(bucketHistory)
		if root == nil {
			return nil
		}
		return root.ForEachBucket(func(k []byte) error {
			_, data := root.Bucket(k).Cursor().Last()
			var v Version
			if err := json.Unmarshal(data, &v); err != nil {
				return fmt.Errorf("decode version: %w", err)
			}
			if v.Action == Deleted {
				out = append(out, v)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("deleted articles: %w", err)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].At.After(out[j-1].At); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// full is the file path of an article path, which must stay inside the
// content dir, name a *.md file and no hidden or "_" folder (kb skips
// those).
func (s *Store) full(rel string) (string, error) {
	clean := path.Clean(rel)
	if rel == "" || clean != rel || !filepath.IsLocal(filepath.FromSlash(rel)) || path.Ext(rel) != ".md" {
		return "", fmt.Errorf("%q: %w", rel, ErrBadPath)
	}
	for _, part := range strings.Split(clean, "/") {
		if strings.HasPrefix(part, ".") || strings.HasPrefix(part, "_") {
			return "", fmt.Errorf("%q: %w", rel, ErrBadPath)
		}
	}
	return filepath.Join(s.opts.Dir, filepath.FromSlash(rel)), nil
}

// remove deletes an article file and makes the removal durable.
func (s *Store) remove(rel string) error {
	full, err := s.full(rel)
	if err != nil {
		return err
	}
	if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", rel, err)
	}
	return syncDir(filepath.Dir(full))
}
