package card

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxTiedPeople is the most tied people one committee card can hold.
const MaxTiedPeople = 15

// GradeField and DecisionReasonField name the committee form's fields for
// a tied person.
func GradeField(personID string) string { return "grade_" + personID }

// DecisionReasonField names the reason field for a tied person.
func DecisionReasonField(personID string) string { return "why_" + personID }

// QuotaLine is one quota applied to one unit.
type QuotaLine struct {
	Unit  string
	Grade string
	// Participants is the number of people the share is taken of.
	Participants int
	Cap          int
	// Count is how many hold the grade by score before the quota.
	Count int
	// Over are the names demoted by the quota or over the cap.
	Over []string
}

// TiedPerson is one person of a tie.
type TiedPerson struct {
	ID    string
	Name  string
	Score string
}

// Tie is a group of people with equal scores at a quota line.
type Tie struct {
	Unit  string
	Grade string
	// Seats is how many of them can still get Grade.
	Seats  int
	People []TiedPerson
	// Direct: they were directly determined to Grade, more than its cap
	// allows, rather than tied by score.
	Direct bool
}

// CommitteeForm is the 考核委员会 card.
type CommitteeForm struct {
	// Period is the period id, Version the period's version.
	Period  string
	Version int
	// Grades are the grades a tie may be decided to, best first.
	Grades []string
	Quotas []QuotaLine
	Ties   []Tie
	// Uniform are the scorers and units whose scores are too uniform to
	// tell people apart (评分区分度).
	Uniform []UniformLine
}

// CommitteeCard renders the committee card: the quota per unit, the
// scorers and units whose scores are too uniform (评分区分度), the ties
// with a grade select and a reason per tied person, and the confirm button
// (KindDecide with ties, KindConfirm without). ErrTooLarge above
// MaxTiedPeople; ErrBadModel for a tie without grades to choose or a
// repeated id.
func CommitteeCard(f CommitteeForm) ([]byte, error) {
	var ids []string
	for _, t := range f.Ties {
		for _, p := range t.People {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) > MaxTiedPeople {
		return nil, fmt.Errorf("%d tied people, at most %d: %w", len(ids), MaxTiedPeople, ErrTooLarge)
	}
	if err := uniqueIDs(ids); err != nil {
		return nil, err
	}
	if len(ids) > 0 && (len(f.Grades) == 0 || len(f.Grades) > 8) {
		return nil, fmt.Errorf("%d grades: %w", len(f.Grades), ErrBadModel)
	}
	var els []elem
	over := 0
	if len(f.Quotas) > 0 {
		rows := make([]elem, 0, len(f.Quotas))
		for _, q := range f.Quotas {
			status := "未超出"
			switch {
			case len(q.Over) > 0:
				status = "超出：" + names(q.Over, 20)
				over++
			case q.Cap > 0 && q.Count > q.Cap:
				status = "超出名额，待审定"
				over++
			}
			rows = append(rows, elem{
				"unit":   clip(q.Unit, 30),
				"grade":  q.Grade,
				"cap":    fmt.Sprintf("%d人（共%d人）", q.Cap, q.Participants),
				"count":  strconv.Itoa(q.Count),
				"status": status,
			})
		}
		els = append(els, md(fmt.Sprintf("**名额核定**：%d个单位，其中%d个超出名额（超出者已按得分降一个等次）", len(f.Quotas), over)))
		els = append(els, elem{
			"tag":        "table",
			"page_size":  10,
			"row_height": "auto",
			"header_style": elem{
				"background_style": "grey", "bold": true, "text_color": "default",
			},
			"columns": []elem{
				{"name": "unit", "display_name": "单位", "data_type": "text", "width": "auto"},
				{"name": "grade", "display_name": "等次", "data_type": "text", "width": "auto"},
				{"name": "cap", "display_name": "名额", "data_type": "text", "width": "auto"},
				{"name": "count", "display_name": "按分数", "data_type": "text", "width": "auto"},
				{"name": "status", "display_name": "情况", "data_type": "text", "width": "auto"},
			},
			"rows": rows,
		})
	}
	els = append(els, uniformSection(f.Uniform)...)
	if len(ids) == 0 {
		els = append(els, md("没有需要审定的并列情况。请确认本期考核等次，确认后即可公示。"),
			button("confirm", "确认等次", "primary", Value{K: KindConfirm, ID: f.Period, V: f.Version}))
		return build("考核委员会审定", PeriodLabel(f.Period), Purple, "请确认考核等次："+PeriodLabel(f.Period), els), nil
	}
	opts := make([]option, len(f.Grades))
	for i, g := range f.Grades {
		opts[i] = option{g, g}
	}
	var fe []elem
	for _, t := range f.Ties {
		score := ""
		if len(t.People) > 0 && t.People[0].Score != "" {
			score = "（" + escLine(t.People[0].Score) + "分）"
		}
		head := fmt.Sprintf("**%s**：「%s」剩余名额%d个，以下%d人得分并列%s", escLine(t.Unit), escLine(t.Grade), t.Seats, len(t.People), score)
		if t.Direct {
			head = fmt.Sprintf("**%s**：以下%d人直接确定为「%s」，超过名额，只能保留%d人", escLine(t.Unit), len(t.People), escLine(t.Grade), t.Seats)
		}
		fe = append(fe, md(head))
		for _, p := range t.People {
			fe = append(fe,
				md("· "+escLine(p.Name)+" "+escLine(p.Score)+"分"),
				selectStatic(GradeField(p.ID), "审定等次", opts, "", true),
				input(DecisionReasonField(p.ID), "", "审定理由（必填）", "", MaxShortText, true),
			)
		}
	}
	fe = append(fe, formButton("submit", "提交审定并确认等次", "primary", "submit",
		&Value{K: KindDecide, ID: f.Period, V: f.Version}))
	els = append(els, md(fmt.Sprintf("**待审定并列**：%d组%d人。请为每人选择等次并写明理由。", len(f.Ties), len(ids))),
		form("committee_form", fe))
	return build("考核委员会审定", PeriodLabel(f.Period), Purple, "请审定并列人员："+PeriodLabel(f.Period), els), nil
}

// Decision is the committee's grade for one tied person.
type Decision struct {
	Person string
	Grade  string
	Reason string
}

// ParseCommittee reads the committee form for the card f was rendered
// from: a grade from f.Grades and a reason for every tied person, and no
// more people given a tie's grade than it has seats. Errors are
// *FieldError.
func ParseCommittee(fv map[string]any, f CommitteeForm) ([]Decision, error) {
	r, err := newReader(fv)
	if err != nil {
		return nil, err
	}
	var out []Decision
	for _, t := range f.Ties {
		got := 0
		for _, p := range t.People {
			g, err := r.choice(GradeField(p.ID), p.Name+" 审定等次", f.Grades, true)
			if err != nil {
				return nil, err
			}
			why, err := r.text(DecisionReasonField(p.ID), p.Name+" 审定理由", MaxShortText, false, true)
			if err != nil {
				return nil, err
			}
			if g == t.Grade {
				got++
				if got > t.Seats {
					return nil, fieldErr(GradeField(p.ID), p.Name+" 审定等次",
						fmt.Sprintf("%s「%s」只剩%d个名额", strings.TrimSpace(t.Unit), t.Grade, t.Seats))
				}
			}
			out = append(out, Decision{Person: p.ID, Grade: g, Reason: why})
		}
	}
	return out, r.finish()
}
