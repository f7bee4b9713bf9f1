package workflow_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// quotaOrg sets up one unit of n assessed staff (e01..), its leader l1
// (not assessed), HR, the 主管领导 and two committee members, one of whom
// (e01 when selfOnCommittee) is also assessed.
func (h *harness) quotaOrg(n int, selfOnCommittee bool) []string {
	h.t.Helper()
	units := []workflow.Unit{{ID: "u1", Name: "综合科", Leader: "l1", Supervisor: "s1"}}
	people := []workflow.Person{
		{ID: "head", Name: "局长", Committee: true},
		{ID: "s1", Name: "副局长"},
		{ID: "hr", Name: "政工科", HR: true},
		{ID: "c1", Name: "委员甲", Committee: true},
		{ID: "l1", Name: "科长", Unit: "u1"},
	}
	var staff []string
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("e%02d", i)
		staff = append(staff, id)
		people = append(people, workflow.Person{ID: id, Name: fmt.Sprintf("干部%02d", i), Unit: "u1", Group: "g1", Assessed: true,
			Committee: selfOnCommittee && i == 1})
	}
	h.must("Setup", h.svc.Setup(ctx, "hr", workflow.Settings{Name: "某局", Head: "head"}, units, people))
	return staff
}

// appraise runs q up to the committee: records and summaries for
// everyone, every chain approved with assess, the appraisal closed.
func (h *harness) appraise(q string, staff []string, assess func(id string) *workflow.Assessment) {
	h.t.Helper()
	_, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open", err)
	for _, p := range staff {
		for _, w := range weeksOf(q) {
			h.must("weekly "+p, h.svc.Submit(ctx, p, weekly(w.String())))
		}
		h.must("summary "+p, h.svc.Submit(ctx, p, summary(q)))
	}
	h.actAll(q, nil, assess)
	h.must("close", h.svc.CloseAppraisal(ctx, "hr", q))
}

// s5Chain is S5's chain: the 内设机构正职 sets the grade alone.
func s5Chain(c *workflow.Config) {
	c.Chains = map[string][]workflow.ChainStep{
		"":        {{Role: workflow.RoleUnitLeader, Name: "评鉴"}},
		"@leader": {{Role: workflow.RoleHead, Name: "评鉴"}},
	}
	c.Deadlines.Summary = func(_ workflow.Calendar, p calendar.Period) calendar.Date { return p.End() }
}

func (h *harness) standing(q string) workflow.QuotaStanding {
	h.t.Helper()
	qs, err := h.svc.CommitteeQuotas(ctx, "c1", q)
	h.must("quotas", err)
	if len(qs) != 1 {
		h.t.Fatalf("%d quotas, want 1: %+v", len(qs), qs)
	}
	return qs[0]
}

func (h *harness) grades(q string, staff []string) map[string]string {
	h.t.Helper()
	out := map[string]string{}
	for _, p := range staff {
		r, err := h.svc.Result(ctx, "hr", q, p)
		h.must("result", err)
		out[p] = r.Grade
		if r.State == scoring.StatePending {
			out[p] = "pending"
		}
	}
	return out
}

// TestMinimumShareS5: S5 四(三)2 puts A between 20% and 30% of the people
// appraised. Ten people, one A: the floor is ceil(20% × 10) = 2, the cap
// floor(30% × 10) = 3. The committee sees the shortfall with the people
// next in line, cannot confirm until it acts, may raise named people
// within the cap (not someone already at A, not itself, not so many that
// the cap pushes the A out) and then confirms; the scheme gives no hard
// maximum, so the cap cannot be raised.
func TestMinimumShareS5(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s5", at(2026, 7, 1, 9, 0), s5Chain)
	staff := h.quotaOrg(10, true)
	const q = "2026-Q2"
	grade := map[string]string{"e01": "B", "e02": "B", "e03": "A", "e04": "B", "e05": "B", "e06": "C", "e07": "B", "e08": "B", "e09": "C", "e10": "D"}
	h.appraise(q, staff, func(id string) *workflow.Assessment { return &workflow.Assessment{Grade: grade[id], Comment: "认真"} })

	st := h.standing(q)
	if st.MinCount == nil || *st.MinCount != 2 || st.SchemeMax == nil || *st.SchemeMax != 3 || st.After != 1 || st.Short != 1 || st.HardMax != 0 {
		t.Fatalf("standing = %+v (min %v, scheme max %v)", st, st.MinCount, st.SchemeMax)
	}
	var next []string
	for _, c := range st.Candidates {
		next = append(next, c.Person+":"+c.Grade)
	}
	// Next in line: the B, then the C, then the D; A (e03) is not a candidate.
	if want := "e01:B e02:B e04:B e05:B e07:B e08:B e06:C e09:C e10:D"; strings.Join(next, " ") != want {
		t.Errorf("candidates %v, want %s", next, want)
	}
	err := h.svc.ConfirmResults(ctx, "c1", q)
	if !errors.Is(err, workflow.ErrInvalidTransition) || !strings.Contains(workflow.Message(err), "某局「A」1人，少于下限2人") {
		t.Fatalf("confirm below the floor: %v (%q)", err, workflow.Message(err))
	}
	refused := []struct {
		name string
		by   string
		a    workflow.QuotaAction
		want error
		msg  string
	}{
		{"AlreadyA", "c1", workflow.QuotaAction{Kind: workflow.QuotaRaise, People: []string{"e03"}}, workflow.ErrInvalidInput, "不在可提升的人员之列：干部03"},
		{"NoReason", "c1", workflow.QuotaAction{Kind: workflow.QuotaRaise, People: []string{"e02"}, Reason: " "}, workflow.ErrInvalidInput, "不能为空"},
		{"NoOne", "c1", workflow.QuotaAction{Kind: workflow.QuotaRaise}, workflow.ErrInvalidInput, "请选择提升为「A」的人员"},
		{"Self", "e01", workflow.QuotaAction{Kind: workflow.QuotaRaise, People: []string{"e01"}}, workflow.ErrForbidden, "不能审定本人的等次"},
		{"Stranger", "l1", workflow.QuotaAction{Kind: workflow.QuotaRaise, People: []string{"e02"}}, workflow.ErrForbidden, ""},
		// Three raised and e03 makes four A over a cap of three: the cap
		// would push e03 out, whom the committee did not name.
		{"PushesOut", "c1", workflow.QuotaAction{Kind: workflow.QuotaRaise, People: []string{"e01", "e02", "e04"}}, workflow.ErrInvalidInput, "干部03降等"},
		{"NoHardMax", "c1", workflow.QuotaAction{Kind: workflow.QuotaRaiseCap, Cap: 4}, workflow.ErrInvalidInput, "不能由考核委员会提高"},
		{"UnknownQuota", "c1", workflow.QuotaAction{Kind: workflow.QuotaRaise, Key: "u9", People: []string{"e02"}}, workflow.ErrInvalidInput, "本期没有此名额"},
	}
	for _, tc := range refused {
		a := tc.a
		if a.Key == "" {
			a.Key = "某局"
		}
		a.Grade, a.Scope = "A", "unit"
		if a.Reason == "" {
			a.Reason = "工作实绩突出"
		}
		err := h.svc.CommitteeQuota(ctx, tc.by, q, a)
		if !errors.Is(err, tc.want) || !strings.Contains(workflow.Message(err), tc.msg) {
			t.Errorf("%s: %v (%q), want %v with %q", tc.name, err, workflow.Message(err), tc.want, tc.msg)
		}
	}
	if g := h.grades(q, staff); g["e03"] != "A" || g["e02"] != "B" {
		t.Fatalf("a refused decision changed grades: %v", g)
	}
	p0, _ := h.svc.Period(ctx, q)
	h.must("raise", h.svc.CommitteeQuota(ctx, "c1", q, workflow.QuotaAction{Kind: workflow.QuotaRaise, Grade: "A", Scope: "unit", Key: "某局",
		People: []string{"e02"}, Reason: "牵头完成专项整治，实绩突出"}))
	p1, _ := h.svc.Period(ctx, q)
	if p1.Version != p0.Version+1 || len(p1.Decisions) != 1 || p1.Decisions[0].Person != "e02" {
		t.Errorf("period after raising: v%d→v%d, decisions %+v", p0.Version, p1.Version, p1.Decisions)
	}
	if st := h.standing(q); st.After != 2 || st.Short != 0 || len(st.Candidates) != 0 || slices.Contains(st.Flags, scoring.FlagBelowMinShare) {
		t.Errorf("after raising: %+v", st)
	}
	r, err := h.svc.Result(ctx, "hr", q, "e02")
	h.must("result", err)
	if r.Grade != "A" || !strings.Contains(strings.Join(r.Explain, "\n"), "考核委员会审定为「A」：牵头完成专项整治，实绩突出") {
		t.Errorf("e02 = %s %v", r.Grade, r.Explain)
	}
	h.must("confirm", h.svc.ConfirmResults(ctx, "c1", q))
	if g := h.grades(q, staff); g["e02"] != "A" || g["e03"] != "A" || g["e01"] != "B" {
		t.Errorf("grades = %v", g)
	}
	var rows []string
	for _, a := range h.audit() {
		if a.Action == "committee.quota" && !a.Denied {
			rows = append(rows, a.Detail)
		}
	}
	if len(rows) != 1 || !strings.Contains(rows[0], "e02 -> A (minimum share)") {
		t.Errorf("audit of the decision: %q", rows)
	}
}

// TestShortfallKeptS5: a unit of three under S5 has no count in 20%–30%
// (at most floor(0.9) = 0, at least ceil(0.6) = 1): raising anyone breaks
// the cap, so the committee keeps the shortfall with a reason and can
// then confirm.
func TestShortfallKeptS5(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s5", at(2026, 7, 1, 9, 0), s5Chain)
	staff := h.quotaOrg(3, false)
	const q = "2026-Q2"
	h.appraise(q, staff, func(string) *workflow.Assessment { return &workflow.Assessment{Grade: "B"} })
	st := h.standing(q)
	if *st.SchemeMax != 0 || *st.MinCount != 1 || st.Short != 1 {
		t.Fatalf("standing = %+v", st)
	}
	err := h.svc.CommitteeQuota(ctx, "c1", q, workflow.QuotaAction{Kind: workflow.QuotaRaise, Grade: "A", Scope: "unit", Key: "某局",
		People: []string{"e01"}, Reason: "表现突出"})
	if !errors.Is(err, workflow.ErrInvalidInput) || !strings.Contains(workflow.Message(err), "超过名额0人") {
		t.Errorf("raising over a cap of 0: %v (%q)", err, workflow.Message(err))
	}
	h.wantErr("confirm", h.svc.ConfirmResults(ctx, "c1", q), workflow.ErrInvalidTransition)
	h.must("keep", h.svc.CommitteeQuota(ctx, "c1", q, workflow.QuotaAction{Kind: workflow.QuotaKeepShort, Grade: "A", Scope: "unit", Key: "某局",
		Reason: "本单位仅3人，按30%无A档次名额"}))
	st = h.standing(q)
	if st.Short != 0 || st.Override == nil || st.Override.Kind != workflow.OverrideShortfall || st.Override.By != "c1" {
		t.Errorf("after keeping the shortfall: %+v", st)
	}
	h.wantErr("keep again", h.svc.CommitteeQuota(ctx, "c1", q, workflow.QuotaAction{Kind: workflow.QuotaKeepShort, Grade: "A", Scope: "unit", Key: "某局",
		Reason: "再次"}), workflow.ErrInvalidInput)
	h.must("confirm", h.svc.ConfirmResults(ctx, "c1", q))
}

// s1Total is an S1 assessment totalling t points (德、能、勤、廉 full, 绩 the rest).
func s1Total(t int) *workflow.Assessment {
	j := scoring.IntDec(int64(t - 60))
	return &workflow.Assessment{Indicators: map[string]scoring.Dec{"德": scoring.D("15"), "能": scoring.D("15"), "勤": scoring.D("15"),
		"业务工作": j, "联系村和中心工作": j, "廉": scoring.D("15")}}
}

// TestCapRaisedS1: S1 第九条 puts 优秀 within 40% of the people appraised and
// never over 50%. Ten people, six at 90 or more (no ballot: the 民主测评 is
// left out under its floor, so the leader's score is the total): the cap
// is floor(40% × 10) = 4, so the two at 93 are demoted. The committee may
// raise the cap to at most floor(50% × 10) = 5 with a reason; at 5 the two
// at 93 tie for the last place and the committee decides between them,
// and giving both the grade is refused since it would push out the one at
// 94. Nothing is confirmed while the tie is open.
func TestCapRaisedS1(t *testing.T) {
	t.Parallel()
	bothStores(t, testCapRaisedS1)
}

func testCapRaisedS1(t *testing.T, store workflow.Store) {
	h := newHarnessOn(t, store, "s1", at(2026, 7, 1, 9, 0), nil)
	staff := h.quotaOrg(10, false)
	const q = "2026-Q2"
	total := map[string]int{"e01": 98, "e02": 96, "e03": 95, "e04": 94, "e05": 93, "e06": 93, "e07": 85, "e08": 80, "e09": 75, "e10": 70}
	h.appraise(q, staff, func(id string) *workflow.Assessment { return s1Total(total[id]) })
	st := h.standing(q)
	if *st.SchemeMax != 4 || st.HardMax != 5 || *st.MaxCount != 4 || len(st.Demoted) != 2 || st.Short != 0 {
		t.Fatalf("standing = %+v", st)
	}
	raise := func(n int, why string) error {
		return h.svc.CommitteeQuota(ctx, "c1", q, workflow.QuotaAction{Kind: workflow.QuotaRaiseCap, Grade: "优秀", Scope: "unit", Key: "某局", Cap: n, Reason: why})
	}
	for _, n := range []int{4, 6, 0} {
		if err := raise(n, "x"); !errors.Is(err, workflow.ErrInvalidInput) || !strings.Contains(workflow.Message(err), "核定名额须为5至5人（方案名额4人，最多5人）") {
			t.Errorf("raise to %d: %v (%q)", n, err, workflow.Message(err))
		}
	}
	h.wantErr("no reason", raise(5, ""), workflow.ErrInvalidInput)
	h.wantErr("keep a shortfall that is not", h.svc.CommitteeQuota(ctx, "c1", q, workflow.QuotaAction{Kind: workflow.QuotaKeepShort, Grade: "优秀",
		Scope: "unit", Key: "某局", Reason: "x"}), workflow.ErrInvalidInput)
	h.must("raise", raise(5, "本季度防汛任务重，优秀人员多"))
	st = h.standing(q)
	if *st.MaxCount != 5 || st.Override == nil || st.Override.MaxCount != 5 || len(st.Tied) != 2 || !strings.Contains(st.Explain, "考核委员会核定名额5人：本季度防汛任务重") {
		t.Errorf("after raising: %+v", st)
	}
	if g := h.grades(q, staff); g["e04"] != "优秀" || g["e05"] != "pending" || g["e06"] != "pending" || g["e07"] != "称职" {
		t.Errorf("grades after raising the cap: %v", g)
	}
	h.wantErr("confirm with a tie", h.svc.ConfirmResults(ctx, "c1", q), workflow.ErrIncomplete)
	err := h.svc.CommitteeDecideAll(ctx, "c1", q, []scoring.Decision{{Person: "e05", Grade: "优秀", Reason: "a"}, {Person: "e06", Grade: "优秀", Reason: "b"}})
	if !errors.Is(err, workflow.ErrInvalidInput) || !strings.Contains(workflow.Message(err), "干部04降等") {
		t.Errorf("both tied to 优秀: %v (%q)", err, workflow.Message(err))
	}
	h.must("decide", h.svc.CommitteeDecideAll(ctx, "c1", q, []scoring.Decision{{Person: "e05", Grade: "优秀", Reason: "承担防汛一线任务"},
		{Person: "e06", Grade: "称职", Reason: "名额所限"}}))
	h.must("confirm", h.svc.ConfirmResults(ctx, "c1", q))
	g := h.grades(q, staff)
	n := 0
	for _, v := range g {
		if v == "优秀" {
			n++
		}
	}
	if n != 5 || g["e05"] != "优秀" || g["e06"] != "称职" {
		t.Errorf("confirmed grades %v: %d 优秀, want 5 (50%%)", g, n)
	}
	// A 复核 later keeps the committee's cap: raising e06 needs someone to
	// give way at 5, not at 4.
	h.must("publish", h.svc.Publish(ctx, "hr", q))
	h.must("request", h.svc.RequestReview(ctx, "e06", q, "防汛任务同样突出"))
	h.must("forward", h.svc.HandleReview(ctx, "hr", q+"/e06", 1, true, "材料属实"))
	err = h.svc.DecideReview(ctx, "head", q+"/e06", 2, "优秀", "属实")
	if !errors.Is(err, workflow.ErrInvalidInput) || !strings.Contains(workflow.Message(err), "降等") {
		t.Errorf("a 复核 over the raised cap: %v (%q)", err, workflow.Message(err))
	}
	h.must("review displacing", h.svc.DecideReviewDisplacing(ctx, "head", q+"/e06", 2, "优秀", "属实", "e05"))
	if g := h.grades(q, staff); g["e06"] != "优秀" || g["e05"] != "称职" || g["e04"] != "优秀" {
		t.Errorf("after the 复核: %v", g)
	}
}

// TestCommitteeReturnsUniformScores (S4): the 科长 gave all five people 89,
// which the committee card flags (σ 0, range 0). The committee sends the
// scorer's 初评 back with a reason: the appraisal reopens, each of the five
// has a new 初评 with the scores carried over, the 科长 is told it was the
// committee, HR is told; nothing can be confirmed meanwhile. Once the
// chains are done again the appraisal closes by itself and comes back to
// the committee without the flag.
func TestCommitteeReturnsUniformScores(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s4", at(2026, 10, 12, 9, 0), nil)
	staff := h.quotaOrg(5, false)
	const q = "2026-Q3"
	h.appraise(q, staff, func(string) *workflow.Assessment { return &workflow.Assessment{Indicators: s4Scores(89)} })
	p, _ := h.svc.Period(ctx, q)
	if len(p.Uniform) != 1 || p.Uniform[0].Kind != scoring.UniformScorer || p.Uniform[0].Key != "l1" {
		t.Fatalf("uniform = %+v", p.Uniform)
	}
	refused := []struct {
		name, by, kind, key, reason string
		want                        error
	}{
		{"NotFlagged", "c1", scoring.UniformUnit, "u1", "x", workflow.ErrInvalidInput},
		{"NoReason", "c1", scoring.UniformScorer, "l1", " ", workflow.ErrInvalidInput},
		{"NotCommittee", "hr", scoring.UniformScorer, "l1", "x", workflow.ErrForbidden},
	}
	for _, tc := range refused {
		if err := h.svc.CommitteeReturn(ctx, tc.by, q, tc.kind, tc.key, tc.reason); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	h.take()
	h.must("return", h.svc.CommitteeReturn(ctx, "c1", q, scoring.UniformScorer, "l1", "五人均为89分，无法区分优劣，请拉开档次"))
	p, _ = h.svc.Period(ctx, q)
	if p.State != workflow.PeriodOpen || p.Quotas != nil || p.Uniform != nil {
		t.Fatalf("period after the return: %s, quotas %v, uniform %v", p.State, p.Quotas, p.Uniform)
	}
	ns := h.take()
	if got := sel(ns, workflow.TplStepReturned, "by=考核委员会", "reason=五人均为89分，无法区分优劣，请拉开档次"); len(got) != 5 || got[0] != "l1" {
		t.Errorf("the 科长 told %v", got)
	}
	h.checkNotes(ns, []string{"hr"}, time.Time{}, workflow.TplCommitteeReturned, "count=5", "group=科长（综合科）")
	h.wantErr("confirm while reopened", h.svc.ConfirmResults(ctx, "c1", q), workflow.ErrInvalidTransition)
	for i, id := range staff {
		s := h.pendingStep(q, id)
		if s.Index != 0 || s.Assignee != "l1" || s.Assessment.Indicators["工作负荷"].String() != s4Scores(89)["工作负荷"].String() {
			t.Errorf("%s's new step: %+v", id, s)
		}
		h.wantErr("rescore without a reason", h.svc.Act(ctx, "l1", workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove,
			Assessment: &workflow.Assessment{Indicators: s4Scores(95 - 5*i)}}), workflow.ErrInvalidInput)
		h.must("rescore", h.svc.Act(ctx, "l1", workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove,
			Assessment: &workflow.Assessment{Indicators: s4Scores(95 - 5*i)}, Reason: "按委员会意见重评"}))
	}
	h.actAll(q, nil, nil)
	h.advance(at(2026, 10, 12, 10, 0))
	p, _ = h.svc.Period(ctx, q)
	if p.State != workflow.PeriodCommittee || len(p.Uniform) != 0 {
		t.Fatalf("after rescoring: %s, uniform %+v", p.State, p.Uniform)
	}
	if r, _ := h.svc.Result(ctx, "hr", q, "e01"); r.Score == nil || r.Score.String() != "95" || r.Grade != "好" {
		t.Errorf("e01 after rescoring: %+v", r)
	}
	h.must("confirm", h.svc.ConfirmResults(ctx, "c1", q))
}
