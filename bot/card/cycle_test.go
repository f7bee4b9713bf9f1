package card

import (
	"strings"
	"testing"

	"github.com/kaohe/kaohe/workflow"
)

// TestGoldenCycle: the cards the bot answers HR's cycle commands with, and
// its other small answers, each as a golden file that larksim accepts.
func TestGoldenCycle(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		card []byte
	}{
		{"open_period", OpenPeriodCard(OpenPeriod{Next: "2027-Q1", Open: []PeriodLine{
			{ID: "2026-Q3", State: workflow.PeriodPublished}, {ID: "2026-Q4", State: workflow.PeriodOpen}}})},
		{"open_period_none", OpenPeriodCard(OpenPeriod{Next: "2026-Q3"})},
		{"open_period_schemes", OpenPeriodCard(OpenPeriod{Next: "2027-Q1", More: []string{"2027-Q1@s5", "2027-01@s4-month"},
			Open: []PeriodLine{{ID: "2026-Q4", State: workflow.PeriodPublished}, {ID: "2026-12@s4-month", State: workflow.PeriodOpen}}})},
		{"period_opened", PeriodOpenedCard(PeriodOpened{ID: "2026-Q4", Start: "2026-10-01", End: "2026-12-31",
			SummaryDue: "2027-01-08", FilingDue: "2027-01-29"})},
		{"close_period", ClosePeriodCard(ClosePeriod{ID: "2026-Q3", Version: 7})},
		{"close_period_missing", ClosePeriodCard(ClosePeriod{ID: "2026-Q3", Version: 7, Missing: []string{"刘志强：审定（副局长赵，2026-10-15截止）", "陈丽娟：季度小结未提交"}})},
		{"no_committee", NoCommitteeCard()},
		{"filed", FiledCard("2026-Q3")},
		{"delegated", DelegatedCard(Delegated{To: "李国庆", From: "2026-10-10", Until: "2026-10-17", Reason: "外出参加培训"})},
		{"year", YearCard(Year{Year: 2026, Periods: []PeriodLine{
			{ID: "2026-Q1", State: workflow.PeriodClosed}, {ID: "2026-Q2", State: workflow.PeriodClosed},
			{ID: "2026-Q3", State: workflow.PeriodPublished}, {ID: "2026-Q4", State: workflow.PeriodPublished}}})},
		{"year_not_ready", YearCard(Year{Year: 2026, Periods: []PeriodLine{
			{ID: "2026-Q3", State: workflow.PeriodClosed}, {ID: "2026-Q4", State: workflow.PeriodCommittee}}})},
		{"year_empty", YearCard(Year{Year: 2025})},
		// S5's year: the 年度评分 HR enters before the year can be composed.
		{"year_annual", YearCard(Year{Year: 2026, ID: "2026@s5", Annual: &YearAnnual{Entered: 5, People: 7}, Periods: []PeriodLine{
			{ID: "2026-Q4@s5", State: workflow.PeriodPublished}}})},
		{"year_annual_done", YearCard(Year{Year: 2026, ID: "2026@s5", Annual: &YearAnnual{Entered: 7, People: 7}, Periods: []PeriodLine{
			{ID: "2026-Q4@s5", State: workflow.PeriodPublished}}})},
		{"year_annual_form", mustCard(t)(AnnualCard(AnnualForm{Year: "2026@s5", Scale: 100_00, Weight: "40%", People: []AnnualPerson{
			{ID: "ou_c1", Name: "韩一", Unit: "审批一科", Score: "92.5"}, {ID: "ou_c2", Name: "冯二", Unit: "审批一科"}}}))},
		{"year_annual_locked", mustCard(t)(AnnualCard(AnnualForm{Year: "2026", Scale: 100_00, Weight: "40%", Locked: true, People: []AnnualPerson{
			{ID: "ou_c1", Name: "韩一", Unit: "审批一科", Score: "92.5"}, {ID: "ou_c2", Name: "冯二", Score: "80"}}}))},
		// An organisation under S4 and S5 (and S9, whose 年度测评 is not
		// yet opened): each scheme's year with its own button.
		{"year_schemes", YearsCard([]Year{
			{Year: 2026, Periods: []PeriodLine{{ID: "2026-Q3", State: workflow.PeriodClosed}, {ID: "2026-Q4", State: workflow.PeriodPublished}}, Today: "2027-01-05"},
			{Year: 2026, ID: "2026@s5", Periods: []PeriodLine{{ID: "2026-Q3@s5", State: workflow.PeriodClosed}, {ID: "2026-Q4@s5", State: workflow.PeriodConfirmed}}},
			{Year: 2026, ID: "2026@s9", RatingsNeeded: true, Periods: []PeriodLine{{ID: "2026-Q3@s9", State: workflow.PeriodClosed}}},
		})},
		{"year_schemes_ready", YearsCard([]Year{
			{Year: 2026, Periods: []PeriodLine{{ID: "2026-Q4", State: workflow.PeriodPublished}}},
			{Year: 2026, ID: "2026@s5", Periods: []PeriodLine{{ID: "2026-Q4@s5", State: workflow.PeriodClosed}}},
		})},
		{"published", PublishedCard(Published{Period: "2026-Q3", Chats: 1})},
		{"published_no_chat", PublishedCard(Published{Period: "2026-Q3"})},
		{"refused", RefusedCard("您无权办理此事项")},
		{"no_result", NoResultCard()},
		{"no_progress", NoProgressCard()},
		{"sync_started", SyncStartedCard(false)},
		{"sync_started_apply", SyncStartedCard(true)},
		{"sync_unavailable", SyncUnavailableCard()},
		{"sync_lost", SyncLostCard()},
		{"sync_failed", SyncFailedCard("系统繁忙，请稍后重试")},
		{"undeliverable", UndeliverableCard(Undeliverable{Count: "2", Lines: []string{
			"张建国 · 2026年第三季度平时考核结果 · 用户已离职", "王海燕 · 周记实提醒 · 机器人不可见"}})},
		{"audit_head", AuditHeadCard(AuditHead{Seq: "10234", Hash: strings.Repeat("ab12", 16), At: "2026-10-09 10:30"})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkGolden(t, tc.name, tc.card)
		})
	}
}

// TestCycleButtons: each cycle card's button carries the kind, id and
// version that its callback acts on, and the year's button is there only
// when every period of the year is past 公示.
func TestCycleButtons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		card []byte
		want string // the button's value, or "" for none
	}{
		{"Open", OpenPeriodCard(OpenPeriod{Next: "2027-Q1"}), `{"id":"2027-Q1","k":"period_open","v":0}`},
		{"Close", ClosePeriodCard(ClosePeriod{ID: "2026-Q3", Version: 7}), `{"id":"2026-Q3","k":"period_close","v":7}`},
		{"YearReady", YearCard(Year{Year: 2026, Periods: []PeriodLine{{ID: "2026-Q4", State: workflow.PeriodClosed}}}), `{"id":"2026","k":"year_compose","v":0}`},
		{"YearNotReady", YearCard(Year{Year: 2026, Periods: []PeriodLine{{ID: "2026-Q4", State: workflow.PeriodConfirmed}}}), ""},
		{"SchemeYear", YearCard(Year{Year: 2026, ID: "2026@s5", Periods: []PeriodLine{{ID: "2026-Q4@s5", State: workflow.PeriodClosed}}}), `{"id":"2026@s5","k":"year_compose","v":0}`},
		{"Filed", FiledCard("2026-Q3"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Contains(string(tc.card), `"behaviors"`)
			if tc.want == "" {
				if got {
					t.Errorf("a button on %s", tc.card)
				}
				return
			}
			if !strings.Contains(string(tc.card), `"value":`+tc.want) {
				t.Errorf("no button %s in %s", tc.want, tc.card)
			}
		})
	}
}
