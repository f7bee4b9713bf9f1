package filing

import (
	"fmt"
	"strings"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// scoringLeave is one kind of leave and its days.
type scoringLeave = scoring.LeaveInput

// s2Filing is S2's 公务员平时考核备案登记表 (四(三)4: "局政工科将平时考核结果
// 登记备案，填写《…平时考核备案登记表》"), one row per person: tier (S2 三(一)
// 正科/副科/其他), the leader who gave the 评鉴 and the score (S2 scores the
// quarter out of 100, 五: 91/71/60 bands), the result, the 反馈 (四(三)3) and
// any 复核. The seed names the form without printing it; its columns are
// what those sections ask to be recorded.
func s2Filing(b *book, f workflow.Filing) error {
	st := b.st
	fp := f.Periods[0]
	s := b.sheet("备案登记表")
	s.cols(6, 10, 16, 9, 11, 10, 13, 22, 24)
	s.merge("A1", "I1", f.Org+"公务员平时考核备案登记表", st.title)
	s.height(1, 34)
	s.merge("A2", "I2", formPeriod(fp.Period), st.subtitle)
	s.height(2, 22)
	count := 0
	for _, p := range f.People {
		if fp.Records[p.ID] != nil {
			count++
		}
	}
	s.merge("A3", "E3", fmt.Sprintf("填报部门：政工科　　考核人数：%d", count), st.note)
	s.merge("F3", "I3", "填报时间："+zhDate(f.AsOf), st.noteRight)
	s.height(3, 22)
	for i, h := range []string{"序号", "姓名", "科室", "职务层次", "评鉴人", "评鉴得分", "考核结果", "反馈情况", "备注"} {
		s.set(cellName(i+1, 4), h, st.head)
	}
	s.height(4, 28)
	reviews := map[string]workflow.Review{}
	for _, rv := range fp.Reviews {
		reviews[rv.Person] = rv
	}
	row, n := 4, 0
	for _, p := range f.People {
		r := fp.Records[p.ID]
		if r == nil {
			continue
		}
		row++
		n++
		var leader string
		if len(r.Steps) > 0 {
			leader = r.Steps[len(r.Steps)-1].Leader
		}
		feedback := ""
		if fb := r.Feedback; fb != nil {
			feedback = zhDate(dayOf(fb.At)) + " " + f.Names[fb.By] + "谈话反馈"
		}
		var notes []string
		if w := stateWords(r); w != "" {
			notes = append(notes, w)
		}
		if rv, ok := reviews[p.ID]; ok {
			notes = append(notes, reviewWords(rv))
		}
		if p.AssessedByName != "" {
			notes = append(notes, "在"+p.AssessedByName+"考核")
		}
		note := strings.Join(notes, "；")
		vals := []any{n, p.Name, p.UnitName, tierWords(p), leader, scoreOf(r), gradeOf(r), feedback, note}
		for c, v := range vals {
			style := st.center
			if c >= 7 {
				style = st.textSmall
			}
			s.set(cellName(c+1, row), v, style)
		}
		s.height(row, max(24, textHeight(note, s.span(9, 9)), textHeight(feedback, s.span(8, 8))))
	}
	if n == 0 {
		row++
		s.merge(cellName(1, row), cellName(9, row), "（本期没有参加考核的人员）", st.center)
	}
	row++
	s.merge(cellName(1, row), cellName(9, row),
		"说明：本表连同月工作记实、领导评鉴表存入文书档案备查。第一、二季度平时考核情况于每年7月10日前、第三季度平时考核情况按年度考核工作规定时间一并报区人力社保局审核备案（S2 四(三)4）。", st.note)
	s.height(row, 34)
	s.page(true, cellName(9, row), "$1:$4")
	return s.err
}

// reviewWords says where a 复核 stands.
func reviewWords(rv workflow.Review) string {
	switch rv.State {
	case workflow.ReviewChanged:
		return "经复核由" + rv.OldGrade + "改为" + rv.NewGrade
	case workflow.ReviewUpheld:
		return "经复核维持" + rv.OldGrade
	case workflow.ReviewRejected:
		return "复核申请未受理"
	}
	return "复核办理中"
}

// publicity is the 公示 list of a period (S1 第八条(四) 公示考核情况, S4
// 三(四) 考核公示, S8 公示 of 好): the top grade's names, or every grade's
// with publish_all, as the bot posted them to the groups, with the
// 公示期 and the 复核 deadline.
func publicity(b *book, f workflow.Filing) error {
	st := b.st
	fp := f.Periods[0]
	s := b.sheet("公示名单")
	s.cols(8, 16, 30, 18)
	s.merge("A1", "D1", f.Org+fp.Label+"平时考核结果公示", st.title)
	s.height(1, 36)
	what := "好等次人员"
	if len(f.Grades) > 0 {
		what = f.Grades[0] + "等次人员"
	}
	if f.PublishAll {
		what = "结果"
	}
	intro := "根据平时考核工作安排，经个人小结、领导评鉴和考核委员会审定，现将" + fp.Label + "平时考核" + what + "名单公示如下："
	s.merge("A2", "D2", intro, st.note)
	s.height(2, textHeight(intro, s.span(1, 4)))
	for i, h := range []string{"序号", "姓名", "科室", "考核等次"} {
		s.set(cellName(i+1, 3), h, st.head)
	}
	s.height(3, 26)
	row := 3
	for gi, g := range f.Grades {
		if gi > 0 && !f.PublishAll {
			break
		}
		for _, p := range f.People {
			r := fp.Records[p.ID]
			if r == nil || r.Result == nil || r.Result.State != scoring.StateGraded || r.Result.Grade != g {
				continue
			}
			row++
			s.set(cellName(1, row), row-3, st.center)
			s.set(cellName(2, row), p.Name, st.center)
			s.set(cellName(3, row), p.UnitName, st.center)
			s.set(cellName(4, row), g, st.center)
			s.height(row, 22)
		}
	}
	if row == 3 {
		row++
		s.merge(cellName(1, row), cellName(4, row), "（无）", st.center)
	}
	row++
	per := fp.Period
	var when string
	if per.PublishedAt.IsZero() {
		when = "公示期：尚未公示。"
	} else {
		when = fmt.Sprintf("公示期：%s至%s。公示期间如有异议，可于%s前向政工科提出复核申请。",
			zhDate(dayOf(per.PublishedAt)), zhDate(per.PublicityEnd), zhDate(per.ReviewEnd))
	}
	s.merge(cellName(1, row), cellName(4, row), when, st.note)
	s.height(row, textHeight(when, s.span(1, 4)))
	row++
	s.merge(cellName(1, row), cellName(4, row), f.Org, st.noteRight)
	row++
	day := f.AsOf
	if !per.PublishedAt.IsZero() {
		day = dayOf(per.PublishedAt)
	}
	s.merge(cellName(1, row), cellName(4, row), zhDate(day), st.noteRight)
	s.page(false, cellName(4, row), "$1:$3")
	return s.err
}
