package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// progressWorld is two units in 2026-Q3 on Wednesday 15 July, when 第27周
// and 第28周 are past due: in 办公室 孙一 filed both weeks and the 季度小结
// (so 科长钱 holds the 初评), 周二 only 第27周, 吴三 nothing; in 业务科
// 郑四 and 冯五 filed nothing.
func progressWorld(t *testing.T, app string) *world {
	t.Helper()
	loc := calendar.DefaultLocation()
	w := newWorld(t, app, time.Date(2026, 7, 1, 9, 0, 0, 0, loc))
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科李", HR: true, Committee: true}, {ID: "ou_head", Name: "局长王", Committee: true},
		{ID: "ou_s1", Name: "副局长赵"}, {ID: "ou_l1", Name: "科长钱", Unit: "u1"}, {ID: "ou_l2", Name: "科长褚", Unit: "u2"},
		{ID: "ou_e1", Name: "孙一", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e2", Name: "周二", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e3", Name: "吴三", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e4", Name: "郑四", Unit: "u2", Group: "u2", Assessed: true},
		{ID: "ou_e5", Name: "冯五", Unit: "u2", Group: "u2", Assessed: true},
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head"}, []workflow.Unit{
		{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_s1"}, {ID: "u2", Name: "业务科", Leader: "ou_l2", Supervisor: "ou_s1"}}, people))
	if _, err := w.svc.OpenPeriod(w.ctx, "ou_hr", "2026-Q3"); err != nil {
		t.Fatal(err)
	}
	w.clk.Set(time.Date(2026, 7, 15, 10, 0, 0, 0, loc))
	week := func(who, wk string) {
		w.must("weekly", w.svc.Submit(w.ctx, who, workflow.EntryInput{Kind: workflow.EntryWeekly, Period: wk,
			Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "日常工作", Progress: 100}}}}))
	}
	week("ou_e1", "2026-W27")
	week("ou_e1", "2026-W28")
	week("ou_e2", "2026-W27")
	w.must("summary", w.svc.Submit(w.ctx, "ou_e1", workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: "2026-Q3",
		Body: workflow.EntryBody{Summary: "完成年度预算编制\n参加培训"}}))
	w.deliver()
	return w
}

// TestProgressThroughLark: HR's 进度 shows every item per unit with its
// charts and table, who is late with what, and who holds each step; its
// 催办 reminds the late once a day and 刷新 redraws it; an employee is
// refused in Chinese and audited once.
func TestProgressThroughLark(t *testing.T) {
	t.Parallel()
	w := progressWorld(t, "cli_progress")
	say := func(from, text string) {
		t.Helper()
		_, err := w.sim.SendText(w.ctx, from, "", text)
		w.must("send "+text, err)
		w.deliver()
	}
	say("ou_hr", "进度")
	prog := w.lastCard("ou_hr", "考核进度")
	for _, want := range []string{
		`"tag":"chart"`, `"tag":"table"`, "各事项完成情况", "各单位总体完成率",
		"**周记实**：已完成3/10（30%）", "逾期7", // 5 people × 2 weeks
		"**初评**：已完成0/1（0%）",
		`"c0":"3/6（逾期3）"`, `"c0":"0/4（逾期4）"`, // 办公室, 业务科
		"周二（办公室） 周记实 2026年第28周", "吴三（办公室） 周记实 2026年第27周、周记实 2026年第28周",
		"初评 · 孙一（办公室）：待科长钱审核", "一键催办逾期人员",
	} {
		if !strings.Contains(prog.Content, want) {
			t.Errorf("progress card lacks %q:\n%s", want, prog.Content)
		}
	}
	if strings.Contains(prog.Content, "孙一（办公室） 周记实") {
		t.Errorf("孙一 filed both weeks but is listed late:\n%s", prog.Content)
	}
	// 催办: the four people late get a reminder per late week (seven
	// reminders), once today; the toast counts the people.
	r := w.click(prog.MessageID, "ou_hr", "chase", nil)
	if r.Toast == nil || r.Toast.Content != "已向4人发送催办提醒" {
		t.Errorf("chase toast = %+v", r.Toast)
	}
	w.deliver()
	for _, who := range []string{"ou_e2", "ou_e3", "ou_e4", "ou_e5"} {
		w.lastCard(who, "周记实")
	}
	if r := w.click(prog.MessageID, "ou_hr", "chase", nil); r.Toast == nil || !strings.Contains(r.Toast.Content, "没有需要催办的人员") {
		t.Errorf("chase again = %+v", r.Toast)
	}
	// 刷新 after 周二 filed 第28周.
	w.must("weekly", w.svc.Submit(w.ctx, "ou_e2", workflow.EntryInput{Kind: workflow.EntryWeekly, Period: "2026-W28",
		Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "日常工作", Progress: 100}}}}))
	r = w.click(prog.MessageID, "ou_hr", "refresh", nil)
	if c := string(r.Card); !strings.Contains(c, "**周记实**：已完成4/10") || strings.Contains(c, "周二（办公室）") {
		t.Errorf("refreshed card:\n%s", c)
	}

	// An employee may not see it; nor is a period that does not exist.
	before := len(w.auditRows())
	say("ou_e2", "进度")
	if m := w.lastCard("ou_e2", "无法办理"); !strings.Contains(m.Content, "无权") {
		t.Errorf("an employee's 进度: %s", m.Content)
	}
	denied := 0
	for _, row := range w.auditRows()[before:] {
		if row.Denied {
			denied++
		}
	}
	if denied != 1 {
		t.Errorf("%d denials audited for the employee's 进度, want 1", denied)
	}
	say("ou_hr", "进度 2031-Q1")
	w.lastCard("ou_hr", "无法办理")
}
