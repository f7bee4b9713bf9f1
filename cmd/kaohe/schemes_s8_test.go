package main

import (
	"strings"
	"testing"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/demo/story"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// s8Scores are the 科室负责人's 评鉴 totals per quarter (S8 四(二): the five
// indicators 10/10/10/60/10; the driver spreads each total over them).
// 好 is 90 and above (s8.yaml takes S4's bands); at most floor(40% × 6) =
// 2 of the 考核单元 (四(三)2): in Q2 赵一 93, 孙三 91 and 钱二 90 reach it
// and 钱二, the lowest, moves down to 较好.
var s8Scores = [5]map[string]int{
	1: {"ou_a1": 95, "ou_a2": 92, "ou_a3": 88, "ou_a4": 80, "ou_a5": 72, "ou_a6": 58},
	2: {"ou_a1": 93, "ou_a2": 90, "ou_a3": 91, "ou_a4": 82, "ou_a5": 75, "ou_a6": 64},
	3: {"ou_a1": 91, "ou_a2": 94, "ou_a3": 86, "ou_a4": 79, "ou_a5": 70, "ou_a6": 61},
	4: {"ou_a1": 96, "ou_a2": 89, "ou_a3": 92, "ou_a4": 84, "ou_a5": 73, "ou_a6": 66},
}

// TestSchemeS8YearInChat is S8 (《公务员平时（绩效）考核实施方案》, 篇六 of
// 《财政局公务员平时考核工作方案7篇》) for 2026 at one 综合科 whose six staff
// are one 考核单元, through `kaohe sim` and `kaohe serve`:
//   - 四(三)2: the 考核单元's 民主测评, the 分管领导 voting with it
//     (supervisor_votes); "科室负责人对本科室内人员进行评鉴" — serve's chain is
//     the 科室负责人's one 评鉴 step; 好 within 40% of the 考核单元;
//   - 四(三)6 "局人事科每半年…备案": Q1 closes without a 备案 reminder of
//     its own (its closing notice says it goes with Q2); after Q2 HR's
//     reminder names both quarters and 已报送备案 records both;
//   - 四(三)5 "分管领导每半年对考核结果靠后的人员进行谈心谈话" (serve's
//     half_year_talk): after Q2 the 分管领导 is asked to talk with the
//     lowest-ranked and records it on the talk card;
//   - Q3, Q4 and the year: 四(一) "单位根据平时考核结果
//     评定年度考核等次" gives no formula; s8.yaml's annual section shows the
//     mean of the quarters' scores and lets the unit propose the grade,
//     which the committee confirms or changes; after Q4 the second
//     half's talk and 备案 (Q3 with Q4) as after Q2.
//
// Each quarter is played quickly: the clock goes to the day the quarter's
// summaries are due, the staff and the 分管领导 fill what their 待办 holds
// (the 个人小结s, the 季度小结, the ballots), the 科室负责人 scores, the
// committee confirms and HR publishes. The whole year takes under a
// minute (about 50 s on a loaded two-core machine, half of it Q1 and Q2),
// so unlike the other schemes' years it is not put behind KAOHE_FULL.
func TestSchemeS8YearInChat(t *testing.T) {
	t.Parallel()
	w := startSchemeB(t, "s8", "chains:\n  default: [\"unit_leader:评鉴\"]\nhalf_year_talk: true\n", "", "")
	d := w.d
	quarter := func(q int, pub ...string) {
		d.Scores = s8Scores[q]
		_, due := w.quarterDays(q)
		w.at(due, 10, 0)
		w.clearAll(w.staff)
		// The 分管领导's ballot is on their 待办; the appraisal waits for it.
		if n := d.ClearTodo(bSup); n != 1 {
			d.Fail("quarter %d: 副局长赵 filled %d forms from the 待办, want the one vote", q, n)
		}
		if got := d.Steps(bLeader); len(got) != len(w.staff) {
			d.Fail("quarter %d: 科长钱 scored %d, want %d", q, len(got), len(w.staff))
		}
		p := w.settle("参加考核：6人")
		for _, id := range w.staff {
			want := false
			for _, x := range pub {
				want = want || x == id
			}
			if p.Contains(d.Name(id)) != want {
				d.Fail("quarter %d: 公示 lists %s: %v, want %v: %s", q, d.Name(id), !want, want, story.Text(p.Card))
			}
		}
		w.results(w.staff)
	}
	w.play(func() {
		w.open(1)
		quarter(1, "ou_a1", "ou_a2")
		// Q1's results stand once 公示 and the 复核 window are over; HR's
		// notice says its 备案 goes with Q2's and offers no 已报送备案.
		w.at(calendar.NewDate(2026, 5, 6), 10, 0)
		closed := d.Wait(bHR, "2026年第一季度考核结果已确定")
		if !closed.Contains("与2026年第二季度一并") || closed.Contains("已报送备案") {
			d.Fail("Q1's closing notice: %s", story.Text(closed.Card))
		}
		// Q2: 钱二 (90) is over the cap of two behind 赵一 (93) and 孙三 (91).
		quarter(2, "ou_a1", "ou_a3")

		// 四(三)5: the 分管领导 is asked to talk with the lowest-ranked of
		// the unit — 吴六, 64, 一般 — and records the talk on its card.
		talk := d.Wait(bSup, "请开展谈心谈话")
		if !talk.Contains("吴六") || talk.Contains("周五") {
			d.Fail("the half-year talk notice: %s", story.Text(talk.Card))
		}
		b := larksim.RowButton(talk.Card, "记录谈话：吴六")
		if b == "" {
			d.Fail("the half-year talk notice has no 记录谈话：吴六: %s", story.Text(talk.Card))
		}
		if c := d.Click(talk, bSup, b, nil, "谈心谈话：吴六"); !strings.Contains(string(c.Card), "排名靠后") {
			d.Fail("吴六's talk card: %s", story.Text(c.Card))
		}
		d.Click(talk, bSup, "submit", map[string]any{card.FieldTalkNote: "7月8日谈心，分析工作差距，要求按期报送材料"}, "已记录")

		// 四(三)6: once Q2's results stand, HR is reminded (two working
		// days before the half's deadline, the last working day of July) of
		// both quarters; 已报送备案 records both.
		w.at(calendar.NewDate(2026, 7, 29), 10, 0)
		due := d.Wait(bHR, "一并报送")
		if !due.Contains("2026年第一季度、2026年第二季度") || !due.Contains("2026-07-31") {
			d.Fail("HR's half-year 备案 reminder: %s", story.Text(due.Card))
		}
		d.Click(due, bHR, "btn_1", nil, "")
		for _, q := range []string{"2026-Q1", "2026-Q2"} {
			d.Type(bHR, "备案 "+q, "已于2026-07-29备案")
		}

		quarter(3, "ou_a1", "ou_a2")
		quarter(4, "ou_a1", "ou_a3")
		// The second half's 谈心谈话 (四(三)5): 吴六 again, 66.
		if talk := d.Wait(bSup, "请开展谈心谈话"); !talk.Contains("2026年第四季度") || !talk.Contains("吴六") {
			d.Fail("the second half's talk notice: %s", story.Text(talk.Card))
		}
		// The year (四(一); s8.yaml annual: periods 4, periodic_value
		// score): the mean of the four quarters' scores, two decimals half
		// up; no bands, so the unit proposes 称职 for everyone:
		//   赵一 (95+93+91+96)/4 = 375/4 = 93.75
		//   钱二 (92+90+94+89)/4 = 365/4 = 91.25
		//   孙三 (88+91+86+92)/4 = 357/4 = 89.25
		//   李四 (80+82+79+84)/4 = 325/4 = 81.25
		//   周五 (72+75+70+73)/4 = 290/4 = 72.5
		//   吴六 (58+64+61+66)/4 = 249/4 = 62.25
		n, drafted, lines := w.yearCard()
		for p, want := range map[string]string{
			"ou_a1": "93.75分", "ou_a2": "91.25分", "ou_a3": "89.25分", "ou_a4": "81.25分", "ou_a5": "72.5分", "ou_a6": "62.25分",
		} {
			if !strings.Contains(lines[p], want) || drafted[p] != "称职" {
				d.Fail("%s's year: %q drafted %q, want %s 称职", d.Name(p), lines[p], drafted[p], want)
			}
		}
		// The committee makes 赵一 优秀 (好 in all four quarters).
		pub := w.confirmYear(n, map[string]any{card.GradeField("ou_a1"): "优秀", card.FieldYearReason: "四个季度均为好等次"}, nil)
		if !pub.Contains("赵一") || pub.Contains("钱二") {
			d.Fail("the year's 公示: %s", story.Text(pub.Card))
		}
		(&schemeRun{d: d}).results("2026年度考核结果", map[string][2]string{
			"ou_a1": {"优秀", "93.75"}, "ou_a2": {"称职", "91.25"}, "ou_a3": {"称职", "89.25"},
			"ou_a4": {"称职", "81.25"}, "ou_a5": {"称职", "72.5"}, "ou_a6": {"称职", "62.25"},
		})

		// The second half's 备案: Q3 and Q4 together, by the last working
		// day of January; HR's reminder two working days before names both.
		last := w.cal.LastWorkdayOfMonth(2027, 1)
		w.at(w.cal.AddWorkdays(last, -2), 10, 0)
		h2 := d.Wait(bHR, "2026年第三季度、2026年第四季度")
		if !h2.Contains("一并报送") || !h2.Contains(last.String()) {
			d.Fail("HR's second half-year 备案 reminder: %s", story.Text(h2.Card))
		}
		d.Click(h2, bHR, "btn_1", nil, "")
		d.Type(bHR, "备案 2026-Q3", "已于"+w.cal.AddWorkdays(last, -2).String()+"备案")
	})
}
