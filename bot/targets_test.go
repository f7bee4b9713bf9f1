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
// card; their section head is told, opens the 认定 card from the notice
// and from 待办, sends one back with a reason and passes the other (审核);
// the employee is told why, revises it from the notice and resubmits; the
// section head passes it too; the superior is told, and approves both
// (审定); the employee is told and the weekly form offers them. Once a
// weekly record reports one done, the superior marks it 超额完成. A
// stranger's clicks, clicks on out-of-date cards, a reviewer's click at
// the other level and a second submission of an old proposal card are
// refused and change nothing.
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
	_, err := w.svc.OpenPeriod(ctx, "ou_hr", "2026-Q1")
	w.must("open", err)
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
	states := func(want ...string) {
		t.Helper()
		ts := targets()
		var got []string
		for _, tg := range ts {
			got = append(got, tg.State)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("states %v, want %v", got, want)
		}
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
		card.TargetField(2, card.PartTitle): "配合开展专项督查", card.TargetField(2, card.PartDeadline): "2026-02-10 +0800",
		card.TargetField(2, card.PartRole): card.RoleAssist,
	})
	if r.Toast == nil || !strings.Contains(r.Toast.Content, "已提交2项") || strings.Count(string(r.Card), "待科室负责人审核") != 2 {
		t.Fatalf("proposal: %+v %s", r.Toast, r.Card)
	}
	// The same proposal card submitted again must not add the rows twice.
	again, err := w.sim.ClickCard(ctx, own.MessageID, "ou_e1", map[string]any{"k": card.KindTargetsPropose, "id": "2026", "v": 0},
		map[string]any{card.TargetField(1, card.PartTitle): "起草年度工作报告", card.TargetField(1, card.PartDeadline): "2026-06-30"})
	refused("proposal again", again, err, "已被处理或已更新")
	states(workflow.TargetDraft, workflow.TargetDraft)

	// 审核: the section head.
	w.deliver()
	notice := w.lastCard("ou_l1", "请审核年度目标：孙一")
	r = w.click(notice.MessageID, "ou_l1", "btn_1", nil)
	if !strings.Contains(string(r.Card), "全部通过（2项）") || strings.Count(string(r.Card), "审核通过") != 2 {
		t.Fatalf("认定 card from the notice: %s", r.Card)
	}
	say("ou_l1", "待办")
	todo := w.lastCard("ou_l1", "我的待办")
	if !strings.Contains(todo.Content, "审核年度目标：孙一（2项）") {
		t.Fatalf("待办: %s", todo.Content)
	}
	fromTodo := w.click(todo.MessageID, "ou_l1", "todo_1", nil)
	if !strings.Contains(string(fromTodo.Card), "年度目标认定：孙一") {
		t.Fatalf("认定 card from 待办: %s", fromTodo.Card)
	}
	// The superior has nothing to do before the review.
	say("ou_s1", "待办")
	if m := w.lastCard("ou_s1", "我的待办"); strings.Contains(m.Content, "年度目标") {
		t.Errorf("the superior's 待办 before the review: %s", m.Content)
	}

	// A stranger cannot see or decide, even with a forged value.
	say("ou_e2", "目标")
	strangers := w.lastCard("ou_e2", "2026年度工作目标")
	for _, v := range []map[string]any{
		{"k": card.KindTargetConfirm, "id": "2026/ou_e1/1", "v": 1},
		{"k": card.KindTargetsConfirmAll, "id": "2026/ou_e1", "v": 2},
		{"k": card.KindTargetReturn, "id": "2026/ou_e1/1", "v": 1},
		{"k": card.KindTargetRevise, "id": "2026/ou_e1/1", "v": 1},
		{"k": card.KindTargetExceed, "id": "2026/ou_e1/1", "v": 1},
		{"k": card.KindOpen, "id": card.OpenID(card.FormTargets, "2026/ou_e1"), "v": 0},
		{"k": card.KindOpen, "id": card.OpenID(card.FormTargetReturn, "2026/ou_e1/1"), "v": 0},
		{"k": card.KindOpen, "id": card.OpenID(card.FormTargetRevise, "2026/ou_e1/1"), "v": 0},
	} {
		r, err := w.sim.ClickCard(ctx, strangers.MessageID, "ou_e2", v, map[string]any{card.FieldTargetReason: "改"})
		refused("stranger "+v["k"].(string)+" "+v["id"].(string), r, err, "您无权办理此事项")
	}
	states(workflow.TargetDraft, workflow.TargetDraft)

	// Sent back with a reason: the return card opens from the 认定 card.
	ret := w.click(notice.MessageID, "ou_l1", "return_1", nil)
	if !strings.Contains(string(ret.Card), "退回年度目标：孙一") {
		t.Fatalf("return card: %s", ret.Card)
	}
	r, err = w.sim.ClickButton(ctx, notice.MessageID, "ou_l1", "submit", map[string]any{card.FieldTargetReason: "  "})
	refused("return without a reason", r, err, "退回原因")
	r = w.click(notice.MessageID, "ou_l1", "submit", map[string]any{card.FieldTargetReason: "请写明报告的报送对象"})
	if r.Toast == nil || !strings.Contains(r.Toast.Content, "已退回") || strings.Count(string(r.Card), "审核通过") != 1 {
		t.Fatalf("return: %+v %s", r.Toast, r.Card)
	}
	states(workflow.TargetReturned, workflow.TargetDraft)
	r = w.click(notice.MessageID, "ou_l1", "confirm_1", nil)
	if r.Toast == nil || r.Toast.Content != "已通过" || !strings.Contains(string(r.Card), "没有待您审核或审定的目标") {
		t.Fatalf("review the other: %+v %s", r.Toast, r.Card)
	}
	states(workflow.TargetReturned, workflow.TargetReviewed)
	// The card from 待办 still offers the second target for 审核.
	stale, err := w.sim.ClickButton(ctx, todo.MessageID, "ou_l1", "confirm_all", nil)
	refused("全部通过 on the stale card", stale, err, "已被处理或已更新")
	w.deliver()

	// The employee is told why, and revises from the notice.
	back := w.lastCard("ou_e1", "年度目标被退回：起草年度工作报告")
	if !strings.Contains(back.Content, "请写明报告的报送对象") {
		t.Errorf("return notice: %s", back.Content)
	}
	say("ou_e1", "待办")
	if m := w.lastCard("ou_e1", "我的待办"); !strings.Contains(m.Content, "修改被退回的年度目标：起草年度工作报告") {
		t.Errorf("the employee's 待办: %s", m.Content)
	}
	rv := w.click(back.MessageID, "ou_e1", "btn_1", nil)
	if !strings.Contains(string(rv.Card), "修改年度目标") || !strings.Contains(string(rv.Card), "请写明报告的报送对象") {
		t.Fatalf("revise card: %s", rv.Card)
	}
	revised := map[string]any{card.TargetField(1, card.PartTitle): "起草年度工作报告", card.TargetField(1, card.PartQuantity): "1份",
		card.TargetField(1, card.PartStandard): "报局党组，按时报送", card.TargetField(1, card.PartDeadline): "2026-06-30 +0800",
		card.TargetField(1, card.PartRole): card.RoleLead}
	r = w.click(back.MessageID, "ou_e1", "submit", revised)
	if r.Toast == nil || !strings.Contains(r.Toast.Content, "已重新提交") {
		t.Fatalf("revise: %+v %s", r.Toast, r.Card)
	}
	// The same revise card submitted again (from another copy).
	again, err = w.sim.ClickCard(ctx, back.MessageID, "ou_e1", map[string]any{"k": card.KindTargetRevise, "id": "2026/ou_e1/1", "v": 2}, revised)
	refused("revise twice", again, err, "已被处理或已更新")
	states(workflow.TargetDraft, workflow.TargetReviewed)
	w.deliver()
	re := w.lastCard("ou_l1", "按退回意见修改了1项")
	r = w.click(re.MessageID, "ou_l1", "btn_1", nil)
	if !strings.Contains(string(r.Card), "报局党组") || !strings.Contains(string(r.Card), "已按审核退回意见修改") {
		t.Fatalf("认定 card after the revision: %s", r.Card)
	}
	r = w.click(re.MessageID, "ou_l1", "confirm_all", nil)
	if r.Toast == nil || r.Toast.Content != "已通过1项" {
		t.Fatalf("review the revision: %+v %s", r.Toast, r.Card)
	}
	states(workflow.TargetReviewed, workflow.TargetReviewed)
	w.deliver()

	// 审定: the superior.
	ask := w.lastCard("ou_s1", "请审定年度目标：孙一")
	if !strings.Contains(ask.Content, "2项") {
		t.Errorf("the superior is asked for %s", ask.Content)
	}
	say("ou_s1", "待办")
	if m := w.lastCard("ou_s1", "我的待办"); !strings.Contains(m.Content, "审定年度目标：孙一（2项）") {
		t.Errorf("the superior's 待办: %s", m.Content)
	}
	// The section head's card offers nothing at the superior's level, and
	// a forged click there is refused.
	r, err = w.sim.ClickCard(ctx, re.MessageID, "ou_l1", map[string]any{"k": card.KindOpen, "id": card.OpenID(card.FormTargets, "2026/ou_e1"), "v": 0}, nil)
	if err != nil || !strings.Contains(string(r.Card), "没有待您审核或审定的目标") {
		t.Errorf("the section head is offered 审定: %s", r.Card)
	}
	ts := targets()
	forged, err := w.sim.ClickCard(ctx, re.MessageID, "ou_l1", map[string]any{"k": card.KindTargetConfirm, "id": ts[0].ID, "v": ts[0].Version}, nil)
	refused("the section head at 审定", forged, err, "待分管领导审定")
	r = w.click(ask.MessageID, "ou_s1", "btn_1", nil)
	if strings.Count(string(r.Card), "审定通过") != 2 {
		t.Fatalf("the superior's card: %s", r.Card)
	}
	r = w.click(ask.MessageID, "ou_s1", "confirm_all", nil)
	if r.Toast == nil || r.Toast.Content != "已通过2项" {
		t.Fatalf("审定: %+v %s", r.Toast, r.Card)
	}
	states(workflow.TargetApproved, workflow.TargetApproved)
	w.deliver()
	w.lastCard("ou_e1", "年度目标已审定")
	say("ou_e1", "目标")
	own = w.lastCard("ou_e1", "2026年度工作目标")
	if strings.Count(own.Content, "审核：科长钱，审定：副局长赵") != 2 {
		t.Errorf("the employee's card after approval: %s", own.Content)
	}

	// The weekly form offers the approved targets; a weekly record reports
	// the督查 done, and the superior marks it 超额完成.
	say("ou_e1", "记实")
	weekly := w.lastCard("ou_e1", "请填写周记实")
	for _, want := range []string{"2026/ou_e1/1", "2026/ou_e1/2"} {
		if !strings.Contains(weekly.Content, want) {
			t.Errorf("weekly form lacks %q", want)
		}
	}
	w.must("weekly", w.svc.Submit(ctx, "ou_e1", workflow.EntryInput{Kind: workflow.EntryWeekly, Period: "2026-W07",
		Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "配合开展专项督查", Progress: 100, Target: "2026/ou_e1/2"}}}}))
	states(workflow.TargetApproved, workflow.TargetDone)
	r, err = w.sim.ClickCard(ctx, ask.MessageID, "ou_s1", map[string]any{"k": card.KindOpen, "id": card.OpenID(card.FormTargets, "2026/ou_e1"), "v": 0}, nil)
	w.must("reopen", err)
	r = w.click(ask.MessageID, "ou_s1", "exceed_1", nil)
	if r.Toast == nil || r.Toast.Content != "已标记超额完成" || !strings.Contains(string(r.Card), "取消超额完成") {
		t.Fatalf("exceed: %+v %s", r.Toast, r.Card)
	}
	again, err = w.sim.ClickCard(ctx, ask.MessageID, "ou_s1", map[string]any{"k": card.KindTargetExceed, "id": "2026/ou_e1/2", "v": targets()[1].Version - 1}, nil)
	refused("exceed twice", again, err, "已被处理或已更新")
	if tg := targets()[1]; !tg.Exceeded {
		t.Errorf("after the double click: %+v", tg)
	}
	say("ou_l1", "目标 2026")
	forged, err = w.sim.ClickCard(ctx, re.MessageID, "ou_l1", map[string]any{"k": card.KindTargetExceed, "id": "2026/ou_e1/2", "v": targets()[1].Version}, nil)
	refused("the section head marks 超额", forged, err, "超额完成由审定目标的领导认定")
}
