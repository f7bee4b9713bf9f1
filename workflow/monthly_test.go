package workflow_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

func wk(week string, tasks ...workflow.Task) workflow.Entry {
	return workflow.Entry{EntryKey: workflow.EntryKey{Kind: workflow.EntryWeekly, Person: "e01", Period: week},
		State: workflow.EntrySubmitted, Body: workflow.EntryBody{Tasks: tasks}}
}

func task(title, deadline string, progress int) workflow.Task {
	t := workflow.Task{Title: title, Progress: progress}
	if deadline != "" {
		t.Deadline = calendar.MustParseDate(deadline)
	}
	return t
}

// TestDraftMonthly: the 月小结 draft follows the month's 周记实 (weeks
// whose Thursday is in March 2026: W10 to W14, 2026-03-02 to 04-05) and
// the annual targets.
func TestDraftMonthly(t *testing.T) {
	t.Parallel()
	march := calendar.MustParsePeriod("2026-03")
	type want struct {
		title, state, week string
		progress           int
	}
	linked := task("起草年度报告", "2026-03-20", 100)
	linked.Target = "2026/e01/1"
	cases := []struct {
		name    string
		entries []workflow.Entry
		targets []workflow.Target
		want    []want
	}{
		{"nothing", nil, nil, nil},
		{"done on time: due inside the week it was reported done",
			[]workflow.Entry{wk("2026-W10", task("整理档案", "2026-03-12", 50)), wk("2026-W11", task("整理档案", "2026-03-12", 100))}, nil,
			[]want{{"整理档案", workflow.DraftDone, "2026-W11", 100}}},
		{"done late: due before the week it was reported done",
			[]workflow.Entry{wk("2026-W10", task("整理档案", "2026-03-04", 50)), wk("2026-W11", task("整理 档案", "2026-03-04", 100))}, nil,
			[]want{{"整理 档案", workflow.DraftLate, "2026-W11", 100}}},
		{"done stays where it was first reported",
			[]workflow.Entry{wk("2026-W11", task("整理档案", "", 100)), wk("2026-W12", task("整理档案", "", 100))}, nil,
			[]want{{"整理档案", workflow.DraftDone, "2026-W11", 100}}},
		{"unfinished: due in the month, latest record under 100",
			[]workflow.Entry{wk("2026-W12", task("制度汇编", "2026-03-25", 75)), wk("2026-W13", task("制度汇编", "2026-03-25", 50))}, nil,
			[]want{{"制度汇编", workflow.DraftUnfinished, "2026-W13", 50}}},
		{"ongoing: due after the month or no deadline",
			[]workflow.Entry{wk("2026-W12", task("专项督查", "2026-09-30", 25), task("日常值班", "", 50))}, nil,
			[]want{{"专项督查", workflow.DraftOngoing, "2026-W12", 25}, {"日常值班", workflow.DraftOngoing, "2026-W12", 50}}},
		{"weeks of other months and waived weeks do not count",
			[]workflow.Entry{wk("2026-W09", task("二月的事", "2026-03-01", 0)), wk("2026-W15", task("四月的事", "2026-03-31", 0)),
				{EntryKey: workflow.EntryKey{Kind: workflow.EntryWeekly, Period: "2026-W12"}, State: workflow.EntryWaived}}, nil, nil},
		{"a linked target done: its done date decides",
			[]workflow.Entry{wk("2026-W12", linked)},
			[]workflow.Target{{ID: "2026/e01/1", Title: "起草年度报告", Deadline: calendar.NewDate(2026, 3, 20), State: workflow.TargetDone, DoneOn: calendar.NewDate(2026, 3, 23)}},
			[]want{{"起草年度报告", workflow.DraftLate, "2026-W12", 100}}},
		{"a target due in the month no record names is unfinished; one due later is left out",
			nil,
			[]workflow.Target{
				{ID: "2026/e01/2", Title: "年度培训计划", Deadline: calendar.NewDate(2026, 3, 31), State: workflow.TargetApproved},
				{ID: "2026/e01/3", Title: "下半年的事", Deadline: calendar.NewDate(2026, 9, 30), State: workflow.TargetApproved},
				{ID: "2026/e01/4", Title: "未确认", Deadline: calendar.NewDate(2026, 3, 31), State: workflow.TargetDraft},
				{ID: "2026/e01/5", Title: "提前完成", Deadline: calendar.NewDate(2026, 6, 30), State: workflow.TargetDone, DoneOn: calendar.NewDate(2026, 3, 5)},
			},
			[]want{{"年度培训计划", workflow.DraftUnfinished, "", 0}, {"提前完成", workflow.DraftDone, "", 100}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := workflow.DraftMonthly(march, c.entries, c.targets)
			if d.Month != "2026-03" {
				t.Errorf("month %q", d.Month)
			}
			var got []want
			for _, it := range d.Items {
				got = append(got, want{it.Title, it.State, it.Week, it.Progress})
			}
			if len(got) != len(c.want) {
				t.Fatalf("items %+v, want %+v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("item %d: %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

// TestMonthlyNeedsUnfinishedReasons: a 月小结 is refused while an item
// its month's 周记实 show due and not done has no 未完成事项 row, and
// taken once it has one (a shortened title counts).
func TestMonthlyNeedsUnfinishedReasons(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s1", time.Date(2026, 3, 2, 9, 0, 0, 0, sh), nil)
	h.org60()
	h.must("open", func() error { _, err := h.svc.OpenPeriod(ctx, "hr", "2026-Q1"); return err }())
	h.must("weekly", h.svc.Submit(ctx, "e01", workflow.EntryInput{Kind: workflow.EntryWeekly, Period: "2026-W10",
		Body: workflow.EntryBody{Tasks: []workflow.Task{task("机关档案数字化", "2026-03-20", 50), task("日常值班", "", 100)}}}))
	h.clk.Set(time.Date(2026, 3, 31, 9, 0, 0, 0, sh))

	d, err := h.svc.MonthlyDraft(ctx, "e01", "2026-03")
	h.must("draft", err)
	if u := d.Unfinished(); len(u) != 1 || u[0].Title != "机关档案数字化" {
		t.Fatalf("unfinished %+v", u)
	}
	err = h.svc.Submit(ctx, "e01", monthly("2026-03"))
	var ie *workflow.InputError
	if !errors.As(err, &ie) || ie.Field != "unfinished" || !strings.Contains(ie.Msg, "「机关档案数字化」") {
		t.Fatalf("monthly without the unfinished row: %v", err)
	}
	in := monthly("2026-03")
	in.Body.Unfinished = []workflow.Unfinished{{Item: "档案数字化", Reason: "扫描设备未到位"}}
	h.must("monthly with the row", h.svc.Submit(ctx, "e01", in))
}
