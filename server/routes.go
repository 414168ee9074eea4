package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/guichet/guichet/accounts"
)

func (s *Server) routes() {
	s.app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	s.app.Use(requestid.New())
	s.app.Use(s.accessLog)
	s.app.Use(compress.New(compress.Config{Next: func(c *fiber.Ctx) bool { return strings.HasSuffix(c.Path(), "/events") }}))

	s.app.Get("/", s.handleIndex)
	s.app.Get("/widget.js", s.handleWidget)
	if len(s.cfg.DemoCustomers) > 0 {
		s.app.Get("/demo/token", s.handleDemoToken)
	}
	s.app.Get("/healthz", s.handleHealth)
	s.app.Get("/metrics", s.handleMetrics)

	// The public help centre: no login, no script; one plain form.
	s.app.Get("/aide", s.handleHelpHome)
	s.app.Get("/aide/aide.css", s.handleHelpCSS)
	s.app.Get("/aide/sitemap.xml", s.handleHelpSitemap)
	s.app.Get("/aide/:id", s.handleHelpArticle)
	s.app.Post("/aide/:id/avis", perMinute(20), s.handleHelpFeedback)

	api := s.app.Group("/api/v1", cors.New(cors.Config{
		AllowOrigins: strings.Join(s.cfg.WidgetOrigins, ","),
		AllowMethods: "GET,POST,OPTIONS",
		AllowHeaders: "Content-Type",
		MaxAge:       600,
	}))
	api.Get("/openapi.json", s.handleOpenAPI)
	api.Get("/articles", s.handleArticleSearch)
	api.Get("/articles/:id", s.handleArticle)
	api.Get("/content/errors", s.requireRole(accounts.RoleEditor), s.handleContentErrors)
	api.Get("/content/reviews", s.requireRole(accounts.RoleEditor), s.handleReviews)
	api.Get("/stats", s.requireRole(accounts.RoleAgent), s.handleStats)

	chatLimit := perMinute(s.cfg.ChatRate)
	api.Post("/conversations", chatLimit, s.handleConversationStart)
	api.Get("/conversations/:id", s.handleConversation)
	api.Post("/conversations/:id/messages", chatLimit, s.handleChatMessage)
	api.Post("/conversations/:id/handoff", chatLimit, s.handleHandoff)
	api.Get("/conversations/:id/events", s.handleConversationEvents)
	api.Get("/conversations/:id/transcript", s.handleTranscript)
	api.Post("/conversations/:id/transcript", chatLimit, s.handleTranscriptEmail)

	// The console: pages behind a login, every form protected from CSRF.
	console := s.app.Group("", csrf.New(csrf.Config{
		KeyLookup:      "form:_csrf",
		CookieName:     "guichet_csrf",
		CookieSameSite: "Strict",
		CookieHTTPOnly: true,
		ContextKey:     "csrf",
		ErrorHandler:   func(c *fiber.Ctx, err error) error { return fiber.ErrForbidden },
	}))
	loginLimit := perMinute(5)
	console.Get("/agent/login", s.handleLoginPage)
	console.Post("/agent/login", loginLimit, s.handleLogin)
	console.Post("/agent/logout", s.handleLogout)
	agent := s.requireRole(accounts.RoleAgent)
	console.Get("/agent", agent, s.handleQueue)
	console.Get("/agent/events", agent, s.handleQueueEvents)
	console.Get("/agent/conversations/:id", agent, s.handleConversationPage)
	console.Get("/agent/conversations/:id/events", agent, s.handleConsoleConversationEvents)
	console.Post("/agent/conversations/:id/take", agent, s.handleTake)
	console.Post("/agent/conversations/:id/reply", agent, s.handleAgentReply)
	console.Post("/agent/conversations/:id/release", agent, s.handleRelease)
	console.Post("/agent/conversations/:id/close", agent, s.handleClose)
	s.app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(staticFS), PathPrefix: "static", MaxAge: 300}))
	console.Get("/editor", s.requireRole(accounts.RoleEditor), s.handleEditor)

	s.app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// perMinute lets each client make n requests a minute; the next get a 429
// through the error handler.
func perMinute(n int) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:          n,
		Expiration:   time.Minute,
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests },
	})
}
