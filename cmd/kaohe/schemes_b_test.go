package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/demo/story"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
	"github.com/xuri/excelize/v2"
)

// Issue 11, part B: S6, S7, S9 and S10 each run their own cycle through
// the simulator, as people do in Lark (`kaohe sim` and `kaohe serve` as
// processes; the test only reads cards, clicks and types): one quarter
// played from the reminders with the records, chain, raters and quota the
// scheme's seed gives, then the year. Each serve runs its scheme as the
// organisation's default (KAOHE_SCHEME), and its chain from a config
// file. S6's year is in the ordinary run; the full years of S7, S9 and S10
// play the other quarters quickly (the staff clear their 待办 when the
// summaries are due, the leaders score, the committee confirms, HR
// publishes) with KAOHE_FULL=1 (make schemes).

// bStaff is the one unit's six assessed staff, in every scheme's test.
var bStaff = []struct{ id, name string }{
	{"ou_a1", "赵一"}, {"ou_a2", "钱二"}, {"ou_a3", "孙三"}, {"ou_a4", "李四"}, {"ou_a5", "周五"}, {"ou_a6", "吴六"},
}

const (
	bHR     = "ou_hr"
	bHead   = "ou_head"
	bSup    = "ou_s1"
	bLeader = "ou_l1"
	bPublic = "oc_public"
)

// bWorld is one scheme's simulator, serve and driver.
type bWorld struct {
	t     *testing.T
	d     *story.Driver
	sim   *simProc
	serve *serveProc
	cal   *calendar.Calendar
	staff []string
}

// startSchemeB starts `kaohe sim` and `kaohe serve` under scheme with the
// chains of chainsYAML (serve's config file), for the unit 综合科 of the
// six staff of staffTier; a leaderTier puts the unit's leader in the
// appraisal too, of that tier. The clock starts on the evening before
// 2026's first working day.
func startSchemeB(t *testing.T, scheme, chainsYAML, staffTier, leaderTier string) *bWorld {
	leader := map[string]any{"id": bLeader, "name": "科长钱", "unit": "u1"}
	if leaderTier != "" {
		leader["assessed"], leader["group"], leader["tier"] = true, "g1", leaderTier
	}
	org := map[string]any{
		"hr":       bHR,
		"settings": map[string]any{"name": "局机关", "head": bHead, "public_chats": []string{bPublic}},
		"units":    []map[string]any{{"id": "u1", "name": "综合科", "leader": bLeader, "supervisor": bSup}},
		"people": []map[string]any{
			{"id": bHR, "name": "政治处李", "hr": true, "committee": true},
			{"id": bHead, "name": "局长王", "committee": true},
			{"id": bSup, "name": "副局长赵"},
			leader,
		},
	}
	for _, p := range bStaff {
		org["people"] = append(org["people"].([]map[string]any), map[string]any{"id": p.id, "name": p.name, "unit": "u1", "group": "g1", "assessed": true, "tier": staffTier})
	}
	names := map[string]string{bHR: "政治处李", bHead: "局长王", bSup: "副局长赵", bLeader: "科长钱"}
	for _, p := range bStaff {
		names[p.id] = p.name
	}
	// startScheme's processes, with serve's default reminder grace: these
	// tests answer every reminder in time.
	r := startScheme(t, scheme, org, names, time.Date(2026, 1, 3, 20, 0, 0, 0, calendar.DefaultLocation()), chainsYAML, "KAOHE_REMINDER_GRACE=")
	d := r.d
	d.Secret = "记实"
	if os.Getenv("KAOHE_SCHEMES_LOG") != "" {
		d.SetOutput(testWriter{t})
	}
	w := &bWorld{t: t, d: d, sim: r.sim, serve: r.serve, cal: r.cal}
	for _, p := range bStaff {
		w.staff = append(w.staff, p.id)
	}
	return w
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// play runs fn as the story and fails the test with both processes' logs.
func (w *bWorld) play(fn func()) {
	w.t.Helper()
	if err := story.Play(fn); err != nil {
		w.t.Fatalf("%v\n--- sim\n%s\n--- serve\n%s", err, tail(w.sim.logs.String(), 3000), tail(w.serve.logs.String(), 6000))
	}
}

// at moves the clock to day h:m.
func (w *bWorld) at(day calendar.Date, h, m int) { w.d.At(w.cal.At(day, h, m)) }

// quarterDays are quarter q's first working day and the day its
// self-summaries are due (the third working day after it, docs/design.md).
func (w *bWorld) quarterDays(q int) (first, due calendar.Date) {
	first = w.cal.NextWorkday(calendar.NewDate(2026, time.Month(3*q-2), 1))
	end := calendar.PeriodContaining(calendar.Quarter, first).End()
	return first, w.cal.AddWorkdays(end, 3)
}

// open waits for quarter q to open by itself.
func (w *bWorld) open(q int) {
	first, _ := w.quarterDays(q)
	w.at(first, 9, 5)
	w.d.Wait(bHR, "考核已开启")
}

// clearAll has every assessed person fill what their 待办 offers.
func (w *bWorld) clearAll(people []string) {
	for _, p := range people {
		w.d.ClearTodo(p)
	}
}

// settle is the end of a quarter: the appraisal closes by itself once
// every chain is done, the committee confirms, HR publishes 公示. It
// returns the 公示.
func (w *bWorld) settle(want string) simclient.Message {
	d := w.d
	if closed := d.Wait(bHR, "考核已自动结束"); want != "" && !closed.Contains(want) {
		d.Fail("HR's notice of the closing: %s", closed.Content)
	}
	confirm := d.Wait(bHead, "请确认考核等次")
	d.Click(confirm, bHead, "btn_1", nil, "")
	d.Click(confirm, bHead, "confirm", nil, "已确认等次")
	d.Type(bHR, "公示", "公示已发布")
	return d.Wait(bPublic, "平时考核结果公示")
}

// results waits for each person's result card of the quarter and returns
// its text by person.
func (w *bWorld) results(people []string) map[string]string {
	out := map[string]string{}
	for _, p := range people {
		m := w.d.Wait(p, "考核结果")
		out[p] = story.Text(m.Card)
	}
	return out
}

// yearRefused: with a quarter of the year not yet published, HR's 年度
// card says so and offers no button to compose.
func (w *bWorld) yearRefused() {
	yc := w.d.Type(bHR, "年度 2026", "2026年度考核")
	// (S6's 年度评分 button may be there: the scores can be entered early.)
	if !yc.Contains("2026年第二季度：填报审核中") || strings.Contains(yc.Content, `"`+card.KindComposeYear+`"`) {
		w.d.Fail("HR's 年度 card with quarters missing: %s", story.Text(yc.Card))
	}
}

// yearCard has HR compose the year from the 年度 card and the committee
// open its form; it returns the committee's notice and the form's rows,
// by person.
func (w *bWorld) yearCard() (simclient.Message, map[string]string, map[string]string) {
	d := w.d
	yc := d.Type(bHR, "年度 2026", "2026年度考核")
	if !strings.Contains(yc.Content, `"btn_1"`) {
		d.Fail("HR's 年度 card offers no composition: %s", story.Text(yc.Card))
	}
	d.Click(yc, bHR, "btn_1", nil, "已提交考核委员会审定")
	n := d.Wait(bHead, "请审定2026年度考核等次")
	r := d.Click(n, bHead, "btn_1", nil, "")
	drafted := map[string]string{}
	story.EachObject(r.Card, func(e map[string]any) {
		name, _ := e["name"].(string)
		if id, ok := strings.CutPrefix(name, card.GradeField("")); ok {
			drafted[id], _ = e["initial_option"].(string)
		}
	})
	lines := map[string]string{}
	for _, l := range strings.Split(story.Text(r.Card), "\n") {
		for id, name := range d.Names {
			if strings.HasPrefix(l, "**"+name+"**") {
				lines[id] = l
			}
		}
	}
	return n, drafted, lines
}

// confirmYear has the committee confirm the year (with changes), HR
// publish it and everyone get their result; it returns the year's 公示.
func (w *bWorld) confirmYear(n simclient.Message, form map[string]any, people []string) simclient.Message {
	d := w.d
	d.Click(n, bHead, "submit", form, "已确认")
	d.Wait(bHR, "2026年度考核等次已确认")
	d.Type(bHR, "公示", "公示已发布")
	pub := d.Wait(bPublic, "2026年度考核结果公示")
	for _, p := range people {
		d.Wait(p, "2026年度考核结果")
	}
	return pub
}

// steps has leader decide every step on their 待办 with the form values
// values gives for the person the form is about (S7's 总评分 and its
// 扣分 rows, which the story's driver does not fill); it returns whom
// they scored.
func (w *bWorld) steps(leader string, values func(person string) map[string]any) []string {
	d := w.d
	var done []string
	for range 20 {
		todo := d.Type(leader, "待办", "我的待办")
		b := larksim.RowButton(todo.Card, "去审核")
		if b == "" {
			return done
		}
		r := d.Click(todo, leader, b, nil, "")
		who := ""
		for id, name := range d.Names {
			if slices.Contains(w.staff, id) && strings.Contains(string(r.Card), name) {
				who = id
			}
		}
		if who == "" {
			d.Fail("a scoring form for no one known: %s", story.CardTitle(r.Card))
		}
		d.Click(todo, leader, "approve", values(who), "已")
		done = append(done, who)
	}
	d.Fail("%s's 待办 does not empty", d.Name(leader))
	return done
}

// reminderDay has the staff answer the reminders of day (at 15:05, after
// the records' reminders; 16:35 after the daily log's).
func (w *bWorld) reminderDay(day calendar.Date, h, m int) int {
	w.at(day, h, m)
	return w.d.AnswerReminders(w.staff, nil)
}

// hasAll fails unless text contains each of want.
func (w *bWorld) hasAll(what, text string, want ...string) {
	for _, s := range want {
		if !strings.Contains(text, s) {
			w.d.Fail("%s lacks %q: %s", what, s, text)
		}
	}
}

// TestSchemeS6InChat is S6 (《局关于公务员平时考核工作方案》) for 2026's first
// quarter at one 综合科 of six staff and its 部门负责人, all appraised:
//   - records: the 记实登记表 only, once a quarter (四(三)), from its reminder;
//   - chain (四(一)): staff scored by the 部门负责人 and checked (审核) by
//     the 分管领导; the 部门负责人 scored by the 分管领导; the 考核委员会
//     confirms (审定) — serve's chains: default (其他) and 部门负责人;
//   - score: the five items 30/20/20/10/20 (四(五)) add up to the total;
//   - grades 优秀 ≥ 90, 称职 75–89, 基本称职 60–74, 不称职 below 60 (四(七));
//   - quota: 优秀 within 30% of the 7 appraised, floor → 2 (四(七)): of the
//     three at 90 or more, 孙三 (91) moves down to 称职;
//   - the year (四(六): 平时 60% + 40%) is refused with the quarters
//     missing; subtest Year plays the other quarters and HR enters the
//     other 40%, one 年度评分 per person, on its card.
func TestSchemeS6InChat(t *testing.T) {
	t.Parallel()
	w := startSchemeB(t, "s6", "chains:\n  default: [\"unit_leader:考核评分\", \"supervisor:审核\"]\n  部门负责人: [\"supervisor:考核评分\"]\n", "其他", "部门负责人")
	d := w.d
	// 四(五): each total is spread over the five items (LeafScores: full
	// marks less a point at a time from each item in turn), so the items
	// entered add up to it: 96 = 29+19+19+9+20, 58 = 21+11+12+2+12 …
	d.Scores = map[string]int{"ou_a1": 96, "ou_a2": 93, "ou_a3": 91, "ou_a4": 85, "ou_a5": 72, "ou_a6": 58, bLeader: 88}
	assessed := append(slices.Clone(w.staff), bLeader)
	w.play(func() {
		w.open(1)
		// 四(三): the 记实登记表 is the quarter's only record; its reminder
		// comes the working day before it is due (the third working day
		// after the quarter), and nothing else is asked for on the way.
		_, due := w.quarterDays(1)
		w.at(w.cal.AddWorkdays(due, -1), 15, 5)
		if n := d.AnswerReminders(assessed, assessed); n != len(assessed) {
			d.Fail("answered %d reminders, want the %d 记实登记表", n, len(assessed))
		}
		for _, p := range assessed {
			if n := d.ClearTodo(p); n != 0 {
				d.Fail("%s filled %d more forms from the 待办: S6 keeps no other record", d.Name(p), n)
			}
		}
		// 四(一): the 部门负责人 scores the six, the 分管领导 checks them and
		// scores the 部门负责人.
		if got := d.Steps(bLeader); len(got) != 6 {
			d.Fail("科长钱 scored %d, want the six staff", len(got))
		}
		if got := d.Steps(bSup); len(got) != 7 || !slices.Contains(got, bLeader) {
			d.Fail("副局长赵 decided %v, want the six staff's 审核 and 科长钱's 考核评分", got)
		}
		pub := w.settle("参加考核：7人")
		// 四(七): 优秀 for 96, 93 and 91, capped at floor(30% × 7) = 2: the
		// lowest, 孙三, moves down to 称职; only 优秀 is published.
		for _, p := range assessed {
			if want := p == "ou_a1" || p == "ou_a2"; pub.Contains(d.Name(p)) != want {
				d.Fail("公示 lists %s: %v, want %v: %s", d.Name(p), !want, want, story.Text(pub.Card))
			}
		}
		res := w.results(assessed)
		for p, want := range map[string][]string{
			"ou_a1": {"96", "优秀"}, "ou_a2": {"93", "优秀"}, "ou_a3": {"91", "称职"}, "ou_a4": {"85", "称职"},
			"ou_a5": {"72", "基本称职"}, "ou_a6": {"58", "不称职"}, bLeader: {"88", "称职"},
		} {
			w.hasAll(d.Name(p)+"'s result", res[p], want...)
		}
		w.yearRefused()
	})
	// The year (四(六)): the other quarters as the first (the same totals;
	// no reminders), then the 年度评分 HR enters for the other 40%.
	t.Run("Year", func(t *testing.T) {
		y := *w
		y.t = t
		y.play(func() {
			for q := 2; q <= 4; q++ {
				_, due := y.quarterDays(q)
				y.at(due, 10, 0)
				y.clearAll(assessed)
				if got := d.Steps(bLeader); len(got) != 6 {
					d.Fail("quarter %d: 科长钱 scored %d, want 6", q, len(got))
				}
				if got := d.Steps(bSup); len(got) != 7 {
					d.Fail("quarter %d: 副局长赵 decided %d, want 7", q, len(got))
				}
				y.settle("")
				y.results(assessed)
			}
			yc := d.Type(bHR, "年度 2026", "年度评分：已录入0/7人")
			if yc.Contains("生成年度考核结果") {
				d.Fail("the 年度 card offers the composition before the 年度评分: %s", story.Text(yc.Card))
			}
			form := d.Click(yc, bHR, "btn_1", nil, "")
			fv := map[string]any{}
			for _, f := range cardInputs(form.Card) {
				if id, ok := strings.CutPrefix(f, "ya_"); ok {
					fv[f] = s6Annual[id]
				}
			}
			if len(fv) != len(assessed) {
				d.Fail("the 年度评分 card lists %d people, want the %d appraised: %s", len(fv), len(assessed), story.Text(form.Card))
			}
			d.Click(yc, bHR, "submit", fv, "年度评分已保存")
			// 平时考核得分 = the mean of the four quarters' scores (the same
			// each quarter), 60%; the 年度评分 40%; banded as the quarter:
			//   赵一 96 × 60% + 90 × 40% = 57.6 + 36 = 93.6 优秀
			//   钱二 55.8 + 85 × 40% = 89.8 称职
			//   孙三 54.6 + 95 × 40% = 92.6 优秀 (the quarter's quota does not reach the year)
			//   李四 51 + 32 = 83 称职; 周五 43.2 + 28 = 71.2 基本称职
			//   吴六 34.8 + 24 = 58.8 不称职; 科长钱 52.8 + 34 = 86.8 称职
			n, drafted, lines := y.yearCard()
			for p, want := range map[string][2]string{
				"ou_a1": {"93.6分", "优秀"}, "ou_a2": {"89.8分", "称职"}, "ou_a3": {"92.6分", "优秀"}, "ou_a4": {"83分", "称职"},
				"ou_a5": {"71.2分", "基本称职"}, "ou_a6": {"58.8分", "不称职"}, bLeader: {"86.8分", "称职"},
			} {
				if !strings.Contains(lines[p], want[0]) || drafted[p] != want[1] {
					d.Fail("%s's year: %q drafted %q, want %s %s", d.Name(p), lines[p], drafted[p], want[0], want[1])
				}
			}
			if pub := y.confirmYear(n, nil, assessed); !pub.Contains("赵一") || !pub.Contains("孙三") || pub.Contains("钱二") {
				d.Fail("the year's 公示: %s", story.Text(pub.Card))
			}
		})
	})
}

// s6Annual is S6's 年度评分 (四(六)'s other 40%) HR enters.
var s6Annual = map[string]string{"ou_a1": "90", "ou_a2": "85", "ou_a3": "95", "ou_a4": "80", "ou_a5": "70", "ou_a6": "60", bLeader: "85"}

// s7Scores are the 单位考核小组's 季评 (「严格考核程序」: the 评鉴表 "报单位考核小组
// 以供考核"), per quarter; s7Deduct is the 扣分 the 考核小组 enters under
// the 扣分标准 (「完善考核内容」) in the first quarter.
var (
	s7Scores = [5]map[string]int{
		1: {"ou_a1": 95, "ou_a2": 92, "ou_a3": 88, "ou_a4": 80, "ou_a5": 70, "ou_a6": 58},
		2: {"ou_a1": 93, "ou_a2": 86, "ou_a3": 87, "ou_a4": 82, "ou_a5": 75, "ou_a6": 66},
		3: {"ou_a1": 91, "ou_a2": 90, "ou_a3": 90, "ou_a4": 79, "ou_a5": 72, "ou_a6": 61},
		4: {"ou_a1": 97, "ou_a2": 88, "ou_a3": 88, "ou_a4": 81, "ou_a5": 74, "ou_a6": 63},
	}
	s7Deduct = map[string]string{"ou_a3": "3"}
)

// s7Values is the 考核小组's form for person in quarter q: the 季评 as the
// 总评分 and, in the first quarter, 孙三's 扣分 (会议迟到).
func s7Values(q int) func(string) map[string]any {
	return func(p string) map[string]any {
		fv := map[string]any{card.FieldScore: fmt.Sprint(s7Scores[q][p]), card.FieldComment: "按评鉴表考核"}
		if pts, ok := s7Deduct[p]; ok && q == 1 {
			fv[card.AdjustField(card.AdjustDeduction, 1, card.PartPoints)] = pts
			fv[card.AdjustField(card.AdjustDeduction, 1, card.PartEvent)] = "会议迟到"
			fv[card.AdjustField(card.AdjustDeduction, 1, card.PartReason)] = "3月5日全镇大会迟到"
		}
		return fv
	}
}

// TestSchemeS7InChat is S7 (《xx镇公务员平时考核试行办法》, 日记、月结、季评、年考)
// at one 综合科 of six staff:
//   - records (「严格考核程序」): the 个人工作日志 every working day (the first
//     two weeks answered from the 16:30 reminder; what a person missed is
//     no longer asked after five working days), the 月度工作纪实 at each
//     month's end and the 评鉴表 after the quarter, each from its reminder;
//   - chain: the 评鉴表 goes to the 单位考核小组, whose 季评 the 主管领导 (its
//     组长) enters as one score (serve's chain: head:考核小组评分);
//   - the 季评 less the 扣分标准's deductions (「完善考核内容」): 孙三 88 − 3 = 85;
//   - grades by S4's bands (the seed has none): 好 ≥ 90, 较好 75–89, 一般
//     60–74, 较差 below 60; no quota;
//   - the year (「注重结果运用」: 4个季度评分总和/4) is refused with the
//     quarters missing; with KAOHE_FULL=1 the other three quarters are played
//     and the annual scores are the quarters' means.
func TestSchemeS7InChat(t *testing.T) {
	t.Parallel()
	w := startSchemeB(t, "s7", "chains:\n  default: [\"head:考核小组评分\"]\n", "", "")
	d := w.d
	d.Scores = s7Scores[1]
	w.play(func() {
		w.open(1)
		// 日记: the first two weeks, each working day at 16:35 (调休 Sunday
		// 4 January included) — a log from each of the six a day.
		day, logs := calendar.NewDate(2026, 1, 4), 0
		for n := 0; n < 10; day = day.AddDays(1) {
			if !w.cal.IsWorkday(day) {
				continue
			}
			w.at(day, 16, 35)
			logs += d.AnswerReminders(w.staff, w.staff)
			n++
		}
		if logs != 60 {
			d.Fail("%d 工作日志 from the reminders of ten working days, want 60", logs)
		}
		// 月结: the 月度工作纪实's reminder comes the working day before each
		// month's last working day; 季评: the 评鉴表's, the working day
		// before it is due.
		_, due := w.quarterDays(1)
		for m := time.January; m <= time.March; m++ {
			last := calendar.PeriodContaining(calendar.Month, calendar.NewDate(2026, m, 1)).End()
			for !w.cal.IsWorkday(last) {
				last = last.AddDays(-1)
			}
			w.at(w.cal.AddWorkdays(last, -1), 15, 5)
			if n := d.AnswerReminders(w.staff, w.staff); n < 6 {
				d.Fail("%d answers to the %s 月度工作纪实's reminders, want 6", n, m)
			}
		}
		w.at(w.cal.AddWorkdays(due, -1), 15, 5)
		d.AnswerReminders(w.staff, w.staff)
		w.clearAll(w.staff)
		if got := w.steps(bHead, s7Values(1)); len(got) != 6 {
			d.Fail("the 考核小组 scored %d, want 6", len(got))
		}
		pub := w.settle("参加考核：6人")
		for _, p := range w.staff {
			if want := p == "ou_a1" || p == "ou_a2"; pub.Contains(d.Name(p)) != want {
				d.Fail("公示 lists %s: %v, want %v", d.Name(p), !want, want)
			}
		}
		res := w.results(w.staff)
		for p, want := range map[string][]string{
			"ou_a1": {"95", "好"}, "ou_a2": {"92", "好"}, "ou_a3": {"评分88", "减分：3月5日全镇大会迟到 −3", "= 85", "较好"}, "ou_a4": {"80", "较好"},
			"ou_a5": {"70", "一般"}, "ou_a6": {"58", "较差"},
		} {
			w.hasAll(d.Name(p)+"'s result", res[p], want...)
		}
		w.yearRefused()
		if os.Getenv("KAOHE_FULL") == "" {
			return
		}
		for q := 2; q <= 4; q++ {
			w.quickQuarter(q, s7Scores[q], func(leader string) int { return len(w.steps(leader, s7Values(q))) }, []string{bHead})
		}
		n, drafted, lines := w.yearCard()
		// 「注重结果运用」: 4个季度评分总和/4 — 赵一 (95+93+91+97)/4 = 94 → 优秀;
		// 钱二 (92+86+90+88)/4 = 89 → 称职; 孙三 (85+87+90+88)/4 = 87.5;
		// 李四 (80+82+79+81)/4 = 80.5; 周五 (70+75+72+74)/4 = 72.75 → 基本称职;
		// 吴六 (58+66+61+63)/4 = 62 → 基本称职.
		for p, want := range map[string][2]string{
			"ou_a1": {"94分", "优秀"}, "ou_a2": {"89分", "称职"}, "ou_a3": {"87.5分", "称职"},
			"ou_a4": {"80.5分", "称职"}, "ou_a5": {"72.75分", "基本称职"}, "ou_a6": {"62分", "基本称职"},
		} {
			if !strings.Contains(lines[p], want[0]) || drafted[p] != want[1] {
				d.Fail("%s's year: %q drafted %q, want %s %s", d.Name(p), lines[p], drafted[p], want[0], want[1])
			}
		}
		if pub := w.confirmYear(n, nil, w.staff); !pub.Contains("赵一") || pub.Contains("钱二") {
			d.Fail("the year's 公示: %s", story.Text(pub.Card))
		}
	})
}

// quickQuarter plays quarter q without its reminders: it opens, the staff
// fill what their 待办 holds when the summaries are due, each of chain
// decides their steps with decide, the committee confirms and HR
// publishes.
func (w *bWorld) quickQuarter(q int, scores map[string]int, decide func(leader string) int, chain []string) {
	d := w.d
	d.Scores = scores
	// The quarter opened by itself while the last one closed; HR's notice
	// of it came before.
	_, due := w.quarterDays(q)
	w.at(due, 10, 0)
	w.clearAll(w.staff)
	for _, l := range chain {
		if n := decide(l); n != len(w.staff) {
			d.Fail("quarter %d: %s decided %d steps, want %d", q, d.Name(l), n, len(w.staff))
		}
	}
	w.settle("")
	w.results(w.staff)
}

// playFromReminders visits each working day of quarter q from its opening
// to the day its summaries are due at 15:05, the staff answering the
// reminders that came (周记实, 月小结/月自查, the quarter's summary), and
// then clear their 待办.
func (w *bWorld) playFromReminders(q int) {
	first, due := w.quarterDays(q)
	for day := first; day.Before(due); day = day.AddDays(1) {
		if w.cal.IsWorkday(day) {
			w.reminderDay(day, 15, 5)
		}
	}
	w.clearAll(w.staff)
}

// gradedOnly gives every person a placeholder total so the driver knows
// whom a form is about; schemes graded directly (S9, S10) score nothing.
func gradedOnly(grades map[string]string) map[string]int {
	out := map[string]int{}
	for p := range grades {
		out[p] = 1
	}
	return out
}

// s9Grades are the 主管或分管领导's quarter grades (S9 三(二)3: graded
// directly, 优秀/称职/基本称职/不称职), Q1–Q3 (Q4 is folded into the year).
var s9Grades = [4]map[string]string{
	1: {"ou_a1": "优秀", "ou_a2": "优秀", "ou_a3": "优秀", "ou_a4": "称职", "ou_a5": "称职", "ou_a6": "基本称职"},
	2: {"ou_a1": "优秀", "ou_a2": "称职", "ou_a3": "优秀", "ou_a4": "称职", "ou_a5": "基本称职", "ou_a6": "基本称职"},
	3: {"ou_a1": "优秀", "ou_a2": "优秀", "ou_a3": "称职", "ou_a4": "优秀", "ou_a5": "称职", "ou_a6": "称职"},
}

// TestSchemeS9InChat is S9 (《开展公务员平时考核工作的实施方案（试行）》) at one
// 综合科 of six staff:
//   - records (三(二)1–3): 周记实, 月自查 and the 季度考评登记表, each from its
//     reminder;
//   - chain (二, 三(二)3): the 分管领导 grades each person directly (serve's
//     chain: supervisor:考评); the committee confirms;
//   - quota (三(二)3 "称职及以下等次的要有一定的比例", kaohe's 10%): one of six
//     at 称职 or below is needed; three are, so nothing is flagged;
//   - the year is refused with the quarters missing; with KAOHE_FULL=1 Q2 and
//     Q3 are played, HR opens the 年度测评 from the 年度 card, the 考核单元
//     casts its 优秀票, and the year's 优秀率 = 优秀次数÷3×40% + 优秀票÷测评人数×60%
//     (四) with the 基本称职 rules.
func TestSchemeS9InChat(t *testing.T) {
	t.Parallel()
	w := startSchemeB(t, "s9", "chains:\n  default: [\"supervisor:考评\"]\n", "", "")
	d := w.d
	d.Grades, d.Scores = s9Grades[1], gradedOnly(s9Grades[1])
	w.play(func() {
		w.open(1)
		w.playFromReminders(1)
		if got := d.Steps(bSup); len(got) != 6 {
			d.Fail("the 分管领导 graded %d, want 6", len(got))
		}
		pub := w.settle("参加考核：6人")
		for _, p := range w.staff {
			if want := s9Grades[1][p] == "优秀"; pub.Contains(d.Name(p)) != want {
				d.Fail("公示 lists %s: %v, want %v", d.Name(p), !want, want)
			}
		}
		res := w.results(w.staff)
		for p, g := range s9Grades[1] {
			w.hasAll(d.Name(p)+"'s result", res[p], "**等次：**"+g)
		}
		w.yearRefused()
		if os.Getenv("KAOHE_FULL") == "" {
			return
		}
		for q := 2; q <= 3; q++ {
			d.Grades = s9Grades[q]
			w.quickQuarter(q, gradedOnly(s9Grades[q]), func(l string) int { return len(d.Steps(l)) }, []string{bSup})
		}
		// The 年度测评: HR opens it; each of the 考核单元 marks 赵一 and 钱二
		// 优秀, and 李四, 周五 and 吴六 mark 孙三 too.
		w.at(calendar.NewDate(2027, 1, 11), 10, 0)
		yc := d.Type(bHR, "年度 2026", "年度测评：未发起")
		d.Click(yc, bHR, "submit", map[string]any{card.YearDueField: "2027-01-15 +0800"}, "已发起")
		for _, voter := range w.staff {
			n := d.Wait(voter, "请参加2026年度测评")
			d.Click(n, voter, "btn_1", nil, "")
			form := map[string]any{}
			for _, p := range w.staff {
				if p == voter {
					continue
				}
				v := card.ExcellentNo
				if p == "ou_a1" || p == "ou_a2" || (p == "ou_a3" && voter >= "ou_a4") {
					v = card.ExcellentYes
				}
				form[card.YearRateField(workflow.SourceExcellent, p)] = v
			}
			d.Click(n, voter, "submit", form, "已提交")
		}
		n, drafted, lines := w.yearCard()
		for _, p := range w.staff {
			d.Say("%s drafted %s", lines[p], drafted[p])
		}
		// 四: 优秀率 = 优秀次数÷3×40% + 优秀票÷测评人数×60%:
		// 赵一 3÷3×40% + 5÷5×60% = 100%; 钱二 2÷3×40% + 5÷5×60% = 86.67%;
		// 孙三 2÷3×40% + 3÷5×60% = 62.67%; 李四 1÷3×40% = 13.33%.
		for p, want := range map[string]string{"ou_a1": "100", "ou_a2": "86.67", "ou_a3": "62.67", "ou_a4": "13.33"} {
			if !strings.Contains(lines[p], want) {
				d.Fail("%s's year line %q lacks the 优秀率 %s", d.Name(p), lines[p], want)
			}
		}
		// 四: one 基本称职 → not 优秀 (周五); two → below 称职 (吴六).
		d.Refused(n, bHead, "submit", map[string]any{card.GradeField("ou_a5"): "优秀", card.FieldYearReason: "表现突出"}, "不能定为「优秀」")
		if !strings.Contains(lines["ou_a6"], "最高「基本称职」") {
			d.Fail("吴六's year line: %q", lines["ou_a6"])
		}
		w.confirmYear(n, map[string]any{card.GradeField("ou_a1"): "优秀", card.FieldYearReason: "优秀率100%"}, w.staff)
	})
}

// s10Grades are the 分管领导's quarter grades (S10 三(二), 三(三): 好、较好、
// 一般、差, set directly). 吴六 is on 病假 for most of the first quarter and
// is not graded then; the grade the form asks for is overruled.
var s10Grades = [5]map[string]string{
	1: {"ou_a1": "好", "ou_a2": "好", "ou_a3": "较好", "ou_a4": "一般", "ou_a5": "差", "ou_a6": "较好"},
	2: {"ou_a1": "好", "ou_a2": "较好", "ou_a3": "好", "ou_a4": "较好", "ou_a5": "一般", "ou_a6": "好"},
	3: {"ou_a1": "好", "ou_a2": "好", "ou_a3": "较好", "ou_a4": "较好", "ou_a5": "一般", "ou_a6": "好"},
	4: {"ou_a1": "较好", "ou_a2": "较好", "ou_a3": "较好", "ou_a4": "好", "ou_a5": "较好", "ou_a6": "较好"},
}

// TestSchemeS10InChat is S10 (《晋城市生态环境系统公务员平时考核工作联系点制度工作方案》)
// at one 业务科 of six staff:
//   - records (四(一), 附件1): each month's 工作纪实 and the quarter's 记实表
//     (自我评价), from their reminders; the 出勤记录 entered by HR on the
//     person card (病假 days, 迟到, 旷工 days: subtest Absent reads it on
//     the 记实表);
//   - 四(二): 吴六's 病假 from 5 January to 27 February, more than 30
//     working days,: not graded that quarter;
//   - chain (三、考核方法): the 分管领导 grades directly (serve's chain:
//     supervisor:评定); no quota; the committee confirms, HR publishes;
//   - the year is refused with the quarters missing; with KAOHE_FULL=1 the
//     other quarters are played and 四(四) holds (优秀 only with 好 in at
//     least half the graded quarters).
func TestSchemeS10InChat(t *testing.T) {
	t.Parallel()
	w := startSchemeB(t, "s10", "chains:\n  default: [\"supervisor:评定\"]\n", "", "")
	d := w.d
	d.Grades, d.Scores = s10Grades[1], gradedOnly(s10Grades[1])
	w.play(func() {
		w.open(1)
		// HR records 吴六's 病假 and 孙三's January 出勤 (2 days 病假, late
		// once) on their person cards.
		c := d.Type(bHR, "人员 @_user_1", "人员情况", "ou_a6")
		d.Click(c, bHR, "save_leave", map[string]any{card.FieldLeaveKind: "病假",
			card.FieldLeaveStart: "2026-01-05 +0800", card.FieldLeaveEnd: "2026-02-27 +0800"}, "请假已登记")
		w.at(calendar.NewDate(2026, 2, 2), 10, 0)
		c = d.Type(bHR, "人员 @_user_1", "人员情况", "ou_a3")
		d.Click(c, bHR, "save_attendance", map[string]any{card.FieldAttMonth: "2026-01",
			card.AttLeaveField(1): "2", card.FieldAttLate: "1"}, "考勤已登记")
		// 附件1's 出勤记录 counts 旷工 too: 周五 was absent without leave for
		// a day and a half in January (s10.yaml: in days, beside 病假 and
		// 事假; not leave, so no effect on the grade of its own).
		c = d.Type(bHR, "人员 @_user_1", "人员情况", "ou_a5")
		if !c.Contains("旷工（天）") {
			d.Fail("the attendance form asks no 旷工: %s", story.Text(c.Card))
		}
		d.Click(c, bHR, "save_attendance", map[string]any{card.FieldAttMonth: "2026-01", card.AttLeaveField(3): "1.5"}, "考勤已登记")
		if c = d.Type(bHR, "人员 @_user_1", "人员情况", "ou_a5"); !c.Contains("旷工1.5天") {
			d.Fail("周五's 考勤记录 lacks the 旷工: %s", story.Text(c.Card))
		}
		w.playFromReminders(1)
		if got := d.Steps(bSup); len(got) < 5 {
			d.Fail("the 分管领导 graded %d, want at least the five present", len(got))
		}
		pub := w.settle("")
		for _, p := range w.staff {
			if want := s10Grades[1][p] == "好"; pub.Contains(d.Name(p)) != want {
				d.Fail("公示 lists %s: %v, want %v", d.Name(p), !want, want)
			}
		}
		res := w.results(w.staff)
		for p, g := range s10Grades[1] {
			if p == "ou_a6" {
				w.hasAll("吴六's result", res[p], "不定等次", "30")
				continue
			}
			w.hasAll(d.Name(p)+"'s result", res[p], "**等次：**"+g)
		}
		w.yearRefused()
		if os.Getenv("KAOHE_FULL") == "" {
			return
		}
		for q := 2; q <= 4; q++ {
			d.Grades = s10Grades[q]
			w.quickQuarter(q, gradedOnly(s10Grades[q]), func(l string) int { return len(d.Steps(l)) }, []string{bSup})
		}
		n, drafted, lines := w.yearCard()
		for _, p := range w.staff {
			d.Say("%s drafted %s", lines[p], drafted[p])
		}
		// 四(四): 孙三 has 好 in one of four graded quarters (below half):
		// not 优秀; 吴六 has 好 in two of three graded (Q1 not graded): may be.
		d.Refused(n, bHead, "submit", map[string]any{card.GradeField("ou_a3"): "优秀", card.FieldYearReason: "表现突出"}, "不能定为「优秀」")
		w.confirmYear(n, map[string]any{card.GradeField("ou_a6"): "优秀", card.FieldYearReason: "病愈后两个季度为好"}, w.staff)
	})
	// 周五's 旷工 on the first quarter's 记实表 (附件1 出勤记录), as HR gets it
	// from 备案表.
	t.Run("Absent", func(t *testing.T) {
		y := *w
		y.t = t
		y.play(func() {
			d.Type(bHR, "备案表 2026-Q1", "备案表已生成")
			m := d.WaitFor(bHR, "the 记实表 file", func(m simclient.Message) bool { return simclient.FileOf(m) != "" })
			f, err := simclient.New(w.sim.url).File(context.Background(), simclient.FileOf(m))
			if err != nil || !strings.Contains(f.Name, "记实表") {
				d.Fail("the 记实表 file %q: %v", f.Name, err)
			}
			x, err := excelize.OpenReader(bytes.NewReader(f.Data))
			if err != nil {
				d.Fail("the 记实表: %v", err)
			}
			defer x.Close()
			var absent []string // 周五's 旷工 column: 1月, 2月, 3月, 合计
			for _, sh := range x.GetSheetList() {
				rows, _ := x.GetRows(sh)
				mine := false
				for _, row := range rows {
					if slices.Contains(row, "周五") {
						mine = true
					}
					if mine && len(row) > 4 && (strings.HasSuffix(row[1], "月") || row[1] == "合计") && row[1] != "月份" {
						absent = append(absent, row[1]+":"+row[4])
						mine = row[1] != "合计" // the next person's rows follow
					}
				}
			}
			if !slices.Equal(absent, []string{"1月:1.5", "2月:0", "3月:0", "合计:1.5"}) {
				d.Fail("周五's 旷工 on the 记实表: %v", absent)
			}
		})
	})
}
