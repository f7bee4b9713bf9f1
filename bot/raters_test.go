package bot_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// ratersWorld sets up 综合科 (u1) as one 考核单元 of six (ou_e1..ou_e6)
// under 分管领导 ou_s1, plus ou_x, a 机关干部 not assessed whom HR named an
// extra voter of u1, and opens 2026-Q2 with a vote reminder on its due
// date only.
func ratersWorld(t *testing.T, scheme string) (*world, calendar.Date) {
	t.Helper()
	loc := calendar.DefaultLocation()
	plan, err := workflow.ParsePlan("due:0@09:00")
	if err != nil {
		t.Fatal(err)
	}
	w := newSchemeWorld(t, "cli_"+scheme+"_raters", scheme, time.Date(2026, 6, 22, 10, 0, 0, 0, loc), func(c *workflow.Config) {
		c.Plans = map[string][]workflow.Nudge{"vote": plan, "weekly": {}, "monthly": {}, "summary": {}, "step": {}}
	})
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科", HR: true},
		{ID: "ou_head", Name: "局长", Committee: true},
		{ID: "ou_s1", Name: "副局长"},
		{ID: "ou_l1", Name: "科长", Unit: "u1"},
		{ID: "ou_x", Name: "机关干部", VoteGroups: []string{"u1"}},
	}
	for i := 1; i <= 6; i++ {
		people = append(people, workflow.Person{ID: fmt.Sprintf("ou_e%d", i), Name: fmt.Sprintf("干部%d", i), Unit: "u1", Group: "u1", Assessed: true})
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "某局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "综合科", Leader: "ou_l1", Supervisor: "ou_s1"}}, people))
	p, err := w.svc.OpenPeriod(w.ctx, "ou_hr", "2026-Q2")
	w.must("open", err)
	w.deliver()
	return w, p.SummaryDue
}

// voteByCard answers who's vote reminder: opens the form, checks whom it
// lists, and submits score for each.
func (w *world) voteByCard(who string, want []string, score string) {
	w.t.Helper()
	rem := w.lastCard(who, "民主测评")
	r := w.click(rem.MessageID, who, "btn_1", nil)
	form := map[string]any{}
	for _, id := range want {
		if !strings.Contains(string(r.Card), card.VoteField(id)) {
			w.t.Fatalf("%s's vote form lacks %s: %s", who, id, r.Card)
		}
		form[card.VoteField(id)] = score
	}
	if strings.Contains(string(r.Card), card.VoteField(who)) {
		w.t.Errorf("%s's vote form lists themselves", who)
	}
	r = w.click(rem.MessageID, who, "submit", form)
	if r.Toast == nil || r.Toast.Type != "success" {
		w.t.Fatalf("%s's vote: toast %+v", who, r.Toast)
	}
}

// TestExtraVotersThroughLark (S8 四(三)2: "分管领导（协管领导）、考核单元内人员
// 无记名百分制评分"): the 分管领导 and the extra voter HR named get the vote
// reminder, open the form from it, rate the six members and submit; the
// unit's leader (not assessed, not named) gets nothing; nobody's form
// lists a 分管领导 or an extra voter.
func TestExtraVotersThroughLark(t *testing.T) {
	w, due := ratersWorld(t, "s8")
	loc := calendar.DefaultLocation()
	w.tickAt(time.Date(due.Year, due.Month, due.Day, 9, 30, 0, 0, loc))
	staff := []string{"ou_e1", "ou_e2", "ou_e3", "ou_e4", "ou_e5", "ou_e6"}
	for _, who := range []string{"ou_s1", "ou_x"} {
		w.voteByCard(who, staff, "90")
	}
	for _, m := range w.sim.MessagesTo("ou_l1") {
		if strings.Contains(m.Content, "民主测评") {
			t.Errorf("the unit's leader, who has no vote, was asked: %s", m.Content)
		}
	}
	// A member's form: the five colleagues, not the extra voters.
	w.voteByCard("ou_e1", staff[1:], "80")
	rem := w.lastCard("ou_e2", "民主测评")
	r := w.click(rem.MessageID, "ou_e2", "btn_1", nil)
	for _, extra := range []string{"ou_s1", "ou_x", "ou_l1"} {
		if strings.Contains(string(r.Card), card.VoteField(extra)) {
			t.Errorf("a member's form lists %s", extra)
		}
	}
	// Three ballots for ou_e2 (ou_s1, ou_x, ou_e1), none for the extra voters.
	got := map[string]int{}
	w.must("ballots", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		bs, err := tx.Ballots(w.ctx, "2026-Q2")
		for _, b := range bs {
			got[b.Target]++
		}
		return err
	}))
	if got["ou_e2"] != 3 || got["ou_e1"] != 2 || got["ou_s1"] != 0 || got["ou_x"] != 0 {
		t.Errorf("ballots by target = %v", got)
	}
}

// TestOutsideTallyThroughLark (S1 第八条(二): "部分村组干部、服务对象代表"): HR
// sends 外部测评, fills the card and saves; a member cannot open it; after
// the vote's deadline the card is refused with the date.
func TestOutsideTallyThroughLark(t *testing.T) {
	w, due := ratersWorld(t, "s1")
	ctx := w.ctx
	_, err := w.sim.SendText(ctx, "ou_e1", "", "外部测评")
	w.must("send", err)
	w.deliver()
	if m := w.lastCard("ou_e1", "无权"); strings.Contains(m.Content, "outside_form") {
		t.Errorf("a member got the form: %s", m.Content)
	}
	_, err = w.sim.SendText(ctx, "ou_hr", "", "外部测评")
	w.must("send", err)
	w.deliver()
	m := w.lastCard("ou_hr", "外部测评录入")
	r := w.click(m.MessageID, "ou_hr", "submit", map[string]any{
		card.OutsideRatersField("ou_e1"): "12", card.OutsideMeanField("ou_e1"): "91.5",
		card.OutsideRatersField("ou_e2"): "8", card.OutsideMeanField("ou_e2"): "88"})
	if r.Toast == nil || r.Toast.Content != "外部测评已保存" || !strings.Contains(string(r.Card), `"default_value": "91.5"`) &&
		!strings.Contains(string(r.Card), `"default_value":"91.5"`) {
		t.Fatalf("save: toast %+v card %s", r.Toast, r.Card)
	}
	tallies, err := w.svc.OutsideTallies(ctx, "ou_hr", "2026-Q2")
	w.must("tallies", err)
	if tallies["ou_e1"].Raters != 12 || tallies["ou_e1"].Mean.String() != "91.5" || tallies["ou_e2"].Raters != 8 || len(tallies) != 2 {
		t.Errorf("tallies = %+v", tallies)
	}
	// The day after the vote closed: refused, nothing changes.
	w.clk.Set(time.Date(due.Year, due.Month, due.Day+1, 10, 0, 0, 0, calendar.DefaultLocation()))
	late, err := w.sim.ClickButton(ctx, m.MessageID, "ou_hr", "submit", map[string]any{
		card.OutsideRatersField("ou_e1"): "20", card.OutsideMeanField("ou_e1"): "60"})
	w.must("late click", err)
	if late.Toast == nil || late.Toast.Type != "error" || !strings.Contains(late.Toast.Content, "不能再录入外部测评") {
		t.Errorf("late save: toast %+v", late.Toast)
	}
	if got, _ := w.svc.OutsideTallies(ctx, "ou_hr", "2026-Q2"); got["ou_e1"].Raters != 12 || !got["ou_e1"].Mean.Equal(scoring.D("91.5").Decimal) {
		t.Errorf("a late tally was stored: %+v", got["ou_e1"])
	}
}

// TestVoteGroupsByCard: HR opens 科长's 人员 card (a unit's leader, not
// assessed, who has no vote), names 综合科 under 参加民主测评（不被测评）
// and saves; the card shows it; 科长's 待办 then lists the 民主测评, whose
// card lists the six members, and the ballot is taken. Cleared again, the
// 待办 no longer asks.
func TestVoteGroupsByCard(t *testing.T) {
	w, _ := ratersWorld(t, "s8")
	// The quarter's last week, when the 待办 asks for the vote.
	w.clk.Set(time.Date(2026, 6, 29, 10, 0, 0, 0, calendar.DefaultLocation()))
	staff := []string{"ou_e1", "ou_e2", "ou_e3", "ou_e4", "ou_e5", "ou_e6"}
	_, err := w.sim.SendText(w.ctx, "ou_hr", "", "人员 @_user_1", "ou_l1")
	w.must("send 人员", err)
	w.deliver()
	pc := w.lastCard("ou_hr", "人员情况：科长")
	if !strings.Contains(pc.Content, "vote_groups_form") || !strings.Contains(pc.Content, "综合科") {
		t.Fatalf("the person card offers no 考核单元: %s", pc.Content)
	}
	todo := func() string {
		_, err := w.sim.SendText(w.ctx, "ou_l1", "", "待办")
		w.must("send 待办", err)
		w.deliver()
		return w.lastCard("ou_l1", "我的待办").Content
	}
	if strings.Contains(todo(), "民主测评") {
		t.Fatal("科长's 待办 lists the 民主测评 before HR named them")
	}

	r := w.click(pc.MessageID, "ou_hr", "save_vote_groups", map[string]any{card.FieldVoteGroups: []any{"u1"}})
	if r.Toast == nil || r.Toast.Content != "参加民主测评（不被测评）：综合科" {
		t.Fatalf("save: toast %+v", r.Toast)
	}
	if !strings.Contains(string(r.Card), "**参加民主测评（不被测评）**：综合科") {
		t.Errorf("the card does not show the 考核单元 named: %s", r.Card)
	}
	if p, _ := w.person("ou_l1"); fmt.Sprint(p.VoteGroups) != "[u1]" {
		t.Errorf("科长's vote groups = %v", p.VoteGroups)
	}

	list := todo()
	if !strings.Contains(list, "民主测评") {
		t.Fatalf("科长's 待办 lacks the 民主测评: %s", list)
	}
	msg := w.lastCard("ou_l1", "我的待办")
	vc := w.click(msg.MessageID, "ou_l1", larksim.RowButton([]byte(msg.Content), "民主测评"), nil)
	form := map[string]any{}
	for _, id := range staff {
		if !strings.Contains(string(vc.Card), card.VoteField(id)) {
			t.Fatalf("科长's vote card lacks %s: %s", id, vc.Card)
		}
		form[card.VoteField(id)] = "88"
	}
	if strings.Contains(string(vc.Card), card.VoteField("ou_l1")) {
		t.Error("科长's vote card lists themselves")
	}
	if r := w.click(msg.MessageID, "ou_l1", "submit", form); r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("科长's vote: toast %+v", r.Toast)
	}

	got := 0
	w.must("ballots", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		bs, err := tx.Ballots(w.ctx, "2026-Q2")
		got = len(bs)
		return err
	}))
	if got != len(staff) {
		t.Errorf("%d ballots, want 科长's %d", got, len(staff))
	}

	// Cleared (nothing picked): 科长 has no vote any more.
	r = w.click(pc.MessageID, "ou_hr", "save_vote_groups", map[string]any{card.FieldVoteGroups: []any{}})
	if r.Toast == nil || r.Toast.Content != "已不参加其他考核单元的民主测评" {
		t.Fatalf("clear: toast %+v", r.Toast)
	}
	if p, _ := w.person("ou_l1"); len(p.VoteGroups) != 0 {
		t.Errorf("after clearing: %v", p.VoteGroups)
	}
	if _, err := w.svc.VoteTargets(w.ctx, "ou_l1"); !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("科长 still votes after clearing: %v", err)
	}
	n := 0
	for _, a := range w.auditRows() {
		if a.Action == "person.vote_groups" && !a.Denied && a.Actor == "ou_hr" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d audited changes of vote groups, want 2", n)
	}
}
