package workflow_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestQuarterS5 runs 2026-Q3 under S5 (A/B/C/D set by the 内设机构正职, A
// between 20% and 30%, 复核 within 15 days, 平时 60% of the year).
func TestQuarterS5(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s5", at(2026, 7, 1, 8, 30), func(c *workflow.Config) {
		// S5 四: 内设机构其他人员由所在内设机构正职领导负责考核; 正职 by the 部门正职领导.
		c.Chains = map[string][]workflow.ChainStep{
			"":        {{Role: workflow.RoleUnitLeader, Name: "评鉴"}},
			"@leader": {{Role: workflow.RoleHead, Name: "评鉴"}},
		}
		// S5 四(三)1: 每季度最后一周 the summary.
		c.Deadlines.Summary = func(_ workflow.Calendar, p calendar.Period) calendar.Date { return p.End() }
	})
	h.org60()
	const q = "2026-Q3"
	_, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open", err)
	var evs []event
	for _, w := range weeksOf(q) {
		fri := w.Start().AddDays(4)
		evs = append(evs, event{at(fri.Year, fri.Month, fri.Day, 10, 0), func() {
			for _, p := range staff() {
				h.must("weekly", h.svc.Submit(ctx, p, weekly(w.String())))
			}
		}})
	}
	for _, m := range []struct {
		id  string
		day time.Time
	}{{"2026-07", at(2026, 7, 30, 10, 0)}, {"2026-08", at(2026, 8, 28, 10, 0)}} {
		evs = append(evs, event{m.day, func() {
			for _, p := range staff() {
				h.must("monthly", h.svc.Submit(ctx, p, monthly(m.id)))
			}
		}})
	}
	h.run(evs)
	// September's 月小结 is due 30 September; nobody has written it by the
	// day before at 15:00, so all 60 are nudged once.
	h.advance(at(2026, 9, 28, 10, 0))
	h.take()
	for _, p := range staff() {
		h.must("summary", h.svc.Submit(ctx, p, summary(q)))
	}
	h.advance(at(2026, 9, 29, 15, 30))
	ns := h.take()
	if got := len(sel(ns, workflow.TplRemind, "entry=2026-09", "stage=before")); got != 60 {
		t.Errorf("monthly before-nudges = %d, want 60", got)
	}
	for _, p := range staff() {
		h.must("monthly", h.svc.Submit(ctx, p, monthly("2026-09")))
	}
	h.must("delegate", h.svc.Delegate(ctx, "l3", "s2", h.clk.Now(), at(2026, 10, 9, 0, 0), "休假"))

	grade := func(p string) string {
		var n int
		switch {
		case strings.HasPrefix(p, "l"):
			return "B"
		case p == "e50":
			return "C"
		case p == "e57":
			return "D"
		}
		sscan(p, &n)
		if (n >= 1 && n <= 7) || (n >= 20 && n <= 25) || (n >= 39 && n <= 44) {
			return "A" // 19 A, one more than 30% of 60
		}
		return "B"
	}
	// Send back one summary; grade everyone but e30 (l2 forgets).
	s2 := h.pendingStep(q, "e02")
	h.must("send back", h.svc.Act(ctx, "l1", workflow.StepAction{StepID: s2.ID, Version: s2.Version, Action: workflow.ActSendBack, Reason: "请补充培训情况"}))
	h.wantErr("grade a returned summary", h.svc.Act(ctx, "l1", workflow.StepAction{StepID: s2.ID, Version: s2.Version + 1, Action: workflow.ActApprove, Assessment: &workflow.Assessment{Grade: "A"}}), workflow.ErrStale)
	h.must("resubmit", h.svc.Submit(ctx, "e02", summary(q)))
	h.wantErr("unknown grade", func() error {
		s := h.pendingStep(q, "e01")
		return h.svc.Act(ctx, "l1", workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove, Assessment: &workflow.Assessment{Grade: "优"}})
	}(), workflow.ErrInvalidInput)
	for _, p := range staff() {
		if p == "e30" {
			continue
		}
		s := h.pendingStep(q, p)
		by := s.Assignee
		if by == "l3" {
			by = "s2" // acting for l3
		}
		h.must("grade "+p, h.svc.Act(ctx, by, workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove, Assessment: &workflow.Assessment{Grade: grade(p), Comment: "表现良好"}}))
	}
	// The delegation ends: s2 may no longer act for l3.
	h.advance(at(2026, 10, 12, 9, 30))
	ns = h.take()
	h.checkNotes(ns, []string{"l2"}, at(2026, 10, 8, 9, 0), workflow.TplRemind, "item=step", "stage=due")
	h.checkNotes(ns, []string{"l2"}, at(2026, 10, 9, 9, 0), workflow.TplRemind, "item=step", "stage=overdue")
	// The 调休 Saturday 10 October is a working day: the escalation goes out then.
	h.checkNotes(ns, []string{"s1"}, at(2026, 10, 10, 9, 0), workflow.TplEscalate, "item=step", "stage=leader")
	h.checkNotes(ns, []string{"hr"}, at(2026, 10, 12, 9, 0), workflow.TplEscalate, "item=step", "stage=hr")
	s30 := h.pendingStep(q, "e30")
	h.must("grade e30", h.svc.Act(ctx, "l2", workflow.StepAction{StepID: s30.ID, Version: s30.Version, Action: workflow.ActApprove, Assessment: &workflow.Assessment{Grade: "B"}}))

	h.seedPeriod("2026-Q2", func(p string) (string, string) {
		if p == "e57" {
			return "D", ""
		}
		return "B", ""
	})
	h.must("close", h.svc.CloseAppraisal(ctx, "hr", q))
	ns = h.take()
	if n, _ := find(ns, workflow.TplCommitteeTie, "c1"); n.Data["count"] != "19" {
		t.Errorf("tie = %v, want all 19 A (no scores to rank them)", n.Data)
	}
	h.must("decide", h.svc.CommitteeDecide(ctx, "c1", q, "e44", "B", "名额所限，按工作实绩排序"))
	h.must("confirm", h.svc.ConfirmResults(ctx, "c1", q))
	ns = h.take()
	if n, _ := find(ns, workflow.TplBottomAlert, "hr"); n.Data["person"] != "干部57" {
		t.Errorf("bottom alert = %v", n.Data)
	}
	counts := map[string]int{}
	for _, p := range staff() {
		r, err := h.svc.Result(ctx, p, q, p)
		h.must("result", err)
		counts[r.Grade]++
	}
	if counts["A"] != 18 || counts["C"] != 1 || counts["D"] != 1 {
		t.Errorf("grades = %v, want 18 A", counts)
	}
	h.advance(at(2026, 10, 13, 10, 0))
	h.must("publish", h.svc.Publish(ctx, "hr", q))
	if pd, _ := h.svc.Period(ctx, q); pd.ReviewEnd != calendar.NewDate(2026, 10, 28) {
		t.Errorf("review window ends %s, want 15 days after 公示", pd.ReviewEnd)
	}
	h.advance(at(2026, 10, 20, 10, 0))
	// S5 六(四): "申请复核的，须提供经主管领导确认的本人平时考核材料".
	h.wantErr("request without materials", h.svc.RequestReview(ctx, "e50", q, "本季度完成专项任务未计入"), workflow.ErrInvalidInput)
	h.must("request", h.svc.RequestReviewWith(ctx, "e50", q, "本季度完成专项任务未计入", "季度评鉴表及专项工作组情况说明，已经主管领导确认"))
	if n, _ := find(h.take(), workflow.TplReviewRequested, "hr"); n.Data["materials"] != "季度评鉴表及专项工作组情况说明，已经主管领导确认" {
		t.Errorf("HR's notice = %v, want the materials", n.Data)
	}
	h.must("forward", h.svc.HandleReview(ctx, "hr", q+"/e50", 1, true, "材料经主管领导确认"))
	h.must("decide", h.svc.DecideReview(ctx, "head", q+"/e50", 2, "B", "专项任务属实"))
	if r, _ := h.svc.Result(ctx, "e50", q, "e50"); r.Grade != "B" {
		t.Errorf("e50 after 复核 = %s, want B", r.Grade)
	}
	// A request on file without the materials (filed before the scheme
	// asked for them) is not forwarded; HR may answer it.
	h.must("old request", h.store.InTx(ctx, func(tx workflow.Tx) error {
		return tx.CreateReview(ctx, workflow.Review{ID: q + "/e52", Period: q, Person: "e52", Reason: "不服", State: workflow.ReviewRequested, OldGrade: "B", CreatedAt: h.clk.Now()})
	}))
	h.wantErr("forward without materials", h.svc.HandleReview(ctx, "hr", q+"/e52", 1, true, "转委员会"), workflow.ErrInvalidInput)
	h.must("reject without materials", h.svc.HandleReview(ctx, "hr", q+"/e52", 1, false, "未附经主管领导确认的材料"))
	h.advance(at(2026, 10, 29, 10, 0))
	h.wantErr("review after 15 days", h.svc.RequestReview(ctx, "e51", q, "不服"), workflow.ErrWindowClosed)

	// Year end: 平时 (grade points) 60% + the annual part 40%. e01: A, B (Q2),
	// A, A → 87.5 × 60% + 90 × 40% = 88.5.
	h.seedPeriod("2026-Q1", func(p string) (string, string) {
		if p == "e50" {
			return "C", ""
		}
		return grade(p), ""
	})
	h.advance(at(2027, 1, 12, 10, 0))
	h.seedPeriod("2026-Q4", func(p string) (string, string) { return grade(p), "" })
	annual := map[string]*scoring.AnnualInput{}
	for _, p := range staff() {
		d := scoring.D("90")
		annual[p] = &scoring.AnnualInput{Score: &d}
	}
	yr, err := h.svc.ComposeYear(ctx, "hr", "2026", workflow.YearSpec{Annual: annual, Proposed: map[string]string{"e01": "优秀", "e50": "优秀", "e57": "称职"}})
	h.must("compose", err)
	got := map[string]workflow.AnnualResult{}
	for _, a := range yr {
		got[a.Person] = a
	}
	if a := got["e01"]; a.Grade != "优秀" || a.Total == nil || a.Total.String() != "88.5" {
		t.Errorf("e01 annual = %+v", a)
	}
	if got["e50"].Grade != "称职" || got["e57"].Grade != "基本称职" {
		t.Errorf("annual e50 %q (one C: no 优秀), e57 %q (two D: at most 基本称职)", got["e50"].Grade, got["e57"].Grade)
	}
	if err := workflow.VerifyAudit(nil, h.audit()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
}
