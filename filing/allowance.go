package filing

import (
	"fmt"
	"strings"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// noAllowance is the refusal of the 津贴扣减表 for a filing without an
// allowance report (the scheme has no allowance rule): an *InputError in
// Chinese, since HR asks for the table by name (备案表 2026-Q3 津贴表) and
// should read why there is none, not an internal error.
func noAllowance(f workflow.Filing) error {
	return &workflow.InputError{Field: "table", Msg: "考核方案（" + strings.ToUpper(f.Scheme) + "）没有津贴扣减规则，没有津贴扣减表"}
}

// allowanceSheet is the period's 津贴扣减表 (S2 五), one row per cut as
// workflow worked it out (Filing.Allowance): person, month, allowance, the
// attendance or score that brought the rule on, the cut in words and as a
// share of the person's 月标准 (or a fixed sum), and the rule cited. The
// seed prints no form; these are the columns payroll needs to apply it.
func allowanceSheet(b *book, f workflow.Filing) error {
	r := f.Allowance
	if r == nil {
		return noAllowance(f)
	}
	st := b.st
	s := b.sheet("津贴扣减表")
	s.cols(6, 10, 14, 9, 11, 22, 26, 12, 34)
	s.merge("A1", "I1", f.Org+r.Label+"平时考核津贴扣减表", st.title)
	s.height(1, 34)
	people := map[string]bool{}
	for _, l := range r.Lines {
		people[l.Person] = true
	}
	s.merge("A2", "F2", fmt.Sprintf("涉及人数：%d　　扣减项：%d", len(people), len(r.Lines)), st.note)
	s.merge("G2", "I2", "填报时间："+zhDate(f.AsOf), st.noteRight)
	s.height(2, 22)
	for i, h := range []string{"序号", "姓名", "科室", "月份", "津贴项目", "情况", "扣减", "占月标准／金额", "依据"} {
		s.set(cellName(i+1, 3), h, st.head)
	}
	s.height(3, 28)
	row := 3
	for i, l := range r.Lines {
		row++
		basis := l.Basis
		if l.Attendance != "" {
			basis = l.Attendance
		}
		vals := []any{i + 1, l.Name, l.Unit, monthName(l.Month), l.Allowance, basis, l.Cut, AllowanceAmount(l.AllowanceDue), l.Cite}
		for c, v := range vals {
			style := st.center
			if c == 5 || c == 6 || c == 8 {
				style = st.textSmall
			}
			s.set(cellName(c+1, row), v, style)
		}
		s.height(row, max(24, textHeight(l.Cite, s.span(9, 9)), textHeight(basis, s.span(6, 6))))
	}
	if len(r.Lines) == 0 {
		row++
		s.merge(cellName(1, row), cellName(9, row), "（本期无津贴扣减）", st.center)
	}
	row++
	note := AllowanceNote(r)
	s.merge(cellName(1, row), cellName(9, row), note, st.note)
	s.height(row, max(34, textHeight(note, s.span(1, 9))))
	s.page(true, cellName(9, row), "$1:$3")
	return s.err
}

// AllowanceAmount is a cut's share of the 月标准 ("30%") or its fixed sum
// ("20元"), as the table and the chat card show it.
func AllowanceAmount(d scoring.AllowanceDue) string {
	switch {
	case d.Yuan != nil:
		return d.Yuan.String() + "元"
	case d.Share != nil:
		return scoring.ShareWords(*d.Share)
	}
	return ""
}

// AllowanceNote says how to read the table: the shares are of each
// person's own 月标准, which payroll applies; the months nobody has
// attendance of count as full attendance; before the results, score cuts
// are not in.
func AllowanceNote(r *workflow.AllowanceReport) string {
	parts := []string{"说明：比例为本人该项津贴月标准的比例，由财务按月标准计算扣减金额；日津贴标准=月标准÷(月工作日-3天)（S2 五）。"}
	if len(r.Unrecorded) > 0 {
		var ms []string
		for _, m := range r.Unrecorded {
			ms = append(ms, monthName(m))
		}
		parts = append(parts, strings.Join(ms, "、")+"尚未登记考勤，按全勤计。")
	}
	if !r.Scored {
		parts = append(parts, "本期考核结果尚未产生，按评鉴得分的减发未列入。")
	}
	return strings.Join(parts, "")
}

// monthName is "2026-07" as "2026年7月".
func monthName(m string) string {
	var y, mo int
	if _, err := fmt.Sscanf(m, "%d-%d", &y, &mo); err != nil {
		return m
	}
	return fmt.Sprintf("%d年%d月", y, mo)
}
