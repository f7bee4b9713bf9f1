package bot_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// peopleWorld is a small organisation in larksim on 1 July 2026 with
// 2026-Q3 open (by HR's command) and 孙一's 季度小结 in, so his 初评 waits
// with his unit leader 科长钱: units u1 办公室 (科长钱, 分管 副局长赵) and u2
// 业务科 (科长孔, 分管 副局长赵).
type peopleWorld struct {
	*world
}

func newPeopleWorld(t *testing.T, appID string) peopleWorld {
	t.Helper()
	loc := calendar.DefaultLocation()
	w := newWorld(t, appID, time.Date(2026, 7, 1, 10, 0, 0, 0, loc))
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科李", HR: true, Committee: true}, {ID: "ou_hr2", Name: "政工科周", HR: true},
		{ID: "ou_head", Name: "局长王", Committee: true}, {ID: "ou_s1", Name: "副局长赵"},
		{ID: "ou_l1", Name: "科长钱", Unit: "u1"}, {ID: "ou_l2", Name: "科长孔", Unit: "u2"},
		{ID: "ou_e1", Name: "孙一", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e2", Name: "周二", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e3", Name: "吴三", Unit: "u2", Group: "u2", Assessed: true},
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_s1"}, {ID: "u2", Name: "业务科", Leader: "ou_l2", Supervisor: "ou_s1"}}, people))
	pw := peopleWorld{w}
	pw.say("ou_hr", "开启考核 2026-Q3")
	w.lastCard("ou_hr", "考核已开启")
	w.must("summary", w.svc.Submit(w.ctx, "ou_e1", workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: "2026-Q3",
		Body: workflow.EntryBody{Summary: "完成本职工作"}}))
	w.deliver()
	return pw
}

// say sends a text as a person and delivers the answers.
func (w peopleWorld) say(from, text string, mentions ...string) {
	w.t.Helper()
	_, err := w.sim.SendText(w.ctx, from, "", text, mentions...)
	w.must("send "+text, err)
	w.deliver()
}

// personCard asks for HR's card of a person by @mention and returns it.
func (w peopleWorld) personCard(hr, who, name string) larksim.Message {
	w.t.Helper()
	w.say(hr, "人员 @_user_1", who)
	return w.lastCard(hr, "人员情况："+name)
}

func (w peopleWorld) person(id string) workflow.Person {
	w.t.Helper()
	var p workflow.Person
	w.must("person", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		p, err = tx.Person(w.ctx, id)
		return err
	}))
	return p
}

func (w peopleWorld) step(person string) workflow.Step {
	w.t.Helper()
	return pendingStep(w.t, w.world, person)
}

// audits counts the audit rows of action on object (allowed or denied).
func (w peopleWorld) audits(action, object string, denied bool) int {
	n := 0
	for _, r := range w.auditRows() {
		if r.Action == action && r.Object == object && r.Denied == denied {
			n++
		}
	}
	return n
}

// onClick delivers a click straight to the bot with a given event id, as
// Lark's redelivery of one click does (larksim gives each click its own).
func (w peopleWorld) onClick(eventID, op, kind, id string, v int, form map[string]any) *callback.CardActionTriggerResponse {
	w.t.Helper()
	ev := clickEvent(eventID, op, kind, workflow.Step{}, form)
	ev.Event.Action.Value = map[string]any{"k": kind, "id": id, "v": float64(v)}
	r, err := w.bot.OnCardAction(w.ctx, ev)
	w.must("click "+kind, err)
	return r
}

// refused checks a click got an error toast saying want.
func refused(t *testing.T, what string, r *larksim.CardReply, err error, want string) {
	t.Helper()
	if err != nil || r.Toast == nil || r.Toast.Type != "error" || !strings.Contains(r.Toast.Content, want) {
		t.Errorf("%s: %+v, %v; want an error toast with %q", what, r, err, want)
	}
}

// TestPersonLeftInChat: HR marks a leader who holds a pending step as
// having left, from the 人员 card: the client will not send the form
// until the leaving is confirmed in its select; afterwards the step is
// with the 分管领导, who gets a card to open it, the appraised person is
// told, the one who left is told nothing, and the card shows the state.
// A second card drawn before the change is stale.
func TestPersonLeftInChat(t *testing.T) {
	w := newPeopleWorld(t, "cli_left")
	ctx := w.ctx
	if st := w.step("ou_e1"); st.Assignee != "ou_l1" {
		t.Fatalf("setup: e1's step is with %s", st.Assignee)
	}
	c1 := w.personCard("ou_hr", "ou_l1", "科长钱")
	c2 := w.personCard("ou_hr2", "ou_l1", "科长钱")
	if !strings.Contains(c1.Content, "离职、调出") || !strings.Contains(c1.Content, "确认科长钱已离开本单位") {
		t.Fatalf("the card has no leaving section: %s", c1.Content)
	}

	// Not by accident: without the confirmation the client sends nothing,
	// and a forged form without it is refused.
	if _, err := w.sim.ClickButton(ctx, c1.MessageID, "ou_hr", "save_left", map[string]any{card.FieldLeftReason: "调往市局"}); !errors.Is(err, larksim.ErrRequiredEmpty) {
		t.Errorf("unconfirmed click: %v, want the client to refuse it", err)
	}
	v := w.person("ou_l1").Version
	r, err := w.sim.ClickCard(ctx, c1.MessageID, "ou_hr", map[string]any{"k": card.KindPersonLeft, "id": "ou_l1", "v": v},
		map[string]any{card.FieldLeftReason: "调往市局"})
	refused(t, "forged unconfirmed", r, err, "确认离开：请选择")
	if p := w.person("ou_l1"); p.Version != v {
		t.Fatalf("an unconfirmed click changed %+v", p)
	}

	before := len(w.sim.Messages(larksim.MessageFilter{}))
	r = w.click(c1.MessageID, "ou_hr", "save_left", map[string]any{card.FieldLeftConfirm: card.LeftConfirmed, card.FieldLeftReason: "调往市局"})
	if r.Toast == nil || r.Toast.Content != "科长钱已离开本单位，待审核事项已转交" || !strings.Contains(string(r.Card), "本期免于考核") {
		t.Fatalf("leaving: %+v %s", r.Toast, r.Card)
	}
	if p := w.person("ou_l1"); !p.Status.Exempt || !strings.Contains(p.Status.Reason, "调往市局") {
		t.Errorf("after leaving: %+v", p.Status)
	}
	st := w.step("ou_e1")
	if st.Assignee != "ou_s1" {
		t.Fatalf("e1's step is with %s, want the 分管领导 ou_s1", st.Assignee)
	}
	w.deliver()
	for _, m := range w.sim.Messages(larksim.MessageFilter{})[before:] {
		if m.ChatID != "" && strings.Contains(m.Content, "调往市局") {
			t.Errorf("HR's reason was sent on: %s", m.Content)
		}
	}
	for _, m := range w.sim.MessagesTo("ou_l1") {
		if strings.Contains(m.Content, "改由") {
			t.Errorf("the person who left was told: %s", m.Content)
		}
	}
	if m := w.lastCard("ou_e1", "孙一的考核改由副局长赵办理"); !strings.Contains(m.Content, "科长钱已离开本单位") {
		t.Errorf("e1 told: %s", m.Content)
	}
	notice := w.lastCard("ou_s1", "待您初评：孙一")
	open := w.click(notice.MessageID, "ou_s1", "btn_1", nil)
	if !strings.Contains(string(open.Card), "scoring_form") {
		t.Errorf("the new holder cannot open the step: %s", open.Card)
	}
	if n := w.audits("person.leave", "ou_l1", false); n != 1 {
		t.Errorf("person.leave audited %d times", n)
	}

	// The other HR officer's card was drawn before: stale, nothing done again.
	r, err = w.sim.ClickButton(ctx, c2.MessageID, "ou_hr2", "save_left", map[string]any{card.FieldLeftConfirm: card.LeftConfirmed, card.FieldLeftReason: "调往市局"})
	refused(t, "stale card", r, err, "已被处理或已更新")
	if n := w.audits("person.leave", "ou_l1", false); n != 1 {
		t.Errorf("the stale click acted: person.leave audited %d times", n)
	}
}

// TestSecondedInChat: HR seconds 孙一 to 业务科 from his card; his pending
// 初评 goes to 业务科's leader, who is told and whose scoring card says he
// is seconded; the card shows the assessing unit; ending it brings the
// step back to his own leader.
func TestSecondedInChat(t *testing.T) {
	w := newPeopleWorld(t, "cli_second")
	c := w.personCard("ou_hr", "ou_e1", "孙一")
	if !strings.Contains(c.Content, "second_form") || strings.Contains(c.Content, `"value":"u1"`) {
		t.Fatalf("secondment section (home unit must not be offered): %s", c.Content)
	}
	r := w.click(c.MessageID, "ou_hr", "save_second", map[string]any{card.FieldSecondUnit: "u2", card.FieldSecondReason: "2026年7月起借调业务科"})
	if r.Toast == nil || r.Toast.Content != "考核单位已改为业务科" || !strings.Contains(string(r.Card), "**考核单位**：业务科（借调、挂职，结果送回办公室）") {
		t.Fatalf("second: %+v %s", r.Toast, r.Card)
	}
	if p := w.person("ou_e1"); p.AssessedBy != "u2" {
		t.Fatalf("AssessedBy = %q", p.AssessedBy)
	}
	if st := w.step("ou_e1"); st.Assignee != "ou_l2" {
		t.Fatalf("e1's step is with %s, want ou_l2", st.Assignee)
	}
	w.deliver()
	w.lastCard("ou_l1", "孙一的考核改由科长孔办理")
	notice := w.lastCard("ou_l2", "待您初评：孙一")
	open := w.click(notice.MessageID, "ou_l2", "btn_1", nil)
	if !strings.Contains(string(open.Card), "借调、挂职人员：由本单位考核，结果送回办公室") {
		t.Errorf("the receiving leader's scoring card does not say he is seconded: %s", open.Card)
	}

	// Ending it: the select's "不借调" on the refreshed card.
	r = w.click(c.MessageID, "ou_hr", "save_second", map[string]any{card.FieldSecondUnit: card.NoSecondment, card.FieldSecondReason: "借调期满"})
	if r.Toast == nil || r.Toast.Content != "借调、挂职已结束，由本科室考核" || strings.Contains(string(r.Card), "**考核单位**") {
		t.Fatalf("end: %+v %s", r.Toast, r.Card)
	}
	if st := w.step("ou_e1"); st.Assignee != "ou_l1" {
		t.Fatalf("after the secondment e1's step is with %s, want ou_l1", st.Assignee)
	}
	r, err := w.sim.ClickButton(w.ctx, c.MessageID, "ou_hr", "save_second", map[string]any{card.FieldSecondUnit: card.NoSecondment, card.FieldSecondReason: "再次结束"})
	refused(t, "nothing to end", r, err, "该人员没有借调、挂职记录")
	if n := w.audits("person.second", "ou_e1", false); n != 2 {
		t.Errorf("person.second audited %d times, want 2", n)
	}
}

// TestScoringCardShowsStates: HR records probation and investigation on
// the person card; the leader's scoring card then says what they mean
// under the scheme (S4), and a person with nothing recorded gets no line.
func TestScoringCardShowsStates(t *testing.T) {
	w := newPeopleWorld(t, "cli_states")
	scoring := func() string {
		t.Helper()
		w.say("ou_l1", "待办")
		todo := w.lastCard("ou_l1", "我的待办")
		r := w.click(todo.MessageID, "ou_l1", larksim.RowButton([]byte(todo.Content), "孙一"), nil)
		return string(r.Card)
	}
	if c := scoring(); !strings.Contains(c, "scoring_form") || strings.Contains(c, "特殊情况") {
		t.Fatalf("scoring card before any state: %s", c)
	}
	c := w.personCard("ou_hr", "ou_e1", "孙一")
	w.click(c.MessageID, "ou_hr", "save_status", map[string]any{card.FieldProbation: "yes", card.FieldInvestigation: "yes",
		card.FieldSanction: "none", card.FieldExempt: "no", card.FieldStatusReason: "2026年6月新录用；7月立案"})
	got := scoring()
	for _, want := range []string{"特殊情况", "试用期：只写评语，不定等次", "立案调查中：照常评分，暂不确定等次，结案后补定"} {
		if !strings.Contains(got, want) {
			t.Errorf("scoring card lacks %q", want)
		}
	}
}

// TestAttendanceAndWaiverInChat: on 20 July 孙一 owes three 周记实; HR
// records July's attendance and waives one week from his card; the
// attendance is stored and shown, the waived week leaves his 待办 and the
// card, and his 季度小结 is accepted once the rest are in.
func TestAttendanceAndWaiverInChat(t *testing.T) {
	w := newPeopleWorld(t, "cli_attendance")
	ctx := w.ctx
	w.clk.Set(time.Date(2026, 7, 20, 10, 0, 0, 0, calendar.DefaultLocation()))
	c := w.personCard("ou_hr", "ou_e2", "周二")
	for _, want := range []string{"attendance_form", "2026年7月", "waive_form", "2026年第28周（07-06至07-12）", "病假（天）"} {
		if !strings.Contains(c.Content, want) {
			t.Errorf("person card lacks %q", want)
		}
	}
	r := w.click(c.MessageID, "ou_hr", "save_attendance", map[string]any{card.FieldAttMonth: "2026-07",
		card.AttLeaveField(1): "1.5", card.FieldAttLate: "2"})
	if r.Toast == nil || r.Toast.Content != "2026年7月考勤已登记" || !strings.Contains(string(r.Card), "2026年7月：病假1.5天，迟到2次，早退0次") {
		t.Fatalf("attendance: %+v %s", r.Toast, r.Card)
	}
	var att workflow.Entry
	w.must("attendance", w.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		att, err = tx.Entry(ctx, workflow.EntryKey{Kind: workflow.EntryAttendance, Person: "ou_e2", Period: "2026-07"})
		return err
	}))
	if len(att.Body.Leave) != 1 || att.Body.Leave[0].Kind != "病假" || att.Body.Leave[0].Days.String() != "1.5" || att.Body.Late != 2 {
		t.Errorf("stored attendance %+v", att.Body)
	}

	r = w.click(c.MessageID, "ou_hr", "save_waive", map[string]any{card.FieldWaiveWeek: "2026-W28", card.FieldWaiveReason: "病假"})
	if r.Toast == nil || r.Toast.Content != "2026年第28周周记实已免填" || strings.Contains(string(r.Card), "2026-W28") {
		t.Fatalf("waive: %+v %s", r.Toast, r.Card)
	}
	w.say("ou_e2", "待办")
	if m := w.lastCard("ou_e2", "我的待办"); strings.Contains(m.Content, "第28周") || !strings.Contains(m.Content, "第29周") {
		t.Errorf("e2's 待办 after the waiver: %s", m.Content)
	}
	for _, wk := range []string{"2026-W27", "2026-W29"} {
		w.must("weekly "+wk, w.svc.Submit(ctx, "ou_e2", workflow.EntryInput{Kind: workflow.EntryWeekly, Period: wk,
			Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "日常工作", Progress: 100}}}}))
	}
	w.must("summary with a waived week", w.svc.Submit(ctx, "ou_e2", workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: "2026-Q3",
		Body: workflow.EntryBody{Summary: "完成本职工作"}}))

	// The card the first waiver refreshed no longer offers W28, but an
	// older copy would: the week picked from it is stale, not a bad form,
	// and nothing is written.
	r, err := w.sim.ClickCard(ctx, c.MessageID, "ou_hr", map[string]any{"k": card.KindWaive, "id": "ou_e2", "v": w.person("ou_e2").Version},
		map[string]any{card.FieldWaiveWeek: "2026-W28", card.FieldWaiveReason: "病假"})
	refused(t, "waive again", r, err, "已被处理或已更新")
	if n := w.audits("entry.waive", "ou_e2/2026-W28", false); n != 1 {
		t.Errorf("entry.waive audited %d times", n)
	}
}

// TestPersonCardCallbacksGuarded: each new button of the person card,
// clicked by someone who is not HR, gets the exact 无权 answer and one
// denial in the audit log and changes nothing; on a card older than the
// person it is stale; the same click delivered twice answers the same
// and acts once.
func TestPersonCardCallbacksGuarded(t *testing.T) {
	w := newPeopleWorld(t, "cli_guard")
	ctx := w.ctx
	w.clk.Set(time.Date(2026, 7, 20, 10, 0, 0, 0, calendar.DefaultLocation()))
	forms := []struct {
		kind, action, object string
		form                 map[string]any
	}{
		{card.KindAttendance, "attendance.set", "ou_e2/2026-07", map[string]any{card.FieldAttMonth: "2026-07", card.FieldAttLate: "1"}},
		{card.KindWaive, "entry.waive", "ou_e2/2026-W28", map[string]any{card.FieldWaiveWeek: "2026-W28", card.FieldWaiveReason: "出差"}},
		{card.KindSecond, "person.second", "ou_e2", map[string]any{card.FieldSecondUnit: "u2", card.FieldSecondReason: "借调"}},
		{card.KindVoteGroups, "person.vote_groups", "ou_e2", map[string]any{card.FieldVoteGroups: []any{"u2"}}},
		{card.KindPersonLeft, "person.leave", "ou_e2", map[string]any{card.FieldLeftConfirm: card.LeftConfirmed, card.FieldLeftReason: "辞职"}},
	}
	w.say("ou_e3", "待办")
	strangers := w.lastCard("ou_e3", "我的待办")
	for _, f := range forms {
		denied := len(w.auditRows())
		v := w.person("ou_e2").Version
		r, err := w.sim.ClickCard(ctx, strangers.MessageID, "ou_e3", map[string]any{"k": f.kind, "id": "ou_e2", "v": v}, f.form)
		if err != nil || r.Toast == nil || r.Toast.Type != "error" || r.Toast.Content != "您无权办理此事项" {
			t.Errorf("%s by a stranger: %+v, %v; want exactly 您无权办理此事项", f.kind, r, err)
		}
		rows := w.auditRows()
		if len(rows) != denied+1 || !rows[len(rows)-1].Denied {
			t.Errorf("%s by a stranger: %d audit rows written, want one denial", f.kind, len(rows)-denied)
		}
		if w.audits(f.action, f.object, false) != 0 || w.person("ou_e2").Version != v {
			t.Errorf("%s by a stranger acted", f.kind)
		}
	}

	// A card older than the person (the version it carries is behind).
	v := w.person("ou_e2").Version
	own := w.personCard("ou_hr", "ou_e2", "周二")
	for _, f := range forms {
		r, err := w.sim.ClickCard(ctx, own.MessageID, "ou_hr", map[string]any{"k": f.kind, "id": "ou_e2", "v": v - 1}, f.form)
		refused(t, f.kind+" on an old card", r, err, "该事项已被处理或已更新，请刷新后查看")
		if n := w.audits(f.action, f.object, false); n != 0 {
			t.Errorf("%s on an old card acted", f.kind)
		}
	}

	// The same click twice (Lark's redelivery, a double tap): one effect,
	// one answer. Each kind on its current version, in order (leaving last).
	for i, f := range forms {
		v := w.person("ou_e2").Version
		id := "dbl-" + f.kind
		first := toastOf(w.onClick(id, "ou_hr", f.kind, "ou_e2", v, f.form))
		second := toastOf(w.onClick(id, "ou_hr", f.kind, "ou_e2", v, f.form))
		if first != second || !strings.HasPrefix(first, "success:") {
			t.Errorf("%d %s: answers %q then %q", i, f.kind, first, second)
		}
		if n := w.audits(f.action, f.object, false); n != 1 {
			t.Errorf("%s acted %d times, want once", f.kind, n)
		}
	}
}

// TestScoringCardShowsAttendance (S10 四(二): the 分管领导 grades "根据公务员
// 出勤、记实情况"; shown under every scheme, here S4): the leader's scoring
// card lists the person's attendance by month, read-only — a month HR
// entered (leave, 迟到, 旷工) and a leave on the person card — and lists
// nothing for a person with nothing recorded.
func TestScoringCardShowsAttendance(t *testing.T) {
	w := newPeopleWorld(t, "cli_step_attendance")
	w.clk.Set(time.Date(2026, 10, 9, 10, 0, 0, 0, calendar.DefaultLocation()))
	scoring := func() string {
		t.Helper()
		w.say("ou_l1", "待办")
		todo := w.lastCard("ou_l1", "我的待办")
		r := w.click(todo.MessageID, "ou_l1", larksim.RowButton([]byte(todo.Content), "孙一"), nil)
		return string(r.Card)
	}
	if c := scoring(); !strings.Contains(c, "scoring_form") || strings.Contains(c, "考勤情况") {
		t.Fatalf("scoring card before any attendance: %s", c)
	}
	c := w.personCard("ou_hr", "ou_e1", "孙一")
	r := w.click(c.MessageID, "ou_hr", "save_attendance", map[string]any{card.FieldAttMonth: "2026-07",
		card.AttLeaveField(1): "1.5", card.FieldAttLate: "2"})
	if r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("attendance: %+v", r.Toast)
	}
	c = w.personCard("ou_hr", "ou_e1", "孙一")
	r = w.click(c.MessageID, "ou_hr", "save_leave", map[string]any{card.FieldLeaveKind: "事假",
		card.FieldLeaveStart: "2026-08-03 +0800", card.FieldLeaveEnd: "2026-08-04 +0800"})
	if r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("leave: %+v", r.Toast)
	}
	got := scoring()
	for _, want := range []string{"考勤情况", "2026年7月：病假1.5天，迟到2次", "2026年8月：事假2天"} {
		if !strings.Contains(got, want) {
			t.Errorf("scoring card lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "早退") {
		t.Errorf("scoring card shows an 早退 nobody recorded:\n%s", got)
	}
}
