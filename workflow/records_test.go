package workflow_test

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/workflow"
)

// recordsOrg is a unit of two people with their leader and HR.
func (h *harness) recordsOrg() {
	h.t.Helper()
	units := []workflow.Unit{{ID: "u1", Name: "办公室", Leader: "l1", Supervisor: "s1"}}
	people := []workflow.Person{
		{ID: "head", Name: "局长", Committee: true},
		{ID: "s1", Name: "副局长"},
		{ID: "hr", Name: "政工科", HR: true},
		{ID: "l1", Name: "科长", Unit: "u1", Assessed: true},
		{ID: "e1", Name: "干部甲", Unit: "u1", Assessed: true},
		{ID: "e2", Name: "干部乙", Unit: "u1", Assessed: true},
	}
	h.must("Setup", h.svc.Setup(ctx, "hr", workflow.Settings{Name: "XX局", Head: "head"}, units, people))
}

func daily(day string) workflow.EntryInput {
	return workflow.EntryInput{Kind: workflow.EntryDaily, Period: day, Body: workflow.EntryBody{Log: "起草材料，参加例会"}}
}

// remindedEntries lists the entries of an item's reminders, each once,
// sorted.
func remindedEntries(ns []workflow.Notification, item string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range ns {
		if n.Template == workflow.TplRemind && n.Data["item"] == item && !seen[n.Data["entry"]] {
			seen[n.Data["entry"]] = true
			out = append(out, n.Data["entry"])
		}
	}
	sort.Strings(out)
	return out
}

// TestRecordsPerScheme: the reminders, the 待办 and the self-summary's
// prerequisites follow the records the scheme keeps (scoring.Records).
// The week after 国庆 2026 has a 调休 Saturday (10-10) worked and a
// Sunday (10-11) off.
func TestRecordsPerScheme(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scheme string
		// daily and weekly are the entries reminded from 10-08 to 10-13.
		daily, weekly []string
		// record is the name the daily or weekly reminder carries ("" the
		// usual one).
		record string
		// summaryErr is what a self-summary without any weekly record
		// gets on 10-13.
		summaryErr error
		// refused is a kind the scheme keeps none of, refused on Submit.
		refused string
	}{
		{scheme: "s7", daily: []string{"2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12", "2026-10-13"},
			record: "个人工作日志", refused: workflow.EntryWeekly},
		{scheme: "s2", refused: workflow.EntryWeekly},
		{scheme: "s4", weekly: []string{"2026-W40", "2026-W41"}, summaryErr: workflow.ErrIncomplete, refused: workflow.EntryDaily},
	}
	for _, tc := range tests {
		t.Run(tc.scheme, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.scheme, at(2026, 10, 8, 8, 0), nil)
			h.recordsOrg()
			_, err := h.svc.OpenPeriod(ctx, "hr", "2026-Q4")
			h.must("open", err)
			h.advance(at(2026, 10, 13, 18, 0))
			ns := h.take()
			if got := remindedEntries(ns, "daily"); !equal(got, tc.daily) {
				t.Errorf("daily log reminders for %v, want %v", got, tc.daily)
			}
			if got := remindedEntries(ns, "weekly"); !equal(got, tc.weekly) {
				t.Errorf("weekly record reminders for %v, want %v", got, tc.weekly)
			}
			for _, n := range ns {
				if n.Template == workflow.TplRemind && (n.Data["item"] == "daily" || n.Data["item"] == "weekly") {
					if n.Data["record"] != tc.record {
						t.Errorf("%s reminder names the record %q, want %q", n.Data["item"], n.Data["record"], tc.record)
					}
					if n.Data["item"] == "daily" && (n.Data["stage"] != workflow.StageDue || !strings.HasPrefix(n.Data["due"], "2026-10")) {
						t.Errorf("daily reminder %v: want the due stage on the day", n.Data)
					}
				}
			}
			// e1's 待办 lists what was reminded, for the kinds kept.
			owed, err := h.svc.Owed(ctx, "e1")
			h.must("owed", err)
			kinds := map[string]int{}
			for _, d := range owed {
				kinds[d.Kind]++
			}
			if kinds[workflow.EntryDaily] != len(tc.daily) || kinds[workflow.EntryWeekly] != len(tc.weekly) {
				t.Errorf("e1 owes %v, want %d daily logs and %d weekly records", owed, len(tc.daily), len(tc.weekly))
			}
			err = h.svc.Submit(ctx, "e1", summary("2026-Q4"))
			if tc.summaryErr == nil && err != nil {
				t.Errorf("self-summary with no weekly record: %v, want it taken", err)
			}
			if tc.summaryErr != nil && !errors.Is(err, tc.summaryErr) {
				t.Errorf("self-summary with no weekly record: %v, want %v", err, tc.summaryErr)
			}
			in := weekly("2026-W41")
			if tc.refused == workflow.EntryDaily {
				in = daily("2026-10-12")
			}
			h.wantErr("a record the scheme does not keep", h.svc.Submit(ctx, "e2", in), workflow.ErrInvalidInput)
		})
	}
}

// TestDailyLogOwedForAWeek: S7's daily log is owed on its day and the five
// working days after it, then drops off the 待办 (it is still taken); a
// written log is no longer owed or reminded.
func TestDailyLogOwedForAWeek(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s7", at(2026, 10, 8, 8, 0), nil)
	h.recordsOrg()
	_, err := h.svc.OpenPeriod(ctx, "hr", "2026-Q4")
	h.must("open", err)
	h.clk.Set(at(2026, 10, 8, 17, 0))
	h.must("e1 writes 10-08", h.svc.Submit(ctx, "e1", daily("2026-10-08")))
	h.advance(at(2026, 10, 9, 17, 0))
	if got := sel(h.take(), workflow.TplRemind, "item=daily", "entry=2026-10-08"); !equal(got, []string{"e2", "l1"}) {
		t.Errorf("10-08's log reminded to %v, want e2 and l1 (e1 wrote it)", got)
	}
	owes := func(who string) []string {
		owed, err := h.svc.Owed(ctx, who)
		h.must("owed", err)
		var out []string
		for _, d := range owed {
			if d.Kind == workflow.EntryDaily {
				out = append(out, d.Entry)
			}
		}
		return out
	}
	if got := owes("e1"); !equal(got, []string{"2026-10-09"}) {
		t.Errorf("e1 owes %v, want 10-09's log", got)
	}
	// 10-15 is the fifth working day after 10-09 (10-10 is worked).
	h.advance(at(2026, 10, 15, 17, 0))
	if got := owes("e1"); len(got) != 6 || got[0] != "2026-10-09" {
		t.Errorf("e1 owes %v on 10-15, want 10-09's log still and five more", got)
	}
	h.advance(at(2026, 10, 16, 17, 0))
	if got := owes("e1"); len(got) != 6 || got[0] != "2026-10-10" {
		t.Errorf("e1 owes %v on 10-16, want from 10-10 (a week back)", got)
	}
	h.must("a late log is taken", h.svc.Submit(ctx, "e1", daily("2026-10-09")))
	h.wantErr("twice", h.svc.Submit(ctx, "e1", daily("2026-10-09")), workflow.ErrConflict)
	h.wantErr("a day to come", h.svc.Submit(ctx, "e1", daily("2026-10-20")), workflow.ErrInvalidInput)
}
