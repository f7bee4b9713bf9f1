package filing

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaohe/kaohe/workflow"
)

// s10Record is S10 附件1 公务员平时考核工作记实表, one sheet per person: the
// three months' 工作纪实, the 出勤记录 (迟到、早退、旷工 and 请假 as HR entered
// them each month), the quarter's 自我评价, 分管领导意见 and 班子审定意见. The
// seed's attendance block has one row of counts; kaohe keeps each month's,
// so it shows a row per month and the quarter's total, and counts 旷工 in
// days as HR enters it (S2 and S10 both reckon it by the day). The seed
// heads the self-assessment "本月自我评价" on a quarterly form; it is the
// quarter's (四(一): 每季度…填写本人记实表), so the form says 本季.
func s10Record(b *book, f workflow.Filing) error {
	return perPerson(b, f, "公务员平时考核工作记实表", []float64{11, 11, 13, 13, 13, 19}, "F", s10Sheet)
}

var monthWords = []string{"第一月", "第二月", "第三月"}

func s10Sheet(s *sheet, f workflow.Filing, fp workflow.FilingPeriod, p workflow.FilingPerson, r *workflow.FilingRecord) int {
	st := s.b.st
	s.set("A1", "附件1", st.attach)
	s.merge("A2", "F2", "公务员平时考核工作记实表", st.title)
	s.height(2, 32)
	s.merge("A3", "F3", strings.Replace(formPeriod(fp.Period), "年度", "年", 1), st.subtitle)
	s.height(3, 22)
	s.set("A4", "姓　名", st.label)
	s.set("B4", p.Name, st.center)
	s.set("C4", "性　别", st.label)
	s.set("D4", "", st.center)
	s.set("E4", "单位及职务", st.label)
	s.set("F4", position(f, p), st.center)
	s.fit(4, position(f, p), 6, 6, 32)
	s.set("A5", "从事或\n分管工作", st.label)
	s.merge("B5", "F5", "", st.text)
	s.height(5, 36)
	row := 5
	for i := 0; i < 3; i++ {
		row++
		label := monthWords[i]
		var m *workflow.FilingMonth
		if i < len(r.Months) {
			m = &r.Months[i]
			label += "\n（" + m.Label + "）"
		}
		text := monthText(m)
		s.set(cellName(1, row), label, st.label)
		s.set(cellName(2, row), "工作纪实", st.label)
		s.merge(cellName(3, row), cellName(6, row), text, st.text)
		s.fit(row, text, 3, 6, 84)
	}
	// 出勤记录.
	row++
	first := row
	for c, h := range []string{"月份", "迟到（次）", "早退（次）", "旷工（天）", "请假情况（天）"} {
		s.set(cellName(2+c, row), h, st.label)
	}
	s.height(row, 24)
	var late, early int
	absent, leave := decimal.Zero, map[string]decimal.Decimal{}
	var kinds []string
	for _, m := range r.Months {
		row++
		s.set(cellName(2, row), m.Label, st.center)
		s.set(cellName(3, row), m.Late, st.center)
		s.set(cellName(4, row), m.Early, st.center)
		s.set(cellName(5, row), m.Absent.String(), st.center)
		s.set(cellName(6, row), leaveWords(m.Leave), st.center)
		s.height(row, 22)
		late += m.Late
		early += m.Early
		absent = absent.Add(m.Absent)
		for _, l := range m.Leave {
			if _, ok := leave[l.Kind]; !ok {
				kinds = append(kinds, l.Kind)
			}
			leave[l.Kind] = leave[l.Kind].Add(l.Days.Decimal)
		}
	}
	row++
	var total []string
	for _, k := range kinds {
		total = append(total, k+leave[k].String()+"天")
	}
	s.set(cellName(2, row), "合计", st.label)
	s.set(cellName(3, row), late, st.center)
	s.set(cellName(4, row), early, st.center)
	s.set(cellName(5, row), absent.String(), st.center)
	s.set(cellName(6, row), orNone(strings.Join(total, "、")), st.center)
	s.height(row, 22)
	s.merge(cellName(1, first), cellName(1, row), "出勤记录", st.label)
	// 本季自我评价.
	row++
	text := "\n\n签字：        " + zhDate(dayOf(zeroTime))
	if r.Summary != nil {
		text = r.Summary.Body.Summary + "\n\n签字：" + p.Name + "　　" + zhDate(dayOf(r.Summary.SubmittedAt))
	}
	s.set(cellName(1, row), "本季自我\n评价", st.label)
	s.merge(cellName(2, row), cellName(6, row), text, st.text)
	s.fit(row, text, 2, 6, 110)
	// 分管领导意见 and 班子审定意见.
	row++
	var lead *workflow.FilingStep
	for i := range r.Steps {
		if r.Steps[i].Role != workflow.RoleHead || lead == nil {
			lead = &r.Steps[i]
		}
	}
	// The two opinion cells are narrow: name and date on lines of their own.
	narrow := func(st *workflow.FilingStep) string {
		if st == nil {
			return "签名：\n    年  月  日"
		}
		return "签名：" + st.Leader + "\n" + zhDate(dayOf(st.ActedAt))
	}
	text = "\n\n" + narrow(nil)
	if lead != nil {
		say := lead.Assessment.Comment
		if lead.Grade != "" {
			say += "\n评定等次建议：" + lead.Grade
		}
		text = say + "\n\n" + narrow(lead)
	}
	verdict := ""
	if g := gradeOf(r); g != "" {
		verdict = "考核等次：" + g
		if w := stateWords(r); w != "" {
			verdict += "\n" + w
		}
	}
	verdict += "\n\n" + narrow(stepFor(r, workflow.RoleHead))
	s.set(cellName(1, row), "分管领导\n意见", st.label)
	s.merge(cellName(2, row), cellName(3, row), text, st.text)
	s.set(cellName(4, row), "班子审定\n意见", st.label)
	s.merge(cellName(5, row), cellName(6, row), verdict, st.text)
	s.height(row, max(110, textHeight(text, s.span(2, 3)), textHeight(verdict, s.span(5, 6))))
	row++
	s.merge(cellName(1, row), cellName(6, row), "每个季度结束后的3个工作日内，将本表收齐后交人事科（S10 五(三)）。", st.note)
	s.height(row, 20)
	return row
}

// monthText is a month's 工作纪实: the 月小结 (goals, what was done, what
// was not and why) and, without one, the week's records; the leader's
// 点评 after it.
func monthText(m *workflow.FilingMonth) string {
	if m == nil {
		return ""
	}
	var lines []string
	if e := m.Monthly; e != nil {
		if e.Body.Goals != "" {
			lines = append(lines, "工作目标："+e.Body.Goals)
		}
		if e.Body.Completion != "" {
			lines = append(lines, "完成情况："+e.Body.Completion)
		}
		for _, u := range e.Body.Unfinished {
			lines = append(lines, "未完成："+u.Item+"（"+u.Reason+"）")
		}
		if e.Comment != "" {
			lines = append(lines, "领导点评："+e.Comment)
		}
		return strings.Join(lines, "\n")
	}
	for _, w := range m.Weekly {
		for _, t := range w.Body.Tasks {
			lines = append(lines, fmt.Sprintf("%s（完成%d%%）", t.Title, t.Progress))
		}
	}
	return strings.Join(lines, "\n")
}

// leaveWords is a month's leave: "病假2天、事假1天", or 无.
func leaveWords(ls []scoringLeave) string {
	var parts []string
	for _, l := range ls {
		parts = append(parts, l.Kind+l.Days.String()+"天")
	}
	return orNone(strings.Join(parts, "、"))
}

func orNone(s string) string {
	if s == "" {
		return "无"
	}
	return s
}
