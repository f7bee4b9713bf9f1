package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestAllowanceCommand (S2 五): HR types 津贴 2026-Q3 and reads the table on
// a card, with the .xlsx as a file; a stranger is refused and audited; a
// scheme without allowance rules answers so in Chinese.
func TestAllowanceCommand(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, "cli_allowance", time.Date(2026, 10, 28, 10, 0, 0, 0, calendar.DefaultLocation()), func(c *workflow.Config) {
		sc, err := scoring.Builtin("s2")
		if err != nil {
			t.Fatal(err)
		}
		c.Scheme = sc
	})
	people := []workflow.Person{
		{ID: "ou_hr", Name: "何敏", HR: true}, {ID: "ou_head", Name: "张国强"}, {ID: "ou_l1", Name: "吴建华", Unit: "u1"},
		{ID: "ou_e1", Name: "王晓明", Unit: "u1", Assessed: true}, {ID: "ou_e2", Name: "李芳", Unit: "u1", Assessed: true},
	}
	for _, p := range people {
		if _, err := w.sim.AddUser(larksim.User{OpenID: p.ID, Name: p.Name}); err != nil {
			t.Fatal(err)
		}
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "区司法局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_head"}}, people))
	cp := calendar.MustParsePeriod("2026-Q3")
	w.must("seed", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		if err := tx.CreatePeriod(w.ctx, workflow.Period{ID: "2026-Q3", Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(),
			State: workflow.PeriodClosed, FilingDue: calendar.NewDate(2026, 11, 6), Version: 1}); err != nil {
			return err
		}
		for id, s := range map[string]string{"ou_e1": "58", "ou_e2": "85"} {
			d := scoring.D(s)
			if err := tx.PutResult(w.ctx, workflow.Result{Period: "2026-Q3", Person: id, Score: &d, State: scoring.StateGraded, Version: 1}); err != nil {
				return err
			}
		}
		return nil
	}))
	w.must("attendance", w.svc.SetAttendance(w.ctx, "ou_hr", "ou_e2", "2026-07", workflow.EntryBody{Leave: []scoring.LeaveInput{{Kind: "事假", Days: scoring.D("5")}}}))

	send := func(w *world, from, text string) {
		t.Helper()
		if _, err := w.sim.SendText(w.ctx, from, "", text); err != nil {
			t.Fatal(err)
		}
		w.deliver()
	}
	send(w, "ou_hr", "津贴 2026-Q3")
	c := w.lastCard("ou_hr", "津贴扣减")
	for _, want := range []string{"李芳", "事假5天", "扣减2天日津贴", "王晓明", "减发30%", "区县津补贴", "全部扣发", "20元"} {
		if !strings.Contains(c.Content, want) {
			t.Errorf("card lacks %q", want)
		}
	}
	fs := w.files("ou_hr")
	if len(fs) != 1 {
		t.Fatalf("%d file messages, want 1", len(fs))
	}
	f, x := w.openFile(fs[0])
	if f.Name != "2026年第三季度平时考核津贴扣减表.xlsx" {
		t.Errorf("file %q", f.Name)
	}
	if got, _ := x.GetCellValue("津贴扣减表", "B4"); got != "王晓明" && got != "李芳" {
		t.Errorf("first row's name = %q", got)
	}

	denied := w.deniedRows()
	send(w, "ou_e1", "津贴 2026-Q3")
	w.lastCard("ou_e1", workflow.Message(workflow.ErrForbidden))
	if got := w.deniedRows(); got != denied+1 {
		t.Errorf("denied rows %d → %d, want one more", denied, got)
	}
	if n := len(w.files("ou_e1")); n != 0 {
		t.Errorf("the stranger got %d files", n)
	}

	s4 := filingWorld(t)
	send(s4, "ou_hr", "津贴 2026-Q3")
	s4.lastCard("ou_hr", "没有津贴扣减规则")
}
