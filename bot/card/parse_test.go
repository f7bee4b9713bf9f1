package card

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// wantField checks err is a *FieldError for field (any error when field is
// "", none when field is "-").
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "-" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want *FieldError for %q", err, field)
	}
	if field != "" && fe.Field != field {
		t.Errorf("error names field %q (%s), want %q", fe.Field, fe.Toast(), field)
	}
	if fe.Toast() == "" || fe.Msg == "" {
		t.Errorf("error has no message: %+v", fe)
	}
}

func TestParseWeekly(t *testing.T) {
	t.Parallel()
	ok := func() map[string]any {
		return map[string]any{
			"task1_title": "起草年度工作报告", "task1_deadline": "2026-10-20 +0800", "task1_progress": "50", "task1_target": "tg_01",
			"task2_title": "国庆值班", "task2_progress": "100",
			"attendance": "full",
		}
	}
	with := func(k string, v any) map[string]any {
		m := ok()
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		in    map[string]any
		field string
		want  *Weekly
	}{
		{"OK", ok(), "-", &Weekly{Tasks: []WeeklyTask{
			{Title: "起草年度工作报告", Deadline: "2026-10-20", Progress: 50, Target: "tg_01"},
			{Title: "国庆值班", Progress: 100},
		}, Attendance: "full"}},
		{"BareDate", with("task1_deadline", "2026-10-20"), "-", nil},
		{"DirectionControlsDropped", with("task2_title", "\u202e班值庆国\u202c\u200b"), "-", &Weekly{Tasks: []WeeklyTask{
			{Title: "起草年度工作报告", Deadline: "2026-10-20", Progress: 50, Target: "tg_01"},
			{Title: "班值庆国", Progress: 100},
		}, Attendance: "full"}},
		{"OnlyInvisibleIsEmpty", with("task1_title", "\u2066\u2069"), "-", &Weekly{Tasks: []WeeklyTask{{Title: "国庆值班", Progress: 100}}, Attendance: "full"}},
		{"EmptyRowsSkipped", with("task3_title", "  "), "-", nil},
		{"LeaveWithNote", func() map[string]any { m := with("attendance", "leave"); m["attendance_note"] = "病假1天"; return m }(), "-", nil},
		{"WrongTypeProgress", with("task1_progress", 50.0), "task1_progress", nil},
		{"WrongTypeTitle", with("task1_title", []any{"a"}), "task1_title", nil},
		{"ProgressOutOfRange", with("task1_progress", "101"), "task1_progress", nil},
		{"ProgressNegative", with("task1_progress", "-5"), "task1_progress", nil},
		{"ProgressPlus", with("task1_progress", "+5"), "task1_progress", nil},
		{"ProgressMissing", with("task2_progress", nil), "task2_progress", nil},
		{"BadDate", with("task1_deadline", "2026-02-30 +0800"), "task1_deadline", nil},
		{"BadDateFormat", with("task1_deadline", "10/20/2026"), "task1_deadline", nil},
		{"TitleClearedRemovesTheRow", with("task1_title", ""), "-", &Weekly{Tasks: []WeeklyTask{{Title: "国庆值班", Progress: 100}}, Attendance: "full"}},
		{"TitleMissingRemovesTheRow", with("task1_title", nil), "-", &Weekly{Tasks: []WeeklyTask{{Title: "国庆值班", Progress: 100}}, Attendance: "full"}},
		{"Oversized", with("task1_title", strings.Repeat("长", MaxShortText+1)), "task1_title", nil},
		{"Newline", with("task1_title", "a\nb"), "task1_title", nil},
		{"ControlChar", with("task1_title", "a\x00b"), "task1_title", nil},
		{"InvalidUTF8", with("task1_title", "a\xffb"), "task1_title", nil},
		{"Unknown", with("task9_title", "x"), "task9_title", nil},
		{"UnknownOther", with("score", "100"), "score", nil},
		{"AttendanceMissing", with("attendance", nil), "attendance", nil},
		{"AttendanceBad", with("attendance", "absent"), "attendance", nil},
		{"LeaveNeedsNote", with("attendance", "leave"), "attendance_note", nil},
		{"NoTasks", map[string]any{"attendance": "full"}, "task1_title", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseWeekly(tt.in)
			wantField(t, err, tt.field)
			if tt.want != nil && !reflect.DeepEqual(got, *tt.want) {
				t.Errorf("got %+v\nwant %+v", got, *tt.want)
			}
		})
	}
}

func TestParseMonthly(t *testing.T) {
	t.Parallel()
	ok := func() map[string]any {
		return map[string]any{"goals": "完成三项重点工作", "completion": "已完成两项\r\n第三项推进中",
			"unfinished1_item": "档案数字化", "unfinished1_reason": "设备未到位"}
	}
	with := func(k string, v any) map[string]any {
		m := ok()
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		in    map[string]any
		field string
		want  *Monthly
	}{
		{"OK", ok(), "-", &Monthly{Goals: "完成三项重点工作", Completion: "已完成两项\n第三项推进中",
			Unfinished: []Unfinished{{Item: "档案数字化", Reason: "设备未到位"}}}},
		{"GoalsMissing", with("goals", nil), "goals", nil},
		{"CompletionBlank", with("completion", "   "), "completion", nil},
		{"WrongType", with("goals", 1.0), "goals", nil},
		{"Oversized", with("completion", strings.Repeat("字", MaxText+1)), "completion", nil},
		{"ReasonMissing", with("unfinished1_reason", nil), "unfinished1_reason", nil},
		{"ItemMissing", with("unfinished1_item", ""), "unfinished1_item", nil},
		{"Unknown", with(UnfinishedField(MaxUnfinishedRows+1, PartItem), "x"), UnfinishedField(MaxUnfinishedRows+1, PartItem), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseMonthly(tt.in)
			wantField(t, err, tt.field)
			if tt.want != nil && !reflect.DeepEqual(got, *tt.want) {
				t.Errorf("got %+v\nwant %+v", got, *tt.want)
			}
		})
	}
}

func TestParseQuarterly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"OK", map[string]any{"summary": "本季度完成……", "training": ""}, "-"},
		{"TrainingAbsent", map[string]any{"summary": "本季度完成……"}, "-"},
		{"SummaryMissing", map[string]any{"training": "党校培训"}, "summary"},
		{"WrongType", map[string]any{"summary": map[string]any{}}, "summary"},
		{"Oversized", map[string]any{"summary": strings.Repeat("字", MaxText+1)}, "summary"},
		{"Unknown", map[string]any{"summary": "x", "grade": "好"}, "grade"},
		{"TooManyFields", func() map[string]any {
			m := map[string]any{}
			for i := 0; i <= maxFormFields; i++ {
				m[strings.Repeat("f", i+1)] = ""
			}
			return m
		}(), "form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseQuarterly(tt.in)
			wantField(t, err, tt.field)
		})
	}
}

func TestParseDaily(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"OK", map[string]any{"log": "起草材料；参加例会"}, "-"},
		{"Missing", map[string]any{}, "log"},
		{"Blank", map[string]any{"log": "  "}, "log"},
		{"Oversized", map[string]any{"log": strings.Repeat("字", MaxText+1)}, "log"},
		{"Unknown", map[string]any{"log": "x", "summary": "y"}, "summary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseDaily(tt.in)
			wantField(t, err, tt.field)
		})
	}
}

func TestParseVote(t *testing.T) {
	t.Parallel()
	ids := []string{"ou_1", "ou_2", "ou_3"}
	ok := func() map[string]any {
		return map[string]any{"vote_ou_1": "90", "vote_ou_2": "85.50", "vote_ou_3": "100"}
	}
	with := func(k string, v any) map[string]any {
		m := ok()
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"OK", ok(), "-"},
		{"Missing", with("vote_ou_2", nil), "vote_ou_2"},
		{"OutOfRange", with("vote_ou_1", "100.01"), "vote_ou_1"},
		{"Negative", with("vote_ou_1", "-1"), "vote_ou_1"},
		{"ThreePlaces", with("vote_ou_1", "90.125"), "vote_ou_1"},
		{"NotNumber", with("vote_ou_1", "九十"), "vote_ou_1"},
		{"Exponent", with("vote_ou_1", "1e2"), "vote_ou_1"},
		{"WrongType", with("vote_ou_1", 90.0), "vote_ou_1"},
		{"Oversized", with("vote_ou_1", strings.Repeat("9", 5000)), "vote_ou_1"},
		{"Stranger", with("vote_ou_9", "60"), "vote_ou_9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseVote(tt.in, ids)
			wantField(t, err, tt.field)
			if tt.field == "-" {
				want := map[string]string{"ou_1": "90", "ou_2": "85.5", "ou_3": "100"}
				if !reflect.DeepEqual(got.Scores, want) {
					t.Errorf("scores %v, want %v", got.Scores, want)
				}
			}
		})
	}
}

func TestParseScoring(t *testing.T) {
	t.Parallel()
	f := s4Scoring()
	full := func() map[string]any {
		m := map[string]any{}
		walkTree(f.Indicators, 0, func(in Indicator, _ int) {
			if len(in.Children) == 0 {
				m[IndicatorField(in.ID)] = in.Value
			}
		})
		m["bonus1_points"], m["bonus1_reason"], m["bonus1_event"] = "2", "防汛抢险表现突出", "2026年8月防汛"
		m["deduct1_points"], m["deduct1_reason"] = "0.5", "迟报周记实"
		m["comment"] = "工作扎实"
		return m
	}
	with := func(k string, v any) map[string]any {
		m := full()
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		kind  string
		in    map[string]any
		field string
	}{
		{"Approve", KindApprove, full(), "-"},
		{"ApproveMissingScore", KindApprove, with("ind_工作负荷", nil), "ind_工作负荷"},
		{"ApproveOverMax", KindApprove, with("ind_思想政治素质", "6.5"), "ind_思想政治素质"},
		{"ApproveWrongType", KindApprove, with("ind_思想政治素质", 6.0), "ind_思想政治素质"},
		{"BonusOverCap", KindApprove, with("bonus1_points", "5.5"), "bonus1_points"},
		{"BonusNoReason", KindApprove, with("bonus1_reason", nil), "bonus1_reason"},
		{"BonusZero", KindApprove, with("bonus1_points", "0"), "bonus1_points"},
		{"BonusRowUnknown", KindApprove, with("bonus5_points", "1"), "bonus5_points"},
		{"CommentOversized", KindApprove, with("comment", strings.Repeat("好", MaxText+1)), "comment"},
		{"AdjustNeedsReason", KindAdjust, full(), "reason"},
		{"Adjust", KindAdjust, with("reason", "工作成效按督查结果调整"), "-"},
		{"ReturnNeedsReason", KindReturn, map[string]any{}, "reason"},
		{"ReturnIgnoresScores", KindReturn, map[string]any{"reason": "评分依据不足", "ind_工作负荷": "99"}, "-"},
		{"ReturnUnknown", KindReturn, map[string]any{"reason": "x", "evil": "1"}, "evil"},
		{"ReasonOversized", KindReturn, map[string]any{"reason": strings.Repeat("因", MaxText+1)}, "reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseScoring(tt.kind, tt.in, f)
			wantField(t, err, tt.field)
			if tt.name == "Approve" {
				if len(got.Scores) != 17 || got.Scores["社会公德"] != "5.5" {
					t.Errorf("scores %v", got.Scores)
				}
				want := []Adjustment{{Points: "2", Reason: "防汛抢险表现突出", Event: "2026年8月防汛"}}
				if !reflect.DeepEqual(got.Bonus, want) || len(got.Deductions) != 1 || got.Comment != "工作扎实" {
					t.Errorf("got %+v", got)
				}
			}
			if tt.name == "ReturnIgnoresScores" && (got.Scores != nil || got.Reason != "评分依据不足") {
				t.Errorf("got %+v", got)
			}
		})
	}
	t.Run("ErrBadValue", func(t *testing.T) {
		t.Parallel()
		if _, err := ParseScoring(KindVote, full(), f); !errors.Is(err, ErrBadValue) {
			t.Errorf("err = %v, want ErrBadValue", err)
		}
	})
}

func TestParseCommittee(t *testing.T) {
	t.Parallel()
	f := unitCommittee(60)
	full := func() map[string]any {
		m := map[string]any{}
		for _, tie := range f.Ties {
			for i, p := range tie.People {
				g := "较好"
				if i < tie.Seats {
					g = "好"
				}
				m[GradeField(p.ID)] = g
				m[DecisionReasonField(p.ID)] = "综合平时表现"
			}
		}
		return m
	}
	with := func(k string, v any) map[string]any {
		m := full()
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"OK", full(), "-"},
		{"OverSeats", with("grade_ou_a2", "好"), "grade_ou_a2"},
		{"BadGrade", with("grade_ou_a2", "优秀"), "grade_ou_a2"},
		{"GradeMissing", with("grade_ou_b1", nil), "grade_ou_b1"},
		{"ReasonMissing", with("why_ou_b1", ""), "why_ou_b1"},
		{"WrongType", with("grade_ou_a1", []any{"好"}), "grade_ou_a1"},
		{"Unknown", with("grade_ou_zz", "好"), "grade_ou_zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCommittee(tt.in, f)
			wantField(t, err, tt.field)
			if tt.field == "-" && (len(got) != 7 || got[0] != (Decision{Person: "ou_a1", Grade: "好", Reason: "综合平时表现"})) {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestParseReview(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"OK", map[string]any{"review_reason": "防汛加分未计入"}, "-"},
		{"Missing", map[string]any{}, "review_reason"},
		{"WrongType", map[string]any{"review_reason": true}, "review_reason"},
		{"Oversized", map[string]any{"review_reason": strings.Repeat("理", MaxText+1)}, "review_reason"},
		{"Unknown", map[string]any{"review_reason": "x", "k": "review"}, "k"},
		{"WithMaterials", map[string]any{"review_reason": "x", "review_materials": "评鉴表，已经主管领导确认"}, "-"},
		{"MaterialsOversized", map[string]any{"review_reason": "x", "review_materials": strings.Repeat("材", MaxText+1)}, "review_materials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseReview(tt.in)
			wantField(t, err, tt.field)
		})
	}
	if rv, err := ParseReview(map[string]any{"review_reason": "x", "review_materials": " 评鉴表 "}); err != nil || rv.Materials != "评鉴表" {
		t.Errorf("materials = %q, %v", rv.Materials, err)
	}
}

func TestParseValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   map[string]any
		want Value
		err  bool
	}{
		{"Step", map[string]any{"k": "approve", "id": "2026-Q3/ou_01/1", "v": 3.0}, Value{K: KindApprove, ID: "2026-Q3/ou_01/1", V: 3}, false},
		{"Open", map[string]any{"k": "open", "id": "weekly/2026-W40", "v": 0.0}, Value{K: KindOpen, ID: "weekly/2026-W40"}, false},
		{"OpenUnknownForm", map[string]any{"k": "open", "id": "admin/x", "v": 0.0}, Value{}, true},
		{"UnknownKind", map[string]any{"k": "delete", "id": "x", "v": 0.0}, Value{}, true},
		{"ExtraKey", map[string]any{"k": "approve", "id": "x", "v": 1.0, "score": "100"}, Value{}, true},
		{"MissingKey", map[string]any{"k": "approve", "id": "x"}, Value{}, true},
		{"StringVersion", map[string]any{"k": "approve", "id": "x", "v": "1"}, Value{}, true},
		{"FractionVersion", map[string]any{"k": "approve", "id": "x", "v": 1.5}, Value{}, true},
		{"NegativeVersion", map[string]any{"k": "approve", "id": "x", "v": -1.0}, Value{}, true},
		{"HugeVersion", map[string]any{"k": "approve", "id": "x", "v": 1e300}, Value{}, true},
		{"LongID", map[string]any{"k": "approve", "id": strings.Repeat("x", 201), "v": 1.0}, Value{}, true},
		{"ControlID", map[string]any{"k": "approve", "id": "a\nb", "v": 1.0}, Value{}, true},
		{"Nil", nil, Value{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseValue(tt.in)
			if tt.err {
				if !errors.Is(err, ErrBadValue) {
					t.Errorf("err = %v, want ErrBadValue", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"0", "0", true}, {"5", "5", true}, {"5.0", "5", true}, {"5.50", "5.5", true}, {"05.05", "5.05", true},
		{"100", "100", true}, {"", "", false}, {".5", "", false}, {"5.", "", false}, {"1e2", "", false}, {"-1", "", false}, {"12345", "", false},
	}
	for _, tt := range tests {
		h, ok := parseHundredths(tt.in)
		if ok != tt.ok || (ok && formatHundredths(h) != tt.want) {
			t.Errorf("parseHundredths(%q) = %d, %v; want %q, %v", tt.in, h, ok, tt.want, tt.ok)
		}
	}
}

func TestParseScoringScoreAndGrade(t *testing.T) {
	t.Parallel()
	f := ScoringForm{Step: "s", Version: 1, ScoreMax: "100", Grades: []string{"A", "B", "C", "D"}}
	tests := []struct {
		name      string
		fv        map[string]any
		wantScore string
		wantGrade string
		wantField string
	}{
		{"OK", map[string]any{FieldScore: "88.5", FieldGrade: "A"}, "88.5", "A", ""},
		{"ErrScoreOverMax", map[string]any{FieldScore: "101", FieldGrade: "A"}, "", "", FieldScore},
		{"ErrUnknownGrade", map[string]any{FieldScore: "80", FieldGrade: "E"}, "", "", FieldGrade},
		{"ErrMissingGrade", map[string]any{FieldScore: "80"}, "", "", FieldGrade},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseScoring(KindApprove, tc.fv, f)
			if tc.wantField != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tc.wantField {
					t.Fatalf("err = %v, want a FieldError on %s", err, tc.wantField)
				}
				return
			}
			if err != nil || got.Score != tc.wantScore || got.Grade != tc.wantGrade {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	}
}

// TestParseScoringDirect: a direct determination comes back as its grade
// and the scheme's reason; anything not offered is refused.
// TestParseScoringRefusal: "经批评教育后仍拒不参加考核" needs the date of the
// 批评教育 and how the person refused, and then no grade (the scheme sets
// it); without the choice, the two fields are ignored.
func TestParseScoringRefusal(t *testing.T) {
	t.Parallel()
	f := ScoringForm{Step: "s", Version: 1, Grades: []string{"A", "B", "C", "D"}, Refusal: "确定为「D」"}
	tests := []struct {
		name      string
		fv        map[string]any
		want      Scoring
		wantField string
	}{
		{"Refused", map[string]any{FieldDirect: DirectRefused, FieldRefusalWarned: "2026-10-06 +0800", FieldRefusalReason: "限期内仍拒不填写"},
			Scoring{Kind: KindApprove, Refused: true, RefusalWarned: "2026-10-06", RefusalReason: "限期内仍拒不填写"}, ""},
		{"RefusedWithoutDate", map[string]any{FieldDirect: DirectRefused, FieldRefusalReason: "拒不填写"}, Scoring{}, FieldRefusalWarned},
		{"RefusedWithoutReason", map[string]any{FieldDirect: DirectRefused, FieldRefusalWarned: "2026-10-06"}, Scoring{}, FieldRefusalReason},
		{"NotRefusedNeedsGrade", map[string]any{FieldDirect: "none", FieldRefusalWarned: "2026-10-06"}, Scoring{}, FieldGrade},
		{"NotRefusedIgnoresFields", map[string]any{FieldGrade: "B", FieldRefusalWarned: "2026-10-06", FieldRefusalReason: "x"},
			Scoring{Kind: KindApprove, Grade: "B"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseScoring(KindApprove, tc.fv, f)
			if tc.wantField != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tc.wantField {
					t.Fatalf("err = %v, want a FieldError on %s", err, tc.wantField)
				}
				return
			}
			if err != nil || got.Refused != tc.want.Refused || got.RefusalWarned != tc.want.RefusalWarned ||
				got.RefusalReason != tc.want.RefusalReason || got.Grade != tc.want.Grade {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	// A scheme without the rule offers no such choice.
	if _, err := ParseScoring(KindApprove, map[string]any{FieldGrade: "B", FieldDirect: DirectRefused}, ScoringForm{Step: "s", Version: 1, Grades: []string{"A", "B"}}); err == nil {
		t.Errorf("a refusal accepted on a card that does not offer it")
	}
}

func TestParseScoringDirect(t *testing.T) {
	t.Parallel()
	f := s4Scoring()
	f.DirectTop, f.DirectBottom, f.TopGrade, f.BottomGrade = []string{"承担急难险重任务表现突出"}, []string{"拒不服从组织安排"}, "好", "较差"
	form := func(direct any) map[string]any {
		m := map[string]any{}
		walkTree(f.Indicators, 0, func(in Indicator, _ int) {
			if len(in.Children) == 0 {
				m[IndicatorField(in.ID)] = in.Value
			}
		})
		if direct != nil {
			m[FieldDirect] = direct
		}
		return m
	}
	tests := []struct {
		name          string
		direct        any
		grade, reason string
		field         string
	}{
		{"None", "none", "", "", "-"},
		{"Absent", nil, "", "", "-"},
		{"Top", "top:0", "top", "承担急难险重任务表现突出", "-"},
		{"Bottom", "bottom:0", "bottom", "拒不服从组织安排", "-"},
		{"NotOffered", "top:1", "", "", FieldDirect},
		{"Garbage", "好", "", "", FieldDirect},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseScoring(KindApprove, form(tc.direct), f)
			wantField(t, err, tc.field)
			if tc.field == "-" && (s.DirectGrade != tc.grade || s.DirectReason != tc.reason) {
				t.Errorf("direct = %q %q, want %q %q", s.DirectGrade, s.DirectReason, tc.grade, tc.reason)
			}
		})
	}
}

// TestLongText: a long text is written in two inputs of at most MaxText
// and read back joined; a stored long text prefills the two inputs so that
// submitting them unchanged gives it back.
func TestLongText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("甲", 900) + "\n" + strings.Repeat("乙", 600)
	tests := []struct {
		name    string
		summary any
		more    any
		want    string
		field   string
	}{
		{"OneInput", "本季度完成", nil, "本季度完成", "-"},
		{"Joined", strings.Repeat("甲", 1000), "乙", strings.Repeat("甲", 1000) + "\n乙", "-"},
		{"OnlyTheContinuation", "", "续写", "续写", "-"},
		{"FirstTooLong", strings.Repeat("甲", MaxText+1), nil, "", FieldSummary},
		{"ContinuationTooLong", "a", strings.Repeat("乙", MaxText+1), "", MoreField(FieldSummary)},
		{"BothEmpty", " ", "", "", FieldSummary},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fv := map[string]any{FieldSummary: tc.summary}
			if tc.more != nil {
				fv[MoreField(FieldSummary)] = tc.more
			}
			q, err := ParseQuarterly(fv)
			wantField(t, err, tc.field)
			if tc.field == "-" && q.Summary != tc.want {
				t.Errorf("summary = %q…, want %q…", clip(q.Summary, 20), clip(tc.want, 20))
			}
		})
	}
	first, more := splitLong(long)
	if utf8.RuneCountInString(first) > MaxText || utf8.RuneCountInString(more) > MaxText {
		t.Fatalf("split into %d + %d runes", utf8.RuneCountInString(first), utf8.RuneCountInString(more))
	}
	q, err := ParseQuarterly(map[string]any{FieldSummary: first, MoreField(FieldSummary): more})
	if err != nil || q.Summary != long {
		t.Errorf("round trip of a 1,501-character summary: %v, equal %v", err, q.Summary == long)
	}
}
