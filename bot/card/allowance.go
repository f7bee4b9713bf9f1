package card

import "strconv"

// AllowanceRow is one line of the allowance card: a person's cut in a
// month, in words (workflow.AllowanceLine, laid out by the bot).
type AllowanceRow struct {
	Name, Unit, Month, Allowance string
	// Basis is the attendance or the score that brought the rule on; Cut
	// the deduction in words; Amount the share of the 月标准 or the sum.
	Basis, Cut, Amount string
}

// Allowance is the period's allowance table (S2 五) for HR.
type Allowance struct {
	Period string
	Rows   []AllowanceRow
	// People is how many people the rows concern.
	People int
	// Note says how to read the table (the shares are of each person's
	// 月标准; unrecorded months; results not yet in).
	Note string
	// File is the name of the .xlsx sent with the card ("" when none
	// could be sent); FileWhy why not.
	File, FileWhy string
}

// maxAllowanceRows keeps the card's table under Lark's 30 KB: a row is
// some 300 bytes, so 60 rows leave room for the rest. The file has all.
const maxAllowanceRows = 60

// AllowanceCard shows the allowance table: one table row per cut, paged
// by Lark ten at a time, at most maxAllowanceRows; the .xlsx has them all.
func AllowanceCard(a Allowance) []byte {
	label := PeriodLabel(a.Period)
	head := "**" + label + "津贴扣减**：" + strconv.Itoa(a.People) + "人，" + strconv.Itoa(len(a.Rows)) + "项"
	els := []elem{md(head)}
	rows := a.Rows
	if len(rows) > maxAllowanceRows {
		rows = rows[:maxAllowanceRows]
	}
	if len(rows) == 0 {
		els = append(els, md("本期没有需要扣减津贴的人员。"))
	} else {
		values := make([]elem, len(rows))
		for i, r := range rows {
			values[i] = elem{
				"name": clip(r.Name, 20), "month": r.Month, "allowance": r.Allowance,
				"basis": clip(r.Basis, 60), "cut": clip(r.Cut, 60), "amount": r.Amount,
			}
		}
		els = append(els, elem{
			"tag":          "table",
			"page_size":    10,
			"row_height":   "auto",
			"header_style": elem{"background_style": "grey", "bold": true, "text_color": "default"},
			"columns": []elem{
				{"name": "name", "display_name": "姓名", "data_type": "text", "width": "auto"},
				{"name": "month", "display_name": "月份", "data_type": "text", "width": "auto"},
				{"name": "allowance", "display_name": "津贴", "data_type": "text", "width": "auto"},
				{"name": "basis", "display_name": "情况", "data_type": "text", "width": "auto"},
				{"name": "cut", "display_name": "扣减", "data_type": "text", "width": "auto"},
				{"name": "amount", "display_name": "比例/金额", "data_type": "text", "width": "auto"},
			},
			"rows": values,
		})
		if len(a.Rows) > len(rows) {
			els = append(els, md("表格仅显示前"+strconv.Itoa(len(rows))+"项，全部"+strconv.Itoa(len(a.Rows))+"项见文件。"))
		}
	}
	if a.Note != "" {
		els = append(els, md(clip(a.Note, maxLineRunes)))
	}
	switch {
	case a.File != "":
		els = append(els, md("完整表格《"+a.File+"》将以文件发送给您。"))
	case a.FileWhy != "":
		els = append(els, md("表格文件未能发送："+a.FileWhy))
	}
	return build(label+"津贴扣减表", "S2 五", Blue, label+"津贴扣减", els)
}
