package card

import (
	"fmt"
	"strings"
)

// Limits of the progress card.
const (
	maxProgressUnits = 40
	maxOverdueShown  = 60
)

// UnitProgress is one unit's completion.
type UnitProgress struct {
	Unit  string
	Done  int
	Total int
}

// Overdue is one person who has not acted by the deadline.
type Overdue struct {
	Name string
	Unit string
	// Item is what is missing ("周记实 第40周", "季度小结").
	Item string
	// Days overdue.
	Days int
}

// Progress is the HR progress card.
type Progress struct {
	Period string
	// Item is what is counted ("季度小结", "民主测评", "考核审核").
	Item string
	// AsOf is when the numbers were taken ("2026-10-09 10:30").
	AsOf    string
	Units   []UnitProgress
	Overdue []Overdue
	// Chase shows the 催办 button (KindChase), which reminds everyone
	// overdue at once.
	Chase bool
}

func pct(done, total int) int {
	if total <= 0 {
		return 0
	}
	return done * 100 / total
}

// ProgressCard renders completion by unit (a table and a bar chart) and the
// overdue people. At most 40 units and 60 overdue people are listed.
func ProgressCard(p Progress) []byte {
	units := p.Units
	if len(units) > maxProgressUnits {
		units = units[:maxProgressUnits]
	}
	done, total := 0, 0
	for _, u := range p.Units {
		done += u.Done
		total += u.Total
	}
	item := p.Item
	if item == "" {
		item = "考核事项"
	}
	head := fmt.Sprintf("**%s完成情况：**%d/%d（%d%%）", escLine(item), done, total, pct(done, total))
	if p.AsOf != "" {
		head += "\n<font color='grey'>统计时间：" + escLine(p.AsOf) + "</font>"
	}
	els := []elem{md(head)}
	if len(units) > 0 {
		rows := make([]elem, len(units))
		values := make([]elem, len(units))
		for i, u := range units {
			name := clip(u.Unit, 20)
			rows[i] = elem{"unit": name, "done": fmt.Sprintf("%d/%d", u.Done, u.Total), "rate": pct(u.Done, u.Total)}
			values[i] = elem{"unit": name, "rate": pct(u.Done, u.Total)}
		}
		els = append(els, elem{
			"tag":          "chart",
			"aspect_ratio": "16:9",
			"chart_spec": elem{
				"type":   "bar",
				"title":  elem{"text": "各单位完成率（%）"},
				"data":   elem{"values": values},
				"xField": "unit",
				"yField": "rate",
				"label":  elem{"visible": true},
				"axes": []elem{
					{"orient": "left", "min": 0, "max": 100},
					{"orient": "bottom", "label": elem{"autoRotate": true}},
				},
			},
		})
		els = append(els, elem{
			"tag":          "table",
			"page_size":    10,
			"row_height":   "low",
			"header_style": elem{"background_style": "grey", "bold": true},
			"columns": []elem{
				{"name": "unit", "display_name": "单位", "data_type": "text", "width": "auto"},
				{"name": "done", "display_name": "已完成/应完成", "data_type": "text", "width": "auto"},
				{"name": "rate", "display_name": "完成率（%）", "data_type": "number", "format": elem{"precision": 0}, "width": "auto"},
			},
			"rows": rows,
		})
	}
	if len(p.Overdue) > 0 {
		shown := p.Overdue[:min(len(p.Overdue), maxOverdueShown)]
		lines := make([]string, len(shown))
		for i, o := range shown {
			l := escLine(o.Name)
			if o.Unit != "" {
				l += "（" + escLine(o.Unit) + "）"
			}
			if o.Item != "" {
				l += " " + escLine(o.Item)
			}
			if o.Days > 0 {
				l += fmt.Sprintf(" <font color='red'>逾期%d天</font>", o.Days)
			}
			lines[i] = "- " + l
		}
		more := ""
		if len(p.Overdue) > len(shown) {
			more = fmt.Sprintf("\n…另有%d人", len(p.Overdue)-len(shown))
		}
		els = append(els, md(fmt.Sprintf("**逾期未完成（%d人）**\n%s%s", len(p.Overdue), strings.Join(lines, "\n"), more)))
	} else {
		els = append(els, md("暂无逾期人员。"))
	}
	if p.Chase {
		els = append(els, columns(
			[]elem{button("chase", "一键催办逾期人员", "primary", Value{K: KindChase})},
			[]elem{button("refresh", "刷新", "default", Value{K: KindProgress, ID: p.Period})},
		))
	}
	colour := Green
	if len(p.Overdue) > 0 {
		colour = Orange
	}
	period := PeriodLabel(p.Period)
	return build("考核进度："+item, period, colour, fmt.Sprintf("%s进度 %d/%d", item, done, total), els)
}
