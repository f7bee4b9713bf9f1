package card

import (
	"fmt"
	"strings"
)

// MaxUniformLines is the most scorers and units the committee card lists
// under 评分区分度; the rest are counted, so a large organisation's card
// stays within Lark's size limit.
const MaxUniformLines = 20

// UniformLine is a scorer or a unit whose scores are too uniform to tell
// people apart (大锅饭), with the numbers the committee judges by.
type UniformLine struct {
	// Who is the scorer ("科长钱（综合科）") or the unit ("综合科").
	Who string
	// Scorer: Who scored these people (评定N人); otherwise Who is a unit
	// (共N人).
	Scorer bool
	// Count is how many people the numbers are over.
	Count int
	// Mean, Stdev and Range are in points, as text ("88.5"); "" when the
	// scheme gives no scores (the leader sets the grade).
	Mean, Stdev, Range string
	// TopGrade is the top grade, TopShare its share as text ("83%"); ""
	// when nobody was graded.
	TopGrade, TopShare string
	// LowStdev, LowRange and HighTop mark the numbers that crossed a
	// threshold; they are shown in bold.
	LowStdev, LowRange, HighTop bool
}

// uniformNote tells the committee what it can do about a line: send it
// back to be scored again (the form under it, CommitteeCard), which
// reopens the appraisal.
const uniformNote = "注：委员会可将以上评分退回重评：被退回人员的考核重新开放，重评和审核完成后重新提交审定，已作的审定随之作废。"

// uniformSection renders the 评分区分度 section: one markdown element with a
// line per scorer or unit, and the note; nothing without lines.
func uniformSection(lines []UniformLine) []elem {
	if len(lines) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**评分区分度**：以下%d处评分过于接近，难以区分优劣（大锅饭）：", len(lines))
	for i, l := range lines {
		if i == MaxUniformLines {
			fmt.Fprintf(&b, "\n另有%d处未列出。", len(lines)-MaxUniformLines)
			break
		}
		b.WriteString("\n· " + uniformText(l))
	}
	return []elem{md(b.String()), md(uniformNote)}
}

// uniformText is one line: "科长钱（综合科）评定6人：平均88.5分，标准差0.96分，
// 极差3分，「好」占83%——区分度不足".
func uniformText(l UniformLine) string {
	bold := func(s string, on bool) string {
		if on {
			return "**" + s + "**"
		}
		return s
	}
	who := escLine(clip(l.Who, 40))
	head := fmt.Sprintf("%s共%d人", who, l.Count)
	if l.Scorer {
		head = fmt.Sprintf("%s评定%d人", who, l.Count)
	}
	var parts []string
	if l.Mean != "" {
		parts = append(parts, "平均"+escLine(l.Mean)+"分")
	}
	if l.Stdev != "" {
		parts = append(parts, bold("标准差"+escLine(l.Stdev)+"分", l.LowStdev))
	}
	if l.Range != "" {
		parts = append(parts, bold("极差"+escLine(l.Range)+"分", l.LowRange))
	}
	if l.TopShare != "" {
		parts = append(parts, bold("「"+escLine(l.TopGrade)+"」占"+escLine(l.TopShare), l.HighTop))
	}
	return head + "：" + strings.Join(parts, "，") + "——区分度不足"
}
