package card

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// fullPerson is a person card with every section: seconded, attendance
// recorded, weeks owed.
func fullPerson() PersonForm {
	return PersonForm{ID: "ou_06", Version: 4, Name: "吴敏", Unit: "办公室", Investigation: true, Reason: "2026年8月立案",
		Sanction: "警告", SanctionStart: "2025-10-01", SanctionEnd: "2026-09-30", Today: "2026-10-09",
		Absences: []string{"事假 2026-09-07 至 2026-09-08"}, Sanctions: []string{"警告", "记过"}, LeaveKinds: []string{"病假", "事假", "工伤假", "年休假"},
		AssessedBy: "u2", Units: []Choice{{"u2", "业务科"}, {"u3", "执法大队"}},
		Months: []Choice{{"2026-07", "2026年7月"}, {"2026-08", "2026年8月"}, {"2026-09", "2026年9月"}}, CountedLeave: []string{"病假", "事假"},
		Attendance: []string{"2026年7月：病假1.5天，迟到1次，早退0次"},
		OwedWeeks:  []Choice{{"2026-W38", "2026年第38周（09-14至09-20）"}, {"2026-W39", "2026年第39周（09-21至09-27）"}}}
}

// votingPerson is a 机关干部 not assessed whom HR named an extra voter of
// two 考核单元 (the section 参加民主测评（不被测评）), with a third offered.
func votingPerson() PersonForm {
	return PersonForm{ID: "ou_09", Version: 2, Name: "陈伟", Unit: "办公室", Sanctions: []string{"警告"}, LeaveKinds: []string{"病假", "事假"},
		Groups:     []Choice{{"g1", "综合科"}, {"g2", "执法科"}, {"g3", "第三考核组"}},
		VoteGroups: []string{"g1", "g3"}}
}

// TestPersonVoteGroups: the named 考核单元 are on the status lines and
// picked in the select; with none to offer there is no section, with
// too many a note; the parser takes only offered groups, none clears.
func TestPersonVoteGroups(t *testing.T) {
	t.Parallel()
	c := string(mustCard(t)(PersonCard(votingPerson())))
	for _, want := range []string{"**参加民主测评（不被测评）**：综合科、第三考核组", `"selected_values":["g1","g3"]`, "vote_groups_form", KindVoteGroups} {
		if !strings.Contains(c, want) {
			t.Errorf("card lacks %q", want)
		}
	}
	none := votingPerson()
	none.Groups, none.VoteGroups = nil, nil
	if c := string(mustCard(t)(PersonCard(none))); strings.Contains(c, "参加民主测评") {
		t.Errorf("a card with no 考核单元 to offer has the section")
	}
	many := votingPerson()
	for i := 0; i < MaxVoteGroups; i++ {
		many.Groups = append(many.Groups, Choice{fmt.Sprintf("x%d", i), fmt.Sprintf("第%d组", i)})
	}
	if c := string(mustCard(t)(PersonCard(many))); strings.Contains(c, "vote_groups_form") || !strings.Contains(c, "请在组织文件中设置") {
		t.Errorf("too many groups: want the note, not the select")
	}
	groups := []string{"g1", "g2"}
	for _, tc := range []struct {
		fv   map[string]any
		want []string
		bad  bool
	}{
		{map[string]any{FieldVoteGroups: []any{"g2", "g1"}}, []string{"g2", "g1"}, false},
		{map[string]any{FieldVoteGroups: []any{}}, nil, false},
		{map[string]any{}, nil, false},
		{map[string]any{FieldVoteGroups: []any{"g9"}}, nil, true},
		{map[string]any{FieldVoteGroups: []any{"g1", "g1"}}, nil, true},
		{map[string]any{FieldVoteGroups: "g1"}, nil, true},
		{map[string]any{FieldVoteGroups: []any{"g1"}, "x": "1"}, nil, true},
	} {
		got, err := ParseVoteGroups(tc.fv, groups)
		var fe *FieldError
		if tc.bad != (err != nil) || err != nil && !errors.As(err, &fe) || !tc.bad && fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("ParseVoteGroups(%v) = %v, %v", tc.fv, got, err)
		}
	}
}

func TestPersonGolden(t *testing.T) {
	t.Parallel()
	many := fullPerson()
	many.AssessedBy, many.Months, many.OwedWeeks, many.Units = "", nil, nil, nil
	for i := 0; i < MaxSecondUnits+1; i++ {
		many.Units = append(many.Units, Choice{fmt.Sprintf("u%d", i), fmt.Sprintf("第%d科", i)})
	}
	states := s4Scoring()
	states.States = []string{"试用期：只写评语，不定等次", "受记过处分（2026-05-01 至 2027-04-30）：处分期间不确定等次",
		"立案调查中：照常评分，暂不确定等次，结案后补定", "借调、挂职人员：由本单位考核，结果送回<办公室>"}
	for _, c := range []struct {
		name string
		card func(t *testing.T) []byte
	}{
		{"person_full", func(t *testing.T) []byte { return mustCard(t)(PersonCard(fullPerson())) }},
		{"person_many_units", func(t *testing.T) []byte { return mustCard(t)(PersonCard(many)) }},
		{"person_vote_groups", func(t *testing.T) []byte { return mustCard(t)(PersonCard(votingPerson())) }},
		{"scoring_states", func(t *testing.T) []byte { return mustCard(t)(ScoringCard(states)) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkGolden(t, c.name, c.card(t))
		})
	}
}

// TestPersonCardSections: what each section shows and when it is left out.
func TestPersonCardSections(t *testing.T) {
	t.Parallel()
	full := string(mustCard(t)(PersonCard(fullPerson())))
	for _, want := range []string{"**考核单位**：业务科（借调、挂职，结果送回办公室）", "考勤记录", "waive_form", "2026年第39周（09-21至09-27）",
		"second_form", "attendance_form", "left_form", `"initial_option":"u2"`, AttLeaveField(2), "事假（天）"} {
		if !strings.Contains(full, want) {
			t.Errorf("full card lacks %q", want)
		}
	}
	bare := fullPerson()
	bare.AssessedBy, bare.Months, bare.OwedWeeks, bare.Units, bare.Attendance = "", nil, nil, nil, nil
	c := string(mustCard(t)(PersonCard(bare)))
	for _, absent := range []string{"考核单位", "waive_form", "second_form", "attendance_form"} {
		if strings.Contains(c, absent) {
			t.Errorf("card without secondment, months or owed weeks shows %q", absent)
		}
	}
	if !strings.Contains(c, "当前没有进行中的考核期") || !strings.Contains(c, "left_form") {
		t.Errorf("bare card: %s", c)
	}
	// A scheme with every sanction and leave kind the card allows and as
	// many units as the select lists: the select would take the card over
	// Lark's 200 elements, so the receiving unit is typed; the weeks are
	// capped.
	big := fullPerson()
	big.Units, big.OwedWeeks = nil, nil
	big.Sanctions, big.LeaveKinds = nil, nil
	for i := 0; i < 20; i++ {
		big.Sanctions = append(big.Sanctions, fmt.Sprintf("处分%d", i))
		big.LeaveKinds = append(big.LeaveKinds, fmt.Sprintf("假别%d", i))
	}
	for i := 0; i < MaxSecondUnits; i++ {
		big.Units = append(big.Units, Choice{fmt.Sprintf("u%02d", i), fmt.Sprintf("第%d科", i)})
	}
	big.AssessedBy = "u07"
	for i := 0; i < 26; i++ {
		big.OwedWeeks = append(big.OwedWeeks, Choice{fmt.Sprintf("2026-W%02d", i+14), fmt.Sprintf("2026年第%d周", i+14)})
	}
	b := mustCard(t)(PersonCard(big))
	if n := elements(b); n > maxCardElements {
		t.Errorf("big card: %d elements", n)
	}
	if c := string(b); !strings.Contains(c, FieldSecondUnitName) || strings.Contains(c, `"name":"`+FieldSecondUnit+`"`) ||
		!strings.Contains(c, `"default_value":"第7科"`) || !strings.Contains(c, "2026-W27") || strings.Contains(c, "2026-W28") {
		t.Errorf("big card: the unit is not typed, or the weeks are not capped at %d", MaxOwedWeeks)
	}
	small := fullPerson()
	small.Units = big.Units[:3]
	if c := string(mustCard(t)(PersonCard(small))); strings.Contains(c, FieldSecondUnitName) {
		t.Error("three units are typed, not picked")
	}
	tooMany := fullPerson()
	tooMany.Months = make([]Choice, 13)
	if _, err := PersonCard(tooMany); !errors.Is(err, ErrBadModel) {
		t.Errorf("13 months: %v, want ErrBadModel", err)
	}
}

func TestParsePersonForms(t *testing.T) {
	t.Parallel()
	months, kinds := []string{"2026-08", "2026-09"}, []string{"病假", "事假"}
	att := func(kv ...string) map[string]any {
		m := map[string]any{FieldAttMonth: "2026-09"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	t.Run("Attendance", func(t *testing.T) {
		t.Parallel()
		in, err := ParseAttendance(att(AttLeaveField(1), "1.5", AttLeaveField(2), "0", FieldAttLate, "2", FieldAttEarly, ""), months, kinds)
		if err != nil || in.Month != "2026-09" || len(in.Days) != 1 || in.Days["病假"] != "1.5" || in.Late != 2 || in.Early != 0 {
			t.Fatalf("ParseAttendance = %+v, %v", in, err)
		}
		for _, c := range []struct {
			name string
			fv   map[string]any
			want string
		}{
			{"NoMonth", map[string]any{}, "月份：请选择"},
			{"OtherMonth", map[string]any{FieldAttMonth: "2026-10"}, "月份：选项无效"},
			{"TooManyDays", att(AttLeaveField(1), "31.5"), "病假：须在0至31之间"},
			{"BadDays", att(AttLeaveField(2), "两天"), "事假：须为数字"},
			{"HalfLate", att(FieldAttLate, "1.5"), "迟到：须为0至31的整数"},
			{"Unknown", att("att_leave3", "1"), "未知字段"},
		} {
			_, err := ParseAttendance(c.fv, months, kinds)
			var fe *FieldError
			if !errors.As(err, &fe) || !strings.Contains(fe.Toast(), c.want) {
				t.Errorf("%s: %v, want %q", c.name, err, c.want)
			}
		}
	})
	t.Run("Waive", func(t *testing.T) {
		t.Parallel()
		weeks := []string{"2026-W38"}
		if in, err := ParseWaive(map[string]any{FieldWaiveWeek: "2026-W38", FieldWaiveReason: " 病假 "}, weeks); err != nil || in.Reason != "病假" {
			t.Errorf("ParseWaive = %+v, %v", in, err)
		}
		if _, err := ParseWaive(map[string]any{FieldWaiveWeek: "2026-W40", FieldWaiveReason: "x"}, weeks); err == nil {
			t.Error("a week not offered was accepted")
		}
		if _, err := ParseWaive(map[string]any{FieldWaiveWeek: "2026-W38"}, weeks); err == nil {
			t.Error("no reason was accepted")
		}
	})
	t.Run("Second", func(t *testing.T) {
		t.Parallel()
		units := []Choice{{"u2", "业务科"}, {"u3", "执法大队"}, {"u4", "执法大队"}}
		for _, c := range []struct {
			name string
			fv   map[string]any
			unit string // "-" for a refusal
			want string
		}{
			{"End", map[string]any{FieldSecondUnit: NoSecondment, FieldSecondReason: "期满"}, "", ""},
			{"Select", map[string]any{FieldSecondUnit: "u2", FieldSecondReason: "借调"}, "u2", ""},
			{"ByName", map[string]any{FieldSecondUnitName: " 业务科 ", FieldSecondReason: "借调"}, "u2", ""},
			{"EndByName", map[string]any{FieldSecondUnitName: NoSecondmentName, FieldSecondReason: "期满"}, "", ""},
			{"NotOffered", map[string]any{FieldSecondUnit: "u9", FieldSecondReason: "借调"}, "-", "考核单位：选项无效"},
			{"UnknownName", map[string]any{FieldSecondUnitName: "财务科", FieldSecondReason: "借调"}, "-", "没有名为「财务科」的单位"},
			{"TwoNamed", map[string]any{FieldSecondUnitName: "执法大队", FieldSecondReason: "借调"}, "-", "有多个单位名为「执法大队」"},
			{"Both", map[string]any{FieldSecondUnit: "u2", FieldSecondUnitName: "业务科", FieldSecondReason: "借调"}, "-", "未知字段"},
			{"Neither", map[string]any{FieldSecondReason: "借调"}, "-", "考核单位：请选择"},
			{"NoReason", map[string]any{FieldSecondUnit: "u2"}, "-", "事由：必填"},
		} {
			in, err := ParseSecond(c.fv, units)
			if c.unit == "-" {
				var fe *FieldError
				if !errors.As(err, &fe) || !strings.Contains(fe.Toast(), c.want) {
					t.Errorf("%s: %+v, %v; want %q", c.name, in, err, c.want)
				}
			} else if err != nil || in.Unit != c.unit {
				t.Errorf("%s: %+v, %v; want unit %q", c.name, in, err, c.unit)
			}
		}
	})
	t.Run("Left", func(t *testing.T) {
		t.Parallel()
		if r, err := ParsePersonLeft(map[string]any{FieldLeftConfirm: LeftConfirmed, FieldLeftReason: "调出本局"}); err != nil || r != "调出本局" {
			t.Errorf("left: %q, %v", r, err)
		}
		for name, fv := range map[string]map[string]any{
			"NotConfirmed": {FieldLeftReason: "调出本局"},
			"BadConfirm":   {FieldLeftConfirm: "yes", FieldLeftReason: "调出本局"},
			"NoReason":     {FieldLeftConfirm: LeftConfirmed},
		} {
			if _, err := ParsePersonLeft(fv); err == nil {
				t.Errorf("%s was accepted", name)
			}
		}
	})
}
