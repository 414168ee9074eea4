package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/chat"
)

// conversationResponse is a conversation with the bot's greeting, so the
// widget can show it without a second request.
type conversationResponse struct {
	*chat.Conversation
	Greeting string `json:"greeting"`
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
		id, err := VerifyCustomerToken(s.cfg.TokenSecret, req.CustomerToken, time.Now())
		if err != nil {
			return err
		}
		who = id
	}
	conv, err := s.bot.Start(c.UserContext(), who)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(conversationResponse{conv, s.bot.Greeting()})
}

func (s *Server) handleConversation(c *fiber.Ctx) error {
	conv, err := s.bot.Conversation(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(conversationResponse{conv, s.bot.Greeting()})
}

func (s *Server) handleChatMessage(c *fiber.Ctx) error {
	var m chat.Message
	if err := decode(c, &m); err != nil {
		return err
	}
	start := time.Now()
	r, err := s.bot.Send(c.UserContext(), c.Params("id"), m)
	if err != nil {
		return err
	}
	s.metrics.turn(string(r.Outcome), time.Since(start))
	if r.OrderError != nil {
		// The error names no order: orders keeps numbers out of it.
		s.logger.Warn("order lookup failed", "conversation", c.Params("id"), "request_id", requestID(c), "err", r.OrderError)
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
		s.logger.Error("e-mail request not sent (case stored)", "conversation", c.Params("id"), "err", r.MailError)
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

// handleConversationEvents streams a conversation's events to the customer's
// widget: an agent's messages, and who answers.
func (s *Server) handleConversationEvents(c *fiber.Ctx) error {
	if _, err := s.bot.Conversation(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	events, cancel := s.bot.Subscribe(c.Params("id"))
	return s.stream(c, events, cancel)
}

// handleTranscript lets the customer download the conversation as text.
func (s *Server) handleTranscript(c *fiber.Ctx) error {
	conv, err := s.bot.Conversation(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="conversation.txt"`)
	return c.SendString(chat.Transcript(conv))
}

// handleTranscriptEmail sends the conversation to the customer by e-mail.
func (s *Server) handleTranscriptEmail(c *fiber.Ctx) error {
	var req struct {
		Email string `json:"email"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	if err := s.bot.SendTranscript(c.UserContext(), c.Params("id"), req.Email); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"message": msgTranscriptSent})
}
