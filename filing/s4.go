package filing

import (
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// s4Register is S4 附件3 公务员平时考核登记表, one sheet per person, in the
// paper's order: 个人基本情况, 个人小结 (工作实绩), 本期内参加培训情况,
// 科室负责人评语和考核等次初评建议 with the grade boxes, 分管领导审定,
// 主管考核领导评鉴, 未确定等次或未参加考核情况说明. Ten narrow columns let the
// first row hold the paper's four label/value pairs.
func s4Register(b *book, f workflow.Filing) error {
	return perPerson(b, f, "公务员平时考核登记表", []float64{7, 7, 9, 9, 7, 9, 9, 9, 9, 9}, "J", s4RegisterSheet)
}

func s4RegisterSheet(s *sheet, f workflow.Filing, fp workflow.FilingPeriod, p workflow.FilingPerson, r *workflow.FilingRecord) int {
	st := s.b.st
	s.set("A1", "附件3", st.attach)
	s.merge("A2", "J2", "公务员平时考核登记表", st.title)
	s.height(2, 32)
	s.merge("A3", "J3", formPeriod(fp.Period), st.subtitle)
	s.height(3, 22)
	// 个人基本情况.
	s.merge("A4", "B4", "姓　名", st.label)
	s.merge("C4", "D4", p.Name, st.center)
	s.set("E4", "性别", st.label)
	s.set("F4", "", st.center)
	s.set("G4", "出生年月", st.label)
	s.set("H4", "", st.center)
	s.set("I4", "政治面貌", st.label)
	s.set("J4", "", st.center)
	s.height(4, 30)
	s.merge("A5", "B5", "科　室", st.label)
	s.merge("C5", "E5", p.UnitName, st.center)
	s.merge("F5", "G5", "单位及职务\n（职级）", st.label)
	s.merge("H5", "J5", position(f, p), st.center)
	s.height(5, 34)
	// 个人小结.
	summary, training, at := "", "", ""
	if r.Summary != nil {
		summary, training = r.Summary.Body.Summary, r.Summary.Body.Training
		at = signed(p.Name, r.Summary.SubmittedAt)
	} else {
		at = signed("", zeroTime)
	}
	text := "（条例式简述工作完成情况，取得的成效。）\n" + summary + "\n\n" + at
	s.merge("A6", "A6", "个\n人\n小\n结", st.label)
	s.set("B6", "工作\n实绩", st.label)
	s.merge("C6", "J6", text, st.text)
	s.fit(6, text, 3, 10, 190)
	s.merge("A7", "B7", "本期内参加\n培训情况", st.label)
	s.merge("C7", "J7", training, st.text)
	s.fit(7, training, 3, 10, 48)
	// 科室负责人评语和考核等次初评建议, with the grade boxes under it.
	first := stepFor(r, workflow.RoleUnitLeader)
	if first == nil && len(r.Steps) > 0 && r.Steps[0].Role != workflow.RoleHead {
		first = &r.Steps[0] // a unit's own leader starts at 审定 (the leader chain)
	}
	comment, sign, grade, score := "", signed("", zeroTime), "", ""
	if first != nil {
		comment, sign, grade, score = first.Assessment.Comment, signed(first.Leader, first.ActedAt), first.Grade, first.Score
	}
	text = comment + "\n\n" + sign
	s.merge("A8", "B9", "科室负责人\n评语和考核\n等次初评建议", st.label)
	s.merge("C8", "J8", text, st.text)
	s.fit(8, text, 3, 10, 96)
	grades := f.Grades
	for i := 0; i < 4; i++ {
		label, value := "", ""
		if i < len(grades) {
			label = grades[i]
			if grades[i] == grade {
				label = "■" + label
				value = score
			} else {
				label = "□" + label
			}
		}
		s.set(cellName(3+2*i, 9), label, st.label)
		v := ""
		if value != "" {
			v = "分数 " + value
		} else if label != "" {
			v = "分数"
		}
		s.set(cellName(4+2*i, 9), v, st.center)
	}
	s.height(9, 26)
	// 分管领导审定 and 主管考核领导评鉴.
	sup := stepFor(r, workflow.RoleSupervisor)
	if sup == first {
		sup = nil
	}
	text = opinion(sup) + "\n\n" + signedStep(sup)
	s.merge("A10", "B10", "分管领导\n审定", st.label)
	s.merge("C10", "J10", text, st.text)
	s.fit(10, text, 3, 10, 64)
	head := stepFor(r, workflow.RoleHead)
	text = opinion(head)
	if g := gradeOf(r); g != "" {
		text += "\n考核等次：" + g
		if sc := scoreOf(r); sc != "" {
			text += "（" + sc + "分）"
		}
	}
	text += "\n\n" + signedStep(head)
	s.merge("A11", "B11", "主管考核\n领导评鉴", st.label)
	s.merge("C11", "J11", text, st.text)
	s.fit(11, text, 3, 10, 64)
	text = stateWords(r)
	if text != "" {
		text += "\n\n" + signed("", zeroTime)
	}
	s.merge("A12", "B12", "未确定等次\n或未参加考核\n情况说明", st.label)
	s.merge("C12", "J12", text, st.text)
	s.fit(12, text, 3, 10, 52)
	s.merge("A13", "J13", "本表双面打印一式2份，1份由本人保存，另1份由局人事科留存。", st.note)
	s.height(13, 20)
	return 13
}

// signedStep is a step's signature line, blank without a step.
func signedStep(st *workflow.FilingStep) string {
	if st == nil {
		return signed("", zeroTime)
	}
	return signed(st.Leader, st.ActedAt)
}

// s4Summary is S4 附件4 公务员平时考核结果汇总表 for a year: one row per
// quarter with the 好 count, its share of those who took part, the names
// (seconded people apart, in the paper's own column), and those graded
// 一般 or below or not graded; a second sheet lists each person against
// the four quarters, which is what the counts are made of.
func s4Summary(b *book, f workflow.Filing) error {
	st := b.st
	s := b.sheet("汇总表")
	s.cols(11, 10, 14, 32, 22, 32)
	s.set("A1", "附件4", st.attach)
	s.merge("A2", "F2", "公务员平时考核结果汇总表", st.title)
	s.height(2, 32)
	s.merge("A3", "F3", fmt.Sprintf("（%d年度）", f.Year), st.subtitle)
	due, took := yearCounts(f)
	s.merge("A4", "C4", "单位：（盖章）"+f.Org, st.note)
	s.merge("D4", "D4", "单位应参加考核总人数："+strconv.Itoa(due), st.note)
	s.merge("E4", "E4", "实际参加考核总人数："+strconv.Itoa(took), st.note)
	s.merge("F4", "F4", "填报时间："+zhDate(f.AsOf), st.noteRight)
	s.height(4, 24)
	heads := []string{"考核周期", "考核为好等次人数", "好等次人数占实际参加考核总人数比例", "考核为好等次人员名单",
		"因派驻、挂职等原因在接收单位考核为好等次人员名单", "评定为一般及以下等次、未定等次人员名单"}
	for i, h := range heads {
		s.set(cellName(i+1, 5), h, st.head)
	}
	s.height(5, 58)
	top := ""
	if len(f.Grades) > 0 {
		top = f.Grades[0]
	}
	byQuarter := map[int]workflow.FilingPeriod{}
	for _, fp := range f.Periods {
		if q := quarterOf(fp.Period); q > 0 {
			byQuarter[q] = fp
		}
	}
	for q := 1; q <= 4; q++ {
		row := 5 + q
		s.set(cellName(1, row), "第"+quarterWords[q-1]+"季度", st.label)
		fp, ok := byQuarter[q]
		if !ok {
			for c := 2; c <= 6; c++ {
				s.set(cellName(c, row), "", st.center)
			}
			s.height(row, 40)
			continue
		}
		var own, away, low []string
		graded := 0
		for _, p := range f.People {
			r := fp.Records[p.ID]
			if r == nil || r.Result == nil {
				continue
			}
			if r.Result.State == scoring.StateGraded {
				graded++
			}
			switch g := gradeOf(r); {
			case r.Result.State == scoring.StateGraded && g == top && p.AssessedByName != "":
				away = append(away, p.Name+"（"+p.AssessedByName+"）")
			case r.Result.State == scoring.StateGraded && g == top:
				own = append(own, p.Name)
			case r.Result.State != scoring.StateGraded:
				low = append(low, p.Name+"（"+g+"）")
			case gradeIndex(f.Grades, g) >= 2:
				low = append(low, p.Name+"（"+g+"）")
			}
		}
		took := participants(fp, top, graded)
		n := len(own) + len(away)
		share := "—"
		if took > 0 {
			share = decimal.NewFromInt(int64(n*100)).DivRound(decimal.NewFromInt(int64(took)), 1).String() + "%"
		}
		s.set(cellName(2, row), n, st.center)
		s.set(cellName(3, row), share, st.center)
		h := 40.0
		for c, list := range [][]string{own, away, low} {
			text := names(list)
			// A row is at most 409 points high (Excel's limit): a list too
			// long for it is counted here and named on 个人明细.
			if textHeight(text, s.span(c+4, c+4)) > maxRow {
				text = fmt.Sprintf("共%d人，名单见「个人明细」表", len(list))
			}
			s.set(cellName(c+4, row), text, st.text)
			h = max(h, textHeight(text, s.span(c+4, c+4)))
		}
		s.height(row, h)
	}
	s.merge("A10", "F10", "本表一式2份，1份由局人事科保存，1份由县委组织部备案。好等次比例按各季度参加平时考核的总人数计算，与核定好等次名额所用人数一致。", st.note)
	s.height(10, 22)
	s.page(true, "F10", "")
	if s.err != nil {
		return s.err
	}
	return personQuarters(b, f)
}

// personQuarters is the summary's second sheet: each person against the
// four quarters.
func personQuarters(b *book, f workflow.Filing) error {
	st := b.st
	s := b.sheet("个人明细")
	s.cols(6, 12, 24, 12, 12, 12, 12, 14)
	s.merge("A1", "H1", fmt.Sprintf("%s%d年度平时考核结果明细", f.Org, f.Year), st.title)
	s.height(1, 30)
	heads := []string{"序号", "姓名", "科室", "第一季度", "第二季度", "第三季度", "第四季度", "年度考核等次"}
	for i, h := range heads {
		s.set(cellName(i+1, 2), h, st.head)
	}
	s.height(2, 24)
	byQuarter := map[int]workflow.FilingPeriod{}
	for _, fp := range f.Periods {
		if q := quarterOf(fp.Period); q > 0 {
			byQuarter[q] = fp
		}
	}
	row := 2
	for i, p := range f.People {
		row++
		s.set(cellName(1, row), i+1, st.center)
		s.set(cellName(2, row), p.Name, st.center)
		unit := p.UnitName
		if p.AssessedByName != "" {
			unit += "（在" + p.AssessedByName + "考核）"
		}
		s.set(cellName(3, row), unit, st.center)
		for q := 1; q <= 4; q++ {
			g := ""
			if fp, ok := byQuarter[q]; ok {
				g = gradeOf(fp.Records[p.ID])
			}
			s.set(cellName(3+q, row), g, st.center)
		}
		s.set(cellName(8, row), f.Annual[p.ID].Grade, st.center)
	}
	if row == 2 {
		row++
		s.merge(cellName(1, row), cellName(8, row), "（本年度尚无考核结果）", st.center)
	}
	s.page(false, cellName(8, row), "$1:$2")
	return s.err
}

// yearCounts are the year's 应参加 and 实际参加 counts: everyone in scope
// of a quarter, and of them those with a result in at least one (a
// probationer or a person on long leave takes part without a grade, S4
// 注意事项3、7; an exempt person has no result).
func yearCounts(f workflow.Filing) (due, took int) {
	for _, p := range f.People {
		in, res := false, false
		for _, fp := range f.Periods {
			if r := fp.Records[p.ID]; r != nil {
				in = true
				if r.Result != nil {
					res = true
				}
			}
		}
		if in {
			due++
		}
		if res {
			took++
		}
	}
	return due, took
}

// participants is the denominator of the top grade's share in a quarter:
// the quota's participants when the quota was applied to the whole
// organisation (the number the committee saw), else those graded.
func participants(fp workflow.FilingPeriod, top string, graded int) int {
	total, keys := 0, 0
	for _, q := range fp.Period.Quotas {
		if q.Grade == top && (q.Scope == "unit" || q.Scope == "") {
			total += q.Participants
			keys++
		}
	}
	if keys > 0 && total > 0 {
		return total
	}
	return graded
}

// gradeIndex is a grade's position, best first; -1 if unknown.
func gradeIndex(grades []string, g string) int {
	for i, x := range grades {
		if x == g {
			return i
		}
	}
	return -1
}

// emptySheet is the sheet of a per-person form with nobody in it.
func emptySheet(b *book, title, sub string) error {
	s := b.sheet(title)
	s.cols(80)
	s.set("A1", title, b.st.title)
	s.set("A2", sub, b.st.subtitle)
	s.set("A3", "本期没有参加考核的人员。", b.st.note)
	s.page(false, "A3", "")
	return s.err
}
