package workflow_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// s8Staff are the assessed people of the S8 organisation: 综合科 (u1, 考核单元
// g1) with its leader l1 and a01..a09, and 执法科 (u2, 考核单元 g2) with its
// leader l2 and b01..b06 — 10 and 7 people, 17 in all.
var s8Staff = []string{"l1", "a01", "a02", "a03", "a04", "a05", "a06", "a07", "a08", "a09", "l2", "b01", "b02", "b03", "b04", "b05", "b06"}

// s8Group returns the 考核单元 of an assessed person.
func s8Group(id string) string {
	if id == "l1" || strings.HasPrefix(id, "a") {
		return "g1"
	}
	return "g2"
}

func s8Name(id string) string { return "干部" + id }

// orgS8 sets up the S8 organisation: two 科室, each its own 考核单元, each
// with a 分管领导; a 主管领导, HR (政治处) and the committee.
func (h *harness) orgS8() {
	h.t.Helper()
	units := []workflow.Unit{
		{ID: "u1", Name: "综合科", Leader: "l1", Supervisor: "s1"},
		{ID: "u2", Name: "执法科", Leader: "l2", Supervisor: "s2"},
	}
	people := []workflow.Person{
		{ID: "head", Name: "局长", Committee: true},
		{ID: "s1", Name: "副局长甲", Committee: true},
		{ID: "s2", Name: "副局长乙"},
		{ID: "hr", Name: "政治处", HR: true},
		{ID: "c1", Name: "委员", Committee: true},
	}
	for _, id := range s8Staff {
		u := "u1"
		if s8Group(id) == "g2" {
			u = "u2"
		}
		people = append(people, workflow.Person{ID: id, Name: s8Name(id), Unit: u, Group: s8Group(id), Assessed: true})
	}
	h.must("Setup", h.svc.Setup(ctx, "hr", workflow.Settings{Name: "财政局", Head: "head", PublicChats: []string{"oc_public"}}, units, people))
}

// s8Scores spreads total points over S8's leaf indicators, taking points
// off the leaves in order from a full 100.
func s8Scores(total int) map[string]scoring.Dec {
	leaves := []struct {
		id  string
		max int
	}{{"政治素质", 10}, {"能力水平", 10}, {"纪律作风", 10}, {"工作目标", 10}, {"工作成效", 50}, {"廉政建设", 10}}
	off := 100 - total
	m := map[string]scoring.Dec{}
	for _, l := range leaves {
		take := min(off, l.max)
		off -= take
		m[l.id] = scoring.IntDec(int64(l.max - take))
	}
	return m
}

// s8Appraise opens the quarter at now, writes every self-summary (S8
// keeps no 周记实 to hold it up), lets vote cast the 民主测评 (if not nil) and runs every chain
// to its end, the first step scoring with assess.
func (h *harness) s8Appraise(q string, now time.Time, vote func(), assess func(id string) *workflow.Assessment) {
	h.t.Helper()
	h.clk.Set(now)
	_, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open "+q, err)
	for _, p := range s8Staff {
		h.must("summary "+p, h.svc.Submit(ctx, p, summary(q)))
	}
	if vote != nil {
		vote()
	}
	for {
		var steps []workflow.Step
		h.must("steps", h.store.InTx(ctx, func(tx workflow.Tx) error {
			var err error
			steps, err = tx.Steps(ctx, workflow.StepFilter{Period: q, State: workflow.StepPending})
			return err
		}))
		if len(steps) == 0 {
			return
		}
		for _, s := range steps {
			a := workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove}
			if len(s.Assessment.Indicators) == 0 {
				a.Assessment = assess(s.Person)
			}
			h.must(s.Name+" "+s.Person, h.svc.Act(ctx, s.Assignee, a))
		}
	}
}

// s8Finish closes, confirms and publishes a quarter with no ties and
// returns the notifications written by Publish.
func (h *harness) s8Finish(q string) []workflow.Notification {
	h.t.Helper()
	h.must("close "+q, h.svc.CloseAppraisal(ctx, "hr", q))
	h.must("confirm "+q, h.svc.ConfirmResults(ctx, "c1", q))
	h.take()
	h.must("publish "+q, h.svc.Publish(ctx, "hr", q))
	return h.take()
}

// s8Plain scores a quiet quarter: one clear 好 per 考核单元, the rest 较好,
// one 一般 in each.
func s8Plain(id string) *workflow.Assessment {
	total := 85
	switch id {
	case "a01", "b01":
		total = 95
	case "a09", "b06":
		total = 70
	}
	return &workflow.Assessment{Indicators: s8Scores(total), Comment: "工作认真"}
}

// TestHalfYearS8 runs 2026-Q1 to Q3 under S8 (篇六) for an organisation of
// two 考核单元 with Config.HalfYearTalk: after Q2 (and only then) each unit
// leader is asked to talk with the unit's lowest-ranked; Q2's 好 is capped
// at 40% per 考核单元 and at 40% of the organisation; the 民主测评 is
// anonymous, shown and not counted.
func TestHalfYearS8(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s8", at(2026, 1, 5, 9, 0), func(c *workflow.Config) { c.HalfYearTalk = true })
	h.orgS8()

	// Q1: published in April; no half-year talk.
	h.s8Appraise("2026-Q1", at(2026, 4, 1, 10, 0), nil, s8Plain)
	ns := h.s8Finish("2026-Q1")
	if got := sel(ns, workflow.TplResult); len(got) != len(s8Staff) {
		t.Errorf("Q1 results sent to %d people, want %d", len(got), len(s8Staff))
	}
	h.checkNotes(ns, nil, time.Time{}, workflow.TplHalfYearTalk)

	// Q2. 综合科 (10, at most 4 好): a01..a05 score 好, a05 is the fifth. 执法科
	// (7, at most 2 好): b01..b03 are directly 好 (急难险重), one over the
	// cap, so b04's score of 91 does not make 好. The organisation (17, at
	// most 6 好) then has 3 direct plus a01..a04: a04 is demoted too.
	q2 := map[string]int{
		"l1": 86, "a01": 96, "a02": 95, "a03": 94, "a04": 93, "a05": 92, "a06": 88, "a07": 85, "a08": 80, "a09": 58,
		"l2": 78, "b01": 87, "b02": 86, "b03": 85, "b04": 91, "b05": 70, "b06": 70,
	}
	assessQ2 := func(id string) *workflow.Assessment {
		a := &workflow.Assessment{Indicators: s8Scores(q2[id]), Comment: "工作认真"}
		if id == "b01" || id == "b02" || id == "b03" {
			a.Direct = &scoring.DirectInput{Grade: "top", Reason: "承担急难险重任务表现突出"}
		}
		return a
	}
	// 民主测评: everyone scores every colleague of their 考核单元; l1 gives
	// 100, everyone else 60.
	const q = "2026-Q2"
	vote := func() {
		h.wantErr("vote for another 考核单元", h.svc.Vote(ctx, "a01", q, map[string]scoring.Dec{"b01": scoring.D("90")}), workflow.ErrInvalidInput)
		h.wantErr("HR has no vote", h.svc.Vote(ctx, "hr", q, map[string]scoring.Dec{"a01": scoring.D("90")}), workflow.ErrForbidden)
		ballot := func(voter string) map[string]scoring.Dec {
			score := scoring.D("60")
			if voter == "l1" {
				score = scoring.D("100")
			}
			m := map[string]scoring.Dec{}
			for _, p := range s8Staff {
				if p != voter && s8Group(p) == s8Group(voter) {
					m[p] = score
				}
			}
			return m
		}
		h.wantErr("vote leaving a colleague out", h.svc.Vote(ctx, "b01", q, map[string]scoring.Dec{"b02": scoring.D("90")}), workflow.ErrInvalidInput)
		for _, voter := range s8Staff {
			h.must("vote "+voter, h.svc.Vote(ctx, voter, q, ballot(voter)))
		}
		h.wantErr("vote twice", h.svc.Vote(ctx, "a02", q, ballot("a02")), workflow.ErrConflict)
	}
	h.s8Appraise(q, at(2026, 7, 1, 10, 0), vote, assessQ2)

	// The ballots carry no voter and come back sorted by target and score,
	// so neither their fields nor their order point to l1 (who voted first).
	var ballots []workflow.Ballot
	var voters []string
	h.must("ballots", h.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		if ballots, err = tx.Ballots(ctx, q); err != nil {
			return err
		}
		voters, err = tx.Voters(ctx, q)
		return err
	}))
	if len(voters) != len(s8Staff) {
		t.Errorf("voters = %v, want all %d", voters, len(s8Staff))
	}
	var forA01 []string
	for _, b := range ballots {
		if b.Target == "a01" {
			forA01 = append(forA01, b.Score.String())
		}
	}
	if want := "60 60 60 60 60 60 60 60 100"; strings.Join(forA01, " ") != want {
		t.Errorf("ballots for a01 = %v, want %s (sorted, not in casting order)", forA01, want)
	}
	for _, r := range h.audit() {
		if r.Action == "vote.cast" && (strings.Contains(r.Detail, "60") || strings.Contains(r.Detail, "100")) {
			t.Errorf("audit row %d reveals a ballot: %q", r.Seq, r.Detail)
		}
	}
	for _, n := range h.take() {
		for k, v := range n.Data {
			if strings.Contains(v, "测评") {
				t.Errorf("%s to %s carries the vote in %s before 公示: %q", n.Template, n.To, k, v)
			}
		}
	}

	h.must("close", h.svc.CloseAppraisal(ctx, "hr", q))
	ns = h.take()
	// Three direct 好 in 执法科's 考核单元 of seven, whose cap is two: the
	// committee decides who keeps it, and may not keep all three.
	h.checkNotes(ns, nil, time.Time{}, workflow.TplCommitteeConfirm)
	h.checkNotes(ns, []string{"c1", "head", "s1"}, time.Time{}, workflow.TplCommitteeTie)
	h.wantErr("confirm over the cap", h.svc.ConfirmResults(ctx, "c1", q), workflow.ErrIncomplete)
	keep := func(third string) []scoring.Decision {
		return []scoring.Decision{{Person: "b01", Grade: "好", Reason: "急难险重任务"}, {Person: "b02", Grade: "好", Reason: "急难险重任务"},
			{Person: "b03", Grade: third, Reason: "名额所限"}}
	}
	err := h.svc.CommitteeDecideAll(ctx, "c1", q, keep("好"))
	if !errors.Is(err, workflow.ErrInvalidInput) || !strings.Contains(workflow.Message(err), "超过名额2人") {
		t.Fatalf("keeping all three: %v (%s), want the cap refused", err, workflow.Message(err))
	}
	h.must("decide", h.svc.CommitteeDecideAll(ctx, "c1", q, keep("较好")))
	pd, err := h.svc.Period(ctx, q)
	h.must("period", err)
	caps := map[string]int{}
	for _, qr := range pd.Quotas {
		if qr.MaxCount != nil {
			caps[qr.Scope+":"+qr.Key] = *qr.MaxCount
		}
	}
	wantCaps := map[string]int{"group:财政局/g1": 4, "group:财政局/g2": 2, "unit:财政局": 6}
	if len(caps) != len(wantCaps) {
		t.Errorf("quotas = %v, want %v", caps, wantCaps)
	}
	for k, v := range wantCaps {
		if caps[k] != v {
			t.Errorf("quota %s cap = %d, want %d (all: %v)", k, caps[k], v, caps)
		}
	}
	h.must("confirm", h.svc.ConfirmResults(ctx, "c1", q))

	wantGrade := map[string]string{
		"a01": "好", "a02": "好", "a03": "好", "b01": "好", "b02": "好", "b03": "较好", // the committee's decision
		"a04": "好",  // within 本单位's six now that b03 gave way
		"a05": "较好", // 考核单元 quota
		"b04": "较好", // 考核单元 quota (the direct 好 fill it)
		"a06": "较好", "a07": "较好", "a08": "较好", "l1": "较好", "l2": "较好",
		"b05": "一般", "b06": "一般", "a09": "较差",
	}
	tests := []struct {
		name    string
		person  string
		grade   string
		score   string
		explain string
	}{
		// 96 by the leader; the 测评 average 580/9 is shown, not added.
		{"TopScoreVotesNotCounted", "a01", "好", "96", "考核单元民主测评：9票平均64.44（仅供参考，不计入总分）"},
		{"GroupQuota", "a05", "较好", "92", "至多4人"},
		{"DirectOverGroupCap", "b04", "较好", "91", "至多2人"},
		{"Direct", "b02", "好", "86", "考核单元民主测评：6票平均60（仅供参考，不计入总分）"},
		{"DirectDecided", "b03", "较好", "85", "考核委员会审定为「较好」：名额所限"},
	}
	for _, tt := range tests {
		r, err := h.svc.Result(ctx, "hr", q, tt.person)
		if err != nil {
			t.Errorf("%s: result %s: %v", tt.name, tt.person, err)
			continue
		}
		if r.Grade != tt.grade || r.Score == nil || r.Score.String() != tt.score {
			t.Errorf("%s: %s = %s %v, want %s %s", tt.name, tt.person, r.Grade, r.Score, tt.grade, tt.score)
		}
		if ex := strings.Join(r.Explain, "\n"); !strings.Contains(ex, tt.explain) {
			t.Errorf("%s: %s explain lacks %q:\n%s", tt.name, tt.person, tt.explain, ex)
		}
	}
	for _, p := range s8Staff {
		r, err := h.svc.Result(ctx, "hr", q, p)
		h.must("result", err)
		if want := wantGrade[p]; r.Grade != want {
			t.Errorf("%s = %s, want %s", p, r.Grade, want)
		}
	}

	// 公示 in July: each 分管领导 is asked to talk with the lowest-ranked of
	// the units they oversee (S8 四(三)5).
	h.clk.Set(at(2026, 7, 8, 10, 0))
	h.take()
	h.must("publish", h.svc.Publish(ctx, "hr", q))
	ns = h.take()
	h.checkNotes(ns, []string{"s1", "s2"}, h.clk.Now(), workflow.TplHalfYearTalk, "period="+q)
	for _, tt := range []struct{ leader, names string }{
		{"s1", s8Name("a09")},
		{"s2", s8Name("b05") + "、" + s8Name("b06")}, // tied at 70 一般
	} {
		if n, _ := find(ns, workflow.TplHalfYearTalk, tt.leader); n.Data["names"] != tt.names {
			t.Errorf("half-year talk for %s: names %q, want %q", tt.leader, n.Data["names"], tt.names)
		}
	}
	if n, ok := find(ns, workflow.TplResult, "a01"); !ok || !strings.Contains(n.Data["explain"], "仅供参考，不计入总分") || n.Data["score"] != "96" {
		t.Errorf("a01's own result does not show the 测评 beside the score: %v", n.Data)
	}
	if pub, _ := find(ns, workflow.TplPublicity, "oc_public"); pub.Data["count"] != "6" {
		t.Errorf("公示 = %v, want 6 好", pub.Data)
	}

	// Q3: published in October; no half-year talk.
	h.s8Appraise("2026-Q3", at(2026, 10, 9, 10, 0), nil, s8Plain)
	ns = h.s8Finish("2026-Q3")
	if got := sel(ns, workflow.TplResult); len(got) != len(s8Staff) {
		t.Errorf("Q3 results sent to %d people, want %d", len(got), len(s8Staff))
	}
	h.checkNotes(ns, nil, time.Time{}, workflow.TplHalfYearTalk)

	if err := workflow.VerifyAudit(nil, h.audit()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
}
