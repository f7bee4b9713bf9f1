package card

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The parsers of the smaller forms (点评, 反馈, 人员情况, 请假, 转办, 复核,
// 谈话). Each case names what it holds and, for a refusal, the field and
// the exact Chinese toast the user sees.

// formCase is one input of a parser test: want is the parsed value for an
// accepted form; field and toast the refusal.
type formCase[T any] struct {
	name  string
	in    map[string]any
	want  T
	field string // "" when accepted
	toast string
}

// runFormCases runs parse on every case and checks its value or its
// *FieldError's field and toast.
func runFormCases[T any](t *testing.T, parse func(map[string]any) (T, error), cases []formCase[T]) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parse(tt.in)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FieldError for %s", err, tt.field)
			}
			if fe.Field != tt.field || fe.Toast() != tt.toast {
				t.Fatalf("refused %s with %q, want %s with %q", fe.Field, fe.Toast(), tt.field, tt.toast)
			}
		})
	}
}

// with returns a copy of base with k set to v, or removed when v is nil.
func with(base map[string]any, kv ...any) map[string]any {
	m := make(map[string]any, len(base))
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(m, k)
		} else {
			m[k] = kv[i+1]
		}
	}
	return m
}

// bidi wraps s in direction controls and invisible characters of the kind
// a paste from a document brings along.
func bidi(s string) string { return "\u202e\u2066" + s + "\u2069\u202c\u200b" }

const unknownField = "表单含有未知字段，请重新打开卡片填写"

// textFormCases are the cases of a form of one required multi-line text
// of MaxOpinion runes: 点评, 谈话情况, 办理意见.
func textFormCases[T any](field, label string, wrap func(string) T) []formCase[T] {
	ok := map[string]any{field: "工作扎实\r\n下季度加强学习"}
	var zero T
	return []formCase[T]{
		{name: "Valid", in: ok, want: wrap("工作扎实\n下季度加强学习")},
		{name: "Trimmed", in: with(ok, field, "  好  "), want: wrap("好")},
		{name: "AtMax", in: with(ok, field, strings.Repeat("字", MaxOpinion)), want: wrap(strings.Repeat("字", MaxOpinion))},
		{name: "BidiDropped", in: with(ok, field, bidi("同意")), want: wrap("同意")},
		{name: "Missing", in: map[string]any{}, want: zero, field: field, toast: label + "：必填"},
		{name: "Blank", in: with(ok, field, " \n "), field: field, toast: label + "：必填"},
		{name: "OnlyBidi", in: with(ok, field, bidi("")), field: field, toast: label + "：必填"},
		{name: "OverMax", in: with(ok, field, strings.Repeat("字", MaxOpinion+1)), field: field,
			toast: label + "：不能超过500字（现501字）"},
		{name: "WrongType", in: with(ok, field, 5.0), field: field, toast: label + "：类型不正确"},
		{name: "ControlChar", in: with(ok, field, "a\x07b"), field: field, toast: label + "：含有无效字符"},
		{name: "InvalidUTF8", in: with(ok, field, "a\xffb"), field: field, toast: label + "：含有无效字符"},
		{name: "UnknownField", in: with(ok, "grade", "好"), field: "grade", toast: unknownField},
	}
}

func TestParseRemark(t *testing.T) {
	t.Parallel()
	runFormCases(t, ParseRemark, textFormCases(FieldRemark, "点评", func(s string) string { return s }))
}

func TestParseTalk(t *testing.T) {
	t.Parallel()
	runFormCases(t, ParseTalk, textFormCases(FieldTalkNote, "谈话情况", func(s string) string { return s }))
}

func TestParseReviewHandling(t *testing.T) {
	t.Parallel()
	runFormCases(t, ParseReviewHandling, textFormCases(FieldReviewOpinion, "办理意见",
		func(s string) ReviewHandling { return ReviewHandling{Opinion: s} }))
}

func TestParseFeedback(t *testing.T) {
	t.Parallel()
	ids := []string{"ou_e1", "ou_e2"}
	ok := map[string]any{FieldFeedbackPerson: "ou_e2", FieldFeedbackStrengths: "按时完成", FieldFeedbackProblems: "",
		FieldFeedbackRequests: "加强学习\r\n多下基层"}
	parse := func(m map[string]any) (FeedbackInput, error) { return ParseFeedback(m, ids) }
	runFormCases(t, parse, []formCase[FeedbackInput]{
		{name: "Valid", in: ok, want: FeedbackInput{Person: "ou_e2", Strengths: "按时完成", Requests: "加强学习\n多下基层"}},
		{name: "OneTextEnough", in: with(ok, FieldFeedbackStrengths, nil, FieldFeedbackRequests, nil, FieldFeedbackProblems, "迟交"),
			want: FeedbackInput{Person: "ou_e2", Problems: "迟交"}},
		{name: "BidiDropped", in: with(ok, FieldFeedbackStrengths, bidi("成绩突出")),
			want: FeedbackInput{Person: "ou_e2", Strengths: "成绩突出", Requests: "加强学习\n多下基层"}},
		{name: "PersonMissing", in: with(ok, FieldFeedbackPerson, nil), field: FieldFeedbackPerson, toast: "反馈对象：请选择"},
		{name: "PersonNotOffered", in: with(ok, FieldFeedbackPerson, "ou_stranger"), field: FieldFeedbackPerson, toast: "反馈对象：选项无效"},
		{name: "AllTextsEmpty", in: map[string]any{FieldFeedbackPerson: "ou_e1"}, field: FieldFeedbackStrengths, toast: "反馈内容：请至少填写一项"},
		{name: "OnlyBidiIsEmpty", in: map[string]any{FieldFeedbackPerson: "ou_e1", FieldFeedbackProblems: bidi(" ")},
			field: FieldFeedbackStrengths, toast: "反馈内容：请至少填写一项"},
		{name: "OverMax", in: with(ok, FieldFeedbackProblems, strings.Repeat("字", MaxOpinion+1)), field: FieldFeedbackProblems,
			toast: "指出不足：不能超过500字（现501字）"},
		{name: "WrongType", in: with(ok, FieldFeedbackRequests, []any{"x"}), field: FieldFeedbackRequests, toast: "改进要求：类型不正确"},
		{name: "UnknownField", in: with(ok, "fb_grade", "好"), field: "fb_grade", toast: unknownField},
	})
}

func TestParsePersonStatus(t *testing.T) {
	t.Parallel()
	sanctions := []string{"警告", "记过"}
	ok := map[string]any{FieldProbation: "yes", FieldInvestigation: "no", FieldSanction: "none", FieldExempt: "no",
		FieldStatusReason: "人社发〔2026〕1号"}
	parse := func(m map[string]any) (PersonStatusInput, error) { return ParsePersonStatus(m, sanctions) }
	runFormCases(t, parse, []formCase[PersonStatusInput]{
		{name: "Valid", in: ok, want: PersonStatusInput{Probation: true, Reason: "人社发〔2026〕1号"}},
		{name: "Sanction", in: with(ok, FieldSanction, "记过", FieldExempt, "yes", FieldSanctionStart, "2026-03-01 +0800", FieldSanctionEnd, "2027-02-28 +0800"),
			want: PersonStatusInput{Probation: true, Sanction: "记过", SanctionStart: "2026-03-01", SanctionEnd: "2027-02-28", Exempt: true, Reason: "人社发〔2026〕1号"}},
		{name: "TermWithoutSanctionDropped", in: with(ok, FieldSanctionStart, "2026-03-01 +0800", FieldSanctionEnd, "2027-02-28 +0800"),
			want: PersonStatusInput{Probation: true, Reason: "人社发〔2026〕1号"}},
		{name: "SanctionWithoutStart", in: with(ok, FieldSanction, "记过", FieldSanctionEnd, "2027-02-28 +0800"), field: FieldSanctionStart,
			toast: "处分开始日期：请选择处分开始日期"},
		{name: "SanctionWithoutEnd", in: with(ok, FieldSanction, "记过", FieldSanctionStart, "2026-03-01 +0800"), field: FieldSanctionEnd,
			toast: "处分期满日期：请选择处分期满日期"},
		{name: "SanctionEndBeforeStart", in: with(ok, FieldSanction, "记过", FieldSanctionStart, "2026-03-01 +0800", FieldSanctionEnd, "2026-02-28 +0800"),
			field: FieldSanctionEnd, toast: "处分期满日期：不能早于开始日期"},
		{name: "BidiDropped", in: with(ok, FieldStatusReason, bidi("试用期")), want: PersonStatusInput{Probation: true, Reason: "试用期"}},
		{name: "ProbationMissing", in: with(ok, FieldProbation, nil), field: FieldProbation, toast: "试用期：请选择"},
		{name: "InvestigationBad", in: with(ok, FieldInvestigation, "maybe"), field: FieldInvestigation, toast: "立案调查：选项无效"},
		{name: "SanctionNotInScheme", in: with(ok, FieldSanction, "开除"), field: FieldSanction, toast: "处分：选项无效"},
		{name: "ExemptMissing", in: with(ok, FieldExempt, ""), field: FieldExempt, toast: "免于考核：请选择"},
		{name: "ReasonMissing", in: with(ok, FieldStatusReason, nil), field: FieldStatusReason, toast: "事由：必填"},
		{name: "ReasonOnlyBidi", in: with(ok, FieldStatusReason, bidi("")), field: FieldStatusReason, toast: "事由：必填"},
		{name: "ReasonOverMax", in: with(ok, FieldStatusReason, strings.Repeat("字", MaxShortText+1)), field: FieldStatusReason,
			toast: "事由：不能超过200字（现201字）"},
		{name: "ReasonNewline", in: with(ok, FieldStatusReason, "第一行\n第二行"), field: FieldStatusReason, toast: "事由：不能换行"},
		{name: "UnknownField", in: with(ok, "assessed", "no"), field: "assessed", toast: unknownField},
	})
}

func TestParseAbsence(t *testing.T) {
	t.Parallel()
	kinds := []string{"病假", "事假"}
	ok := map[string]any{FieldLeaveKind: "病假", FieldLeaveStart: "2026-11-02 +0800", FieldLeaveEnd: "2026-11-06 +0800"}
	parse := func(m map[string]any) (AbsenceInput, error) { return ParseAbsence(m, kinds) }
	runFormCases(t, parse, []formCase[AbsenceInput]{
		{name: "Valid", in: ok, want: AbsenceInput{Kind: "病假", Start: "2026-11-02", End: "2026-11-06"}},
		{name: "OneDay", in: with(ok, FieldLeaveEnd, "2026-11-02"), want: AbsenceInput{Kind: "病假", Start: "2026-11-02", End: "2026-11-02"}},
		{name: "KindMissing", in: with(ok, FieldLeaveKind, nil), field: FieldLeaveKind, toast: "假别：请选择"},
		{name: "KindNotInScheme", in: with(ok, FieldLeaveKind, "年假"), field: FieldLeaveKind, toast: "假别：选项无效"},
		{name: "KindWithBidi", in: with(ok, FieldLeaveKind, bidi("病假")), field: FieldLeaveKind, toast: "假别：选项无效"},
		{name: "StartMissing", in: with(ok, FieldLeaveStart, nil), field: FieldLeaveStart, toast: "开始日期：请选择日期"},
		{name: "StartNoSuchDay", in: with(ok, FieldLeaveStart, "2026-02-30 +0800"), field: FieldLeaveStart, toast: "开始日期：日期格式不正确"},
		{name: "EndBadFormat", in: with(ok, FieldLeaveEnd, "11/06/2026"), field: FieldLeaveEnd, toast: "结束日期：日期格式不正确"},
		{name: "EndWithBidi", in: with(ok, FieldLeaveEnd, "\u202e2026-11-06"), field: FieldLeaveEnd, toast: "结束日期：日期格式不正确"},
		{name: "EndBeforeStart", in: with(ok, FieldLeaveEnd, "2026-11-01"), field: FieldLeaveEnd, toast: "结束日期：不能早于开始日期"},
		{name: "UnknownField", in: with(ok, "leave_days", "5"), field: "leave_days", toast: unknownField},
	})
}

func TestParseReassign(t *testing.T) {
	t.Parallel()
	ids := []string{"ou_l2", "ou_s1"}
	ok := map[string]any{FieldReassignTo: "ou_s1", FieldReassignReason: "原负责人出差"}
	parse := func(m map[string]any) (Reassignment, error) { return ParseReassign(m, ids) }
	runFormCases(t, parse, []formCase[Reassignment]{
		{name: "Valid", in: ok, want: Reassignment{To: "ou_s1", Reason: "原负责人出差"}},
		{name: "BidiDropped", in: with(ok, FieldReassignReason, bidi("出差")), want: Reassignment{To: "ou_s1", Reason: "出差"}},
		{name: "ToMissing", in: with(ok, FieldReassignTo, nil), field: FieldReassignTo, toast: "转给：请选择"},
		{name: "ToNotACandidate", in: with(ok, FieldReassignTo, "ou_e1"), field: FieldReassignTo, toast: "转给：选项无效"},
		{name: "ReasonMissing", in: with(ok, FieldReassignReason, nil), field: FieldReassignReason, toast: "转办原因：必填"},
		{name: "ReasonOverMax", in: with(ok, FieldReassignReason, strings.Repeat("字", MaxShortText+1)), field: FieldReassignReason,
			toast: "转办原因：不能超过200字（现201字）"},
		{name: "ReasonNewline", in: with(ok, FieldReassignReason, "a\r\nb"), field: FieldReassignReason, toast: "转办原因：不能换行"},
		{name: "UnknownField", in: with(ok, "step", "1"), field: "step", toast: unknownField},
	})
}

func TestParseReviewDecision(t *testing.T) {
	t.Parallel()
	grades := []string{"好", "较好", "一般", "较差"}
	holders := []Holder{{ID: "ou_e2", Name: "周二", Grade: "好"}}
	ok := map[string]any{FieldReviewGrade: "好", FieldReviewDecision: "加分属实\r\n予以调整", FieldReviewDisplace: "ou_e2"}
	parse := func(m map[string]any) (ReviewDecision, error) { return ParseReviewDecision(m, grades, holders) }
	runFormCases(t, parse, []formCase[ReviewDecision]{
		{name: "Valid", in: ok, want: ReviewDecision{Grade: "好", Reason: "加分属实\n予以调整", Displace: "ou_e2"}},
		{name: "NoDisplace", in: with(ok, FieldReviewDisplace, nil, FieldReviewGrade, "较好"),
			want: ReviewDecision{Grade: "较好", Reason: "加分属实\n予以调整"}},
		{name: "BidiDropped", in: with(ok, FieldReviewDecision, bidi("维持")), want: ReviewDecision{Grade: "好", Reason: "维持", Displace: "ou_e2"}},
		{name: "GradeMissing", in: with(ok, FieldReviewGrade, nil), field: FieldReviewGrade, toast: "复核后等次：请选择"},
		{name: "GradeNotInScheme", in: with(ok, FieldReviewGrade, "优秀"), field: FieldReviewGrade, toast: "复核后等次：选项无效"},
		{name: "ReasonMissing", in: with(ok, FieldReviewDecision, nil), field: FieldReviewDecision, toast: "决定理由：必填"},
		{name: "ReasonOverMax", in: with(ok, FieldReviewDecision, strings.Repeat("字", MaxOpinion+1)), field: FieldReviewDecision,
			toast: "决定理由：不能超过500字（现501字）"},
		{name: "DisplaceNotAHolder", in: with(ok, FieldReviewDisplace, "ou_e9"), field: FieldReviewDisplace, toast: "让出名额的人员：选项无效"},
		{name: "UnknownField", in: with(ok, "seats", "2"), field: "seats", toast: unknownField},
	})
}
