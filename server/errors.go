package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/kb"
)

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error struct {
		Code      string            `json:"code"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields,omitempty"`
		RequestID string            `json:"request_id,omitempty"`
	} `json:"error"`
}

// badJSON marks a request body that could not be decoded.
type badJSON struct{ err error }

func (e badJSON) Error() string { return "decode body: " + e.err.Error() }
func (e badJSON) Unwrap() error { return e.err }

// handleError is the one place where errors become responses. It never
// sends err.Error() to the client; unexpected errors are logged once, here,
// with the request id the customer sees.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, code, msg := classify(err)
	rid := requestID(c)
	if code == "internal" {
		msg = fmt.Sprintf(msgInternal, rid)
		s.logger.Error("request failed", "method", c.Method(), "path", maskPath(c.Path()), "request_id", rid, "err", err)
	}
	if p := c.Path(); (strings.HasPrefix(p, "/agent") || strings.HasPrefix(p, "/editor")) && c.Get("X-Requested-With") != "fetch" {
		return s.page(c, status, "error", pageData{Title: "Erreur", Error: pageMessage(status, msg)})
	}
	if p := c.Path(); p == "/aide" || strings.HasPrefix(p, "/aide/") {
		return s.helpError(c, status, msg)
	}
	var body errorBody
	body.Error.Code, body.Error.Message = code, msg
	var fe *chat.FormError
	if errors.As(err, &fe) {
		body.Error.Fields = fe.Fields
	}
	if code == "internal" {
		body.Error.RequestID = rid
	}
	return c.Status(status).JSON(body)
}

// pageMessage is the text of an error page.
func pageMessage(status int, msg string) string {
	if status == fiber.StatusTooManyRequests {
		return msgTooManyLogins
	}
	return msg
}

func classify(err error) (status int, code, msg string) {
	var fe *fiber.Error
	var bj badJSON
	switch {
	case errors.Is(err, kb.ErrNotFound):
		return fiber.StatusNotFound, "not_found", msgArticleNotFound
	case errors.Is(err, chat.ErrNotFound):
		return fiber.StatusNotFound, "not_found", msgConvNotFound
	case errors.Is(err, chat.ErrEmptyMessage):
		return fiber.StatusBadRequest, "empty_message", msgEmptyMessage
	case errors.Is(err, chat.ErrMessageTooBig):
		return fiber.StatusRequestEntityTooLarge, "message_too_long", msgMessageTooBig
	case errors.Is(err, chat.ErrConversationFull):
		return fiber.StatusConflict, "conversation_full", msgConversationFull
	case errors.Is(err, chat.ErrTooManyTranscripts):
		return fiber.StatusTooManyRequests, "too_many_transcripts", msgTooManyTranscripts
	case errors.Is(err, chat.ErrNoMail):
		return fiber.StatusServiceUnavailable, "no_mail", msgNoMail
	case errors.Is(err, chat.ErrAttachmentType):
		return fiber.StatusUnsupportedMediaType, "attachment_type", msgAttachmentType
	case errors.Is(err, chat.ErrAttachmentTooBig):
		return fiber.StatusRequestEntityTooLarge, "attachment_too_big", msgAttachmentTooBig
	case errors.Is(err, chat.ErrAttachmentMissing):
		return fiber.StatusNotFound, "not_found", msgAttachmentMissing
	case errors.Is(err, chat.ErrNoAttachments):
		return fiber.StatusServiceUnavailable, "no_attachments", msgNoAttachments
	case errors.Is(err, chat.ErrBadScore):
		return fiber.StatusBadRequest, "bad_score", msgBadScore
	case errors.Is(err, chat.ErrNoRating):
		return fiber.StatusConflict, "no_rating", msgNoRating
	case errors.Is(err, chat.ErrBadLogged):
		return fiber.StatusBadRequest, "bad_contact", msgBadLogged
	case errors.Is(err, chat.ErrBadReason):
		return fiber.StatusBadRequest, "bad_reason", msgBadReason
	case errors.Is(err, chat.ErrUnknownChoice):
		return fiber.StatusBadRequest, "unknown_choice", msgUnknownChoice
	case errors.As(err, new(*chat.FormError)):
		return fiber.StatusBadRequest, "invalid_form", msgInvalidForm
	case errors.Is(err, errBadLimit):
		return fiber.StatusBadRequest, "bad_limit", msgBadLimit
	case errors.Is(err, ErrBadToken):
		return fiber.StatusUnauthorized, "bad_token", msgBadToken
	case errors.As(err, &bj):
		return fiber.StatusBadRequest, "bad_json", msgBadJSON
	case errors.As(err, &fe):
		switch fe.Code {
		case fiber.StatusNotFound:
			return fe.Code, "not_found", msgNotFound
		case fiber.StatusMethodNotAllowed:
			return fe.Code, "method_not_allowed", msgMethodNotAllowed
		case fiber.StatusRequestEntityTooLarge:
			return fe.Code, "body_too_large", msgBodyTooBig
		case fiber.StatusTooManyRequests:
			return fe.Code, "too_many_requests", msgTooManyRequests
		case fiber.StatusServiceUnavailable:
			return fe.Code, "unavailable", msgServiceOverloaded
		case fiber.StatusBadRequest:
			return fe.Code, "bad_request", msgBadRequest
		case fiber.StatusUnauthorized:
			return fe.Code, "unauthorized", msgLoginNeeded
		case fiber.StatusForbidden:
			return fe.Code, "forbidden", msgForbidden
		case fiber.StatusRequestTimeout:
			return fe.Code, "timeout", msgTimeout
		}
		if fe.Code < 500 {
			return fe.Code, "bad_request", msgBadRequest
		}
	}
	return fiber.StatusInternalServerError, "internal", msgInternal
}

// decode reads a JSON body into v.
func decode(c *fiber.Ctx, v any) error {
	if err := json.Unmarshal(c.Body(), v); err != nil {
		return badJSON{err}
	}
	return nil
}

func requestID(c *fiber.Ctx) string {
	rid, _ := c.Locals("requestid").(string)
	return rid
}

// accessLog writes one line per request: method, path (never the query
// string, which may hold a customer's words, and conversation ids masked),
// status, duration, request id.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.handleError(c, err); herr != nil {
			return herr
		}
	}
	d := time.Since(start)
	status := c.Response().StatusCode()
	s.metrics.request(c.Method(), routeOf(c), status, d)
	// LogAttrs with typed attributes: no boxing into interfaces, and no
	// formatting at all when info is not logged.
	if ctx := c.UserContext(); s.logger.Enabled(ctx, slog.LevelInfo) {
		s.logger.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", c.Method()), slog.String("path", maskPath(c.Path())),
			slog.Int("status", status), slog.String("duration", d.Round(time.Microsecond).String()), slog.String("request_id", requestID(c)))
	}
	return nil
}

func (s *Server) logPanic(c *fiber.Ctx, e any) {
	s.logger.Error("panic", "path", maskPath(c.Path()), "request_id", requestID(c), "panic", fmt.Sprint(e), "stack", string(debug.Stack()))
}

// maskID shortens a conversation id for the logs: the full id is the only
// credential of a transcript, and logs are read by more people than
// transcripts. Eight hex digits still tell conversations apart.
func maskID(id string) string {
	if len(id) <= 8 {
		return id
	}
	return id[:8] + "…"
}

// maskPath masks the conversation ids in a path.
func maskPath(p string) string {
	if !strings.Contains(p, "conversations/") {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	prev, first := "", true
	for part := range strings.SplitSeq(p, "/") {
		if !first {
			b.WriteByte('/')
		}
		first = false
		if prev == "conversations" && len(part) > 8 {
			b.WriteString(part[:8]) // as maskID, without a string of its own
			b.WriteString("…")
		} else {
			b.WriteString(part)
		}
		prev = part
	}
	return b.String()
}
