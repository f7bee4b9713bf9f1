package workflow_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// s1Org sets up an S1 organisation (民主测评 30% of the score): 综合办 with
// its leader l1 and a 考核单元 g1 of six (a1..a6), and solo, alone in
// 考核单元 g2, who therefore gets no ballot at all.
func (h *harness) s1Org(tier string) []string {
	h.t.Helper()
	units := []workflow.Unit{{ID: "u1", Name: "综合办", Leader: "l1", Supervisor: "s1"}}
	people := []workflow.Person{
		{ID: "head", Name: "乡长", Committee: true},
		{ID: "s1", Name: "副乡长", Committee: true},
		{ID: "hr", Name: "党政办", HR: true},
		{ID: "l1", Name: "主任", Unit: "u1"},
	}
	staff := []string{"a1", "a2", "a3", "a4", "a5", "a6", "solo"}
	for _, id := range staff {
		g := "g1"
		if id == "solo" {
			g = "g2"
		}
		people = append(people, workflow.Person{ID: id, Name: "干部" + id, Unit: "u1", Group: g, Assessed: true, Tier: tier})
	}
	h.must("Setup", h.svc.Setup(ctx, "hr", workflow.Settings{Name: "xx乡", Head: "head"}, units, people))
	return staff
}

// s1Appraise runs an S1 quarter up to CloseAppraisal: records, summaries,
// every member of g1 votes for the others, every chain approves.
func (h *harness) s1Appraise(q string, staff []string) {
	h.t.Helper()
	_, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open", err)
	for _, p := range staff {
		for _, w := range weeksOf(q) {
			h.must("weekly "+p, h.svc.Submit(ctx, p, weekly(w.String())))
		}
		h.must("summary "+p, h.svc.Submit(ctx, p, summary(q)))
	}
	for _, voter := range staff {
		if voter == "solo" {
			continue // a 考核单元 of one has no one to vote for
		}
		ballot := map[string]scoring.Dec{}
		for _, target := range staff {
			if target != voter && target != "solo" {
				ballot[target] = scoring.D("85")
			}
		}
		h.must("vote "+voter, h.svc.Vote(ctx, voter, q, ballot))
	}
	s1 := map[string]scoring.Dec{"德": scoring.D("13"), "能": scoring.D("13"), "勤": scoring.D("13"),
		"业务工作": scoring.D("36"), "联系村和中心工作": scoring.D("36"), "廉": scoring.D("13")}
	h.actAll(q, nil, func(string) *workflow.Assessment {
		return &workflow.Assessment{Indicators: s1, Comment: "工作认真"}
	})
}

// TestZeroBallotsBelowTheFloor: a person nobody could vote for (a 考核单元 of
// one) is handled like one with too few ballots: the appraisal closes, the
// 民主测评 is left out and the leader's part scaled to the whole, and
// nothing names them as unvoted beyond "参评人数不足".
func TestZeroBallotsBelowTheFloor(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s1", at(2026, 7, 1, 9, 0), nil)
	staff := h.s1Org("")
	const q = "2026-Q2"
	h.s1Appraise(q, staff)
	if err := h.svc.CloseAppraisal(ctx, "hr", q); err != nil {
		t.Fatalf("close with a person without ballots: %v (%q)", err, workflow.Message(err))
	}
	r, err := h.svc.Result(ctx, "hr", q, "solo")
	h.must("result", err)
	text := strings.Join(r.Explain, "\n")
	if !strings.Contains(text, "民主测评：参评人数不足5人，不显示、不计入") || !strings.Contains(text, "按计入部分折算") {
		t.Errorf("solo's explanation:\n%s", text)
	}
	if !slices.Contains(r.Flags, scoring.FlagFewVoters) {
		t.Errorf("solo's flags = %v, want %s", r.Flags, scoring.FlagFewVoters)
	}
	if strings.Contains(text, "0票") || strings.Contains(text, "missing") {
		t.Errorf("the explanation tells there was no ballot:\n%s", text)
	}
	// The others, with five ballots each (at the floor), count the 民主测评.
	a1, err := h.svc.Result(ctx, "hr", q, "a1")
	h.must("result", err)
	if !strings.Contains(strings.Join(a1.Explain, "\n"), "民主测评：5票平均85") {
		t.Errorf("a1's explanation: %v", a1.Explain)
	}
}

// TestScoringErrorInChinese: data the engine refuses (here a 职级 the scheme
// does not have, as an org file can set) reaches HR in Chinese, naming the
// person by name and what is wrong, with no internal field name or
// English; the error keeps the engine's English for the log.
func TestScoringErrorInChinese(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s1", at(2026, 7, 1, 9, 0), nil)
	staff := h.s1Org("处长")
	const q = "2026-Q2"
	h.s1Appraise(q, staff)
	err := h.svc.CloseAppraisal(ctx, "hr", q)
	if !errors.Is(err, workflow.ErrInvalidInput) || !errors.Is(err, scoring.ErrInvalidInput) {
		t.Fatalf("close: %v, want the engine's ErrInvalidInput", err)
	}
	msg := workflow.Message(err)
	if !strings.HasPrefix(msg, "无法计算成绩：干部a") || !strings.Contains(msg, "的职级不符合方案") || !strings.Contains(msg, "（共7项）") {
		t.Errorf("message = %q", msg)
	}
	for _, w := range []string{"person", "tier", "unknown", "sources", "default"} {
		if strings.Contains(msg, w) {
			t.Errorf("message %q shows %q", msg, w)
		}
	}
	if !strings.Contains(err.Error(), "unknown tier") {
		t.Errorf("the error for the log lost the engine's detail: %v", err)
	}
	if p, _ := h.svc.Period(ctx, q); p.State != workflow.PeriodOpen {
		t.Errorf("a refused close changed the period to %s", p.State)
	}
}
