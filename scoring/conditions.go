package scoring

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// GradeConditions are the attendance conditions a scheme's grades ask
// besides the score (S1 第九条: 优 "出全勤"; 良 "病、事假按月不超过3天").
// A person whose score falls in a grade's band but whose attendance does
// not meet its conditions gets the best lower grade whose conditions they
// meet; a grade without conditions is met by anyone. The conditions are
// applied to the grade the score (or the leader) gives, before the special
// cases and the quotas: a direct determination states its own reason and
// stands, and a quota counts only the people who may hold its grade, so a
// seat is not taken from someone eligible by someone the conditions will
// move down anyway.
type GradeConditions struct {
	// LeaveKinds are the leave kinds the conditions count (病假, 事假).
	// Other kinds (年休假, 婚假, 产假 …) neither break full attendance nor
	// count toward a monthly limit.
	LeaveKinds []string `yaml:"leave_kinds"`
	// Grades are the conditions of each grade that has some.
	Grades []GradeCondition `yaml:"grades"`
}

// GradeCondition is what one grade asks of a person's attendance. Set
// fields are combined with AND.
type GradeCondition struct {
	// Grade is a period grade (label or alias).
	Grade string `yaml:"grade"`
	// FullAttendance (出全勤): in no month of the period a day of counted
	// leave, a 迟到, an 早退 or a day of 旷工.
	FullAttendance bool `yaml:"full_attendance"`
	// MaxLeaveDaysPerMonth: in every month the counted leave plus the days
	// of 旷工 are at most this many working days (S1 良: 病、事假按月不超过3天).
	MaxLeaveDaysPerMonth *Dec `yaml:"max_leave_days_per_month"`
	// NoLateEarly: no 迟到 and no 早退 in the period.
	NoLateEarly bool `yaml:"no_late_early"`
}

// conditionsOf returns the conditions of a grade (canonical label), or nil.
func (gc *GradeConditions) conditionsOf(grade string) *GradeCondition {
	if gc == nil {
		return nil
	}
	for i := range gc.Grades {
		if gc.Grades[i].Grade == grade {
			return &gc.Grades[i]
		}
	}
	return nil
}

// atLeastAsStrict reports whether every person who meets a also meets b.
func (a *GradeCondition) atLeastAsStrict(b *GradeCondition) bool {
	if a.FullAttendance {
		return true // no leave, no 迟到/早退, no 旷工 meets any condition
	}
	if b.FullAttendance {
		return false
	}
	if b.MaxLeaveDaysPerMonth != nil && (a.MaxLeaveDaysPerMonth == nil || a.MaxLeaveDaysPerMonth.GreaterThan(b.MaxLeaveDaysPerMonth.Decimal)) {
		return false
	}
	return !b.NoLateEarly || a.NoLateEarly
}

// gradeConditions validates the grade conditions and resolves grade aliases.
func (v *validator) gradeConditions() {
	gc := v.s.GradeConditions
	if gc == nil {
		return
	}
	const f = "grade_conditions"
	if len(gc.Grades) == 0 {
		v.add(f+".grades", "name at least one grade and its conditions, or leave grade_conditions out")
	}
	needLeave := false
	seen := map[string]bool{}
	for i := range gc.Grades {
		g := &gc.Grades[i]
		gf := fmt.Sprintf("%s.grades[%d]", f, i)
		label, ok := v.s.periodGrade(g.Grade)
		switch {
		case !ok:
			v.add(gf+".grade", "unknown grade %q", g.Grade)
		case seen[label]:
			v.add(gf+".grade", "grade %q has conditions twice; put them in one entry", label)
		case len(v.s.Grades) > 0 && label == v.s.bottomGrade():
			v.add(gf+".grade", "the bottom grade %q cannot have conditions: a person who met none would have no grade", label)
		}
		if ok {
			g.Grade = label
			seen[label] = true
		}
		if !g.FullAttendance && g.MaxLeaveDaysPerMonth == nil && !g.NoLateEarly {
			v.add(gf, "set full_attendance, max_leave_days_per_month or no_late_early")
		}
		if m := g.MaxLeaveDaysPerMonth; m != nil {
			if m.IsNegative() || m.GreaterThan(decimal.NewFromInt(31)) {
				v.add(gf+".max_leave_days_per_month", "must be between 0 and 31 days, not %s", m)
			}
			if g.FullAttendance {
				v.add(gf+".max_leave_days_per_month", "full_attendance already allows no leave")
			}
		}
		if g.NoLateEarly && g.FullAttendance {
			v.add(gf+".no_late_early", "full_attendance already allows no 迟到 or 早退")
		}
		needLeave = needLeave || g.FullAttendance || g.MaxLeaveDaysPerMonth != nil
	}
	if needLeave && len(gc.LeaveKinds) == 0 {
		v.add(f+".leave_kinds", "name the leave kinds the conditions count (病假, 事假)")
	}
	kinds := map[string]bool{}
	for i, k := range gc.LeaveKinds {
		if strings.TrimSpace(k) == "" || kinds[k] {
			v.add(fmt.Sprintf("%s.leave_kinds[%d]", f, i), "leave kind %q is empty or repeated", k)
		}
		kinds[k] = true
	}
	// A better grade must ask at least what a worse one asks: otherwise a
	// person could meet 优's conditions but not 良's, and keep 优 only
	// because their score is higher.
	for i := range gc.Grades {
		for j := range gc.Grades {
			a, b := &gc.Grades[i], &gc.Grades[j]
			ia, ib := v.s.gradeIndex(a.Grade), v.s.gradeIndex(b.Grade)
			if ia < 0 || ib < 0 || ia >= ib {
				continue
			}
			if !a.atLeastAsStrict(b) {
				v.add(fmt.Sprintf("%s.grades[%d]", f, i), "the conditions of %q must be at least as strict as those of %q, a lower grade", a.Grade, b.Grade)
			}
		}
	}
}

// monthLabel writes "2026-07" as "2026年7月".
func monthLabel(m string) string {
	if len(m) == 7 && m[4] == '-' {
		return m[:4] + "年" + strings.TrimPrefix(m[5:], "0") + "月"
	}
	return m
}

// attendanceSummary is a person's attendance as the conditions read it.
type attendanceSummary struct {
	// breaks lists what breaks full attendance, in month order
	// ("2026年7月迟到1次").
	breaks []string
	// worstMonth and worstDays are the month with the most counted leave
	// plus 旷工 and that number.
	worstMonth string
	worstDays  decimal.Decimal
	late       int
	early      int
}

// attendance checks a person's attendance and sums it for the conditions.
func (s *Scheme) attendance(c *inputChecker, pid string, months []AttendanceMonth) (attendanceSummary, bool) {
	var sum attendanceSummary
	gc := s.GradeConditions
	if len(months) == 0 {
		return sum, true
	}
	if gc == nil {
		c.add(pid, "attendance", "this scheme sets no grade_conditions, so attendance does not bear on the grade")
		return sum, false
	}
	ok := true
	seen := map[string]bool{}
	for i, m := range months {
		f := fmt.Sprintf("attendance[%d]", i)
		if _, err := addMonths(m.Month, 0); err != nil {
			c.add(pid, f+".month", "%v", err)
			ok = false
		} else if seen[m.Month] {
			c.add(pid, f+".month", "month %s appears twice", m.Month)
			ok = false
		}
		seen[m.Month] = true
		if m.Late < 0 || m.Early < 0 || m.Absent < 0 {
			c.add(pid, f, "迟到, 早退 and 旷工 must not be negative")
			ok = false
		}
		days := decimal.NewFromInt(int64(m.Absent))
		var parts []string
		for j, l := range m.Leave {
			if strings.TrimSpace(l.Kind) == "" {
				c.add(pid, fmt.Sprintf("%s.leave[%d].kind", f, j), "required")
				ok = false
			}
			if l.Days.IsNegative() {
				c.add(pid, fmt.Sprintf("%s.leave[%d].days", f, j), "must not be negative")
				ok = false
			}
			if contains(gc.LeaveKinds, l.Kind) && l.Days.IsPositive() {
				days = days.Add(l.Days.Decimal)
				parts = append(parts, fmt.Sprintf("%s%s天", l.Kind, l.Days))
			}
		}
		if m.Absent > 0 {
			parts = append(parts, fmt.Sprintf("旷工%d天", m.Absent))
		}
		if m.Late > 0 {
			parts = append(parts, fmt.Sprintf("迟到%d次", m.Late))
		}
		if m.Early > 0 {
			parts = append(parts, fmt.Sprintf("早退%d次", m.Early))
		}
		if len(parts) > 0 {
			sum.breaks = append(sum.breaks, monthLabel(m.Month)+strings.Join(parts, "、"))
		}
		if days.GreaterThan(sum.worstDays) || (days.Equal(sum.worstDays) && days.IsPositive() && m.Month < sum.worstMonth) {
			sum.worstMonth, sum.worstDays = m.Month, days
		}
		sum.late += m.Late
		sum.early += m.Early
	}
	return sum, ok
}

// failure says why a summary does not meet a condition; "" when it does.
func (gc *GradeConditions) failure(cond *GradeCondition, sum attendanceSummary) string {
	switch {
	case cond.FullAttendance && len(sum.breaks) > 0:
		return "未出全勤（" + strings.Join(sum.breaks, "；") + "）"
	case cond.MaxLeaveDaysPerMonth != nil && sum.worstDays.GreaterThan(cond.MaxLeaveDaysPerMonth.Decimal):
		return fmt.Sprintf("%s%s%s天，超过每月%s天", monthLabel(sum.worstMonth), strings.Join(gc.LeaveKinds, "、"), sum.worstDays, cond.MaxLeaveDaysPerMonth)
	case cond.NoLateEarly && sum.late+sum.early > 0:
		return fmt.Sprintf("有迟到、早退现象（迟到%d次、早退%d次）", sum.late, sum.early)
	}
	return ""
}

// applyConditions lowers r's grade to the best one, at or below it, whose
// attendance conditions the person meets, explaining each grade passed
// over.
func (s *Scheme) applyConditions(c *inputChecker, p *PersonInput, r *PersonResult) {
	sum, ok := s.attendance(c, p.ID, p.Attendance)
	gc := s.GradeConditions
	if !ok || gc == nil || r.ScoreGrade == "" {
		return
	}
	from := s.gradeIndex(r.ScoreGrade)
	if from < 0 {
		return
	}
	var lines []string
	for i := from; i < len(s.Grades); i++ {
		g := s.Grades[i].Label
		cond := gc.conditionsOf(g)
		if cond == nil {
			r.ScoreGrade = g
			break
		}
		why := gc.failure(cond, sum)
		if why == "" {
			r.ScoreGrade = g
			break
		}
		lines = append(lines, why+"，不能评为「"+g+"」")
	}
	if len(lines) == 0 {
		return
	}
	lines[len(lines)-1] += "，定为「" + r.ScoreGrade + "」"
	r.Explain = append(r.Explain, lines...)
	r.Flags = appendFlag(r.Flags, FlagAttendance)
}
