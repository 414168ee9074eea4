package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestKillNineLosesNoAcknowledgedTurn builds Guichet, drives concurrent
// chat turns at it over HTTP, kills it with SIGKILL in the middle of the
// load, restarts it on the same data dir and checks that every turn it
// had answered with 200 is in its conversation's transcript, and that it
// answers again. It builds and kills the real binary (about 20 s), so
// -short skips it.
func TestKillNineLosesNoAcknowledgedTurn(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := filepath.Join(t.TempDir(), "guichet")
	gocmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if out, err := exec.Command(gocmd, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := t.TempDir()
	base, cmd := startBinary(t, bin, data)

	// 16 customers, each in conversations of their own, from addresses
	// of their own (the chat limit is per client).
	const workers, perWorker = 16, 4
	type turn struct{ conv, text string }
	var (
		mu    sync.Mutex
		acked []turn
		convs []string
		wg    sync.WaitGroup
		stop  = make(chan struct{})
	)
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(url, body, from string) (int, []byte, error) {
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", from)
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		return resp.StatusCode, data, err
	}
	questions := []string{"comment annuler ma commande", "où est mon colis", "quels sont les frais de livraison", "je veux retourner un article"}
	for w := range workers {
		for c := range perWorker {
			from := fmt.Sprintf("10.1.%d.%d", w, c)
			code, body, err := post(base+"/api/v1/conversations", "", from)
			var conv struct{ ID string }
			if err != nil || code != 201 || json.Unmarshal(body, &conv) != nil {
				t.Fatalf("start a conversation: %d %s %v", code, body, err)
			}
			convs = append(convs, conv.ID)
			wg.Add(1)
			go func(id, from string) {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					text := fmt.Sprintf("%s ? essai %s", questions[i%len(questions)], letters(w*1000+c*100+i))
					msg, _ := json.Marshal(map[string]string{"text": text})
					code, _, err := post(base+"/api/v1/conversations/"+id+"/messages", string(msg), from)
					if err != nil {
						return // the service is gone
					}
					if code == 200 {
						mu.Lock()
						acked = append(acked, turn{id, text})
						mu.Unlock()
					} else if code != 429 {
						t.Errorf("turn: status %d", code)
						return
					}
				}
			}(conv.ID, from)
		}
	}
	// Kill it once a few hundred turns are answered, in the middle of the
	// load.
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 300 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d turns answered in 60 s", n)
		}
		time.Sleep(10 * time.Millisecond) // polling, with a deadline
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d turns acknowledged before kill -9", len(acked))

	base, cmd = startBinary(t, bin, data)
	transcripts := map[string]string{}
	for _, id := range convs {
		resp, err := client.Get(base + "/api/v1/conversations/" + id)
		if err != nil {
			t.Fatal(err)
		}
		var conv struct {
			Turns []struct{ Text string }
		}
		err = json.NewDecoder(resp.Body).Decode(&conv)
		resp.Body.Close()
		if resp.StatusCode != 200 || err != nil {
			t.Fatalf("conversation %s after restart: %d %v", id, resp.StatusCode, err)
		}
		var all strings.Builder
		for _, tt := range conv.Turns {
			all.WriteString(tt.Text + "\n")
		}
		transcripts[id] = all.String()
	}
	lost := 0
	for _, a := range acked {
		if !strings.Contains(transcripts[a.conv], a.text+"\n") {
			lost++
			if lost <= 5 {
				t.Errorf("acknowledged turn lost: %q in %s", a.text, a.conv)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged turns lost", lost, len(acked))
	}
	// The service answers again, in an old conversation and a new one.
	if code, body, err := post(base+"/api/v1/conversations/"+convs[0]+"/messages", `{"text":"où est mon colis ?"}`, "10.2.0.1"); err != nil || code != 200 {
		t.Errorf("turn after restart: %d %s %v", code, body, err)
	}
	if code, body, err := post(base+"/api/v1/conversations", "", "10.2.0.2"); err != nil || code != 201 {
		t.Errorf("new conversation after restart: %d %s %v", code, body, err)
	}
	_ = cmd
}

// startBinary starts Guichet on data and returns its base URL once it
// answers /healthz; it is killed when the test ends.
func startBinary(t *testing.T, bin, data string) (string, *exec.Cmd) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var logs bytes.Buffer
	cmd := exec.Command(bin, "-addr", addr, "-data", data, "-trusted-proxies", "127.0.0.1/32")
	cmd.Env = append(os.Environ(), "GUICHET_LOG_LEVEL=error")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base, cmd
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Guichet did not answer /healthz in 60 s: %v\n%s", err, logs.String())
		}
		time.Sleep(20 * time.Millisecond) // polling, with a deadline
	}
}

// letters spells n in lowercase letters, so that each message is told
// apart without digits (which the transcript would mask as personal).
func letters(n int) string {
	s := ""
	for {
		s = string(rune('a'+n%26)) + s
		n /= 26
		if n == 0 {
			return s
		}
	}
}
