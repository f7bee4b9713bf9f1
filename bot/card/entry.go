package card

import (
	"fmt"
	"github.com/kaohe/kaohe/workflow"
	"regexp"
	"strconv"
	"strings"
)

// Form field names of the entry forms. Task and unfinished rows are
// numbered from 1: TaskField(2, PartDeadline) is "task2_deadline".
const (
	FieldAttendance     = "attendance"      // 周记实: select, one of Attendance*
	FieldAttendanceNote = "attendance_note" // 周记实: text
	FieldGoals          = "goals"           // 月小结: multiline
	FieldCompletion     = "completion"      // 月小结: multiline
	FieldSummary        = "summary"         // 季度小结: multiline
	FieldTraining       = "training"        // 季度小结: multiline

	PartTitle    = "title"    // task row: text
	PartDeadline = "deadline" // task row: date_picker
	PartProgress = "progress" // task row: select 0/25/50/75/100
	PartTarget   = "target"   // task row: select of annual target ids
	PartItem     = "item"     // unfinished row: text
	PartReason   = "reason"   // unfinished row: text
)

// Attendance values of the 周记实 form: the workflow's presence values.
const (
	AttendanceFull  = workflow.PresenceFull  // 全勤
	AttendanceLeave = workflow.PresenceLeave // 请假
	AttendanceTrip  = workflow.PresenceTrip  // 出差
	AttendanceOther = workflow.PresenceOther // 其他
)

var attendanceOptions = []option{
	{"全勤", AttendanceFull}, {"请假", AttendanceLeave}, {"出差", AttendanceTrip}, {"其他", AttendanceOther},
}

var progressRe = regexp.MustCompile(`^[0-9]{1,3}%?$`)

var progressOptions = []option{{"0%", "0"}, {"25%", "25"}, {"50%", "50"}, {"75%", "75"}, {"100%", "100"}}

// Row limits of the entry forms (the 200-element budget of a card).
const (
	MaxTaskRows       = 8
	DefaultTaskRows   = 5
	MaxTargets        = 6
	MaxUnfinishedRows = workflow.MaxUnfinished
	DefaultUnfinished = 3
)

// TaskField names a field of task row n (1-based).
func TaskField(n int, part string) string { return "task" + strconv.Itoa(n) + "_" + part }

// UnfinishedField names a field of unfinished row n (1-based).
func UnfinishedField(n int, part string) string {
	return "unfinished" + strconv.Itoa(n) + "_" + part
}

// Target is an annual target (年初分解) a weekly task can belong to.
type Target struct {
	ID    string
	Title string
	// Deadline is YYYY-MM-DD or "".
	Deadline string
}

// WeeklyTask is one task row, prefilled on the card or parsed back.
type WeeklyTask struct {
	Title string
	// Deadline is YYYY-MM-DD, "" when not given.
	Deadline string
	// Progress is a percentage, 0–100.
	Progress int
	// Target is the id of the annual target the task belongs to, or "".
	Target string
}

// WeeklyForm is the 周记实 card.
type WeeklyForm struct {
	// Week is the week id ("2026-W40"); Version the entry's version, 0
	// when new.
	Week    string
	Version int
	// Start and End are the week's first and last day (YYYY-MM-DD), Due
	// its deadline; all optional.
	Start, End, Due string
	// Rows is the number of task rows (DefaultTaskRows when 0, at most
	// MaxTaskRows, at least len(Tasks)).
	Rows int
	// Tasks prefill the first rows (last week's unfinished tasks, or the
	// annual targets).
	Tasks []WeeklyTask
	// Targets are offered on each row; at most MaxTargets are shown.
	Targets []Target
	// Attendance and AttendanceNote prefill the attendance section.
	Attendance     string
	AttendanceNote string
	// Returned is the leader's reason when the entry was sent back.
	Returned string
}

// WeeklyFromTargets prefills task rows from annual targets: each target's
// title and deadline, progress 0, linked to the target.
func WeeklyFromTargets(ts []Target) []WeeklyTask {
	out := make([]WeeklyTask, 0, len(ts))
	for _, t := range ts {
		out = append(out, WeeklyTask{Title: t.Title, Deadline: t.Deadline, Target: t.ID})
	}
	return out
}

// WeeklyCard renders the 周记实 form.
func WeeklyCard(f WeeklyForm) []byte {
	rows := f.Rows
	if rows <= 0 {
		rows = DefaultTaskRows
	}
	rows = max(rows, len(f.Tasks))
	rows = min(rows, MaxTaskRows)
	targets := f.Targets
	if len(targets) > MaxTargets {
		targets = targets[:MaxTargets]
	}
	var topts []option
	for _, t := range targets {
		topts = append(topts, option{clip(t.Title, 40), t.ID})
	}
	var fe []elem
	for i := 1; i <= rows; i++ {
		var t WeeklyTask
		if i <= len(f.Tasks) {
			t = f.Tasks[i-1]
		}
		fe = append(fe, md(fmt.Sprintf("**第%d项**", i)))
		ph := "工作内容"
		if i == 1 {
			ph = "工作内容（必填）"
		}
		fe = append(fe, input(TaskField(i, PartTitle), "", ph, t.Title, MaxShortText, i == 1))
		fe = append(fe, datePicker(TaskField(i, PartDeadline), "完成时限", t.Deadline, false))
		prog := ""
		if t.Title != "" {
			prog = strconv.Itoa(nearestProgress(t.Progress))
		}
		fe = append(fe, selectStatic(TaskField(i, PartProgress), "完成进度", progressOptions, prog, false))
		if len(topts) > 0 {
			init := ""
			for _, o := range topts {
				if o.value == t.Target {
					init = t.Target
				}
			}
			fe = append(fe, selectStatic(TaskField(i, PartTarget), "对应年度目标（可选）", topts, init, false))
		}
	}
	fe = append(fe, hr(), md("**出勤情况**"))
	att := ""
	for _, o := range attendanceOptions {
		if o.value == f.Attendance {
			att = f.Attendance
		}
	}
	fe = append(fe, selectStatic(FieldAttendance, "出勤", attendanceOptions, att, true))
	fe = append(fe, input(FieldAttendanceNote, "", "请假、出差或其他情况说明", f.AttendanceNote, MaxShortText, false))
	fe = append(fe, submitRow(Value{K: KindWeekly, ID: f.Week, V: f.Version}, "提交"))

	var els []elem
	if f.Returned != "" {
		els = append(els, md("<font color='orange'>已退回：</font>"+escLine(clip(f.Returned, maxLineRunes))))
	}
	intro := "请如实填写本周工作任务、完成时限和进度，以及出勤情况。清空某项的工作内容即删除该项。"
	if f.Due != "" {
		intro += "截止日期：" + f.Due + "。" + lateNote
	}
	els = append(els, note(intro), form("weekly_form", fe))
	return build("周记实", weekSubtitle(f), Blue, "请填写周记实："+PeriodLabel(f.Week), els)
}

func weekSubtitle(f WeeklyForm) string {
	s := PeriodLabel(f.Week)
	if f.Start != "" && f.End != "" {
		s += "（" + f.Start + " 至 " + f.End + "）"
	}
	return s
}

// nearestProgress rounds a percentage down to an option of the select.
func nearestProgress(p int) int {
	switch {
	case p >= 100:
		return 100
	case p <= 0:
		return 0
	}
	return p / 25 * 25
}

// submitRow is the submit and reset buttons of a form.
func submitRow(v Value, text string) elem {
	return columns(
		[]elem{formButton("submit", text, "primary", "submit", &v)},
		[]elem{formButton("reset", "重置", "default", "reset", nil)},
	)
}

// Weekly is a submitted 周记实.
type Weekly struct {
	// Tasks are the filled rows in order; empty rows are dropped.
	Tasks          []WeeklyTask
	Attendance     string
	AttendanceNote string
}

// ParseWeekly reads a 周记实 form value. Rows are task1…task8; a row with
// any field filled needs a title and a progress; at least one row is
// needed; attendance is required, and a note is required unless it is
// 全勤. Errors are *FieldError.
func ParseWeekly(fv map[string]any) (Weekly, error) {
	var w Weekly
	r, err := newReader(fv)
	if err != nil {
		return w, err
	}
	for i := 1; i <= MaxTaskRows; i++ {
		lbl := func(s string) string { return fmt.Sprintf("第%d项 %s", i, s) }
		title, err := r.text(TaskField(i, PartTitle), lbl("工作内容"), MaxShortText, false, false)
		if err != nil {
			return w, err
		}
		dl, err := r.date(TaskField(i, PartDeadline), lbl("完成时限"), false)
		if err != nil {
			return w, err
		}
		ps, err := r.raw(TaskField(i, PartProgress), lbl("完成进度"))
		if err != nil {
			return w, err
		}
		ps = strings.TrimSpace(ps)
		tg, err := r.text(TaskField(i, PartTarget), lbl("对应年度目标"), MaxShortText, false, false)
		if err != nil {
			return w, err
		}
		// A row without 工作内容 is not a task, whatever else it holds: Lark
		// submits a prefilled row's date, progress and target even after
		// the person clears its title, which is how they remove it.
		if title == "" {
			continue
		}
		if ps == "" {
			return w, fieldErr(TaskField(i, PartProgress), lbl("完成进度"), "请选择")
		}
		p, err := strconv.Atoi(strings.TrimSuffix(ps, "%"))
		if !progressRe.MatchString(ps) || err != nil || p > 100 {
			return w, fieldErr(TaskField(i, PartProgress), lbl("完成进度"), "须为0至100的整数")
		}
		w.Tasks = append(w.Tasks, WeeklyTask{Title: title, Deadline: dl, Progress: p, Target: tg})
	}
	if w.Attendance, err = r.choice(FieldAttendance, "出勤", optionValues(attendanceOptions), true); err != nil {
		return w, err
	}
	if w.AttendanceNote, err = r.text(FieldAttendanceNote, "出勤说明", MaxShortText, false, false); err != nil {
		return w, err
	}
	if err := r.finish(); err != nil {
		return w, err
	}
	if len(w.Tasks) == 0 {
		return w, fieldErr(TaskField(1, PartTitle), "第1项 工作内容", "至少填写一项工作任务")
	}
	if w.Attendance != AttendanceFull && w.AttendanceNote == "" {
		return w, fieldErr(FieldAttendanceNote, "出勤说明", "请说明请假、出差或其他情况")
	}
	return w, nil
}

func optionValues(os []option) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.value
	}
	return out
}

// Unfinished is an unfinished item of a 月小结 with its reason.
type Unfinished struct {
	Item   string
	Reason string
}

// MonthlyForm is the 月小结 card.
type MonthlyForm struct {
	// Month is the month id ("2026-09"); Version the entry's version.
	Month   string
	Version int
	Due     string
	// Goals, Completion and Unfinished prefill the form.
	Goals      string
	Completion string
	Unfinished []Unfinished
	// Rows is the number of unfinished rows (DefaultUnfinished when 0, at
	// most MaxUnfinishedRows).
	Rows int
	// Attendance lines are shown read-only ("病假 1 天", "迟到 0 次"); the
	// section is left out when empty.
	Attendance []string
	Returned   string
	// Drafted says the texts were drafted from the month's 周记实 and
	// targets (FillDraft): the card asks the person to check them.
	Drafted bool
	// Name is what the person's scheme calls the month's record (S2 月记实,
	// S8 个人小结, S10 工作纪实); default 月小结.
	Name string
}

// MonthlyCard renders the 月小结 form.
func MonthlyCard(f MonthlyForm) []byte {
	rows := f.Rows
	if rows <= 0 {
		rows = DefaultUnfinished
	}
	rows = min(max(rows, len(f.Unfinished)), MaxUnfinishedRows)
	name := f.Name
	if name == "" {
		name = "月小结"
	}
	var els []elem
	if f.Returned != "" {
		els = append(els, md("<font color='orange'>已退回：</font>"+escLine(clip(f.Returned, maxLineRunes))))
	}
	intro := "请总结本月工作目标和完成情况，列出未完成事项及原因。"
	if f.Due != "" {
		intro += "截止日期：" + f.Due + "。" + lateNote
	}
	els = append(els, note(intro))
	if f.Drafted {
		els = append(els, md("<font color='blue'>已根据本月周记实和年度目标生成草稿，请核对修改后提交；未完成事项须逐项填写原因。</font>"))
	}
	if len(f.Attendance) > 0 {
		lines := make([]string, 0, len(f.Attendance))
		for _, a := range f.Attendance[:min(len(f.Attendance), 10)] {
			lines = append(lines, escLine(clip(a, 100)))
		}
		els = append(els, md("**本月考勤**（由政工科录入，仅供查看）\n"+strings.Join(lines, "\n")))
	}
	// A prefilled default never exceeds its input's max_length (Lark
	// refuses such a card); a saved entry was parsed within these limits,
	// a draft is built within them (FillDraft), clip is the last guard.
	fe := append([]elem{textarea(FieldGoals, "本月工作目标", "本月计划完成的主要工作", clip(f.Goals, MaxText), MaxText, 4, true)},
		longTextarea(FieldCompletion, "完成情况", "逐项说明完成情况", f.Completion, 4, true)...)
	fe = append(fe, md("**未完成事项及原因**（没有可不填）"))
	for i := 1; i <= rows; i++ {
		var u Unfinished
		if i <= len(f.Unfinished) {
			u = f.Unfinished[i-1]
		}
		fe = append(fe, columns(
			[]elem{input(UnfinishedField(i, PartItem), "", fmt.Sprintf("未完成事项%d", i), clip(u.Item, MaxShortText), MaxShortText, false)},
			[]elem{input(UnfinishedField(i, PartReason), "", "原因", clip(u.Reason, MaxShortText), MaxShortText, false)},
		))
	}
	fe = append(fe, submitRow(Value{K: KindMonthly, ID: f.Month, V: f.Version}, "提交"))
	els = append(els, form("monthly_form", fe))
	return build(name, PeriodLabel(f.Month), Blue, "请填写"+name+"："+PeriodLabel(f.Month), els)
}

// Monthly is a submitted 月小结.
type Monthly struct {
	Goals      string
	Completion string
	Unfinished []Unfinished
}

// ParseMonthly reads a 月小结 form value: goals and completion are
// required; an unfinished row needs both item and reason. Errors are
// *FieldError.
func ParseMonthly(fv map[string]any) (Monthly, error) {
	var m Monthly
	r, err := newReader(fv)
	if err != nil {
		return m, err
	}
	if m.Goals, err = r.text(FieldGoals, "本月工作目标", MaxText, true, true); err != nil {
		return m, err
	}
	if m.Completion, err = r.longText(FieldCompletion, "完成情况", true); err != nil {
		return m, err
	}
	for i := 1; i <= MaxUnfinishedRows; i++ {
		item, err := r.text(UnfinishedField(i, PartItem), fmt.Sprintf("未完成事项%d", i), MaxShortText, false, false)
		if err != nil {
			return m, err
		}
		reason, err := r.text(UnfinishedField(i, PartReason), fmt.Sprintf("未完成事项%d 原因", i), MaxShortText, false, false)
		if err != nil {
			return m, err
		}
		switch {
		case item == "" && reason == "":
			continue
		case item == "":
			return m, fieldErr(UnfinishedField(i, PartItem), fmt.Sprintf("未完成事项%d", i), "请填写事项")
		case reason == "":
			return m, fieldErr(UnfinishedField(i, PartReason), fmt.Sprintf("未完成事项%d 原因", i), "请填写原因")
		}
		m.Unfinished = append(m.Unfinished, Unfinished{Item: item, Reason: reason})
	}
	return m, r.finish()
}

// QuarterlyForm is the 季度小结/登记表 card.
type QuarterlyForm struct {
	// Period is the appraisal period ("2026-Q3"); Version the entry's.
	Period   string
	Version  int
	Due      string
	Summary  string
	Training string
	Returned string
	// Name is what the person's scheme calls the period's self-summary (S6
	// 记实登记表, S7 评鉴表, S10 记实表); default 季度小结（登记表）, which
	// names S4's two words for it.
	Name string
}

// lateNote follows a form's due date: the service takes an entry after it
// (marked late) until the appraisal is closed (workflow.Service.Submit).
const lateNote = "逾期仍可补交（记为逾期），考核结束后不再接受。"

// QuarterlyCard renders the 季度小结/登记表 form.
func QuarterlyCard(f QuarterlyForm) []byte {
	var els []elem
	if f.Returned != "" {
		els = append(els, md("<font color='orange'>已退回：</font>"+escLine(clip(f.Returned, maxLineRunes))))
	}
	intro := "请对照岗位职责和年初目标，总结本季度的思想、工作、学习和廉洁自律情况。"
	if f.Due != "" {
		intro += "截止日期：" + f.Due + "。" + lateNote
	}
	title, short := f.Name, f.Name
	if title == "" {
		title, short = "季度小结（登记表）", "季度小结"
	}
	qe := append(longTextarea(FieldSummary, "个人小结", "本季度主要工作完成情况、存在的不足和改进措施", f.Summary, 8, true),
		textarea(FieldTraining, "学习培训情况", "参加的学习培训（没有可不填）", f.Training, MaxText, 3, false),
		submitRow(Value{K: KindQuarterly, ID: f.Period, V: f.Version}, "提交"))
	els = append(els, note(intro), form("quarterly_form", qe))
	return build(title, PeriodLabel(f.Period), Blue, "请填写"+short+"："+PeriodLabel(f.Period), els)
}

// Quarterly is a submitted 季度小结/登记表.
type Quarterly struct {
	Summary  string
	Training string
}

// ParseQuarterly reads a 季度小结 form value: summary required, training
// optional. Errors are *FieldError.
func ParseQuarterly(fv map[string]any) (Quarterly, error) {
	var q Quarterly
	r, err := newReader(fv)
	if err != nil {
		return q, err
	}
	if q.Summary, err = r.longText(FieldSummary, "个人小结", true); err != nil {
		return q, err
	}
	if q.Training, err = r.text(FieldTraining, "学习培训情况", MaxText, true, false); err != nil {
		return q, err
	}
	return q, r.finish()
}
