package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/bbolt"
)

// runBackup copies the bbolt file consistently, while Guichet runs or not:
// "guichet backup -o FILE". The copy is written aside, checked (it must
// open as a bbolt file), then renamed into place, so that FILE is never a
// half-written copy.
func runBackup(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("backup", flag.ContinueOnError)
	fset.Usage = func() { printFlags(stderr, fset) }
	dataDir := dataDirFlag(fset, getenv)
	out := fset.String("o", "", "fichier de la copie, par exemple guichet-2026-12-01.db")
	if err := parseFlags(fset, args, stderr); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("indiquez le fichier de la copie : guichet backup -o FICHIER")
	}
	return withControl(*dataDir, func(c *controlClient) error {
		resp, err := c.do("GET", "/backup", nil)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		tmp, err := os.CreateTemp(filepath.Dir(*out), ".guichet-backup-*")
		if err != nil {
			return fmt.Errorf("créer la copie : %w", err)
		}
		defer os.Remove(tmp.Name())
		n, err := io.Copy(tmp, resp.Body)
		if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
			err = fmt.Errorf("copie incomplète (%d octets sur %d)", n, resp.ContentLength)
		}
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("écrire la copie : %w", err)
		}
		db, err := bbolt.Open(tmp.Name(), 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
		if err != nil {
			return fmt.Errorf("la copie ne s’ouvre pas : %w", err)
		}
		db.Close()
		if err := os.Rename(tmp.Name(), *out); err != nil {
			return fmt.Errorf("placer la copie : %w", err)
		}
		fmt.Fprintf(stdout, "copie de %d octets écrite dans %s\n", n, *out)
		return nil
	})
}
