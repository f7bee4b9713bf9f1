package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestMonthlyDraftFromReminder: on the 月小结's last day the person opens
// the card from the reminder and finds it drafted from March's 周记实:
// the goals, each task's state with its dates, and a row for the task
// still unfinished. Submitted untouched it is refused (the row has no
// reason); with the row cleared the service refuses it naming the task;
// with a reason it is taken.
func TestMonthlyDraftFromReminder(t *testing.T) {
	t.Parallel()
	loc := calendar.DefaultLocation()
	w := newWorldWith(t, "cli_monthly_draft", time.Date(2026, 3, 30, 8, 0, 0, 0, loc), func(c *workflow.Config) {
		c.Plans = map[string][]workflow.Nudge{"monthly": {{Stage: workflow.StageDue, Hour: 9}}, "weekly": {}, "summary": {}, "vote": {}}
	})
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科李", HR: true}, {ID: "ou_head", Name: "局长王"},
		{ID: "ou_l1", Name: "科长钱", Unit: "u1"},
		{ID: "ou_e1", Name: "孙一", Unit: "u1", Group: "u1", Assessed: true},
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_head"}}, people))
	if _, err := w.svc.OpenPeriod(w.ctx, "ou_hr", "2026-Q1"); err != nil {
		t.Fatal(err)
	}
	d := calendar.MustParseDate
	for _, wk := range []struct {
		week  string
		tasks []workflow.Task
	}{
		{"2026-W10", []workflow.Task{{Title: "整理机关档案", Deadline: d("2026-03-04"), Progress: 50}, {Title: "起草一季度工作总结", Deadline: d("2026-03-13"), Progress: 50}}},
		{"2026-W11", []workflow.Task{{Title: "整理机关档案", Deadline: d("2026-03-04"), Progress: 100}, {Title: "起草一季度工作总结", Deadline: d("2026-03-13"), Progress: 100}}},
		{"2026-W12", []workflow.Task{{Title: "机关档案数字化", Deadline: d("2026-03-25"), Progress: 25}}},
		{"2026-W13", []workflow.Task{{Title: "机关档案数字化", Deadline: d("2026-03-25"), Progress: 50}, {Title: "配合开展专项督查", Deadline: d("2026-09-30"), Progress: 25}}},
	} {
		w.must("weekly "+wk.week, w.svc.Submit(w.ctx, "ou_e1", workflow.EntryInput{Kind: workflow.EntryWeekly, Period: wk.week,
			Body: workflow.EntryBody{Tasks: wk.tasks, Presence: workflow.PresenceFull}}))
	}

	// 31 March, the last working day: the reminder, and the card it opens.
	w.tickAt(time.Date(2026, 3, 31, 9, 0, 0, 0, loc))
	rem := w.lastCard("ou_e1", "月小结")
	r := w.click(rem.MessageID, "ou_e1", "btn_1", nil)
	form := string(r.Card)
	for _, want := range []string{
		"monthly_form", "生成草稿",
		"1. 整理机关档案（时限 2026-03-04）",
		"整理机关档案：逾期完成（时限 2026-03-04；2026-03-09 至 03-15 当周报告完成）",
		"起草一季度工作总结：已完成（时限 2026-03-13；2026-03-09 至 03-15 当周报告完成）",
		"机关档案数字化：未完成，进度 50%（时限 2026-03-25）",
		"配合开展专项督查：进行中，进度 25%",
		`"default_value":"机关档案数字化"`,
	} {
		if !strings.Contains(form, want) {
			t.Fatalf("the 月小结 opened from the reminder lacks %q:\n%s", want, form)
		}
	}

	// Untouched: the drafted row has no reason (larksim submits the defaults).
	r, err := w.sim.ClickButton(w.ctx, rem.MessageID, "ou_e1", "submit", nil)
	w.must("submit untouched", err)
	if r.Toast == nil || r.Toast.Type != "error" || !strings.Contains(r.Toast.Content, "原因") {
		t.Fatalf("untouched draft: toast %+v", r.Toast)
	}
	// The row cleared: the service names the task left out.
	r, err = w.sim.ClickButton(w.ctx, rem.MessageID, "ou_e1", "submit", map[string]any{card.UnfinishedField(1, card.PartItem): ""})
	w.must("submit without the row", err)
	if r.Toast == nil || r.Toast.Type != "error" || !strings.Contains(r.Toast.Content, "「机关档案数字化」") {
		t.Fatalf("without the unfinished row: toast %+v", r.Toast)
	}
	r = w.click(rem.MessageID, "ou_e1", "submit", map[string]any{card.UnfinishedField(1, card.PartReason): "扫描设备未到位"})
	if r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("with the reason: toast %+v", r.Toast)
	}
	var e workflow.Entry
	w.must("entry", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		e, err = tx.Entry(w.ctx, workflow.EntryKey{Kind: workflow.EntryMonthly, Person: "ou_e1", Period: "2026-03"})
		return err
	}))
	if len(e.Body.Unfinished) != 1 || e.Body.Unfinished[0] != (workflow.Unfinished{Item: "机关档案数字化", Reason: "扫描设备未到位"}) ||
		!strings.Contains(e.Body.Completion, "逾期完成") {
		t.Errorf("saved %+v", e.Body)
	}
}
