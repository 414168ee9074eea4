package server

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/guichet/guichet/accounts"
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

	// The console: pages behind a login, every form protected from CSRF.
	console := s.app.Group("", csrf.New(csrf.Config{
		KeyLookup:      "form:_csrf",
		CookieName:     "guichet_csrf",
		CookieSameSite: "Strict",
		CookieHTTPOnly: true,
		ContextKey:     "csrf",
		ErrorHandler:   func(c *fiber.Ctx, err error) error { return fiber.ErrForbidden },
	}))
	loginLimit := limiter.New(limiter.Config{
		Max:          5,
		Expiration:   time.Minute,
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests },
	})
	console.Get("/agent/login", s.handleLoginPage)
	console.Post("/agent/login", loginLimit, s.handleLogin)
	console.Post("/agent/logout", s.handleLogout)
	console.Get("/agent", s.requireRole(accounts.RoleAgent), s.handleQueue)
	console.Get("/editor", s.requireRole(accounts.RoleEditor), s.handleEditor)

	s.app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}
