package chat

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestLiveChat(t *testing.T) {
	ctx := context.Background()
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{Now: monday10})
	conv, _ := b.Start(ctx, nil)

	r, _ := b.Send(ctx, conv.ID, Message{Text: "je veux parler à un conseiller"})
	if slices.Contains(channelIDs(r), ChannelLiveChat) {
		t.Fatal("live chat offered with no agent at the console")
	}
	if _, err := b.Handoff(ctx, conv.ID, HandoffRequest{Channel: ChannelLiveChat}); err == nil {
		t.Fatal("live chat accepted with no agent")
	}
	disconnect := b.Connect("alice")
	defer disconnect()
	r, _ = b.Send(ctx, conv.ID, Message{Text: "un conseiller svp"})
	if channelIDs(r)[0] != ChannelLiveChat {
		t.Fatalf("channels with an agent online: %v", channelIDs(r))
	}
	customer, stop := b.Subscribe(conv.ID, false)
	defer stop()
	if _, err := b.Handoff(ctx, conv.ID, HandoffRequest{Channel: ChannelLiveChat}); err != nil {
		t.Fatal(err)
	}
	// While waiting, the customer's words go to the agent, not to the bot.
	r, err := b.Send(ctx, conv.ID, Message{Text: "c'est pour un remboursement"})
	if err != nil || r.Outcome != OutcomeRelayed || r.Text != "" {
		t.Fatalf("message while waiting: %+v %v", r, err)
	}
	if err := b.TakeOver(ctx, conv.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := b.AgentReply(ctx, conv.ID, "alice", "Bonjour, je suis Alice. Je regarde votre remboursement."); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(2 * time.Second)
	for got := false; !got; {
		select {
		case e := <-customer:
			got = e.Type == "message" && e.From == "agent" && e.Agent == "Alice"
		case <-deadline:
			t.Fatal("the agent's message did not reach the customer")
		}
	}
	if err := b.CloseCase(ctx, conv.ID, "alice", "pas une raison"); !errors.Is(err, ErrBadReason) {
		t.Errorf("close without a known reason: %v", err)
	}
	if err := b.CloseCase(ctx, conv.ID, "alice", "Remboursement"); err != nil {
		t.Fatal(err)
	}
	cases, _ := b.Cases(ctx)
	if len(cases) != 1 || cases[0].State != CaseClosed || cases[0].Reason != "Remboursement" || cases[0].Channel != ChannelLiveChat {
		t.Errorf("cases = %+v", cases)
	}
	// Back to the bot.
	if r, _ := b.Send(ctx, conv.ID, Message{Text: "comment faire un retour"}); r.Outcome != OutcomeAnswer {
		t.Errorf("after closing: %s, want the bot again", r.Outcome)
	}
	got, _ := b.Conversation(ctx, conv.ID)
	var agentTurns int
	for _, tr := range got.Turns {
		if tr.From == "agent" {
			agentTurns++
		}
	}
	if agentTurns != 1 {
		t.Errorf("%d agent turns in the transcript, want 1", agentTurns)
	}
	b.Close()
	if _, ok := <-customer; ok {
		// drain: Close must end the stream
		for range customer {
		}
	}
}
