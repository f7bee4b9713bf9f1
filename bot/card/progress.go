package card

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Limits of the progress card. It lists at most 40 units (20 in the
// chart), 40 people and 30 steps, and fewer when the card would pass
// Lark's 30 KB as the request carries it (progressBudget): long names
// shorten the lists, never the counts (TestLargest).
const (
	maxProgressUnits = 40
	maxChartUnits    = 20
	maxOverdueShown  = 40
	maxStepsShown    = 30
	maxProgressItems = 8
	maxLateItems     = 3
	maxOtherPeriods  = 2
	// maxPublicityLines is how many 公示 messages the card lists (a group
	// per line, or a group and grade when every grade is published), and
	// maxUnreadShown how many names of those who have not read one.
	maxPublicityLines = 6
	maxUnreadShown    = 20
	// progressBudget is the card's size in the request (a JSON string,
	// escaped: quotes count twice), under Lark's 30 KB with room to spare.
	progressBudget = 29 * 1024
)

// Tally is one item's counts: Done handed in (or decided), Owed asked for
// and not handed in, Overdue those of Owed past the deadline.
type Tally struct {
	Done, Owed, Overdue int
}

// UnitProgress is one unit's row: a Tally per item of Progress.Items.
type UnitProgress struct {
	Unit  string
	Cells []Tally
}

// Overdue is one person late with entries or a vote.
type Overdue struct {
	Name string
	Unit string
	// Items are what is late ("周记实 2026年第40周", "季度小结（已退回）").
	Items []string
	// Days overdue, the longest of Items.
	Days int
	// OnLeave: reminders and 催办 skip the person today.
	OnLeave bool
}

// StepLine is one pending chain step.
type StepLine struct {
	// Step is the step's name (初评), Person the appraised, Holder who
	// holds it ("" for nobody).
	Step, Person, Holder, Unit string
	Due                        string
	// Days overdue; 0 when not overdue.
	Days int
}

// Progress is the HR progress card (进度).
type Progress struct {
	Period string
	// State says where a period that is no longer open stands ("考核委员会
	// 审定中"); "" for an open period.
	State string
	// AsOf is when the numbers were taken ("2026-10-09 10:30").
	AsOf string
	// Items are the columns: 周记实, 月小结, 季度小结, 民主测评, then the
	// chain steps (初评, 审定, 评鉴); Totals has one Tally per item.
	Items  []string
	Totals []Tally
	Units  []UnitProgress
	// Overdue are the people late with entries or votes.
	Overdue []Overdue
	// Steps are the pending chain steps, overdue first.
	Steps []StepLine
	// Chase shows the 催办 button (KindChase), which reminds everyone
	// overdue at once.
	Chase bool
	// Others are the other open periods, each with a button to its
	// progress.
	Others []string
	// Publicity is who has read the period's 公示, a line per message;
	// empty before it went out.
	Publicity []PublicityRead
	// YearRatings are the open 年度测评 rounds: how many have rated and
	// who has not (names only; a rating is anonymous).
	YearRatings []YearRating
}

// YearRating is one open 年度测评 round on the progress card.
type YearRating struct {
	Year int
	Due  string
	// Rated of Raters have rated; Pending are the names of the others.
	Raters, Rated int
	Pending       []string
}

// PublicityRead is one 公示 message's read receipts.
type PublicityRead struct {
	// Group names the group ("XX局公示群"); Grade is set when the group
	// got a message per grade.
	Group, Grade string
	// Read of Total people of the organisation have read it; Unread are
	// the names of those who have not.
	Read, Total int
	Unread      []string
	// Others counts readers from outside the organisation.
	Others int
	// Note replaces the counts when Lark did not tell ("公示发出已超过7天，
	// 飞书不再提供已读情况").
	Note string
}

func pct(done, total int) int {
	if total <= 0 {
		return 0
	}
	return done * 100 / total
}

// cell is a table cell: done/asked, and the overdue count.
func cell(t Tally) string {
	if t.Done+t.Owed == 0 {
		return "—"
	}
	s := fmt.Sprintf("%d/%d", t.Done, t.Done+t.Owed)
	if t.Overdue > 0 {
		s += fmt.Sprintf("（逾期%d）", t.Overdue)
	}
	return s
}

// ProgressCard renders the period's progress: one line per item, a chart
// of each item's done, owed and overdue shares, a chart of each unit's
// completion, a table of units by items, the people overdue and the
// pending steps with their holders. At most 40 units (20 in the chart),
// 40 people and 30 steps are listed, fewer when they would not fit.
func ProgressCard(p Progress) []byte {
	units, people, steps := maxProgressUnits, maxOverdueShown, maxStepsShown
	for {
		c := progressCard(p, units, people, steps)
		if requestBytes(c) <= progressBudget || units+people+steps <= 3 {
			return c
		}
		// Shorten the longest list by a quarter, the people and steps
		// first: the table is what the card is for.
		switch {
		case people >= steps && people > 1:
			people -= max(1, people/4)
		case steps > 1:
			steps -= max(1, steps/4)
		default:
			units -= max(1, units/4)
		}
	}
}

// requestBytes is the size of card as a request carries it: a JSON string,
// escaped as encoding/json escapes it (the SDK's encoder).
func requestBytes(card []byte) int {
	b, _ := json.Marshal(string(card))
	return len(b) - 2
}

func progressCard(p Progress, maxUnits, maxPeople, maxSteps int) []byte {
	items := p.Items[:min(len(p.Items), maxProgressItems, len(p.Totals))]
	units := p.Units[:min(len(p.Units), maxUnits)]
	done, total, overdue := 0, 0, 0
	var lines []string
	for i, it := range items {
		t := p.Totals[i]
		done, total, overdue = done+t.Done, total+t.Done+t.Owed, overdue+t.Overdue
		l := fmt.Sprintf("- **%s**：已完成%d/%d（%d%%）", escLine(clip(it, 10)), t.Done, t.Done+t.Owed, pct(t.Done, t.Done+t.Owed))
		if t.Overdue > 0 {
			l += fmt.Sprintf("，<font color='red'>逾期%d</font>", t.Overdue)
		}
		lines = append(lines, l)
	}
	head := fmt.Sprintf("**总体完成情况：**%d/%d（%d%%）", done, total, pct(done, total))
	if p.State != "" {
		head += "\n本期已" + escLine(p.State) + "，填报事项不再统计。"
	}
	if p.AsOf != "" {
		head += "\n<font color='grey'>统计时间：" + escLine(p.AsOf) + "；每项按人次计（如10人各欠2周周记实计20）</font>"
	}
	if len(lines) > 0 {
		head += "\n" + strings.Join(lines, "\n")
	} else {
		head += "\n暂无需要统计的事项。"
	}
	els := []elem{md(head)}
	if len(p.Publicity) > 0 {
		els = append(els, md(publicityReads(p.Publicity)))
	}
	if len(p.YearRatings) > 0 {
		els = append(els, md(yearRatingLines(p.YearRatings)))
	}
	if len(items) > 0 {
		els = append(els, itemChart(items, p.Totals))
	}
	if len(units) > 0 {
		if len(items) > 0 {
			els = append(els, unitChart(units[:min(len(units), maxChartUnits)]))
		}
		els = append(els, unitTable(items, units))
		if len(p.Units) > len(units) {
			els = append(els, note(fmt.Sprintf("另有%d个单位未列出。", len(p.Units)-len(units))))
		}
	}
	if len(p.Overdue) > 0 {
		shown := p.Overdue[:min(len(p.Overdue), maxPeople)]
		ls := make([]string, len(shown))
		for i, o := range shown {
			l := escLine(clip(o.Name, 20))
			if o.Unit != "" {
				l += "（" + escLine(clip(o.Unit, 20)) + "）"
			}
			its := make([]string, min(len(o.Items), maxLateItems))
			for j := range its {
				its[j] = escLine(clip(o.Items[j], 30))
			}
			l += " " + strings.Join(its, "、")
			if len(o.Items) > len(its) {
				l += fmt.Sprintf(" 等%d项", len(o.Items))
			}
			if o.Days > 0 {
				l += fmt.Sprintf(" <font color='red'>逾期%d天</font>", o.Days)
			}
			if o.OnLeave {
				l += " <font color='grey'>（请假中，不催办）</font>"
			}
			ls[i] = "- " + l
		}
		more := ""
		if len(p.Overdue) > len(shown) {
			more = fmt.Sprintf("\n…另有%d人", len(p.Overdue)-len(shown))
		}
		els = append(els, md(fmt.Sprintf("**逾期未完成（%d人）**\n%s%s", len(p.Overdue), strings.Join(ls, "\n"), more)))
	} else {
		els = append(els, md("暂无逾期未填报人员。"))
	}
	if len(p.Steps) > 0 {
		shown := p.Steps[:min(len(p.Steps), maxSteps)]
		ls := make([]string, len(shown))
		for i, s := range shown {
			holder := "：暂无审核人"
			if s.Holder != "" {
				holder = "：待" + escLine(clip(s.Holder, 20)) + "审核"
			}
			l := "- " + escLine(clip(s.Step, 10)) + " · " + escLine(clip(s.Person, 20))
			if s.Unit != "" {
				l += "（" + escLine(clip(s.Unit, 20)) + "）"
			}
			l += holder
			if s.Days > 0 {
				l += fmt.Sprintf(" <font color='red'>逾期%d天</font>", s.Days)
			} else if s.Due != "" {
				l += " <font color='grey'>截止" + escLine(s.Due) + "</font>"
			}
			ls[i] = l
		}
		more := ""
		if len(p.Steps) > len(shown) {
			more = fmt.Sprintf("\n…另有%d项", len(p.Steps)-len(shown))
		}
		els = append(els, md(fmt.Sprintf("**待审核环节（%d项）**\n%s%s", len(p.Steps), strings.Join(ls, "\n"), more)))
	}
	var row []Button
	if p.Chase {
		text := "一键催办逾期人员"
		if overdue == 0 && len(p.Overdue) == 0 {
			text = "一键催办未测评人员" // only a 年度测评 is owed
		}
		row = append(row, Button{Text: text, Primary: true, Value: Value{K: KindChase}})
	}
	row = append(row, Button{Text: "刷新", Value: Value{K: KindProgress, ID: p.Period}})
	for _, o := range p.Others[:min(len(p.Others), maxOtherPeriods)] {
		row = append(row, Button{Text: "查看" + PeriodLabel(o), Value: Value{K: KindProgress, ID: o}})
	}
	bs := buttonRow(row)
	cols := bs["columns"].([]elem)
	// The 催办 and refresh buttons keep the names the simulator tests
	// press them by.
	if p.Chase {
		cols[0]["elements"].([]elem)[0]["name"] = "chase"
		cols[1]["elements"].([]elem)[0]["name"] = "refresh"
	} else {
		cols[0]["elements"].([]elem)[0]["name"] = "refresh"
	}
	els = append(els, bs)
	colour := Green
	if overdue > 0 || len(p.Overdue) > 0 {
		colour = Orange
	}
	return build("考核进度", PeriodLabel(p.Period), colour, fmt.Sprintf("考核进度 %d/%d，逾期%d", done, total, overdue), els)
}

// publicityReads is the 公示 section: a line per message with its readers
// out of the organisation's people, who has not read it (the first 20,
// then how many in all) and how many readers are from outside.
func publicityReads(rs []PublicityRead) string {
	lines := []string{"**公示已读情况**"}
	for _, r := range rs[:min(len(rs), maxPublicityLines)] {
		where := escLine(clip(r.Group, 20))
		if r.Grade != "" {
			where += "·" + escLine(clip(r.Grade, 10))
		}
		if r.Note != "" {
			lines = append(lines, "- "+where+"：<font color='grey'>"+escLine(clip(r.Note, 60))+"</font>")
			continue
		}
		l := fmt.Sprintf("- 公示已读 %d/%d（%s）", r.Read, r.Total, where)
		if len(r.Unread) > 0 {
			l += "；未读：" + someNames(r.Unread)
		}
		if r.Others > 0 {
			l += fmt.Sprintf("；<font color='grey'>另有%d名本单位以外人员已读</font>", r.Others)
		}
		lines = append(lines, l)
	}
	if len(rs) > maxPublicityLines {
		lines = append(lines, fmt.Sprintf("…另有%d条公示未列出", len(rs)-maxPublicityLines))
	}
	return strings.Join(lines, "\n")
}

// someNames lists the first maxUnreadShown names, escaped and clipped,
// and how many there are in all when that is more ("…等25人").
func someNames(all []string) string {
	shown := all[:min(len(all), maxUnreadShown)]
	names := make([]string, len(shown))
	for i, n := range shown {
		names[i] = escLine(clip(n, 20))
	}
	out := strings.Join(names, "、")
	if len(all) > len(shown) {
		out += fmt.Sprintf("等%d人", len(all))
	}
	return out
}

// yearRatingLines is the 年度测评 section: a line per open round with how
// many have rated and the names of the first 20 who have not.
func yearRatingLines(ys []YearRating) string {
	lines := []string{"**年度测评**"}
	for _, y := range ys[:min(len(ys), 2)] {
		l := fmt.Sprintf("- %d年度测评：已测评%d/%d（%d%%），%s截止", y.Year, y.Rated, y.Raters, pct(y.Rated, y.Raters), escLine(clip(y.Due, 10)))
		if len(y.Pending) > 0 {
			l += "；未测评：" + someNames(y.Pending)
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// itemChart is a percent-stacked bar per item: its shares done, owed and
// not yet late, and overdue. Shares, not counts: a period asks for a
// hundred 周记实 and a handful of 评鉴, and counts would hide the steps.
func itemChart(items []string, totals []Tally) elem {
	var values []elem
	for i, it := range items {
		t := totals[i]
		n := t.Done + t.Owed
		d, o := pct(t.Done, n), pct(t.Overdue, n)
		name := clip(it, 10)
		values = append(values,
			elem{"item": name, "status": "已完成", "share": d},
			elem{"item": name, "status": "未逾期", "share": max(0, 100-d-o)},
			elem{"item": name, "status": "已逾期", "share": o})
	}
	return elem{
		"tag":          "chart",
		"aspect_ratio": "16:9",
		"chart_spec": elem{
			"type":        "bar",
			"title":       elem{"text": "各事项完成情况（%）"},
			"data":        elem{"values": values},
			"xField":      "item",
			"yField":      "share",
			"seriesField": "status",
			"stack":       true,
			"legends":     elem{"visible": true, "orient": "bottom"},
			"axes":        []elem{{"orient": "left", "min": 0, "max": 100}},
		},
	}
}

// unitChart is each unit's completion over all its items.
func unitChart(units []UnitProgress) elem {
	values := make([]elem, len(units))
	for i, u := range units {
		d, n := 0, 0
		for _, c := range u.Cells {
			d, n = d+c.Done, n+c.Done+c.Owed
		}
		values[i] = elem{"unit": clip(u.Unit, 20), "rate": pct(d, n)}
	}
	return elem{
		"tag":          "chart",
		"aspect_ratio": "16:9",
		"chart_spec": elem{
			"type":   "bar",
			"title":  elem{"text": "各单位总体完成率（%）"},
			"data":   elem{"values": values},
			"xField": "unit",
			"yField": "rate",
			"label":  elem{"visible": true},
			"axes": []elem{
				{"orient": "left", "min": 0, "max": 100},
				{"orient": "bottom", "label": elem{"autoRotate": true}},
			},
		},
	}
}

// unitTable lists the units by items: done/asked and the overdue count.
func unitTable(items []string, units []UnitProgress) elem {
	columns := []elem{{"name": "unit", "display_name": "单位", "data_type": "text", "width": "auto"}}
	for i, it := range items {
		columns = append(columns, elem{"name": fmt.Sprintf("c%d", i), "display_name": clip(it, 10), "data_type": "text", "width": "auto"})
	}
	rows := make([]elem, len(units))
	for i, u := range units {
		r := elem{"unit": clip(u.Unit, 20)}
		for j := range items {
			var t Tally
			if j < len(u.Cells) {
				t = u.Cells[j]
			}
			r[fmt.Sprintf("c%d", j)] = cell(t)
		}
		rows[i] = r
	}
	return elem{
		"tag":          "table",
		"page_size":    10,
		"row_height":   "low",
		"header_style": elem{"background_style": "grey", "bold": true},
		"columns":      columns,
		"rows":         rows,
	}
}
