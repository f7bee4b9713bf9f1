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
	// KindTargetConfirm passes one target at the level it waits for: 审核
	// of a draft, 审定 of a reviewed target. ID: the target
	// ("2026/ou_01/3"); V: the target's version.
	KindTargetConfirm = "target_confirm"
	// KindTargetsConfirmAll passes every target the card offers its viewer
	// at their level. ID: "<year>/<open_id>"; V: the sum of the versions of
	// the person's targets for the year when the card was drawn (any
	// proposal, revision or decision raises it, so an old card cannot pass
	// a target the leader has not read).
	KindTargetsConfirmAll = "targets_confirm_all"
	// KindTargetReturn sends one target back to its person with the
	// reason from FieldTargetReason (the return card). ID: the target; V:
	// its version.
	KindTargetReturn = "target_return"
	// KindTargetRevise submits the person's revision of a target sent back
	// (the revise card, proposal row 1's fields). ID: the target; V: its
	// version.
	KindTargetRevise = "target_revise"
	// KindTargetExceed sets or clears 超额完成 on a done target (the final
	// level's leader): the click asks for the opposite of what the card
	// shows, and the version makes sure the card shows what stands. ID:
	// the target; V: its version.
	KindTargetExceed = "target_exceed"
)

// FieldTargetReason is the return card's reason.
const FieldTargetReason = "target_reason"

// Forms of a single target: the entity is the target id. FormTargetReturn
// is the leader's card to send it back, FormTargetRevise the person's card
// to revise it.
const (
	FormTargetReturn = "target_return"
	FormTargetRevise = "target_revise"
)

// FormTargets is the KindOpen form of a person's targets: the entity is
// "<year>/<open_id>". The person gets their own card, a leader the
// 认定 card.
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
	// State is one of workflow's Target states.
	State string
	// ReviewedBy and ApprovedBy are the names of whoever decided each
	// level; ReturnedBy the name of whoever sent it back, at ReturnLevel
	// (workflow.TargetLevelReview or TargetLevelApprove) for ReturnReason.
	ReviewedBy, ApprovedBy                string
	ReturnedBy, ReturnLevel, ReturnReason string
	// DoneOn is the day a weekly record reported it done (YYYY-MM-DD).
	DoneOn string
	// Exceeded: 超额完成, as the final level's leader marked it.
	Exceeded bool
	// Act: the card's viewer may pass or send back this target now (the
	// leader's card); Exceed: they may mark it 超额完成.
	Act, Exceed bool
}

// levelName is 审核 or 审定.
func levelName(level string) string {
	if level == workflow.TargetLevelApprove {
		return "审定"
	}
	return "审核"
}

// late reports a done target done after its deadline.
func (t TargetLine) late() bool { return t.Deadline != "" && t.DoneOn > t.Deadline }

// targetStatus says where a target stands on today (YYYY-MM-DD): waiting
// for either level, sent back and why, approved and by whom, done on time,
// late or exceeded, or overdue.
func targetStatus(t TargetLine, today string) string {
	var bys []string
	switch {
	case t.ApprovedBy != "" && t.ApprovedBy == t.ReviewedBy:
		bys = append(bys, "审核、审定："+escLine(clip(t.ApprovedBy, 20))) // one level: the review was final
	default:
		if t.ReviewedBy != "" {
			bys = append(bys, "审核："+escLine(clip(t.ReviewedBy, 20)))
		}
		if t.ApprovedBy != "" {
			bys = append(bys, "审定："+escLine(clip(t.ApprovedBy, 20)))
		}
	}
	by := ""
	if len(bys) > 0 {
		by = "<font color='grey'>（" + strings.Join(bys, "，") + "）</font>"
	}
	switch t.State {
	case workflow.TargetDraft:
		s := "<font color='orange'>待科室负责人审核</font>"
		if t.ReturnReason != "" {
			s += "<font color='grey'>（已按" + levelName(t.ReturnLevel) + "退回意见修改）</font>"
		}
		return s
	case workflow.TargetReviewed:
		return "<font color='orange'>已审核，待分管领导审定</font>" + by
	case workflow.TargetReturned:
		return "<font color='red'>" + levelName(t.ReturnLevel) + "退回（" + escLine(clip(t.ReturnedBy, 20)) + "）：" +
			escLine(clip(t.ReturnReason, 200)) + "</font>"
	case workflow.TargetDone:
		ex := ""
		if t.Exceeded {
			ex = "，超额完成"
		}
		if t.late() {
			return "<font color='orange'>逾期完成（" + escLine(t.DoneOn) + "）" + ex + "</font>" + by
		}
		return "<font color='green'>已完成（" + escLine(t.DoneOn) + "）" + ex + "</font>" + by
	}
	if today != "" && t.Deadline != "" && today > t.Deadline {
		return "<font color='red'>已逾期，尚未完成</font>" + by
	}
	return "<font color='green'>已审定</font>" + by
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

// targetCounts is "共N项：待审核a项，待审定b项，…", naming only the states
// some target is in.
func targetCounts(ts []TargetLine) string {
	n := map[string]int{}
	for _, t := range ts {
		n[t.State]++
	}
	parts := []string{}
	for _, s := range []struct{ state, name string }{{workflow.TargetDraft, "待审核"}, {workflow.TargetReviewed, "待审定"},
		{workflow.TargetReturned, "已退回"}, {workflow.TargetApproved, "已审定"}, {workflow.TargetDone, "已完成"}} {
		if n[s.state] > 0 {
			parts = append(parts, fmt.Sprintf("%s%d项", s.name, n[s.state]))
		}
	}
	return fmt.Sprintf("共%d项：%s", len(ts), strings.Join(parts, "，"))
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
		// Each target sent back gets its own 修改 button (the revise card).
		var back []Button
		for i, t := range f.Targets {
			if t.State == workflow.TargetReturned && len(back) < maxConfirmRows {
				back = append(back, Button{Text: fmt.Sprintf("修改第%d项", i+1), Primary: true, Value: Open(FormTargetRevise, t.ID)})
			}
		}
		if len(back) > 0 {
			els = append(els, md("**被退回的目标**：请按意见修改后重新提交，由科室负责人重新审核。"), buttonRow(back))
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
		fe = append(fe, submitRow(Value{K: KindTargetsPropose, ID: year, V: len(f.Targets)}, "提交审核"))
		els = append(els, hr(), md("**填报年度工作目标**（每项写明任务、数量、标准和完成时限；提交后由科室负责人审核、分管领导审定）"), form("targets_form", fe))
	} else {
		els = append(els, note("您不参加平时考核，无需填报年度工作目标；待您确认的他人目标见「"+CmdTodo+"」。"))
	}
	els = append(els, note("周记实中的工作任务可对应已审定的年度目标，完成进度填100%即记为完成。"))
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

// TargetConfirmForm is the leader's 认定 card for one person's targets.
type TargetConfirmForm struct {
	Year int
	// Person is the person's open_id, Name their name.
	Person, Name string
	// Targets are all the person's targets for the year, in order, with
	// Act and Exceed set for what the viewer may do.
	Targets []TargetLine
	// Sum is the sum of the targets' versions (KindTargetsConfirmAll's V).
	Sum int
	// Today is YYYY-MM-DD.
	Today string
}

// TargetConfirmCard renders the targets waiting for the viewer, each with
// 通过 and 退回 (which opens the return card), and 全部通过 when every such
// target is on the card; the others follow with where they stand, a done
// one with 超额完成 for the final level's leader.
func TargetConfirmCard(f TargetConfirmForm) ([]byte, error) {
	if f.Year < 1000 || f.Year > 9999 || f.Person == "" {
		return nil, fmt.Errorf("targets of %q for year %d: %w", f.Person, f.Year, ErrBadModel)
	}
	year := strconv.Itoa(f.Year)
	var acts, others []int
	for i, t := range f.Targets {
		if t.Act {
			acts = append(acts, i)
		} else {
			others = append(others, i)
		}
	}
	els := []elem{md(escLine(clip(f.Name, 20)) + "的" + year + "年度工作目标（个人岗位职责和工作任务认定表）。" + targetCounts(f.Targets) + "。")}
	if len(acts) == 0 {
		els = append(els, md("<font color='green'>没有待您审核或审定的目标。</font>"))
	}
	for n, i := range acts[:min(len(acts), maxConfirmRows)] {
		t := f.Targets[i]
		pass := "审核通过"
		if t.State == workflow.TargetReviewed {
			pass = "审定通过"
		}
		c := columns([]elem{md(targetText(i+1, t) + "\n" + targetStatus(t, f.Today))},
			[]elem{button(fmt.Sprintf("confirm_%d", n+1), pass, "default", Value{K: KindTargetConfirm, ID: t.ID, V: t.Version})},
			[]elem{button(fmt.Sprintf("return_%d", n+1), "退回", "danger", Open(FormTargetReturn, t.ID))})
		for _, col := range c["columns"].([]elem)[1:] {
			col["width"] = "auto"
			delete(col, "weight")
		}
		els = append(els, c)
	}
	switch {
	case len(acts) > maxConfirmRows:
		els = append(els, note(fmt.Sprintf("另有%d项待办理，请逐项办理，卡片会随之显示其余各项。", len(acts)-maxConfirmRows)))
	case len(acts) > 0:
		els = append(els, button("confirm_all", fmt.Sprintf("全部通过（%d项）", len(acts)), "primary",
			Value{K: KindTargetsConfirmAll, ID: TargetsID(f.Year, f.Person), V: f.Sum}))
	}
	if len(others) > 0 {
		els = append(els, hr())
		var lines []string
		flush := func() {
			if len(lines) > 0 {
				els = append(els, md(strings.Join(lines, "\n\n")))
				lines = nil
			}
		}
		shown, marks := 0, 0
		for _, i := range others {
			if shown == maxTargetLines {
				break
			}
			shown++
			t := f.Targets[i]
			text := targetText(i+1, t) + "\n" + targetStatus(t, f.Today)
			if !t.Exceed || marks == maxConfirmRows {
				lines = append(lines, text)
				continue
			}
			flush()
			marks++
			label := "标记超额完成"
			if t.Exceeded {
				label = "取消超额完成"
			}
			c := columns([]elem{md(text)}, []elem{button(fmt.Sprintf("exceed_%d", marks), label, "default", Value{K: KindTargetExceed, ID: t.ID, V: t.Version})})
			c["columns"].([]elem)[1]["width"] = "auto"
			delete(c["columns"].([]elem)[1], "weight")
			els = append(els, c)
		}
		flush()
		if len(others) > shown {
			els = append(els, note(fmt.Sprintf("另有%d项目标未显示。", len(others)-shown)))
		}
	}
	els = append(els, note("先由科室负责人审核，再由分管领导审定；退回须写明原因，本人修改后重新审核。审定后，周记实可逐项对应并记录完成情况。"))
	colour := Orange
	if len(acts) == 0 {
		colour = Green
	}
	title := "年度目标认定：" + clip(f.Name, 20)
	return build(title, year+"年 · 年初分解", colour, title, els), nil
}

// TargetReturnForm is the leader's card to send one target back.
type TargetReturnForm struct {
	Name   string // the person's
	Target TargetLine
	// N is the target's number on the person's list.
	N int
}

// TargetReturnCard renders one target with the reason to send it back.
func TargetReturnCard(f TargetReturnForm) ([]byte, error) {
	t := f.Target
	if t.ID == "" || (t.State != workflow.TargetDraft && t.State != workflow.TargetReviewed) {
		return nil, fmt.Errorf("return of target %q (%s): %w", t.ID, t.State, ErrBadModel)
	}
	level := workflow.TargetLevelReview
	if t.State == workflow.TargetReviewed {
		level = workflow.TargetLevelApprove
	}
	els := []elem{md(targetText(max(f.N, 1), t)), form("target_return", []elem{
		textarea(FieldTargetReason, "退回原因", "写明需要修改之处，如数量、标准或完成时限", "", MaxOpinion, 3, true),
		submitRow(Value{K: KindTargetReturn, ID: t.ID, V: t.Version}, "退回修改"),
	}), note("退回后，" + clip(f.Name, 20) + "会收到原因并修改，修改后重新由科室负责人审核。")}
	title := "退回年度目标：" + clip(f.Name, 20)
	return build(title, levelName(level), Red, title, els), nil
}

// ParseTargetReturn reads the return card's reason. Errors are *FieldError.
func ParseTargetReturn(fv map[string]any) (string, error) {
	r, err := newReader(fv)
	if err != nil {
		return "", err
	}
	s, err := r.text(FieldTargetReason, "退回原因", MaxOpinion, true, true)
	if err != nil {
		return "", err
	}
	return s, r.finish()
}

// TargetReviseForm is the person's card to revise a target sent back.
type TargetReviseForm struct {
	Year   int
	Target TargetLine
	N      int
}

// TargetReviseCard renders a target sent back, the reason, and the form
// (proposal row 1's fields, filled with the target as it stands).
func TargetReviseCard(f TargetReviseForm) ([]byte, error) {
	t := f.Target
	if t.ID == "" || t.State != workflow.TargetReturned || f.Year < 1000 || f.Year > 9999 {
		return nil, fmt.Errorf("revision of target %q (%s): %w", t.ID, t.State, ErrBadModel)
	}
	role := RoleAssist
	if t.Lead {
		role = RoleLead
	}
	els := []elem{
		md(targetText(max(f.N, 1), t) + "\n" + targetStatus(t, "")),
		form("target_revise", []elem{
			input(TargetField(1, PartTitle), "", "工作任务（必填）", t.Title, MaxShortText, true),
			columns([]elem{input(TargetField(1, PartQuantity), "", "数量（如 4期）", t.Quantity, MaxQuantity, false)},
				[]elem{input(TargetField(1, PartStandard), "", "质量标准", t.Standard, MaxShortText, false)}),
			columns([]elem{datePicker(TargetField(1, PartDeadline), "完成时限", t.Deadline, true)},
				[]elem{selectStatic(TargetField(1, PartRole), "主办/协办", roleOptions, role, false)}),
			submitRow(Value{K: KindTargetRevise, ID: t.ID, V: t.Version}, "修改后重新提交"),
		}),
		note("重新提交后由科室负责人重新审核，再由分管领导审定。"),
	}
	title := "修改年度目标"
	return build(title, strconv.Itoa(f.Year)+"年 · 年初分解", Orange, title, els), nil
}

// ParseTargetRevise reads the revise card: one row, as ParseTargets reads
// row 1. Errors are *FieldError.
func ParseTargetRevise(fv map[string]any, year int) (TargetRow, error) {
	rows, err := ParseTargets(fv, year)
	if err != nil {
		return TargetRow{}, err
	}
	if len(rows) != 1 {
		return TargetRow{}, fieldErr(TargetField(2, PartTitle), "工作任务", "只能修改一项")
	}
	return rows[0], nil
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

// targetsDue is the result card's list of the period's targets: the
// tally (done on time, late, exceeded, unfinished) and one line each with
// where it stands.
func targetsDue(ts []TargetLine, today string) elem {
	var onTime, late, exceeded, open int
	for _, t := range ts {
		switch {
		case t.State != workflow.TargetDone:
			open++
		case t.late():
			late++
		default:
			onTime++
		}
		if t.State == workflow.TargetDone && t.Exceeded {
			exceeded++
		}
	}
	tally := fmt.Sprintf("共%d项：按时完成%d项，逾期完成%d项，超额完成%d项，未完成%d项", len(ts), onTime, late, exceeded, open)
	lines := make([]string, 0, min(len(ts), maxTargetLines))
	for _, t := range ts[:min(len(ts), maxTargetLines)] {
		lines = append(lines, "- "+escLine(clip(t.Title, 60))+"（时限 "+escLine(orDash(t.Deadline))+"）："+targetStatus(t, today))
	}
	if len(ts) > maxTargetLines {
		lines = append(lines, fmt.Sprintf("- 另有%d项未显示", len(ts)-maxTargetLines))
	}
	return md("**本期到期的年度目标**（" + tally + "）\n" + strings.Join(lines, "\n"))
}
