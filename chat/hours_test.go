package chat

import (
	"testing"
	"time"
)

func TestHours(t *testing.T) {
	paris := paris()
	at := func(s string) time.Time {
		tt, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	tests := []struct {
		name, now string
		open      bool
		next      string
		says      string
	}{
		{"weekday morning", "2026-11-23 10:00", true, "2026-11-23 10:00", "aujourd’hui à 10 h"},
		{"before opening", "2026-11-23 08:30", false, "2026-11-23 09:00", "aujourd’hui à 9 h"},
		{"weekday evening", "2026-11-24 19:00", false, "2026-11-25 09:00", "demain à 9 h"},
		{"saturday afternoon", "2026-11-28 16:59", true, "2026-11-28 16:59", "aujourd’hui à 16 h 59"},
		{"saturday after closing", "2026-11-28 17:00", false, "2026-11-30 09:00", "lundi à 9 h"},
		{"sunday", "2026-11-22 12:00", false, "2026-11-23 09:00", "demain à 9 h"},
		{"christmas eve night", "2026-12-24 20:00", false, "2026-12-26 10:00", "samedi à 10 h"},
		{"christmas day", "2026-12-25 11:00", false, "2026-12-26 10:00", "demain à 10 h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := at(tt.now)
			if got := DefaultHours.Open(now); got != tt.open {
				t.Errorf("Open = %v, want %v", got, tt.open)
			}
			next := DefaultHours.NextOpen(now)
			if !next.Equal(at(tt.next)) {
				t.Errorf("NextOpen = %s, want %s", next, tt.next)
			}
			if got := whenOpen(next, now); got != tt.says {
				t.Errorf("whenOpen = %q, want %q", got, tt.says)
			}
		})
	}
	if !(Hours{}).NextOpen(at("2026-11-23 10:00")).IsZero() {
		t.Error("a service never open has a next opening")
	}
}

func TestHoursInFrench(t *testing.T) {
	week := func(spans map[time.Weekday]Span) Hours {
		var h Hours
		for d, s := range spans {
			h.Week[d] = s
		}
		return h
	}
	for _, c := range []struct {
		h    Hours
		want string
	}{
		{DefaultHours, "du lundi au vendredi de 9 h à 19 h et le samedi de 10 h à 17 h"},
		{week(map[time.Weekday]Span{time.Tuesday: {600, 1140}, time.Wednesday: {600, 1140}, time.Saturday: {570, 750}}),
			"le mardi et le mercredi de 10 h à 19 h et le samedi de 9 h 30 à 12 h 30"},
		{week(map[time.Weekday]Span{time.Monday: {540, 720}, time.Sunday: {540, 720}}), "le lundi de 9 h à 12 h et le dimanche de 9 h à 12 h"},
		{Hours{}, ""},
	} {
		if got := c.h.Describe(); got != c.want {
			t.Errorf("Describe = %q, want %q", got, c.want)
		}
	}
	for when, want := range map[string]string{
		"aujourd’hui à 10 h":       "à partir d’aujourd’hui à 10 h",
		"demain à 9 h":             "à partir de demain à 9 h",
		"le 3 décembre 2026 à 9 h": "à partir du 3 décembre 2026 à 9 h",
	} {
		if got := fromWhen(when); got != want {
			t.Errorf("fromWhen(%q) = %q, want %q", when, got, want)
		}
	}
}
