package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/kb"
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

func (s *Server) handleHealth(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok", "articles": len(s.kb.Articles()), "content_errors": len(s.kb.Errors())})
}

// handleIndex describes the service until the demo shop page exists.
func (s *Server) handleIndex(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{
		"service":  "Guichet",
		"message":  "Guichet fonctionne. L’API est décrite dans le README.",
		"articles": len(s.kb.Articles()),
		"api": []string{
			"POST /api/v1/conversations",
			"POST /api/v1/conversations/{id}/messages",
			"GET /api/v1/conversations/{id}",
			"GET /api/v1/articles?q=…",
			"GET /api/v1/articles/{id}",
			"GET /api/v1/content/errors",
			"GET /api/v1/stats",
			"GET /healthz",
		},
	})
}
