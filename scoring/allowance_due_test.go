package scoring

import (
	"strings"
	"testing"
)

// TestAllowanceDues: S2 五's rules stated against the 月标准, from a score
// and a period's attendance, without any amount.
func TestAllowanceDues(t *testing.T) {
	s, err := Builtin("s2")
	if err != nil {
		t.Fatal(err)
	}
	score := func(v string) *Dec { d := D(v); return &d }
	months := []MonthAttendance{
		{Month: "2026-07", WorkingDays: 23, LeaveDays: D("5")},
		{Month: "2026-08", WorkingDays: 21, AbsentDays: 1},
		{Month: "2026-09", WorkingDays: 22, LeaveDays: D("3"), AbsentDays: 3},
	}
	got, err := s.AllowanceDues(score("59.5"), "2026-10", months, false)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, d := range got {
		v := ""
		if d.Share != nil {
			v = "share " + ShareWords(*d.Share)
		}
		if d.Yuan != nil {
			v = "yuan " + d.Yuan.String()
		}
		lines = append(lines, d.Month+" "+d.Allowance+" "+d.Rule+" "+v+" "+d.Cut)
	}
	want := []string{
		"2026-11 工作性津贴 work-allowance-cut share 30% 减发30%",
		"2026-12 工作性津贴 work-allowance-cut share 30% 减发30%",
		"2027-01 工作性津贴 work-allowance-cut share 30% 减发30%",
		"2026-07 工作性津贴 work-allowance-leave share 10% 扣减2天日津贴：月标准 × 2 ÷ (23 − 3)",
		"2026-08 工作性津贴 work-allowance-absence share 33.33% 扣发1 × 1/3",
		"2026-09 工作性津贴 work-allowance-absence share 100% 累计3天以上（含3天），扣发全部",
		"2026-10 区县津补贴 district-allowance-none share 100% 全部扣发",
		"2026-11 区县津补贴 district-allowance-none share 100% 全部扣发",
		"2026-12 区县津补贴 district-allowance-none share 100% 全部扣发",
		"2026-07 区县津补贴 district-allowance-leave yuan 20 扣减20元（2天 × 10元）",
		"2026-08 区县津补贴 district-allowance-absence share 33.33% 扣发1 × 1/3",
		"2026-09 区县津补贴 district-allowance-absence share 100% 累计3天以上（含3天），扣发全部",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("dues:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// A good score and full attendance: nothing.
	if got, _ := s.AllowanceDues(score("80"), "2026-10", nil, false); len(got) != 0 {
		t.Errorf("80 with no attendance: %v", got)
	}
}
