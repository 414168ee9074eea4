package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/content"
)

// settingsFile is the shop's settings file: what the bot says of the shop.
// Flags and environment variables override it, and what it does not set
// comes from the content (the quick topics) or general defaults, never from
// the sample shop (see program.shop).
type settingsFile struct {
	Name          string            `yaml:"name"`
	Phone         string            `yaml:"phone"`
	PhoneHours    string            `yaml:"phone_hours"`
	Hours         map[string]string `yaml:"hours"`
	Holidays      []string          `yaml:"holidays"`
	CallbackSlots []string          `yaml:"callback_slots"`
	Greeting      string            `yaml:"greeting"`
	QuickTopics   []string          `yaml:"quick_topics"`
	// ContactArticle is the article that says how to reach the service
	// client ("nous-contacter").
	ContactArticle string `yaml:"contact_article"`
}

// weekdays name the keys of "hours", in English or in French.
var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
	"lundi": time.Monday, "mardi": time.Tuesday, "mercredi": time.Wednesday, "jeudi": time.Thursday,
	"vendredi": time.Friday, "samedi": time.Saturday, "dimanche": time.Sunday,
}

var reSpan = regexp.MustCompile(`^(\d{1,2})[:h](\d{2})\s*-\s*(\d{1,2})[:h](\d{2})$`)

// parseSpan reads "10:00-19:00" (or "10h00-19h00").
func parseSpan(s string) (chat.Span, error) {
	m := reSpan.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return chat.Span{}, fmt.Errorf("« %s » : écrivez une plage comme 10:00-19:00", s)
	}
	n := make([]int, 4)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	sp := chat.Span{Open: n[0]*60 + n[1], Close: n[2]*60 + n[3]}
	if n[0] > 24 || n[2] > 24 || n[1] > 59 || n[3] > 59 || sp.Close > 24*60 || sp.Close <= sp.Open {
		return chat.Span{}, fmt.Errorf("« %s » : l’heure de fin doit suivre celle de début, entre 0:00 et 24:00", s)
	}
	return sp, nil
}

// readSettings reads the settings file into cfg, under the environment and
// the flags (fields already set stay). A missing default file is no error.
func readSettings(path string, required bool, cfg *config) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !required {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lire les réglages %s : %w", path, err)
	}
	var f settingsFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s : réglages illisibles (clés permises : name, phone, phone_hours, hours, holidays, callback_slots, greeting, quick_topics, contact_article) : %w", path, err)
	}
	bad := func(key string, err error) error { return fmt.Errorf("%s : %s : %w", path, key, err) }
	if len(f.Hours) > 0 {
		var week [7]chat.Span
		for day, span := range f.Hours {
			d, ok := weekdays[strings.ToLower(day)]
			if !ok {
				return bad("hours", fmt.Errorf("« %s » n’est pas un jour de la semaine (lundi… dimanche)", day))
			}
			if s := strings.ToLower(strings.TrimSpace(span)); s == "fermé" || s == "ferme" || s == "closed" || s == "" {
				continue
			}
			sp, err := parseSpan(span)
			if err != nil {
				return bad("hours", fmt.Errorf("%s : %w", day, err))
			}
			week[d] = sp
		}
		cfg.Week = &week // the days not listed are closed
	}
	for _, s := range f.CallbackSlots {
		sp, err := parseSpan(s)
		if err != nil {
			return bad("callback_slots", err)
		}
		cfg.Slots = append(cfg.Slots, sp)
	}
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = strings.TrimSpace(v)
		}
	}
	set(&cfg.ShopName, f.Name)
	set(&cfg.Phone, f.Phone)
	set(&cfg.PhoneHours, f.PhoneHours)
	set(&cfg.Greeting, f.Greeting)
	set(&cfg.ContactArticle, f.ContactArticle)
	if len(cfg.Holidays) == 0 {
		cfg.Holidays = f.Holidays
	}
	cfg.Topics = f.QuickTopics
	return nil
}

// editableContent is the directory of articles to serve: the --content
// one, else data/content, where the first run copies the embedded sample
// so that the web editor can change it too. A data dir that already has
// its content keeps it (the editors' work), whatever the binary ships.
func editableContent(dataDir, contentDir string) (string, error) {
	if contentDir != "" {
		return contentDir, nil
	}
	dir := filepath.Join(dataDir, "content")
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	// Copied aside then renamed: a first run stopped halfway copies again.
	tmp, err := os.MkdirTemp(dataDir, ".content-")
	if err != nil {
		return "", fmt.Errorf("copier le contenu d’exemple : %w", err)
	}
	defer os.RemoveAll(tmp)
	err = fs.WalkDir(content.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(content.FS, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(tmp, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err == nil {
		err = os.Chmod(tmp, 0o755)
	}
	if err == nil {
		err = os.Rename(tmp, dir)
	}
	if err != nil {
		return "", fmt.Errorf("copier le contenu d’exemple dans %s : %w", dir, err)
	}
	return dir, nil
}
