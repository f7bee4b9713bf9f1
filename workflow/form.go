package workflow

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Form limits: a card form never carries more than this.
const (
	maxTasks      = 30
	maxFormFields = 200
	maxFieldLen   = 4000
)

// ParseEntryForm turns the values of an entry card's form (field name →
// text, as Lark's form_value delivers them) into an EntryBody. Field names:
//
//	weekly:    task1_title, task1_deadline (YYYY-MM-DD), task1_progress (0–100), task1_target; task2_… up to task30_
//	daily:     log
//	monthly:   goals, completion, unfinished (one "事项：原因" per line)
//	quarterly: summary, training
//
// Unknown fields, malformed values and texts that are too long are refused
// with an *InputError naming the field. The result still has to pass
// ValidateBody.
func ParseEntryForm(kind string, form map[string]string) (EntryBody, error) {
	var b EntryBody
	if len(form) > maxFormFields {
		return b, invalid("form", "字段过多")
	}
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	sort.Strings(names)
	tasks := map[int]*Task{}
	for _, k := range names {
		v := strings.TrimSpace(form[k])
		if !utf8.ValidString(v) || len(v) > maxFieldLen {
			return b, invalid(k, "内容无效或过长")
		}
		switch {
		case kind == EntryDaily && k == "log":
			b.Log = v
		case kind == EntryMonthly && k == "goals":
			b.Goals = v
		case kind == EntryMonthly && k == "completion":
			b.Completion = v
		case kind == EntryMonthly && k == "unfinished":
			for i, line := range strings.Split(v, "\n") {
				line = strings.TrimSpace(line)
				if line == "" {
					continue
				}
				item, reason, ok := cutAny(line, "：", ":")
				if !ok || strings.TrimSpace(item) == "" || strings.TrimSpace(reason) == "" {
					return b, invalid(fmt.Sprintf("unfinished[%d]", i), "每行写“事项：原因”")
				}
				b.Unfinished = append(b.Unfinished, Unfinished{Item: strings.TrimSpace(item), Reason: strings.TrimSpace(reason)})
			}
		case kind == EntryQuarterly && k == "summary":
			b.Summary = v
		case kind == EntryQuarterly && k == "training":
			b.Training = v
		case kind == EntryWeekly && strings.HasPrefix(k, "task"):
			num, field, ok := strings.Cut(k[len("task"):], "_")
			n, err := strconv.Atoi(num)
			if !ok || err != nil || n < 1 || n > maxTasks || strconv.Itoa(n) != num {
				return b, invalid(k, "未知字段")
			}
			t := tasks[n]
			if t == nil {
				t = &Task{}
				tasks[n] = t
			}
			switch field {
			case "title":
				t.Title = v
			case "deadline":
				if v == "" {
					break
				}
				d, err := calendar.ParseDate(v)
				if err != nil {
					return b, invalid(k, "日期须为 YYYY-MM-DD")
				}
				t.Deadline = d
			case "progress":
				p, err := strconv.Atoi(strings.TrimSuffix(v, "%"))
				if err != nil || p < 0 || p > 100 {
					return b, invalid(k, "进度须为 0 至 100")
				}
				t.Progress = p
			case "target":
				t.Target = v
			default:
				return b, invalid(k, "未知字段")
			}
		default:
			return b, invalid(k, "未知字段")
		}
	}
	ns := make([]int, 0, len(tasks))
	for n := range tasks {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	for _, n := range ns {
		if t := tasks[n]; t.Title != "" || !t.Deadline.IsZero() || t.Progress != 0 || t.Target != "" {
			b.Tasks = append(b.Tasks, *t)
		}
	}
	return b, nil
}

func cutAny(s string, seps ...string) (string, string, bool) {
	best := -1
	sepLen := 0
	for _, sep := range seps {
		if i := strings.Index(s, sep); i >= 0 && (best < 0 || i < best) {
			best, sepLen = i, len(sep)
		}
	}
	if best < 0 {
		return s, "", false
	}
	return s[:best], s[best+sepLen:], true
}

// ValidateBody checks an entry's content for its kind: required fields,
// lengths and ranges. It returns an *InputError naming the first bad field.
func ValidateBody(kind string, b EntryBody, scale scoring.Dec) error {
	switch kind {
	case EntryWeekly:
		if len(b.Tasks) == 0 {
			return invalid("tasks", "至少填写一项工作任务")
		}
		if len(b.Tasks) > maxTasks {
			return invalid("tasks", fmt.Sprintf("不能超过 %d 项", maxTasks))
		}
		for i, t := range b.Tasks {
			f := fmt.Sprintf("tasks[%d]", i)
			if err := needText(f+".title", t.Title); err != nil {
				return err
			}
			if t.Progress < 0 || t.Progress > 100 {
				return invalid(f+".progress", "进度须为 0 至 100")
			}
			if !t.Deadline.IsZero() && !t.Deadline.IsValid() {
				return invalid(f+".deadline", "日期无效")
			}
		}
	case EntryDaily:
		return needText("log", b.Log)
	case EntryMonthly:
		if err := needText("goals", b.Goals); err != nil {
			return err
		}
		if err := needText("completion", b.Completion); err != nil {
			return err
		}
		for i, u := range b.Unfinished {
			if err := needText(fmt.Sprintf("unfinished[%d].item", i), u.Item); err != nil {
				return err
			}
			if err := needText(fmt.Sprintf("unfinished[%d].reason", i), u.Reason); err != nil {
				return err
			}
		}
	case EntryQuarterly:
		if err := needText("summary", b.Summary); err != nil {
			return err
		}
		if b.Training != "" {
			return needText("training", b.Training)
		}
	case EntryAttendance:
		if b.Late < 0 || b.Early < 0 || b.Late > 31 || b.Early > 31 {
			return invalid("attendance", "迟到早退次数须为 0 至 31")
		}
		for i, l := range b.Leave {
			if err := needText(fmt.Sprintf("attendance.leave[%d].kind", i), l.Kind); err != nil {
				return err
			}
			if l.Days.Sign() < 0 || l.Days.GreaterThan(scoring.IntDec(31).Decimal) {
				return invalid(fmt.Sprintf("attendance.leave[%d].days", i), "天数须为 0 至 31")
			}
		}
	default:
		return invalid("kind", "未知的记实类型："+kind)
	}
	return nil
}

// ParseAssessmentForm turns a leader's scoring card (field → text) into an
// Assessment: "score.<indicator id>" → points, "score" → a single score,
// "grade", "comment", "bonus.<event>" / "deduction.<event>" → points with
// the reason in "reason.<event>", "direct" (top/bottom) with "direct_reason".
// Ranges are checked by the service against the scheme (ValidateAssessment).
func ParseAssessmentForm(form map[string]string) (Assessment, error) {
	var a Assessment
	if len(form) > maxFormFields {
		return a, invalid("form", "字段过多")
	}
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	sort.Strings(names)
	num := func(k, v string) (scoring.Dec, error) {
		var d scoring.Dec
		if err := d.UnmarshalJSON([]byte(strconv.Quote(v))); err != nil || len(v) > 12 {
			return d, invalid(k, "须为数字")
		}
		return d, nil
	}
	for _, k := range names {
		v := strings.TrimSpace(form[k])
		if !utf8.ValidString(v) || len(v) > maxFieldLen {
			return a, invalid(k, "内容无效或过长")
		}
		head, rest, _ := strings.Cut(k, ".")
		switch {
		case k == "grade":
			a.Grade = v
		case k == "comment":
			a.Comment = v
		case k == "score":
			if v == "" {
				continue
			}
			d, err := num(k, v)
			if err != nil {
				return a, err
			}
			a.Score = &d
		case head == "score" && rest != "":
			d, err := num(k, v)
			if err != nil {
				return a, err
			}
			if a.Indicators == nil {
				a.Indicators = map[string]scoring.Dec{}
			}
			a.Indicators[rest] = d
		case (head == "bonus" || head == "deduction") && rest != "":
			if v == "" {
				continue
			}
			d, err := num(k, v)
			if err != nil {
				return a, err
			}
			a.Adjustments = append(a.Adjustments, scoring.AdjustmentInput{Event: rest, Kind: head, Points: d, Reason: strings.TrimSpace(form["reason."+rest])})
		case head == "reason" && rest != "":
		case k == "direct":
			if v == "" {
				continue
			}
			if v != "top" && v != "bottom" {
				return a, invalid(k, "须为 top 或 bottom")
			}
			a.Direct = &scoring.DirectInput{Grade: v, Reason: strings.TrimSpace(form["direct_reason"])}
		case k == "direct_reason":
		default:
			return a, invalid(k, "未知字段")
		}
	}
	return a, nil
}

// ValidateAssessment checks an assessment against the scheme: indicator ids
// and maxima, a single score within the scale, a known grade, adjustments
// with reasons, a direct determination with a reason the scheme accepts.
// It returns an *InputError naming the field.
func ValidateAssessment(sc *scoring.Scheme, a Assessment) error {
	leaves := map[string]scoring.Dec{}
	var walk func(ns []*scoring.Indicator)
	walk = func(ns []*scoring.Indicator) {
		for _, n := range ns {
			if len(n.Children) == 0 {
				leaves[n.ID] = n.Max
			}
			walk(n.Children)
		}
	}
	walk(sc.Indicators)
	ids := make([]string, 0, len(a.Indicators))
	for id := range a.Indicators {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		v := a.Indicators[id]
		mx, ok := leaves[id]
		if !ok {
			return invalid("scores."+id, "方案中没有此指标")
		}
		if v.Sign() < 0 || v.GreaterThan(mx.Decimal) {
			return invalid("scores."+id, "须在 0 至 "+mx.String()+" 之间")
		}
	}
	if a.Score != nil && (a.Score.Sign() < 0 || a.Score.GreaterThan(sc.Scale.Decimal)) {
		return invalid("score", "须在 0 至 "+sc.Scale.String()+" 之间")
	}
	if a.Grade != "" && gradeLabel(sc, a.Grade) == "" {
		return invalid("grade", "方案中没有此等次："+a.Grade)
	}
	for i, adj := range a.Adjustments {
		f := fmt.Sprintf("adjustments[%d]", i)
		if adj.Kind != "bonus" && adj.Kind != "deduction" {
			return invalid(f+".kind", "须为加分或减分")
		}
		if adj.Points.Sign() <= 0 || adj.Points.GreaterThan(sc.Scale.Decimal) {
			return invalid(f+".points", "须为正数且不超过满分")
		}
		if err := needText(f+".reason", adj.Reason); err != nil {
			return err
		}
	}
	if len(a.Comment) > 0 {
		if err := needText("comment", a.Comment); err != nil {
			return err
		}
	}
	if d := a.Direct; d != nil {
		if err := needText("reason", d.Reason); err != nil {
			return err
		}
		list := sc.Special.DirectTop
		if d.Grade == "bottom" {
			list = sc.Special.DirectBottom
		} else if d.Grade != "top" {
			return invalid("grade", "直接确定须为 top 或 bottom")
		}
		if len(list) > 0 && !contains(list, d.Reason) {
			return invalid("reason", "方案未规定此直接确定理由")
		}
	}
	return nil
}

// gradeLabel returns the canonical label of g (or one of its aliases), or "".
func gradeLabel(sc *scoring.Scheme, g string) string {
	for _, gr := range sc.Grades {
		if gr.Label == g || contains(gr.Aliases, g) {
			return gr.Label
		}
	}
	return ""
}
