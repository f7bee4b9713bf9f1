package workflow_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestHalfYearFilingDue: under S8 (备案 每半年, 四(三)6) both quarters of a
// half carry the half's deadline, by default the last working day of the
// month after the half, else deadline_filing_half_year; S4 files each
// quarter by its own deadline (次月6日).
func TestHalfYearFilingDue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, scheme, spec, period, want string
	}{
		{"S8 Q1 default", "s8", "", "2026-Q1", "2026-07-31"},
		{"S8 Q2 default", "s8", "", "2026-Q2", "2026-07-31"},
		{"S8 Q4 default", "s8", "", "2026-Q4", calendar.Default().LastWorkdayOfMonth(2027, time.January).String()},
		{"S8 Q3 configured", "s8", "next-month-day:20", "2026-Q3", "2027-01-20"},
		{"S4 quarterly", "s4", "", "2026-Q1", "2026-04-07"}, // 6 April 2026 is 清明's day off
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.scheme, at(2026, 1, 5, 9, 0), func(c *workflow.Config) {
				d, err := workflow.DeadlineSpecs{FilingHalfYear: tc.spec}.Deadlines(calendar.Default())
				if err != nil {
					t.Fatal(err)
				}
				c.Deadlines = d
			})
			h.orgS8()
			p, err := h.svc.OpenPeriod(ctx, "hr", tc.period)
			h.must("open", err)
			if p.FilingDue.String() != tc.want {
				t.Errorf("FilingDue of %s = %s, want %s", tc.period, p.FilingDue, tc.want)
			}
		})
	}
}

// TestHalfYearFiling runs S8's first half on a moving clock: Q1 closes
// with no 备案 reminder of its own (its closing notice says it goes with
// Q2, and 备案 of Q1 alone is refused); once Q2 closes HR is reminded once
// of both quarters; 备案 of Q2 is refused while Q1 is not closed, and then
// marks both filed.
func TestHalfYearFiling(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s8", at(2026, 1, 5, 9, 0), nil)
	h.orgS8()
	var all []workflow.Notification
	h.s8Appraise("2026-Q1", at(2026, 4, 1, 10, 0), nil, s8Plain)
	h.s8Finish("2026-Q1")
	h.advance(at(2026, 5, 20, 18, 0)) // past Q1's windows and a quarterly 次月6日
	all = append(all, h.take()...)
	if n, ok := find(all, workflow.TplPeriodClosed, "hr"); !ok || n.Data["with"] != "2026-Q2" {
		t.Errorf("Q1's closing notice = %+v, %v; want with=2026-Q2", n.Data, ok)
	}

	h.s8Appraise("2026-Q2", at(2026, 7, 1, 10, 0), nil, s8Plain)
	h.s8Finish("2026-Q2")
	h.advance(at(2026, 7, 31, 18, 0))
	all = append(all, h.take()...)
	if got := sel(all, workflow.TplFilingDue, "period=2026-Q1"); len(got) != 0 {
		t.Errorf("Q1 has its own 备案 reminder, to %v", got)
	}
	var q2 []workflow.Notification
	for _, n := range all {
		if n.Template == workflow.TplFilingDue {
			q2 = append(q2, n)
		}
	}
	// DefaultPlans: two working days before and on the day.
	if len(q2) != 2 {
		t.Fatalf("备案 reminders: %+v, want 2 (before and due) for Q2", q2)
	}
	for _, n := range q2 {
		if n.To != "hr" || n.Data["period"] != "2026-Q2" || n.Data["with"] != "2026-Q1" || n.Data["due"] != "2026-07-31" {
			t.Errorf("备案 reminder %s %+v, want HR's for 2026-Q2 with 2026-Q1, due 2026-07-31", n.To, n.Data)
		}
	}

	mark := []struct {
		name   string
		before func()
		period string
		want   string // "" for success
	}{
		{"Q1 alone", nil, "2026-Q1", "本方案每半年备案一次：2026年第一季度考核结果与2026年第二季度一并备案"},
		{"Q2 with Q1 not closed", func() { h.setPeriodState("2026-Q1", workflow.PeriodPublished) }, "2026-Q2", "2026年第一季度考核结果尚未确定"},
		{"Q2", func() { h.setPeriodState("2026-Q1", workflow.PeriodClosed) }, "2026-Q2", ""},
		{"Q2 again", nil, "2026-Q2", "已于2026-07-31备案"},
		{"Q1 after", nil, "2026-Q1", "已于2026-07-31备案"},
	}
	for _, m := range mark {
		if m.before != nil {
			m.before()
		}
		err := h.svc.MarkFiled(ctx, "hr", m.period)
		if m.want == "" {
			h.must(m.name, err)
			continue
		}
		if !errors.Is(err, workflow.ErrInvalidTransition) || !strings.Contains(workflow.Message(err), m.want) {
			t.Errorf("%s: %v (%q), want ErrInvalidTransition saying %q", m.name, err, workflow.Message(err), m.want)
		}
	}
	for _, id := range []string{"2026-Q1", "2026-Q2"} {
		if p, _ := h.svc.Period(ctx, id); p.FiledAt.IsZero() {
			t.Errorf("%s not filed", id)
		}
	}
	h.advance(at(2026, 8, 5, 18, 0))
	if got := sel(h.take(), workflow.TplFilingDue); len(got) != 0 {
		t.Errorf("备案 reminders after filing: %v", got)
	}
}
