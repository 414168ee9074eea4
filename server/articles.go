package server

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/kb"
	"github.com/guichet/guichet/widget"
)

func (s *Server) handleArticleSearch(c *fiber.Ctx) error {
	res, err := s.kb.Search(c.UserContext(), kb.SearchRequest{
		Query: c.Query("q"),
		Tag:   c.Query("tag"),
		Size:  c.QueryInt("size", 10),
	})
	if err != nil {
		return err
	}
	return c.JSON(res)
}

func (s *Server) handleArticle(c *fiber.Ctx) error {
	a, err := s.kb.Article(c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(a)
}

// handleContentErrors lists the problems in content files, for editors.
func (s *Server) handleContentErrors(c *fiber.Ctx) error {
	errs := s.kb.Errors()
	if errs == nil {
		errs = []*kb.ValidationError{}
	}
	return c.JSON(fiber.Map{"errors": errs})
}

// errBadLimit is a ?limit= out of range.
var errBadLimit = errors.New("limit out of range")

// handleReviews lists the questions to review, newest first (?limit=, at
// most 1000, default 100), for editors.
func (s *Server) handleReviews(c *fiber.Ctx) error {
	limit := c.QueryInt("limit", editorReviews)
	if limit < 1 || limit > 1000 {
		return errBadLimit
	}
	reviews, err := s.bot.Reviews(c.UserContext(), limit)
	if err != nil {
		return err
	}
	if reviews == nil {
		reviews = []chat.Review{}
	}
	return c.JSON(fiber.Map{"reviews": reviews})
}

// handleHealth reports liveness and whether the database can write: a
// full disk lets the service read and answer, but loses every turn, so it
// says "degraded" (503) for a monitor to alert on. The cause goes to the
// log, not to the anonymous caller.
func (s *Server) handleHealth(c *fiber.Ctx) error {
	body := fiber.Map{"status": "ok", "articles": len(s.kb.Articles()), "content_errors": len(s.kb.Errors()), "database": "ok"}
	if err := s.bot.CheckWrite(c.UserContext()); err != nil {
		s.logger.Error("health: the database cannot write", "err", err)
		body["status"], body["database"] = "degraded", "cannot write"
		return c.Status(fiber.StatusServiceUnavailable).JSON(body)
	}
	return c.JSON(body)
}

// handleIndex is the demo shop page: the widget embedded as a merchant
// would, and a switch to log in as a demo customer.
func (s *Server) handleIndex(c *fiber.Ctx) error {
	return render(c, fiber.StatusOK, "demo", fiber.Map{"Shop": s.cfg.ShopName, "Customers": s.cfg.DemoCustomers})
}

// handleDemoToken signs a short token for a demo customer, as the shop's
// site would for a logged-in customer. Only demo customers, only in demo
// mode (no merchant order system configured).
func (s *Server) handleDemoToken(c *fiber.Ctx) error {
	for _, id := range s.cfg.DemoCustomers {
		if id.CustomerID == c.Query("customer") {
			return c.JSON(fiber.Map{"token": s.cfg.Tokens.Sign(id, time.Now(), 15*time.Minute)})
		}
	}
	return fiber.ErrNotFound
}

// handleWidget serves widget.js: a stable URL, a short max-age and an ETag,
// so that shops never change their snippet and updates arrive within
// minutes.
func (s *Server) handleWidget(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Set(fiber.HeaderETag, widgetETag)
	c.Set(fiber.HeaderContentType, "application/javascript; charset=utf-8")
	if c.Get(fiber.HeaderIfNoneMatch) == widgetETag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(widget.JS)
}

var widgetETag = fmt.Sprintf(`"%x"`, sha256.Sum256(widget.JS))
