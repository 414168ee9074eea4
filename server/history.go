package server

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/chat"
)

// historyRow is a past conversation or logged contact, as the history page
// and the conversation's side list it.
type historyRow struct {
	Conversation, At, Channel, Email, Order, Reason, Excerpt, CSAT string
}

// historyData is the history page: the search form as typed, the results.
type historyData struct {
	Text, Order, Email, Reason, From, To string
	Reasons                              []string
	Rows                                 []historyRow
	Searched                             bool
}

// handleHistory searches past conversations and cases.
func (s *Server) handleHistory(c *fiber.Ctx) error {
	h := &historyData{Text: c.Query("text"), Order: c.Query("order"), Email: c.Query("email"), Reason: c.Query("reason"),
		From: c.Query("from"), To: c.Query("to"), Reasons: chat.CloseReasons}
	q := chat.HistoryQuery{Text: h.Text, Order: h.Order, Email: h.Email, Reason: h.Reason}
	d := pageData{Title: "Historique", History: h}
	var err error
	if q.From, err = s.day(h.From); err != nil {
		d.Error = "La date « du » doit être au format AAAA-MM-JJ, par exemple 2026-12-01."
	}
	if q.To, err = s.day(h.To); err != nil {
		d.Error = "La date « au » doit être au format AAAA-MM-JJ, par exemple 2026-12-01."
	}
	h.Searched = len(c.Request().URI().QueryString()) > 0
	if d.Error == "" && h.Searched {
		hits, err := s.bot.History(c.UserContext(), q)
		if err != nil {
			return err
		}
		h.Rows = s.historyRows(hits)
	}
	status := fiber.StatusOK
	if d.Error != "" {
		status = fiber.StatusBadRequest
	}
	return s.page(c, status, "history", d)
}

// day reads a date field in the shop's time zone; "" is no bound.
func (s *Server) day(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation("2006-01-02", v, s.cfg.Location)
}

func (s *Server) historyRows(hits []chat.HistoryHit) []historyRow {
	rows := make([]historyRow, 0, len(hits))
	for _, h := range hits {
		r := historyRow{Conversation: h.Conversation, At: s.clock(h.At, "02/01/2006 15:04"), Channel: channelNames[h.Channel],
			Email: h.Email, Order: h.Order, Reason: h.Reason, Excerpt: h.Excerpt}
		if h.Case != nil && h.Case.CSAT != nil {
			r.CSAT = strconv.Itoa(h.Case.CSAT.Score) + "/5"
		}
		rows = append(rows, r)
	}
	return rows
}
