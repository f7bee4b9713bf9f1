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

// TestDailyLogThroughLark (S7 日记): on a working day's afternoon the
// reminder brings the 个人工作日志 under the scheme's name; its button opens
// the day's form, the person writes one text and submits, and the entry
// is saved. Sunday brings nothing, the 调休 Saturday does, and a day
// written is off the 待办.
func TestDailyLogThroughLark(t *testing.T) {
	t.Parallel()
	loc := calendar.DefaultLocation()
	w := newSchemeWorld(t, "cli_daily", "s7", time.Date(2026, 10, 9, 9, 0, 0, 0, loc), nil)
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科李", HR: true}, {ID: "ou_head", Name: "镇长王"},
		{ID: "ou_l1", Name: "主任钱", Unit: "u1"},
		{ID: "ou_e1", Name: "孙一", Unit: "u1", Assessed: true},
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "xx镇", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "党政办", Leader: "ou_l1", Supervisor: "ou_head"}}, people))
	if _, err := w.svc.OpenPeriod(w.ctx, "ou_hr", "2026-Q4"); err != nil {
		t.Fatal(err)
	}
	w.deliver()

	// Friday 10-09, 16:30: the day's reminder.
	w.tickAt(time.Date(2026, 10, 9, 16, 31, 0, 0, loc))
	remind := w.lastCard("ou_e1", "请填写今天的个人工作日志")
	if strings.Contains(remind.Content, "周记实") {
		t.Errorf("an S7 reminder mentions 周记实:\n%s", remind.Content)
	}
	r := w.click(remind.MessageID, "ou_e1", larksim.RowButton([]byte(remind.Content), "立即"), nil)
	if !strings.Contains(string(r.Card), `"daily_form"`) || !strings.Contains(string(r.Card), "2026-10-09") {
		t.Fatalf("the reminder's button opened no daily form for 10-09:\n%s", r.Card)
	}
	sub := w.click(remind.MessageID, "ou_e1", "submit", map[string]any{card.FieldLog: "起草防汛方案；走访两个村"})
	if sub.Toast == nil || sub.Toast.Type != "success" {
		t.Fatalf("submit: %+v\n%s", sub.Toast, sub.Card)
	}
	var e workflow.Entry
	w.must("entry", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		e, err = tx.Entry(w.ctx, workflow.EntryKey{Kind: workflow.EntryDaily, Person: "ou_e1", Period: "2026-10-09"})
		return err
	}))
	if e.Body.Log != "起草防汛方案；走访两个村" || e.State != workflow.EntrySubmitted || e.Cycle != "2026-Q4" {
		t.Errorf("saved %+v", e)
	}

	// The 调休 Saturday is a working day; Sunday is not.
	before := len(w.sim.MessagesTo("ou_e1"))
	w.tickAt(time.Date(2026, 10, 10, 16, 31, 0, 0, loc))
	if got := w.sim.MessagesTo("ou_e1"); len(got) != before+1 || !strings.Contains(got[len(got)-1].Content, "2026-10-10") {
		t.Errorf("the 调休 Saturday brought %d messages, want its reminder", len(got)-before)
	}
	before = len(w.sim.MessagesTo("ou_e1"))
	w.tickAt(time.Date(2026, 10, 11, 16, 31, 0, 0, loc))
	if got := len(w.sim.MessagesTo("ou_e1")); got != before {
		t.Errorf("Sunday brought %d messages, want none", got-before)
	}

	// The 待办 lists Saturday's log, not Friday's.
	_, err := w.sim.SendText(w.ctx, "ou_e1", "", "待办")
	w.must("send 待办", err)
	w.deliver()
	todo := w.lastCard("ou_e1", "我的待办")
	if !strings.Contains(todo.Content, "个人工作日志 2026-10-10") || strings.Contains(todo.Content, "2026-10-09") {
		t.Errorf("待办 wants Saturday's log only:\n%s", todo.Content)
	}
}
