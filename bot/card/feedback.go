package card

import (
	"fmt"
	"strings"
)

// KindFeedback submits a leader's 反馈 for one person. ID: the period; V: 0
// (反馈 may be given again; the last one stands).
const KindFeedback = "feedback"

// FormFeedback opens the 反馈 card of a period ("feedback/2026-Q3").
const FormFeedback = "feedback"

// Fields of the 反馈 card.
const (
	FieldFeedbackPerson    = "fb_person"
	FieldFeedbackStrengths = "fb_strengths"
	FieldFeedbackProblems  = "fb_problems"
	FieldFeedbackRequests  = "fb_requests"
)

// MaxFeedbackPeople bounds the people on one 反馈 card (a select's options).
const MaxFeedbackPeople = 100

// FeedbackPerson is one person a leader gives 反馈 to.
type FeedbackPerson struct {
	ID, Name, Grade string
	// Done: 反馈 already given (it may be given again).
	Done bool
}

// FeedbackForm is a leader's 反馈 card for a period.
type FeedbackForm struct {
	Period string
	People []FeedbackPerson
}

// FeedbackCard renders the 反馈 card: who has had 反馈 and who has not,
// and a form for one person's strengths, problems and requests (S4 五、7:
// 肯定成绩，指出不足，提出改进要求).
func FeedbackCard(f FeedbackForm) ([]byte, error) {
	if len(f.People) == 0 || len(f.People) > MaxFeedbackPeople {
		return nil, fmt.Errorf("%d people: %w", len(f.People), ErrBadModel)
	}
	var done, todo []string
	opts := make([]option, 0, len(f.People))
	first := ""
	for _, p := range f.People {
		label := p.Name + "（" + orDash(p.Grade) + "）"
		if p.Done {
			done = append(done, p.Name)
			label += " 已反馈"
		} else {
			todo = append(todo, p.Name)
			if first == "" {
				first = p.ID
			}
		}
		opts = append(opts, option{label, p.ID})
	}
	lines := []string{fmt.Sprintf("**待反馈**（%d人）：%s", len(todo), escLine(orDash(names(todo, 30))))}
	if len(done) > 0 {
		lines = append(lines, fmt.Sprintf("**已反馈**（%d人）：%s", len(done), escLine(names(done, 30))))
	}
	els := []elem{
		md(strings.Join(lines, "\n")),
		form("feedback_form", []elem{
			selectStatic(FieldFeedbackPerson, "反馈对象", opts, first, true),
			textarea(FieldFeedbackStrengths, "肯定成绩", "本期工作的优点和成绩", "", MaxOpinion, 2, false),
			textarea(FieldFeedbackProblems, "指出不足", "存在的问题", "", MaxOpinion, 2, false),
			textarea(FieldFeedbackRequests, "改进要求", "下一步的要求和努力方向", "", MaxOpinion, 2, false),
			formButton("submit", "发送反馈", "primary", "submit", &Value{K: KindFeedback, ID: f.Period}),
		}),
		note("反馈将发送给本人；可以重复发送，以最后一次为准。"),
	}
	return build("考核结果反馈", PeriodLabel(f.Period), Blue, "请反馈考核结果："+PeriodLabel(f.Period), els), nil
}

// FeedbackInput is the 反馈 form.
type FeedbackInput struct {
	Person, Strengths, Problems, Requests string
}

// ParseFeedback reads the 反馈 form: the person must be one of ids and at
// least one of the three texts is needed. Errors are *FieldError.
func ParseFeedback(fv map[string]any, ids []string) (FeedbackInput, error) {
	var in FeedbackInput
	r, err := newReader(fv)
	if err != nil {
		return in, err
	}
	if in.Person, err = r.choice(FieldFeedbackPerson, "反馈对象", ids, true); err != nil {
		return in, err
	}
	if in.Strengths, err = r.text(FieldFeedbackStrengths, "肯定成绩", MaxOpinion, true, false); err != nil {
		return in, err
	}
	if in.Problems, err = r.text(FieldFeedbackProblems, "指出不足", MaxOpinion, true, false); err != nil {
		return in, err
	}
	if in.Requests, err = r.text(FieldFeedbackRequests, "改进要求", MaxOpinion, true, false); err != nil {
		return in, err
	}
	if in.Strengths == "" && in.Problems == "" && in.Requests == "" {
		return in, fieldErr(FieldFeedbackStrengths, "反馈内容", "请至少填写一项")
	}
	return in, r.finish()
}
