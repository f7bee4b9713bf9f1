package card

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// maxDraftLine caps one line of a drafted text, so one long title cannot
// crowd out the others.
const maxDraftLine = 120

// FillDraft prefills a 月小结 not yet saved from its draft
// (workflow.DraftMonthly): 本月工作目标 lists every item with its deadline,
// 完成情况 says how each stands (done, done late, in progress, unfinished,
// with dates), and one 未完成事项 row is opened per unfinished item with
// the reason left for the person to write (the form refuses a row
// without one). Every text fits its input: lines that do not fit are
// counted in a last line, and unfinished items beyond the rows share the
// last row. A draft without items leaves the form as it is.
func (f *MonthlyForm) FillDraft(d workflow.MonthlyDraft) {
	if len(d.Items) == 0 {
		return
	}
	var goals, done []string
	for i, it := range d.Items {
		n := fmt.Sprintf("%d. %s", i+1, it.Title)
		g := n
		if !it.Deadline.IsZero() {
			g += "（时限 " + it.Deadline.String() + "）"
		}
		goals = append(goals, clip(g, maxDraftLine))
		done = append(done, clip(n+"："+draftStatus(it), maxDraftLine))
	}
	f.Goals = fitLines(goals, MaxText)
	f.Completion = fitLines(done, MaxLongText)
	var rows []Unfinished
	for _, it := range d.Unfinished() {
		rows = append(rows, Unfinished{Item: it.Title})
	}
	if len(rows) > MaxUnfinishedRows {
		rest := make([]string, 0, len(rows)-MaxUnfinishedRows+1)
		for _, r := range rows[MaxUnfinishedRows-1:] {
			rest = append(rest, r.Item)
		}
		rows = append(rows[:MaxUnfinishedRows-1], Unfinished{Item: strings.Join(rest, "；")})
	}
	for i := range rows {
		rows[i].Item = clip(rows[i].Item, MaxShortText)
	}
	f.Unfinished = rows
	f.Drafted = true
}

// draftStatus says how an item stands, with its dates.
func draftStatus(it workflow.DraftItem) string {
	var when []string
	if !it.Deadline.IsZero() {
		when = append(when, "时限 "+it.Deadline.String())
	}
	switch it.State {
	case workflow.DraftDone, workflow.DraftLate:
		switch {
		case !it.DoneOn.IsZero():
			when = append(when, it.DoneOn.String()+" 完成")
		case it.Week != "":
			when = append(when, weekSpan(it.Week)+"周报告完成")
		}
		s := "已完成"
		if it.State == workflow.DraftLate {
			s = "逾期完成"
		}
		return s + paren(when)
	case workflow.DraftUnfinished:
		return fmt.Sprintf("未完成，进度 %d%%%s，原因见未完成事项", it.Progress, paren(when))
	}
	return fmt.Sprintf("进行中，进度 %d%%%s", it.Progress, paren(when))
}

// weekSpan is a week's dates: "2026-03-09 至 03-15 当".
func weekSpan(week string) string {
	w, err := calendar.ParsePeriod(week)
	if err != nil {
		return PeriodLabel(week)
	}
	return w.Start().String() + " 至 " + w.End().String()[5:] + " 当"
}

func paren(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return "（" + strings.Join(parts, "；") + "）"
}

// fitLines joins lines with newlines within limit runes; the lines that do
// not fit are counted in a last line.
func fitLines(lines []string, limit int) string {
	var b strings.Builder
	n := 0
	for i, l := range lines {
		more := ""
		if i < len(lines)-1 {
			more = fmt.Sprintf("\n……另有 %d 项未列出", len(lines)-i-1)
		}
		if utf8.RuneCountInString(l)+1+utf8.RuneCountInString(more)+n > limit {
			tail := fmt.Sprintf("……另有 %d 项未列出", len(lines)-i)
			if n > 0 {
				tail = "\n" + tail
			}
			b.WriteString(tail)
			return b.String()
		}
		if n > 0 {
			b.WriteByte('\n')
			n++
		}
		b.WriteString(l)
		n += utf8.RuneCountInString(l)
	}
	return b.String()
}
