package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestDelegateInChat: a leader delegates by command, naming the delegate
// with an @mention as Lark sends it; both are told; 委托 lists it with a
// button that ends it early, and both are told again. An employee cannot
// delegate, and a malformed command gets the usage in Chinese.
func TestDelegateInChat(t *testing.T) {
	loc := calendar.DefaultLocation()
	w := newWorld(t, "cli_delegate", time.Date(2026, 10, 13, 10, 0, 0, 0, loc))
	ctx := w.ctx
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科李", HR: true, Committee: true}, {ID: "ou_head", Name: "局长王", Committee: true},
		{ID: "ou_s1", Name: "副局长赵"}, {ID: "ou_l1", Name: "科长钱", Unit: "u1"},
		{ID: "ou_e1", Name: "孙一", Unit: "u1", Group: "u1", Assessed: true},
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_s1"}}, people))
	say := func(from, text string, mentions ...string) {
		t.Helper()
		_, err := w.sim.SendText(ctx, from, "", text, mentions...)
		w.must("send "+text, err)
		w.deliver()
	}

	say("ou_e1", "委托 @_user_1 2026-10-14 2026-10-20 休假", "ou_l1")
	if m := w.lastCard("ou_e1", "无法办理"); !strings.Contains(m.Content, "只有负责考核审核的领导") {
		t.Errorf("an employee delegating: %s", m.Content)
	}
	say("ou_l1", "委托 赵 2026-10-14 2026-10-20 出差")
	if m := w.lastCard("ou_l1", "无法办理"); !strings.Contains(m.Content, "请用 @ 选择代办人") {
		t.Errorf("no mention: %s", m.Content)
	}
	say("ou_l1", "委托 @_user_1 10-14 10-20 外出 培训", "ou_s1")
	if m := w.lastCard("ou_l1", "已委托副局长赵代办"); !strings.Contains(m.Content, "2026-10-14 至 2026-10-20") || !strings.Contains(m.Content, "外出 培训") {
		t.Errorf("confirmation: %s", m.Content)
	}
	for _, who := range []string{"ou_l1", "ou_s1"} {
		if m := w.lastCard(who, "考核审核委托"); !strings.Contains(m.Content, "科长钱委托副局长赵") {
			t.Errorf("%s told: %s", who, m.Content)
		}
	}
	ds, err := w.svc.Delegations(ctx, "ou_l1")
	w.must("delegations", err)
	if len(ds) != 1 || !ds[0].Start.Equal(time.Date(2026, 10, 14, 0, 0, 0, 0, loc)) || !ds[0].End.Equal(time.Date(2026, 10, 21, 0, 0, 0, 0, loc)) {
		t.Fatalf("delegations = %+v", ds)
	}

	say("ou_l1", "委托")
	list := w.lastCard("ou_l1", "我的待办")
	if !strings.Contains(list.Content, "委托副局长赵代办") {
		t.Fatalf("list: %s", list.Content)
	}
	r := w.click(list.MessageID, "ou_l1", "todo_1", nil)
	if !strings.Contains(string(r.Card), "已提前结束") {
		t.Fatalf("end early: %s", r.Card)
	}
	w.deliver()
	for _, who := range []string{"ou_l1", "ou_s1"} {
		w.lastCard(who, "考核审核委托已结束")
	}
	// It had not begun: ended, it never takes effect.
	if ds, _ := w.svc.Delegations(ctx, "ou_l1"); len(ds) != 1 || !ds[0].End.Equal(ds[0].Start) {
		t.Errorf("after ending: %+v, want it to end where it starts", ds)
	}
	say("ou_l1", "委托")
	if m := w.lastCard("ou_l1", "我的待办"); strings.Contains(m.Content, "委托副局长赵代办") {
		t.Errorf("the ended delegation is still listed: %s", m.Content)
	}
}
