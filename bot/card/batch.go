package card

import (
	"fmt"
	"strings"
)

// KindBatch opens a leader's 批量审核 card of one unit. ID: the unit; V: 0
// (the card is a view; each 去审核 opens the person's scoring card, which
// carries the step's version).
const KindBatch = "batch"

// MaxBatchRows is the most people one 批量审核 card lists: each row is a
// column set with the person's lines and a button, six of Lark's 200
// elements.
const MaxBatchRows = 25

// BatchRow is one pending step on the 批量审核 card.
type BatchRow struct {
	// StepID opens the scoring card; Step is its name (初评), Period the
	// period it belongs to.
	StepID, Step, Period string
	Person               string
	// Summary is the first line of the person's self-summary.
	Summary string
	Due     string
	// Days overdue; 0 when not overdue.
	Days int
}

// Batch is a leader's pending steps in one unit.
type Batch struct {
	UnitID, Unit string
	Rows         []BatchRow
}

// BatchCard renders the 批量审核 card: every pending step of the leader in
// one unit, each person's self-summary's first line and a 去审核 button
// that opens their scoring card in place of this one.
//
// Why not score them all on this card: Card JSON 2.0 puts a form only at
// the card's root and never inside another container, names every input
// card-wide, and caps a card at 200 elements and 30 KB (表单容器, 卡片
// JSON 2.0 结构); one person's scoring form (S4: 17 indicators, 加减分,
// 评语) is already most of a card, and a reply to a callback replaces the
// whole card, so two people's forms would neither fit nor survive one
// submission. A table cannot hold buttons (表格: text, markdown, options,
// persons, dates, numbers), so the rows are column sets.
func BatchCard(b Batch) []byte {
	overdue := 0
	for _, r := range b.Rows {
		if r.Days > 0 {
			overdue++
		}
	}
	var els []elem
	if len(b.Rows) == 0 {
		els = append(els, md("该单位暂无待您审核的人员。"))
	} else {
		els = append(els, note("逐人打开评分卡片审核；评分后发送「审核」或点「刷新」回到本单位列表。"))
	}
	shown := b.Rows[:min(len(b.Rows), MaxBatchRows)]
	for i, r := range shown {
		lines := []string{"**" + escLine(clip(r.Person, 20)) + "** · " + escLine(clip(r.Step, 10)) + " · " + PeriodLabel(r.Period)}
		if r.Summary != "" {
			lines = append(lines, "<font color='grey'>小结："+escLine(clip(r.Summary, 60))+"</font>")
		} else {
			lines = append(lines, "<font color='grey'>（无季度小结）</font>")
		}
		switch {
		case r.Days > 0:
			lines = append(lines, fmt.Sprintf("<font color='red'>已逾期%d天（截止%s）</font>", r.Days, escLine(r.Due)))
		case r.Due != "":
			lines = append(lines, "<font color='grey'>截止"+escLine(r.Due)+"</font>")
		}
		typ := "default"
		if r.Days > 0 {
			typ = "primary"
		}
		c := columns([]elem{md(strings.Join(lines, "\n"))}, []elem{button(fmt.Sprintf("batch_%d", i+1), "去审核", typ, Open(FormStep, r.StepID))})
		c["columns"].([]elem)[1]["width"] = "auto"
		delete(c["columns"].([]elem)[1], "weight")
		els = append(els, c)
	}
	if len(b.Rows) > len(shown) {
		els = append(els, note(fmt.Sprintf("另有%d人未显示，请先审核以上人员。", len(b.Rows)-len(shown))))
	}
	els = append(els, buttonRow([]Button{{Text: "刷新", Value: Value{K: KindBatch, ID: b.UnitID}}, {Text: "返回待办", Value: Value{K: KindTodo}}}))
	unit := clip(b.Unit, 20)
	if unit == "" {
		unit = "未分配单位"
	}
	sub := fmt.Sprintf("%d人待审核", len(b.Rows))
	colour := Blue
	if overdue > 0 {
		sub += fmt.Sprintf("，其中%d人已逾期", overdue)
		colour = Orange
	}
	return build("批量审核："+unit, sub, colour, "批量审核："+unit+"，"+sub, els)
}

// BatchUnit is one unit on the 批量审核 index: how many steps the leader
// holds there.
type BatchUnit struct {
	UnitID, Unit   string
	Count, Overdue int
	// Earliest is the earliest deadline among the steps.
	Earliest string
}

// BatchIndexCard lists the units a leader has steps in, each with a button
// to its 批量审核 card: a reply is one card, so a leader with steps in
// several units opens one card per unit from here.
func BatchIndexCard(units []BatchUnit) []byte {
	var els []elem
	if len(units) == 0 {
		els = append(els, md("暂无待您审核的人员。"))
	}
	shown := units[:min(len(units), MaxTodoItems)]
	total := 0
	for _, u := range units {
		total += u.Count
	}
	for i, u := range shown {
		name := clip(u.Unit, 20)
		if name == "" {
			name = "未分配单位"
		}
		line := fmt.Sprintf("**%s**：%d人待审核", escLine(name), u.Count)
		typ := "default"
		if u.Overdue > 0 {
			line += fmt.Sprintf("，<font color='red'>%d人已逾期</font>", u.Overdue)
			typ = "primary"
		}
		if u.Earliest != "" {
			line += "\n<font color='grey'>最早截止" + escLine(u.Earliest) + "</font>"
		}
		c := columns([]elem{md(line)}, []elem{button(fmt.Sprintf("unit_%d", i+1), "批量审核", typ, Value{K: KindBatch, ID: u.UnitID})})
		c["columns"].([]elem)[1]["width"] = "auto"
		delete(c["columns"].([]elem)[1], "weight")
		els = append(els, c)
	}
	if len(units) > len(shown) {
		els = append(els, note(fmt.Sprintf("另有%d个单位未显示。", len(units)-len(shown))))
	}
	els = append(els, button("todo", "返回待办", "default", Value{K: KindTodo}))
	sub := fmt.Sprintf("%d个单位，共%d人", len(units), total)
	return build("批量审核", sub, Blue, "批量审核："+sub, els)
}
