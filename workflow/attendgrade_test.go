package workflow_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestS1AttendanceCapsGrade (S1 第九条: 优 "出全勤"; 良 "病、事假按月不超过3天"):
// the attendance HR records reaches the grade. Ten people, no ballots (the
// 民主测评 is left out under its floor, so the leader's total is the
// score): e01 at 95 came late once in May (HR's monthly attendance) and is
// 良 (称职), with the reason on the result; e03 at 85 was on sick leave
// Monday to Thursday 1–4 June (the person card's leave, 4 working days in
// one month) and is 中 (基本称职); e02 at 96 with nothing recorded and e04
// at 92 with a week of 年休假 keep 优秀, and the quota (4 of 10) is not
// reached once e01 is out of it.
func TestS1AttendanceCapsGrade(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s1", at(2026, 7, 1, 9, 0), nil)
	staff := h.quotaOrg(10, false)
	const q = "2026-Q2"
	total := map[string]int{"e01": 95, "e02": 96, "e03": 85, "e04": 92, "e06": 94}
	_, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open", err)
	h.must("attendance", h.svc.SetAttendance(ctx, "hr", "e01", "2026-05", workflow.EntryBody{Late: 1}))
	// Half a day of 旷工 breaks 全勤 as a whole one does; the conditions
	// count it in whole days.
	h.must("absence", h.svc.SetAttendance(ctx, "hr", "e06", "2026-04", workflow.EntryBody{Leave: []scoring.LeaveInput{
		{Kind: workflow.AbsenceKind, Days: scoring.D("0.5")}}}))
	h.must("sick leave", h.svc.AddAbsence(ctx, "hr", "e03", workflow.Absence{Kind: "病假",
		Start: calendar.MustParseDate("2026-06-01"), End: calendar.MustParseDate("2026-06-04")}))
	h.must("annual leave", h.svc.AddAbsence(ctx, "hr", "e04", workflow.Absence{Kind: "年休假",
		Start: calendar.MustParseDate("2026-06-08"), End: calendar.MustParseDate("2026-06-12")}))
	for _, p := range staff {
		for _, w := range weeksOf(q) {
			h.must("weekly "+p, h.svc.Submit(ctx, p, weekly(w.String())))
		}
		h.must("summary "+p, h.svc.Submit(ctx, p, summary(q)))
	}
	h.actAll(q, nil, func(id string) *workflow.Assessment {
		if t, ok := total[id]; ok {
			return s1Total(t)
		}
		return s1Total(80)
	})
	h.must("close", h.svc.CloseAppraisal(ctx, "hr", q))
	cases := []struct {
		id, grade string
		capped    bool
		explain   string
	}{
		{"e01", "称职", true, "未出全勤（2026年5月迟到1次），不能评为「优秀」，定为「称职」"},
		{"e02", "优秀", false, "96分属于「优秀」"},
		{"e03", "基本称职", true, "2026年6月病假、事假4天，超过每月3天，不能评为「称职」，定为「基本称职」"},
		{"e04", "优秀", false, "92分属于「优秀」"},
		{"e05", "称职", false, "80分属于「称职」"},
		{"e06", "称职", true, "未出全勤（2026年4月旷工1天），不能评为「优秀」，定为「称职」"},
	}
	for _, c := range cases {
		r, err := h.svc.Result(ctx, "hr", q, c.id)
		h.must("result "+c.id, err)
		if r.Grade != c.grade || slices.Contains(r.Flags, scoring.FlagAttendance) != c.capped {
			t.Errorf("%s: grade %q flags %v, want %q (capped %v)", c.id, r.Grade, r.Flags, c.grade, c.capped)
		}
		if !strings.Contains(strings.Join(r.Explain, "\n"), c.explain) {
			t.Errorf("%s: explanation lacks %q:\n%s", c.id, c.explain, strings.Join(r.Explain, "\n"))
		}
	}
	if st := h.standing(q); *st.MaxCount != 4 || len(st.Demoted) != 0 {
		t.Errorf("standing = %+v, want a cap of 4 and nobody demoted", st)
	}
}
