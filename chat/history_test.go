package chat

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestHistory(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: monday10()}
	b := New(mustOpenKB(t), mustOpenDB(t, filepath.Join(t.TempDir(), "g.db")), Options{Now: clk.Now})
	// Monday: Camille asks about a parcel, by e-mail request.
	first, _ := b.Start(ctx, nil)
	b.Send(ctx, first.ID, Message{Text: "Mon colis 4581237 n'est toujours pas arrivé"})
	if _, err := b.Handoff(ctx, first.ID, HandoffRequest{Channel: ChannelEmail, Email: "Camille.Martin@exemple.fr", Message: "Toujours rien."}); err != nil {
		t.Fatal(err)
	}
	b.TakeOver(ctx, first.ID, "alice")
	b.CloseCase(ctx, first.ID, "alice", "Suivi de livraison")
	// Tuesday: someone else asks about a refund; Camille phones.
	clk.Add(24 * time.Hour)
	other, _ := b.Start(ctx, nil)
	b.Send(ctx, other.ID, Message{Text: "où en est mon remboursement ?"})
	b.LogContact(ctx, "alice", Contact{Channel: ChannelPhone, Customer: "camille.martin@exemple.fr", Order: "4581237", Reason: "Suivi de livraison", Outcome: "colis retrouvé"})
	// Wednesday: Camille again, same address.
	clk.Add(24 * time.Hour)
	again, _ := b.Start(ctx, nil)
	b.Send(ctx, again.ID, Message{Text: "bonjour, c'est encore pour mon colis"})
	b.Handoff(ctx, again.ID, HandoffRequest{Channel: ChannelEmail, Email: "camille.martin@exemple.fr", Message: "Re."})

	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, paris())
	tests := []struct {
		name string
		q    HistoryQuery
		want []string // conversation ids ("" for the logged contact), newest first
	}{
		{"text, accents ignored", HistoryQuery{Text: "arrive"}, []string{first.ID}},
		{"order number, in words or verified, and the phone call", HistoryQuery{Order: "4581237"}, []string{"", first.ID}},
		{"e-mail", HistoryQuery{Email: "camille.martin@exemple.fr"}, []string{again.ID, "", first.ID}},
		{"contact reason", HistoryQuery{Reason: "Suivi de livraison"}, []string{"", first.ID}},
		{"one day", HistoryQuery{From: monday.AddDate(0, 0, 1), To: monday.AddDate(0, 0, 1)}, []string{"", other.ID}},
		{"nothing", HistoryQuery{Text: "clafoutis"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := b.History(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.Conversation)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			}
		})
	}
	prev, err := b.Previous(ctx, again.ID)
	if err != nil || len(prev) != 1 || prev[0].Conversation != first.ID || prev[0].Reason != "Suivi de livraison" {
		t.Errorf("previous conversations: %+v %v", prev, err)
	}
}
