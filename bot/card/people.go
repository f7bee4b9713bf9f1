package card

import (
	"fmt"
	"strings"
)

// Kinds of HR's person card (PersonCard). ID: the person's open_id; V:
// the person's version.
const (
	// KindPersonStatus sets probation, investigation, sanction and
	// exemption with the reason of the status form.
	KindPersonStatus = "person_status"
	// KindAbsence records a stretch of leave from the leave form.
	KindAbsence = "person_absence"
)

// Fields of the person card.
const (
	FieldProbation     = "probation"
	FieldInvestigation = "investigation"
	FieldSanction      = "sanction"
	FieldExempt        = "exempt"
	FieldStatusReason  = "status_reason"
	FieldLeaveKind     = "leave_kind"
	FieldLeaveStart    = "leave_start"
	FieldLeaveEnd      = "leave_end"
)

// yes and no are the values of the card's yes/no selects.
const (
	yes = "yes"
	no  = "no"
)

// noSanction is the sanction select's "none".
const noSanction = "none"

// PersonForm is a person as HR sees them on the person card.
type PersonForm struct {
	ID      string
	Version int
	Name    string
	Unit    string
	// Probation … Reason are the current status.
	Probation, Investigation, Exempt bool
	Sanction, Reason                 string
	// Absences are the recorded leaves, one line each ("病假 2026-10-09 至 2026-10-12").
	Absences []string
	// Sanctions are the scheme's sanction kinds; LeaveKinds the leave kinds
	// HR may record.
	Sanctions, LeaveKinds []string
}

// PersonCard renders HR's card for one person: the current special states
// and leave, a form to change the states (with the reason the audit log
// keeps) and a form to record leave.
func PersonCard(f PersonForm) ([]byte, error) {
	if f.ID == "" || len(f.LeaveKinds) == 0 || len(f.LeaveKinds) > 20 || len(f.Sanctions) > 20 {
		return nil, fmt.Errorf("person %q with %d leave kinds: %w", f.ID, len(f.LeaveKinds), ErrBadModel)
	}
	var states []string
	if f.Probation {
		states = append(states, "试用期")
	}
	if f.Investigation {
		states = append(states, "立案调查中")
	}
	if f.Sanction != "" {
		states = append(states, "受"+f.Sanction+"处分")
	}
	if f.Exempt {
		states = append(states, "本期免于考核")
	}
	status := "正常"
	if len(states) > 0 {
		status = strings.Join(states, "、")
	}
	lines := []string{"**单位**：" + escLine(orDash(f.Unit)), "**当前状态**：" + escLine(status)}
	if f.Reason != "" && len(states) > 0 {
		lines = append(lines, "**事由**："+escLine(clip(f.Reason, 100)))
	}
	if len(f.Absences) > 0 {
		shown := f.Absences[:min(len(f.Absences), 10)]
		for i, a := range shown {
			shown[i] = "· " + escLine(a)
		}
		lines = append(lines, "**请假记录**：\n"+strings.Join(shown, "\n"))
	}
	yn := []option{{"是", yes}, {"否", no}}
	pick := func(b bool) string {
		if b {
			return yes
		}
		return no
	}
	sanctions := []option{{"无", noSanction}}
	for _, s := range f.Sanctions {
		sanctions = append(sanctions, option{s, s})
	}
	sanction := f.Sanction
	if sanction == "" {
		sanction = noSanction
	}
	v := func(k string) *Value { return &Value{K: k, ID: f.ID, V: f.Version} }
	leaves := make([]option, len(f.LeaveKinds))
	for i, k := range f.LeaveKinds {
		leaves[i] = option{k, k}
	}
	els := []elem{
		md(strings.Join(lines, "\n")),
		hr(),
		md("**特殊情况**（试用期只写评语、不定等次；立案调查期间暂不定等次，结案后补定；处分期间按方案办理）"),
		form("status_form", []elem{
			columns([]elem{md("试用期")}, []elem{selectStatic(FieldProbation, "试用期", yn, pick(f.Probation), true)}),
			columns([]elem{md("立案调查")}, []elem{selectStatic(FieldInvestigation, "立案调查", yn, pick(f.Investigation), true)}),
			columns([]elem{md("处分")}, []elem{selectStatic(FieldSanction, "处分", sanctions, sanction, true)}),
			columns([]elem{md("免于考核")}, []elem{selectStatic(FieldExempt, "免于考核", yn, pick(f.Exempt), true)}),
			input(FieldStatusReason, "事由", "依据或文号（必填，记入审计日志）", "", MaxShortText, true),
			formButton("save_status", "保存特殊情况", "primary", "submit", v(KindPersonStatus)),
		}),
		hr(),
		md("**登记请假**（起止日期均含；法定假期不计入半数规则）"),
		form("leave_form", []elem{
			selectStatic(FieldLeaveKind, "假别", leaves, "", true),
			columns([]elem{datePicker(FieldLeaveStart, "开始日期", "", true)}, []elem{datePicker(FieldLeaveEnd, "结束日期", "", true)}),
			formButton("save_leave", "登记请假", "default", "submit", v(KindAbsence)),
		}),
	}
	return build("人员情况："+clip(f.Name, 20), "政工科", Wathet, "人员情况："+clip(f.Name, 20), els), nil
}

// PersonStatusInput is the status form of the person card.
type PersonStatusInput struct {
	Probation, Investigation, Exempt bool
	Sanction                         string // "" for none
	Reason                           string
}

// ParsePersonStatus reads the status form; sanction must be one of
// sanctions. Errors are *FieldError.
func ParsePersonStatus(fv map[string]any, sanctions []string) (PersonStatusInput, error) {
	var in PersonStatusInput
	r, err := newReader(fv)
	if err != nil {
		return in, err
	}
	flag := func(name, label string) (bool, error) {
		s, err := r.choice(name, label, []string{yes, no}, true)
		return s == yes, err
	}
	if in.Probation, err = flag(FieldProbation, "试用期"); err != nil {
		return in, err
	}
	if in.Investigation, err = flag(FieldInvestigation, "立案调查"); err != nil {
		return in, err
	}
	if in.Sanction, err = r.choice(FieldSanction, "处分", append([]string{noSanction}, sanctions...), true); err != nil {
		return in, err
	}
	if in.Sanction == noSanction {
		in.Sanction = ""
	}
	if in.Exempt, err = flag(FieldExempt, "免于考核"); err != nil {
		return in, err
	}
	if in.Reason, err = r.text(FieldStatusReason, "事由", MaxShortText, false, true); err != nil {
		return in, err
	}
	return in, r.finish()
}

// AbsenceInput is the leave form of the person card.
type AbsenceInput struct {
	Kind, Start, End string // dates YYYY-MM-DD
}

// ParseAbsence reads the leave form; kind must be one of kinds and the
// end not before the start. Errors are *FieldError.
func ParseAbsence(fv map[string]any, kinds []string) (AbsenceInput, error) {
	var in AbsenceInput
	r, err := newReader(fv)
	if err != nil {
		return in, err
	}
	if in.Kind, err = r.choice(FieldLeaveKind, "假别", kinds, true); err != nil {
		return in, err
	}
	if in.Start, err = r.date(FieldLeaveStart, "开始日期", true); err != nil {
		return in, err
	}
	if in.End, err = r.date(FieldLeaveEnd, "结束日期", true); err != nil {
		return in, err
	}
	if in.End < in.Start {
		return in, fieldErr(FieldLeaveEnd, "结束日期", "不能早于开始日期")
	}
	return in, r.finish()
}
