package workflow_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// TestAllowances (S2 五): the attendance HR enters each month becomes the
// period's allowance table through the scheme's rules; a stranger is
// refused, a period without attendance and a scheme without allowance
// rules get a Chinese message.
func TestAllowances(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s2", at(2026, 9, 1, 9, 0), nil)
	h.org60()
	const q = "2026-Q3"
	_, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open", err)
	var ie *workflow.InputError
	if _, err := h.svc.Allowances(ctx, "hr", q); !errors.As(err, &ie) || !strings.Contains(ie.Msg, "尚未登记考勤") {
		t.Fatalf("no attendance: %v", err)
	}
	h.must("e01 July", h.svc.SetAttendance(ctx, "hr", "e01", "2026-07", workflow.EntryBody{Leave: []scoring.LeaveInput{
		{Kind: "病假", Days: scoring.D("2")}, {Kind: "事假", Days: scoring.D("3")}, {Kind: "年休假", Days: scoring.D("5")}}}))
	h.must("e02 August", h.svc.SetAttendance(ctx, "hr", "e02", "2026-08", workflow.EntryBody{Leave: []scoring.LeaveInput{
		{Kind: "旷工", Days: scoring.D("1")}}}))
	f, err := h.svc.Allowances(ctx, "hr", q)
	h.must("allowances", err)
	r := f.Allowance
	var got []string
	for _, l := range r.Lines {
		got = append(got, l.Person+" "+l.Month+" "+l.Allowance+" "+l.Attendance+" "+l.Cut)
	}
	want := []string{
		"e01 2026-07 工作性津贴 病假2天、事假3天、年休假5天 扣减2天日津贴：月标准 × 2 ÷ (23 − 3)",
		"e01 2026-07 区县津补贴 病假2天、事假3天、年休假5天 扣减20元（2天 × 10元）",
		"e02 2026-08 工作性津贴 旷工1天 扣发1 × 1/3",
		"e02 2026-08 区县津补贴 旷工1天 扣发1 × 1/3",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Scored || strings.Join(r.Recorded, ",") != "2026-07,2026-08" || strings.Join(r.Unrecorded, ",") != "2026-09" {
		t.Errorf("report: scored %v recorded %v unrecorded %v", r.Scored, r.Recorded, r.Unrecorded)
	}
	before := len(h.audit())
	if _, err := h.svc.Allowances(ctx, "e03", q); !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("a stranger: %v", err)
	}
	if len(h.audit()) != before+1 {
		t.Errorf("the refusal is not audited")
	}

	h4 := newHarness(t, "s4", at(2026, 9, 1, 9, 0), nil)
	h4.org60()
	_, err = h4.svc.OpenPeriod(ctx, "hr", q)
	h4.must("open", err)
	if _, err := h4.svc.Allowances(ctx, "hr", q); !errors.As(err, &ie) || !strings.Contains(ie.Msg, "没有津贴扣减规则") {
		t.Errorf("s4: %v", err)
	}
	if _, err := h4.svc.Allowances(ctx, "e03", q); !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("s4 stranger: %v", err)
	}
}
