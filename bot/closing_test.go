package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// tickAt moves the clock and runs Tick and the relay.
func (w *world) tickAt(t time.Time) {
	w.t.Helper()
	w.clk.Set(t)
	_, err := w.svc.Tick(w.ctx)
	w.must("tick", err)
	w.deliver()
}

// TestClosingThroughLark (S4): HR's 结束考核 lists who is missing, at which
// step and with whom, and offers 催办 instead of closing; a forged close is
// refused with the same names. After the appraisal's deadline HR gets the
// list by itself, with 查看进度 and 一键催办. When the last step is done,
// Tick closes the appraisal: HR is told, the committee gets its card, and
// the 全部考核审核已完成 card's button answers that it is closed. After
// 公示 HR is told when it ends, and when the period is settled, with the
// 已报送备案 button.
func TestClosingThroughLark(t *testing.T) {
	t.Parallel()
	loc := calendar.DefaultLocation()
	w := newSchemeWorld(t, "cli_closing", "s4", time.Date(2026, 10, 9, 9, 0, 0, 0, loc), nil)
	ctx := w.ctx
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科", HR: true},
		{ID: "ou_head", Name: "局长", Committee: true},
		{ID: "ou_c1", Name: "委员甲", Committee: true},
		{ID: "ou_s1", Name: "副局长"},
		{ID: "ou_l1", Name: "科长", Unit: "u1"},
	}
	staff := []string{"ou_e01", "ou_e02", "ou_e03"}
	for i, id := range staff {
		people = append(people, workflow.Person{ID: id, Name: fmt.Sprintf("干部%02d", i+1), Unit: "u1", Group: "u1", Assessed: true})
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.sim.MustAddChat(larksim.Chat{ChatID: publicChat, Type: "group", Name: "公示群", Members: []string{"ou_hr"}, BotMember: true})
	w.must("setup", w.svc.Setup(ctx, "ou_hr", workflow.Settings{Name: "某局", Head: "ou_head", PublicChats: []string{publicChat}},
		[]workflow.Unit{{ID: "u1", Name: "综合科", Leader: "ou_l1", Supervisor: "ou_s1"}}, people))
	const q = "2026-Q3"
	_, err := w.svc.OpenPeriod(ctx, "ou_hr", q)
	w.must("open", err)
	cp := calendar.MustParsePeriod(q)
	for _, p := range staff {
		for wk := calendar.PeriodContaining(calendar.Week, cp.Start()); !wk.Start().After(cp.End()); wk = wk.Next() {
			if cp.Contains(wk.Start().AddDays(3)) {
				w.must("weekly", w.svc.Submit(ctx, p, workflow.EntryInput{Kind: workflow.EntryWeekly, Period: wk.String(),
					Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "日常工作", Progress: 100}}}}))
			}
		}
		w.must("summary", w.svc.Submit(ctx, p, workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: q, Body: workflow.EntryBody{Summary: "完成本职工作"}}))
	}
	act := func(person string) workflow.Step {
		t.Helper()
		st := pendingStep(t, w, person)
		a := workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove}
		if st.Index == 0 {
			a.Assessment = assessment(map[string]string{"ou_e01": "15", "ou_e02": "10", "ou_e03": "3"}[person]) // 100, 95, 88
		}
		w.must("act", w.svc.Act(ctx, st.Assignee, a))
		return st
	}
	for _, p := range staff[:2] {
		act(p)
		act(p)
		act(p)
	}
	act("ou_e03") // 初评; 审定 waits with the 副局长
	w.deliver()
	st := pendingStep(t, w, "ou_e03")
	missing := "干部03：审定（副局长，" + st.Due.String() + "截止）"

	// 结束考核 lists who is missing and offers 催办, not closing.
	_, err = w.sim.SendText(ctx, "ou_hr", "", "结束考核")
	w.must("send text", err)
	w.deliver()
	cl := w.lastCard("ou_hr", "结束考核：")
	if !strings.Contains(cl.Content, missing) || !strings.Contains(cl.Content, card.KindChase) || strings.Contains(cl.Content, card.KindClosePeriod) {
		t.Errorf("closing card: %s", cl.Content)
	}
	p, err := w.svc.Period(ctx, q)
	w.must("period", err)
	r, err := w.sim.ClickCard(ctx, cl.MessageID, "ou_hr", map[string]any{"k": card.KindClosePeriod, "id": q, "v": p.Version}, nil)
	w.must("forged close", err)
	if r.Toast == nil || !strings.Contains(r.Toast.Content, "尚不能办理：考核审核未齐（"+missing) {
		t.Errorf("closing with a step pending: %+v", r.Toast)
	}

	// After the deadline HR hears it by itself.
	due := w.svc.AppraisalDue(p)
	w.tickAt(w.cal.At(due, 20, 0))
	w.tickAt(w.cal.At(w.cal.AddWorkdays(due, 1), 9, 0))
	od := w.lastCard("ou_hr", "考核审核未完成：1人")
	if !strings.Contains(od.Content, missing) {
		t.Errorf("overdue card: %s", od.Content)
	}
	if r := w.click(od.MessageID, "ou_hr", "btn_1", nil); r.Toast == nil || r.Toast.Type == "error" { // 一键催办
		t.Errorf("一键催办: %+v", r.Toast)
	}
	if r := w.click(od.MessageID, "ou_hr", "btn_2", nil); !strings.Contains(string(r.Card), "chart") {
		t.Errorf("查看进度 did not answer with the progress card: %s", r.Card)
	}

	// The last steps: Tick closes the appraisal by itself.
	act("ou_e03")
	act("ou_e03")
	w.deliver()
	ready := w.lastCard("ou_hr", "全部考核审核已完成")
	if p, _ := w.svc.Period(ctx, q); p.State != workflow.PeriodOpen {
		t.Fatalf("closed before Tick: %s", p.State)
	}
	w.tickAt(w.clk.Now().Add(30 * time.Minute))
	if p, _ := w.svc.Period(ctx, q); p.State != workflow.PeriodCommittee {
		t.Fatalf("period %s after Tick, want committee", p.State)
	}
	if m := w.lastCard("ou_hr", "考核已自动结束"); !strings.Contains(m.Content, "参加考核：3人") {
		t.Errorf("HR's notice: %s", m.Content)
	}
	late, err := w.sim.ClickButton(ctx, ready.MessageID, "ou_hr", "btn_1", nil)
	w.must("click ready", err)
	if late.Toast == nil || late.Toast.Type != "error" || !strings.Contains(late.Toast.Content, "已提交考核委员会审定") {
		t.Errorf("the ready card's button after Tick closed it: %+v", late.Toast)
	}
	cm := w.committeeCard("ou_c1", "请确认考核等次")
	if r := w.click(cm.MessageID, "ou_c1", "confirm", nil); !strings.Contains(string(r.Card), "已确认等次") {
		t.Fatalf("confirm: %s", r.Card)
	}

	// 公示 and its windows.
	_, err = w.sim.SendText(ctx, "ou_hr", "", "公示 2026-Q3")
	w.must("send text", err)
	w.deliver()
	p, err = w.svc.Period(ctx, q)
	w.must("period", err)
	w.tickAt(w.cal.At(p.PublicityEnd.AddDays(1), 7, 0)) // quiet hours
	for _, m := range w.sim.MessagesTo("ou_hr") {
		if strings.Contains(m.Content, "公示期已结束") {
			t.Errorf("HR told in the quiet hours: %s", m.Content)
		}
	}
	w.tickAt(w.cal.At(w.cal.AddWorkdays(p.PublicityEnd, 1), 9, 0))
	if m := w.lastCard("ou_hr", "公示期已结束"); !strings.Contains(m.Content, "复核申请期至"+p.ReviewEnd.String()) {
		t.Errorf("publicity ended: %s", m.Content)
	}
	w.tickAt(w.cal.At(w.cal.AddWorkdays(p.ReviewEnd, 1), 9, 0))
	settled := w.lastCard("ou_hr", "考核结果已确定")
	if r := w.click(settled.MessageID, "ou_hr", "btn_1", nil); !strings.Contains(string(r.Card), "已记录报送") {
		t.Errorf("已报送备案: %s", r.Card)
	}
	if p, _ := w.svc.Period(ctx, q); p.FiledAt.IsZero() {
		t.Error("not filed")
	}
}
