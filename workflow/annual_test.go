package workflow_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/workflow"
)

// TestYearCycle: the year goes before the committee like a quarter. HR
// composes it from the four published quarters: e01 (好 in every quarter)
// is drafted 优秀 first (S4 五、4), e02 (好 in two of four, nothing below
// 较好) 称职, e03 (一般 once) 称职 with 优秀 ruled out. The committee raises
// e02 to 优秀 — 好 in half the quarters is enough (S4 五、4 "一半以上",
// 以上 includes the number) — and may not raise e03; nobody is told before
// 公示; HR publishes the 优秀 list and everyone gets their result, and a
// 复核 of the year changes a grade within the rules.
func TestYearCycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s4", at(2027, 1, 20, 9, 0), nil)
	h.org60()
	quarter := map[string][4]string{"e01": {"好", "好", "好", "好"}, "e02": {"好", "较好", "好", "较好"}, "e03": {"一般", "较好", "较好", "较好"}}
	for q, id := range []string{"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"} {
		h.seedPeriod(id, func(p string) (string, string) {
			if g, ok := quarter[p]; ok {
				return g[q], map[string]string{"好": "92", "较好": "85", "一般": "70"}[g[q]]
			}
			return "较好", "85"
		})
	}
	h.take()
	h.refused("compose as a leader", func() error { _, err := h.svc.ComposeYear(ctx, "l1", "2026", workflow.YearSpec{}); return err }, "")
	_, err := h.svc.ComposeYear(ctx, "hr", "2026", workflow.YearSpec{})
	h.must("compose", err)
	ns := h.take()
	if got := sel(ns, workflow.TplYearCommittee); !slices.Equal(got, []string{"c1", "head", "s1"}) {
		t.Errorf("committee told: %v", got)
	}
	if got := sel(ns, workflow.TplResult); len(got) != 0 {
		t.Errorf("people told before 公示: %v", got)
	}
	v, err := h.svc.Year(ctx, "head", "2026")
	h.must("year", err)
	if v.Period.State != workflow.PeriodCommittee || v.Period.Kind != workflow.KindYear {
		t.Fatalf("year period %+v", v.Period)
	}
	draft := map[string]workflow.YearRow{}
	for _, r := range v.Rows {
		draft[r.Person.ID] = r
	}
	for id, want := range map[string]string{"e01": "优秀", "e02": "称职", "e03": "称职", "e10": "称职"} {
		if got := draft[id].Result.Grade; got != want {
			t.Errorf("%s drafted %q, want %q", id, got, want)
		}
	}
	if !slices.Contains(draft["e01"].Priority, "优秀") || draft["e03"].MaxGrade != "称职" || !slices.Equal(draft["e03"].Periods, []string{"一般", "较好", "较好", "较好"}) {
		t.Errorf("rows: e01 %+v, e03 %+v", draft["e01"], draft["e03"])
	}
	if _, err := h.svc.Year(ctx, "e05", "2026"); !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("an employee looks at the year: %v", err)
	}
	// e03 may not be 优秀: the rule is named and nothing is confirmed.
	err = h.svc.ConfirmYear(ctx, "head", "2026", v.Period.Version, map[string]string{"e03": "优秀"}, "工作突出")
	if msg := workflow.Message(err); !strings.Contains(msg, "不能定为「优秀」") || !strings.Contains(msg, "最高为「称职」") {
		t.Fatalf("raising e03: %v (%q)", err, msg)
	}
	if err := h.svc.ConfirmYear(ctx, "head", "2026", v.Period.Version, map[string]string{"e02": "优秀"}, ""); !errors.Is(err, workflow.ErrInvalidInput) {
		t.Errorf("a change without a reason: %v", err)
	}
	h.must("confirm", h.svc.ConfirmYear(ctx, "head", "2026", v.Period.Version, map[string]string{"e02": "优秀", "e01": "优秀"}, "全年两个季度为好，牵头完成预算改革"))
	if got := sel(h.take(), workflow.TplYearConfirmed); !slices.Equal(got, []string{"hr"}) {
		t.Errorf("told of the confirmation: %v", got)
	}
	_, err = h.svc.ComposeYear(ctx, "hr", "2026", workflow.YearSpec{})
	if !strings.Contains(workflow.Message(err), "不能重新生成") {
		t.Errorf("composing a confirmed year: %v", err)
	}
	h.must("publish", h.svc.Publish(ctx, "hr", "2026"))
	ns = h.take()
	var pub workflow.Notification
	for _, n := range ns {
		if n.Template == workflow.TplPublicity && n.Data["grade"] == "优秀" {
			pub = n
		}
	}
	if pub.Data["names"] != "干部01、干部02" || pub.Data["period"] != "2026" {
		t.Errorf("公示 %+v, want 干部01、干部02 at 优秀", pub.Data)
	}
	if got := sel(ns, workflow.TplResult, "period=2026"); len(got) != len(staff()) {
		t.Errorf("%d people told their year, want %d", len(got), len(staff()))
	}
	// 复核: e10 asks; the committee raises them to 优秀 — allowed? e10 had
	// 较好 all year: 好 in no quarter, so 优秀 is refused and 称职 stands.
	h.must("ask", h.svc.RequestReview(ctx, "e10", "2026", "全年无差错"))
	rv := "2026/e10"
	h.must("forward", h.svc.HandleReview(ctx, "hr", rv, 1, true, "请委员会审议"))
	err = h.svc.DecideReview(ctx, "head", rv, 2, "优秀", "全年无差错")
	if !strings.Contains(workflow.Message(err), "最高为「称职」") {
		t.Errorf("raising e10 by 复核: %v", err)
	}
	h.must("decide", h.svc.DecideReview(ctx, "head", rv, 2, "基本称职", "复核查明有迟报"))
	r, err := h.svc.Result(ctx, "hr", "2026", "e10")
	h.must("result", err)
	if r.Grade != "基本称职" || !strings.Contains(strings.Join(r.Explain, "\n"), "复核：考核委员会将年度等次由「称职」改为「基本称职」") {
		t.Errorf("e10 after 复核: %q %v", r.Grade, r.Explain)
	}
}
