package chat

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/guichet/guichet/reports"
)

// TestTurnWritesFewPages checks what a turn in a conversation under way
// costs the disk: its record in the transcript and the pages every commit
// writes, not the conversation's own record, its entry in the time index
// nor the reports' state of it, which that turn leaves as they were.
func TestTurnWritesFewPages(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: monday10().Add(time.Minute)}
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "g.db"))
	b := New(mustOpenKB(t), db, Options{Now: clock.Now, Reports: reports.New(db, reports.Options{Now: clock.Now})})
	defer b.Close()
	// Enough conversations that each bucket spans several pages.
	var ids []string
	for i := range 150 {
		c, err := b.Start(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		mustSend(t, b, c.ID, Message{Text: fmt.Sprintf("bonjour, je voudrais suivre ma commande n°%d", 4581000+i)})
	}
	id := ids[len(ids)/2]
	r := mustSend(t, b, id, Message{Text: "bonjour"})
	clock.Add(time.Minute)
	roots := func() map[string]uint64 {
		out := map[string]uint64{}
		db.View(func(tx *bbolt.Tx) error {
			return tx.ForEach(func(name []byte, bk *bbolt.Bucket) error {
				out[string(name)] = uint64(bk.Root())
				return nil
			})
		})
		return out
	}
	before, stats := roots(), db.Stats().TxStats
	if again := mustSend(t, b, id, Message{Text: "bonjour"}); again.Outcome != r.Outcome {
		t.Fatalf("outcome %s then %s: the test wants the same twice", r.Outcome, again.Outcome)
	}
	st := db.Stats().TxStats
	after, pages := roots(), st.GetPageCount()-stats.GetPageCount()
	for _, name := range []string{"chat_conversations", "chat_updated", "chat_customers", "report_conversations"} {
		if before[name] == 0 || before[name] != after[name] {
			t.Errorf("%s: root page %d, then %d: want it left alone", name, before[name], after[name])
		}
	}
	if before["chat_turns"] == after["chat_turns"] {
		t.Error("chat_turns: the turn was not written")
	}
	t.Logf("pages written by the turn: %d", pages)
	if pages > 7 {
		t.Errorf("the turn wrote %d pages, want 7 at most", pages)
	}
	// The conversation reads as it was written.
	conv, err := b.Conversation(ctx, id)
	if err != nil || len(conv.Turns) != 3 || !conv.Updated.Equal(clock.Now()) {
		t.Fatalf("conversation: %+v, %v", conv, err)
	}
}
