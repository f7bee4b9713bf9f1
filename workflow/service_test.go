package workflow_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// snapshot is everything a refused call must leave unchanged (the audit
// log may grow by a denial row).
type snapshot struct {
	people  []workflow.Person
	entries []workflow.Entry
	steps   []workflow.Step
	periods []workflow.Period
	outbox  []workflow.Notification
	voters  []string
	ballots []workflow.Ballot
}

func (h *harness) snap() snapshot {
	h.t.Helper()
	var s snapshot
	h.must("snap", h.store.InTx(ctx, func(tx workflow.Tx) error {
		s.people, _ = tx.People(ctx)
		s.entries, _ = tx.Entries(ctx, workflow.EntryFilter{})
		s.steps, _ = tx.Steps(ctx, workflow.StepFilter{})
		s.periods, _ = tx.Periods(ctx)
		s.outbox, _ = tx.Outbox(ctx, "", 0, 0)
		s.voters, _ = tx.Voters(ctx, "2026-Q3")
		s.ballots, _ = tx.Ballots(ctx, "2026-Q3")
		return nil
	}))
	return s
}

// badHarness is an S4 organisation in mid-quarter with e01's summary in,
// its 初评 pending with l1, and 民主测评 turned on.
func badHarness(t *testing.T) (*harness, workflow.Step) {
	t.Helper()
	on := true
	h := newHarness(t, "s4", at(2026, 7, 1, 9, 0), func(c *workflow.Config) { c.Votes = &on })
	h.org60()
	_, err := h.svc.OpenPeriod(ctx, "hr", "2026-Q3")
	h.must("open", err)
	h.clk.Set(at(2026, 7, 3, 10, 0))
	h.must("summary", h.svc.Submit(ctx, "e01", summary("2026-Q3")))
	return h, h.pendingStep("2026-Q3", "e01")
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	votes := func(n int, v string) map[string]scoring.Dec {
		m := map[string]scoring.Dec{}
		for i := 2; i <= n+1; i++ {
			m["e"+pad(i)] = scoring.D(v)
		}
		return m
	}
	tests := []struct {
		name  string
		call  func(h *harness, st workflow.Step) error
		want  error
		field string
	}{
		{"ErrForbidden/submit by a non-assessed person", func(h *harness, _ workflow.Step) error {
			return h.svc.Submit(ctx, "hr", weekly("2026-W27"))
		}, workflow.ErrForbidden, ""},
		{"ErrForbidden/unknown caller", func(h *harness, _ workflow.Step) error {
			return h.svc.Submit(ctx, "ghost", weekly("2026-W27"))
		}, workflow.ErrForbidden, ""},
		{"ErrInvalidInput/empty weekly", func(h *harness, _ workflow.Step) error {
			return h.svc.Submit(ctx, "e02", workflow.EntryInput{Kind: workflow.EntryWeekly, Period: "2026-W27"})
		}, workflow.ErrInvalidInput, "tasks"},
		{"ErrInvalidInput/progress out of range", func(h *harness, _ workflow.Step) error {
			in := weekly("2026-W27")
			in.Body.Tasks[0].Progress = 120
			return h.svc.Submit(ctx, "e02", in)
		}, workflow.ErrInvalidInput, "tasks[0].progress"},
		{"ErrInvalidInput/bad week id", func(h *harness, _ workflow.Step) error {
			return h.svc.Submit(ctx, "e02", weekly("2026-W99"))
		}, workflow.ErrInvalidInput, "period"},
		{"ErrInvalidInput/future week", func(h *harness, _ workflow.Step) error {
			return h.svc.Submit(ctx, "e02", weekly("2026-W35"))
		}, workflow.ErrInvalidInput, "period"},
		{"ErrNotFound/period not opened", func(h *harness, _ workflow.Step) error {
			return h.svc.Submit(ctx, "e02", weekly("2026-W20"))
		}, workflow.ErrNotFound, ""},
		{"ErrForbidden/not the assignee", func(h *harness, st workflow.Step) error {
			return h.svc.Act(ctx, "l2", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove, Assessment: &workflow.Assessment{Indicators: s4Scores(90)}})
		}, workflow.ErrForbidden, ""},
		{"ErrStale/old version", func(h *harness, st workflow.Step) error {
			return h.svc.Act(ctx, "l1", workflow.StepAction{StepID: st.ID, Version: st.Version + 1, Action: workflow.ActApprove, Assessment: &workflow.Assessment{Indicators: s4Scores(90)}})
		}, workflow.ErrStale, ""},
		{"ErrNotFound/unknown step", func(h *harness, st workflow.Step) error {
			return h.svc.Act(ctx, "l1", workflow.StepAction{StepID: "nope", Version: 1, Action: workflow.ActApprove})
		}, workflow.ErrNotFound, ""},
		{"ErrInvalidInput/unknown indicator", func(h *harness, st workflow.Step) error {
			return h.svc.Act(ctx, "l1", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove, Assessment: &workflow.Assessment{Indicators: map[string]scoring.Dec{"颜值": scoring.D("5")}}})
		}, workflow.ErrInvalidInput, "scores.颜值"},
		{"ErrInvalidInput/negative score", func(h *harness, st workflow.Step) error {
			sc := s4Scores(90)
			sc["职业道德"] = scoring.D("-1")
			return h.svc.Act(ctx, "l1", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove, Assessment: &workflow.Assessment{Indicators: sc}})
		}, workflow.ErrInvalidInput, "scores.职业道德"},
		{"ErrInvalidInput/send back without reason", func(h *harness, st workflow.Step) error {
			return h.svc.Act(ctx, "l1", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActSendBack})
		}, workflow.ErrInvalidInput, "reason"},
		{"ErrInvalidInput/direct grade with an unknown reason", func(h *harness, st workflow.Step) error {
			return h.svc.Act(ctx, "l1", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove,
				Assessment: &workflow.Assessment{Indicators: s4Scores(90), Direct: &scoring.DirectInput{Grade: "top", Reason: "关系好"}}})
		}, workflow.ErrInvalidInput, "reason"},
		{"ErrForbidden/HR-only action by an employee", func(h *harness, _ workflow.Step) error {
			return h.svc.MovePerson(ctx, "e01", "e01", "u2", "想调动")
		}, workflow.ErrForbidden, ""},
		{"ErrInvalidInput/move to an unknown unit", func(h *harness, _ workflow.Step) error {
			return h.svc.MovePerson(ctx, "hr", "e01", "u9", "调动")
		}, workflow.ErrInvalidInput, "unit"},
		{"ErrInvalidInput/unknown person", func(h *harness, _ workflow.Step) error {
			return h.svc.MovePerson(ctx, "hr", "nobody", "u2", "调动")
		}, workflow.ErrInvalidInput, "person"},
		{"ErrForbidden/delegate to self", func(h *harness, _ workflow.Step) error {
			return h.svc.Delegate(ctx, "l1", "l1", h.clk.Now(), h.clk.Now().Add(48*3600e9), "x")
		}, workflow.ErrForbidden, ""},
		{"ErrInvalidInput/vote out of range", func(h *harness, _ workflow.Step) error {
			v := votes(18, "90")
			v["e02"] = scoring.D("101")
			return h.svc.Vote(ctx, "e01", "2026-Q3", v)
		}, workflow.ErrInvalidInput, "votes.e02"},
		{"ErrInvalidInput/vote for a stranger", func(h *harness, _ workflow.Step) error {
			v := votes(18, "90")
			v["e30"] = scoring.D("90")
			return h.svc.Vote(ctx, "e01", "2026-Q3", v)
		}, workflow.ErrInvalidInput, "votes.e30"},
		{"ErrInvalidInput/colleagues left out", func(h *harness, _ workflow.Step) error {
			return h.svc.Vote(ctx, "e01", "2026-Q3", votes(5, "90"))
		}, workflow.ErrInvalidInput, "votes"},
		{"ErrInvalidTransition/publish an open period", func(h *harness, _ workflow.Step) error {
			return h.svc.Publish(ctx, "hr", "2026-Q3")
		}, workflow.ErrInvalidTransition, ""},
		{"ErrWindowClosed/review before 公示", func(h *harness, _ workflow.Step) error {
			return h.svc.RequestReview(ctx, "e01", "2026-Q3", "不服")
		}, workflow.ErrWindowClosed, ""},
		{"ErrIncomplete/close with chains running", func(h *harness, _ workflow.Step) error {
			return h.svc.CloseAppraisal(ctx, "hr", "2026-Q3")
		}, workflow.ErrIncomplete, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, st := badHarness(t)
			before := h.snap()
			err := tc.call(h, st)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var ie *workflow.InputError
			if tc.field != "" && (!errors.As(err, &ie) || ie.Field != tc.field) {
				t.Errorf("field = %v, want %q", err, tc.field)
			}
			if msg := workflow.Message(err); msg == "" || strings.Contains(msg, "系统繁忙") {
				t.Errorf("Message(%v) = %q", err, msg)
			}
			if after := h.snap(); !reflect.DeepEqual(before, after) {
				t.Errorf("a refused call changed state")
			}
			if errors.Is(err, workflow.ErrForbidden) {
				rows := h.audit()
				if last := rows[len(rows)-1]; !last.Denied {
					t.Errorf("denial not audited: %+v", last)
				}
			}
		})
	}
}

func pad(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}

// TestVoteAnonymous: after voting, nothing stored links a ballot to its voter.
func TestVoteAnonymous(t *testing.T) {
	t.Parallel()
	h, _ := badHarness(t)
	v := map[string]scoring.Dec{}
	for i := 2; i <= 19; i++ {
		v["e"+pad(i)] = scoring.D("88")
	}
	v["l1"] = scoring.D("77")
	h.must("vote", h.svc.Vote(ctx, "e01", "2026-Q3", v))
	h.wantErr("vote twice", h.svc.Vote(ctx, "e01", "2026-Q3", v), workflow.ErrConflict)
	s := h.snap()
	if !equal(s.voters, []string{"e01"}) || len(s.ballots) != 19 {
		t.Fatalf("voters %v, ballots %d", s.voters, len(s.ballots))
	}
	for _, r := range h.audit() {
		if r.Action == "vote.cast" && (strings.Contains(r.Detail, "88") || strings.Contains(r.Detail, "77")) {
			t.Errorf("audit row carries vote contents: %+v", r)
		}
	}
}

// TestIdempotentClick: a repeated click with the same key gets the first
// answer and changes nothing.
func TestIdempotentClick(t *testing.T) {
	t.Parallel()
	h, st := badHarness(t)
	act := workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove, Assessment: &workflow.Assessment{Indicators: s4Scores(92)}}
	c := workflow.WithIdempotencyKey(ctx, "card", "click-1")
	h.must("first", h.svc.Act(c, "l1", act))
	before := h.snap()
	if err := h.svc.Act(c, "l1", act); err != nil {
		t.Errorf("repeat = %v, want the first answer (nil)", err)
	}
	if !reflect.DeepEqual(before, h.snap()) {
		t.Errorf("repeat changed state")
	}
	// A refused click is answered the same way twice.
	c2 := workflow.WithIdempotencyKey(ctx, "card", "click-2")
	for range 2 {
		h.wantErr("forbidden click", h.svc.Act(c2, "l2", act), workflow.ErrForbidden)
	}
}

func TestMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"OK", nil, "操作成功"},
		{"ErrForbidden", workflow.ErrForbidden, "您无权办理此事项"},
		{"ErrStale", errors.Join(errors.New("x"), workflow.ErrStale), "该事项已被处理或已更新，请刷新后查看"},
		{"ErrWindowClosed", workflow.ErrWindowClosed, "办理期限已过，不能再提交"},
		{"ErrInvalidInput", &workflow.InputError{Field: "scores.德", Msg: "须在 0 至 20 之间"}, "填写有误：「评分·德」 须在 0 至 20 之间"},
		{"ErrInvalidInput/no internal names", &workflow.InputError{Field: "adjustments[0].points", Msg: "超出上限"}, "填写有误：「加减分第1项·分值」 超出上限"},
		{"ErrInvalidInput/unknown part left out", &workflow.InputError{Field: "votes.ou_7d8a6e", Msg: "不是本考核单元的同事"}, "填写有误：「测评分」 不是本考核单元的同事"},
		{"ErrInvalidInput/nothing known", &workflow.InputError{Field: "x_internal", Msg: "无效"}, "填写有误：无效"},
		{"ErrIncomplete", &workflow.IncompleteError{What: "周记实", Missing: []string{"2026-W30"}}, "尚不能办理：周记实未齐（2026-W30）"},
		{"unknown", errors.New("connection refused"), "系统繁忙，请稍后重试"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := workflow.Message(tc.err); got != tc.want {
				t.Errorf("Message = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDedupeKey(t *testing.T) {
	t.Parallel()
	k := workflow.DedupeKey("step/2026-Q3/e01/1/due", "2026-10-13T01:00:00Z", "head")
	if len(k) > 50 || k != workflow.DedupeKey("step/2026-Q3/e01/1/due", "2026-10-13T01:00:00Z", "head") {
		t.Errorf("key %q: want deterministic and ≤ 50 characters", k)
	}
}

// TestPeriodsOpenThemselves: by default Tick opens the quarter today falls
// in on a working day once someone is to be appraised, tells HR once, and
// NextPeriod then names the quarter after it; with ManualOpen nothing opens.
func TestPeriodsOpenThemselves(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s4", at(2026, 10, 1, 10, 0), func(c *workflow.Config) { c.ManualOpen = false })
	next, err := h.svc.NextPeriod(ctx)
	h.must("next", err)
	if next != "2026-Q4" {
		t.Errorf("next before anything = %s, want 2026-Q4", next)
	}
	_, err = h.svc.Tick(ctx)
	h.must("tick with no organisation", err)
	if _, err := h.svc.Period(ctx, "2026-Q4"); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("a period opened before anyone is appraised: %v", err)
	}
	h.org60()
	h.take()
	// 国庆: 10-01..10-08 are holidays, so the quarter opens on 10-09.
	h.advance(at(2026, 10, 5, 10, 0))
	if _, err := h.svc.Period(ctx, "2026-Q4"); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("opened on a holiday: %v", err)
	}
	h.advance(at(2026, 10, 9, 10, 0))
	p, err := h.svc.Period(ctx, "2026-Q4")
	h.must("period opened by itself", err)
	if p.State != workflow.PeriodOpen || p.SummaryDue.IsZero() {
		t.Errorf("period %+v", p)
	}
	var told []string
	for _, n := range h.take() {
		if n.Template == workflow.TplPeriodOpened {
			told = append(told, n.To+":"+n.Data["period"]+">"+n.Data["next"])
		}
	}
	if len(told) != 1 || told[0] != "hr:2026-Q4>2027-Q1" {
		t.Errorf("HR told %v, want once of 2026-Q4 with 2027-Q1 next", told)
	}
	h.advance(at(2026, 10, 12, 10, 0))
	for _, n := range h.take() {
		if n.Template == workflow.TplPeriodOpened {
			t.Errorf("told again: %+v", n)
		}
	}
	if next, _ := h.svc.NextPeriod(ctx); next != "2027-Q1" {
		t.Errorf("next = %s, want 2027-Q1", next)
	}
	if _, err := h.svc.OpenPeriod(ctx, "hr", "2026-Q4"); !errors.Is(err, workflow.ErrConflict) {
		t.Errorf("opening it again: %v, want ErrConflict", err)
	}
}

// TestFoldedQuarterDoesNotOpen: under S2 (四(四): the fourth quarter is
// appraised with the year, annual.periods 3) the third quarter opens by
// itself and the fourth does not, so the year is not held up by a quarter
// it has no place for; the next year's first quarter opens again.
func TestFoldedQuarterDoesNotOpen(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s2", at(2026, 7, 1, 10, 0), func(c *workflow.Config) { c.ManualOpen = false })
	h.org60()
	h.advance(at(2026, 7, 1, 10, 0))
	if _, err := h.svc.Period(ctx, "2026-Q3"); err != nil {
		t.Fatalf("2026-Q3 did not open by itself: %v", err)
	}
	h.advance(at(2026, 10, 9, 10, 0))
	if _, err := h.svc.Period(ctx, "2026-Q4"); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("S2's fourth quarter opened by itself: %v", err)
	}
	h.advance(at(2027, 1, 4, 10, 0))
	if _, err := h.svc.Period(ctx, "2027-Q1"); err != nil {
		t.Fatalf("2027-Q1 did not open by itself: %v", err)
	}
}

// TestChase: HR's 催办 reminds everyone past a deadline now, once a day;
// anyone else is refused.
func TestChase(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s4", at(2026, 10, 9, 10, 0), nil)
	h.org60()
	_, err := h.svc.OpenPeriod(ctx, "hr", "2026-Q4")
	h.must("open", err)
	// Everyone but e01 files W41 (due before Monday 10-19); on Tuesday
	// e01 is overdue.
	for i := 2; i <= 57; i++ {
		h.must("weekly", h.svc.Submit(ctx, fmt.Sprintf("e%02d", i), weekly("2026-W41")))
	}
	for _, l := range []string{"l1", "l2", "l3"} {
		h.must("weekly", h.svc.Submit(ctx, l, weekly("2026-W41")))
	}
	h.clk.Set(at(2026, 10, 20, 10, 0))
	h.take()
	_, err = h.svc.Chase(ctx, "e02")
	h.wantErr("an employee chasing", err, workflow.ErrForbidden)
	n, err := h.svc.Chase(ctx, "hr")
	h.must("chase", err)
	var to []string
	for _, x := range h.take() {
		if x.Template == workflow.TplRemind && x.Data["stage"] == "chase" && x.Data["entry"] == "2026-W41" {
			to = append(to, x.To)
		}
	}
	if len(to) != 1 || to[0] != "e01" {
		t.Errorf("chased %v, want e01 for W41", to)
	}
	if n < 1 {
		t.Errorf("Chase reported %d", n)
	}
	if n2, err := h.svc.Chase(ctx, "hr"); err != nil || n2 != 0 {
		t.Errorf("chasing again the same day: %d %v, want nothing more", n2, err)
	}
}
