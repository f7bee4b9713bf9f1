package bot_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestPublicityReads: the relay records the message of each 公示 it
// delivers, and PublicityReads sets Lark's readers against the
// organisation: who has read it, in order, who has not, and readers from
// outside it. The message id outlives the pruning of idempotency records;
// Lark answers for 7 days, and after that the entry says why.
func TestPublicityReads(t *testing.T) {
	w := newWorld(t, "cli_reads", time.Date(2026, 10, 13, 9, 0, 0, 0, calendar.DefaultLocation()))
	ps := []workflow.Person{{ID: "ou_hr", Name: "政工科", HR: true}, {ID: "ou_a", Name: "甲"}, {ID: "ou_b", Name: "乙"}, {ID: "ou_c", Name: "丙"}}
	for _, p := range append(ps, workflow.Person{ID: "ou_guest", Name: "外单位"}) {
		if _, err := w.sim.AddUser(larksim.User{OpenID: p.ID, Name: p.Name}); err != nil {
			t.Fatal(err)
		}
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_hr", PublicChats: []string{"oc_public"}}, nil, ps))
	w.sim.MustAddChat(larksim.Chat{ChatID: "oc_public", Type: "group", Name: "公示群", BotMember: true,
		Members: []string{"ou_hr", "ou_a", "ou_b", "ou_guest"}})
	if _, err := w.bot.PublicityReads(w.ctx, "2026-Q3"); !errors.Is(err, bot.ErrNoReadReceipts) {
		t.Fatalf("before the 公示 went out: %v, want ErrNoReadReceipts", err)
	}
	w.queue(workflow.Notification{Key: workflow.DedupeKey("pub"), To: "oc_public", Chat: true, Template: workflow.TplPublicity,
		Data: map[string]string{"period": "2026-Q3", "grade": "好", "names": "甲", "count": "1", "until": "2026-10-20", "review_until": "2026-10-28"}})
	w.deliver()
	pub := w.sim.Messages(larksim.MessageFilter{ChatID: "oc_public"})
	if len(pub) != 1 {
		t.Fatalf("%d messages in the group, want the 公示", len(pub))
	}
	for _, id := range []string{"ou_b", "ou_guest", "ou_a"} {
		w.clk.Advance(time.Minute)
		w.must("read", w.sim.Read(id, pub[0].MessageID))
	}
	got, err := w.bot.PublicityReads(w.ctx, "2026-Q3")
	w.must("PublicityReads", err)
	if len(got) != 1 {
		t.Fatalf("%d entries, want the one 公示 message: %+v", len(got), got)
	}
	r := got[0]
	if r.Chat != "oc_public" || r.Grade != "好" || r.MessageID != pub[0].MessageID || r.Err != nil {
		t.Errorf("entry %+v, want oc_public's 好 message %s", r, pub[0].MessageID)
	}
	if strings.Join(r.Read, "、") != "乙、甲" || strings.Join(r.Unread, "、") != "丙、政工科" || r.Others != 1 {
		t.Errorf("read %v, unread %v, others %d; want 乙、甲 (in reading order), 丙、政工科 (丙 is not in the group) and the guest", r.Read, r.Unread, r.Others)
	}
	// Four days on, the idempotency records of the week are pruned (72 h
	// by default); the 公示 still runs, and so do its receipts.
	w.clk.Advance(4 * 24 * time.Hour)
	w.must("prune", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		_, err := tx.Prune(w.ctx, workflow.DefaultRetention.Before(w.clk.Now()), 0)
		return err
	}))
	got, err = w.bot.PublicityReads(w.ctx, "2026-Q3")
	w.must("PublicityReads after a prune", err)
	if len(got) != 1 || got[0].Err != nil || len(got[0].Read) != 2 || got[0].Group != "XX局公示群" {
		t.Fatalf("after 4 days and a prune: %+v, want the same receipts in XX局公示群", got)
	}
	w.clk.Advance(3 * 24 * time.Hour)
	got, err = w.bot.PublicityReads(w.ctx, "2026-Q3")
	w.must("PublicityReads after 7 days", err)
	var ae *bot.APIError
	if len(got) != 1 || !errors.As(got[0].Err, &ae) || ae.Code != larksim.CodeReadUsersTooOld || got[0].Read != nil {
		t.Errorf("after 7 days: %+v, want the entry with Lark's 230033", got)
	}
}
