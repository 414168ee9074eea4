package server

import (
	"fmt"
	"strconv"
	"time"
)

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frenchDay writes a date as « 1er décembre 2026 ».
func frenchDay(t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return day + " " + frenchMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// frenchWhen is « le 1er décembre 2026 à 10 h 42 » in the shop's time zone.
func (s *Server) frenchWhen(t time.Time) string {
	t = t.In(s.cfg.Location)
	return fmt.Sprintf("le %s à %d h %02d", frenchDay(t), t.Hour(), t.Minute())
}
