package scoring

import (
	"errors"
	"strings"
	"testing"
)

// minimal is a valid scheme that the bad-scheme cases below break one field
// at a time.
const minimal = `id: t
name: test
grades:
  - label: 好
  - label: 较好
  - label: 较差
raters:
  - sources:
      - {id: leader, weight: 100%, kind: score}
bands:
  - {grade: 好, range: "[90, +inf)"}
  - {grade: 较好, range: "[60, 90)"}
  - {grade: 较差, range: "(-inf, 60)"}
`

func TestLoadBuiltins(t *testing.T) {
	t.Parallel()
	ids := BuiltinIDs()
	if len(ids) != 10 {
		t.Fatalf("built-in schemes = %v, want s1 … s10", ids)
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			s, err := Builtin(id)
			if err != nil {
				t.Fatalf("Builtin(%q): %v", id, err)
			}
			if s.ID != id {
				t.Errorf("id = %q, want %q", s.ID, id)
			}
		})
	}
	if _, err := Builtin("s11"); !errors.Is(err, ErrUnknownScheme) {
		t.Errorf("Builtin(s11) = %v, want ErrUnknownScheme", err)
	}
}

func TestLoadMinimal(t *testing.T) {
	t.Parallel()
	s, err := Load("min.yaml", []byte(minimal))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if s.Scale.String() != "100" || s.Cycle != "quarter" || *s.Rounding.Places != 2 {
		t.Errorf("defaults not applied: scale %s cycle %s places %d", s.Scale, s.Cycle, *s.Rounding.Places)
	}
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		from, to  string // replace in minimal; from "" appends to
		wantLine  int
		wantField string
		wantMsg   string
	}{
		{"OverlappingBands", `"[60, 90)"`, `"[60, 90]"`, 11, "bands[0].range", "overlaps"},
		{"GappedBands", `"[60, 90)"`, `"[60, 89]"`, 11, "bands[0].range", "gap between"},
		{"NoBottomBand", `"(-inf, 60)"`, `"[0, 60)"`, 13, "bands[2].range", "gap below"},
		{"UnknownGradeInBand", `{grade: 较好,`, `{grade: 良好,`, 12, "bands[1].grade", `unknown grade "良好"`},
		{"WeightsNot100", `weight: 100%`, `weight: 90%`, 8, "raters[0].sources", "add up to 90%"},
		{"WeightWithoutPercent", `weight: 100%`, `weight: 1`, 9, "", "% sign"},
		{"UnknownField", `name: test`, "name: test\ncolour: red", 3, "", "colour"},
		{"BadInterval", `"[90, +inf)"`, `"[90, +inf]"`, 11, "", "+inf must be open"},
		{"EmptyInterval", `"[60, 90)"`, `"[90, 60)"`, 12, "", "empty"},
		{"DuplicateGrade", "  - label: 较差", "  - label: 较好", 6, "grades[2]", "used twice"},
		{"CapContradictsRange", "", "quotas:\n  - {grade: 好, max_share: 20%, min_share: 30%}\n", 15, "quotas[0].min_share", "contradicts"},
		{"UnknownFilingCadence", "", "filing: {every: month}\n", 14, "filing.every", "must be period or half_year"},
		{"HalfYearFilingMonthly", "", "cycle: month\nfiling: {every: half_year}\n", 15, "filing.every", "needs cycle quarter"},
		{"HardMaxBelowMax", "", "quotas:\n  - {grade: 好, max_share: 40%, hard_max_share: 30%}\n", 15, "quotas[0].hard_max_share", "at least max_share"},
		{"UnknownQuotaGrade", "", "quotas:\n  - {grade: 优秀, max_share: 40%}\n", 15, "quotas[0].grade", "unknown grade"},
		{"IndicatorsDoNotSum", "", "indicators:\n  - id: 德\n    max: 20\n    children:\n      - {id: a, max: 6}\n      - {id: b, max: 4}\n", 16, "indicators[0].max", "add up to 10"},
		{"WeightedChildrenNot100", "", "indicators:\n  - id: 绩\n    max: 40\n    combine: weighted\n    children:\n      - {id: a, max: 40, weight: 70%}\n      - {id: b, max: 40, weight: 20%}\n", 18, "indicators[0].children", "add up to 90%"},
		{"ItemBandsGap", "", "indicators:\n  - id: 目标\n    max: 30\n    bands:\n      - {label: 优秀, range: \"[27, 30]\"}\n      - {label: 称职, range: \"[0, 26]\"}\n", 18, "indicators[0].bands[0].range", "gap between"},
		{"UnknownTierInRaters", "raters:\n  - sources:", "raters:\n  - tiers: [正科]\n    sources:", 8, "raters[0].tiers[0]", "unknown tier"},
		{"AnnualRuleUnknownGrade", "", "annual:\n  periods: 4\n  grades: [优秀, 称职]\n  rules:\n    - when: {grades: [好], all: true}\n      max_grade: 良好\n", 18, "annual.rules[0]", "unknown annual grade"},
		{"AnnualRuleNoCondition", "", "annual:\n  periods: 4\n  grades: [优秀, 称职]\n  rules:\n    - when: {}\n      max_grade: 称职\n", 18, "annual.rules[0].when", "no condition"},
		{"UnknownRecordKind", "", "records:\n  - {kind: hourly}\n  - {kind: quarterly}\n", 15, "records[0].kind", `not "hourly"`},
		{"RepeatedRecordKind", "", "records:\n  - {kind: quarterly}\n  - {kind: quarterly, name: 登记表}\n", 16, "records[1].kind", "listed twice"},
		{"RecordsWithoutSummary", "", "records:\n  - {kind: weekly}\n", 14, "records", "self-summary"},
		{"ConditionUnknownGrade", "", "grade_conditions:\n  leave_kinds: [病假]\n  grades:\n    - {grade: 优, full_attendance: true}\n", 17, "grade_conditions.grades[0].grade", `unknown grade "优"`},
		{"ConditionOnBottomGrade", "", "grade_conditions:\n  grades:\n    - {grade: 较差, no_late_early: true}\n", 16, "grade_conditions.grades[0].grade", "bottom grade"},
		{"ConditionEmpty", "", "grade_conditions:\n  grades:\n    - {grade: 好}\n", 16, "grade_conditions.grades[0]", "set full_attendance"},
		{"ConditionNoLeaveKinds", "", "grade_conditions:\n  grades:\n    - {grade: 好, full_attendance: true}\n", 14, "grade_conditions.leave_kinds", "name the leave kinds"},
		{"ConditionTwice", "", "grade_conditions:\n  leave_kinds: [病假]\n  grades:\n    - {grade: 好, full_attendance: true}\n    - {grade: 好, no_late_early: true}\n", 18, "grade_conditions.grades[1].grade", "twice"},
		{"ConditionNegativeDays", "", "grade_conditions:\n  leave_kinds: [病假]\n  grades:\n    - {grade: 好, max_leave_days_per_month: -1}\n", 17, "grade_conditions.grades[0].max_leave_days_per_month", "between 0 and 31"},
		{"ConditionLooserAbove", "", "grade_conditions:\n  leave_kinds: [病假]\n  grades:\n    - {grade: 好, max_leave_days_per_month: 5}\n    - {grade: 较好, max_leave_days_per_month: 3}\n", 17, "grade_conditions.grades[0]", "at least as strict"},
		{"ConditionLateOnlyBelow", "", "grade_conditions:\n  leave_kinds: [病假]\n  grades:\n    - {grade: 好, max_leave_days_per_month: 1}\n    - {grade: 较好, no_late_early: true}\n", 17, "grade_conditions.grades[0]", "at least as strict"},
		{"NotAMapping", "id: t\n", "- just\n- a list\n", 1, "", "mapping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := minimal
			if tc.from == "" {
				src += tc.to
			} else {
				if !strings.Contains(src, tc.from) {
					t.Fatalf("test bug: %q not in minimal", tc.from)
				}
				if tc.name == "NotAMapping" {
					src = tc.to
				} else {
					src = strings.Replace(src, tc.from, tc.to, 1)
				}
			}
			s, err := Load("bad.yaml", []byte(src))
			if err == nil {
				t.Fatalf("Load accepted a bad scheme: %+v", s)
			}
			if s != nil {
				t.Errorf("Load returned a scheme with an error")
			}
			if !errors.Is(err, ErrInvalidScheme) {
				t.Errorf("error %v does not match ErrInvalidScheme", err)
			}
			var es SchemeErrors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %T is not SchemeErrors", err)
			}
			found := false
			for _, e := range es {
				if strings.Contains(e.Msg, tc.wantMsg) && (tc.wantField == "" || e.Field == tc.wantField) {
					found = true
					if e.File != "bad.yaml" {
						t.Errorf("file = %q, want bad.yaml", e.File)
					}
					if e.Line != tc.wantLine {
						t.Errorf("line = %d, want %d (%v)", e.Line, tc.wantLine, e)
					}
				}
			}
			if !found {
				t.Errorf("errors %q lack field %q with %q", err, tc.wantField, tc.wantMsg)
			}
		})
	}
}

func TestIntervalContains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		iv   string
		v    string
		want bool
	}{
		{"[90, +inf)", "90", true},
		{"[90, +inf)", "89.99", false},
		{"[75, 90)", "89.999999", true},
		{"[75, 90)", "90", false},
		{"(-inf, 60)", "59.99", true},
		{"(-inf, 60)", "60", false},
		{"(60, 70]", "60", false},
		{"(60, 70]", "70", true},
	}
	for _, tc := range tests {
		iv, err := ParseInterval(tc.iv)
		if err != nil {
			t.Fatalf("ParseInterval(%q): %v", tc.iv, err)
		}
		if got := iv.Contains(D(tc.v).Decimal); got != tc.want {
			t.Errorf("%s contains %s = %v, want %v", tc.iv, tc.v, got, tc.want)
		}
		if iv.String() != tc.iv {
			t.Errorf("String() = %q, want %q", iv.String(), tc.iv)
		}
	}
}

// TestBuiltinRecords: each scheme keeps the records its seed names (the
// records section of its file), and a scheme without one keeps S4's.
func TestBuiltinRecords(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"s1":  "weekly:周记实 monthly:月小结 quarterly:季度小结",
		"s2":  "monthly:月记实 quarterly:季度工作小结",
		"s3":  "weekly:周记实 monthly:月小结 quarterly:季度小结",
		"s4":  "weekly:周记实 monthly:月小结 quarterly:季度小结",
		"s5":  "weekly:周记实 monthly:月小结 quarterly:季度总结",
		"s6":  "quarterly:记实登记表",
		"s7":  "daily:个人工作日志 monthly:月度工作纪实 quarterly:评鉴表",
		"s8":  "monthly:个人小结 quarterly:季度小结",
		"s9":  "weekly:周记实 monthly:月自查 quarterly:季度考评登记表",
		"s10": "monthly:工作纪实 quarterly:记实表",
	}
	for id, w := range want {
		s, err := Builtin(id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range s.Records {
			got = append(got, r.Kind+":"+r.Name)
		}
		if g := strings.Join(got, " "); g != w {
			t.Errorf("%s keeps %q, want %q", id, g, w)
		}
	}
	s, err := Load("t.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Records.Keeps(RecordWeekly) || s.Records.Keeps(RecordDaily) || s.Records.Name(RecordDaily) != "工作日志" {
		t.Errorf("a scheme without records keeps %v, want DefaultRecords", s.Records)
	}
}
