package card

import (
	"errors"
	"strings"
	"testing"
)

// s4Year is the committee's card of an S4 year: one all-好 person with
// priority for 优秀, one capped at 称职 by a 一般.
func s4Year() YearForm {
	return YearForm{Year: "2026", Version: 1, Grades: []string{"优秀", "称职", "基本称职", "不称职"}, Rows: []YearRow{
		{ID: "ou_a1", Name: "陈晓燕", Unit: "办公室", Periods: []string{"好", "好", "好", "好"}, Total: "94.5", Grade: "优秀", Priority: []string{"优秀"}},
		{ID: "ou_c4", Name: "谢婷婷", Unit: "业务科", Periods: []string{"一般", "较好", "较好", "较好"}, Total: "77.25", Grade: "称职", MaxGrade: "称职"},
		{ID: "ou_b2", Name: "郑秀兰", Unit: "财务科", Periods: []string{"较好", "", "较好", "较好"}, Total: "87", Grade: "称职"},
	}}
}

func TestGoldenYear(t *testing.T) {
	t.Parallel()
	checkGolden(t, "year_committee", YearCommitteeCard(s4Year()))
	done := s4Year()
	done.Confirmed = true
	checkGolden(t, "year_confirmed", YearCommitteeCard(done))
	// S9: no total; the 年度考核优秀率 the committee grades by (S9 四).
	checkGolden(t, "year_committee_s9", YearCommitteeCard(YearForm{Year: "2026@s9", Version: 1, Grades: []string{"优秀", "称职", "基本称职", "不称职"}, Rows: []YearRow{
		{ID: "ou_a1", Name: "赵一", Unit: "综合科", Periods: []string{"优秀", "优秀", "优秀"}, Rate: "100", Grade: "称职"},
		{ID: "ou_a6", Name: "吴六", Unit: "综合科", Periods: []string{"称职", "基本称职", "基本称职"}, Rate: "0", Grade: "基本称职", MaxGrade: "基本称职"},
	}}))
}

func TestParseYear(t *testing.T) {
	t.Parallel()
	f := s4Year()
	all := map[string]any{GradeField("ou_a1"): "优秀", GradeField("ou_c4"): "称职", GradeField("ou_b2"): "优秀", FieldYearReason: "全年表现突出"}
	tests := []struct {
		name       string
		fv         map[string]any
		wantErr    string
		wantGrades int
	}{
		{name: "OK", fv: all},
		{name: "MissingGradeKeepsTheDraft", fv: map[string]any{GradeField("ou_a1"): "优秀", GradeField("ou_c4"): "称职"}, wantGrades: 2},
		{name: "UnknownGrade", fv: map[string]any{GradeField("ou_a1"): "好", GradeField("ou_c4"): "称职", GradeField("ou_b2"): "称职"}, wantErr: "陈晓燕 年度等次：选项无效"},
		{name: "UnknownField", fv: map[string]any{GradeField("ou_a1"): "优秀", GradeField("ou_c4"): "称职", GradeField("ou_b2"): "称职", GradeField("ou_x"): "优秀"}, wantErr: "表单含有未知字段"},
		{name: "BidiReason", fv: map[string]any{GradeField("ou_a1"): "优秀", GradeField("ou_c4"): "称职", GradeField("ou_b2"): "称职", FieldYearReason: "\u202e表现突出"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := ParseYear(tc.fv, f)
			if tc.wantErr != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || !strings.Contains(fe.Toast(), tc.wantErr) {
					t.Fatalf("err = %v, want a toast saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tc.wantGrades
			if want == 0 {
				want = 3
			}
			if len(d.Grades) != want {
				t.Errorf("grades = %v, want %d", d.Grades, want)
			}
			if tc.name == "BidiReason" && d.Reason != "表现突出" {
				t.Errorf("reason %q keeps the bidi control", d.Reason)
			}
		})
	}
}
