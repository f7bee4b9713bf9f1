package scoring

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// S1 第九条: "(一)优：量化考核分值在90分以上…出全勤。(二)良：量化考核分值在70~90分
// 不含90分…病、事假按月不超过3天。(三)中：量化考核分值在60~70分不含70分…病、事假按月
// 超过5天，有迟到、早退现象。" The scheme's decisions (s1.yaml): 全勤 is no
// 病假/事假, 迟到, 早退 or 旷工; statutory leave does not count; 4–5 days in a
// month is 中; 迟到/早退 do not bar 良; nothing recorded is full attendance.

// s1Unit is the subject at score x with the attendance given, among nine
// colleagues at 80 (so that the 40% cap, 4 of 10, leaves the subject's 优秀
// alone and only the conditions can move it).
func s1Unit(x string, att []AttendanceMonth) []PersonInput {
	p := s1Person("p", x)
	p.Attendance = att
	people := []PersonInput{p}
	for i := 1; i <= 9; i++ {
		people = append(people, s1Person(fmt.Sprintf("q%d", i), "80"))
	}
	return people
}

func leave(kind, days string) LeaveInput { return LeaveInput{Kind: kind, Days: dec(days)} }

func TestS1GradeConditions(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s1")
	flag := []string{FlagAttendance}
	tests := []struct {
		name string
		x    string
		att  []AttendanceMonth
		want want
	}{
		{"优_未登记考勤按全勤", "95", nil,
			want{score: "95", scoreGrade: "优秀", grade: "优秀"}},
		{"优_登记为零仍是全勤", "95", []AttendanceMonth{{Month: "2026-07"}, {Month: "2026-08", Leave: []LeaveInput{leave("病假", "0")}}},
			want{score: "95", scoreGrade: "优秀", grade: "优秀"}},
		{"优_年休假不影响全勤", "95", []AttendanceMonth{{Month: "2026-08", Leave: []LeaveInput{leave("年休假", "5")}}},
			want{score: "95", scoreGrade: "优秀", grade: "优秀"}},
		{"优_迟到1次为良", "95", []AttendanceMonth{{Month: "2026-07", Late: 1}},
			want{score: "95", scoreGrade: "称职", grade: "称职", flags: flag,
				explain: []string{"95分属于「优秀」", "未出全勤（2026年7月迟到1次），不能评为「优秀」，定为「称职」"}}},
		{"优_早退1次为良", "92", []AttendanceMonth{{Month: "2026-09", Early: 1}},
			want{score: "92", scoreGrade: "称职", grade: "称职", flags: flag, explain: []string{"未出全勤（2026年9月早退1次）"}}},
		{"优_病假半天为良", "90", []AttendanceMonth{{Month: "2026-07", Leave: []LeaveInput{leave("病假", "0.5")}}},
			want{score: "90", scoreGrade: "称职", grade: "称职", flags: flag, explain: []string{"未出全勤（2026年7月病假0.5天）"}}},
		{"优_旷工1天为良", "95", []AttendanceMonth{{Month: "2026-07", Absent: 1}},
			want{score: "95", scoreGrade: "称职", grade: "称职", flags: flag, explain: []string{"未出全勤（2026年7月旷工1天）"}}},
		{"优_病事假同月合计3天为良", "95", []AttendanceMonth{{Month: "2026-07", Leave: []LeaveInput{leave("病假", "1"), leave("事假", "2")}}},
			want{score: "95", scoreGrade: "称职", grade: "称职", flags: flag, explain: []string{"未出全勤（2026年7月病假1天、事假2天）"}}},
		{"优_按月计_两月各3天仍为良", "95", []AttendanceMonth{{Month: "2026-07", Leave: []LeaveInput{leave("事假", "3")}}, {Month: "2026-08", Leave: []LeaveInput{leave("病假", "3")}}},
			want{score: "95", scoreGrade: "称职", grade: "称职", flags: flag, explain: []string{"2026年7月事假3天；2026年8月病假3天"}}},
		{"优_同月3.5天为中", "95", []AttendanceMonth{{Month: "2026-08", Leave: []LeaveInput{leave("病假", "2"), leave("事假", "1.5")}}},
			want{score: "95", scoreGrade: "基本称职", grade: "基本称职", flags: flag, explain: []string{
				"未出全勤（2026年8月病假2天、事假1.5天），不能评为「优秀」",
				"2026年8月病假、事假3.5天，超过每月3天，不能评为「称职」，定为「基本称职」"}}},
		{"良_4天为中", "80", []AttendanceMonth{{Month: "2026-07", Leave: []LeaveInput{leave("事假", "4")}}},
			want{score: "80", scoreGrade: "基本称职", grade: "基本称职", flags: flag, explain: []string{"2026年7月病假、事假4天，超过每月3天，不能评为「称职」，定为「基本称职」"}}},
		{"良_5天为中", "80", []AttendanceMonth{{Month: "2026-07", Leave: []LeaveInput{leave("病假", "5")}}},
			want{score: "80", scoreGrade: "基本称职", grade: "基本称职", flags: flag}},
		{"良_旷工计入每月天数", "80", []AttendanceMonth{{Month: "2026-07", Leave: []LeaveInput{leave("事假", "3")}, Absent: 1}},
			want{score: "80", scoreGrade: "基本称职", grade: "基本称职", flags: flag, explain: []string{"2026年7月病假、事假4天"}}},
		{"良_3天仍为良", "80", []AttendanceMonth{{Month: "2026-07", Leave: []LeaveInput{leave("事假", "3")}}},
			want{score: "80", scoreGrade: "称职", grade: "称职"}},
		{"良_迟到早退不影响良", "80", []AttendanceMonth{{Month: "2026-07", Late: 3, Early: 2}},
			want{score: "80", scoreGrade: "称职", grade: "称职"}},
		{"良_产假不计", "80", []AttendanceMonth{{Month: "2026-07", Leave: []LeaveInput{leave("产假", "20")}}},
			want{score: "80", scoreGrade: "称职", grade: "称职"}},
		{"中_无考勤条件", "65", []AttendanceMonth{{Month: "2026-07", Leave: []LeaveInput{leave("病假", "10")}, Late: 4}},
			want{score: "65", scoreGrade: "基本称职", grade: "基本称职"}},
		{"差_按分数", "50", []AttendanceMonth{{Month: "2026-07", Late: 8}},
			want{score: "50", scoreGrade: "不称职", grade: "不称职"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := score(t, s, &PeriodInput{People: s1Unit(tc.x, tc.att)})
			checkPerson(t, personOf(t, res, "p"), tc.want)
		})
	}
}

// The conditions apply before the quota: five people band at 优秀 where 4
// may hold it, but the best of them lacks 全勤; the other four keep 优秀 and
// nobody is moved down by the quota.
func TestS1GradeConditionsBeforeQuota(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s1")
	var people []PersonInput
	for i, x := range []string{"99", "95", "94", "93", "92", "80", "80", "80", "80", "80"} {
		people = append(people, s1Person(fmt.Sprintf("p%d", i), x))
	}
	people[0].Attendance = []AttendanceMonth{{Month: "2026-08", Late: 1}}
	res := score(t, s, &PeriodInput{People: people})
	checkPerson(t, personOf(t, res, "p0"), want{score: "99", scoreGrade: "称职", grade: "称职", flags: []string{FlagAttendance}})
	for _, id := range []string{"p1", "p2", "p3", "p4"} {
		if p := personOf(t, res, id); p.Grade != "优秀" || len(p.Flags) != 0 {
			t.Errorf("%s: grade %q flags %v, want 优秀 and no flag", id, p.Grade, p.Flags)
		}
	}
	q := quotaOf(t, res, "unit", "乡机关")
	if q.Before != 4 || q.After != 4 || len(q.Demoted) != 0 || *q.MaxCount != 4 {
		t.Errorf("quota = %+v", q)
	}
}

func TestGradeConditionsBadInput(t *testing.T) {
	t.Parallel()
	s1 := builtin(t, "s1")
	tests := []struct {
		name   string
		scheme string
		att    []AttendanceMonth
		field  string
		msg    string
	}{
		{"方案无考勤条件", "s4", []AttendanceMonth{{Month: "2026-07", Late: 1}}, "attendance", "no grade_conditions"},
		{"月份格式", "s1", []AttendanceMonth{{Month: "2026-7"}}, "attendance[0].month", ""},
		{"月份重复", "s1", []AttendanceMonth{{Month: "2026-07"}, {Month: "2026-07", Late: 1}}, "attendance[1].month", "twice"},
		{"负数", "s1", []AttendanceMonth{{Month: "2026-07", Late: -1}}, "attendance[0]", "negative"},
		{"假期天数为负", "s1", []AttendanceMonth{{Month: "2026-07", Leave: []LeaveInput{leave("病假", "-1")}}}, "attendance[0].leave[0].days", "negative"},
		{"假期种类为空", "s1", []AttendanceMonth{{Month: "2026-07", Leave: []LeaveInput{leave("", "1")}}}, "attendance[0].leave[0].kind", "required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := s1
			people := s1Unit("95", tc.att)
			if tc.scheme != "s1" {
				s = builtin(t, tc.scheme)
				// Other errors (the missing scores) are reported too.
				people = []PersonInput{{ID: "p", Unit: "u", Attendance: tc.att}}
			}
			_, err := ScorePeriod(s, &PeriodInput{People: people})
			var es InputErrors
			if !errors.As(err, &es) || !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("err = %v, want InputErrors", err)
			}
			for _, e := range es {
				if e.Person == "p" && e.Field == tc.field && strings.Contains(e.Msg, tc.msg) {
					return
				}
			}
			t.Errorf("errors %q lack %s: %q", err, tc.field, tc.msg)
		})
	}
}
