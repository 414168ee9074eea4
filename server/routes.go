package server

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
)

func (s *Server) routes() {
	s.app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	s.app.Use(requestid.New())
	s.app.Use(s.accessLog)
	s.app.Use(compress.New())

	s.app.Get("/", s.handleIndex)
	s.app.Get("/healthz", s.handleHealth)

	api := s.app.Group("/api/v1", cors.New(cors.Config{
		AllowOrigins: strings.Join(s.cfg.WidgetOrigins, ","),
		AllowMethods: "GET,POST,OPTIONS",
		AllowHeaders: "Content-Type",
		MaxAge:       600,
	}))
	api.Get("/articles", s.handleArticleSearch)
	api.Get("/articles/:id", s.handleArticle)
	api.Get("/content/errors", s.handleContentErrors)
	api.Get("/stats", s.handleStats)

	chatLimit := limiter.New(limiter.Config{
		Max:          s.cfg.ChatRate,
		Expiration:   time.Minute,
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests },
	})
	api.Post("/conversations", chatLimit, s.handleConversationStart)
	api.Get("/conversations/:id", s.handleConversation)
	api.Post("/conversations/:id/messages", chatLimit, s.handleChatMessage)
	api.Post("/conversations/:id/handoff", chatLimit, s.handleHandoff)

	s.app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}
