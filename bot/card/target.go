package card

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kaohe/kaohe/workflow"
)

// Kinds of the annual-target cards (年初分解, 个人岗位职责和工作任务认定表).
const (
	// KindTargetsPropose submits the proposal form of the employee's
	// targets card. ID: the year ("2026"); V: how many targets the person
	// had for the year when the card was drawn, so a second submission
	// from an old copy of the card is refused instead of adding the rows
	// twice.
	KindTargetsPropose = "targets_propose"
	// KindTargetConfirm confirms one draft target. ID: the target
	// ("2026/ou_01/3"); V: the target's version.
	KindTargetConfirm = "target_confirm"
	// KindTargetsConfirmAll confirms every draft target the card shows.
	// ID: "<year>/<open_id>"; V: how many targets the person had for the
	// year when the card was drawn (drafts are never edited, so the count
	// tells whether the leader saw them all).
	KindTargetsConfirmAll = "targets_confirm_all"
)

// FormTargets is the KindOpen form of a person's targets: the entity is
// "<year>/<open_id>". The person gets their own card, a leader the
// confirmation card.
const FormTargets = "targets"

// Parts of a proposal row: TargetField(2, PartTitle) is "target2_title".
const (
	PartQuantity = "quantity" // proposal row: text, 数量
	PartStandard = "standard" // proposal row: text, 质量标准
	PartRole     = "role"     // proposal row: select, RoleLead or RoleAssist
)

// Values of the 主办/协办 select.
const (
	RoleLead   = "lead"   // 主办
	RoleAssist = "assist" // 协办
)

var roleOptions = []option{{"主办", RoleLead}, {"协办", RoleAssist}}

// Limits of the target cards. A proposal row takes 19 of the card's 200
// elements and a confirmation row 6, so both stay far below the limit.
const (
	MaxTargetRows     = 5
	DefaultTargetRows = 3
	// MaxQuantity caps the 数量 field, in runes.
	MaxQuantity = 50
	// maxTargetLines is how many targets the employee's card lists.
	maxTargetLines = 40
	// maxConfirmRows is how many drafts the confirmation card shows with
	// their own button.
	maxConfirmRows = 20
)

// TargetField names a field of proposal row n (1-based).
func TargetField(n int, part string) string { return "target" + strconv.Itoa(n) + "_" + part }

// TargetLine is one target as the cards show it.
type TargetLine struct {
	ID      string
	Version int
	Title   string
	// Quantity and Standard are 数量 and 质量标准, either may be "".
	Quantity, Standard string
	// Deadline is YYYY-MM-DD.
	Deadline string
	Lead     bool
	// State is workflow.TargetDraft, TargetConfirmed or TargetDone.
	State string
	// ConfirmedBy is the name of whoever confirmed it.
	ConfirmedBy string
	// DoneOn is the day a weekly record reported it done (YYYY-MM-DD).
	DoneOn string
}

// targetStatus says where a target stands on today (YYYY-MM-DD): waiting,
// confirmed and by whom, done on time or late, or overdue.
func targetStatus(t TargetLine, today string) string {
	by := ""
	if t.ConfirmedBy != "" {
		by = "，确认人：" + escLine(clip(t.ConfirmedBy, 20))
	}
	switch t.State {
	case workflow.TargetDraft:
		return "<font color='orange'>待领导确认</font>"
	case workflow.TargetDone:
		if t.Deadline != "" && t.DoneOn > t.Deadline {
			return "<font color='orange'>逾期完成（" + escLine(t.DoneOn) + "）</font>" + "<font color='grey'>" + by + "</font>"
		}
		return "<font color='green'>已完成（" + escLine(t.DoneOn) + "）</font>" + "<font color='grey'>" + by + "</font>"
	}
	if today != "" && t.Deadline != "" && today > t.Deadline {
		return "<font color='red'>已逾期，尚未完成</font>" + "<font color='grey'>" + by + "</font>"
	}
	return "<font color='green'>已确认</font>" + "<font color='grey'>" + by + "</font>"
}

// targetText is a target's title, role, quantity, standard and deadline
// in markdown, numbered n.
func targetText(n int, t TargetLine) string {
	role := "协办"
	if t.Lead {
		role = "主办"
	}
	head := fmt.Sprintf("**%d. %s**（%s）", n, escLine(clip(t.Title, 80)), role)
	var parts []string
	if t.Quantity != "" {
		parts = append(parts, "数量："+escLine(clip(t.Quantity, MaxQuantity)))
	}
	if t.Standard != "" {
		parts = append(parts, "标准："+escLine(clip(t.Standard, 80)))
	}
	parts = append(parts, "完成时限："+escLine(orDash(t.Deadline)))
	return head + "\n" + strings.Join(parts, " · ")
}

// targetCounts is "共N项：待确认a项，已确认b项，已完成c项".
func targetCounts(ts []TargetLine) string {
	var draft, confirmed, done int
	for _, t := range ts {
		switch t.State {
		case workflow.TargetDraft:
			draft++
		case workflow.TargetDone:
			done++
		default:
			confirmed++
		}
	}
	return fmt.Sprintf("共%d项：待确认%d项，已确认%d项，已完成%d项", len(ts), draft, confirmed, done)
}

// TargetsForm is the employee's 年初分解 card.
type TargetsForm struct {
	Year int
	Name string
	// Targets are all the person's targets for the year, in order.
	Targets []TargetLine
	// Today is YYYY-MM-DD, for overdue targets.
	Today string
	// Propose shows the proposal form; false for someone outside the
	// appraisal, who has no targets to propose.
	Propose bool
	// Rows is the number of proposal rows (DefaultTargetRows when 0, at
	// most MaxTargetRows).
	Rows int
}

// TargetsCard renders a person's targets for the year, each with where it
// stands, and the form to propose more.
func TargetsCard(f TargetsForm) ([]byte, error) {
	if f.Year < 1000 || f.Year > 9999 {
		return nil, fmt.Errorf("targets of year %d: %w", f.Year, ErrBadModel)
	}
	year := strconv.Itoa(f.Year)
	var els []elem
	if len(f.Targets) == 0 {
		els = append(els, md("尚未填报"+year+"年度工作目标。"))
	} else {
		lines := make([]string, 0, min(len(f.Targets), maxTargetLines))
		for i, t := range f.Targets[:min(len(f.Targets), maxTargetLines)] {
			lines = append(lines, targetText(i+1, t)+"\n"+targetStatus(t, f.Today))
		}
		els = append(els, md("**"+targetCounts(f.Targets)+"**"), md(strings.Join(lines, "\n\n")))
		if len(f.Targets) > maxTargetLines {
			els = append(els, note(fmt.Sprintf("另有%d项未显示。", len(f.Targets)-maxTargetLines)))
		}
	}
	if f.Propose {
		rows := f.Rows
		if rows <= 0 {
			rows = DefaultTargetRows
		}
		rows = min(rows, MaxTargetRows)
		var fe []elem
		for i := 1; i <= rows; i++ {
			ph := "工作任务"
			if i == 1 {
				ph = "工作任务（必填）"
			}
			fe = append(fe, md(fmt.Sprintf("**第%d项**", i)),
				input(TargetField(i, PartTitle), "", ph, "", MaxShortText, i == 1),
				columns([]elem{input(TargetField(i, PartQuantity), "", "数量（如 4期）", "", MaxQuantity, false)},
					[]elem{input(TargetField(i, PartStandard), "", "质量标准", "", MaxShortText, false)}),
				columns([]elem{datePicker(TargetField(i, PartDeadline), "完成时限", "", i == 1)},
					[]elem{selectStatic(TargetField(i, PartRole), "主办/协办", roleOptions, RoleLead, false)}))
		}
		fe = append(fe, submitRow(Value{K: KindTargetsPropose, ID: year, V: len(f.Targets)}, "提交领导确认"))
		els = append(els, hr(), md("**填报年度工作目标**（每项写明任务、数量、标准和完成时限；提交后由领导确认）"), form("targets_form", fe))
	} else {
		els = append(els, note("您不参加平时考核，无需填报年度工作目标；待您确认的他人目标见「"+CmdTodo+"」。"))
	}
	els = append(els, note("周记实中的工作任务可对应已确认的年度目标，完成进度填100%即记为完成。"))
	title := year + "年度工作目标"
	sub := "年初分解 · 个人岗位职责和工作任务认定表"
	if f.Name != "" {
		sub = f.Name + " · " + sub
	}
	return build(title, sub, Blue, title, els), nil
}

// TargetRow is one proposal row as submitted.
type TargetRow struct {
	Title, Quantity, Standard string
	// Deadline is YYYY-MM-DD within the form's year.
	Deadline string
	Lead     bool
}

// ParseTargets reads the proposal form of the targets card for year: at
// least one row; a row with any field filled needs its task and deadline,
// and the deadline must fall in year. A row's role alone does not count as
// filled (the select starts at 主办). Errors are *FieldError.
func ParseTargets(fv map[string]any, year int) ([]TargetRow, error) {
	r, err := newReader(fv)
	if err != nil {
		return nil, err
	}
	var out []TargetRow
	for i := 1; i <= MaxTargetRows; i++ {
		lbl := func(s string) string { return fmt.Sprintf("第%d项 %s", i, s) }
		var row TargetRow
		if row.Title, err = r.text(TargetField(i, PartTitle), lbl("工作任务"), MaxShortText, false, false); err != nil {
			return nil, err
		}
		if row.Quantity, err = r.text(TargetField(i, PartQuantity), lbl("数量"), MaxQuantity, false, false); err != nil {
			return nil, err
		}
		if row.Standard, err = r.text(TargetField(i, PartStandard), lbl("质量标准"), MaxShortText, false, false); err != nil {
			return nil, err
		}
		if row.Deadline, err = r.date(TargetField(i, PartDeadline), lbl("完成时限"), false); err != nil {
			return nil, err
		}
		role, err := r.choice(TargetField(i, PartRole), lbl("主办/协办"), []string{RoleLead, RoleAssist}, false)
		if err != nil {
			return nil, err
		}
		row.Lead = role != RoleAssist
		if row.Title == "" && row.Quantity == "" && row.Standard == "" && row.Deadline == "" {
			continue
		}
		if row.Title == "" {
			return nil, fieldErr(TargetField(i, PartTitle), lbl("工作任务"), "必填")
		}
		if row.Deadline == "" {
			return nil, fieldErr(TargetField(i, PartDeadline), lbl("完成时限"), "请选择日期")
		}
		if !strings.HasPrefix(row.Deadline, strconv.Itoa(year)+"-") {
			return nil, fieldErr(TargetField(i, PartDeadline), lbl("完成时限"), fmt.Sprintf("须在%d年内", year))
		}
		out = append(out, row)
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fieldErr(TargetField(1, PartTitle), "第1项 工作任务", "请至少填写一项")
	}
	return out, nil
}

// TargetConfirmForm is the leader's card for one person's targets.
type TargetConfirmForm struct {
	Year int
	// Person is the person's open_id, Name their name.
	Person, Name string
	// Targets are all the person's targets for the year, in order.
	Targets []TargetLine
	// Today is YYYY-MM-DD.
	Today string
}

// TargetConfirmCard renders a person's draft targets, each with 确认, and
// 全部确认 when every draft is on the card; the confirmed ones follow with
// who confirmed them.
func TargetConfirmCard(f TargetConfirmForm) ([]byte, error) {
	if f.Year < 1000 || f.Year > 9999 || f.Person == "" {
		return nil, fmt.Errorf("targets of %q for year %d: %w", f.Person, f.Year, ErrBadModel)
	}
	year := strconv.Itoa(f.Year)
	var drafts, others []int
	for i, t := range f.Targets {
		if t.State == workflow.TargetDraft {
			drafts = append(drafts, i)
		} else {
			others = append(others, i)
		}
	}
	els := []elem{md(escLine(clip(f.Name, 20)) + "的" + year + "年度工作目标（年初分解）。" + targetCounts(f.Targets) + "。")}
	if len(drafts) == 0 {
		els = append(els, md("<font color='green'>没有待确认的目标。</font>"))
	}
	for n, i := range drafts[:min(len(drafts), maxConfirmRows)] {
		t := f.Targets[i]
		c := columns([]elem{md(targetText(i+1, t))},
			[]elem{button(fmt.Sprintf("confirm_%d", n+1), "确认", "default", Value{K: KindTargetConfirm, ID: t.ID, V: t.Version})})
		c["columns"].([]elem)[1]["width"] = "auto"
		delete(c["columns"].([]elem)[1], "weight")
		els = append(els, c)
	}
	switch {
	case len(drafts) > maxConfirmRows:
		els = append(els, note(fmt.Sprintf("另有%d项待确认，请逐项确认，卡片会随之显示其余各项。", len(drafts)-maxConfirmRows)))
	case len(drafts) > 0:
		els = append(els, button("confirm_all", fmt.Sprintf("全部确认（%d项）", len(drafts)), "primary",
			Value{K: KindTargetsConfirmAll, ID: TargetsID(f.Year, f.Person), V: len(f.Targets)}))
	}
	if len(others) > 0 {
		lines := make([]string, 0, min(len(others), maxTargetLines))
		for _, i := range others[:min(len(others), maxTargetLines)] {
			lines = append(lines, targetText(i+1, f.Targets[i])+"\n"+targetStatus(f.Targets[i], f.Today))
		}
		els = append(els, hr(), md(strings.Join(lines, "\n\n")))
		if len(others) > maxTargetLines {
			els = append(els, note(fmt.Sprintf("另有%d项已确认的目标未显示。", len(others)-maxTargetLines)))
		}
	}
	els = append(els, note("确认后，目标列入本人的年度工作任务，周记实可逐项对应并记录完成情况。"))
	colour := Orange
	if len(drafts) == 0 {
		colour = Green
	}
	title := "请确认年度目标：" + clip(f.Name, 20)
	return build(title, year+"年 · 年初分解", colour, title, els), nil
}

// TargetsID joins a year and a person into the id FormTargets and
// KindTargetsConfirmAll carry.
func TargetsID(year int, person string) string { return strconv.Itoa(year) + "/" + person }

// SplitTargetsID splits a TargetsID; ok is false for anything else.
func SplitTargetsID(id string) (year int, person string, ok bool) {
	y, p, found := strings.Cut(id, "/")
	if !found || len(y) != 4 || p == "" || strings.Contains(p, "/") {
		return 0, "", false
	}
	n, err := strconv.Atoi(y)
	if err != nil || n < 1000 {
		return 0, "", false
	}
	return n, p, true
}

// targetsDue is the result card's list of the period's targets: one line
// each with where it stands.
func targetsDue(ts []TargetLine, today string) elem {
	lines := make([]string, 0, min(len(ts), maxTargetLines))
	for _, t := range ts[:min(len(ts), maxTargetLines)] {
		lines = append(lines, "- "+escLine(clip(t.Title, 60))+"（时限 "+escLine(orDash(t.Deadline))+"）："+targetStatus(t, today))
	}
	if len(ts) > maxTargetLines {
		lines = append(lines, fmt.Sprintf("- 另有%d项未显示", len(ts)-maxTargetLines))
	}
	return md("**本期到期的年度目标**\n" + strings.Join(lines, "\n"))
}
