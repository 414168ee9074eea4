package server

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/accounts"
)

// sessionCookie holds an agent's, editor's or admin's session token.
const sessionCookie = "guichet_session"

// handleLoginPage shows the login form.
func (s *Server) handleLoginPage(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "login", pageData{Title: "Connexion", Next: safeNext(c.Query("next"))})
}

// handleLogin checks the credentials and opens a session.
func (s *Server) handleLogin(c *fiber.Ctx) error {
	name, next := strings.TrimSpace(c.FormValue("name")), safeNext(c.FormValue("next"))
	token, _, err := s.accounts.Login(name, c.FormValue("password"))
	if errors.Is(err, accounts.ErrBadCredentials) {
		return s.page(c, fiber.StatusUnauthorized, "login", pageData{Title: "Connexion", Name: name, Next: next, Error: msgBadLogin})
	}
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: c.Protocol() == "https", Expires: time.Now().Add(accounts.SessionLife)})
	return c.Redirect(next, fiber.StatusSeeOther)
}

// handleLogout ends the session.
func (s *Server) handleLogout(c *fiber.Ctx) error {
	if err := s.accounts.Logout(c.Cookies(sessionCookie)); err != nil {
		return err
	}
	c.ClearCookie(sessionCookie)
	return c.Redirect("/agent/login", fiber.StatusSeeOther)
}

// requireRole lets through only users whose role allows need; others go to
// the login page (GET) or get a 401/403.
func (s *Server) requireRole(need accounts.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u, err := s.accounts.Session(c.Cookies(sessionCookie))
		if err != nil {
			if c.Method() == fiber.MethodGet && !strings.HasPrefix(c.Path(), "/api/") {
				return c.Redirect("/agent/login?next="+c.OriginalURL(), fiber.StatusSeeOther)
			}
			return fiber.ErrUnauthorized
		}
		if !u.Role.Allows(need) {
			return fiber.ErrForbidden
		}
		c.Locals("user", u)
		return c.Next()
	}
}

// activity records that the agent did something at the console: an agent
// who is active stays available for live chat.
func (s *Server) activity(c *fiber.Ctx) error {
	s.bot.Seen(agentName(c))
	return c.Next()
}

// safeNext keeps a redirect target inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/agent") || strings.HasPrefix(next, "/editor") {
		if !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\\\") {
			return next
		}
	}
	return "/agent"
}
