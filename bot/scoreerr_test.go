package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
)

// TestScoringErrorToastInChinese: when the scoring engine refuses a
// period's data (a 职级 the scheme does not have, as an org file can
// set), HR's 结束考核 click gets a Chinese toast naming the person by name
// and what is wrong — none of the engine's English or field names.
func TestScoringErrorToastInChinese(t *testing.T) {
	t.Parallel()
	a := newApprovals(t, 1, memory.New())
	ctx := context.Background()
	for {
		var steps []workflow.Step
		if err := a.store.InTx(ctx, func(tx workflow.Tx) error {
			var err error
			steps, err = tx.Steps(ctx, workflow.StepFilter{Period: "2026-Q3", State: workflow.StepPending})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(steps) == 0 {
			break
		}
		for _, st := range steps {
			act := workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove}
			if len(st.Assessment.Indicators) == 0 {
				act.Assessment = assessment("12")
			}
			if err := a.svc.Act(ctx, st.Assignee, act); err != nil {
				t.Fatalf("%s %s: %v", st.Name, st.Person, err)
			}
		}
	}
	if err := a.store.InTx(ctx, func(tx workflow.Tx) error {
		p, err := tx.Person(ctx, "ou_e00000")
		if err != nil {
			return err
		}
		p.Tier = "处长"
		p.Version++
		return tx.UpdatePerson(ctx, p)
	}); err != nil {
		t.Fatal(err)
	}
	p, err := a.svc.Period(ctx, "2026-Q3")
	if err != nil {
		t.Fatal(err)
	}
	ev := clickEvent("ev-close", "ou_hr", card.KindClosePeriod, workflow.Step{}, nil)
	ev.Event.Action.Value = map[string]any{"k": card.KindClosePeriod, "id": "2026-Q3", "v": float64(p.Version)}
	r, _ := a.bot.OnCardAction(ctx, ev)
	toast := toastOf(r)
	if want := "error:无法计算成绩：干部00000 的职级不符合方案"; !strings.HasPrefix(toast, want) {
		t.Fatalf("toast = %q, want it to start %q", toast, want)
	}
	for _, w := range []string{"person", "tier", "unknown", "ou_e00000", "处长\""} {
		if strings.Contains(toast, w) {
			t.Errorf("toast %q shows %q", toast, w)
		}
	}
}
