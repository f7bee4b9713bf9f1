package story

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// The sample organisation of the year: 县财政局, three 科室 of five staff
// under S4, each with its leader (初评), a 分管领导 (审定) and the 局长
// (评鉴); 李敏 is 政工科 and sits on the committee with the 局长.
const (
	HR       = "ou_hr"
	Head     = "ou_head"
	Deputy1  = "ou_dep1" // 分管 办公室 and 财务科
	Deputy2  = "ou_dep2" // 分管 业务科
	Leader1  = "ou_l1"
	Leader2  = "ou_l2"
	Leader3  = "ou_l3"
	Public   = "oc_public"
	YearOf   = 2026
	unitSize = 5
)

type member struct{ id, name, unit string }

var office = []member{
	{HR, "李敏", ""}, {Head, "王建国", ""}, {Deputy1, "赵德明", ""}, {Deputy2, "孙立新", ""},
	{Leader1, "钱文华", "u1"}, {Leader2, "周国栋", "u2"}, {Leader3, "林志远", "u3"},
}

var staff = []member{
	{"ou_a1", "陈晓燕", "u1"}, {"ou_a2", "刘志强", "u1"}, {"ou_a3", "张丽娟", "u1"}, {"ou_a4", "杨光辉", "u1"}, {"ou_a5", "黄美玲", "u1"},
	{"ou_b1", "吴海峰", "u2"}, {"ou_b2", "郑秀兰", "u2"}, {"ou_b3", "冯建军", "u2"}, {"ou_b4", "何静怡", "u2"}, {"ou_b5", "马晓东", "u2"},
	{"ou_c1", "许文斌", "u3"}, {"ou_c2", "高丽华", "u3"}, {"ou_c3", "罗永强", "u3"}, {"ou_c4", "谢婷婷", "u3"}, {"ou_c5", "韩雪梅", "u3"},
}

// Org is the organisation as an org file (kaohe serve's org, kaohe sim's
// --org): no period is listed, so each quarter opens by itself.
func Org() []byte {
	type person struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Unit      string `json:"unit,omitempty"`
		Group     string `json:"group,omitempty"`
		Assessed  bool   `json:"assessed,omitempty"`
		HR        bool   `json:"hr,omitempty"`
		Committee bool   `json:"committee,omitempty"`
	}
	type unit struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Leader     string `json:"leader"`
		Supervisor string `json:"supervisor"`
	}
	var people []person
	for _, m := range office {
		people = append(people, person{ID: m.id, Name: m.name, Unit: m.unit, HR: m.id == HR, Committee: m.id == HR || m.id == Head})
	}
	for _, m := range staff {
		people = append(people, person{ID: m.id, Name: m.name, Unit: m.unit, Group: m.unit, Assessed: true})
	}
	org := map[string]any{
		"hr":       HR,
		"settings": map[string]any{"name": "县财政局", "head": Head, "public_chats": []string{Public}},
		"units": []unit{
			{"u1", "办公室", Leader1, Deputy1}, {"u2", "财务科", Leader2, Deputy1}, {"u3", "业务科", Leader3, Deputy2},
		},
		"people": people,
	}
	b, err := json.MarshalIndent(org, "", "  ")
	if err != nil {
		panic(err) // a fixed value that always marshals
	}
	return b
}

// Start is where the year's clock starts: the evening before the first
// working day of 2026 (4 January, a 调休 Sunday).
func Start() time.Time { return time.Date(YearOf, 1, 3, 20, 0, 0, 0, calendar.DefaultLocation()) }

// Secret is written in every weekly record of the year: no log line may
// carry it.
const Secret = "机密周记实"

// year is the story's state: the driver, the calendar, and what is
// scheduled for which moment.
type year struct {
	d     *Driver
	cal   *calendar.Calendar
	staff []string
	// plan holds, per day, the actions of that day in order.
	plan map[calendar.Date][]action
	// quarters is how many quarters are played.
	quarters int
}

type action struct {
	hour, min int
	what      string
	fn        func()
}

// on schedules fn at day hour:min.
func (y *year) on(day calendar.Date, hour, min int, what string, fn func()) {
	y.plan[day] = append(y.plan[day], action{hour, min, what, fn})
}

// onQuarter schedules fn as an action of quarter q: the leaders score from
// that quarter's totals and direct determinations, whatever else is open.
func (y *year) onQuarter(q int, day calendar.Date, hour, min int, what string, fn func()) {
	y.on(day, hour, min, what, func() {
		y.d.Scores, y.d.Direct = quarterScores[q], quarterDirect[q]
		fn()
	})
}

// quarterDirect are the direct determinations leaders choose at the first
// step: 许文斌 took on an 急难险重 task in the first quarter (S4 五、1).
var quarterDirect = [5]map[string]string{1: {"ou_c1": "top:0"}, 2: {}, 3: {}, 4: {}}

// Options shape a play of the year.
type Options struct {
	// Quarters is how many quarters to play (1–4; 0 means all four). The
	// annual composition needs all four.
	Quarters int
}

// Year plays 2026 at 县财政局 under S4 through the simulator at c:
// four quarters from the reminders to 备案, with a send-back, a
// delegation, an escalation that HR reassigns, a tie at the 40% cap, a
// direct determination, a probationer, a person under investigation whose
// grade is filled in after the case closes, a 复核 that changes a grade,
// 反馈 and 谈话, and the annual composition with its 公示. It narrates to
// out.
func Year(ctx context.Context, c *simclient.Client, out io.Writer, o Options) error {
	if o.Quarters <= 0 || o.Quarters > 4 {
		o.Quarters = 4
	}
	sc, err := scoring.Builtin("s4")
	if err != nil {
		return err
	}
	d := NewDriver(ctx, c, out)
	d.Scheme, d.Secret = sc, Secret
	for _, m := range append(slices.Clone(office), staff...) {
		d.Names[m.id] = m.name
	}
	y := &year{d: d, cal: calendar.Default(), plan: map[calendar.Date][]action{}, quarters: o.Quarters}
	for _, m := range staff {
		y.staff = append(y.staff, m.id)
	}
	return Play(y.play)
}

func (y *year) play() {
	d := y.d
	d.Say("kaohe 演示：县财政局 2026 年平时考核（方案 S4：好等次不超过 40%%；初评 → 审定 → 评鉴 → 考核委员会）")
	d.Say("三个科室各 5 名干部；%s 为政工科并任考核委员会委员，%s 为局长。", d.Name(HR), d.Name(Head))
	for q := 1; q <= y.quarters; q++ {
		y.scheduleQuarter(q)
	}
	if y.quarters == 4 {
		y.scheduleYear()
	}
	remind := y.reminderDays()
	last := y.lastPlanned()
	for day := calendar.NewDate(YearOf, 1, 4); !day.After(last); day = day.AddDays(1) {
		acts := y.plan[day]
		if len(acts) == 0 && !remind[day] {
			continue
		}
		sort.SliceStable(acts, func(i, j int) bool { return acts[i].hour*60+acts[i].min < acts[j].hour*60+acts[j].min })
		answered := !remind[day]
		for _, a := range acts {
			if !answered && a.hour*60+a.min > 15*60+5 {
				y.afternoon(day)
				answered = true
			}
			d.At(y.cal.At(day, a.hour, a.min))
			if a.what != "" {
				d.Say("%s %s", day, a.what)
			}
			a.fn()
		}
		if !answered {
			y.afternoon(day)
		}
	}
}

// reminderDays are the days the staff hear from the bot about their own
// records under the default reminder plans: the working day before each
// week's, month's and quarter's deadline, at 15:00. Visiting only those
// keeps the year quick; whatever a person missed is on their 待办, which
// they clear when the summaries are due.
func (y *year) reminderDays() map[calendar.Date]bool {
	out := map[calendar.Date]bool{}
	due := workflow.DefaultDeadlines()
	end := calendar.NewDate(YearOf+1, 1, 8)
	for w := calendar.PeriodContaining(calendar.Week, calendar.NewDate(YearOf, 1, 4)); w.Start().Before(end); w = w.Next() {
		// A week belongs to the quarter of its Thursday and is asked for
		// only once that quarter is open (国庆's week 40 is due before
		// 2026-Q4 opens on 8 October: it is on the 待办).
		q := calendar.PeriodContaining(calendar.Quarter, w.Start().AddDays(3))
		if day := y.cal.AddWorkdays(due.Weekly(y.cal, w), -1); !day.Before(y.cal.NextWorkday(q.Start())) {
			out[day] = true
		}
	}
	for m := time.January; m <= time.December; m++ {
		out[y.cal.AddWorkdays(due.Monthly(y.cal, calendar.PeriodContaining(calendar.Month, calendar.NewDate(YearOf, m, 1))), -1)] = true
	}
	for q := 1; q <= 4; q++ {
		out[y.cal.AddWorkdays(due.Summary(y.cal, calendar.PeriodContaining(calendar.Quarter, calendar.NewDate(YearOf, time.Month(3*q), 1))), -1)] = true
	}
	return out
}

// afternoon is 15:05 of a reminder day: the staff answer the reminders
// that came.
func (y *year) afternoon(day calendar.Date) {
	y.d.At(y.cal.At(day, 15, 5))
	y.d.AnswerReminders(y.staff, y.staff)
}

func (y *year) lastPlanned() calendar.Date {
	var last calendar.Date
	for day := range y.plan {
		if day.After(last) {
			last = day
		}
	}
	return last
}

// quarterScores are the totals the leaders give, per quarter.
var quarterScores = [5]map[string]int{
	1: {"ou_a1": 95, "ou_a2": 85, "ou_a3": 92, "ou_a4": 90, "ou_a5": 80,
		"ou_b1": 94, "ou_b2": 86, "ou_b3": 90, "ou_b4": 90, "ou_b5": 78,
		"ou_c1": 88, "ou_c2": 84, "ou_c3": 76, "ou_c4": 68, "ou_c5": 80},
	2: {"ou_a1": 93, "ou_a2": 88, "ou_a3": 91, "ou_a4": 86, "ou_a5": 72,
		"ou_b1": 92, "ou_b2": 90, "ou_b3": 84, "ou_b4": 89, "ou_b5": 80,
		"ou_c1": 90, "ou_c2": 86, "ou_c3": 78, "ou_c4": 76, "ou_c5": 82},
	3: {"ou_a1": 94, "ou_a2": 87, "ou_a3": 90, "ou_a4": 85, "ou_a5": 80,
		"ou_b1": 91, "ou_b2": 88, "ou_b3": 84, "ou_b4": 92, "ou_b5": 79,
		"ou_c1": 93, "ou_c2": 85, "ou_c3": 80, "ou_c4": 77, "ou_c5": 83},
	4: {"ou_a1": 96, "ou_a2": 86, "ou_a3": 91, "ou_a4": 87, "ou_a5": 81,
		"ou_b1": 93, "ou_b2": 89, "ou_b3": 83, "ou_b4": 90, "ou_b5": 80,
		"ou_c1": 92, "ou_c2": 87, "ou_c3": 79, "ou_c4": 78, "ou_c5": 84},
}

// scheduleQuarter plans quarter q: it opens by itself on its first
// working day; the summaries are due the third working day after it; the
// chain runs one step a day; HR closes the appraisal, the committee
// decides and 公示 follows; 反馈, 谈话 and 复核 after it; 备案 once the 复核
// window is over.
func (y *year) scheduleQuarter(q int) {
	d := y.d
	id := fmt.Sprintf("%d-Q%d", YearOf, q)
	first := y.cal.NextWorkday(calendar.NewDate(YearOf, time.Month(3*q-2), 1))
	end := calendar.NewDate(YearOf, time.Month(3*q+1), 1).AddDays(-1)
	summaryDue := y.cal.AddWorkdays(end, 3)
	y.onQuarter(q, first, 9, 5, fmt.Sprintf("%s 开启", card.PeriodLabel(id)), func() {
		d.Wait(HR, "考核已开启")
	})
	switch q {
	case 1:
		y.onQuarter(q, first, 9, 10, "政工科登记试用期人员", func() { y.setStatus("ou_c5", card.FieldProbation, "yes", "2026年1月新录用，试用期一年") })
		y.onQuarter(q, y.cal.AddWorkdays(calendar.NewDate(YearOf, 2, 2), 0), 10, 0, "科室负责人点评月小结", func() { y.comment(Leader1) })
	case 2:
		y.onQuarter(q, first, 9, 10, "政工科登记立案调查", func() {
			y.setStatus("ou_b2", card.FieldInvestigation, "yes", "因群众举报被立案调查")
		})
		y.onQuarter(q, end.AddDays(-5), 16, 0, "财务科负责人外出培训，委托办公室负责人代办", func() {
			from, until := y.cal.AddWorkdays(end, 1), y.cal.AddWorkdays(end, 10)
			d.Type(Leader2, fmt.Sprintf("委托 @_user_1 %s %s 外出参加培训", from, until), "已委托", Leader1)
		})
	case 3:
		// After the second quarter's 公示 (16 July), the case closes.
		y.onQuarter(q, y.cal.NextWorkday(calendar.NewDate(YearOf, 8, 3)), 10, 0, "调查结案：未受处分，补定等次", func() {
			y.setStatus("ou_b2", card.FieldInvestigation, "no", "调查结束，未受处分")
			// The investigation began on 1 April, before the first
			// quarter's appraisal closed on the 10th, and lasted past the
			// second's: both quarters' grades were withheld and both are
			// filled in.
			for _, want := range []struct{ period, grade string }{{"2026年第一季度", "较好"}, {"2026年第二季度", "好"}} {
				m := d.Wait("ou_b2", "等次补定")
				if !m.Contains(want.period) || !m.Contains("补定为："+want.grade) {
					d.Fail("郑秀兰's 补定: %s, want %s %s", Text(m.Card), want.period, want.grade)
				}
				d.Say("  %s%s等次补定为「%s」", d.Name("ou_b2"), want.period, want.grade)
			}
		})
	}

	// The chain, one step a day after the summaries are due.
	chainDay := y.cal.AddWorkdays(summaryDue, 1)
	y.onQuarter(q, summaryDue, 17, 0, "季度小结截止：未填报的从待办补齐", func() {
		for _, p := range y.staff {
			d.ClearTodo(p)
		}
	})
	y.onQuarter(q, chainDay, 10, 0, "科室负责人初评", func() {
		for _, l := range []string{Leader1, Leader2, Leader3} {
			if q == 2 && l == Leader2 {
				continue // away: 钱文华 scores 财务科 as the delegate
			}
			got := d.Steps(l)
			if q == 2 && l == Leader1 {
				// 钱文华's 待办 holds 财务科's steps too while the delegation
				// runs.
				d.Say("  %s初评 %d 人（其中 %d 人为受%s委托代办）", d.Name(l), len(got), countUnit(got, "ou_b"), d.Name(Leader2))
				continue
			}
			d.Say("  %s初评 %d 人", d.Name(l), len(got))
		}
	})
	review := y.cal.AddWorkdays(chainDay, 1)
	y.onQuarter(q, review, 10, 0, "分管领导审定", func() {
		if q == 1 {
			y.sendBack(Deputy1, "ou_a2", "工作负荷评分依据不足，请补充说明后重新初评")
			d.Steps(Leader1)
		}
		d.Steps(Deputy1)
		if q != 2 {
			d.Steps(Deputy2)
		}
	})
	appraise := y.cal.AddWorkdays(review, 1)
	if q == 2 {
		// 孙立新 leaves 业务科's 审定 undone: the step is due three working
		// days after it was given, the leader above is told two days
		// later, HR three days after the due date, and HR reassigns it.
		due := y.cal.AddWorkdays(chainDay, 3)
		escalated := y.cal.AddWorkdays(due, 3)
		y.onQuarter(q, escalated, 9, 30, "审定逾期，政工科转办", func() {
			for _, m := range d.All(HR, "转办", unitSize) {
				y.reassign(m, Deputy1, "孙立新同志外出学习，转赵德明同志审定")
			}
			d.Steps(Deputy1)
		})
		appraise = y.cal.AddWorkdays(escalated, 1)
	}
	y.onQuarter(q, appraise, 10, 0, "局长评鉴", func() { d.Steps(Head) })
	closeDay := y.cal.AddWorkdays(appraise, 1)
	y.onQuarter(q, closeDay, 9, 30, "考核自动结束，考核委员会审定，政工科公示", func() { y.settle(q, id) })
	after := y.cal.AddWorkdays(closeDay, 1)
	y.onQuarter(q, after, 10, 0, "结果反馈、谈话与复核", func() { y.afterResults(q, id) })
	filing := closeDay.AddDays(17)
	for !y.cal.IsWorkday(filing) {
		filing = filing.AddDays(1)
	}
	y.onQuarter(q, filing, 10, 0, "复核期满，政工科备案", func() {
		d.Type(HR, "备案 "+id, "已备案")
	})
}

// setStatus has HR open a person's card (人员 @某人) and save one special
// state with its reason.
func (y *year) setStatus(person, field, value, reason string) {
	d := y.d
	c := d.Type(HR, "人员 @_user_1", "人员情况", person)
	form := map[string]any{field: value, card.FieldStatusReason: reason}
	d.Click(c, HR, "save_status", form, "")
	d.Say("  %s：%s", d.Name(person), reason)
}

// comment has a leader 点评 the first 月小结 on their 待办; the person gets
// it.
func (y *year) comment(leader string) {
	d := y.d
	todo := d.Type(leader, "待办", "我的待办")
	b := larksim.RowButton(todo.Card, "点评")
	if b == "" {
		d.Fail("%s's 待办 has no 月小结 to comment", d.Name(leader))
	}
	r := d.Click(todo, leader, b, nil, "")
	who := d.about(string(r.Card))
	d.Click(todo, leader, "comment", map[string]any{card.FieldRemark: "目标明确，完成较好，继续保持"}, "已点评")
	if who == "" {
		d.Fail("the 点评 card is about no one known: %s", CardTitle(r.Card))
	}
	d.Wait(who, "继续保持")
	d.Say("  %s点评了%s的月小结", d.Name(leader), d.Name(who))
}

// sendBack has by send person's step back from their 待办 with a reason.
func (y *year) sendBack(by, person, reason string) {
	d := y.d
	todo := d.Type(by, "待办", "我的待办")
	b := larksim.RowButton(todo.Card, d.Name(person))
	if b == "" {
		d.Fail("%s's 待办 has no step for %s", d.Name(by), d.Name(person))
	}
	d.Score(todo, by, b, "send_back", map[string]any{card.FieldReason: reason})
	d.Wait(Leader1, "退回")
	d.Say("  %s退回%s的初评：%s", d.Name(by), d.Name(person), reason)
}

// reassign has HR move an overdue step to another leader from its
// escalation notice's 转办 button.
func (y *year) reassign(n simclient.Message, to, reason string) {
	d := y.d
	r := d.Click(n, HR, "btn_1", nil, "")
	person := d.about(string(r.Card))
	d.Click(n, HR, "submit", map[string]any{card.FieldReassignTo: to, card.FieldReassignReason: reason}, "")
	d.Say("  政工科将%s的审定转办给%s", d.Name(person), d.Name(to))
}

// settle is the end of a quarter's appraisal: HR closes it from the card
// that says every chain is done, the committee decides the tie at the cap
// (first quarter) or confirms, HR publishes 公示, and the 公示 lists
// exactly the people the scores and the committee put at 好.
func (y *year) settle(q int, id string) {
	d := y.d
	// With every chain done and the quarter over, the appraisal ends by
	// itself: the scores, grades and quota are computed, HR is told and
	// the committee gets its card.
	closed := d.Wait(HR, "考核已自动结束")
	d.Say("  %s", strings.ReplaceAll(Text(closed.Card), "\n", "；"))
	want := map[string]bool{}
	for p, s := range d.Scores {
		if s >= 90 {
			want[p] = true
		}
	}
	for p := range d.Direct {
		want[p] = true
	}
	n := d.WaitFor(Head, "请审定名额线并列人员 or 请确认考核等次", func(m simclient.Message) bool {
		return m.Contains("请审定名额线并列人员") || m.Contains("请确认考核等次")
	})
	r := d.Click(n, Head, "btn_1", nil, "")
	places, tied := tiedAtCap(r.Card)
	switch {
	case q == 1 && len(tied) == 0:
		d.Say("%s: no tie at the cap; the committee card says: %s", id, Text(r.Card))
		d.Click(n, Head, "confirm", nil, "已确认等次")
	case len(tied) > 0:
		if places < 1 || len(tied) <= places {
			d.Fail("the tie card offers %d places to %v", places, tied)
		}
		// The committee prefers whoever led the county budget (杨光辉), then
		// the order the card lists them in.
		slices.SortStableFunc(tied, func(a, b string) int {
			if a == "ou_a4" {
				return -1
			}
			if b == "ou_a4" {
				return 1
			}
			return 0
		})
		form := map[string]any{}
		var won, lost []string
		for i, p := range tied {
			if i < places {
				form["grade_"+p], form["why_"+p] = "好", "牵头完成全县预算编制等重点任务，表现突出"
				won = append(won, d.Name(p))
			} else {
				form["grade_"+p], form["why_"+p] = "较好", "名额所限"
				lost = append(lost, d.Name(p))
				delete(want, p)
			}
		}
		d.Click(n, Head, "submit", form, "")
		d.Say("  考核委员会审定：%s 并列于名额线（「好」余 %d 个名额），%s 定为「好」，%s 定为「较好」（名额所限）",
			strings.Join(append(slices.Clone(won), lost...), "、"), places, strings.Join(won, "、"), strings.Join(lost, "、"))
	default:
		d.Click(n, Head, "confirm", nil, "已确认等次")
	}
	if q == 2 {
		delete(want, "ou_b2") // under investigation: no grade yet
	}
	d.Type(HR, "公示", "公示已发布")
	pub := d.Wait(Public, "平时考核结果公示")
	var listed []string
	for _, m := range staff {
		if pub.Contains(m.name) != want[m.id] {
			d.Fail("%s 公示: %s listed %v, want %v", id, m.name, pub.Contains(m.name), want[m.id])
		}
		if want[m.id] {
			listed = append(listed, m.name)
		}
	}
	d.Say("  公示「好」等次：%s", strings.Join(listed, "、"))
}

// afterResults: everyone has their result; the leaders talk with whoever
// got 一般 and give 反馈; in the second quarter 黄美玲 asks for 复核, HR
// forwards it and the committee raises her grade.
func (y *year) afterResults(q int, id string) {
	d := y.d
	results := map[string]simclient.Message{}
	for _, p := range y.staff {
		if q == 2 && p == "ou_b2" {
			continue
		}
		results[p] = d.Wait(p, "考核结果")
	}
	if q == 1 {
		talk := d.Wait(Leader3, "请进行谈话")
		d.Click(talk, Leader3, "btn_1", nil, "")
		d.Click(talk, Leader3, "submit", map[string]any{card.FieldTalkNote: "已谈话，指出不足，明确改进措施"}, "")
		d.Say("  %s与%s谈话（等次「一般」）", d.Name(Leader3), d.Name("ou_c4"))
		fb := d.Wait(Leader3, "请开展考核结果反馈谈话")
		d.Click(fb, Leader3, "btn_1", nil, "")
		d.Click(fb, Leader3, "submit", map[string]any{card.FieldFeedbackPerson: "ou_c4", card.FieldFeedbackStrengths: "工作态度端正",
			card.FieldFeedbackProblems: "业务报表差错较多", card.FieldFeedbackRequests: "加强业务学习，提高报表质量"}, "")
		if m := d.Wait("ou_c4", "考核结果反馈"); !m.Contains("提高报表质量") {
			d.Fail("谢婷婷's 反馈 lacks the requests: %s", m.Content)
		}
		d.Say("  %s向%s反馈：加强业务学习，提高报表质量", d.Name(Leader3), d.Name("ou_c4"))
	}
	if q == 2 {
		res := results["ou_a5"] // 复核 is asked from the result card
		if !res.Contains("review_form") {
			d.Fail("黄美玲's result card has no 复核 form: %s", Text(res.Card))
		}
		d.Click(res, "ou_a5", "submit", map[string]any{card.FieldReviewReason: "防汛值守加分材料未计入"}, "")
		req := d.Wait(HR, "申请复核")
		d.Click(req, HR, "btn_1", nil, "")
		d.Click(req, HR, "forward", map[string]any{card.FieldReviewOpinion: "加分材料属实，提请委员会审议"}, "")
		fwd := d.Wait(Head, "请审议复核申请")
		d.Click(fwd, Head, "btn_1", nil, "")
		d.Click(fwd, Head, "decide", map[string]any{card.FieldReviewGrade: "较好", card.FieldReviewDecision: "防汛值守加分属实，调整为较好"}, "")
		if m := d.Wait("ou_a5", "复核结果"); !m.Contains("较好") {
			d.Fail("黄美玲's 复核 result: %s", m.Content)
		}
		d.Say("  %s申请复核，考核委员会将等次由「一般」调整为「较好」（不占「好」的名额）", d.Name("ou_a5"))
	}
}

// scheduleYear: after the fourth quarter's 公示, HR composes the year
// and it goes before the committee like a quarter: each grade drafted by
// the annual rules (S4 五、4: 好 in all four quarters → 优秀 first), the
// committee raises 何静怡 (好 in two of four, nothing below 较好: S4 五、4's
// "一半以上" includes one half) and cannot raise 谢婷婷 (一般 in the first
// quarter rules 优秀 out), HR publishes the year's 公示 and everyone gets
// their result.
func (y *year) scheduleYear() {
	d := y.d
	day := calendar.NewDate(YearOf+1, 1, 25)
	y.on(day, 10, 0, "年度考核：按年度规则拟定等次，考核委员会审定，公示", func() {
		yc := d.Type(HR, fmt.Sprintf("年度 %d", YearOf), fmt.Sprintf("%d年度考核", YearOf))
		d.Click(yc, HR, "btn_1", nil, "已提交考核委员会审定")
		n := d.Wait(Head, fmt.Sprintf("请审定%d年度考核等次", YearOf))
		r := d.Click(n, Head, "btn_1", nil, "")
		drafted := map[string]string{}
		EachObject(r.Card, func(e map[string]any) {
			name, _ := e["name"].(string)
			if id, ok := strings.CutPrefix(name, card.GradeField("")); ok {
				drafted[id], _ = e["initial_option"].(string)
			}
		})
		for id, want := range map[string]string{"ou_a1": "优秀", "ou_a3": "优秀", "ou_b1": "优秀", "ou_c1": "优秀", "ou_b4": "称职", "ou_c4": "称职"} {
			if drafted[id] != want {
				d.Fail("%s's annual grade drafted %q, want %q: %s", d.Name(id), drafted[id], want, Text(r.Card))
			}
		}
		d.Refused(n, Head, "submit", map[string]any{card.GradeField("ou_c4"): "优秀", card.FieldYearReason: "工作进步明显"}, "不能定为「优秀」")
		d.Say("  考核委员会欲将%s定为「优秀」：系统提示其第一季度为「一般」，按 S4 五、4 年度最高为「称职」", d.Name("ou_c4"))
		d.Click(n, Head, "submit", map[string]any{card.GradeField("ou_b4"): "优秀", card.FieldYearReason: "全年两个季度为好，牵头完成全县预算编制"}, "已确认")
		d.Say("  考核委员会将%s由拟定的「称职」调整为「优秀」（好等次达到一半，且无一般、较差），其余按拟定等次确认", d.Name("ou_b4"))
		d.Wait(HR, fmt.Sprintf("%d年度考核等次已确认", YearOf))
		d.Type(HR, "公示", "公示已发布")
		pub := d.Wait(Public, fmt.Sprintf("%d年度考核结果公示", YearOf))
		var listed []string
		for _, m := range staff {
			want := slices.Contains([]string{"ou_a1", "ou_a3", "ou_b1", "ou_c1", "ou_b4"}, m.id)
			if pub.Contains(m.name) != want {
				d.Fail("the year's 公示 lists %s: %v, want %v", m.name, pub.Contains(m.name), want)
			}
			if want {
				listed = append(listed, m.name)
			}
		}
		d.Say("  %d年度考核「优秀」公示：%s", YearOf, strings.Join(listed, "、"))
		for _, p := range y.staff {
			d.Wait(p, fmt.Sprintf("%d年度考核结果", YearOf))
		}
		d.Say("  每人收到本人年度考核结果，可在复核期内申请复核")
	})
}

// countUnit counts the ids with a prefix (the staff of one unit).
func countUnit(ids []string, prefix string) int {
	n := 0
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			n++
		}
	}
	return n
}

// tiedAtCap reads the committee's tie form: how many places at the top
// grade are left and who is tied for them (from the grade selects).
func tiedAtCap(raw json.RawMessage) (int, []string) {
	places := 0
	var tied []string
	EachObject(raw, func(e map[string]any) {
		if c, _ := e["content"].(string); places == 0 {
			if i := strings.Index(c, "剩余名额"); i >= 0 {
				fmt.Sscanf(c[i+len("剩余名额"):], "%d", &places)
			}
		}
		if n, _ := e["name"].(string); strings.HasPrefix(n, "grade_") {
			tied = append(tied, strings.TrimPrefix(n, "grade_"))
		}
	})
	return places, tied
}
