package bot_test

import (
	"strings"
	"testing"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestSanctionTermInChat: HR records a 记过 on the person card with its
// term. Without a start or an end, or with the end before the start, the
// form says what is missing; saved, the card shows the term and the
// leader's scoring card for 2026-Q3 says what it means. Moved so it ended
// before the quarter, it stays on the person's record but the scoring
// card says the quarter is graded as usual.
func TestSanctionTermInChat(t *testing.T) {
	w := newPeopleWorld(t, "cli_sanction")
	status := func(start, end string) map[string]any {
		fv := map[string]any{card.FieldProbation: "no", card.FieldInvestigation: "no", card.FieldSanction: "记过",
			card.FieldExempt: "no", card.FieldStatusReason: "区纪委处分决定〔2026〕3号"}
		if start != "" {
			fv[card.FieldSanctionStart] = start + " +0800"
		}
		if end != "" {
			fv[card.FieldSanctionEnd] = end + " +0800"
		}
		return fv
	}
	for _, tc := range []struct{ start, end, toast string }{
		{"", "2027-05-31", "处分开始日期"},
		{"2026-06-01", "", "处分期满日期"},
		{"2026-06-01", "2026-05-31", "不能早于开始日期"},
	} {
		c := w.personCard("ou_hr", "ou_e1", "孙一")
		r, err := w.sim.ClickButton(w.ctx, c.MessageID, "ou_hr", "save_status", status(tc.start, tc.end))
		w.must("save", err)
		if r.Toast == nil || r.Toast.Type != "error" || !strings.Contains(r.Toast.Content, tc.toast) {
			t.Errorf("%s–%s: toast %+v, want %q", tc.start, tc.end, r.Toast, tc.toast)
		}
	}
	if p := w.person("ou_e1"); p.Status.Sanction != "" {
		t.Fatalf("a refused form saved %+v", p.Status)
	}
	scoring := func() string {
		t.Helper()
		w.say("ou_l1", "待办")
		todo := w.lastCard("ou_l1", "我的待办")
		r := w.click(todo.MessageID, "ou_l1", larksim.RowButton([]byte(todo.Content), "孙一"), nil)
		return string(r.Card)
	}

	c := w.personCard("ou_hr", "ou_e1", "孙一")
	r := w.click(c.MessageID, "ou_hr", "save_status", status("2026-06-01", "2027-05-31"))
	if !strings.Contains(string(r.Card), "受记过处分（2026-06-01 至 2027-05-31）") {
		t.Errorf("the person card does not show the term: %s", r.Card)
	}
	if p := w.person("ou_e1"); p.Status.SanctionEnd != calendar.NewDate(2027, 5, 31) {
		t.Errorf("saved %+v", p.Status)
	}
	if got := scoring(); !strings.Contains(got, "受记过处分（2026-06-01 至 2027-05-31）：处分期间不确定等次") {
		t.Errorf("scoring card under the sanction: %s", got)
	}

	c = w.personCard("ou_hr", "ou_e1", "孙一")
	w.click(c.MessageID, "ou_hr", "save_status", status("2025-07-01", "2026-06-30"))
	if got := scoring(); !strings.Contains(got, "受记过处分（2025-07-01 至 2026-06-30）：处分期不在本期，本期照常评定等次") {
		t.Errorf("scoring card after the sanction ended: %s", got)
	}
	c = w.personCard("ou_hr", "ou_e1", "孙一")
	if !strings.Contains(c.Content, "受记过处分（2025-07-01 至 2026-06-30，已期满）") {
		t.Errorf("the ended sanction is not on record: %s", c.Content)
	}
}
