package card

import (
	"fmt"
	"strings"
)

// Kinds of the 复核 handling card (ReviewCard). ID: the review
// ("2026-Q3/ou_01"); V: the review's version.
const (
	// KindReviewForward: HR forwards the request to the committee with the
	// opinion of the form.
	KindReviewForward = "review_forward"
	// KindReviewReject: HR answers the request as not admissible, with the
	// reason of the form.
	KindReviewReject = "review_reject"
	// KindReviewDecide: the committee keeps or changes the grade, with the
	// reason of the form.
	KindReviewDecide = "review_decide"
)

// Fields of the 复核 handling card.
const (
	FieldReviewOpinion  = "opinion"
	FieldReviewGrade    = "grade"
	FieldReviewDecision = "decision"
	FieldReviewDisplace = "displace"
)

// MaxOpinion caps HR's opinion and the committee's reason, in runes.
const MaxOpinion = 500

// ReviewRole says what the viewer of a ReviewCard may do.
type ReviewRole int

// Review roles.
const (
	ReviewViewOnly  ReviewRole = iota // the state, no actions
	ReviewHandler                     // HR: forward or reject a request
	ReviewCommittee                   // the committee: decide a forwarded request
)

// ReviewForm is a 复核 request as HR or the committee sees it.
type ReviewForm struct {
	ID      string
	Version int
	Period  string
	// Person is the name of whoever asked.
	Person string
	Reason string
	// Materials are the materials the request came with; MaterialsNeed
	// names those the scheme asks for (S5 六(四): 经主管领导确认的本人平时考核
	// 材料), shown to HR before forwarding, with a warning when missing.
	Materials, MaterialsNeed string
	// State is the review's state (workflow.Review* values).
	State string
	// Grade and Score are the result being reviewed.
	Grade, Score string
	// Explain is the result's explanation, shown to the committee.
	Explain []string
	// Opinion is HR's, once forwarded; Decision the committee's reason.
	Opinion, Decision string
	NewGrade          string
	// Grades are the scheme's grades, best first (the committee's choice).
	Grades []string
	// Holders are the people who hold a capped grade, one of whom the
	// committee may name to give way when the new grade is over its cap.
	Holders []Holder
	Role    ReviewRole
}

// Holder is a person holding a capped grade.
type Holder struct{ ID, Name, Grade string }

// MaxHolders bounds the displacement choice.
const MaxHolders = 50

// ReviewStateName is a 复核 state (workflow.Review*) in Chinese, "" for
// one it does not know.
func ReviewStateName(state string) string { return reviewStates[state] }

var reviewStates = map[string]string{
	"requested": "待政工科办理", "forwarded": "待考核委员会审议", "rejected": "不予受理",
	"upheld": "维持原等次", "changed": "等次已调整",
}

// ReviewCard renders a 复核 request: the request and the result, then HR's
// form (opinion; 转委员会审议 or 不予受理) or the committee's (grade and
// reason), or only the state when the viewer has nothing to do.
func ReviewCard(f ReviewForm) ([]byte, error) {
	if f.ID == "" || (f.Role == ReviewCommittee && (len(f.Grades) == 0 || len(f.Grades) > 8)) {
		return nil, fmt.Errorf("review %q with %d grades: %w", f.ID, len(f.Grades), ErrBadModel)
	}
	state := reviewStates[f.State]
	lines := []string{
		"**申请人**：" + escLine(f.Person),
		"**当前等次**：" + escLine(orDash(f.Grade)),
	}
	if f.Score != "" {
		lines = append(lines, "**得分**："+escLine(f.Score))
	}
	lines = append(lines, "**复核理由**：\n"+esc(clip(f.Reason, MaxText)))
	switch {
	case f.Materials != "":
		label := "**复核材料**"
		if f.MaterialsNeed != "" {
			label += "（须为" + escLine(f.MaterialsNeed) + "）"
		}
		lines = append(lines, label+"：\n"+esc(clip(f.Materials, MaxText)))
	case f.MaterialsNeed != "":
		lines = append(lines, "<font color='red'>**未附"+escLine(f.MaterialsNeed)+"**，不能转委员会审议</font>")
	}
	lines = append(lines, "**办理情况**："+orDash(state))
	if f.Opinion != "" {
		lines = append(lines, "**政工科意见**："+esc(clip(f.Opinion, MaxOpinion)))
	}
	if f.Decision != "" {
		lines = append(lines, "**委员会决定**：「"+escLine(f.NewGrade)+"」，"+esc(clip(f.Decision, MaxOpinion)))
	}
	els := []elem{md(strings.Join(lines, "\n"))}
	if f.Role == ReviewCommittee && len(f.Explain) > 0 {
		shown := f.Explain[:min(len(f.Explain), 12)]
		for i, l := range shown {
			shown[i] = "· " + escLine(clip(l, 120))
		}
		els = append(els, hr(), md("**计分说明**\n"+strings.Join(shown, "\n")))
	}
	v := func(k string) *Value { return &Value{K: k, ID: f.ID, V: f.Version} }
	switch f.Role {
	case ReviewHandler:
		els = append(els, form("review_handle", []elem{
			textarea(FieldReviewOpinion, "办理意见", "转委员会的意见，或不予受理的理由（必填）", "", MaxOpinion, 3, true),
			columns(
				[]elem{formButton("forward", "转考核委员会审议", "primary", "submit", v(KindReviewForward))},
				[]elem{formButton("reject", "不予受理", "danger", "submit", v(KindReviewReject))},
			),
		}))
	case ReviewCommittee:
		opts := make([]option, len(f.Grades))
		for i, g := range f.Grades {
			opts[i] = option{g, g}
		}
		fe := []elem{
			md("选择复核后的等次（维持原等次请选「" + escLine(orDash(f.Grade)) + "」）："),
			selectStatic(FieldReviewGrade, "复核后等次", opts, f.Grade, true),
			textarea(FieldReviewDecision, "决定理由", "必填，将告知申请人", "", MaxOpinion, 3, true),
		}
		if len(f.Holders) > 0 {
			hs := make([]option, 0, len(f.Holders))
			for _, h := range f.Holders[:min(len(f.Holders), MaxHolders)] {
				hs = append(hs, option{h.Name + "（" + h.Grade + "）", h.ID})
			}
			fe = append(fe, md("调整后如超出名额，须选择让出名额的人员（其等次降一等，并告知本人）："),
				selectStatic(FieldReviewDisplace, "让出名额的人员（无需时不选）", hs, "", false))
		}
		fe = append(fe, formButton("decide", "提交复核决定", "primary", "submit", v(KindReviewDecide)))
		els = append(els, form("review_decide", fe))
	}
	title := "复核申请：" + f.Person
	return build(clip(title, 40), PeriodLabel(f.Period)+" · "+orDash(state), Orange, clip(title, 40), els), nil
}

// ReviewHandling is HR's opinion from the 复核 card.
type ReviewHandling struct{ Opinion string }

// ParseReviewHandling reads HR's form. Errors are *FieldError.
func ParseReviewHandling(fv map[string]any) (ReviewHandling, error) {
	var h ReviewHandling
	r, err := newReader(fv)
	if err != nil {
		return h, err
	}
	if h.Opinion, err = r.text(FieldReviewOpinion, "办理意见", MaxOpinion, true, true); err != nil {
		return h, err
	}
	return h, r.finish()
}

// ReviewDecision is the committee's decision from the 复核 card.
type ReviewDecision struct{ Grade, Reason, Displace string }

// ParseReviewDecision reads the committee's form; grade must be one of
// grades and the person giving way, if any, one of holders. Errors are
// *FieldError.
func ParseReviewDecision(fv map[string]any, grades []string, holders []Holder) (ReviewDecision, error) {
	var d ReviewDecision
	r, err := newReader(fv)
	if err != nil {
		return d, err
	}
	if d.Grade, err = r.choice(FieldReviewGrade, "复核后等次", grades, true); err != nil {
		return d, err
	}
	if d.Reason, err = r.text(FieldReviewDecision, "决定理由", MaxOpinion, true, true); err != nil {
		return d, err
	}
	ids := make([]string, len(holders))
	for i, h := range holders {
		ids[i] = h.ID
	}
	if d.Displace, err = r.choice(FieldReviewDisplace, "让出名额的人员", ids, false); err != nil {
		return d, err
	}
	return d, r.finish()
}
