package workflow_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestSecondedStepsFollow: HR seconds e01 (u1, 初评 pending with l1) to
// u2; the step goes to u2's leader and everyone concerned is told; the
// old leader is locked out. Ending the secondment brings it back. Every
// refusal (not HR, no reason, an unknown unit, the home unit, nothing to
// change) changes nothing, and the refusal by a non-HR caller is audited.
func TestSecondedStepsFollow(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, h *harness, e01 workflow.Step) {
		h.take()
		before := len(h.audit())
		err := h.svc.SetAssessedBy(ctx, "l1", "e01", "u2", "借调")
		if !errors.Is(err, workflow.ErrForbidden) {
			t.Fatalf("a leader seconding: %v, want ErrForbidden", err)
		}
		if a := h.audit(); len(a) != before+1 || !a[len(a)-1].Denied {
			t.Errorf("the refusal was not audited once")
		}
		for _, c := range []struct{ name, unit, reason string }{
			{"NoReason", "u2", " "},
			{"UnknownUnit", "u9", "借调"},
			{"HomeUnit", "u1", "借调"},
			{"NothingToEnd", "", "借调结束"},
		} {
			var ie *workflow.InputError
			if err := h.svc.SetAssessedBy(ctx, "hr", "e01", c.unit, c.reason); !errors.As(err, &ie) {
				t.Errorf("%s: %v, want an input error", c.name, err)
			} else if msg := workflow.Message(err); !strings.HasPrefix(msg, "填写有误") {
				t.Errorf("%s: message %q", c.name, msg)
			}
		}
		if st := h.pendingStep("2026-Q3", "e01"); st.Version != e01.Version || st.Assignee != "l1" {
			t.Fatalf("a refusal moved the step: %+v", st)
		}

		h.must("second", h.svc.SetAssessedBy(ctx, "hr", "e01", "u2", "2026年8月起借调业务科"))
		st := h.pendingStep("2026-Q3", "e01")
		if st.Assignee != "l2" {
			t.Fatalf("e01's step is with %s, want l2 (u2's leader)", st.Assignee)
		}
		ns := h.take()
		moved(t, ns, st, "l1", "l2")
		if n, ok := find(ns, workflow.TplStepMoved, "e01"); !ok || !strings.Contains(n.Data["reason"], "借调、挂职至业务科") {
			t.Errorf("e01 told %+v", n.Data)
		}
		h.lockedOut(st, "l1")
		h.wantErr("again", h.svc.SetAssessedBy(ctx, "hr", "e01", "u2", "借调"), workflow.ErrInvalidInput)
		var audited bool
		for _, a := range h.audit() {
			audited = audited || a.Action == "person.second" && a.Object == "e01" && !a.Denied
		}
		if !audited {
			t.Error("the secondment is not in the audit log")
		}

		h.must("end", h.svc.SetAssessedBy(ctx, "hr", "e01", "", "借调期满"))
		back := h.pendingStep("2026-Q3", "e01")
		if back.Assignee != "l1" {
			t.Fatalf("after the secondment e01's step is with %s, want l1", back.Assignee)
		}
		moved(t, h.take(), back, "l2", "l1")
		h.lockedOut(back, "l2")
	})
}

// TestStepStates: the scoring card's special states come from the
// service: each state HR records is a line that says what the scheme (S4)
// makes of it; the leader holding the step and HR may read them, a
// colleague may not.
func TestStepStates(t *testing.T) {
	t.Parallel()
	h, st := badHarnessOn(t, memory.New())
	states := func(by string) []string {
		t.Helper()
		out, err := h.svc.StepStates(ctx, by, st.ID)
		h.must("states", err)
		return out
	}
	if got := states("l1"); len(got) != 0 {
		t.Fatalf("nothing recorded: %v", got)
	}
	h.wantErr("a colleague", func() error { _, err := h.svc.StepStates(ctx, "e02", st.ID); return err }(), workflow.ErrForbidden)
	h.wantErr("no such step", func() error { _, err := h.svc.StepStates(ctx, "l1", "2026-Q3/e01/9"); return err }(), workflow.ErrNotFound)

	h.must("probation", h.svc.SetStatus(ctx, "hr", "e01", workflow.PersonStatus{Probation: true, Reason: "新录用"}))
	if got := states("l1"); !equal(got, []string{"试用期：只写评语，不定等次"}) {
		t.Errorf("probation: %v", got)
	}
	h.must("investigation", h.svc.SetStatus(ctx, "hr", "e01", workflow.PersonStatus{Investigation: true, Sanction: "记过",
		SanctionStart: calendar.NewDate(2026, 5, 1), SanctionEnd: calendar.NewDate(2027, 4, 30), Reason: "立案"}))
	if got := states("hr"); !equal(got, []string{"受记过处分（2026-05-01 至 2027-04-30）：处分期间不确定等次", "立案调查中：照常评分，暂不确定等次，结案后补定"}) {
		t.Errorf("sanction and investigation: %v", got)
	}
	h.must("clear", h.svc.SetStatus(ctx, "hr", "e01", workflow.PersonStatus{Reason: "结案"}))
	// 2026-Q3 has 66 working days: 33 is half, 34 (to 17 August) is over.
	h.must("sick", h.svc.AddAbsence(ctx, "hr", "e01", workflow.Absence{Kind: "病假", Start: calendar.NewDate(2026, 7, 1), End: calendar.NewDate(2026, 8, 17)}))
	got := states("l1")
	if !equal(got, []string{"病、事假累计34个工作日，超过考核期一半：只写评语，不定等次"}) {
		t.Errorf("long leave: %v", got)
	}
	h.must("second", h.svc.SetAssessedBy(ctx, "hr", "e01", "u2", "借调"))
	st = h.pendingStep("2026-Q3", "e01")
	if got := states("l2"); !slices.Contains(got, "借调、挂职人员：由本单位考核，结果送回办公室") {
		t.Errorf("seconded: %v", got)
	}
}

// TestWaiveByHR: HR may excuse a missing weekly record (the person card
// offers it), not their own; the leader still may; a colleague may not.
func TestWaiveByHR(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s4", at(2026, 7, 1, 9, 0), nil)
	h.org60()
	_, err := h.svc.OpenPeriod(ctx, "hr", "2026-Q3")
	h.must("open", err)
	weeks := weeksOf("2026-Q3")
	h.must("HR waives", h.svc.Waive(ctx, "hr", "e01", weeks[0].String(), "病假"))
	h.must("the leader waives", h.svc.Waive(ctx, "l1", "e01", weeks[1].String(), "出差"))
	h.wantErr("a colleague", h.svc.Waive(ctx, "e02", "e01", weeks[2].String(), "x"), workflow.ErrForbidden)
	h.wantErr("twice", h.svc.Waive(ctx, "hr", "e01", weeks[0].String(), "病假"), workflow.ErrConflict)
	h.must("HR is assessed too", h.store.InTx(ctx, func(tx workflow.Tx) error {
		p, err := tx.Person(ctx, "hr")
		if err != nil {
			return err
		}
		p.Assessed, p.Unit = true, "u1"
		p.Version++
		return tx.UpdatePerson(ctx, p)
	}))
	err = h.svc.Waive(ctx, "hr", "hr", weeks[0].String(), "本人")
	if !errors.Is(err, workflow.ErrForbidden) || !strings.Contains(workflow.Message(err), "不能为本人免填") {
		t.Errorf("HR waiving their own week: %v", err)
	}
}
