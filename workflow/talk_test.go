package workflow_test

import (
	"errors"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// talkOrg is org60 under S4 with the half-year talk: 2026-Q1 on file with
// e57 较差; 2026-Q2 scored, e05 (办公室) and e30 (业务科) 一般 at 70, e57
// (执法大队) 较差 again, everyone else 较好 at 80. The committee confirms
// Q2 (HR is alerted about e57) and HR publishes it (s1 is asked to talk
// with e05 and e30, s2 with e57).
func talkOrg(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, "s4", at(2026, 7, 8, 10, 0), func(c *workflow.Config) { c.HalfYearTalk = true })
	h.org60()
	grade := func(p string) (string, string) {
		switch p {
		case "e05", "e30":
			return "一般", "70"
		case "e57":
			return "较差", "55"
		}
		return "较好", "80"
	}
	h.seedPeriod("2026-Q1", func(p string) (string, string) {
		if p == "e57" {
			return "较差", "50"
		}
		return "较好", "80"
	})
	cp := calendar.MustParsePeriod("2026-Q2")
	h.must("seed Q2", h.store.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.CreatePeriod(ctx, workflow.Period{ID: "2026-Q2", Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(),
			State: workflow.PeriodCommittee, Version: 1}); err != nil {
			return err
		}
		for _, p := range staff() {
			g, sc := grade(p)
			d := scoring.D(sc)
			if err := tx.PutResult(ctx, workflow.Result{Period: "2026-Q2", Person: p, Grade: g, Score: &d, State: scoring.StateGraded, Version: 1}); err != nil {
				return err
			}
		}
		return nil
	}))
	h.take()
	h.must("confirm", h.svc.ConfirmResults(ctx, "c1", "2026-Q2"))
	h.must("publish", h.svc.Publish(ctx, "hr", "2026-Q2"))
	return h
}

func TestTalkNotices(t *testing.T) {
	t.Parallel()
	h := talkOrg(t)
	ns := h.take()
	if n, _ := find(ns, workflow.TplHalfYearTalk, "s1"); n.Data["names"] != "干部05、干部30" || n.Data["person_ids"] != "e05,e30" {
		t.Errorf("s1's half-year talk = %v", n.Data)
	}
	if n, _ := find(ns, workflow.TplHalfYearTalk, "s2"); n.Data["person_ids"] != "e57" {
		t.Errorf("s2's half-year talk = %v", n.Data)
	}
	if n, _ := find(ns, workflow.TplBottomAlert, "hr"); n.Data["person_id"] != "e57" || n.Data["period"] != "2026-Q2" || n.Data["periods"] != "2026-Q1、2026-Q2" {
		t.Errorf("bottom alert = %v", n.Data)
	}
}

func TestTalkFor(t *testing.T) {
	t.Parallel()
	h := talkOrg(t)
	const q = "2026-Q2"
	tests := []struct {
		name, by, period, person, reason string
		err                              error
		kind                             string
		others                           int
	}{
		{"HalfYear", "s1", q, "e05", workflow.TalkHalfYear, nil, "谈心谈话", 1},
		{"HalfYearOther", "s1", q, "e30", workflow.TalkHalfYear, nil, "谈心谈话", 1},
		{"HalfYearOwnUnitOnly", "s2", q, "e05", workflow.TalkHalfYear, workflow.ErrForbidden, "", 0},
		{"HalfYearNotLowest", "s1", q, "e01", workflow.TalkHalfYear, workflow.ErrForbidden, "", 0},
		{"HalfYearUnitLeader", "l1", q, "e05", workflow.TalkHalfYear, workflow.ErrForbidden, "", 0},
		{"HalfYearNotAHalfYear", "s1", "2026-Q1", "e05", workflow.TalkHalfYear, workflow.ErrForbidden, "", 0},
		{"Bottom", "hr", q, "e57", workflow.TalkBottom, nil, "诫勉谈话", 0},
		{"BottomNotHR", "s2", q, "e57", workflow.TalkBottom, workflow.ErrForbidden, "", 0},
		{"BottomOnce", "hr", q, "e05", workflow.TalkBottom, workflow.ErrForbidden, "", 0},
		{"BottomFirstOfRun", "hr", "2026-Q1", "e57", workflow.TalkBottom, workflow.ErrForbidden, "", 0},
		{"UnknownPerson", "hr", q, "nobody", workflow.TalkBottom, workflow.ErrForbidden, "", 0},
		{"UnknownReason", "hr", q, "e57", "tea", workflow.ErrInvalidInput, "", 0},
	}
	for _, tt := range tests {
		before := len(h.audit())
		got, err := h.svc.TalkFor(ctx, tt.by, tt.period, tt.person, tt.reason)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.err)
			continue
		}
		denied := 0
		for _, r := range h.audit()[before:] {
			if r.Denied {
				denied++
			}
		}
		if want := map[bool]int{true: 1, false: 0}[errors.Is(tt.err, workflow.ErrForbidden)]; denied != want {
			t.Errorf("%s: %d denials audited, want %d", tt.name, denied, want)
		}
		if err == nil && (got.Kind != tt.kind || len(got.Others) != tt.others || got.Note != "") {
			t.Errorf("%s: %+v", tt.name, got)
		}
	}
	if got, _ := h.svc.TalkFor(ctx, "hr", q, "e57", workflow.TalkBottom); !equal(got.Periods, []string{"2026-Q1", q}) || got.Name != "干部57" {
		t.Errorf("bottom talk = %+v", got)
	}

	// Recorded once; the other of the pair is then the only one left.
	h.wantErr("no note", h.svc.RecordTalkFor(ctx, "s1", q, "e05", workflow.TalkHalfYear, " "), workflow.ErrInvalidInput)
	h.wantErr("not theirs", h.svc.RecordTalkFor(ctx, "s2", q, "e05", workflow.TalkHalfYear, "谈过了"), workflow.ErrForbidden)
	h.must("record", h.svc.RecordTalkFor(ctx, "s1", q, "e05", workflow.TalkHalfYear, "7月10日谈心，肯定进步，指出材料报送不及时"))
	h.wantErr("twice", h.svc.RecordTalkFor(ctx, "s1", q, "e05", workflow.TalkHalfYear, "再谈"), workflow.ErrConflict)
	if got, _ := h.svc.TalkFor(ctx, "s1", q, "e05", workflow.TalkHalfYear); got.Note == "" || got.RecordedBy != "s1" {
		t.Errorf("after recording: %+v", got)
	}
	if got, _ := h.svc.TalkFor(ctx, "s1", q, "e30", workflow.TalkHalfYear); len(got.Others) != 0 {
		t.Errorf("e30's others after e05 was recorded: %+v", got.Others)
	}
	// A delegate of s1 may record the other; HR the 诫勉谈话; the leader
	// the grade talk of the same person, a separate record.
	h.must("delegate", h.svc.Delegate(ctx, "s1", "l1", h.clk.Now(), h.clk.Now().AddDate(0, 0, 7), "外出学习"))
	h.must("record by delegate", h.svc.RecordTalkFor(ctx, "l1", q, "e30", workflow.TalkHalfYear, "代为谈心"))
	h.must("诫勉", h.svc.RecordTalkFor(ctx, "hr", q, "e57", workflow.TalkBottom, "7月10日由分管领导进行诫勉谈话，政工科记录"))
	h.must("grade talk", h.svc.RecordTalk(ctx, "l3", q, "e57", "谈话", "谈话提醒"))
	var talks []workflow.Entry
	h.must("entries", h.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		talks, err = tx.Entries(ctx, workflow.EntryFilter{Kind: workflow.EntryTalk, Person: "e57"})
		return err
	}))
	if len(talks) != 2 {
		t.Errorf("e57's talks = %+v, want the 诫勉谈话 and the grade talk", talks)
	}
}

// s5OneD is org60 under S5 with 2026-Q2 confirmed and published: e57 has
// a D, the only one (no D before it), everyone else B.
func s5OneD(t *testing.T, tweak func(*workflow.Config)) *harness {
	t.Helper()
	h := newHarness(t, "s5", at(2026, 7, 8, 10, 0), tweak)
	h.org60()
	cp := calendar.MustParsePeriod("2026-Q2")
	h.must("seed Q2", h.store.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.CreatePeriod(ctx, workflow.Period{ID: "2026-Q2", Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(),
			State: workflow.PeriodCommittee, Version: 1}); err != nil {
			return err
		}
		for _, p := range staff() {
			g := "B"
			if p == "e57" {
				g = "D"
			}
			if err := tx.PutResult(ctx, workflow.Result{Period: "2026-Q2", Person: p, Grade: g, State: scoring.StateGraded, Version: 1}); err != nil {
				return err
			}
		}
		return nil
	}))
	h.take()
	h.must("confirm", h.svc.ConfirmResults(ctx, "c1", "2026-Q2"))
	h.must("publish", h.svc.Publish(ctx, "hr", "2026-Q2"))
	return h
}

// TestS5OneDAlertsHR: S5 五(二) "被确定为D档次的，主管领导应及时与其进行诫勉谈话，当年不得
// 参加各类评比表彰": HR is alerted after a single D (s5.yaml's
// bottom_alert_after: 1, where S4 waits for two in a row), and the 诫勉谈话
// the leader is asked for and the one HR is alerted to are one talk with
// one record. The deployment's setting still overrides the scheme.
func TestS5OneDAlertsHR(t *testing.T) {
	t.Parallel()
	const q = "2026-Q2"
	h := s5OneD(t, nil)
	ns := h.take()
	if n, _ := find(ns, workflow.TplBottomAlert, "hr"); n.Data["person_id"] != "e57" || n.Data["periods"] != q {
		t.Errorf("bottom alert = %v, want e57 after the one D", n.Data)
	}
	if n, _ := find(ns, workflow.TplTalkDue, "l3"); n.Data["person_id"] != "e57" || n.Data["kind"] != "诫勉谈话" {
		t.Errorf("the leader's talk = %v", n.Data)
	}
	h.must("HR records", h.svc.RecordTalkFor(ctx, "hr", q, "e57", workflow.TalkBottom, "7月10日由主管领导进行诫勉谈话，政工科记录"))
	h.wantErr("the leader finds it recorded", h.svc.RecordTalk(ctx, "l3", q, "e57", "诫勉谈话", "诫勉谈话"), workflow.ErrConflict)
	if got, err := h.svc.TalkFor(ctx, "hr", q, "e57", workflow.TalkBottom); err != nil || got.RecordedBy != "hr" {
		t.Errorf("talk = %+v, %v", got, err)
	}

	// The other way round: the leader first, then HR finds it recorded.
	h2 := s5OneD(t, nil)
	h2.must("leader records", h2.svc.RecordTalk(ctx, "l3", q, "e57", "诫勉谈话", "7月9日诫勉谈话，明确整改要求"))
	if got, err := h2.svc.TalkFor(ctx, "hr", q, "e57", workflow.TalkBottom); err != nil || got.Note != "7月9日诫勉谈话，明确整改要求" || got.RecordedBy != "l3" {
		t.Errorf("HR's view after the leader recorded = %+v, %v", got, err)
	}
	h2.wantErr("HR finds it recorded", h2.svc.RecordTalkFor(ctx, "hr", q, "e57", workflow.TalkBottom, "再记"), workflow.ErrConflict)

	// bottom_alert_after in the deployment's configuration overrides.
	h3 := s5OneD(t, func(c *workflow.Config) { c.BottomAlertAfter = 2 })
	if n, ok := find(h3.take(), workflow.TplBottomAlert, "hr"); ok {
		t.Errorf("alert after one D with bottom_alert_after 2: %v", n.Data)
	}
}
