package workflow_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// monthlyS4 is S4 run monthly, as 注意事项1 allows for 窗口单位 and 服务部门:
// the embedded s4.yaml with cycle: month.
func monthlyS4(t *testing.T) *scoring.Scheme {
	t.Helper()
	src, err := scoring.BuiltinSource("s4")
	if err != nil {
		t.Fatalf("BuiltinSource(s4): %v", err)
	}
	text := string(src)
	if strings.Count(text, "\ncycle: quarter\n") != 1 {
		t.Fatalf("s4.yaml has no single line cycle: quarter")
	}
	sc, err := scoring.Load("s4-month.yaml", []byte(strings.Replace(text, "\ncycle: quarter\n", "\ncycle: month\n", 1)))
	if err != nil {
		t.Fatalf("Load monthly s4: %v", err)
	}
	if sc.Cycle != workflow.KindMonth {
		t.Fatalf("cycle = %q, want month", sc.Cycle)
	}
	return sc
}

// newHarnessScheme is newHarness with a scheme that is not built in.
func newHarnessScheme(t *testing.T, sc *scoring.Scheme, start time.Time) *harness {
	t.Helper()
	h := &harness{t: t, store: memory.New(), clk: clock.NewFake(start), cal: calendar.Default()}
	var err error
	h.svc, err = workflow.New(workflow.Config{Store: h.store, Clock: h.clk, Calendar: h.cal, Scheme: sc, ManualOpen: true})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

// actAll runs every pending step of the period, except those of the people
// in skip, to the end of its chain; the first step scores with assess.
func (h *harness) actAll(period string, skip map[string]bool, assess func(id string) *workflow.Assessment) {
	h.t.Helper()
	for {
		var steps []workflow.Step
		h.must("steps", h.store.InTx(ctx, func(tx workflow.Tx) error {
			var err error
			steps, err = tx.Steps(ctx, workflow.StepFilter{Period: period, State: workflow.StepPending})
			return err
		}))
		n := 0
		for _, s := range steps {
			if skip[s.Person] {
				continue
			}
			n++
			a := workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove}
			if len(s.Assessment.Indicators) == 0 {
				a.Assessment = assess(s.Person)
			}
			h.must(s.Name+" "+s.Person, h.svc.Act(ctx, s.Assignee, a))
		}
		if n == 0 {
			return
		}
	}
}

// reminders returns the reminder and escalation notifications in ns as
// "template/item/entry/stage→to" lines, in order.
func reminders(ns []workflow.Notification) []string {
	var out []string
	for _, n := range ns {
		switch n.Template {
		case workflow.TplRemind, workflow.TplEscalate, workflow.TplFeedbackDue, workflow.TplFilingDue:
			if n.Data["stage"] == "" {
				continue // FeedbackDue sent by Publish itself
			}
			out = append(out, n.Template+"/"+n.Data["item"]+"/"+n.Data["entry"]+"/"+n.Data["stage"]+"→"+n.To+"@"+n.CreatedAt.In(sh).Format("01-02 15:04"))
		}
	}
	return out
}

// TestMonthS4 runs September 2026 for a window unit on S4 with a monthly
// cycle (注意事项1: 每下一个月初考核上一个月的等次): the period "2026-09", its
// weekly records, the 月小结, the self-summary due after 国庆, the chains,
// the quota, 公示, and the reminders, which go out on working days only and
// only while something is still open.
func TestMonthS4(t *testing.T) {
	t.Parallel()
	h := newHarnessScheme(t, monthlyS4(t), at(2026, 8, 31, 9, 0))
	h.org60()
	const m = "2026-09"

	// The deadlines, checked against the calendar: 1–7 October are 国庆,
	// 10 October (a Saturday) is a 调休 working day.
	for d := calendar.NewDate(2026, 10, 1); !d.After(calendar.NewDate(2026, 10, 7)); d = d.AddDays(1) {
		if h.cal.IsWorkday(d) {
			t.Fatalf("%s is a working day; the test assumes 国庆 1–7 October", d)
		}
	}
	if sat := calendar.NewDate(2026, 10, 10); !h.cal.IsWorkday(sat) || h.cal.AddWorkdays(calendar.NewDate(2026, 9, 30), 3) != sat {
		t.Fatalf("calendar: 10 October is not the third working day after 30 September")
	}
	tests := []struct {
		name string
		id   string
		err  error
	}{
		{"ErrInvalidInputQuarter", "2026-Q3", workflow.ErrInvalidInput},
		{"ErrInvalidInputWeek", "2026-W36", workflow.ErrInvalidInput},
	}
	for _, tt := range tests {
		_, err := h.svc.OpenPeriod(ctx, "hr", tt.id)
		h.wantErr(tt.name, err, tt.err)
	}
	h.clk.Set(at(2026, 9, 1, 8, 30))
	per, err := h.svc.OpenPeriod(ctx, "hr", m)
	h.must("OpenPeriod", err)
	if per.Kind != workflow.KindMonth || per.Start != calendar.NewDate(2026, 9, 1) || per.End != calendar.NewDate(2026, 9, 30) {
		t.Errorf("period = %s %s..%s, want month 09-01..09-30", per.Kind, per.Start, per.End)
	}
	if per.SummaryDue != calendar.NewDate(2026, 10, 10) {
		t.Errorf("summary due %s, want 2026-10-10 (third working day after 30 September)", per.SummaryDue)
	}
	if !h.cal.IsWorkday(per.FilingDue) || per.FilingDue != calendar.NewDate(2026, 10, 8) {
		t.Errorf("filing due %s, want 2026-10-08 (6 October is a holiday)", per.FilingDue)
	}
	h.wantErr("summary for a quarter", h.svc.Submit(ctx, "e01", summary("2026-Q3")), workflow.ErrInvalidInput)
	h.wantErr("next month not opened", h.svc.Submit(ctx, "e01", monthly("2026-10")), workflow.ErrNotFound)
	h.take()

	// The weeks of September (by their Thursday): W36–W39; W40 (Thursday
	// 1 October) is October's. Each is written on the week's last working
	// day — Thursday 24 September before 中秋. e11 forgets W37 until the
	// leader is told.
	weeks := weeksOf(m)
	if len(weeks) != 4 || weeks[0].String() != "2026-W36" || weeks[3].String() != "2026-W39" {
		t.Fatalf("weeks of %s = %v", m, weeks)
	}
	var evs []event
	for _, w := range weeks {
		d := w.Start().AddDays(4)
		for !h.cal.IsWorkday(d) {
			d = d.AddDays(-1)
		}
		evs = append(evs, event{at(d.Year, d.Month, d.Day, 10, 0), func() {
			for _, p := range staff() {
				if p == "e11" && w.String() == "2026-W37" {
					continue
				}
				h.must("weekly "+p, h.svc.Submit(ctx, p, weekly(w.String())))
			}
		}})
	}
	evs = append(evs,
		event{at(2026, 9, 16, 10, 0), func() {
			ns := h.take()
			// Due Monday 14 September (次周一以前 includes Monday).
			want := []string{
				"remind/weekly/2026-W37/before→e11@09-11 15:00",
				"remind/weekly/2026-W37/due→e11@09-14 09:00",
				"remind/weekly/2026-W37/overdue→e11@09-15 09:00",
				"escalate/weekly/2026-W37/leader→l1@09-16 09:00",
			}
			if got := reminders(ns); !equal(got, want) {
				t.Errorf("W37 reminders = %v, want %v", got, want)
			}
			h.must("late weekly", h.svc.Submit(ctx, "e11", weekly("2026-W37")))
		}},
		// 月小结 on the 29th; e07 writes it the last morning (due 30
		// September), after the day-before nudge and before the due one.
		event{at(2026, 9, 29, 10, 0), func() {
			if got := reminders(h.take()); len(got) != 0 {
				t.Errorf("reminders after W37 was written: %v", got)
			}
			for _, p := range staff() {
				if p != "e07" {
					h.must("monthly "+p, h.svc.Submit(ctx, p, monthly(m)))
				}
			}
		}},
		event{at(2026, 9, 30, 8, 30), func() {
			want := []string{"remind/monthly/2026-09/before→e07@09-29 15:00"}
			if got := reminders(h.take()); !equal(got, want) {
				t.Errorf("月小结 reminders = %v, want %v", got, want)
			}
			h.must("monthly e07", h.svc.Submit(ctx, "e07", monthly(m)))
		}},
		// Self-summaries on the last afternoon; e05 leaves it until after 国庆.
		event{at(2026, 9, 30, 16, 0), func() {
			for _, p := range staff() {
				if p != "e05" {
					h.must("summary "+p, h.svc.Submit(ctx, p, summary(m)))
				}
			}
		}},
	)
	h.run(evs)

	scoreOf := func(p string) int {
		var n int
		switch {
		case p == "e57":
			return 55
		case strings.HasPrefix(p, "l"):
			return 85
		}
		if _, err := sscan(p, &n); err == nil && n <= 20 {
			return 95 // 20 好, under the cap of 24
		}
		return 80
	}
	assess := func(p string) *workflow.Assessment {
		return &workflow.Assessment{Indicators: s4Scores(scoreOf(p)), Comment: "窗口服务规范"}
	}
	// After 国庆 the leaders work through the chains (each step is due
	// three working days after it starts: 10 October for the first ones).
	h.advance(at(2026, 10, 8, 10, 0))
	ns := h.take()
	for _, n := range ns {
		if d := calendar.DateOf(n.CreatedAt.In(sh)); !h.cal.IsWorkday(d) {
			t.Errorf("%s to %s written on a day off %s", n.Template, n.To, d)
		}
	}
	if got := reminders(ns); len(got) != 0 {
		t.Errorf("reminders over 国庆 = %v, want none", got)
	}
	h.actAll(m, map[string]bool{"e05": true}, assess)
	h.wantErr("close while e05 has not summed up", h.svc.CloseAppraisal(ctx, "hr", m), workflow.ErrIncomplete)

	// e05 is nudged the working day before the due date, and writes it
	// early on the 调休 Saturday, before the on-the-day nudge.
	h.advance(at(2026, 10, 10, 8, 30))
	want := []string{"remind/summary/2026-09/before→e05@10-09 15:00"}
	if got := reminders(h.take()); !equal(got, want) {
		t.Errorf("summary reminders = %v, want %v", got, want)
	}
	h.must("summary e05", h.svc.Submit(ctx, "e05", summary(m)))
	ns = h.take()
	if n, ok := find(ns, workflow.TplStepAssigned, "l1"); !ok || n.Data["due"] != "2026-10-14" {
		t.Errorf("e05's 初评 = %v, want due 2026-10-14 (10 October counts, 11 is a Sunday)", n.Data)
	}
	h.advance(at(2026, 10, 12, 10, 0))
	h.actAll(m, nil, assess)
	if got := reminders(h.take()); len(got) != 0 {
		t.Errorf("reminders with every item done = %v", got)
	}

	// Close, confirm and publish: 好 capped at 40% of 60.
	h.must("close", h.svc.CloseAppraisal(ctx, "hr", m))
	pd, err := h.svc.Period(ctx, m)
	h.must("period", err)
	if len(pd.Quotas) != 1 || pd.Quotas[0].MaxCount == nil || *pd.Quotas[0].MaxCount != 24 || pd.Quotas[0].After != 20 {
		t.Errorf("quota = %+v, want 20 好 under a cap of 24", pd.Quotas)
	}
	ns = h.take()
	h.checkNotes(ns, []string{"c1", "head", "s1"}, time.Time{}, workflow.TplCommitteeConfirm, "period="+m)
	h.must("confirm", h.svc.ConfirmResults(ctx, "c1", m))
	h.advance(at(2026, 10, 13, 10, 0))
	h.must("publish", h.svc.Publish(ctx, "hr", m))
	ns = h.take()
	if pub, _ := find(ns, workflow.TplPublicity, "oc_public"); pub.Data["period"] != m || pub.Data["count"] != "20" || pub.Data["until"] != "2026-10-20" || pub.Data["review_until"] != "2026-10-28" {
		t.Errorf("publicity = %v", pub.Data)
	}
	if got := len(sel(ns, workflow.TplResult, "period="+m)); got != 60 {
		t.Errorf("private results = %d, want 60", got)
	}
	for p, want := range map[string]string{"e01": "好", "e20": "好", "e21": "较好", "e57": "较差", "l1": "较好"} {
		if r, err := h.svc.Result(ctx, "hr", m, p); err != nil || r.Grade != want {
			t.Errorf("%s = %q (%v), want %s", p, r.Grade, err, want)
		}
	}
	// The entries are closed with the period.
	h.wantErr("monthly after close", h.svc.Submit(ctx, "e01", monthly(m)), workflow.ErrWindowClosed)

	// 反馈 the next day: nothing is left open but 备案, whose slots
	// (before 8 October) passed before the period was published.
	h.advance(at(2026, 10, 14, 10, 0))
	fb := workflow.Feedback{Strengths: "服务热情", Problems: "业务不够熟练", Requests: "加强学习"}
	for _, p := range staff() {
		leader := map[string]string{"u1": "l1", "u2": "l2", "u3": "l3"}[unitOf(p)]
		if strings.HasPrefix(p, "l") {
			leader = map[string]string{"l1": "s1", "l2": "s1", "l3": "s2"}[p]
		}
		h.must("feedback "+p, h.svc.RecordFeedback(ctx, leader, m, p, fb))
	}
	h.advance(at(2026, 10, 29, 10, 0))
	if got := reminders(h.take()); len(got) != 0 {
		t.Errorf("reminders after everything was done = %v", got)
	}
	if pd, _ := h.svc.Period(ctx, m); pd.State != workflow.PeriodClosed {
		t.Errorf("period state %s after the 复核 window, want closed", pd.State)
	}
	if err := workflow.VerifyAudit(nil, h.audit()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
}
