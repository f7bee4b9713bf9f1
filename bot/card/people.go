package card

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
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
	// KindAttendance records a month's attendance from the attendance form.
	KindAttendance = "person_attendance"
	// KindWaive excuses a missing 周记实 with the reason of the waiver form.
	KindWaive = "person_waive"
	// KindSecond sets or ends a secondment (挂职、借调) from its form.
	KindSecond = "person_second"
	// KindPersonLeft records that the person left the organisation, from
	// the leaving form once HR confirmed it there.
	KindPersonLeft = "person_left"
	// KindVoteGroups names the 考核单元 the person votes in without being
	// rated there (extra voters), from its multi-select; none clears them.
	KindVoteGroups = "person_vote_groups"
)

// Fields of the person card.
const (
	FieldProbation     = "probation"
	FieldInvestigation = "investigation"
	FieldSanction      = "sanction"
	FieldSanctionStart = "sanction_start" // date_picker: the sanction's first day
	FieldSanctionEnd   = "sanction_end"   // date_picker: the day it ends (处分期满)
	FieldExempt        = "exempt"
	FieldStatusReason  = "status_reason"
	FieldLeaveKind     = "leave_kind"
	FieldLeaveStart    = "leave_start"
	FieldLeaveEnd      = "leave_end"
	FieldAttMonth      = "att_month"
	FieldAttLate       = "att_late"
	FieldAttEarly      = "att_early"
	FieldWaiveWeek     = "waive_week"
	FieldWaiveReason   = "waive_reason"
	FieldSecondUnit    = "second_unit"
	// FieldSecondUnitName replaces the FieldSecondUnit select when the
	// units would not fit the card: the receiving unit typed by name.
	FieldSecondUnitName = "second_unit_name"
	FieldSecondReason   = "second_reason"
	FieldLeftConfirm    = "left_confirm"
	FieldLeftReason     = "left_reason"
	// FieldVoteGroups is the multi-select of 考核单元 (KindVoteGroups).
	FieldVoteGroups = "vote_groups"
)

// AttLeaveField names the attendance form's input for the days of the
// n-th (1-based) counted leave kind.
func AttLeaveField(n int) string { return fmt.Sprintf("att_leave%d", n) }

// LeftConfirmed is the one value of the leaving form's confirmation
// select: HR picks it on purpose, so a stray click leaves nobody.
const LeftConfirmed = "left"

// NoSecondment is the secondment select's "assessed by the home unit".
const NoSecondment = "none"

// Limits of the person card.
const (
	// MaxSecondUnits is the most units the secondment select lists; with
	// more, or when the select would take the card over Lark's 200
	// elements, HR types the receiving unit's name instead.
	MaxSecondUnits = 40
	// MaxOwedWeeks is the most 周记实 the 免填 select offers at once, the
	// oldest first; the rest come once those are dealt with.
	MaxOwedWeeks = 14
	// NoSecondmentName ends a secondment in the typed form.
	NoSecondmentName = "不借调"
	// MaxVoteGroups is the most 考核单元 the vote-groups select lists;
	// with more HR names them in the org file (a select that long could
	// not be read on a phone anyway).
	MaxVoteGroups   = 40
	maxPersonLines  = 10
	maxCardElements = 200
)

// Choice is an option HR picks on the person card: a unit, a month, a week.
type Choice struct {
	ID    string
	Label string
}

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
	// SanctionStart and SanctionEnd are the sanction's term (YYYY-MM-DD,
	// "" when not recorded); Today tells whether it has ended.
	SanctionStart, SanctionEnd, Today string
	// Absences are the recorded leaves, one line each ("病假 2026-10-09 至 2026-10-12").
	Absences []string
	// Sanctions are the scheme's sanction kinds; LeaveKinds the leave kinds
	// HR may record.
	Sanctions, LeaveKinds []string
	// AssessedBy is the unit id that assesses the person while seconded
	// ("" at home); Units are the units they may be seconded to (all but
	// the home unit).
	AssessedBy string
	Units      []Choice
	// Months are the months whose attendance HR may record (of the open
	// periods, up to this month); CountedLeave the leave kinds the
	// attendance form asks days for (病假, 事假); Attendance the months
	// recorded, one line each.
	Months       []Choice
	CountedLeave []string
	Attendance   []string
	// OwedWeeks are the 周记实 the person owes, offered for 免填.
	OwedWeeks []Choice
	// Groups are the 考核单元 the person may be named an extra voter of
	// (all but one they are assessed in); VoteGroups the ids of those
	// named now.
	Groups     []Choice
	VoteGroups []string
}

// PersonCard renders HR's card for one person: the current special states
// and leave, a form to change the states (with the reason the audit log
// keeps) and a form to record leave.
func PersonCard(f PersonForm) ([]byte, error) {
	if f.ID == "" || len(f.LeaveKinds) == 0 || len(f.LeaveKinds) > 20 || len(f.Sanctions) > 20 ||
		len(f.Months) > 12 || len(f.CountedLeave) > 4 {
		return nil, fmt.Errorf("person %q with %d leave kinds: %w", f.ID, len(f.LeaveKinds), ErrBadModel)
	}
	f.OwedWeeks = f.OwedWeeks[:min(len(f.OwedWeeks), MaxOwedWeeks)]
	groups := len(f.Groups) <= MaxVoteGroups
	c := personCard(f, len(f.Units) > MaxSecondUnits, groups)
	if elements(c) > maxCardElements {
		c = personCard(f, true, groups)
	}
	if elements(c) > maxCardElements {
		c = personCard(f, true, false)
	}
	if n := elements(c); n > maxCardElements {
		return nil, fmt.Errorf("person card of %d elements: %w", n, ErrTooLarge)
	}
	return c, nil
}

// elements counts a card's elements as Lark does, every object with a
// tag. User text cannot fake one: its quotes are escaped in the JSON.
func elements(c []byte) int { return bytes.Count(c, []byte(`"tag":`)) }

// personCard renders the card; byName asks for the secondment's
// receiving unit by name instead of offering every unit in a select;
// groups offers the vote-groups select (else a note sends HR to the org
// file).
func personCard(f PersonForm, byName, groups bool) []byte {
	var states []string
	if f.Probation {
		states = append(states, "试用期")
	}
	if f.Investigation {
		states = append(states, "立案调查中")
	}
	if f.Sanction != "" {
		states = append(states, "受"+f.Sanction+"处分"+sanctionTerm(f))
	}
	if f.Exempt {
		states = append(states, "本期免于考核")
	}
	status := "正常"
	if len(states) > 0 {
		status = strings.Join(states, "、")
	}
	lines := []string{"**单位**：" + escLine(orDash(f.Unit))}
	if f.AssessedBy != "" {
		lines = append(lines, "**考核单位**："+escLine(choiceLabel(f.Units, f.AssessedBy))+"（借调、挂职，结果送回"+escLine(orDash(f.Unit))+"）")
	}
	lines = append(lines, "**当前状态**："+escLine(status))
	if len(f.VoteGroups) > 0 {
		names := make([]string, len(f.VoteGroups))
		for i, g := range f.VoteGroups {
			names[i] = escLine(clip(choiceLabel(f.Groups, g), 40))
		}
		lines = append(lines, "**参加民主测评（不被测评）**："+strings.Join(names, "、"))
	}
	if f.Reason != "" && len(states) > 0 {
		lines = append(lines, "**事由**："+escLine(clip(f.Reason, 100)))
	}
	list := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		shown := make([]string, 0, maxPersonLines)
		for _, a := range items[:min(len(items), maxPersonLines)] {
			shown = append(shown, "· "+escLine(clip(a, 100)))
		}
		lines = append(lines, "**"+title+"**：\n"+strings.Join(shown, "\n"))
	}
	list("请假记录", f.Absences)
	list("考勤记录", f.Attendance)
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
		md("**特殊情况**（试用期只写评语、不定等次；立案调查期间暂不定等次，结案后补定；处分期间按方案办理，处分须填处分期，期满后的下一个考核期起恢复正常考核）"),
		form("status_form", []elem{
			columns([]elem{md("试用期")}, []elem{selectStatic(FieldProbation, "试用期", yn, pick(f.Probation), true)}),
			columns([]elem{md("立案调查")}, []elem{selectStatic(FieldInvestigation, "立案调查", yn, pick(f.Investigation), true)}),
			columns([]elem{md("处分")}, []elem{selectStatic(FieldSanction, "处分", sanctions, sanction, true)}),
			columns([]elem{md("处分期")}, []elem{datePicker(FieldSanctionStart, "开始日期", f.SanctionStart, false)},
				[]elem{datePicker(FieldSanctionEnd, "期满日期", f.SanctionEnd, false)}),
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
	els = append(els, attendanceForm(f, v(KindAttendance))...)
	els = append(els, waiveForm(f, v(KindWaive))...)
	els = append(els, secondForm(f, byName, v(KindSecond))...)
	els = append(els, voteGroupsForm(f, groups, v(KindVoteGroups))...)
	els = append(els, hr(),
		md("**离职、调出**（退休、辞职、调离本单位等：其待审核事项转交现任领导，委托随即终止，本人不再参加考核。卡片上不能撤销）"),
		form("left_form", []elem{
			selectStatic(FieldLeftConfirm, "请确认", []option{{"确认" + clip(f.Name, 20) + "已离开本单位", LeftConfirmed}}, "", true),
			input(FieldLeftReason, "事由", "离开的原因和依据（必填，记入审计日志）", "", MaxShortText, true),
			formButton("save_left", "办理离开本单位", "danger", "submit", v(KindPersonLeft)),
		}))
	return build("人员情况："+clip(f.Name, 20), "政工科", Wathet, "人员情况："+clip(f.Name, 20), els)
}

// sanctionTerm is the sanction's term on the card's status line, and
// whether it has ended (it stays on record).
func sanctionTerm(f PersonForm) string {
	if f.SanctionStart == "" || f.SanctionEnd == "" {
		return ""
	}
	s := "（" + f.SanctionStart + " 至 " + f.SanctionEnd
	if f.Today != "" && f.Today > f.SanctionEnd {
		s += "，已期满"
	}
	return s + "）"
}

// PersonStatusInput is the status form of the person card.
type PersonStatusInput struct {
	Probation, Investigation, Exempt bool
	Sanction                         string // "" for none
	// SanctionStart and SanctionEnd are the term (YYYY-MM-DD): both
	// required with a sanction, ignored without one.
	SanctionStart, SanctionEnd string
	Reason                     string
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
	// Lark submits a date picker's initial date as well, so a term left
	// on the card after the sanction is set to 无 is read and dropped.
	if in.SanctionStart, err = r.date(FieldSanctionStart, "处分开始日期", false); err != nil {
		return in, err
	}
	if in.SanctionEnd, err = r.date(FieldSanctionEnd, "处分期满日期", false); err != nil {
		return in, err
	}
	switch {
	case in.Sanction == "":
		in.SanctionStart, in.SanctionEnd = "", ""
	case in.SanctionStart == "":
		return in, fieldErr(FieldSanctionStart, "处分开始日期", "请选择处分开始日期")
	case in.SanctionEnd == "":
		return in, fieldErr(FieldSanctionEnd, "处分期满日期", "请选择处分期满日期")
	case in.SanctionEnd < in.SanctionStart:
		return in, fieldErr(FieldSanctionEnd, "处分期满日期", "不能早于开始日期")
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

// choiceLabel is the label of the choice with id, or the id.
func choiceLabel(cs []Choice, id string) string {
	for _, c := range cs {
		if c.ID == id {
			return c.Label
		}
	}
	return id
}

func choiceOptions(cs []Choice) []option {
	out := make([]option, len(cs))
	for i, c := range cs {
		out[i] = option{clip(c.Label, 40), c.ID}
	}
	return out
}

func choiceIDs(cs []Choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// attendanceForm is the month's attendance (S1 第八条: 出勤情况; the leave
// days count toward the scheme's leave rule with the leave recorded above).
func attendanceForm(f PersonForm, v *Value) []elem {
	head := md("**登记考勤**（按月登记，同一月份再次登记将覆盖；已在「登记请假」中登记的假期请勿重复填写）")
	if len(f.Months) == 0 {
		return []elem{hr(), head, note("当前没有进行中的考核期，无需登记考勤。")}
	}
	fe := []elem{selectStatic(FieldAttMonth, "月份", choiceOptions(f.Months), "", true)}
	var days []elem
	for i, k := range f.CountedLeave {
		days = append(days, input(AttLeaveField(i+1), clip(k, 8)+"（天）", "0", "", 5, false))
	}
	if len(days) > 0 {
		cols := make([][]elem, len(days))
		for i, d := range days {
			cols[i] = []elem{d}
		}
		fe = append(fe, columns(cols...))
	}
	fe = append(fe,
		columns([]elem{input(FieldAttLate, "迟到（次）", "0", "", 2, false)}, []elem{input(FieldAttEarly, "早退（次）", "0", "", 2, false)}),
		formButton("save_attendance", "登记考勤", "default", "submit", v))
	return []elem{hr(), head, form("attendance_form", fe)}
}

// waiveForm excuses a 周记实 the person could not keep (leave, a trip), so
// their 季度小结 is accepted; only shown while they owe one.
func waiveForm(f PersonForm, v *Value) []elem {
	if len(f.OwedWeeks) == 0 {
		return nil
	}
	return []elem{hr(),
		md("**免填周记实**（因请假、出差等未能填写的周次；免填后不再催办，季度小结照常提交）"),
		form("waive_form", []elem{
			selectStatic(FieldWaiveWeek, "周次", choiceOptions(f.OwedWeeks), "", true),
			input(FieldWaiveReason, "事由", "未能填写的原因（必填，记入审计日志）", "", MaxShortText, true),
			formButton("save_waive", "免填", "default", "submit", v),
		})}
}

// secondForm sets the unit that assesses a seconded person (挂职、借调、抽调)
// or ends the secondment: a select of the units, or, byName, the unit's
// name typed (NoSecondmentName to end it).
func secondForm(f PersonForm, byName bool, v *Value) []elem {
	if len(f.Units) == 0 {
		return nil
	}
	head := md("**借调、挂职**（由接收单位的领导考核，结果送回本科室；待审核事项随之转交）")
	var unit elem
	if byName {
		current := ""
		if f.AssessedBy != "" {
			current = choiceLabel(f.Units, f.AssessedBy)
		}
		unit = input(FieldSecondUnitName, "接收单位", "单位全称；结束借调填“"+NoSecondmentName+"”", current, MaxShortText, true)
	} else {
		opts := append([]option{{"不借调（由本科室考核）", NoSecondment}}, choiceOptions(f.Units)...)
		initial := f.AssessedBy
		if initial == "" {
			initial = NoSecondment
		}
		unit = selectStatic(FieldSecondUnit, "考核单位", opts, initial, true)
	}
	return []elem{hr(), head, form("second_form", []elem{
		unit,
		input(FieldSecondReason, "事由", "借调、挂职的依据或结束的原因（必填，记入审计日志）", "", MaxShortText, true),
		formButton("save_second", "保存考核单位", "default", "submit", v),
	})}
}

// voteGroupsForm names the 考核单元 the person votes in without being
// rated there (S8 四(三)2's 协管领导; S1 第八条(二)'s 机关干部 who are not
// assessed): a multi-select with those named now picked. Left out when
// the organisation has no 考核单元 to offer; a note when it has too many
// for a select (offer false).
func voteGroupsForm(f PersonForm, offer bool, v *Value) []elem {
	if len(f.Groups) == 0 {
		return nil
	}
	head := md("**参加民主测评（不被测评）**（协管领导、不参加考核的机关干部等：收到所选考核单元的民主测评表，为其成员评分，本人不被测评；全部取消即不再参加）")
	if !offer {
		return []elem{hr(), head, note(fmt.Sprintf("考核单元超过%d个，请在组织文件中设置（vote_groups）。", MaxVoteGroups))}
	}
	ms := selectStatic(FieldVoteGroups, "选择考核单元", choiceOptions(f.Groups), "", false)
	ms["tag"] = "multi_select_static"
	ms["width"] = "fill"
	if len(f.VoteGroups) > 0 {
		picked := make([]any, 0, len(f.VoteGroups))
		for _, g := range f.VoteGroups {
			if slices.Contains(choiceIDs(f.Groups), g) {
				picked = append(picked, g)
			}
		}
		ms["selected_values"] = picked
	}
	return []elem{hr(), head, form("vote_groups_form", []elem{
		ms,
		formButton("save_vote_groups", "保存参加民主测评", "default", "submit", v),
	})}
}

// ParseVoteGroups reads the vote-groups form: the 考核单元 picked, each
// one of groups, without repeats; none (nothing picked, or the field
// left out) clears them. Errors are *FieldError.
func ParseVoteGroups(fv map[string]any, groups []string) ([]string, error) {
	r, err := newReader(fv)
	if err != nil {
		return nil, err
	}
	out, err := r.choices(FieldVoteGroups, "考核单元", groups)
	if err != nil {
		return nil, err
	}
	return out, r.finish()
}

// AttendanceInput is the attendance form of the person card.
type AttendanceInput struct {
	Month string
	// Days are the leave days by kind, canonical decimals ("1.5"); kinds
	// left empty or 0 are omitted.
	Days map[string]string
	// Late and Early are counts, 0–31.
	Late, Early int
}

// ParseAttendance reads the attendance form: the month one of months, the
// days of each of kinds 0–31 in half days or finer, late and early whole
// counts 0–31. Errors are *FieldError.
func ParseAttendance(fv map[string]any, months []string, kinds []string) (AttendanceInput, error) {
	in := AttendanceInput{Days: map[string]string{}}
	r, err := newReader(fv)
	if err != nil {
		return in, err
	}
	if in.Month, err = r.choice(FieldAttMonth, "月份", months, true); err != nil {
		return in, err
	}
	for i, k := range kinds {
		d, err := r.number(AttLeaveField(i+1), k, 3100, false)
		if err != nil {
			return in, err
		}
		if d != "" && d != "0" {
			in.Days[k] = d
		}
	}
	count := func(name, label string) (int, error) {
		s, err := r.number(name, label, 3100, false)
		if err != nil || s == "" {
			return 0, err
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, fieldErr(name, label, "须为0至31的整数")
		}
		return n, nil
	}
	if in.Late, err = count(FieldAttLate, "迟到"); err != nil {
		return in, err
	}
	if in.Early, err = count(FieldAttEarly, "早退"); err != nil {
		return in, err
	}
	return in, r.finish()
}

// WaiveInput is the waiver form of the person card.
type WaiveInput struct {
	Week, Reason string
}

// ParseWaive reads the waiver form; the week must be one of weeks. Errors
// are *FieldError.
func ParseWaive(fv map[string]any, weeks []string) (WaiveInput, error) {
	var in WaiveInput
	r, err := newReader(fv)
	if err != nil {
		return in, err
	}
	if in.Week, err = r.choice(FieldWaiveWeek, "周次", weeks, true); err != nil {
		return in, err
	}
	if in.Reason, err = r.text(FieldWaiveReason, "事由", MaxShortText, false, true); err != nil {
		return in, err
	}
	return in, r.finish()
}

// SecondInput is the secondment form: Unit "" ends the secondment.
type SecondInput struct {
	Unit, Reason string
}

// ParseSecond reads the secondment form: the select's unit, one of units
// or NoSecondment, or the typed name of one of units (NoSecondmentName).
// Errors are *FieldError.
func ParseSecond(fv map[string]any, units []Choice) (SecondInput, error) {
	var in SecondInput
	r, err := newReader(fv)
	if err != nil {
		return in, err
	}
	picked, err := r.choice(FieldSecondUnit, "考核单位", append([]string{NoSecondment}, choiceIDs(units)...), false)
	if err != nil {
		return in, err
	}
	name, err := r.text(FieldSecondUnitName, "接收单位", MaxShortText, false, false)
	if err != nil {
		return in, err
	}
	switch {
	case picked != "" && name != "":
		return in, fieldErr(FieldSecondUnitName, "", "表单含有未知字段，请重新打开卡片填写")
	case picked == "" && name == "":
		return in, fieldErr(FieldSecondUnit, "考核单位", "请选择")
	case picked == NoSecondment, name == NoSecondmentName:
	case picked != "":
		in.Unit = picked
	default:
		for _, u := range units {
			if u.Label == name {
				if in.Unit != "" {
					return in, fieldErr(FieldSecondUnitName, "接收单位", "有多个单位名为「"+clip(name, 20)+"」，请在组织文件中设置")
				}
				in.Unit = u.ID
			}
		}
		if in.Unit == "" {
			return in, fieldErr(FieldSecondUnitName, "接收单位", "没有名为「"+clip(name, 20)+"」的单位（本科室除外）")
		}
	}
	if in.Reason, err = r.text(FieldSecondReason, "事由", MaxShortText, false, true); err != nil {
		return in, err
	}
	return in, r.finish()
}

// ParsePersonLeft reads the leaving form and returns the reason; the
// confirmation must have been picked. Errors are *FieldError.
func ParsePersonLeft(fv map[string]any) (string, error) {
	r, err := newReader(fv)
	if err != nil {
		return "", err
	}
	if _, err := r.choice(FieldLeftConfirm, "确认离开", []string{LeftConfirmed}, true); err != nil {
		return "", err
	}
	reason, err := r.text(FieldLeftReason, "事由", MaxShortText, false, true)
	if err != nil {
		return "", err
	}
	return reason, r.finish()
}
