package card

import (
	"fmt"
	"strings"
)

// KindYearConfirm is the committee's confirmation of the year's grades
// (ID: the year, "2026"; V: the year's period version the card showed).
const KindYearConfirm = "year_confirm"

// FormYear opens the committee's card of a composed year ("year/2026").
const FormYear = "year"

// FieldYearReason is the committee's reason for the grades it changed.
const FieldYearReason = "year_reason"

func init() {
	kinds[KindYearConfirm] = true
	forms[FormYear] = true
}

// YearForm is the committee's card of a composed year: each person's
// quarters, total, the best grade the annual rules allow and any priority,
// with the draft grade to keep or change.
type YearForm struct {
	Year    string
	Version int
	Grades  []string
	Rows    []YearRow
	// Confirmed is set once the committee confirmed: the card shows the
	// grades without a form.
	Confirmed bool
}

// YearRow is one person on the year's card.
type YearRow struct {
	ID, Name, Unit string
	Periods        []string // the year's period grades, in order
	Total          string
	Grade          string
	MaxGrade       string
	Priority       []string
	// Rate is S9's 年度考核优秀率 in percent ("86.67"), "" for none.
	Rate string
}

// YearCommitteeCard renders the committee's card of the year.
func YearCommitteeCard(f YearForm) []byte {
	title := PeriodLabel(f.Year) + "考核等次审定"
	var els []elem
	els = append(els, md("各人年度等次已按方案的年度规则由各期平时考核结果拟定（括号内为规则允许的最高等次）。"+
		"请逐人确认；调整的，写明理由。确认后由政工科发布年度考核结果公示。"))
	var rows []elem
	for _, r := range f.Rows {
		line := fmt.Sprintf("**%s**（%s）平时：%s", escLine(r.Name), escLine(orDash(r.Unit)), escLine(strings.Join(dashes(r.Periods), " ")))
		if r.Total != "" {
			line += " · " + escLine(r.Total) + "分"
		}
		if r.Rate != "" {
			line += " · 优秀率" + escLine(r.Rate) + "%"
		}
		if r.MaxGrade != "" {
			line += "（最高「" + escLine(r.MaxGrade) + "」）"
		}
		if len(r.Priority) > 0 {
			line += " · 优先「" + escLine(strings.Join(r.Priority, "、")) + "」"
		}
		if f.Confirmed {
			rows = append(rows, md(line+"：**"+escLine(orDash(r.Grade))+"**"))
			continue
		}
		opts := make([]option, len(f.Grades))
		for i, g := range f.Grades {
			opts[i] = option{g, g}
		}
		rows = append(rows, md(line), selectStatic(GradeField(r.ID), "年度等次", opts, r.Grade, true))
	}
	if f.Confirmed {
		els = append(els, rows...)
		return build(title, "已确认", Green, title, els)
	}
	rows = append(rows,
		input(FieldYearReason, "调整理由", "调整了拟定等次的，写明理由", "", MaxShortText, false),
		formButton("submit", "确认年度等次", "primary", "submit", &Value{K: KindYearConfirm, ID: f.Year, V: f.Version}))
	els = append(els, form("year_form", rows))
	return build(title, fmt.Sprintf("共%d人", len(f.Rows)), Blue, title, els)
}

func dashes(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = orDash(s)
	}
	return out
}

// YearDecision is the committee's submitted year card: every person's
// grade and the reason for the changes.
type YearDecision struct {
	Grades map[string]string
	Reason string
}

// ParseYear reads the committee's year card: a grade from the scheme's
// annual grades for each row given (a row left out keeps its draft), and
// the reason (required by the service only when a grade changed).
func ParseYear(fv map[string]any, f YearForm) (YearDecision, error) {
	r, err := newReader(fv)
	if err != nil {
		return YearDecision{}, err
	}
	out := YearDecision{Grades: map[string]string{}}
	for _, row := range f.Rows {
		// Lark submits an untouched select with its initial option (the
		// draft); one left out keeps the draft too.
		g, err := r.choice(GradeField(row.ID), row.Name+" 年度等次", f.Grades, false)
		if err != nil {
			return YearDecision{}, err
		}
		if g != "" {
			out.Grades[row.ID] = g
		}
	}
	if out.Reason, err = r.text(FieldYearReason, "调整理由", MaxShortText, false, false); err != nil {
		return YearDecision{}, err
	}
	return out, r.finish()
}
