package server

import (
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/chat"
)

// Attachments: a customer or an agent sends a photo or a PDF. Files are
// typed by their content, stored under the data dir by chat, and served
// only through a conversation: to its customer (who holds its id) and to
// agents (session), never as a page.

// attachmentPolicy forbids a served file to run anything, whatever a
// browser makes of it.
const attachmentPolicy = "default-src 'none'; img-src 'self'; sandbox"

// smallBodies keeps the 64 KiB limit on every request but uploads: the
// app's own limit is sized for a 10 MB file.
func (s *Server) smallBodies(c *fiber.Ctx) error {
	if len(c.Body()) > s.cfg.BodyLimit && !isUpload(c) {
		return fiber.ErrRequestEntityTooLarge
	}
	return c.Next()
}

func isUpload(c *fiber.Ctx) bool {
	return c.Method() == fiber.MethodPost && strings.HasSuffix(c.Path(), "/attachments")
}

// uploaded reads the form's file.
func uploaded(c *fiber.Ctx) (name string, data []byte, err error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return "", nil, fiber.ErrBadRequest
	}
	if fh.Size > chat.MaxAttachment {
		return "", nil, chat.ErrAttachmentTooBig
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, chat.MaxAttachment+1))
	if err != nil {
		return "", nil, fmt.Errorf("read upload: %w", err)
	}
	return fh.Filename, data, nil
}

// attachmentResponse is what the widget gets back for a file it sent.
type attachmentResponse struct {
	Attachment *chat.Attachment `json:"attachment"`
	Reply      *chat.Reply      `json:"reply"`
}

func (s *Server) handleCustomerAttach(c *fiber.Ctx) error {
	name, data, err := uploaded(c)
	if err != nil {
		return err
	}
	a, r, err := s.bot.Attach(c.UserContext(), c.Params("id"), "", name, data)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(attachmentResponse{a, r})
}

func (s *Server) handleAgentAttach(c *fiber.Ctx) error {
	name, data, err := uploaded(c)
	if err != nil {
		return err
	}
	if _, _, err := s.bot.Attach(c.UserContext(), c.Params("id"), agentName(c), name, data); err != nil {
		return err
	}
	return done(c, convPath(c))
}

// handleAttachment serves a conversation's file with the type it was
// sniffed as: images inline, PDFs as downloads, nothing ever as HTML.
func (s *Server) handleAttachment(c *fiber.Ctx) error {
	a, data, err := s.bot.OpenAttachment(c.UserContext(), c.Params("id"), c.Params("aid"))
	if err != nil {
		return err
	}
	disposition := "inline"
	if a.Type == "application/pdf" {
		disposition = "attachment"
	}
	c.Set(fiber.HeaderContentType, a.Type)
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType(disposition, map[string]string{"filename": a.Name}))
	c.Set("Content-Security-Policy", attachmentPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, max-age=3600")
	c.Set("Cross-Origin-Resource-Policy", "cross-origin") // the widget shows it on the shop's page
	return c.Send(data)
}
