package workflow

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestDeadlineSpecs checks the deadline rules as configuration on real
// dates around the 2026 National Day holidays (1–7 October; Saturday 10
// October is a 调休 working day).
func TestDeadlineSpecs(t *testing.T) {
	t.Parallel()
	cal := calendar.Default()
	q3 := calendar.MustParsePeriod("2026-Q3")
	tests := []struct {
		name  string
		specs DeadlineSpecs
		pick  func(Deadlines) DueFunc
		p     calendar.Period
		want  string
	}{
		// S2: 每季度结束后的次月6日前 — 6 October is a holiday, so 8 October.
		{"FilingS2NextMonthDay6", DeadlineSpecs{Filing: "next-month-day:6"}, func(d Deadlines) DueFunc { return d.Filing }, q3, "2026-10-08"},
		// S10: 每个季度结束后的3个工作日内 — 8, 9, 10 (调休 Saturday) October.
		{"FilingS10ThreeWorkdays", DeadlineSpecs{Filing: "workdays-after-end:3"}, func(d Deadlines) DueFunc { return d.Filing }, q3, "2026-10-10"},
		// S2: 第一、二季度平时考核情况于每年7月10日前报送.
		{"FilingS2July10", DeadlineSpecs{Filing: "fixed:07-10"}, func(d Deadlines) DueFunc { return d.Filing }, calendar.MustParsePeriod("2026-Q2"), "2026-07-10"},
		// 月小结 on the last working day: September 2026 ends on a Wednesday.
		{"MonthlyLastWorkday", DeadlineSpecs{Monthly: "last-workday"}, func(d Deadlines) DueFunc { return d.Monthly }, calendar.MustParsePeriod("2026-09"), "2026-09-30"},
		{"DefaultFilingUnchanged", DeadlineSpecs{}, func(d Deadlines) DueFunc { return d.Filing }, q3, "2026-10-08"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := tc.specs.Deadlines(cal)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.pick(d)(cal, tc.p).String(); got != tc.want {
				t.Errorf("due = %s, want %s", got, tc.want)
			}
		})
	}
	t.Run("ErrBadSpec", func(t *testing.T) {
		t.Parallel()
		_, err := DeadlineSpecs{Summary: "tomorrow-ish"}.Deadlines(cal)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "deadlines.summary" {
			t.Fatalf("err = %v, want InputError on deadlines.summary", err)
		}
	})
}

// TestWeeklyDueMonday: S1 第八条(一)1 "在次周一以前填写《周工作记实表》". Monday
// is on time (以前 read as "on or before", like the calendar's next-monday
// rule, which the default matches for every week of 2026); the Monday
// nudge says 今天截止 and only Tuesday's says 已逾期.
func TestWeeklyDueMonday(t *testing.T) {
	t.Parallel()
	cal := calendar.Default()
	rule := calendar.MustParseRule("next-monday")
	weekly := DefaultDeadlines().Weekly
	for w := calendar.PeriodContaining(calendar.Week, calendar.NewDate(2026, 1, 5)); w.Start().Year == 2026; w = w.Next() {
		want, err := rule.Apply(cal, w)
		if err != nil {
			t.Fatal(err)
		}
		if got := weekly(cal, w); got != want.Due {
			t.Errorf("%s due %s, want %s (next-monday)", w, got, want.Due)
		}
	}
	for _, tc := range []struct{ week, due string }{
		{"2026-W28", "2026-07-13"}, // an ordinary Monday
		{"2026-W40", "2026-10-08"}, // Monday 5 October is 国庆: the next working day
	} {
		if got := weekly(cal, calendar.MustParsePeriod(tc.week)); got.String() != tc.due {
			t.Errorf("%s due %s, want %s", tc.week, got, tc.due)
		}
	}
	var stages []string
	for _, n := range DefaultPlans()[planWeekly] {
		stages = append(stages, fmt.Sprintf("%s:%d", n.Stage, n.Workdays))
	}
	if got := strings.Join(stages, ","); got != "before:-1,due:0,overdue:1,leader:2" {
		t.Errorf("weekly plan = %s, want Friday before, Monday due (今天截止), Tuesday overdue, Wednesday the leader", got)
	}
}
