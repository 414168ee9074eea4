package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/guichet/guichet/chat"
)

// runForget answers a customer's request about their personal data:
// "guichet forget -email ADDRESS [-o export.json] [-export-only]" exports
// (JSON) everything held about them, and deletes it unless -export-only.
// It works while Guichet runs or not.
func runForget(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("forget", flag.ContinueOnError)
	fset.Usage = func() { printFlags(stderr, fset) }
	dataDir := dataDirFlag(fset, getenv)
	email := fset.String("email", "", "adresse e-mail du client")
	out := fset.String("o", "", "fichier où écrire l’export JSON")
	only := fset.Bool("export-only", false, "exporter sans rien effacer (droit d’accès)")
	if err := parseFlags(fset, args, stderr); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("indiquez le client : guichet forget -email ADRESSE [-o export.json] [-export-only]")
	}
	return withControl(*dataDir, func(c *controlClient) error {
		resp, err := c.do("POST", "/forget", forgetRequest{Email: *email, Erase: !*only})
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var ex chat.Export
		if err := json.NewDecoder(resp.Body).Decode(&ex); err != nil {
			return fmt.Errorf("réponse illisible : %w", err)
		}
		if *out != "" {
			data, err := json.MarshalIndent(ex, "", "  ")
			if err != nil {
				return err
			}
			if err := os.WriteFile(*out, data, 0o600); err != nil {
				return fmt.Errorf("écrire l’export : %w", err)
			}
		}
		verb := "effacées"
		if !ex.Erased {
			verb = "trouvées (rien n’est effacé)"
		}
		fmt.Fprintf(stdout, "%s : %d conversation(s) et %d demande(s) %s\n", ex.Email, len(ex.Conversations), len(ex.Cases), verb)
		if *out != "" {
			fmt.Fprintf(stdout, "export écrit dans %s\n", *out)
		}
		return nil
	})
}
