package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/guichet/guichet/accounts"
)

const userUsage = `usage : guichet user COMMANDE [-data DOSSIER] …
  add -name NOM -role agent|editor|admin   crée un compte (mot de passe sur l’entrée standard)
  list                                     liste les comptes
  password -name NOM                       change le mot de passe (sur l’entrée standard) et ferme ses sessions
  disable -name NOM / enable -name NOM     désactive (et déconnecte) ou réactive un compte
  revoke -name NOM                         ferme toutes les sessions du compte
  delete -name NOM                         supprime le compte
Ces commandes marchent aussi pendant que Guichet tourne.`

// runUser manages accounts: "guichet user add -name NAME -role ROLE", the
// password read from standard input (never a flag: it would show in the
// process list and the shell history), and list, password, disable,
// enable, revoke, delete. It works whether Guichet runs or not (see
// control.go).
func runUser(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(userUsage)
	}
	cmd := args[0]
	fset := flag.NewFlagSet("user "+cmd, flag.ContinueOnError)
	fset.Usage = func() { printFlags(stderr, fset) }
	dataDir := dataDirFlag(fset, getenv)
	name := fset.String("name", "", "nom de connexion")
	role := fset.String("role", "agent", "agent, editor ou admin")
	if err := parseFlags(fset, args[1:], stderr); err != nil {
		return err
	}
	needName := func() error {
		if *name == "" {
			return fmt.Errorf("indiquez le compte : guichet user %s -name NOM", cmd)
		}
		return nil
	}
	return withControl(*dataDir, func(c *controlClient) error {
		switch cmd {
		case "add":
			password, err := readPassword(stdin, "add")
			if err != nil {
				return err
			}
			if err := c.run("POST", "/users", userRequest{Name: *name, Role: accounts.Role(*role), Password: password}); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "utilisateur %s (%s) créé\n", *name, *role)
		case "list":
			resp, err := c.do("GET", "/users", nil)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			var users []accounts.User
			if err := json.NewDecoder(resp.Body).Decode(&users); err != nil {
				return fmt.Errorf("liste illisible : %w", err)
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NOM\tRÔLE\tÉTAT\tCRÉÉ LE")
			for _, u := range users {
				state := "actif"
				if u.Disabled {
					state = "désactivé"
				} else if u.LockedUntil.After(time.Now()) {
					state = "bloqué jusqu’à " + u.LockedUntil.Local().Format("02/01 15:04")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, state, u.Created.Local().Format("02/01/2006"))
			}
			return tw.Flush()
		case "password":
			if err := needName(); err != nil {
				return err
			}
			password, err := readPassword(stdin, "password -name "+*name)
			if err != nil {
				return err
			}
			if err := c.run("POST", "/users/"+url.PathEscape(*name)+"/password", userRequest{Password: password}); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "mot de passe de %s changé ; ses sessions sont fermées\n", *name)
		case "disable", "enable", "revoke", "delete":
			if err := needName(); err != nil {
				return err
			}
			method, path := "POST", "/users/"+url.PathEscape(*name)+"/"+cmd
			if cmd == "delete" {
				method, path = "DELETE", "/users/"+url.PathEscape(*name)
			}
			if err := c.run(method, path, nil); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "utilisateur %s %s\n", *name, map[string]string{
				"disable": "désactivé ; ses sessions sont fermées", "enable": "réactivé",
				"revoke": ": sessions fermées", "delete": "supprimé"}[cmd])
		default:
			return fmt.Errorf("commande inconnue « user %s »\n%s", cmd, userUsage)
		}
		return nil
	})
}

// readPassword reads a password line from standard input.
func readPassword(stdin io.Reader, cmd string) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("tapez le mot de passe sur l’entrée standard, par exemple : echo 'un long mot de passe' | guichet user %s …", cmd)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// dataDirFlag adds -data to a subcommand's flags, defaulting to
// GUICHET_DATA_DIR or the default data dir.
func dataDirFlag(fset *flag.FlagSet, getenv func(string) string) *string {
	dir := defaultConfig().DataDir
	if v := getenv("GUICHET_DATA_DIR"); v != "" {
		dir = v
	}
	return fset.String("data", dir, "dossier des données")
}
