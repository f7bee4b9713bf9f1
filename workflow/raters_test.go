package workflow_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// ballotFor scores every target of voter with score.
func (h *harness) ballotFor(voter, score string) map[string]scoring.Dec {
	h.t.Helper()
	vb, err := h.svc.VoteTargets(ctx, voter)
	h.must("targets of "+voter, err)
	out := map[string]scoring.Dec{}
	for _, p := range vb.Targets {
		out[p.ID] = scoring.D(score)
	}
	return out
}

// ballotsOf counts the stored ballots by target.
func (h *harness) ballotsOf(period string) map[string]int {
	h.t.Helper()
	out := map[string]int{}
	h.must("ballots", h.store.InTx(ctx, func(tx workflow.Tx) error {
		bs, err := tx.Ballots(ctx, period)
		for _, b := range bs {
			out[b.Target]++
		}
		return err
	}))
	return out
}

// owesVote reports whether person's 待办 asks for the period's vote.
func (h *harness) owesVote(person, period string) bool {
	h.t.Helper()
	due, err := h.svc.Owed(ctx, person)
	h.must("owed "+person, err)
	for _, d := range due {
		if d.Kind == workflow.EntryVote && d.Period == period {
			return true
		}
	}
	return false
}

// TestExtraVoters (S8 四(三)2 "分管领导（协管领导）、考核单元内人员无记名百分制评分";
// S1 第八条(二) "全体机关部"): a 考核单元's extra voters — its 分管领导 where the
// scheme says supervisor_votes, people HR named in vote_groups — are asked
// to vote, rate every member, are never rated, and their ballot counts
// like any other.
func TestExtraVoters(t *testing.T) {
	t.Parallel()
	const q = "2026-Q3"
	tests := []struct {
		name   string
		scheme string
		// voter, their 考核单元, and how many they rate; "" groups: no vote.
		voter  string
		groups []string
		rates  int
	}{
		{"S8SupervisorOfU1", "s8", "s1", []string{"g1"}, 10},
		{"S8SupervisorOfU2", "s8", "s2", []string{"g2"}, 7},
		{"S8NamedDeputy", "s8", "x1", []string{"g2"}, 7},
		{"S8HRHasNone", "s8", "hr", nil, 0},
		// S1's scheme does not say the 分管领导 votes: s1 has no vote, and
		// a 机关干部 HR named does.
		{"S1SupervisorHasNone", "s1", "s1", nil, 0},
		{"S1NamedCadre", "s1", "x1", []string{"g2"}, 7},
		{"MemberRatesOwnGroupOnly", "s8", "a01", []string{"g1"}, 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.scheme, at(2026, 9, 21, 9, 0), nil)
			h.orgS8()
			h.must("add x1", h.svc.Setup(ctx, "hr", workflow.Settings{}, nil,
				[]workflow.Person{{ID: "x1", Name: "协管领导", VoteGroups: []string{"g2"}}}))
			_, err := h.svc.OpenPeriod(ctx, "hr", q)
			h.must("open", err)
			vb, err := h.svc.VoteTargets(ctx, tc.voter)
			if tc.groups == nil {
				if !errors.Is(err, workflow.ErrForbidden) {
					t.Fatalf("VoteTargets(%s) = %v, %v; want ErrForbidden", tc.voter, vb, err)
				}
				h.wantErr("vote without a vote", h.svc.Vote(ctx, tc.voter, q, map[string]scoring.Dec{"a01": scoring.D("90")}), workflow.ErrForbidden)
				if h.owesVote(tc.voter, q) {
					t.Errorf("%s is asked to vote", tc.voter)
				}
				return
			}
			h.must("targets", err)
			// The vote is asked for from its due date at the latest.
			p, err := h.svc.Period(ctx, q)
			h.must("period", err)
			h.clk.Set(at(p.SummaryDue.Year, p.SummaryDue.Month, p.SummaryDue.Day, 9, 0))
			if !slices.Equal(vb.Groups, tc.groups) || len(vb.Targets) != tc.rates {
				t.Fatalf("VoteTargets(%s) = %v with %d targets, want %v with %d", tc.voter, vb.Groups, len(vb.Targets), tc.groups, tc.rates)
			}
			for _, p := range vb.Targets {
				if p.ID == tc.voter || !p.Assessed {
					t.Errorf("target %s: the voter or someone not assessed", p.ID)
				}
			}
			if !h.owesVote(tc.voter, q) {
				t.Errorf("%s is not asked to vote", tc.voter)
			}
			ballot := h.ballotFor(tc.voter, "90")
			target := vb.Targets[0].ID
			before := h.ballotsOf(q)[target]
			h.must("vote", h.svc.Vote(ctx, tc.voter, q, ballot))
			if got := h.ballotsOf(q)[target]; got != before+1 {
				t.Errorf("ballots for %s = %d, want %d", target, got, before+1)
			}
			if h.owesVote(tc.voter, q) {
				t.Errorf("%s still asked after voting", tc.voter)
			}
			h.wantErr("vote twice", h.svc.Vote(ctx, tc.voter, q, ballot), workflow.ErrConflict)
		})
	}
}

// TestExtraVoterNeverTargeted: nobody can rate a 分管领导 or an extra voter,
// and a ballot of a member that rates them is refused whole.
func TestExtraVoterNeverTargeted(t *testing.T) {
	t.Parallel()
	const q = "2026-Q3"
	h := newHarness(t, "s8", at(2026, 9, 21, 9, 0), nil)
	h.orgS8()
	h.must("add x1", h.svc.Setup(ctx, "hr", workflow.Settings{}, nil,
		[]workflow.Person{{ID: "x1", Name: "协管领导", VoteGroups: []string{"g1"}}}))
	_, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open", err)
	for _, extra := range []string{"s1", "x1"} {
		ballot := h.ballotFor("a01", "90")
		ballot[extra] = scoring.D("60")
		h.wantErr("rate "+extra, h.svc.Vote(ctx, "a01", q, ballot), workflow.ErrInvalidInput)
	}
	for _, voter := range append([]string{"s1", "x1"}, s8Staff...) {
		h.must("vote "+voter, h.svc.Vote(ctx, voter, q, h.ballotFor(voter, "90")))
	}
	got := h.ballotsOf(q)
	if got["s1"] != 0 || got["x1"] != 0 {
		t.Errorf("extra voters were rated: %v", got)
	}
	// g1: 9 colleagues, the 分管领导 and the named 协管领导; g2: 5 and its 分管领导.
	if got["a01"] != 11 || got["b01"] != 6 {
		t.Errorf("ballots = %v, want 11 for a01 and 6 for b01", got)
	}
	// A vote naming a group that does not exist is refused at setup.
	err = h.svc.Setup(ctx, "hr", workflow.Settings{}, nil, []workflow.Person{{ID: "x2", Name: "某", VoteGroups: []string{"g9"}}})
	h.wantErr("unknown vote group", err, workflow.ErrInvalidInput)
}

// TestSupervisorBallotCounted: the 分管领导's ballot lifts a member of a
// small 考核单元 over the anonymity floor: with four colleagues only the
// 测评 is not counted; with the 分管领导's it is.
func TestSupervisorBallotCounted(t *testing.T) {
	t.Parallel()
	const q = "2026-Q3"
	for _, supervisorVotes := range []bool{false, true} {
		h := newHarness(t, "s8", at(2026, 9, 21, 9, 0), nil)
		h.orgS8()
		// g2 has seven members: b01 gets six colleagues' ballots; leave
		// two out so that five reach the floor only with s2's.
		h.s8Appraise(q, at(2026, 9, 21, 9, 0), func() {
			for _, v := range []string{"l2", "b02", "b03", "b04"} {
				h.must("vote "+v, h.svc.Vote(ctx, v, q, h.ballotFor(v, "80")))
			}
			if supervisorVotes {
				h.must("vote s2", h.svc.Vote(ctx, "s2", q, h.ballotFor("s2", "80")))
			}
		}, s8Plain)
		h.clk.Set(at(2026, 10, 20, 9, 0))
		h.must("close", h.svc.CloseAppraisal(ctx, "hr", q))
		r, err := h.svc.Result(ctx, "hr", q, "b01")
		h.must("result", err)
		text := strings.Join(r.Explain, "\n")
		want := "考核单元民主测评：参评人数不足5人"
		if supervisorVotes {
			want = "考核单元民主测评：5票平均80"
		}
		if !strings.Contains(text, want) {
			t.Errorf("supervisor voted %v: b01's explanation lacks %q:\n%s", supervisorVotes, want, text)
		}
	}
}

// TestOutsideTally (S1 第八条(二) "部分村组干部、服务对象代表"): HR enters the
// tally of the raters outside the chat; it is combined with the in-chat
// ballots weighted by the number of raters; only HR may enter it, only
// where the scheme takes outside raters, and not after the vote closed.
func TestOutsideTally(t *testing.T) {
	t.Parallel()
	const q = "2026-Q2"
	tally := func(n int, mean string) map[string]scoring.OutsideTally {
		return map[string]scoring.OutsideTally{"a1": {Raters: n, Mean: scoring.D(mean)}}
	}
	t.Run("Refusals", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "s1", at(2026, 6, 1, 9, 0), nil)
		h.s1Org("")
		_, err := h.svc.OpenPeriod(ctx, "hr", q)
		h.must("open", err)
		h.wantErr("by a member", h.svc.SetOutsideTallies(ctx, "a2", q, tally(10, "90")), workflow.ErrForbidden)
		h.wantErr("by the leader", h.svc.SetOutsideTallies(ctx, "l1", q, tally(10, "90")), workflow.ErrForbidden)
		h.wantErr("mean above the scale", h.svc.SetOutsideTallies(ctx, "hr", q, tally(10, "100.5")), workflow.ErrInvalidInput)
		h.wantErr("three places", h.svc.SetOutsideTallies(ctx, "hr", q, tally(10, "90.125")), workflow.ErrInvalidInput)
		h.wantErr("negative count", h.svc.SetOutsideTallies(ctx, "hr", q, tally(-1, "90")), workflow.ErrInvalidInput)
		h.wantErr("not assessed", h.svc.SetOutsideTallies(ctx, "hr", q,
			map[string]scoring.OutsideTally{"l1": {Raters: 5, Mean: scoring.D("90")}}), workflow.ErrInvalidInput)
		h.must("by HR", h.svc.SetOutsideTallies(ctx, "hr", q, tally(10, "90")))
		got, err := h.svc.OutsideTallies(ctx, "hr", q)
		h.must("tallies", err)
		if got["a1"].Raters != 10 || got["a1"].Mean.String() != "90" || got["a1"].By != "hr" {
			t.Errorf("tallies = %+v", got)
		}
		if _, err := h.svc.OutsideTallies(ctx, "a1", q); !errors.Is(err, workflow.ErrForbidden) {
			t.Errorf("a member read the tallies: %v", err)
		}
		if a := h.lastAudit("vote.outside"); a.Actor != "hr" || strings.Contains(a.Detail, "90") {
			t.Errorf("audit = %+v: want HR's entry without the scores", a)
		}
		p, err := h.svc.Period(ctx, q)
		h.must("period", err)
		h.clk.Set(at(p.SummaryDue.Year, p.SummaryDue.Month, p.SummaryDue.Day+1, 9, 0))
		err = h.svc.SetOutsideTallies(ctx, "hr", q, tally(12, "80"))
		if !errors.Is(err, workflow.ErrWindowClosed) || !strings.Contains(workflow.Message(err), "不能再录入外部测评") {
			t.Errorf("after the deadline: %v (%q), want ErrWindowClosed", err, workflow.Message(err))
		}
		if got, _ := h.svc.OutsideTallies(ctx, "hr", q); got["a1"].Raters != 10 {
			t.Errorf("a refused tally was stored: %+v", got)
		}
	})
	t.Run("NotInTheScheme", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "s8", at(2026, 9, 21, 9, 0), nil)
		h.orgS8()
		_, err := h.svc.OpenPeriod(ctx, "hr", "2026-Q3")
		h.must("open", err)
		err = h.svc.SetOutsideTallies(ctx, "hr", "2026-Q3", map[string]scoring.OutsideTally{"a01": {Raters: 5, Mean: scoring.D("90")}})
		if !errors.Is(err, workflow.ErrForbidden) || !strings.Contains(workflow.Message(err), "不设外部测评") {
			t.Errorf("S8 tally: %v (%q)", err, workflow.Message(err))
		}
	})
	t.Run("Combined", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "s1", at(2026, 7, 1, 9, 0), nil)
		staff := h.s1Org("")
		h.s1Appraise(q, staff)
		h.must("tally", h.svc.SetOutsideTallies(ctx, "hr", q, map[string]scoring.OutsideTally{
			"a1": {Raters: 10, Mean: scoring.D("100")}, "a2": {Raters: 3, Mean: scoring.D("50")}}))
		// Re-entered: a2's is taken back (no raters), a1's stays.
		h.must("re-entered", h.svc.SetOutsideTallies(ctx, "hr", q, map[string]scoring.OutsideTally{"a2": {Raters: 0}}))
		h.must("close", h.svc.CloseAppraisal(ctx, "hr", q))
		// a1: five colleagues at 85 and ten outside at 100: (425 + 1000) ÷ 15 = 95.
		// Leader 13+13+13+36+13 = 88: 88 × 70% + 95 × 30% = 61.6 + 28.5 = 90.1.
		a1, err := h.svc.Result(ctx, "hr", q, "a1")
		h.must("result", err)
		if a1.Score == nil || a1.Score.String() != "90.1" ||
			!strings.Contains(strings.Join(a1.Explain, "\n"), "民主测评：机关内5票、外部测评10人平均100，合计15人平均95") {
			t.Errorf("a1 = %v: %s", a1.Score, strings.Join(a1.Explain, "\n"))
		}
		a2, err := h.svc.Result(ctx, "hr", q, "a2")
		h.must("result", err)
		if a2.Score == nil || a2.Score.String() != "87.1" {
			t.Errorf("a2 = %v (no tally: 61.6 + 25.5)", a2.Score)
		}
	})
}

// TestExtraVotersReminded: the vote's reminder goes to the 分管领导 and the
// people HR named as well as to the members who have not voted; nobody
// who voted, and nobody without a vote, is reminded.
func TestExtraVotersReminded(t *testing.T) {
	t.Parallel()
	const q = "2026-Q3"
	plan, err := workflow.ParsePlan("due:0@09:00")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, "s8", at(2026, 9, 21, 9, 0), func(c *workflow.Config) {
		c.Plans = map[string][]workflow.Nudge{"vote": plan, "weekly": {}, "monthly": {}, "summary": {}}
	})
	h.orgS8()
	h.must("add x1", h.svc.Setup(ctx, "hr", workflow.Settings{}, nil,
		[]workflow.Person{{ID: "x1", Name: "协管领导", VoteGroups: []string{"g2"}}}))
	_, err = h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open", err)
	for _, v := range append([]string{"s2"}, s8Staff[1:]...) { // all but l1 and s1, x1
		h.must("vote "+v, h.svc.Vote(ctx, v, q, h.ballotFor(v, "85")))
	}
	h.take()
	p, err := h.svc.Period(ctx, q)
	h.must("period", err)
	h.advance(at(p.SummaryDue.Year, p.SummaryDue.Month, p.SummaryDue.Day, 10, 0))
	got := sel(h.take(), workflow.TplRemind, "item=vote")
	slices.Sort(got)
	if want := []string{"l1", "s1", "x1"}; !equal(got, want) {
		t.Errorf("vote reminders to %v, want %v", got, want)
	}
}

// TestSetVoteGroups: HR names c1 (委员, not assessed) an extra voter of g2
// and their vote lists g2's members; a stale version, another's click,
// an unknown 考核单元 and the one a member is assessed in are refused;
// an empty selection clears it. Every change is audited with what changed.
func TestSetVoteGroups(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s8", at(2026, 9, 21, 9, 0), nil)
	h.orgS8()
	_, err := h.svc.OpenPeriod(ctx, "hr", "2026-Q3")
	h.must("open", err)
	if _, err := h.svc.VoteTargets(ctx, "c1"); !errors.Is(err, workflow.ErrForbidden) {
		t.Fatalf("c1 votes before being named: %v", err)
	}
	v := h.personOf("c1").Version
	h.wantErr("stranger", h.svc.SetVoteGroups(ctx, "a01", "c1", v, []string{"g2"}), workflow.ErrForbidden)
	h.wantErr("unknown group", h.svc.SetVoteGroups(ctx, "hr", "c1", v, []string{"g9"}), workflow.ErrInvalidInput)
	h.wantErr("own group", h.svc.SetVoteGroups(ctx, "hr", "a01", h.personOf("a01").Version, []string{"g1"}), workflow.ErrInvalidInput)
	h.wantErr("stale", h.svc.SetVoteGroups(ctx, "hr", "c1", v-1, []string{"g2"}), workflow.ErrStale)
	h.must("name", h.svc.SetVoteGroups(ctx, "hr", "c1", v, []string{"g2", "g2"}))
	c1 := h.personOf("c1")
	if !slices.Equal(c1.VoteGroups, []string{"g2"}) || c1.Version != v+1 {
		t.Fatalf("c1 = %+v, want vote groups [g2] at version %d", c1, v+1)
	}
	b, err := h.svc.VoteTargets(ctx, "c1")
	h.must("targets", err)
	if !slices.Equal(b.Groups, []string{"g2"}) || len(b.Targets) != h.groupSize("g2") {
		t.Errorf("c1's ballot = %v with %d targets, want g2's %d members", b.Groups, len(b.Targets), h.groupSize("g2"))
	}
	h.wantErr("double click", h.svc.SetVoteGroups(ctx, "hr", "c1", v, []string{"g2"}), workflow.ErrStale)
	h.must("clear", h.svc.SetVoteGroups(ctx, "hr", "c1", v+1, nil))
	if c1 := h.personOf("c1"); len(c1.VoteGroups) != 0 {
		t.Errorf("after clearing: %v", c1.VoteGroups)
	}
	if _, err := h.svc.VoteTargets(ctx, "c1"); !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("c1 still votes after clearing: %v", err)
	}
	var done, denied []string
	for _, a := range h.audit() {
		if a.Action != "person.vote_groups" {
			continue
		}
		if a.Denied {
			denied = append(denied, a.Actor)
		} else {
			done = append(done, a.Detail)
		}
	}
	if len(done) != 2 || !strings.Contains(done[0], "[] -> [g2]") || !strings.Contains(done[1], "[g2] -> []") || len(denied) == 0 {
		t.Errorf("audit: done %q, denied %q", done, denied)
	}
}

func (h *harness) groupSize(g string) int {
	n := 0
	for _, id := range s8Staff {
		if s8Group(id) == g {
			n++
		}
	}
	return n
}
