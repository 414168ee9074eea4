package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/gofiber/fiber/v2"
)

// helloCommand runs the yardstick: "guichet-load hello".
const helloCommand = "hello"

// serveHello serves the yardstick until killed: a minimal Fiber app that
// answers the chat message route with a small JSON reply, with Fiber's
// defaults and no middleware. It prints its URL first, and stops on SIGTERM.
func serveHello(stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Post("/api/v1/conversations/:id/messages", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"outcome": "answer", "text": "Bonjour !"})
	})
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	go func() {
		<-ctx.Done()
		app.Shutdown()
	}()
	return app.Listener(ln)
}
