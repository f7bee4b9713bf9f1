package card

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// monthlyDraft is March 2026 as a person's 周记实 tell it: one task of
// each state.
func monthlyDraft() workflow.MonthlyDraft {
	d := func(s string) calendar.Date { return calendar.MustParseDate(s) }
	return workflow.MonthlyDraft{Month: "2026-03", Items: []workflow.DraftItem{
		{Title: "起草年度工作报告", Target: "2026/e01/1", Deadline: d("2026-03-20"), Progress: 100, State: workflow.DraftDone, Week: "2026-W12", DoneOn: d("2026-03-18")},
		{Title: "整理机关档案", Deadline: d("2026-03-04"), Progress: 100, State: workflow.DraftLate, Week: "2026-W11"},
		{Title: "配合开展专项督查", Deadline: d("2026-09-30"), Progress: 25, State: workflow.DraftOngoing, Week: "2026-W13"},
		{Title: "机关档案数字化", Deadline: d("2026-03-25"), Progress: 50, State: workflow.DraftUnfinished, Week: "2026-W13"},
	}}
}

// TestMonthlyDraftWithinLimits: however many and however long the items, a
// drafted card's defaults fit their inputs (Lark refuses a default longer
// than max_length, and larksim checks it), the rows stop at
// MaxUnfinishedRows, and what is left out is counted.
func TestMonthlyDraftWithinLimits(t *testing.T) {
	long := strings.Repeat("长", MaxShortText)
	var items []workflow.DraftItem
	for i := 0; i < 40; i++ {
		items = append(items, workflow.DraftItem{Title: fmt.Sprintf("%d%s", i, long), Deadline: calendar.NewDate(2026, 3, 20),
			Progress: 50, State: workflow.DraftUnfinished, Week: "2026-W12"})
	}
	f := MonthlyForm{Month: "2026-03"}
	f.FillDraft(workflow.MonthlyDraft{Month: "2026-03", Items: items})
	if n := utf8.RuneCountInString(f.Goals); n > MaxText {
		t.Errorf("goals %d runes", n)
	}
	if n := utf8.RuneCountInString(f.Completion); n > MaxLongText {
		t.Errorf("completion %d runes", n)
	}
	if !strings.Contains(f.Goals, "……另有") || !strings.Contains(f.Completion, "……另有") {
		t.Errorf("left-out items not counted:\n%s\n%s", f.Goals, f.Completion)
	}
	if len(f.Unfinished) != MaxUnfinishedRows {
		t.Errorf("%d unfinished rows, want %d", len(f.Unfinished), MaxUnfinishedRows)
	}
	for _, u := range f.Unfinished {
		if utf8.RuneCountInString(u.Item) > MaxShortText {
			t.Errorf("row of %d runes", utf8.RuneCountInString(u.Item))
		}
	}
	if err := larksim.ValidateCard(MonthlyCard(f)); err != nil {
		t.Fatalf("drafted card: %v", err)
	}
	// An empty draft leaves the form blank.
	var g MonthlyForm
	g.FillDraft(workflow.MonthlyDraft{Month: "2026-03"})
	if g.Drafted || g.Goals != "" {
		t.Errorf("empty draft filled %+v", g)
	}
}
