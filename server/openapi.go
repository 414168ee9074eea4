package server

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPI describes the public API (OpenAPI 3.1), kept by hand next to the
// routes; a test checks both ways that it lists every /api/v1 route and
// that the API's answers match its schemas.
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(openAPI)
}
