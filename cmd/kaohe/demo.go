package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/kaohe/kaohe/demo"
	"github.com/kaohe/kaohe/scoring"
)

// runDemo plays a quarter of the whole cycle in one process (package demo:
// memory store, workflow, bot and the Lark simulator on one fake clock).
// With --scoring it instead scores a sample office under the built-in S4
// scheme and prints the table with its explanations: a bonus capped at 5,
// the same event counted once, a probationer, and more 好 scores than the
// 40% quota allows. Neither needs servers or credentials.
func runDemo(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	scoringOnly := fs.Bool("scoring", false, "only score a sample quarter under S4")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return flag.ErrHelp
		}
		return usageError{"demo: " + err.Error()}
	}
	if !*scoringOnly {
		return demo.Run(ctx, stdout)
	}
	s, err := scoring.Builtin("s4")
	if err != nil {
		return fmt.Errorf("demo scheme: %w", err)
	}
	in := demoQuarter()
	res, err := scoring.ScorePeriod(s, in)
	if err != nil {
		return fmt.Errorf("demo quarter: %w", err)
	}
	fmt.Fprintf(stdout, "kaohe 演示：按《%s》对 %s 计分定等\n\n", s.Name, in.Period.ID)
	writePeriodTable(stdout, res)
	return nil
}

// demoQuarter is a fixed sample office. Indicator scores are given per
// top-level item as deductions from the maximum so the data stays readable.
func demoQuarter() *scoring.PeriodInput {
	type person struct {
		id, name  string
		lost      [5]string // points lost under 德 能 勤 绩 廉
		frontline bool
		adj       []scoring.AdjustmentInput
		status    *scoring.Status
	}
	people := []person{
		{id: "p01", name: "王芳", lost: [5]string{"0", "1", "0", "2", "0"}},
		{id: "p02", name: "李强", lost: [5]string{"1", "1", "1", "2", "0"}, adj: []scoring.AdjustmentInput{
			{Event: "防汛", Kind: "bonus", Points: scoring.D("3"), Reason: "防汛抢险表现突出（县级表扬）"},
			{Event: "防汛", Kind: "bonus", Points: scoring.D("4"), Reason: "防汛抢险表现突出（市级表彰）"},
			{Event: "改革", Kind: "bonus", Points: scoring.D("2"), Reason: "牵头完成预算改革"},
		}},
		{id: "p03", name: "张伟", lost: [5]string{"1", "2", "1", "4", "0"}, frontline: true},
		{id: "p04", name: "刘洋", lost: [5]string{"1", "2", "1", "4", "0"}},
		{id: "p05", name: "陈静", lost: [5]string{"2", "2", "1", "4", "1"}},
		{id: "p06", name: "杨磊", lost: [5]string{"2", "3", "2", "6", "1"}},
		{id: "p07", name: "赵敏", lost: [5]string{"3", "4", "2", "9", "1"}},
		{id: "p08", name: "黄勇", lost: [5]string{"4", "5", "4", "12", "2"}, adj: []scoring.AdjustmentInput{
			{Event: "报表", Kind: "deduction", Points: scoring.D("2"), Reason: "报表迟报被通报"},
		}},
		{id: "p09", name: "周杰", lost: [5]string{"1", "1", "1", "1", "0"}, status: &scoring.Status{Probation: true}},
		{id: "p10", name: "吴婷", lost: [5]string{"1", "1", "0", "3", "0"}, status: &scoring.Status{Leave: []scoring.LeaveInput{
			{Kind: "产假", Days: scoring.D("40")}, {Kind: "病假", Days: scoring.D("5")},
		}}},
	}
	in := &scoring.PeriodInput{Kind: "period", Period: scoring.PeriodInfo{ID: "2026-Q3", WorkingDays: 66}}
	for _, p := range people {
		in.People = append(in.People, scoring.PersonInput{
			ID: p.id, Name: p.name, Unit: "县财政局", Frontline: p.frontline,
			Sources:     map[string]scoring.SourceInput{"leader": {Indicators: s4Leaves(p.lost)}},
			Adjustments: p.adj, Status: p.status,
		})
	}
	return in
}

// s4Leaves spreads the points lost under each S4 item over its first
// sub-item, keeping every other sub-item at its maximum.
func s4Leaves(lost [5]string) map[string]scoring.Dec {
	items := [5][]struct {
		id  string
		max string
	}{
		{{"思想政治素质", "6"}, {"职业道德", "4"}, {"社会公德", "6"}, {"家庭美德", "4"}},
		{{"岗位执行能力", "5"}, {"综合业务能力", "6"}, {"开拓创新能力", "5"}, {"沟通协作能力", "4"}},
		{{"工作责任心", "5"}, {"工作作风", "5"}, {"出勤情况", "5"}},
		{{"工作负荷", "15"}, {"工作效率", "10"}, {"工作成效", "10"}},
		{{"遵章守纪情况", "4"}, {"艰苦奋斗勤俭节约情况", "3"}, {"日常信访举报情况", "3"}},
	}
	out := map[string]scoring.Dec{}
	for i, group := range items {
		for j, it := range group {
			v := scoring.D(it.max)
			if j == 0 {
				v = scoring.DecOf(v.Sub(scoring.D(lost[i]).Decimal))
			}
			out[it.id] = v
		}
	}
	return out
}
