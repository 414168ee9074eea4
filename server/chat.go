package server

import (
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/chat"
)

// conversationResponse is a conversation with the bot's greeting, so the
// widget can show it without a second request.
type conversationResponse struct {
	*chat.Conversation
	Greeting string `json:"greeting"`
	// Topics are the quick topics offered under the greeting.
	Topics []chat.Choice `json:"topics"`
	// LiveChat says whether live chat is offered now; presence events
	// tell the widget when it changes.
	LiveChat bool `json:"live_chat"`
}

// startRequest is the optional body of a new conversation: the token the
// shop's site signed for a logged-in customer.
type startRequest struct {
	CustomerToken string `json:"customer_token"`
}

func (s *Server) handleConversationStart(c *fiber.Ctx) error {
	var req startRequest
	if len(c.Body()) > 0 {
		if err := decode(c, &req); err != nil {
			return err
		}
	}
	var who *chat.Identity
	if req.CustomerToken != "" {
		id, err := s.cfg.Tokens.Verify(req.CustomerToken, time.Now())
		if err != nil {
			return err
		}
		who = id
	}
	conv, err := s.bot.Start(c.UserContext(), who)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(conversationResponse{conv, s.bot.Greeting(), s.bot.Topics(), s.bot.LiveChatOffered()})
}

func (s *Server) handleConversation(c *fiber.Ctx) error {
	conv, err := s.bot.Conversation(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	// The id is all this request proves: not who the customer is, nor
	// which order they proved (agents see both in the console).
	return c.JSON(conversationResponse{chat.WithoutProof(conv), s.bot.Greeting(), s.bot.Topics(), s.bot.LiveChatOffered()})
}

// messageRequest is a message with, for a customer logged in on the shop,
// the token the page holds now: the customer's orders are shown only while
// a valid one comes with the message.
type messageRequest struct {
	chat.Message
	CustomerToken string `json:"customer_token"`
}

func (s *Server) handleChatMessage(c *fiber.Ctx) error {
	var req messageRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	m := req.Message
	m.Client = s.clientIP(c)
	m.Identity = s.customer(req.CustomerToken)
	start := time.Now()
	r, err := s.bot.Send(c.UserContext(), c.Params("id"), m)
	if err != nil {
		return err
	}
	s.metrics.turn(string(r.Outcome), time.Since(start))
	if r.OrderError != nil {
		// The error names no order: orders keeps numbers out of it.
		s.logger.Warn("order lookup failed", "conversation", maskID(c.Params("id")), "request_id", requestID(c), "err", r.OrderError)
	}
	return c.JSON(r)
}

func (s *Server) handleStats(c *fiber.Ctx) error {
	st, err := s.bot.Stats(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// handleHandoff records a callback or e-mail request as a case.
func (s *Server) handleHandoff(c *fiber.Ctx) error {
	var req chat.HandoffRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	r, err := s.bot.Handoff(c.UserContext(), c.Params("id"), req)
	if err != nil {
		return err
	}
	if r.MailError != nil {
		s.logger.Error("e-mail request not sent (case stored)", "conversation", maskID(c.Params("id")), "err", r.MailError)
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

// handleConversationEvents streams a conversation's events to the customer's
// widget: an agent's messages, and who answers.
func (s *Server) handleConversationEvents(c *fiber.Ctx) error {
	if _, err := s.bot.Conversation(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	release, ok := s.holdStream(s.clientIP(c))
	if !ok {
		return fiber.ErrTooManyRequests
	}
	events, cancel := s.bot.Subscribe(c.Params("id"), false)
	return s.stream(c, events, func() { cancel(); release() })
}

// holdStream counts an open event stream for a client, unless it has
// StreamsPerClient open already; release ends it. Each stream holds a
// connection and a subscription, so one client must not open thousands.
func (s *Server) holdStream(client string) (release func(), ok bool) {
	s.streamsMu.Lock()
	defer s.streamsMu.Unlock()
	if s.streams[client] >= s.cfg.StreamsPerClient {
		return nil, false
	}
	s.streams[client]++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.streamsMu.Lock()
			defer s.streamsMu.Unlock()
			if s.streams[client]--; s.streams[client] <= 0 {
				delete(s.streams, client)
			}
		})
	}, true
}

// handleTranscript lets the customer download the conversation as text.
func (s *Server) handleTranscript(c *fiber.Ctx) error {
	conv, err := s.bot.Conversation(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="conversation.txt"`)
	return c.SendString(chat.Transcript(chat.WithoutProof(conv)))
}

// handleTranscriptEmail sends the conversation to the customer by e-mail.
func (s *Server) handleTranscriptEmail(c *fiber.Ctx) error {
	var req struct {
		Email         string `json:"email"`
		CustomerToken string `json:"customer_token"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	if err := s.bot.SendTranscript(c.UserContext(), c.Params("id"), req.Email, s.customer(req.CustomerToken)); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"message": msgTranscriptSent})
}

// customer is the customer a token sent with a request vouches for, or
// nil. An expired or bad token is not an error here: the customer goes on
// anonymously, and the bot asks for the order if it needs one.
func (s *Server) customer(token string) *chat.Identity {
	if token == "" {
		return nil
	}
	id, err := s.cfg.Tokens.Verify(token, time.Now())
	if err != nil {
		return nil
	}
	return id
}

// handleCustomerTyping tells the agents that the customer is writing.
func (s *Server) handleCustomerTyping(c *fiber.Ctx) error {
	if _, err := s.bot.Conversation(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	s.bot.Typing(c.Params("id"), "")
	return c.SendStatus(fiber.StatusNoContent)
}

// handleRating stores the customer's answer to the satisfaction question.
func (s *Server) handleRating(c *fiber.Ctx) error {
	var req struct {
		Score   int    `json:"score"`
		Comment string `json:"comment"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	if err := s.bot.Rate(c.UserContext(), c.Params("id"), req.Score, req.Comment); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"message": msgRated})
}
