// Package mailertest provides a minimal SMTP server on 127.0.0.1 that
// records the messages it receives, for tests.
package mailertest

import (
	"bufio"
	"net"
	"strings"
	"testing"
)

// NewServer starts the server for the test's duration and returns its
// address and the messages it receives (headers and body).
func NewServer(tb testing.TB) (addr string, messages <-chan string) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	got := make(chan string, 16)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(conn, got)
		}
	}()
	return ln.Addr().String(), got
}

func serve(conn net.Conn, got chan<- string) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(s string) { conn.Write([]byte(s + "\r\n")) }
	say("220 mailertest ESMTP")
	var data strings.Builder
	inData := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if inData {
			if line == ".\r\n" {
				inData = false
				got <- data.String()
				data.Reset()
				say("250 OK")
			} else {
				data.WriteString(line)
			}
			continue
		}
		switch strings.ToUpper(strings.Fields(line + " x")[0]) {
		case "EHLO", "HELO":
			say("250 mailertest")
		case "DATA":
			inData = true
			say("354 go ahead")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("250 OK")
		}
	}
}
