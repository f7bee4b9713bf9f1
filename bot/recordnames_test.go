package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestRecordNamesOnCards (S2 四(三)1): the month's record of an S2 person
// is the 月记实 and the quarter's the 季度工作小结; the reminder's button
// opens a card under those names, never S4's 月小结 or 季度小结（登记表）.
func TestRecordNamesOnCards(t *testing.T) {
	t.Parallel()
	loc := calendar.DefaultLocation()
	w := newSchemeWorld(t, "cli_recnames", "s2", time.Date(2026, 10, 9, 9, 0, 0, 0, loc), nil)
	people := []workflow.Person{
		{ID: "ou_hr", Name: "何敏", HR: true}, {ID: "ou_head", Name: "张国强"},
		{ID: "ou_l1", Name: "吴建华", Unit: "u1"},
		{ID: "ou_e1", Name: "王晓明", Unit: "u1", Assessed: true},
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "区司法局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_head"}}, people))
	if _, err := w.svc.OpenPeriod(w.ctx, "ou_hr", "2026-Q4"); err != nil {
		t.Fatal(err)
	}
	w.deliver()

	due, ok, err := w.svc.EntryDue(w.ctx, workflow.EntryMonthly, "2026-10")
	if err != nil || !ok {
		t.Fatalf("due of 2026-10: %v %v", ok, err)
	}
	w.tickAt(time.Date(due.Year, time.Month(due.Month), due.Day, 9, 1, 0, 0, loc))
	remind := w.lastCard("ou_e1", "月记实")
	r := w.click(remind.MessageID, "ou_e1", larksim.RowButton([]byte(remind.Content), "立即"), nil)
	c := string(r.Card)
	if !strings.Contains(c, `"monthly_form"`) || !strings.Contains(c, `"content":"月记实"`) || strings.Contains(c, "月小结") {
		t.Fatalf("the reminder's button opened no card titled 月记实:\n%s", c)
	}

	// The 待办's 季度工作小结 opens under its name too.
	w.tickAt(time.Date(2027, 1, 4, 9, 1, 0, 0, loc))
	_, err = w.sim.SendText(w.ctx, "ou_e1", "", "待办")
	w.must("send 待办", err)
	w.deliver()
	todo := w.lastCard("ou_e1", "我的待办")
	if !strings.Contains(todo.Content, "季度工作小结") {
		t.Fatalf("待办 lacks 季度工作小结:\n%s", todo.Content)
	}
	q := w.click(todo.MessageID, "ou_e1", larksim.RowButton([]byte(todo.Content), "季度工作小结"), nil)
	if qc := string(q.Card); !strings.Contains(qc, `"quarterly_form"`) || !strings.Contains(qc, `"content":"季度工作小结"`) || strings.Contains(qc, "登记表") {
		t.Fatalf("the 待办's button opened no card titled 季度工作小结:\n%s", qc)
	}
}
