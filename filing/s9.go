package filing

import (
	"fmt"

	"github.com/kaohe/kaohe/workflow"
)

// s9Register is S9's 季度考评登记表 (the 记实簿's quarterly page, 三(二)3:
// "被考核对象填写季度考评登记表，科室或内设机构负责人写出评语，单位主管或分管领导
// …提出评鉴意见及本季度考核等次建议"), one sheet per person. The seed prints
// the booklet's cover and its 认定表 but not this page, so its rows are the
// ones that sentence names, in its order.
func s9Register(b *book, f workflow.Filing) error {
	return perPerson(b, f, "季度考评登记表", []float64{12, 10, 8, 10, 10, 10, 10, 12}, "H", s9RegisterSheet)
}

func s9RegisterSheet(s *sheet, f workflow.Filing, fp workflow.FilingPeriod, p workflow.FilingPerson, r *workflow.FilingRecord) int {
	st := s.b.st
	s.merge("A1", "H1", "季度考评登记表", st.title)
	s.height(1, 34)
	s.merge("A2", "H2", formPeriod(fp.Period), st.subtitle)
	s.height(2, 22)
	s.set("A3", "姓　名", st.label)
	s.set("B3", p.Name, st.center)
	s.set("C3", "性别", st.label)
	s.set("D3", "", st.center)
	s.set("E3", "出生年月", st.label)
	s.set("F3", "", st.center)
	s.set("G3", "政治面貌", st.label)
	s.set("H3", "", st.center)
	s.height(3, 30)
	s.set("A4", "工作单位", st.label)
	s.merge("B4", "D4", f.Org+" "+p.UnitName, st.center)
	s.set("E4", "职　务", st.label)
	s.merge("F4", "H4", tierWords(p), st.center)
	s.height(4, 30)
	text := "\n\n" + signed("", zeroTime)
	if r.Summary != nil {
		text = r.Summary.Body.Summary
		if r.Summary.Body.Training != "" {
			text += "\n学习培训：" + r.Summary.Body.Training
		}
		text += "\n\n" + signed(p.Name, r.Summary.SubmittedAt)
	}
	s.set("A5", "本季度履行\n岗位职责、\n完成工作\n任务情况\n（本人填写）", st.label)
	s.merge("B5", "H5", text, st.text)
	s.fit(5, text, 2, 8, 200)
	first := stepFor(r, workflow.RoleUnitLeader)
	text = "\n\n" + signed("", zeroTime)
	if first != nil {
		text = first.Assessment.Comment + "\n\n" + signed(first.Leader, first.ActedAt)
	}
	s.set("A6", "科室或内设\n机构负责人\n评语", st.label)
	s.merge("B6", "H6", text, st.text)
	s.fit(6, text, 2, 8, 100)
	// 评鉴意见: the last leader after the section head (主管 or 分管).
	var last *workflow.FilingStep
	for i := range r.Steps {
		if r.Steps[i].Role != workflow.RoleUnitLeader {
			last = &r.Steps[i]
		}
	}
	text = "\n\n" + signed("", zeroTime)
	if last != nil {
		say := last.Assessment.Comment
		if last.Changed || first == nil {
			say = opinion(last)
			if first == nil {
				say = last.Assessment.Comment
			}
		} else if last.Reason != "" {
			say = "同意。" + last.Reason
		} else if first != nil {
			say = "同意科室意见。"
		}
		if last.Grade != "" {
			say += "\n本季度考核等次建议：" + last.Grade
		}
		text = say + "\n\n" + signed(last.Leader, last.ActedAt)
	}
	s.set("A7", "单位主管或\n分管领导\n评鉴意见", st.label)
	s.merge("B7", "H7", text, st.text)
	s.fit(7, text, 2, 8, 100)
	s.set("A8", "季度考核\n等次", st.label)
	grade := ""
	if r.Result != nil {
		grade = r.Result.Grade
	}
	s.merge("B8", "H8", boxes(f.Grades, grade), st.textSmall)
	s.height(8, 32)
	s.set("A9", "备　注", st.label)
	note := stateWords(r)
	s.merge("B9", "H9", note, st.text)
	s.fit(9, note, 2, 8, 36)
	s.merge("A10", "H10", "季度考评按照优秀、称职、基本称职和不称职四个等次进行评定；第四季度不单独开展季度考评，纳入年终考核一并进行。", st.note)
	s.height(10, 32)
	return 10
}

// tierWords is a person's tier as a 职务 cell ("" for the default tier).
func tierWords(p workflow.FilingPerson) string {
	if p.Tier == "default" {
		return ""
	}
	return p.Tier
}

// s9Summary is S9 附件2 ×××单位××年度考核情况登记汇总表: each person's three
// quarterly grades (S9 四: the year's 平时 part counts 前三季度, "得优秀次数÷3"),
// the 平时考核优秀率, the year-end 测评 (优秀票 and 参加测评总人数), the
// 年度考核优秀率 = 平时×40% + 年终×60%, and the annual grade. The 优秀票 and
// 参加测评人数 are the 年度测评's (Filing.Excellent); a person with no
// ballot yet has both left blank to be filled in by hand, and the two
// rates are formulas that compute as soon as they are.
func s9Summary(b *book, f workflow.Filing) error {
	st := b.st
	pct := st.pct
	s := b.sheet("年度考核汇总")
	s.cols(6, 10, 22, 9, 9, 9, 9, 11, 8, 9, 10, 13, 11, 14)
	s.merge("A1", "N1", f.Org+fmt.Sprintf("%d年度考核情况登记汇总表", f.Year), st.title)
	s.height(1, 34)
	s.merge("A2", "G2", "填报单位（盖章）："+f.Org, st.note)
	s.merge("H2", "N2", "填报时间："+zhDate(f.AsOf), st.noteRight)
	s.height(2, 22)
	for _, h := range []struct{ from, to, text string }{
		{"A3", "A4", "序号"}, {"B3", "B4", "姓名"}, {"C3", "C4", "工作单位及职务"}, {"D3", "F3", "季度考评等次"},
		{"G3", "G4", "平时考核\n优秀次数"}, {"H3", "H4", "平时考核\n优秀率\n（次数÷3）"}, {"I3", "K3", "年终考核测评"},
		{"L3", "L4", "年度考核\n优秀率\n（平时40%＋\n年终60%）"}, {"M3", "M4", "年度考核\n等次"}, {"N3", "N4", "备注"},
		{"D4", "D4", "第一季度"}, {"E4", "E4", "第二季度"}, {"F4", "F4", "第三季度"},
		{"I4", "I4", "优秀票"}, {"J4", "J4", "参加测评\n人数"}, {"K4", "K4", "测评\n优秀率"},
	} {
		s.merge(h.from, h.to, h.text, st.head)
	}
	s.height(3, 26)
	s.height(4, 62)
	byQuarter := map[int]workflow.FilingPeriod{}
	for _, fp := range f.Periods {
		if q := quarterOf(fp.Period); q > 0 {
			byQuarter[q] = fp
		}
	}
	top := ""
	if len(f.Grades) > 0 {
		top = f.Grades[0]
	}
	row := 4
	for i, p := range f.People {
		row++
		s.set(cellName(1, row), i+1, st.center)
		s.set(cellName(2, row), p.Name, st.center)
		s.set(cellName(3, row), p.UnitName+" "+tierWords(p), st.center)
		excellent, notes := 0, []string{}
		for q := 1; q <= 3; q++ {
			g := ""
			if fp, ok := byQuarter[q]; ok {
				r := fp.Records[p.ID]
				g = gradeOf(r)
				if r != nil && r.Result != nil && r.Result.Grade == top && g == top {
					excellent++
				}
				if w := stateWords(r); w != "" {
					notes = append(notes, fmt.Sprintf("第%s季度%s", quarterWords[q-1], w))
				}
			}
			s.set(cellName(3+q, row), g, st.center)
		}
		s.set(cellName(7, row), excellent, st.center)
		s.set(cellName(8, row), float64(excellent)/3, pct)
		if vc, ok := f.Excellent[p.ID]; ok && vc.Total > 0 {
			s.set(cellName(9, row), vc.Excellent, st.center)
			s.set(cellName(10, row), vc.Total, st.center)
		} else {
			s.set(cellName(9, row), "", st.center)
			s.set(cellName(10, row), "", st.center)
		}
		i, j, h, k := cellName(9, row), cellName(10, row), cellName(8, row), cellName(11, row)
		s.formula(k, fmt.Sprintf(`IF(N(%s)>0,%s/%s,"")`, j, i, j), pct)
		s.formula(cellName(12, row), fmt.Sprintf(`IF(%s="","",%s*0.4+%s*0.6)`, k, h, k), pct)
		s.set(cellName(13, row), f.Annual[p.ID].Grade, st.center)
		note := names(notes)
		s.set(cellName(14, row), note, st.textSmall)
		s.height(row, max(24, textHeight(note, s.span(14, 14))))
	}
	if row == 4 {
		row++
		s.merge(cellName(1, row), cellName(14, row), "（本年度尚无考核结果）", st.center)
	}
	row++
	s.merge(cellName(1, row), cellName(14, row),
		"说明：季度考评有1次基本称职的，年度考核不能确定为优秀；有2次及以上基本称职或1次不称职的，年度考核不能确定为称职及以上（S9 四）。年终测评优秀票和参加测评人数取自年度测评，未测评的由单位据实填写。", st.note)
	s.height(row, 32)
	s.page(true, cellName(14, row), "$1:$4")
	return s.err
}
