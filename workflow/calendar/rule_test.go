package calendar

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // canonical spec
	}{
		{"NextMonday", "next-monday", "next-monday"},
		{"LastWorkday", "last-workday", "last-workday"},
		{"LastWeek", "last-week", "last-week"},
		{"FirstWeekNext", "first-week-next", "first-week-next"},
		{"NextMonthDay", "next-month-day:6", "next-month-day:6"},
		{"NextMonthDayPadded", "next-month-day:06", "next-month-day:6"},
		{"WorkdaysAfterEnd", "workdays-after-end:3", "workdays-after-end:3"},
		{"WorkdaysAfterEndZero", "workdays-after-end:0", "workdays-after-end:0"},
		{"Fixed", "fixed:07-10", "fixed:07-10"},
		{"FixedNextYear", "fixed-next-year:01-20", "fixed-next-year:01-20"},
		{"Spaces", "  last-workday\n", "last-workday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := ParseRule(tt.in)
			if err != nil {
				t.Fatalf("ParseRule(%q): %v", tt.in, err)
			}
			if got := r.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			var back Rule
			if err := back.UnmarshalText([]byte(r.String())); err != nil || back != r {
				t.Errorf("text round trip = %v, %v; want %v", back, err, r)
			}
		})
	}
}

func TestParseRuleErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantMsg string // a fragment the message must hold
	}{
		{"Empty", "", "empty"},
		{"Unknown", "next-tuesday", `unknown rule "next-tuesday"`},
		{"UpperCase", "Next-Monday", "unknown rule"},
		{"ArgOnBare", "next-monday:1", "takes no argument"},
		{"MissingArg", "next-month-day", "needs a day of the month"},
		{"EmptyArg", "next-month-day:", "needs a day of the month"},
		{"DayZero", "next-month-day:0", "1–31"},
		{"Day32", "next-month-day:32", "1–31"},
		{"NegativeDay", "next-month-day:-6", "1–31"},
		{"SpaceInArg", "next-month-day: 6", "1–31"},
		{"TooManyWorkdays", "workdays-after-end:101", "0–100"},
		{"WorkdaysWord", "workdays-after-end:three", "0–100"},
		{"FixedNoArg", "fixed", "needs a date MM-DD"},
		{"FixedUnpadded", "fixed:7-10", "is not MM-DD"},
		{"FixedMonth13", "fixed:13-01", "month 13"},
		{"FixedApril31", "fixed:04-31", "day 31 does not exist in month 04"},
		{"FixedLeapDay", "fixed-next-year:02-29", "02-29"},
		{"FixedSlash", "fixed:07/10", "is not MM-DD"},
		{"TooLong", strings.Repeat("x", 100), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := ParseRule(tt.in)
			if !errors.Is(err, ErrInvalidRule) {
				t.Fatalf("ParseRule(%q) = %v, %v; want an error wrapping ErrInvalidRule", tt.in, r, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q does not say %q", msg, tt.wantMsg)
			}
			shown := tt.in
			if len(shown) > maxRuleSpecLen {
				shown = shown[:maxRuleSpecLen] + "…"
			}
			if !strings.Contains(msg, fmt.Sprintf("%q", shown)) {
				t.Errorf("error %q does not name the spec %q", msg, tt.in)
			}
		})
	}
}

// TestRuleApply checks every rule on real 2026 periods, hand-computed from
// the official arrangement (see notice2026).
func TestRuleApply(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name   string
		rule   string
		period string
		start  string
		due    string
	}{
		// S1 周记实 "在次周一以前填写".
		{"WeekRecordPlain", "next-monday", "2026-W39", "2026-09-21", "2026-09-28"},
		{"WeekRecordMondayInNationalDay", "next-monday", "2026-W40", "2026-09-28", "2026-10-08"},
		{"WeekRecordMondayInSpringFestival", "next-monday", "2026-W07", "2026-02-09", "2026-02-24"},

		// S5, S7 月小结 "每月最后一个工作日".
		{"MonthSummarySeptember", "last-workday", "2026-09", "2026-09-30", "2026-09-30"},
		{"MonthSummaryMakeupSaturday", "last-workday", "2026-02", "2026-02-28", "2026-02-28"},
		{"MonthSummaryInSpringFestival", "last-workday", "2025-01", "2025-01-27", "2025-01-27"},

		// S5, S7 "每季度最后一周": seven days back from the last working day.
		{"LastWeekQ3", "last-week", "2026-Q3", "2026-09-24", "2026-09-30"},
		{"LastWeekQuarterEndsSunday", "last-week", "2024-Q1", "2024-03-23", "2024-03-29"},
		{"LastWeekOfAWeek", "last-week", "2026-W39", "2026-09-21", "2026-09-24"}, // 25th is 中秋

		// S5 "于下一个季度第一周内": seven days from the first working day.
		{"FirstWeekAfterQ3", "first-week-next", "2026-Q3", "2026-10-08", "2026-10-14"},
		{"FirstWeekAfterQ1", "first-week-next", "2026-Q1", "2026-04-01", "2026-04-07"},
		{"FirstWeekAfterQ4", "first-week-next", "2026-Q4", "2027-01-04", "2027-01-08"},

		// S2 "每季度结束后的次月6日前".
		{"Q3Day6IsHoliday", "next-month-day:6", "2026-Q3", "2026-10-01", "2026-10-08"},
		{"Q2Day6", "next-month-day:6", "2026-Q2", "2026-07-01", "2026-07-06"},
		{"MonthDay6", "next-month-day:6", "2026-01", "2026-02-01", "2026-02-06"},
		{"WeekEndsMidMonth", "next-month-day:6", "2026-W40", "2026-10-05", "2026-11-06"},
		{"Day31ClampedToMakeupSaturday", "next-month-day:31", "2026-01", "2026-02-01", "2026-02-28"},
		{"Day31ClampedApril", "next-month-day:31", "2026-03", "2026-04-01", "2026-04-30"},

		// S10 "每个季度结束后的3个工作日内": 8, 9, 10 (调休 Saturday) October.
		{"ThreeWorkdaysAfterQ3", "workdays-after-end:3", "2026-Q3", "2026-10-01", "2026-10-10"},
		{"ThreeWorkdaysAfterQ1", "workdays-after-end:3", "2026-Q1", "2026-04-01", "2026-04-03"},
		{"ZeroWorkdaysOnHoliday", "workdays-after-end:0", "2026-W40", "2026-10-05", "2026-10-08"},
		{"ZeroWorkdaysOnWorkday", "workdays-after-end:0", "2026-Q3", "2026-09-30", "2026-09-30"},

		// S2 "第一、二季度平时考核情况于每年7月10前报".
		{"H1ByJuly10", "fixed:07-10", "2026-H1", "2026-07-01", "2026-07-10"},
		{"Q1ByJuly10", "fixed:07-10", "2026-Q1", "2026-04-01", "2026-07-10"},
		{"Q3NextJuly10IsSaturday", "fixed:07-10", "2026-Q3", "2026-10-01", "2027-07-12"},
		{"FixedOnHoliday", "fixed:10-01", "2026-Q3", "2026-10-01", "2026-10-08"},

		// S4 "在下一年度1月中旬上报".
		{"YearMidJanuary", "fixed-next-year:01-20", "2026", "2027-01-01", "2027-01-20"},
		{"YearJanuary15", "fixed-next-year:01-15", "2026", "2027-01-01", "2027-01-15"},
		{"Q1NextYear", "fixed-next-year:01-15", "2026-Q1", "2026-04-01", "2027-01-15"},
		{"NewYearHoliday", "fixed-next-year:01-01", "2026", "2027-01-01", "2027-01-04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := MustParseRule(tt.rule).Apply(c, MustParsePeriod(tt.period))
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			want := Deadline{Start: d(tt.start), Due: d(tt.due)}
			if got != want {
				t.Errorf("%s on %s = %s..%s, want %s..%s", tt.rule, tt.period, got.Start, got.Due, want.Start, want.Due)
			}
			if !c.IsWorkday(got.Due) {
				t.Errorf("due day %s is not a working day", got.Due)
			}
		})
	}
}

func TestRuleApplyErrors(t *testing.T) {
	t.Parallel()
	c := Default()
	p := MustParsePeriod("2026-Q3")
	if _, err := (Rule{}).Apply(c, p); !errors.Is(err, ErrInvalidRule) {
		t.Errorf("zero rule error = %v, want ErrInvalidRule", err)
	}
	if _, err := MustParseRule("last-week").Apply(c, Period{}); !errors.Is(err, ErrInvalidPeriod) {
		t.Errorf("zero period error = %v, want ErrInvalidPeriod", err)
	}
	if _, err := MustParseRule("last-week").Apply(nil, p); err == nil {
		t.Errorf("nil calendar: no error")
	}
	if _, err := (Rule{}).MarshalText(); !errors.Is(err, ErrInvalidRule) {
		t.Errorf("MarshalText of zero rule error = %v, want ErrInvalidRule", err)
	}
}

// TestRuleApplyOverride shows that an organisation's override moves a due
// day: a unit that closes on 8 October 2026 gets S2's filing on the 9th.
func TestRuleApplyOverride(t *testing.T) {
	t.Parallel()
	c := newCal(t, WithOverrides(Override{Date: d("2026-10-08"), Name: "单位调休"}))
	got, err := MustParseRule("next-month-day:6").Apply(c, MustParsePeriod("2026-Q3"))
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if got.Due != d("2026-10-09") {
		t.Errorf("due = %s, want 2026-10-09", got.Due)
	}
}
