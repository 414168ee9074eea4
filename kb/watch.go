package kb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// debounce groups the bursts of events an editor's save makes (write,
// chmod, rename of a temp file) into one reload.
const debounce = 150 * time.Millisecond

// watch reloads the knowledge base when a Markdown file under dir is
// created, changed, renamed or removed. New sub-folders are watched too.
func (k *KB) watch(dir string) (stop func() error, err error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch content %q: %w", dir, err)
	}
	add := func(root string) error {
		return filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return w.Add(p)
			}
			return nil
		})
	}
	if err := add(dir); err != nil {
		w.Close()
		return nil, fmt.Errorf("watch content %q: %w", dir, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var timer <-chan time.Time
		for {
			select {
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if ev.Has(fsnotify.Create) {
					if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
						_ = add(ev.Name)
					}
				}
				if strings.HasSuffix(ev.Name, ".md") || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
					timer = time.After(debounce)
				}
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				if k.opts.OnReload != nil {
					k.opts.OnReload(0, nil, fmt.Errorf("watch content: %w", err))
				}
			case <-timer:
				timer = nil
				err := k.Reload()
				if k.opts.OnReload != nil {
					k.opts.OnReload(len(k.Articles()), k.Errors(), err)
				}
			}
		}
	}()
	return func() error {
		err := w.Close()
		<-done
		return err
	}, nil
}
