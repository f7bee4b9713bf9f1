package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestYearRatingThroughLark (S9 四: 优秀票 ÷ 参加测评总人数): HR opens the
// 年度测评 from the 年度 card with a deadline; each member of the 考核单元
// (and the extra voter HR named) gets the card, opens it and marks whom
// they consider 优秀, and the card becomes the receipt; the unit's
// leader, who rates nobody, gets no card; after the deadline the card is refused with the date.
func TestYearRatingThroughLark(t *testing.T) {
	w, _ := ratersWorld(t, "s9")
	ctx := w.ctx
	_, err := w.sim.SendText(ctx, "ou_hr", "", "年度 2026")
	w.must("send", err)
	w.deliver()
	yc := w.lastCard("ou_hr", "年度测评：未发起")
	r := w.click(yc.MessageID, "ou_hr", "submit", map[string]any{card.YearDueField: "2026-06-26 +0800"})
	if r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("open: toast %+v", r.Toast)
	}
	w.deliver()
	for _, who := range []string{"ou_e1", "ou_e2", "ou_x"} {
		w.lastCard(who, "请参加2026年度测评")
	}
	for _, m := range w.sim.MessagesTo("ou_l1") {
		if strings.Contains(m.Content, "年度测评") {
			t.Errorf("the unit's leader, who rates nobody, was asked: %s", m.Content)
		}
	}
	// ou_e1 opens the card from the notice and marks ou_e2 and ou_e3 优秀.
	n := w.lastCard("ou_e1", "请参加2026年度测评")
	r = w.click(n.MessageID, "ou_e1", "btn_1", nil)
	form := map[string]any{}
	for _, id := range []string{"ou_e2", "ou_e3", "ou_e4", "ou_e5", "ou_e6"} {
		f := card.YearRateField(workflow.SourceExcellent, id)
		if !strings.Contains(string(r.Card), f) {
			t.Fatalf("ou_e1's card lacks %s: %s", id, r.Card)
		}
		form[f] = card.ExcellentNo
	}
	if strings.Contains(string(r.Card), card.YearRateField(workflow.SourceExcellent, "ou_e1")) {
		t.Errorf("ou_e1's card lists ou_e1")
	}
	form[card.YearRateField(workflow.SourceExcellent, "ou_e2")] = card.ExcellentYes
	form[card.YearRateField(workflow.SourceExcellent, "ou_e3")] = card.ExcellentYes
	// Lark shows a private card only to its chat, so a stranger cannot
	// press it here; TestCallbackKinds/year_rate delivers their click.
	if r := w.click(n.MessageID, "ou_e1", "submit", form); r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("ou_e1's rating: toast %+v", r.Toast)
	}
	// The card became the receipt, so there is nothing to press twice here
	// (TestCallbackKinds/year_rate delivers a second click); the form, asked
	// for again, says it is done.
	if c, err := w.svc.YearRatingSheet(ctx, "ou_e1", 2026); err != nil || !c.Rated {
		t.Errorf("ou_e1's sheet after rating: %+v, %v", c, err)
	}
	got := map[string]string{}
	w.must("ballots", w.store.InTx(ctx, func(tx workflow.Tx) error {
		bs, err := tx.YearBallots(ctx, 2026)
		for _, b := range bs {
			got[b.Target] += b.Score.String()
		}
		return err
	}))
	if got["ou_e2"] != "1" || got["ou_e3"] != "1" || got["ou_e4"] != "0" || got["ou_e1"] != "" {
		t.Errorf("ballots by target = %v", got)
	}
	// After the deadline: refused, with the date.
	w.clk.Set(time.Date(2026, 6, 29, 9, 0, 0, 0, calendar.DefaultLocation()))
	n2 := w.lastCard("ou_e2", "请参加2026年度测评")
	w.click(n2.MessageID, "ou_e2", "btn_1", nil)
	f2 := map[string]any{}
	for _, id := range []string{"ou_e1", "ou_e3", "ou_e4", "ou_e5", "ou_e6"} {
		f2[card.YearRateField(workflow.SourceExcellent, id)] = card.ExcellentNo
	}
	late, err := w.sim.ClickButton(ctx, n2.MessageID, "ou_e2", "submit", f2)
	w.must("late click", err)
	if late.Toast == nil || late.Toast.Type != "error" || !strings.Contains(late.Toast.Content, "2026-06-26") {
		t.Errorf("late rating: toast %+v", late.Toast)
	}
}
