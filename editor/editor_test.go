package editor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// mustStore opens a store over a temp content dir holding files, with a
// clock that moves a minute per call.
func mustStore(tb testing.TB, files map[string]string) (*Store, string) {
	tb.Helper()
	dir := tb.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	db, err := bbolt.Open(filepath.Join(tb.TempDir(), "g.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Minute); return now }
	return New(db, Options{Dir: dir, Now: clock}), dir
}

func mustRead(tb testing.TB, name string) string {
	tb.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

const v1 = "---\nid: retour\ntitle: Retour\n---\nTexte 1\n"

func TestWriteFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "sous", "a.md")
	if err := WriteFile(name, []byte("un")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("deux")); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, name); got != "deux" {
		t.Errorf("file = %q, want %q", got, "deux")
	}
	entries, _ := os.ReadDir(filepath.Dir(name))
	if len(entries) != 1 {
		t.Errorf("files left beside it: %v", entries)
	}
	if fi, _ := os.Stat(name); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644 (readable by git and the service)", fi.Mode().Perm())
	}
	// A file that cannot be written leaves the old one whole.
	if err := os.Chmod(filepath.Dir(name), 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Dir(name), 0o755)
	if os.Geteuid() != 0 {
		if err := WriteFile(name, []byte("trois")); err == nil {
			t.Error("write in a read-only dir succeeded")
		}
		if got := mustRead(t, name); got != "deux" {
			t.Errorf("after a failed write, file = %q, want %q", got, "deux")
		}
	}
}

func TestSaveKeepsEveryVersion(t *testing.T) {
	s, dir := mustStore(t, map[string]string{"retour.md": v1})
	_, base, err := s.Current("retour.md")
	if err != nil || base == "" {
		t.Fatalf("current: %q %v", base, err)
	}
	v2 := strings.Replace(v1, "Texte 1", "Texte 2", 1)
	got, err := s.Save(Change{ID: "retour", OldID: "retour", Path: "retour.md", OldPath: "retour.md", Source: []byte(v2), Base: base, Author: "emma"})
	if err != nil {
		t.Fatal(err)
	}
	if got.N != 2 || got.Action != Edited || got.Author != "emma" {
		t.Errorf("version = %+v, want n 2 edited by emma", got)
	}
	if mustRead(t, filepath.Join(dir, "retour.md")) != v2 {
		t.Error("the file was not written")
	}
	vs, err := s.History("retour")
	if err != nil || len(vs) != 2 {
		t.Fatalf("history: %d versions, %v", len(vs), err)
	}
	if vs[0].Action != Original || vs[0].Source != v1 || vs[0].Author != "" {
		t.Errorf("first version = %+v, want the file as it was", vs[0])
	}
	if vs[1].At.Before(vs[0].At) {
		t.Errorf("versions out of order: %v then %v", vs[0].At, vs[1].At)
	}
	d := Diff(vs[0].Source, vs[1].Source)
	var changed []string
	for _, l := range d {
		if l.Op != Same {
			changed = append(changed, string(l.Op)+l.Text)
		}
	}
	if strings.Join(changed, "|") != "-Texte 1|+Texte 2" {
		t.Errorf("diff = %v", changed)
	}
}

func TestConflictSaysWhoAndLosesNothing(t *testing.T) {
	s, dir := mustStore(t, map[string]string{"retour.md": v1})
	_, base, _ := s.Current("retour.md")
	emma := strings.Replace(v1, "Texte 1", "Texte d’Emma", 1)
	if _, err := s.Save(Change{ID: "retour", OldID: "retour", Path: "retour.md", OldPath: "retour.md", Source: []byte(emma), Base: base, Author: "emma"}); err != nil {
		t.Fatal(err)
	}
	// Louis started from the same version.
	louis := strings.Replace(v1, "Texte 1", "Texte de Louis", 1)
	_, err := s.Save(Change{ID: "retour", OldID: "retour", Path: "retour.md", OldPath: "retour.md", Source: []byte(louis), Base: base, Author: "louis"})
	var conflict *ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("second save: %v, want a conflict", err)
	}
	if conflict.Latest == nil || conflict.Latest.Author != "emma" || conflict.Base == nil || conflict.Base.Source != v1 || conflict.Current != emma {
		t.Errorf("conflict = latest %+v base %+v current %q", conflict.Latest, conflict.Base, conflict.Current)
	}
	if mustRead(t, filepath.Join(dir, "retour.md")) != emma {
		t.Error("the refused save overwrote the file")
	}
	// Changed by hand outside the editor: no author to name.
	os.WriteFile(filepath.Join(dir, "retour.md"), []byte(v1+"à la main\n"), 0o644)
	_, err = s.Save(Change{ID: "retour", OldID: "retour", Path: "retour.md", OldPath: "retour.md", Source: []byte(louis), Base: Hash([]byte(emma)), Author: "louis"})
	if !errors.As(err, &conflict) || conflict.Latest != nil {
		t.Errorf("hand edit: %v, latest %+v; want a conflict without an author", err, conflict)
	}
	// A new article whose file someone else created meanwhile.
	_, err = s.Save(Change{ID: "retour", Path: "retour.md", Source: []byte(louis), Author: "louis"})
	if !errors.As(err, &conflict) {
		t.Errorf("create over an existing file: %v, want a conflict", err)
	}
}

func TestRenameMovesFileAndHistory(t *testing.T) {
	s, dir := mustStore(t, map[string]string{"retour.md": v1, "autre.md": "x"})
	_, base, _ := s.Current("retour.md")
	renamed := strings.Replace(v1, "id: retour", "id: retour-article", 1)
	_, err := s.Save(Change{ID: "retour-article", OldID: "retour", Path: "autre.md", OldPath: "retour.md", Source: []byte(renamed), Base: base, Author: "emma"})
	if !errors.Is(err, ErrExists) {
		t.Errorf("rename onto another file: %v, want ErrExists", err)
	}
	v, err := s.Save(Change{ID: "retour-article", OldID: "retour", Path: "retour-article.md", OldPath: "retour.md", Source: []byte(renamed), Base: base, Author: "emma"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Action != Renamed || v.From != "retour" {
		t.Errorf("version = %+v, want renamed from retour", v)
	}
	if _, err := os.Stat(filepath.Join(dir, "retour.md")); !os.IsNotExist(err) {
		t.Error("the old file is still there")
	}
	if mustRead(t, filepath.Join(dir, "retour-article.md")) != renamed {
		t.Error("the new file is not written")
	}
	if old, _ := s.History("retour"); len(old) != 0 {
		t.Errorf("old id still has %d versions", len(old))
	}
	if vs, _ := s.History("retour-article"); len(vs) != 2 || vs[0].Source != v1 {
		t.Errorf("history under the new id: %+v", vs)
	}
}

func TestDeleteThenRestore(t *testing.T) {
	s, dir := mustStore(t, map[string]string{"retour.md": v1})
	_, base, _ := s.Current("retour.md")
	if _, err := s.Delete("retour", "retour.md", "bad-base", "emma"); !errors.As(err, new(*ConflictError)) {
		t.Errorf("delete from a stale version: %v, want a conflict", err)
	}
	d, err := s.Delete("retour", "retour.md", base, "emma")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "retour.md")); !os.IsNotExist(err) {
		t.Error("file not removed")
	}
	gone, err := s.Deleted()
	if err != nil || len(gone) != 1 || gone[0].Article != "retour" || gone[0].N != d.N {
		t.Fatalf("deleted = %+v %v", gone, err)
	}
	orig, err := s.Version("retour", 1)
	if err != nil || orig.Source != v1 {
		t.Fatalf("version 1: %+v %v", orig, err)
	}
	r, err := s.Save(Change{ID: "retour", OldID: "retour", Path: orig.Path, Source: []byte(orig.Source), Base: "", Author: "louis", RestoredFrom: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Action != Restored || r.RestoredFrom != 1 || r.N != 3 {
		t.Errorf("restore = %+v", r)
	}
	if mustRead(t, filepath.Join(dir, "retour.md")) != v1 {
		t.Error("restored file differs")
	}
	if gone, _ := s.Deleted(); len(gone) != 0 {
		t.Errorf("still listed as deleted: %+v", gone)
	}
	if _, err := s.Version("retour", 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("version 9: %v, want ErrNotFound", err)
	}
}

func TestPathsStayInContent(t *testing.T) {
	s, _ := mustStore(t, nil)
	for _, p := range []string{"../x.md", "/etc/x.md", "a.txt", ".cache/a.md", "_brouillons/a.md", "a/../b.md", ""} {
		if _, err := s.Save(Change{ID: "a", Path: p, Source: []byte("x")}); !errors.Is(err, ErrBadPath) {
			t.Errorf("save to %q: %v, want ErrBadPath", p, err)
		}
	}
	if _, err := s.Save(Change{ID: "a", Path: "aide/a.md", Source: []byte("x")}); err != nil {
		t.Errorf("save in a sub-folder: %v", err)
	}
}

func TestCompact(t *testing.T) {
	d := Diff("a\nb\nc\nd\ne\nf\n", "a\nb\nc\nd\ne\nF\n")
	got := ""
	for _, l := range Compact(d, 1) {
		got += string(l.Op) + l.Text + " "
	}
	if want := "~ =e -f +F "; got != want {
		t.Errorf("compact = %q, want %q", got, want)
	}
}
