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

// TestTargetsInChat: an employee types 目标 and proposes two targets by
// card; their leader is told, opens the confirmation card from the notice
// and from 待办, confirms one and then the rest; the employee's card then
// shows both confirmed and by whom, and the weekly form offers them. A
// stranger's clicks, a click on an out-of-date card and a second submission
// of an old proposal card are refused and change nothing.
func TestTargetsInChat(t *testing.T) {
	loc := calendar.DefaultLocation()
	w := newWorld(t, "cli_targets", time.Date(2026, 2, 10, 10, 0, 0, 0, loc))
	ctx := w.ctx
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科李", HR: true, Committee: true}, {ID: "ou_head", Name: "局长王", Committee: true},
		{ID: "ou_s1", Name: "副局长赵"}, {ID: "ou_l1", Name: "科长钱", Unit: "u1"},
		{ID: "ou_e1", Name: "孙一", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e2", Name: "周二", Unit: "u1", Group: "u1", Assessed: true},
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_s1"}}, people))
	say := func(from, text string) {
		t.Helper()
		_, err := w.sim.SendText(ctx, from, "", text)
		w.must("send "+text, err)
		w.deliver()
	}
	refused := func(what string, r *larksim.CardReply, err error, want string) {
		t.Helper()
		if err != nil || r.Toast == nil || r.Toast.Type != "error" || !strings.Contains(r.Toast.Content, want) {
			t.Errorf("%s: %+v, %v; want an error toast with %q", what, r, err, want)
		}
	}
	targets := func() []workflow.Target {
		t.Helper()
		ts, err := w.svc.Targets(ctx, "ou_e1", 2026)
		w.must("targets", err)
		return ts
	}

	say("ou_e1", "目标")
	own := w.lastCard("ou_e1", "2026年度工作目标")
	if !strings.Contains(own.Content, "尚未填报") {
		t.Fatalf("empty targets card: %s", own.Content)
	}
	r := w.click(own.MessageID, "ou_e1", "submit", map[string]any{
		card.TargetField(1, card.PartTitle): "起草年度工作报告", card.TargetField(1, card.PartQuantity): "1份",
		card.TargetField(1, card.PartStandard): "按时报送", card.TargetField(1, card.PartDeadline): "2026-06-30 +0800",
		card.TargetField(1, card.PartRole):  card.RoleLead,
		card.TargetField(2, card.PartTitle): "配合开展专项督查", card.TargetField(2, card.PartDeadline): "2026-09-30 +0800",
		card.TargetField(2, card.PartRole): card.RoleAssist,
	})
	if r.Toast == nil || !strings.Contains(r.Toast.Content, "已提交2项") || strings.Count(string(r.Card), "待领导确认") != 2 {
		t.Fatalf("proposal: %+v %s", r.Toast, r.Card)
	}
	// The same proposal card submitted again (another copy, or a click
	// before the card refreshed) must not add the rows twice.
	again, err := w.sim.ClickCard(ctx, own.MessageID, "ou_e1", map[string]any{"k": card.KindTargetsPropose, "id": "2026", "v": 0},
		map[string]any{card.TargetField(1, card.PartTitle): "起草年度工作报告", card.TargetField(1, card.PartDeadline): "2026-06-30"})
	refused("proposal again", again, err, "已被处理或已更新")
	if n := len(targets()); n != 2 {
		t.Fatalf("%d targets after the repeated proposal, want 2", n)
	}

	w.deliver()
	notice := w.lastCard("ou_l1", "请确认年度目标：孙一")
	r = w.click(notice.MessageID, "ou_l1", "btn_1", nil)
	if !strings.Contains(string(r.Card), "全部确认（2项）") || !strings.Contains(string(r.Card), "配合开展专项督查") {
		t.Fatalf("confirmation card from the notice: %s", r.Card)
	}
	say("ou_l1", "待办")
	todo := w.lastCard("ou_l1", "我的待办")
	if !strings.Contains(todo.Content, "确认年度目标：孙一（2项）") {
		t.Fatalf("待办: %s", todo.Content)
	}
	fromTodo := w.click(todo.MessageID, "ou_l1", "todo_1", nil)
	if !strings.Contains(string(fromTodo.Card), "请确认年度目标：孙一") {
		t.Fatalf("confirmation card from 待办: %s", fromTodo.Card)
	}

	// A stranger cannot see or confirm, even with a forged value.
	say("ou_e2", "目标")
	strangers := w.lastCard("ou_e2", "2026年度工作目标")
	for _, v := range []map[string]any{
		{"k": card.KindTargetConfirm, "id": "2026/ou_e1/1", "v": 1},
		{"k": card.KindTargetsConfirmAll, "id": "2026/ou_e1", "v": 2},
		{"k": card.KindOpen, "id": card.OpenID(card.FormTargets, "2026/ou_e1"), "v": 0},
	} {
		r, err := w.sim.ClickCard(ctx, strangers.MessageID, "ou_e2", v, nil)
		refused("stranger "+v["k"].(string), r, err, "您无权办理此事项")
	}
	for _, tg := range targets() {
		if tg.State != workflow.TargetDraft {
			t.Fatalf("a stranger's click changed %+v", tg)
		}
	}

	r = w.click(notice.MessageID, "ou_l1", "confirm_1", nil)
	if r.Toast == nil || r.Toast.Content != "已确认" || !strings.Contains(string(r.Card), "确认人：科长钱") {
		t.Fatalf("confirm one: %+v %s", r.Toast, r.Card)
	}
	// The card from 待办 still shows the first target as a draft.
	stale, err := w.sim.ClickButton(ctx, todo.MessageID, "ou_l1", "confirm_1", nil)
	refused("confirm on the stale card", stale, err, "已被处理或已更新")
	r = w.click(todo.MessageID, "ou_l1", "confirm_all", nil)
	if r.Toast == nil || r.Toast.Content != "已确认1项" || !strings.Contains(string(r.Card), "没有待确认的目标") {
		t.Fatalf("confirm the rest: %+v %s", r.Toast, r.Card)
	}
	for _, tg := range targets() {
		if tg.State != workflow.TargetConfirmed || tg.ConfirmedBy != "ou_l1" {
			t.Errorf("after confirming: %+v", tg)
		}
	}
	w.deliver()

	say("ou_e1", "目标")
	own = w.lastCard("ou_e1", "2026年度工作目标")
	if strings.Contains(own.Content, "待领导确认") || strings.Count(own.Content, "确认人：科长钱") != 2 {
		t.Errorf("the employee's card after confirmation: %s", own.Content)
	}
	say("ou_l1", "待办")
	if m := w.lastCard("ou_l1", "我的待办"); strings.Contains(m.Content, "确认年度目标") {
		t.Errorf("待办 still lists the confirmed targets: %s", m.Content)
	}

	// 全部确认 on a card drawn before the employee proposed more is refused:
	// the leader has not read the new ones.
	r = w.click(own.MessageID, "ou_e1", "submit", map[string]any{card.TargetField(1, card.PartTitle): "完成档案整理",
		card.TargetField(1, card.PartDeadline): "2026-11-30 +0800", card.TargetField(1, card.PartRole): card.RoleLead})
	w.deliver()
	later := w.lastCard("ou_l1", "请确认年度目标：孙一")
	w.click(later.MessageID, "ou_l1", "btn_1", nil)
	w.click(own.MessageID, "ou_e1", "submit", map[string]any{card.TargetField(1, card.PartTitle): "编写信息简报",
		card.TargetField(1, card.PartQuantity): "12期", card.TargetField(1, card.PartDeadline): "2026-12-31 +0800"})
	stale, err = w.sim.ClickButton(ctx, later.MessageID, "ou_l1", "confirm_all", nil)
	refused("confirm all after more were proposed", stale, err, "已被处理或已更新")
	if ts := targets(); len(ts) != 4 || ts[2].State != workflow.TargetDraft || ts[3].State != workflow.TargetDraft {
		t.Errorf("after the stale 全部确认: %+v", ts)
	}

	// The weekly form offers the confirmed targets, not the drafts.
	say("ou_e1", "记实")
	weekly := w.lastCard("ou_e1", "请填写周记实")
	for _, want := range []string{"2026/ou_e1/1", "2026/ou_e1/2", "起草年度工作报告"} {
		if !strings.Contains(weekly.Content, want) {
			t.Errorf("weekly form lacks %q", want)
		}
	}
	if strings.Contains(weekly.Content, "2026/ou_e1/3") {
		t.Error("weekly form offers a draft target")
	}
}
