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

// mixedWorld is an organisation with 办公室 (q1) under S4, the default,
// and 业务科 (q2) under S5, whose 2026 quarters are all published.
func mixedWorld(t *testing.T, appID string) *world {
	t.Helper()
	s5, err := scoring.Builtin("s5")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorldWith(t, appID, time.Date(2027, 1, 11, 10, 0, 0, 0, calendar.DefaultLocation()), func(c *workflow.Config) {
		c.Schemes = map[string]*scoring.Scheme{"s5": s5}
		c.ManualOpen = true
	})
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科", HR: true},
		{ID: "ou_head", Name: "局长", Committee: true},
		{ID: "ou_s1", Name: "副局长"},
	}
	staff := map[string][]string{}
	for _, u := range []string{"q1", "q2"} {
		for _, n := range []string{"l", "e1", "e2"} {
			id := "ou_" + u + n
			p := workflow.Person{ID: id, Name: u + "干部" + n, Unit: u, Group: u, Assessed: true}
			people = append(people, p)
			staff[u] = append(staff[u], id)
		}
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "某局", Head: "ou_head"}, []workflow.Unit{
		{ID: "q1", Name: "办公室", Leader: "ou_q1l", Supervisor: "ou_s1"},
		{ID: "q2", Name: "业务科", Leader: "ou_q2l", Supervisor: "ou_s1", Scheme: "s5"},
	}, people))
	w.must("seed", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		for q := 1; q <= 4; q++ {
			cp := calendar.MustParsePeriod("2026-Q" + string(rune('0'+q)))
			for _, s := range []struct{ id, scheme, unit, grade string }{
				{cp.String(), "s4", "q1", "较好"}, {cp.String() + "@s5", "s5", "q2", "B"},
			} {
				if err := tx.CreatePeriod(w.ctx, workflow.Period{ID: s.id, Kind: workflow.KindQuarter, Scheme: s.scheme, Start: cp.Start(), End: cp.End(),
					State: workflow.PeriodClosed, Version: 1}); err != nil {
					return err
				}
				for _, p := range staff[s.unit] {
					if err := tx.PutResult(w.ctx, workflow.Result{Period: s.id, Person: p, Grade: s.grade, State: scoring.StateGraded, Version: 1}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}))
	return w
}

// TestYearPerSchemeThroughLark: HR's 年度 2026 shows each scheme's year
// with its own button; S4's year composed from it goes to the committee,
// whose card lists 办公室 alone; S5's year (composed with its annual
// score, which the chat does not collect) has its own committee card and
// confirmation, named 2026年度（S5）; 年度 2026@s5 shows S5's year alone.
func TestYearPerSchemeThroughLark(t *testing.T) {
	t.Parallel()
	w := mixedWorld(t, "cli_year_schemes")
	ctx := w.ctx
	_, err := w.sim.SendText(ctx, "ou_hr", "", "年度 2026")
	w.must("send", err)
	w.deliver()
	yc := w.lastCard("ou_hr", "【2026年度（S5）】")
	// S5's year waits for its 年度评分 (五(一)1's other 40%), which HR
	// enters from the button beside it.
	for _, want := range []string{"【2026年度】", "生成2026年度考核结果", "年度评分：已录入0/3人", "录入年度评分（2026年度（S5））", "2026年第四季度（S5）"} {
		if !strings.Contains(yc.Content, want) {
			t.Errorf("年度 card lacks %q: %s", want, yc.Content)
		}
	}
	if r := w.click(yc.MessageID, "ou_hr", "btn_1", nil); r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("compose S4's year: toast %+v", r.Toast)
	}
	w.deliver()
	n := w.lastCard("ou_head", "请审定2026年度考核等次")
	r := w.click(n.MessageID, "ou_head", "btn_1", nil)
	c := string(r.Card)
	if !strings.Contains(c, "q1干部e1") || strings.Contains(c, "q2干部") {
		t.Errorf("S4's committee card should list 办公室 alone: %s", c)
	}

	// S5's year: HR enters the 年度评分 on its card, then composes it.
	enterAnnual(t, w, "2026@s5", map[string]string{"ou_q2l": "88", "ou_q2e1": "88", "ou_q2e2": "88"})
	_, err = w.sim.SendText(ctx, "ou_hr", "", "年度 2026@s5")
	w.must("send", err)
	w.deliver()
	y5 := w.lastCard("ou_hr", "年度评分：已录入3/3人")
	if r := w.click(y5.MessageID, "ou_hr", "btn_1", nil); r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("compose S5's year: toast %+v", r.Toast)
	}
	w.deliver()
	n5 := w.lastCard("ou_head", "请审定2026年度（S5）考核等次")
	r = w.click(n5.MessageID, "ou_head", "btn_1", nil)
	c = string(r.Card)
	if !strings.Contains(c, "2026年度（S5）考核等次审定") || !strings.Contains(c, "q2干部e1") || strings.Contains(c, "q1干部") {
		t.Errorf("S5's committee card should list 业务科 alone: %s", c)
	}
	if r := w.click(n5.MessageID, "ou_head", "submit", map[string]any{}); r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("confirm S5's year: toast %+v", r.Toast)
	}
	w.deliver()
	w.lastCard("ou_hr", "2026年度（S5）考核等次已确认")
	if p, err := w.svc.Period(ctx, "2026"); err != nil || p.State != workflow.PeriodCommittee {
		t.Errorf("S4's year after S5's was confirmed: %+v, %v", p, err)
	}

	// 年度 2026@s5: S5's year alone.
	_, err = w.sim.SendText(ctx, "ou_hr", "", "年度 2026@S5")
	w.must("send", err)
	w.deliver()
	one := w.lastCard("ou_hr", "2026年度（S5）考核")
	if strings.Contains(one.Content, "【2026年度】") || strings.Contains(one.Content, "2026年第一季度：") {
		t.Errorf("年度 2026@s5 shows S4's year: %s", one.Content)
	}
	_, err = w.sim.SendText(ctx, "ou_hr", "", "年度 2026@s9")
	w.must("send", err)
	w.deliver()
	w.lastCard("ou_hr", "没有此考核方案")
}

// TestOpenPeriodsThroughLark: 开启考核 without a period lists the next
// period of each scheme in use with its own button; pressing S5's opens
// S5's quarter only.
func TestOpenPeriodsThroughLark(t *testing.T) {
	t.Parallel()
	w := mixedWorld(t, "cli_open_schemes")
	_, err := w.sim.SendText(w.ctx, "ou_hr", "", "开启考核")
	w.must("send", err)
	w.deliver()
	oc := w.lastCard("ou_hr", "各考核方案分别开启")
	for _, want := range []string{"2027-Q1）", "2027-Q1@s5", "开启2027年第一季度（S5）"} {
		if !strings.Contains(oc.Content, want) {
			t.Errorf("开启考核 card lacks %q: %s", want, oc.Content)
		}
	}
	if r := w.click(oc.MessageID, "ou_hr", "btn_2", nil); r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("open S5's quarter: toast %+v", r.Toast)
	}
	if p, err := w.svc.Period(w.ctx, "2027-Q1@s5"); err != nil || p.Scheme != "s5" {
		t.Errorf("S5's quarter: %+v, %v", p, err)
	}
	if _, err := w.svc.Period(w.ctx, "2027-Q1"); err == nil {
		t.Errorf("S4's quarter opened too")
	}
}

// TestPersonCardSchemeThroughLark: HR's person card offers the sanction
// kinds of the person's own scheme: 党内警告 is S4's (办公室), not S5's
// (业务科).
func TestPersonCardSchemeThroughLark(t *testing.T) {
	t.Parallel()
	w := mixedWorld(t, "cli_person_schemes")
	for _, tc := range []struct {
		name string
		want bool
	}{{"q1干部e1", true}, {"q2干部e1", false}} {
		_, err := w.sim.SendText(w.ctx, "ou_hr", "", "人员 "+tc.name)
		w.must("send", err)
		w.deliver()
		c := w.lastCard("ou_hr", tc.name)
		if got := strings.Contains(c.Content, "党内警告"); got != tc.want || !strings.Contains(c.Content, "记过") {
			t.Errorf("%s's card offers 党内警告: %v, want %v", tc.name, got, tc.want)
		}
	}
}
