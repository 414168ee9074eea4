package chat

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Hours are when the service client answers: a weekly schedule in the shop's
// time zone (Europe/Paris) and closed days.
type Hours struct {
	// Week gives each weekday's opening span; a zero span is closed.
	Week [7]Span
	// Holidays are closed dates, "2006-01-02".
	Holidays []string
	// Slots are the callback slots of an open day, within its span;
	// empty offers the morning and the afternoon.
	Slots []Span
}

// Span is an opening span within a day, in minutes after midnight.
type Span struct{ Open, Close int }

// DefaultHours are those the sample content announces: Monday to Friday
// 9:00–19:00, Saturday 10:00–17:00, closed on Sundays and French public
// holidays of 2026 and 2027.
var DefaultHours = Hours{
	Week: [7]Span{
		time.Monday: {9 * 60, 19 * 60}, time.Tuesday: {9 * 60, 19 * 60}, time.Wednesday: {9 * 60, 19 * 60},
		time.Thursday: {9 * 60, 19 * 60}, time.Friday: {9 * 60, 19 * 60}, time.Saturday: {10 * 60, 17 * 60},
	},
	Holidays: []string{
		"2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25", "2026-07-14",
		"2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
		"2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-08", "2027-05-17", "2027-07-14",
		"2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25",
	},
}

// span returns the opening span of t's day, closed on holidays.
func (h Hours) span(t time.Time) Span {
	if slices.Contains(h.Holidays, t.Format("2006-01-02")) {
		return Span{}
	}
	return h.Week[t.Weekday()]
}

// Open tells whether the service client answers at t.
func (h Hours) Open(t time.Time) bool {
	t = t.In(paris())
	s := h.span(t)
	m := t.Hour()*60 + t.Minute()
	return s.Close > s.Open && m >= s.Open && m < s.Close
}

// NextOpen returns when the service client next opens after t (t itself
// when open), or the zero time when it never does within two weeks.
func (h Hours) NextOpen(t time.Time) time.Time {
	t = t.In(paris())
	if h.Open(t) {
		return t
	}
	for d := 0; d < 15; d++ {
		day := time.Date(t.Year(), t.Month(), t.Day()+d, 0, 0, 0, 0, t.Location())
		s := h.span(day)
		if s.Close <= s.Open {
			continue
		}
		open := day.Add(time.Duration(s.Open) * time.Minute)
		if open.After(t) {
			return open
		}
	}
	return time.Time{}
}

var frenchDays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// whenOpen says in French when someone will answer, seen from now:
// « aujourd’hui à 9 h », « demain à 10 h », « lundi à 9 h 30 ».
func whenOpen(at, now time.Time) string {
	at = at.In(paris())
	clock := fmt.Sprintf("%d h", at.Hour())
	if at.Minute() != 0 {
		clock = fmt.Sprintf("%d h %02d", at.Hour(), at.Minute())
	}
	return whenDay(at, now) + " à " + clock
}

// whenDay names at's day in French, seen from now: « aujourd’hui »,
// « demain », « lundi » within the week, « le 3 décembre 2026 » beyond.
func whenDay(at, now time.Time) string {
	at, now = at.In(paris()), now.In(paris())
	days := int(time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC).Sub(
		time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)).Hours() / 24)
	switch {
	case days == 0:
		return "aujourd’hui"
	case days == 1:
		return "demain"
	case days < 7:
		return frenchDays[at.Weekday()]
	}
	return "le " + frenchDate(at)
}

// Describe says the weekly hours in French, as customers read them:
// « du lundi au vendredi de 9 h à 19 h et le samedi de 10 h à 17 h ».
func (h Hours) Describe() string {
	var parts []string
	for i := 0; i < 7; {
		d := (i + 1) % 7 // from Monday to Sunday
		s := h.Week[d]
		j := i + 1
		for j < 7 && h.Week[(j+1)%7] == s {
			j++
		}
		if s.Close > s.Open {
			span := "de " + clock(s.Open) + " à " + clock(s.Close)
			switch j - i {
			case 1:
				parts = append(parts, "le "+frenchDays[d]+" "+span)
			case 2:
				parts = append(parts, "le "+frenchDays[d]+" et le "+frenchDays[(j)%7]+" "+span)
			default:
				parts = append(parts, "du "+frenchDays[d]+" au "+frenchDays[(j)%7]+" "+span)
			}
		}
		i = j
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " et " + parts[len(parts)-1]
}

// clock says minutes after midnight in French: « 9 h », « 9 h 30 ».
func clock(m int) string {
	if m%60 == 0 {
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %02d", m/60, m%60)
}

// fromWhen is « à partir de » before whenOpen's words, with the French
// contractions: « à partir d’aujourd’hui », « à partir du 3 décembre ».
func fromWhen(when string) string {
	if rest, ok := strings.CutPrefix(when, "le "); ok {
		return "à partir du " + rest
	}
	r, _ := utf8.DecodeRuneInString(when)
	if strings.ContainsRune("aeiouyhéèêâîôû", r) {
		return "à partir d’" + when
	}
	return "à partir de " + when
}
