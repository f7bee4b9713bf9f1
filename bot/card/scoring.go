package card

import (
	"fmt"
	"strconv"
	"strings"
)

// Field names of the scoring form. Leaves of the indicator tree are
// IndicatorField(id); bonus and deduction rows AdjustField(kind, n, part).
const (
	FieldComment = "comment" // multiline: the leader's 评语
	FieldScore   = "score"   // the total score, for schemes scored as one number (S2)
	FieldGrade   = "grade"   // the grade, for schemes graded by the leader (S5, S9, S10)
	FieldReason  = "reason"  // multiline: why the step is sent back or adjusted
	FieldDirect  = "direct"  // select: a direct determination with the scheme's reason, a refusal, or none

	// The refusal's date of warning and how the person refused, read when
	// FieldDirect is DirectRefused (S5 六(二), S10 四(三)).
	FieldRefusalWarned = "refusal_warned" // date picker
	FieldRefusalReason = "refusal_reason"

	AdjustBonus     = "bonus"  // 加分 rows
	AdjustDeduction = "deduct" // 减分 rows

	PartPoints = "points" // adjustment row: 0–cap
	PartEvent  = "event"  // adjustment row: the matter (同一事件只计一次)
	// PartReason is shared with the unfinished rows.
)

// Limits of the scoring card.
const (
	MaxIndicatorNodes = 40
	MaxIndicatorDepth = 3
	MaxAdjustRows     = 4
	DefaultAdjustRows = 2
)

// IndicatorField names the input of a leaf indicator.
func IndicatorField(id string) string { return "ind_" + id }

// AdjustField names a field of bonus or deduction row n (1-based).
func AdjustField(kind string, n int, part string) string {
	return kind + strconv.Itoa(n) + "_" + part
}

// Indicator is a node of the scheme's indicator tree. Leaves are scored;
// parents show their maximum and add up their children.
type Indicator struct {
	// ID names the leaf's input (IndicatorField) and comes back in
	// Scoring.Scores.
	ID string
	// Name is shown; ID when empty.
	Name string
	// Max is the maximum points, a decimal ("6", "2.5").
	Max string
	// Value prefills a leaf (the previous step's score).
	Value    string
	Children []Indicator
}

// Adjustment is a bonus or deduction row (弹性指标).
type Adjustment struct {
	// Points is a decimal, positive; the row's kind gives the sign.
	Points string
	Reason string
	// Event names the matter; rows of the same event count once.
	Event string
}

// Suggestion is the scoring engine's result for the scores as they stand.
type Suggestion struct {
	Score   string
	Grade   string
	Explain []string
}

// QuotaPosition is where the unit stands against a grade's quota, counting
// everyone but the person on the card.
type QuotaPosition struct {
	// Scope is "本单位" or the unit's name.
	Scope string
	Grade string
	Count int
	Cap   int
}

// Text says it in one line: "本单位「好」已 4/4，再评好将超出名额".
func (q QuotaPosition) Text() string {
	scope := q.Scope
	if scope == "" {
		scope = "本单位"
	}
	s := fmt.Sprintf("%s「%s」已 %d/%d", scope, q.Grade, q.Count, q.Cap)
	if q.Count >= q.Cap {
		return s + "，再评" + q.Grade + "将超出名额"
	}
	return s + fmt.Sprintf("，还可评 %d 人", q.Cap-q.Count)
}

// MaxAttendanceLines is how many months of attendance the scoring card
// lists: a year's worth, the longest period a step scores.
const MaxAttendanceLines = 12

// ScoringForm is the leader's scoring card for one step.
type ScoringForm struct {
	// Step is the step id ("2026-Q3/ou_01/1"), Version its version.
	Step    string
	Version int
	// StepName is 初评, 审定 or 评鉴.
	StepName string
	Period   string
	Person   string
	Unit     string
	Due      string
	// Later is true after the first step: scores come prefilled from the
	// previous step and the 调整 button is shown.
	Later bool
	// Previous says who scored before ("科室负责人 王五 初评"), shown when set.
	Previous string
	// Returned is the reason when the step came back from above.
	Returned string
	// Summary is an excerpt of the person's self-summary, shown read-only.
	Summary string
	// States are the person's special states as the scheme reads them
	// (workflow.Service.StepStates: "试用期：只写评语，不定等次"), shown so
	// the leader knows before scoring.
	States []string
	// Attendance is the person's attendance in the period, a line per month
	// with something recorded ("2026年7月：病假2天，迟到1次"), shown
	// read-only (S10's 分管领导 grades "根据公务员出勤、记实情况"); at most
	// MaxAttendanceLines are listed.
	Attendance []string

	Indicators []Indicator
	// ScoreMax, when set, asks for one total score from 0 to ScoreMax
	// (schemes whose leader gives a single 百分制 score, S2); Score
	// prefills it.
	ScoreMax, Score string
	// Grades, when set, asks the leader for the grade (schemes without
	// score bands, S5 A/B/C/D); Grade prefills it.
	Grades []string
	Grade  string
	// Bonus and Deductions prefill the rows; BonusCap and DeductionCap
	// ("5") bound one row's points and are shown.
	Bonus, Deductions        []Adjustment
	BonusCap, DeductionCap   string
	BonusRows, DeductionRows int
	Comment                  string

	Suggestion *Suggestion
	Quota      *QuotaPosition

	// DirectTop and DirectBottom are the scheme's reasons for a direct top
	// or bottom grade (S4 五、1: 急难险重任务; S8 四(二)); TopGrade and
	// BottomGrade name those grades. Direct prefills the choice
	// ("top:0", "bottom:1"; "" for none).
	DirectTop, DirectBottom []string
	TopGrade, BottomGrade   string
	Direct                  string

	// Refusal, when set, offers "经批评教育后仍拒不参加考核" in the direct
	// select, saying what follows under the scheme ("确定为「D」"; S10:
	// "本期不定等次，年度考核结果为不定等次或不称职"). Choosing it asks for the
	// date of the 批评教育 and how the person refused; RefusalWarned and
	// RefusalReason prefill them (Direct is then DirectRefused).
	Refusal                      string
	RefusalWarned, RefusalReason string
}

// directNone is the direct-determination select's "none".
const directNone = "none"

// DirectRefused is the direct select's value for a refusal to take part.
const DirectRefused = "refused"

// directOptions are the select's choices: none, then each reason of each
// direction, valued "top:<i>" or "bottom:<i>", then the refusal.
func (f ScoringForm) directOptions() []option {
	if len(f.DirectTop)+len(f.DirectBottom) == 0 && f.Refusal == "" {
		return nil
	}
	opts := []option{{"不直接确定等次", directNone}}
	for i, r := range f.DirectTop {
		opts = append(opts, option{clip("直接确定为「"+f.TopGrade+"」："+r, 60), fmt.Sprintf("top:%d", i)})
	}
	for i, r := range f.DirectBottom {
		opts = append(opts, option{clip("直接确定为「"+f.BottomGrade+"」："+r, 60), fmt.Sprintf("bottom:%d", i)})
	}
	if f.Refusal != "" {
		opts = append(opts, option{clip("经批评教育后仍拒不参加考核："+f.Refusal, 60), DirectRefused})
	}
	return opts
}

// ScoringCard renders the scoring card: the indicator table with maxima
// and inputs, bonus and deduction rows, comment, the engine's suggestion,
// the quota position and 通过 / 调整 / 退回. ErrTooLarge for a tree with more
// than MaxIndicatorNodes nodes or deeper than MaxIndicatorDepth; ErrBadModel
// for a leaf without id or a repeated id.
func ScoringCard(f ScoringForm) ([]byte, error) {
	if len(f.Indicators) == 0 && f.ScoreMax == "" && len(f.Grades) == 0 {
		return nil, fmt.Errorf("nothing to score: %w", ErrBadModel)
	}
	if len(f.Indicators) > 0 {
		if err := checkTree(f.Indicators); err != nil {
			return nil, err
		}
	}
	var els []elem
	var head []string
	head = append(head, "**被考核人：**"+escLine(f.Person))
	if f.Unit != "" {
		head[0] += "（" + escLine(f.Unit) + "）"
	}
	if f.Due != "" {
		head = append(head, "**办理时限：**"+escLine(f.Due))
	}
	if f.Previous != "" {
		head = append(head, "**上一环节：**"+escLine(f.Previous))
	}
	els = append(els, md(strings.Join(head, "\n")))
	if len(f.States) > 0 {
		lines := []string{"<font color='orange'>**特殊情况**</font>（政工科登记，按考核方案办理）"}
		for _, st := range f.States[:min(len(f.States), 8)] {
			lines = append(lines, "- "+escLine(clip(st, 100)))
		}
		els = append(els, md(strings.Join(lines, "\n")))
	}
	if len(f.Attendance) > 0 {
		shown := f.Attendance[:min(len(f.Attendance), MaxAttendanceLines)]
		lines := []string{"**考勤情况**（政工科录入及请假登记，仅供参考）"}
		for _, a := range shown {
			lines = append(lines, "- "+escLine(clip(a, 100)))
		}
		if len(f.Attendance) > len(shown) {
			lines = append(lines, fmt.Sprintf("…另有%d个月", len(f.Attendance)-len(shown)))
		}
		els = append(els, md(strings.Join(lines, "\n")))
	}
	if f.Returned != "" {
		els = append(els, md("<font color='orange'>上级退回：</font>"+escLine(clip(f.Returned, maxLineRunes))))
	}
	if f.Summary != "" {
		els = append(els, md("**个人小结摘要：**"+esc(clip(f.Summary, 300))))
	}
	if f.Suggestion != nil || f.Quota != nil {
		var lines []string
		if s := f.Suggestion; s != nil {
			line := "**系统测算：**"
			if s.Score != "" {
				line += escLine(s.Score) + "分"
			}
			if s.Grade != "" {
				line += "，建议等次「" + escLine(s.Grade) + "」"
			}
			lines = append(lines, line)
			for _, e := range s.Explain[:min(len(s.Explain), 12)] {
				lines = append(lines, "- "+escLine(clip(e, 200)))
			}
		}
		if q := f.Quota; q != nil {
			colour := "green"
			if q.Count >= q.Cap {
				colour = "red"
			}
			lines = append(lines, "<font color='"+colour+"'>"+escLine(q.Text())+"</font>")
		}
		els = append(els, md(strings.Join(lines, "\n")))
	}

	var fe []elem
	if len(f.Indicators) > 0 {
		fe = append(fe, md("**评分表**（括号内为满分）"))
	}
	walkTree(f.Indicators, 0, func(in Indicator, depth int) {
		name := in.Name
		if name == "" {
			name = in.ID
		}
		indent := strings.Repeat("\u3000", depth)
		if len(in.Children) > 0 {
			fe = append(fe, md(indent+"**"+escLine(name)+"**（"+escLine(in.Max)+"分）"))
			return
		}
		// Not required on the client: a required empty field would block
		// 退回 too (Lark validates before any submit); ParseScoring checks.
		fe = append(fe, input(IndicatorField(in.ID), clip(indent+name+"（"+in.Max+"分）", 40), "0–"+in.Max, in.Value, 6, false))
	})
	if f.ScoreMax != "" {
		fe = append(fe, input(FieldScore, "总评分（"+f.ScoreMax+"分）", "0–"+f.ScoreMax, f.Score, 6, false))
	}
	if len(f.Grades) > 0 {
		opts := make([]option, len(f.Grades))
		for i, g := range f.Grades {
			opts[i] = option{g, g}
		}
		fe = append(fe, selectStatic(FieldGrade, "考核等次", opts, f.Grade, false))
	}
	if opts := f.directOptions(); opts != nil {
		initial := f.Direct
		if initial == "" {
			initial = directNone
		}
		fe = append(fe, selectStatic(FieldDirect, "直接确定等次（方案规定的情形）", opts, initial, false))
		if f.Refusal != "" {
			fe = append(fe, md("选择「拒不参加考核」时须填写：本人经批评教育、限期改正的日期，以及拒不参加的情形"),
				datePicker(FieldRefusalWarned, "批评教育日期", f.RefusalWarned, false),
				input(FieldRefusalReason, "", "拒不参加的情形（如：限期内仍拒不填写评鉴表）", f.RefusalReason, MaxShortText, false))
		}
	}
	fe = append(fe, hr())
	fe = append(fe, adjustRows(AdjustBonus, "加分", f.Bonus, f.BonusRows, f.BonusCap)...)
	fe = append(fe, adjustRows(AdjustDeduction, "减分", f.Deductions, f.DeductionRows, f.DeductionCap)...)
	fe = append(fe, hr(),
		textarea(FieldComment, "评语", "对被考核人本期表现的评价", f.Comment, MaxText, 3, false),
		textarea(FieldReason, "退回或调整原因", "退回、调整时必填", "", MaxText, 2, false),
	)
	v := Value{ID: f.Step, V: f.Version}
	approve, ret, adjust := v, v, v
	approve.K, ret.K, adjust.K = KindApprove, KindReturn, KindAdjust
	btns := [][]elem{{formButton("approve", "通过", "primary", "submit", &approve)}}
	if f.Later {
		btns = append(btns, []elem{formButton("adjust", "调整", "default", "submit", &adjust)})
	}
	btns = append(btns, []elem{formButton("send_back", "退回", "danger", "submit", &ret)})
	fe = append(fe, columns(btns...))
	els = append(els, form("scoring_form", fe))

	title := "考核评分"
	if f.StepName != "" {
		title += "（" + f.StepName + "）"
	}
	title += "：" + f.Person
	return build(title, PeriodLabel(f.Period), Blue, "待您"+orDash(f.StepName)+"："+f.Person, els), nil
}

func adjustRows(kind, label string, pre []Adjustment, rows int, cap string) []elem {
	if rows <= 0 {
		rows = DefaultAdjustRows
	}
	rows = min(max(rows, len(pre)), MaxAdjustRows)
	hint := "**" + label + "**"
	if cap != "" {
		hint += "（合计不超过" + escLine(cap) + "分，同一事件只计一次；没有可不填）"
	}
	out := []elem{md(hint)}
	ph := "分值"
	if cap != "" {
		ph = "0–" + cap
	}
	for i := 1; i <= rows; i++ {
		var a Adjustment
		if i <= len(pre) {
			a = pre[i-1]
		}
		out = append(out,
			input(AdjustField(kind, i, PartPoints), label+strconv.Itoa(i), ph, a.Points, 6, false),
			input(AdjustField(kind, i, PartReason), "", label+"事由", a.Reason, MaxShortText, false),
			input(AdjustField(kind, i, PartEvent), "", "所涉事件（用于同一事件不重复计分）", a.Event, MaxShortText, false),
		)
	}
	return out
}

func walkTree(ins []Indicator, depth int, fn func(Indicator, int)) {
	for _, in := range ins {
		fn(in, depth)
		walkTree(in.Children, depth+1, fn)
	}
}

func checkTree(ins []Indicator) error {
	n, deep := 0, 0
	var ids []string
	walkTree(ins, 0, func(in Indicator, d int) {
		n++
		deep = max(deep, d+1)
		if len(in.Children) == 0 {
			ids = append(ids, in.ID)
		}
	})
	if n > MaxIndicatorNodes || deep > MaxIndicatorDepth {
		return fmt.Errorf("indicator tree of %d nodes, %d deep: %w", n, deep, ErrTooLarge)
	}
	if len(ids) == 0 {
		return fmt.Errorf("no indicators: %w", ErrBadModel)
	}
	return uniqueIDs(ids)
}

// Scoring is a submitted scoring form.
type Scoring struct {
	// Kind is KindApprove, KindAdjust or KindReturn (the button pressed).
	Kind string
	// Scores are leaf id → points in canonical decimal form; empty for
	// KindReturn.
	Scores map[string]string
	// Score and Grade are the total score and the grade when the form asks
	// for them.
	Score, Grade string
	Bonus        []Adjustment
	Deductions   []Adjustment
	Comment      string
	// Reason is required for KindReturn and KindAdjust.
	Reason string
	// DirectGrade is "top" or "bottom" for a direct determination, with
	// DirectReason one of the scheme's reasons; "" for none.
	DirectGrade, DirectReason string
	// Refused is the refusal choice, with the date of the warning
	// (YYYY-MM-DD) and how the person refused.
	Refused                      bool
	RefusalWarned, RefusalReason string
}

// ParseScoring reads the scoring form sent by the button of kind (the
// callback value's k) for the card f was rendered from. Approve and adjust
// need every leaf scored within 0–Max, adjustment rows with points within
// 0–cap and a reason; adjust and return need the reason. Return reads only
// the reason (the scores are not kept). Errors are *FieldError, or
// ErrBadValue for a kind the scoring card does not send.
func ParseScoring(kind string, fv map[string]any, f ScoringForm) (Scoring, error) {
	s := Scoring{Kind: kind}
	if kind != KindApprove && kind != KindAdjust && kind != KindReturn {
		return s, fmt.Errorf("scoring kind %q: %w", kind, ErrBadValue)
	}
	r, err := newReader(fv)
	if err != nil {
		return s, err
	}
	full := kind != KindReturn
	var leaves []Indicator
	walkTree(f.Indicators, 0, func(in Indicator, _ int) {
		if len(in.Children) == 0 {
			leaves = append(leaves, in)
		}
	})
	if full {
		s.Scores = make(map[string]string, len(leaves))
	}
	for _, in := range leaves {
		name := in.Name
		if name == "" {
			name = in.ID
		}
		v, err := r.number(IndicatorField(in.ID), name, mustHundredths(in.Max), full)
		if err != nil && full {
			return s, err
		}
		if full {
			s.Scores[in.ID] = v
		}
	}
	if f.ScoreMax != "" {
		v, err := r.number(FieldScore, "总评分", mustHundredths(f.ScoreMax), full)
		if err != nil && full {
			return s, err
		}
		s.Score = v
	}
	// The direct select first: a refusal sets the grade, so the grade
	// select is then not required.
	if opts := f.directOptions(); opts != nil {
		vals := make([]string, len(opts))
		for i, o := range opts {
			vals[i] = o.value
		}
		d, err := r.choice(FieldDirect, "直接确定等次", vals, false)
		if err != nil && full {
			return s, err
		}
		switch {
		case !full || d == "" || d == directNone:
		case d == DirectRefused:
			s.Refused = true
		default:
			dir, idx, _ := strings.Cut(d, ":")
			i, _ := strconv.Atoi(idx)
			list := f.DirectTop
			if dir == "bottom" {
				list = f.DirectBottom
			}
			s.DirectGrade, s.DirectReason = dir, list[i]
		}
		if f.Refusal != "" {
			warned, err := r.date(FieldRefusalWarned, "批评教育日期", s.Refused)
			if err != nil && full {
				return s, err
			}
			reason, err := r.text(FieldRefusalReason, "拒不参加的情形", MaxShortText, false, s.Refused)
			if err != nil && full {
				return s, err
			}
			if s.Refused {
				s.RefusalWarned, s.RefusalReason = warned, reason
			}
		}
	}
	if len(f.Grades) > 0 {
		g, err := r.choice(FieldGrade, "考核等次", f.Grades, full && !s.Refused)
		if err != nil && full {
			return s, err
		}
		s.Grade = g
	}
	for _, a := range []struct {
		kind, label string
		rows        int
		pre         int
		cap         string
		out         *[]Adjustment
	}{
		{AdjustBonus, "加分", f.BonusRows, len(f.Bonus), f.BonusCap, &s.Bonus},
		{AdjustDeduction, "减分", f.DeductionRows, len(f.Deductions), f.DeductionCap, &s.Deductions},
	} {
		rows := a.rows
		if rows <= 0 {
			rows = DefaultAdjustRows
		}
		rows = min(max(rows, a.pre), MaxAdjustRows)
		capH := int64(9999_99)
		if a.cap != "" {
			capH = mustHundredths(a.cap)
		}
		for i := 1; i <= rows; i++ {
			lbl := a.label + strconv.Itoa(i)
			pts, err := r.number(AdjustField(a.kind, i, PartPoints), lbl+" 分值", capH, false)
			if err != nil && full {
				return s, err
			}
			reason, err := r.text(AdjustField(a.kind, i, PartReason), lbl+" 事由", MaxShortText, false, false)
			if err != nil && full {
				return s, err
			}
			event, err := r.text(AdjustField(a.kind, i, PartEvent), lbl+" 所涉事件", MaxShortText, false, false)
			if err != nil && full {
				return s, err
			}
			if !full || (pts == "" && reason == "" && event == "") {
				continue
			}
			if pts == "" || pts == "0" {
				return s, fieldErr(AdjustField(a.kind, i, PartPoints), lbl+" 分值", "请填写大于0的分值")
			}
			if reason == "" {
				return s, fieldErr(AdjustField(a.kind, i, PartReason), lbl+" 事由", "必填")
			}
			*a.out = append(*a.out, Adjustment{Points: pts, Reason: reason, Event: event})
		}
	}
	comment, err := r.text(FieldComment, "评语", MaxText, true, false)
	if err != nil && full {
		return s, err
	}
	if full {
		s.Comment = comment
	}
	if s.Reason, err = r.text(FieldReason, "退回或调整原因", MaxText, true, kind != KindApprove); err != nil {
		return s, err
	}
	return s, r.finish()
}
