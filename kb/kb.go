// Package kb owns the knowledge base: articles read from Markdown files with
// YAML front matter, their validation, the Bleve index agents search, the
// matcher the chat ranks with, and reloading when files change.
//
// It imports nlu (one French analyser for everything) and must not import
// chat, server or Fiber. It never logs: problems are returned, or reported
// through Options.OnReload.
package kb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"

	"github.com/guichet/guichet/nlu"
)

// ErrNotFound is returned when no article has the requested id.
var ErrNotFound = errors.New("article not found")

// Options configure a knowledge base.
type Options struct {
	// Content holds the Markdown files (every *.md, in sub-folders too).
	Content fs.FS
	// Dir, when set, is the directory Content was read from; it is
	// watched for changes.
	Dir string
	// IndexPath is where the Bleve index is kept; the trained matcher is
	// saved beside it, in IndexPath+".matcher". Both are reused at the
	// next Open when the same program built them (see cache.go).
	IndexPath string
	// Weights tune the matcher; zero means nlu.DefaultWeights.
	Weights nlu.Weights
	// Statuses are the order statuses variants may name (see Variant).
	Statuses []string
	// MaxExamples, when above 0, keeps only the first MaxExamples example
	// questions of each article: how a knowledge base fares on its first
	// day, before editors add the customers' own wordings.
	MaxExamples int
	// OnReload, when set, is called after each reload triggered by a file
	// change, with the number of articles served and the content errors
	// found, or the error that stopped it.
	OnReload func(articles int, errs []*ValidationError, err error)
}

// KB is a loaded knowledge base. It is safe for concurrent use: a reload
// prepares the new state completely and swaps it in, so readers never see a
// half-built one.
type KB struct {
	opts   Options
	index  bleve.Index
	render *renderer
	seed   maphash.Seed // of the hashes of files' bytes
	snap   atomic.Pointer[snapshot]
	mu     sync.Mutex // serialises reloads and the swap of a refreshed matcher
	stop   func() error
	closed bool // under mu: no more refreshes

	// refresh asks the background builder for a matcher rebuilt from the
	// whole content; a buffer of one coalesces bursts of changes.
	refresh   chan struct{}
	refreshed chan struct{} // closed when the builder has stopped

	indexed map[string]string // under mu: article id -> docHash of what the index holds
}

// snapshot is an immutable state of the knowledge base.
type snapshot struct {
	byID    map[string]*Article
	byFile  map[string]*Article
	sorted  []*Article
	matcher *nlu.Matcher
	errs    []*ValidationError
	// gen counts the changes of what the matcher learns from; fresh tells
	// that matcher was built from scratch on this generation, rather than
	// patched by nlu.Matcher.Update.
	gen   uint64
	fresh bool
	// files is what each file parsed to, by a hash of its bytes: a file
	// whose bytes have not changed is not parsed and rendered again.
	files map[string]parsedFile
	// key is matcherKey of a fresh matcher's articles; saved tells that
	// the file beside the index holds that matcher already.
	key   []byte
	saved bool

	healthOnce sync.Once
	health     []Health
}

// Open loads the content, builds the index and, when Options.Dir is set,
// starts watching it. Content errors do not fail Open: the articles that
// parse are served and the errors are available from Errors.
func Open(opts Options) (*KB, error) {
	if opts.Weights == (nlu.Weights{}) {
		opts.Weights = nlu.DefaultWeights
	}
	idx, indexed, err := openIndex(opts.IndexPath)
	if err != nil {
		return nil, err
	}
	k := &KB{opts: opts, index: idx, render: newRenderer(), seed: maphash.MakeSeed(), refresh: make(chan struct{}, 1), refreshed: make(chan struct{}), indexed: indexed}
	go k.refreshLoop()
	if err := k.Reload(); err != nil {
		k.stopRefresh()
		idx.Close()
		return nil, err
	}
	if opts.Dir != "" {
		stop, err := k.watch(opts.Dir)
		if err != nil {
			k.stopRefresh()
			idx.Close()
			return nil, err
		}
		k.stop = stop
	}
	return k, nil
}

// Close stops watching and closes the index.
func (k *KB) Close() error {
	var errs []error
	if k.stop != nil {
		errs = append(errs, k.stop())
	}
	k.stopRefresh()
	if err := k.index.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close index: %w", err))
	}
	return errors.Join(errs...)
}

// Reload reads the content again and applies the differences to the index.
// A file that no longer parses keeps its last good version.
func (k *KB) Reload() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	prev := k.snap.Load()
	var prevByFile map[string]*Article
	var prevFiles map[string]parsedFile
	if prev != nil {
		prevByFile, prevFiles = prev.byFile, prev.files
	}
	next, err := k.load(prevByFile, prevFiles)
	if err != nil {
		return err
	}
	var trained sync.WaitGroup
	if prev == nil {
		// Trained (or read) while the index is updated: gradient descent
		// is sequential, and leaves a core to Bleve.
		trained.Go(func() {
			docs := matcherDocs(next.sorted)
			next.key, next.fresh = matcherKey(docs, k.opts.Weights), true
			if next.matcher, next.saved = k.readMatcher(docs, next.key); !next.saved {
				next.matcher = nlu.NewMatcher(docs, k.opts.Weights)
			}
		})
	} else if changed, removed := matcherDiff(prev, next); len(changed)+len(removed) > 0 {
		// Only the changed articles are analysed now; what depends on the
		// whole content follows in the background.
		next.matcher, next.gen = prev.matcher.Update(changed, removed), prev.gen+1
	} else {
		next.matcher, next.gen, next.fresh, next.key, next.saved = prev.matcher, prev.gen, prev.fresh, prev.key, prev.saved
	}
	err = k.updateIndex(prev, next)
	trained.Wait()
	if err != nil {
		return err
	}
	k.snap.Store(next)
	if (!next.fresh || !next.saved) && !k.closed {
		k.askRefresh()
	}
	return nil
}

// indexBatch is how many articles one Bleve batch indexes at most: a batch
// holds the analysis of all its documents until it is written, 24 KB an
// article, so one batch for 100,000 articles would take gigabytes.
const indexBatch = 2000

// updateIndex indexes the articles of next that the index does not hold as
// they are, and deletes those next no longer has. The record of what the
// index holds is written with the last batch: after a crash between two,
// the articles of the first are indexed again.
func (k *KB) updateIndex(prev, next *snapshot) error {
	batch := k.index.NewBatch()
	hashes := map[string]string{} // of the articles indexed now
	for id, a := range next.byID {
		if prev != nil && prev.byID[id] == a {
			continue // the same file, not parsed again
		}
		doc := docOf(a)
		if prev != nil {
			if old, ok := prev.byID[id]; ok && reflect.DeepEqual(docOf(old), doc) {
				continue
			}
		}
		h := docHash(doc)
		if prev == nil && k.indexed[id] == h {
			continue // in the index kept from the last run
		}
		if batch.Size() >= indexBatch {
			if err := k.index.Batch(batch); err != nil {
				return fmt.Errorf("update index: %w", err)
			}
			batch = k.index.NewBatch()
		}
		if err := batch.Index(id, doc); err != nil {
			return fmt.Errorf("index article %q: %w", id, err)
		}
		hashes[id] = h
	}
	var gone []string
	for id := range k.indexed {
		if _, ok := next.byID[id]; !ok {
			batch.Delete(id)
			gone = append(gone, id)
		}
	}
	if len(hashes)+len(gone) > 0 || prev == nil {
		indexed := maps.Clone(k.indexed)
		maps.Copy(indexed, hashes)
		for _, id := range gone {
			delete(indexed, id)
		}
		data, err := json.Marshal(indexed)
		if err != nil {
			return fmt.Errorf("update index: %w", err)
		}
		batch.SetInternal(internalDocs, data)
		batch.SetInternal(internalVersion, []byte(codeVersion()))
		if err := k.index.Batch(batch); err != nil {
			return fmt.Errorf("update index: %w", err)
		}
		k.indexed = indexed
	}
	return nil
}

// docOf is what the index holds of an article: an article whose document
// has not changed is not indexed again.
func docOf(a *Article) indexDoc {
	return indexDoc{Title: a.Title, Questions: a.Questions, Body: a.text, Tags: a.Tags}
}

// newMatcher trains the matcher on the articles.
func newMatcher(articles []*Article, w nlu.Weights) *nlu.Matcher {
	return nlu.NewMatcher(matcherDocs(articles), w)
}

func matcherDocs(articles []*Article) []nlu.Doc {
	docs := make([]nlu.Doc, len(articles))
	for i, a := range articles {
		docs[i] = matcherDoc(a)
	}
	return docs
}

// matcherDoc is what the matcher learns of an article.
func matcherDoc(a *Article) nlu.Doc {
	return nlu.Doc{ID: a.ID, Title: a.Title, Questions: a.Questions, Tags: a.Tags, Body: a.text,
		Intents: a.Intents, FixedIntents: a.FixedIntents}
}

// matcherDiff returns the articles of next the matcher of prev does not
// know as they are, and the ids it knows that next no longer has, sorted.
func matcherDiff(prev, next *snapshot) (changed []nlu.Doc, removed []string) {
	for _, a := range next.sorted {
		old, ok := prev.byID[a.ID]
		if ok && old == a {
			continue // the same file, not parsed again
		}
		doc := matcherDoc(a)
		if !ok || !reflect.DeepEqual(matcherDoc(old), doc) {
			changed = append(changed, doc)
		}
	}
	for _, a := range prev.sorted {
		if _, ok := next.byID[a.ID]; !ok {
			removed = append(removed, a.ID)
		}
	}
	return changed, removed
}

// askRefresh wakes the background builder; a request already pending
// covers this one too, since the builder reads the content when it starts.
func (k *KB) askRefresh() {
	select {
	case k.refresh <- struct{}{}:
	default:
	}
}

// refreshLoop rebuilds the matcher from scratch after changes, so that
// term weights, the intent mapping, the trained models and calibration
// follow the content, and swaps it in if the content has not changed
// meanwhile (if it has, another request is pending).
func (k *KB) refreshLoop() {
	defer close(k.refreshed)
	var saved []byte // key of the matcher last saved
	for range k.refresh {
		s := k.snap.Load()
		if s == nil {
			continue
		}
		if !s.fresh {
			docs := matcherDocs(s.sorted)
			m, key := nlu.NewMatcher(docs, k.opts.Weights), matcherKey(docs, k.opts.Weights)
			k.mu.Lock()
			if cur := k.snap.Load(); cur.gen == s.gen && !cur.fresh && !k.closed {
				s = &snapshot{byID: cur.byID, byFile: cur.byFile, sorted: cur.sorted, errs: cur.errs, files: cur.files,
					matcher: m, gen: cur.gen, fresh: true, key: key}
				k.snap.Store(s)
			}
			k.mu.Unlock()
		}
		if s.fresh && !s.saved && !bytes.Equal(s.key, saved) {
			if err := k.saveMatcher(s.matcher, s.key); err != nil {
				if k.opts.OnReload != nil {
					k.opts.OnReload(len(s.sorted), s.errs, err)
				}
				continue
			}
			saved = s.key
		}
	}
}

// stopRefresh stops the background builder, after the build under way.
func (k *KB) stopRefresh() {
	k.mu.Lock()
	if !k.closed {
		k.closed = true
		close(k.refresh)
	}
	k.mu.Unlock()
	<-k.refreshed
}

// Refreshed tells whether the matcher has caught up with the content: false
// while changes are served by a patched matcher and the background rebuild
// has not swapped its result in.
func (k *KB) Refreshed() bool { return k.snap.Load().fresh }

// load parses every article file into a snapshot, without its matcher
// (Reload trains it; Check does not need it). prev gives the last good
// article of each file, kept when the file is broken now.
func (k *KB) load(prev map[string]*Article, prevFiles map[string]parsedFile) (*snapshot, error) {
	files, err := markdownFiles(k.opts.Content)
	if err != nil {
		return nil, err
	}
	s := &snapshot{byID: map[string]*Article{}, byFile: map[string]*Article{}, files: make(map[string]parsedFile, len(files))}
	owner := map[string]string{} // id -> file that had it before
	for f, a := range prev {
		owner[a.ID] = f
	}
	parsed := map[string]*Article{}
	for _, f := range files {
		data, err := fs.ReadFile(k.opts.Content, f)
		if err != nil {
			s.errs = append(s.errs, &ValidationError{File: f, Message: "fichier illisible : " + err.Error()})
			continue
		}
		h := maphash.Bytes(k.seed, data)
		if p, ok := prevFiles[f]; ok && p.hash == h && p.art == prev[f] {
			// Unchanged since the last load: same article, same errors.
			s.files[f] = p
			s.errs = append(s.errs, p.errs...)
			if p.art != nil {
				parsed[f] = p.art
			}
			continue
		}
		a, errs := parse(f, data, k.opts.Statuses)
		if a != nil && k.opts.MaxExamples > 0 && len(a.Questions) > k.opts.MaxExamples {
			a.Questions = a.Questions[:k.opts.MaxExamples]
		}
		if a != nil {
			if a.HTML, err = k.render.HTML(a.Markdown); err != nil {
				errs = append(errs, &ValidationError{File: f, Message: "la réponse ne peut pas être mise en forme : " + err.Error()})
				a = nil
			} else {
				a.text = k.render.Text(a.HTML)
			}
		}
		if len(errs) > 0 {
			s.errs = append(s.errs, errs...)
			a = prev[f] // last good version, if any
		}
		if a != nil {
			parsed[f] = a
		}
		s.files[f] = parsedFile{hash: h, art: a, errs: errs}
	}
	// Resolve duplicate ids: the file that had the id keeps it, else the
	// first file in name order.
	claim := map[string][]string{}
	for _, f := range files {
		if a, ok := parsed[f]; ok {
			claim[a.ID] = append(claim[a.ID], f)
		}
	}
	for id, fs := range claim {
		winner := fs[0]
		for _, f := range fs {
			if owner[id] == f {
				winner = f
			}
		}
		for _, f := range fs {
			if f != winner {
				s.errs = append(s.errs, &ValidationError{File: f, Field: "id", Line: 2,
					Message: fmt.Sprintf("l’identifiant « %s » est déjà utilisé par %s : choisissez-en un autre", id, winner)})
				delete(parsed, f)
			}
		}
	}
	for f, a := range parsed {
		s.byID[a.ID] = a
		s.byFile[f] = a
		s.sorted = append(s.sorted, a)
	}
	sort.Slice(s.sorted, func(i, j int) bool { return s.sorted[i].ID < s.sorted[j].ID })
	sort.Slice(s.errs, func(i, j int) bool {
		if s.errs[i].File != s.errs[j].File {
			return s.errs[i].File < s.errs[j].File
		}
		return s.errs[i].Line < s.errs[j].Line
	})
	return s, nil
}

// parsedFile is what one file gave at a load: its article (or the last
// good version when it is broken) and its errors.
type parsedFile struct {
	hash uint64
	art  *Article
	errs []*ValidationError
}

func markdownFiles(fsys fs.FS) ([]string, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && p != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return fs.SkipDir
		}
		if !d.IsDir() && path.Ext(name) == ".md" && !strings.HasPrefix(name, ".") && !strings.EqualFold(name, "README.md") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list content: %w", err)
	}
	sort.Strings(files)
	return files, nil
}

// CheckReport is what « guichet check » tells an editor.
type CheckReport struct {
	// Valid counts the articles that parse.
	Valid int
	// Errors are the problems to fix, by file and line.
	Errors []*ValidationError
	// Health says how well the bot knows each valid article.
	Health []Health
}

// Check validates a content tree and measures how well the bot would know
// each article, without building a search index.
func Check(fsys fs.FS, statuses []string) (*CheckReport, error) {
	k := &KB{opts: Options{Content: fsys, Statuses: statuses}, render: newRenderer(), seed: maphash.MakeSeed()}
	s, err := k.load(nil, nil)
	if err != nil {
		return nil, err
	}
	s.matcher = newMatcher(s.sorted, nlu.DefaultWeights)
	return &CheckReport{Valid: len(s.sorted), Errors: s.errs, Health: health(s)}, nil
}

// Article returns the article with this id, or ErrNotFound.
func (k *KB) Article(id string) (*Article, error) {
	if a, ok := k.snap.Load().byID[id]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("article %q: %w", id, ErrNotFound)
}

// Articles returns every article, sorted by id.
func (k *KB) Articles() []*Article { return k.snap.Load().sorted }

// Errors returns the content errors of the last load.
func (k *KB) Errors() []*ValidationError { return k.snap.Load().errs }

// Match ranks the articles for a customer's question.
func (k *KB) Match(text string, n int) nlu.Match { return k.snap.Load().matcher.Match(text, n) }
