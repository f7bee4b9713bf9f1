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

// TestWeeklyPrefilledRowRemoved: the weekly form is prefilled from two
// confirmed annual targets. The person clears the second row's 工作内容
// and submits, touching nothing else; larksim submits the row's untouched
// date, progress and target as Lark does (a default counts as filled), and
// the entry is saved with the first row only: clearing a row's title is
// how a prefilled row is removed.
func TestWeeklyPrefilledRowRemoved(t *testing.T) {
	t.Parallel()
	loc := calendar.DefaultLocation()
	w := newWorld(t, "cli_weekly_prefill", time.Date(2026, 2, 10, 10, 0, 0, 0, loc))
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
	w.must("propose", w.svc.ProposeTargets(w.ctx, "ou_e1", 2026, []workflow.TargetInput{
		{Title: "起草年度工作报告", Deadline: calendar.NewDate(2026, 6, 30), Lead: true},
		{Title: "配合开展专项督查", Deadline: calendar.NewDate(2026, 9, 30)},
	}))
	ts, err := w.svc.Targets(w.ctx, "ou_e1", 2026)
	w.must("targets", err)
	for _, tg := range ts {
		w.must("review "+tg.ID, w.svc.ConfirmTarget(w.ctx, "ou_l1", tg.ID, tg.Version))
		w.must("approve "+tg.ID, w.svc.ConfirmTarget(w.ctx, "ou_head", tg.ID, tg.Version+1))
	}
	w.deliver()

	_, err = w.sim.SendText(w.ctx, "ou_e1", "", "记实")
	w.must("send 记实", err)
	w.deliver()
	form := w.lastCard("ou_e1", "请填写周记实")
	for _, want := range []string{"起草年度工作报告", "配合开展专项督查", `"initial_date":"2026-09-30"`} {
		if !strings.Contains(form.Content, want) {
			t.Fatalf("the weekly form is not prefilled with %q:\n%s", want, form.Content)
		}
	}

	r, err := w.sim.ClickButton(w.ctx, form.MessageID, "ou_e1", "submit", map[string]any{
		card.TaskField(2, card.PartTitle): "", // cleared; the rest of row 2 is left as prefilled
		card.FieldAttendance:              "full",
	})
	w.must("submit", err)
	if r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("submit with row 2's title cleared: %+v\n%s", r.Toast, r.Card)
	}
	week := calendar.PeriodContaining(calendar.Week, calendar.NewDate(2026, 2, 10)).String()
	var e workflow.Entry
	w.must("entry", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		e, err = tx.Entry(w.ctx, workflow.EntryKey{Kind: workflow.EntryWeekly, Person: "ou_e1", Period: week})
		return err
	}))
	if len(e.Body.Tasks) != 1 || e.Body.Tasks[0].Title != "起草年度工作报告" || e.Body.Tasks[0].Target != ts[0].ID ||
		e.Body.Tasks[0].Deadline != calendar.NewDate(2026, 6, 30) {
		t.Errorf("saved tasks %+v; want only row 1 (起草年度工作报告, its date and target %s)", e.Body.Tasks, ts[0].ID)
	}
}
