package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/accounts"
	"github.com/guichet/guichet/chat"
)

// The control socket. bbolt lets one process at a time open the data
// file, so administration commands (users, backup) cannot open it while
// Guichet serves. Instead the running Guichet answers them on a Unix socket
// in its data dir, readable by the data dir's owner only; when no Guichet
// runs, the command opens the file itself and answers on the same socket
// for the time of the command. Either way one code path does the work.
const controlSocket = "guichet.sock"

// control answers administration commands over HTTP on the socket.
type control struct {
	db    *bbolt.DB
	users *accounts.Store
	bot   *chat.Bot
	srv   *http.Server
	path  string
}

// startControl listens on the data dir's socket. The caller holds the
// bbolt lock, so a socket file left there is stale.
func startControl(dataDir string, db *bbolt.DB, users *accounts.Store, bot *chat.Bot) (*control, error) {
	c := &control{db: db, users: users, bot: bot, path: filepath.Join(dataDir, controlSocket)}
	_ = os.Remove(c.path)
	ln, err := net.Listen("unix", c.path)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(c.path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /backup", c.handleBackup)
	mux.HandleFunc("GET /users", c.handleUsers)
	mux.HandleFunc("POST /users", c.handleUserAdd)
	mux.HandleFunc("POST /users/{name}/{action}", c.handleUserAction)
	mux.HandleFunc("DELETE /users/{name}", c.handleUserDelete)
	mux.HandleFunc("POST /forget", c.handleForget)
	c.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go c.srv.Serve(ln)
	return c, nil
}

// close stops answering and removes the socket.
func (c *control) close() error {
	err := c.srv.Close()
	_ = os.Remove(c.path)
	return err
}

// handleBackup writes a consistent copy of the bbolt file: one read
// transaction, which does not stop the chat from writing meanwhile.
func (c *control) handleBackup(w http.ResponseWriter, r *http.Request) {
	// A failure midway cannot change the status any more: the client
	// sees a copy shorter than Content-Length and says so.
	_ = c.db.View(func(tx *bbolt.Tx) error {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(tx.Size(), 10))
		_, err := tx.WriteTo(w)
		return err
	})
}

func (c *control) handleUsers(w http.ResponseWriter, r *http.Request) {
	users, err := c.users.Users()
	if err != nil {
		controlError(w, err)
		return
	}
	json.NewEncoder(w).Encode(users)
}

// userRequest is the body of the commands that take a user or a password.
type userRequest struct {
	Name     string        `json:"name"`
	Role     accounts.Role `json:"role"`
	Password string        `json:"password"`
}

func (c *control) handleUserAdd(w http.ResponseWriter, r *http.Request) {
	var req userRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "requête illisible", http.StatusBadRequest)
		return
	}
	controlError(w, c.users.Add(req.Name, req.Role, req.Password))
}

func (c *control) handleUserAction(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var err error
	switch r.PathValue("action") {
	case "disable":
		err = c.users.SetDisabled(name, true)
	case "enable":
		err = c.users.SetDisabled(name, false)
	case "revoke":
		err = c.users.Revoke(name)
	case "password":
		var req userRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "requête illisible", http.StatusBadRequest)
			return
		}
		err = c.users.SetPassword(name, req.Password)
	default:
		http.NotFound(w, r)
		return
	}
	controlError(w, err)
}

func (c *control) handleUserDelete(w http.ResponseWriter, r *http.Request) {
	controlError(w, c.users.Delete(r.PathValue("name")))
}

// forgetRequest asks for what is held about a customer, erased or not.
type forgetRequest struct {
	Email string `json:"email"`
	Erase bool   `json:"erase"`
}

func (c *control) handleForget(w http.ResponseWriter, r *http.Request) {
	var req forgetRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "requête illisible", http.StatusBadRequest)
		return
	}
	ex, err := c.bot.Forget(r.Context(), req.Email, req.Erase)
	if err != nil {
		controlError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(ex)
}

// controlError answers err in French for the administrator, or 204.
func controlError(w http.ResponseWriter, err error) {
	var inv *accounts.InvalidError
	var fe *chat.FormError
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.As(err, &inv):
		http.Error(w, inv.Message, http.StatusBadRequest)
	case errors.As(err, &fe):
		http.Error(w, fe.Fields["email"], http.StatusBadRequest)
	case errors.Is(err, accounts.ErrExists):
		http.Error(w, "cet utilisateur existe déjà", http.StatusConflict)
	case errors.Is(err, accounts.ErrNotFound):
		http.Error(w, "aucun utilisateur de ce nom", http.StatusNotFound)
	default:
		http.Error(w, "erreur interne : "+err.Error(), http.StatusInternalServerError)
	}
}

// withControl runs f with a client of the data dir's control socket: the
// running Guichet's, or, when none runs, one this command serves itself
// for the time of f.
func withControl(dataDir string, f func(*controlClient) error) error {
	path := filepath.Join(dataDir, controlSocket)
	client := &controlClient{http: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}}
	if conn, err := net.Dial("unix", path); err == nil {
		conn.Close()
		return f(client)
	} else if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("joindre le Guichet en marche (%s) : %w", path, err)
	}
	db, err := openDB(dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	// The commands touch no article: the bot needs no knowledge base.
	ctl, err := startControl(dataDir, db, accounts.New(db, accounts.Options{}), chat.New(nil, db, chat.Options{}))
	if err != nil {
		return err
	}
	defer ctl.close()
	return f(client)
}

// controlClient speaks to the control socket.
type controlClient struct{ http *http.Client }

// do sends a command; body, when not nil, goes as JSON. A refusal comes
// back as an error with the server's French message.
func (c *controlClient) do(method, path string, body any) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = strings.NewReader(string(data))
	}
	req, err := http.NewRequest(method, "http://guichet"+path, r)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("socket de contrôle : %w", err)
	}
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		return nil, errors.New(strings.TrimSpace(string(msg)))
	}
	return resp, nil
}

// run sends a command whose answer has no body.
func (c *controlClient) run(method, path string, body any) error {
	resp, err := c.do(method, path, body)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
