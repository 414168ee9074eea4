package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/chat"
)

// conversationResponse is a conversation with the bot's greeting, so the
// widget can show it without a second request.
type conversationResponse struct {
	*chat.Conversation
	Greeting string `json:"greeting"`
}

func (s *Server) handleConversationStart(c *fiber.Ctx) error {
	conv, err := s.bot.Start(c.UserContext())
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
	r, err := s.bot.Send(c.UserContext(), c.Params("id"), m)
	if err != nil {
		return err
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
