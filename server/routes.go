package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
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
	s.app.Use(s.smallBodies)
	s.app.Use(s.compress)

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
	s.app.Post("/aide/:id/avis", s.perMinute(20), s.handleHelpFeedback)

	api := s.app.Group("/api/v1")
	if len(s.cfg.WidgetOrigins) > 0 {
		// Without widget origins, no CORS headers at all: same origin
		// only (Fiber's cors would allow "*").
		api.Use(cors.New(cors.Config{
			AllowOrigins: strings.Join(s.cfg.WidgetOrigins, ","),
			AllowMethods: "GET,POST,OPTIONS",
			AllowHeaders: "Content-Type",
			MaxAge:       600,
		}))
	}
	api.Get("/openapi.json", s.handleOpenAPI)
	api.Get("/articles", s.handleArticleSearch)
	api.Get("/articles/:id", s.handleArticle)
	api.Get("/content/errors", s.requireRole(accounts.RoleEditor), s.handleContentErrors)
	api.Get("/content/reviews", s.requireRole(accounts.RoleEditor), s.handleReviews)
	api.Get("/stats", s.requireRole(accounts.RoleAgent), s.handleStats)

	chatLimit := s.perMinute(s.cfg.ChatRate)
	api.Post("/conversations", chatLimit, s.handleConversationStart)
	api.Get("/conversations/:id", s.handleConversation)
	api.Post("/conversations/:id/messages", chatLimit, s.handleChatMessage)
	api.Post("/conversations/:id/handoff", chatLimit, s.handleHandoff)
	api.Get("/conversations/:id/events", s.handleConversationEvents)
	api.Post("/conversations/:id/typing", s.perMinute(s.cfg.ChatRate), s.handleCustomerTyping) // a limit of its own: typing is not chatting
	api.Post("/conversations/:id/rating", chatLimit, s.handleRating)
	api.Post("/conversations/:id/effort", chatLimit, s.handleEffort)
	api.Post("/conversations/:id/attachments", chatLimit, s.handleCustomerAttach)
	api.Get("/conversations/:id/attachments/:aid", s.handleAttachment)
	api.Get("/conversations/:id/transcript", s.handleTranscript)
	api.Post("/conversations/:id/transcript", chatLimit, s.handleTranscriptEmail)

	// The console: pages behind a login, every form protected from CSRF.
	console := s.app.Group("", s.csrf)
	loginLimit := s.perMinute(5)
	console.Get("/agent/login", s.handleLoginPage)
	console.Post("/agent/login", loginLimit, s.handleLogin)
	console.Post("/agent/logout", s.handleLogout)
	agent := s.requireRole(accounts.RoleAgent)
	// Pages and actions count as the agent's activity; the event stream,
	// fragments and the heartbeat do not (an idle tab refreshes them too).
	active := s.activity
	console.Get("/agent", agent, active, s.handleInbox)
	console.Get("/agent/conversations/:id", agent, active, s.handleInbox)
	console.Get("/agent/history", agent, active, s.handleHistory)
	console.Get("/agent/events", agent, s.handleQueueEvents)
	console.Get("/agent/fragments/queue", agent, s.handleQueueFragment)
	console.Get("/agent/fragments/conversations/:id", agent, s.handlePaneFragment)
	console.Get("/agent/fragments/conversations/:id/hits", agent, s.handleHitsFragment)
	console.Post("/agent/presence", agent, s.handlePresence)
	console.Post("/agent/heartbeat", agent, s.handleHeartbeat)
	console.Post("/agent/contacts", agent, active, s.handleLogContact)
	console.Post("/agent/conversations/:id/take", agent, active, s.handleTake)
	console.Post("/agent/conversations/:id/reply", agent, active, s.handleAgentReply)
	console.Post("/agent/conversations/:id/release", agent, active, s.handleRelease)
	console.Post("/agent/conversations/:id/close", agent, active, s.handleClose)
	console.Post("/agent/conversations/:id/note", agent, active, s.handleNote)
	console.Post("/agent/conversations/:id/assign", agent, active, s.handleAssign)
	console.Post("/agent/conversations/:id/typing", agent, active, s.handleAgentTyping)
	console.Post("/agent/conversations/:id/attachments", agent, active, s.handleAgentAttach)
	console.Get("/agent/conversations/:id/attachments/:aid", agent, s.handleAttachment)
	s.app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(staticFS), PathPrefix: "static", MaxAge: 300}))
	// The web editor: articles, their versions, and the live preview.
	edit := s.requireRole(accounts.RoleEditor)
	console.Get("/editor", edit, s.handleEditor)
	console.Get("/editor/fragments/articles", edit, s.handleEditorArticlesFragment)
	console.Post("/editor/preview", edit, s.handleEditorPreview)
	console.Post("/editor/source", edit, s.handleEditorSource)
	console.Get("/editor/articles/new", edit, s.handleEditorNew)
	console.Get("/editor/files/edit", edit, s.versioned, s.handleEditorFile)
	console.Post("/editor/articles", edit, s.handleEditorSave)
	console.Get("/editor/articles/:id", edit, s.handleEditorArticle)
	console.Get("/editor/articles/:id/edit", edit, s.handleEditorEdit)
	console.Post("/editor/articles/:id", edit, s.handleEditorSave)
	console.Post("/editor/articles/:id/delete", edit, s.handleEditorDelete)
	console.Get("/editor/articles/:id/served", edit, s.versioned, s.handleEditorServed)
	console.Get("/editor/articles/:id/history", edit, s.versioned, s.handleEditorHistory)
	console.Get("/editor/articles/:id/history/:n", edit, s.versioned, s.handleEditorVersion)
	console.Post("/editor/articles/:id/history/:n/restore", edit, s.versioned, s.handleEditorRestore)
	if s.cfg.Reports != nil {
		// Reports: every role logs in; agents see their own figures.
		console.Get("/reports", s.requireStaff, s.handleReports)
		console.Get("/reports/export/:table", s.requireStaff, s.handleReportsCSV)
	}

	// Learning from customers (learn.go): the questions to learn from, and
	// a draft tested on the past questions before it is published.
	editor := s.requireRole(accounts.RoleEditor)
	console.Get("/editor/questions", editor, s.handleQuestions)
	console.Get("/editor/fragments/questions", editor, s.handleQuestionsFragment)
	console.Post("/editor/draft-tests", editor, s.handleDraftTestStart)
	console.Get("/editor/draft-tests/:id", editor, s.handleDraftTest)

	s.app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// perMinute lets each client (see clientIP) make n requests a minute; the
// next get a 429 through the error handler.
func (s *Server) perMinute(n int) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:          n,
		KeyGenerator: s.clientIP,
		Expiration:   time.Minute,
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests },
	})
}
