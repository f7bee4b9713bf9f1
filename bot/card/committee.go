package card

import (
	"fmt"
	"slices"
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
	// Min is the minimum count (S5: A ≥ 20%), 0 for none; BelowMin says
	// Count is under it, Kept that the committee kept the shortfall.
	Min            int
	BelowMin, Kept bool
	// Raised: the committee raised Cap above the scheme's share (S1).
	Raised bool
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
	// Floors are the minimum shares not met (S5): the committee raises
	// people or keeps the shortfall before anything else is decided.
	Floors []Floor
	// Caps are the caps the committee may raise (S1: up to 50%).
	Caps []CapRaise
}

// MaxFloorCandidates is the most people one minimum share offers to raise.
const MaxFloorCandidates = 20

// Floor is a minimum share not met in one unit.
type Floor struct {
	Unit  string
	Grade string
	// Share is the minimum share as text ("20%"); Participants the people
	// it is taken of; Min the count it gives; Have how many hold Grade.
	Share        string
	Participants int
	Min, Have    int
	// Candidates are who may be raised, next in line first.
	Candidates []Candidate
}

// Candidate is a person who may be raised to a minimum share's grade.
type Candidate struct {
	ID    string
	Name  string
	Score string // "" when the scheme has no scores
	Grade string
}

// CapRaise is a cap the committee may raise, up to the scheme's hard
// maximum.
type CapRaise struct {
	Unit  string
	Grade string
	// Share and HardShare are the scheme's shares as text ("40%", "50%");
	// Cap and Hard the counts they give of Participants.
	Share, HardShare string
	Participants     int
	Cap, Hard        int
	// Raised is the cap the committee set, 0 if none; Reason its reason.
	Raised int
	Reason string
	// Over are the names the cap now demotes or ties.
	Over []string
}

// QuotaID is the id of a quota action's value: the period and the
// position of the floor or cap on the card, which the period's version
// pins.
func QuotaID(period string, i int) string { return period + "/" + strconv.Itoa(i) }

// SplitQuotaID splits a QuotaID.
func SplitQuotaID(id string) (period string, i int, err error) {
	at := strings.LastIndex(id, "/")
	if at <= 0 {
		return "", 0, fmt.Errorf("quota id %q: %w", id, ErrBadValue)
	}
	i, err = strconv.Atoi(id[at+1:])
	if err != nil || i < 0 || i > 99 {
		return "", 0, fmt.Errorf("quota id %q: %w", id, ErrBadValue)
	}
	return id[:at], i, nil
}

// Field names of the quota forms, by position on the card.
func FloorPeopleField(i int) string { return fmt.Sprintf("floor_%d_people", i) }

// FloorReasonField names a floor's reason.
func FloorReasonField(i int) string { return fmt.Sprintf("floor_%d_why", i) }

// CapCountField names a cap form's new count.
func CapCountField(i int) string { return fmt.Sprintf("cap_%d_count", i) }

// CapReasonField names a cap form's reason.
func CapReasonField(i int) string { return fmt.Sprintf("cap_%d_why", i) }

// Fields of the form that sends a 大锅饭 line back to be scored again.
const (
	FieldReturnLine   = "return_line"
	FieldReturnReason = "return_why"
)

// KindUniformReturn sends the chosen 评分区分度 line back to be scored
// again. ID: the period; V: the period's version.
const KindUniformReturn = "uniform_return"

// Quota action kinds (ID: QuotaID; V: the period's version).
const (
	// KindQuotaRaise raises the chosen people of a floor to its grade.
	KindQuotaRaise = "quota_raise"
	// KindQuotaKeep keeps a floor's shortfall with the reason.
	KindQuotaKeep = "quota_keep"
	// KindQuotaCap raises a cap to the chosen count.
	KindQuotaCap = "quota_cap"
)

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
	var cands []string
	for _, fl := range f.Floors {
		if len(fl.Candidates) > MaxFloorCandidates {
			return nil, fmt.Errorf("%d candidates, at most %d: %w", len(fl.Candidates), MaxFloorCandidates, ErrTooLarge)
		}
		for _, c := range fl.Candidates {
			cands = append(cands, c.ID)
		}
		if err := uniqueIDs(cands); err != nil {
			return nil, err
		}
		cands = cands[:0]
	}
	var els []elem
	over, below := 0, 0
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
			case q.BelowMin && q.Kept:
				status = fmt.Sprintf("低于下限%d人，委员会决定维持", q.Min)
			case q.BelowMin:
				status = fmt.Sprintf("低于下限%d人，待审定", q.Min)
				below++
			}
			if q.Raised {
				status = "名额经委员会核定；" + status
			}
			limit := fmt.Sprintf("%d人（共%d人）", q.Cap, q.Participants)
			if q.Min > 0 {
				limit = fmt.Sprintf("%d–%d人（共%d人）", q.Min, q.Cap, q.Participants)
			}
			rows = append(rows, elem{
				"unit":   clip(q.Unit, 30),
				"grade":  q.Grade,
				"cap":    limit,
				"count":  strconv.Itoa(q.Count),
				"status": status,
			})
		}
		head := fmt.Sprintf("**名额核定**：%d个单位，其中%d个超出名额（超出者已按得分降一个等次）", len(f.Quotas), over)
		if below > 0 {
			head += fmt.Sprintf("，%d个低于下限", below)
		}
		els = append(els, md(head))
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
	els = append(els, returnForm(f)...)
	els = append(els, capForms(f)...)
	if len(f.Floors) > 0 {
		// A minimum share comes first: raising people changes who holds
		// the grade, so ties and confirmation wait for it.
		els = append(els, floorForms(f)...)
		wait := "请先审定低于下限的名额，之后再确认等次。"
		if len(ids) > 0 {
			wait = fmt.Sprintf("请先审定低于下限的名额；另有%d人并列待审定，之后一并审定并确认等次。", len(ids))
		}
		els = append(els, md(wait))
		return build("考核委员会审定", PeriodLabel(f.Period), Purple, "请审定名额下限："+PeriodLabel(f.Period), els), nil
	}
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

// floorForms renders each minimum share not met: who is next in line, a
// multi-select of them with a reason, and the two ways out (raise the
// chosen, or keep the shortfall).
func floorForms(f CommitteeForm) []elem {
	var els []elem
	for i, fl := range f.Floors {
		var next []string
		opts := make([]option, 0, len(fl.Candidates))
		for _, c := range fl.Candidates {
			label := c.Name + "（" + c.Grade
			if c.Score != "" {
				label += " " + c.Score + "分"
			}
			label += "）"
			next = append(next, escLine(label))
			opts = append(opts, option{clip(label, 40), c.ID})
		}
		head := fmt.Sprintf("**名额下限**：%s「%s」不少于%s，即至少%d人（共%d人），现有%d人，还差%d人。",
			escLine(fl.Unit), escLine(fl.Grade), escLine(fl.Share), fl.Min, fl.Participants, fl.Have, fl.Min-fl.Have)
		if len(next) > 0 {
			head += "\n可提升人员（按得分、等次排序）：" + strings.Join(next[:min(len(next), 10)], "、")
			if len(next) > 10 {
				head += fmt.Sprintf("等%d人", len(next))
			}
		} else {
			head += "\n没有可提升的人员，只能说明理由维持。"
		}
		v := Value{ID: QuotaID(f.Period, i), V: f.Version}
		raise, keep := v, v
		raise.K, keep.K = KindQuotaRaise, KindQuotaKeep
		fe := []elem{}
		if len(opts) > 0 {
			ms := selectStatic(FloorPeopleField(i), "选择提升为「"+fl.Grade+"」的人员", opts, "", false)
			ms["tag"] = "multi_select_static"
			ms["width"] = "fill"
			fe = append(fe, ms)
		}
		fe = append(fe, input(FloorReasonField(i), "", "审定理由（必填）", "", MaxShortText, true))
		var bs [][]elem
		if len(opts) > 0 {
			bs = append(bs, []elem{formButton(fmt.Sprintf("floor_%d_raise", i), "提升为「"+fl.Grade+"」", "primary", "submit", &raise)})
		}
		bs = append(bs, []elem{formButton(fmt.Sprintf("floor_%d_keep", i), "维持现有人数", "default", "submit", &keep)})
		row := columns(bs...)
		row["flex_mode"] = "flow"
		for _, col := range row["columns"].([]elem) {
			col["width"] = "auto"
			delete(col, "weight")
		}
		fe = append(fe, row)
		els = append(els, md(head), form(fmt.Sprintf("floor_%d", i), fe))
	}
	return els
}

// capForms renders each cap the committee may raise: the scheme's share
// and hard maximum, who the cap demotes, and a count with a reason.
func capForms(f CommitteeForm) []elem {
	var els []elem
	for i, c := range f.Caps {
		head := fmt.Sprintf("**名额上限**：%s「%s」一般不超过%s（%d人），经考核委员会研究最多可至%s（%d人）。",
			escLine(c.Unit), escLine(c.Grade), escLine(c.Share), c.Cap, escLine(c.HardShare), c.Hard)
		if c.Raised > 0 {
			head += fmt.Sprintf("\n委员会已核定为%d人：%s", c.Raised, escLine(clip(c.Reason, 60)))
		}
		if len(c.Over) > 0 {
			head += "\n因名额降等或并列：" + escLine(names(c.Over, 10))
		}
		var opts []option
		for n := c.Cap + 1; n <= c.Hard; n++ {
			if n != c.Raised {
				opts = append(opts, option{strconv.Itoa(n) + "人", strconv.Itoa(n)})
			}
		}
		if len(opts) == 0 {
			els = append(els, md(head))
			continue
		}
		v := Value{K: KindQuotaCap, ID: QuotaID(f.Period, i), V: f.Version}
		els = append(els, md(head), form(fmt.Sprintf("cap_%d", i), []elem{
			selectStatic(CapCountField(i), "核定名额", opts, "", true),
			input(CapReasonField(i), "", "提高名额的理由（必填）", "", MaxShortText, true),
			formButton(fmt.Sprintf("cap_%d_submit", i), "提高名额", "default", "submit", &v),
		}))
	}
	return els
}

// QuotaDecision is what a quota form asks for: the people to raise
// (KindQuotaRaise), nothing more (KindQuotaKeep) or the new cap
// (KindQuotaCap), with the reason.
type QuotaDecision struct {
	People []string
	Cap    int
	Reason string
}

// ParseQuota reads the quota form of kind at position i of the card f was
// rendered from: people among the floor's candidates, a count among the
// cap's choices, a reason. Errors are *FieldError, and ErrBadValue for a
// position the card does not have.
func ParseQuota(kind string, i int, fv map[string]any, f CommitteeForm) (QuotaDecision, error) {
	var d QuotaDecision
	r, err := newReader(fv)
	if err != nil {
		return d, err
	}
	switch kind {
	case KindQuotaRaise, KindQuotaKeep:
		if i >= len(f.Floors) {
			return d, fmt.Errorf("floor %d of %d: %w", i, len(f.Floors), ErrBadValue)
		}
		fl := f.Floors[i]
		allowed := make([]string, len(fl.Candidates))
		for j, c := range fl.Candidates {
			allowed[j] = c.ID
		}
		people, err := r.choices(FloorPeopleField(i), "提升人员", allowed)
		if err != nil {
			return d, err
		}
		if kind == KindQuotaRaise {
			if len(people) == 0 {
				return d, fieldErr(FloorPeopleField(i), "提升人员", "请选择")
			}
			d.People = people
		}
		if d.Reason, err = r.text(FloorReasonField(i), "审定理由", MaxShortText, false, true); err != nil {
			return d, err
		}
	case KindQuotaCap:
		if i >= len(f.Caps) {
			return d, fmt.Errorf("cap %d of %d: %w", i, len(f.Caps), ErrBadValue)
		}
		c := f.Caps[i]
		var allowed []string
		for n := c.Cap + 1; n <= c.Hard; n++ {
			allowed = append(allowed, strconv.Itoa(n))
		}
		n, err := r.choice(CapCountField(i), "核定名额", allowed, true)
		if err != nil {
			return d, err
		}
		d.Cap, _ = strconv.Atoi(n)
		if d.Reason, err = r.text(CapReasonField(i), "提高名额的理由", MaxShortText, false, true); err != nil {
			return d, err
		}
	default:
		return d, fmt.Errorf("kind %q: %w", kind, ErrBadValue)
	}
	return d, r.finish()
}

// choices returns a multi-select's values, each one of allowed, without
// repeats ([] when none was chosen). Lark sends the chosen values as an
// array of strings.
func (r *reader) choices(name, label string, allowed []string) ([]string, error) {
	r.used[name] = true
	v, ok := r.vals[name]
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fieldErr(name, label, "类型不正确")
	}
	if len(list) > len(allowed) {
		return nil, fieldErr(name, label, "选项无效")
	}
	var out []string
	for _, x := range list {
		s, ok := x.(string)
		if !ok || !slices.Contains(allowed, s) || slices.Contains(out, s) {
			return nil, fieldErr(name, label, "选项无效")
		}
		out = append(out, s)
	}
	return out, nil
}

// returnForm renders the choice of a 评分区分度 line to send back to be
// scored again, with the reason; nothing without lines.
func returnForm(f CommitteeForm) []elem {
	if len(f.Uniform) == 0 {
		return nil
	}
	opts := make([]option, 0, min(len(f.Uniform), MaxUniformLines))
	for i, l := range f.Uniform[:min(len(f.Uniform), MaxUniformLines)] {
		opts = append(opts, option{clip(l.Who, 40), strconv.Itoa(i)})
	}
	v := Value{K: KindUniformReturn, ID: f.Period, V: f.Version}
	return []elem{form("return_form", []elem{
		selectStatic(FieldReturnLine, "退回哪一处评分", opts, "", true),
		input(FieldReturnReason, "", "退回重评的理由（必填）", "", MaxShortText, true),
		formButton("return_submit", "退回重评", "danger", "submit", &v),
	})}
}

// Return is the committee's choice of a 评分区分度 line to send back.
type Return struct {
	// Line is the position in CommitteeForm.Uniform.
	Line   int
	Reason string
}

// ParseReturn reads the send-back form of the card f was rendered from.
// Errors are *FieldError.
func ParseReturn(fv map[string]any, f CommitteeForm) (Return, error) {
	var out Return
	r, err := newReader(fv)
	if err != nil {
		return out, err
	}
	allowed := make([]string, min(len(f.Uniform), MaxUniformLines))
	for i := range allowed {
		allowed[i] = strconv.Itoa(i)
	}
	line, err := r.choice(FieldReturnLine, "退回哪一处评分", allowed, true)
	if err != nil {
		return out, err
	}
	out.Line, _ = strconv.Atoi(line)
	if out.Reason, err = r.text(FieldReturnReason, "退回重评的理由", MaxShortText, false, true); err != nil {
		return out, err
	}
	return out, r.finish()
}
