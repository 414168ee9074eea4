package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/accounts"
)

// sessionCookie holds an agent's, editor's or admin's session token.
const sessionCookie = "guichet_session"

// csrfCookie holds the CSRF token of a visitor not logged in (the login
// form).
const csrfCookie = "guichet_csrf"

// csrf protects the console's forms. With a session, the token is a digest
// of the session token: bound to that session, new at each login, and
// unknowable without the HttpOnly cookie. Before login, it is a random
// value in a cookie that the form must repeat.
func (s *Server) csrf(c *fiber.Ctx) error {
	var token string
	if sess := c.Cookies(sessionCookie); sess != "" {
		sum := sha256.Sum256([]byte("csrf:" + sess))
		token = hex.EncodeToString(sum[:])
	} else if token = c.Cookies(csrfCookie); len(token) != 64 && strings.HasPrefix(c.Path(), "/agent") {
		// Only under the cookie's path: the middleware also sees requests
		// such as the browser's own /favicon.ico, which carry no cookie
		// and must not replace the login form's token.
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return fmt.Errorf("csrf token: %w", err)
		}
		token = hex.EncodeToString(raw)
		c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: token, Path: "/agent", HTTPOnly: true, SameSite: "Strict", Secure: s.secure(c)})
	}
	c.Locals("csrf", token)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if subtle.ConstantTimeCompare([]byte(c.FormValue("_csrf")), []byte(token)) != 1 {
		return fiber.ErrForbidden
	}
	return c.Next()
}

// handleLoginPage shows the login form.
func (s *Server) handleLoginPage(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "login", pageData{Title: "Connexion", Next: safeNext(c.Query("next"))})
}

// handleLogin checks the credentials and opens a session.
func (s *Server) handleLogin(c *fiber.Ctx) error {
	name, next := strings.TrimSpace(c.FormValue("name")), safeNext(c.FormValue("next"))
	token, u, err := s.accounts.Login(name, c.FormValue("password"))
	if errors.Is(err, accounts.ErrBadCredentials) {
		return s.page(c, fiber.StatusUnauthorized, "login", pageData{Title: "Connexion", Name: name, Next: next, Error: msgBadLogin})
	}
	if errors.Is(err, accounts.ErrLocked) {
		return s.page(c, fiber.StatusUnauthorized, "login", pageData{Title: "Connexion", Name: name, Next: next, Error: msgAccountLocked})
	}
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: s.secure(c), Expires: time.Now().Add(accounts.SessionLife)})
	c.ClearCookie(csrfCookie) // from now on the token comes from the session
	return c.Redirect(home(u.Role, next), fiber.StatusSeeOther)
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

// home is where a user lands after login: the page asked for when their
// role opens it, else their role's home (editors write, agents answer).
func home(r accounts.Role, next string) string {
	editorArea := strings.HasPrefix(next, "/editor")
	switch {
	case strings.HasPrefix(next, "/reports"): // every role reads reports (agents their own)
		return next
	case editorArea && r.Allows(accounts.RoleEditor), !editorArea && r.Allows(accounts.RoleAgent):
		return next
	case r.Allows(accounts.RoleEditor):
		return "/editor"
	}
	return "/agent"
}

// safeNext keeps a redirect target inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/agent") || strings.HasPrefix(next, "/editor") || strings.HasPrefix(next, "/reports") {
		if !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\\\") {
			return next
		}
	}
	return "/agent"
}
