package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// yearWorld is an S4 office whose four quarters of 2026 are published:
// e1 好 in every one, e2 好 in two, e3 一般 once; head and hr sit on the
// committee.
func yearWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, "cli_year", time.Date(2027, 1, 20, 9, 0, 0, 0, calendar.DefaultLocation()))
	ps := []workflow.Person{{ID: "ou_hr", Name: "政工科", HR: true, Committee: true}, {ID: "ou_head", Name: "局长", Committee: true},
		{ID: "ou_l1", Name: "科长", Unit: "u1"}, {ID: "ou_e1", Name: "甲", Unit: "u1", Assessed: true},
		{ID: "ou_e2", Name: "乙", Unit: "u1", Assessed: true}, {ID: "ou_e3", Name: "丙", Unit: "u1", Assessed: true}}
	for _, p := range ps {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_head"}}, ps))
	grades := map[string][4]string{"ou_e1": {"好", "好", "好", "好"}, "ou_e2": {"好", "较好", "好", "较好"}, "ou_e3": {"一般", "较好", "较好", "较好"}}
	w.must("seed", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		for q, id := range []string{"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"} {
			cp := calendar.MustParsePeriod(id)
			if err := tx.CreatePeriod(w.ctx, workflow.Period{ID: id, Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(),
				State: workflow.PeriodClosed, PublishedAt: w.clk.Now(), FiledAt: w.clk.Now()}); err != nil {
				return err
			}
			for p, g := range grades {
				d := scoring.D(map[string]string{"好": "92", "较好": "85", "一般": "70"}[g[q]])
				if err := tx.PutResult(w.ctx, workflow.Result{Period: id, Person: p, Grade: g[q], Score: &d, State: scoring.StateGraded, Version: 1}); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	return w
}

// TestYearInCards: HR composes the year from 年度; the committee gets its
// card with the drafts (甲 优秀 first, 乙 and 丙 称职), cannot make 丙 优秀,
// makes 乙 优秀 and confirms; HR is told and publishes the year's 公示; a
// stranger's click on the committee's card is refused and audited once, an
// old card is stale, and the same click twice acts once.
func TestYearInCards(t *testing.T) {
	t.Parallel()
	w := yearWorld(t)
	ctx := context.Background()
	_, err := w.sim.SendText(ctx, "ou_hr", "", "年度 2026")
	w.must("年度", err)
	w.deliver()
	yc := w.lastCard("ou_hr", "生成年度考核结果")
	if r := w.click(yc.MessageID, "ou_hr", "btn_1", nil); r.Toast == nil || !strings.Contains(r.Toast.Content+string(r.Card), "已提交考核委员会审定") {
		t.Fatalf("compose: %+v", r)
	}
	w.deliver()
	n := w.lastCard("ou_head", "请审定2026年度考核等次")
	form := w.click(n.MessageID, "ou_head", "btn_1", nil)
	body := string(form.Card)
	for _, want := range []string{"**甲**", "优先「优秀」", "**丙**", "（最高「称职」）", `"initial_option":"优秀"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the committee's card lacks %q: %s", want, body)
		}
	}
	// A stranger (an employee) clicking a forwarded copy of the card.
	rows := len(w.auditRows())
	ev := clickEvent("year-stranger", "ou_e1", card.KindYearConfirm, workflow.Step{}, map[string]any{card.GradeField("ou_e1"): "优秀", card.FieldYearReason: "x"})
	ev.Event.Action.Value = map[string]any{"k": card.KindYearConfirm, "id": "2026", "v": float64(1)}
	sr, _ := w.bot.OnCardAction(ctx, ev)
	if got := toastOf(sr); !strings.HasPrefix(got, "error:") || !strings.Contains(got, "无权") {
		t.Errorf("a stranger confirming the year: %q", got)
	}
	if a := w.auditRows(); len(a) != rows+1 || !a[len(a)-1].Denied {
		t.Errorf("the stranger's click added %d audit rows, want one denial", len(a)-rows)
	}
	// 丙 had 一般: 优秀 is refused with the rule, nothing confirmed.
	r, err := w.sim.ClickButton(ctx, n.MessageID, "ou_head", "submit", map[string]any{card.GradeField("ou_e3"): "优秀", card.FieldYearReason: "进步明显"})
	w.must("raise 丙", err)
	if r.Toast == nil || r.Toast.Type != "error" || !strings.Contains(r.Toast.Content, "最高为「称职」") {
		t.Errorf("raising 丙: %+v", r.Toast)
	}
	// HR composes again meanwhile: the committee's open card is old.
	_, err = w.sim.SendText(ctx, "ou_hr", "", "年度 2026")
	w.must("年度 again", err)
	w.deliver()
	yc2 := w.lastCard("ou_hr", "生成年度考核结果")
	w.click(yc2.MessageID, "ou_hr", "btn_1", nil)
	w.deliver()
	r, err = w.sim.ClickButton(ctx, n.MessageID, "ou_head", "submit", map[string]any{card.GradeField("ou_e2"): "优秀", card.FieldYearReason: "好等次达到一半"})
	w.must("old card", err)
	if r.Toast == nil || r.Toast.Content != workflow.Message(workflow.ErrStale) {
		t.Errorf("the committee's old card: %+v", r.Toast)
	}
	// The same click delivered twice (a double tap reaching the bot as one
	// event twice) confirms once and answers the same.
	p, err := w.svc.Period(ctx, "2026")
	w.must("year", err)
	fv := map[string]any{card.GradeField("ou_e1"): "优秀", card.GradeField("ou_e2"): "优秀", card.GradeField("ou_e3"): "称职", card.FieldYearReason: "好等次达到一半"}
	confirm := func() string {
		ev := clickEvent("year-confirm", "ou_head", card.KindYearConfirm, workflow.Step{}, fv)
		ev.Event.Action.Value = map[string]any{"k": card.KindYearConfirm, "id": "2026", "v": float64(p.Version)}
		r, _ := w.bot.OnCardAction(ctx, ev)
		return toastOf(r)
	}
	first, second := confirm(), confirm()
	if first != second || !strings.HasPrefix(first, "success:") {
		t.Errorf("confirm twice: %q then %q", first, second)
	}
	confirmed := 0
	for _, a := range w.auditRows() {
		if a.Action == "year.confirm" && !a.Denied {
			confirmed++
		}
	}
	if confirmed != 1 {
		t.Errorf("confirmed %d times, want once", confirmed)
	}
	w.deliver()
	w.lastCard("ou_hr", "2026年度考核等次已确认")
	_, err = w.sim.SendText(ctx, "ou_hr", "", "公示")
	w.must("公示", err)
	w.deliver()
	r1 := w.lastCard("ou_e2", "2026年度考核结果")
	if !strings.Contains(r1.Content, "优秀") || !strings.Contains(r1.Content, "申请复核") {
		t.Errorf("乙's result card: %s", r1.Content)
	}
}
