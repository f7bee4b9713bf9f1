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

// TestHalfYearFilingCard: under S8 (备案 每半年, 四(三)6) HR's 备案 reminder
// after Q2 names both quarters; 发送备案表 sends both quarters' tables;
// 备案 of Q1 alone is refused in Chinese, and 已报送备案 records both.
func TestHalfYearFilingCard(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, "cli_half", time.Date(2026, 7, 29, 10, 0, 0, 0, calendar.DefaultLocation()), func(c *workflow.Config) {
		sc, err := scoring.Builtin("s8")
		if err != nil {
			t.Fatal(err)
		}
		c.Scheme = sc
	})
	people := []workflow.Person{
		{ID: "ou_hr", Name: "何敏", HR: true}, {ID: "ou_head", Name: "张国强"}, {ID: "ou_l1", Name: "吴建华", Unit: "u1"},
		{ID: "ou_e1", Name: "王晓明", Unit: "u1", Group: "u1", Assessed: true}, {ID: "ou_e2", Name: "李芳", Unit: "u1", Group: "u1", Assessed: true},
	}
	for _, p := range people {
		if _, err := w.sim.AddUser(larksim.User{OpenID: p.ID, Name: p.Name}); err != nil {
			t.Fatal(err)
		}
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "县财政局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_head"}}, people))
	w.must("seed", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		for _, id := range []string{"2026-Q1", "2026-Q2"} {
			cp := calendar.MustParsePeriod(id)
			if err := tx.CreatePeriod(w.ctx, workflow.Period{ID: id, Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(),
				State: workflow.PeriodClosed, FilingDue: calendar.NewDate(2026, 7, 31), Version: 1}); err != nil {
				return err
			}
			for pid, g := range map[string]string{"ou_e1": "好", "ou_e2": "较好"} {
				if err := tx.PutResult(w.ctx, workflow.Result{Period: id, Person: pid, Grade: g, State: scoring.StateGraded, Version: 1}); err != nil {
					return err
				}
			}
		}
		return nil
	}))

	w.queue(workflow.Notification{Key: workflow.DedupeKey("filing-due-half"), To: "ou_hr", Template: workflow.TplFilingDue,
		Data: map[string]string{"period": "2026-Q2", "with": "2026-Q1", "due": "2026-07-31", "stage": "before"}})
	w.deliver()
	msg := w.lastCard("ou_hr", "2026年第一季度、2026年第二季度平时考核结果请于2026-07-31前一并报送")

	r := w.click(msg.MessageID, "ou_hr", "btn_2", nil)
	if r.Toast == nil || r.Toast.Content != "已生成2份备案表，稍后以文件发送" {
		t.Fatalf("发送备案表 toast %+v", r.Toast)
	}
	w.deliver()
	var names []string
	for _, m := range w.files("ou_hr") {
		f, _ := w.openFile(m)
		names = append(names, f.Name)
	}
	if strings.Join(names, " ") != "2026年第一季度公务员平时考核登记表.xlsx 2026年第二季度公务员平时考核登记表.xlsx" {
		t.Errorf("files %v, want both quarters' 登记表", names)
	}

	if _, err := w.sim.SendText(w.ctx, "ou_hr", "", "备案 2026-Q1"); err != nil {
		t.Fatal(err)
	}
	w.deliver()
	w.lastCard("ou_hr", "本方案每半年备案一次：2026年第一季度考核结果与2026年第二季度一并备案")

	r = w.click(msg.MessageID, "ou_hr", "btn_1", nil)
	if r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("已报送备案 toast %+v", r.Toast)
	}
	for _, id := range []string{"2026-Q1", "2026-Q2"} {
		if p, err := w.svc.Period(w.ctx, id); err != nil || p.FiledAt.IsZero() {
			t.Errorf("%s not filed (%v)", id, err)
		}
	}
}

// TestFilingAllowanceWithoutRules: 备案表 <期> 津贴表 under a scheme with no
// allowance rule (S4) says so in Chinese and sends nothing.
func TestFilingAllowanceWithoutRules(t *testing.T) {
	t.Parallel()
	w := filingWorld(t)
	if _, err := w.sim.SendText(w.ctx, "ou_hr", "", "备案表 2026-Q3 津贴表"); err != nil {
		t.Fatal(err)
	}
	w.deliver()
	w.lastCard("ou_hr", "考核方案（S4）没有津贴扣减规则，没有津贴扣减表")
	if n := len(w.files("ou_hr")); n != 0 {
		t.Errorf("%d files sent", n)
	}
}
