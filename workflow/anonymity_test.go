package workflow_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// TestSmallGroupsRevealNoBallot: in 考核单元 of two and three people (S8,
// whose 民主测评 is shown next to the score) every member votes with an
// unusual score; afterwards no result, notification or audit entry shows
// a ballot, an average of ballots or how many there were (scoring's
// anonymity floor, Source.MinVoters).
func TestSmallGroupsRevealNoBallot(t *testing.T) {
	h := newHarness(t, "s8", at(2026, 7, 1, 10, 0), nil)
	units := []workflow.Unit{
		{ID: "u1", Name: "综合科", Leader: "l1", Supervisor: "s1"},
		{ID: "u2", Name: "执法科", Leader: "l2", Supervisor: "s1"},
	}
	people := []workflow.Person{
		{ID: "head", Name: "局长", Committee: true},
		{ID: "s1", Name: "副局长", Committee: true},
		{ID: "hr", Name: "政治处", HR: true},
		{ID: "l1", Name: "科长一", Unit: "u1"},
		{ID: "l2", Name: "科长二", Unit: "u2"},
	}
	groups := map[string][]string{"g2": {"a1", "a2"}, "g3": {"b1", "b2", "b3"}}
	for g, ids := range groups {
		u := "u1"
		if g == "g3" {
			u = "u2"
		}
		for _, id := range ids {
			people = append(people, workflow.Person{ID: id, Name: "干部" + id, Unit: u, Group: g, Assessed: true})
		}
	}
	h.must("Setup", h.svc.Setup(ctx, "hr", workflow.Settings{Name: "财政局", Head: "head"}, units, people))
	const q = "2026-Q2"
	_, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open", err)
	ballotScore := map[string]string{"a1": "66.17", "a2": "71.23", "b1": "63.41", "b2": "77.59", "b3": "68.87"}
	for _, ids := range groups {
		for _, p := range ids {
			h.must("summary "+p, h.svc.Submit(ctx, p, summary(q)))
		}
		for _, voter := range ids {
			ballot := map[string]scoring.Dec{}
			for _, target := range ids {
				if target != voter {
					ballot[target] = scoring.D(ballotScore[voter])
				}
			}
			h.must("vote "+voter, h.svc.Vote(ctx, voter, q, ballot))
		}
	}
	h.actAll(q, nil, func(string) *workflow.Assessment {
		return &workflow.Assessment{Indicators: s8Scores(85), Comment: "工作认真"}
	})
	h.must("close", h.svc.CloseAppraisal(ctx, "hr", q))

	var texts []string
	var results []workflow.Result
	h.must("results", h.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		results, err = tx.Results(ctx, q)
		return err
	}))
	if len(results) != 5 {
		t.Fatalf("%d results, want 5", len(results))
	}
	for _, r := range results {
		texts = append(texts, fmt.Sprintf("result %s: %s %v %v", r.Person, strings.Join(r.Explain, "；"), r.Score, r.Flags))
		if !strings.Contains(strings.Join(r.Explain, ""), "参评人数不足") {
			t.Errorf("%s: the explanation does not say the 民主测评 was left out: %v", r.Person, r.Explain)
		}
	}
	for _, n := range h.take() {
		texts = append(texts, fmt.Sprintf("note %s %v", n.Template, n.Data))
	}
	for _, a := range h.audit() {
		texts = append(texts, fmt.Sprintf("audit %s %s %s", a.Action, a.Object, a.Detail))
	}
	for _, s := range texts {
		if strings.Contains(s, "票") {
			t.Errorf("a vote count is shown: %s", s)
		}
		for _, b := range ballotScore {
			// The averages a member could see: one ballot (two people) or
			// the mean of two (three people).
			if strings.Contains(s, b) || strings.Contains(s, strings.TrimSuffix(b, "7")) {
				t.Errorf("a ballot is shown: %s", s)
			}
		}
	}
	for _, pair := range [][2]string{{"63.41", "77.59"}, {"63.41", "68.87"}, {"77.59", "68.87"}} {
		mean := scoring.D(pair[0]).Add(scoring.D(pair[1]).Decimal).Div(scoring.D("2").Decimal).Round(2).String()
		for _, s := range texts {
			if strings.Contains(s, mean) {
				t.Errorf("an average of two ballots (%s) is shown: %s", mean, s)
			}
		}
	}
}
