package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// kindWorld is a fresh organisation for one callback kind's cases, on
// Wednesday 1 July 2026 with 2026-Q3 open: 办公室 u1 (科长甲 ou_l1; 孙一
// ou_e1, 周二 ou_e2, 吴三 ou_e3), 业务科 u2 (科长乙 ou_l2; 郑四 ou_e4), 副局长赵
// ou_s1 over both, 局长 ou_head on the committee, two HR officers (ou_hr
// also on the committee, ou_hr2 not). The chain is 初评 (unit leader) →
// 审定 (分管领导), short enough to drive a quarter to its end by service
// calls; every click under test goes through Bot.OnCardAction.
type kindWorld struct {
	t     *testing.T
	ctx   context.Context
	clk   *clock.Fake
	store *memory.Store
	svc   *workflow.Service
	bot   *bot.Bot
}

const outsider = "ou_outsider" // a Lark user of the tenant, not in the organisation

func newKindWorld(t *testing.T) *kindWorld { return newKindWorldOn(t, "") }

// newKindWorldOn is the world under another scheme than S4 (S1 for the
// 外部测评 its 民主测评 takes); "" is S4.
func newKindWorldOn(t *testing.T, scheme string) *kindWorld {
	t.Helper()
	votes := true // S4 has no 民主测评 of its own; on, for the vote's case
	w := &kindWorld{t: t, ctx: context.Background(), store: memory.New(),
		clk: clock.NewFake(time.Date(2026, 7, 1, 10, 0, 0, 0, calendar.DefaultLocation()))}
	if scheme == "" {
		scheme = "s4"
	}
	sc, err := scoring.Builtin(scheme)
	if err != nil {
		t.Fatal(err)
	}
	// S4 keeps no daily log (S7 does); this world keeps one too, so that
	// every kind is clicked in the one world.
	sc.Records = append(scoring.Records{{Kind: scoring.RecordDaily, Name: "工作日志"}}, sc.Records...)
	w.svc, err = workflow.New(workflow.Config{Store: w.store, Clock: w.clk, Calendar: calendar.Default(), Scheme: sc,
		Chains: map[string][]workflow.ChainStep{"": {{Role: workflow.RoleUnitLeader, Name: "初评"}, {Role: workflow.RoleSupervisor, Name: "审定"}}},
		Votes:  &votes})
	if err != nil {
		t.Fatal(err)
	}
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科李", HR: true, Committee: true}, {ID: "ou_hr2", Name: "政工科周", HR: true},
		{ID: "ou_head", Name: "局长王", Committee: true}, {ID: "ou_s1", Name: "副局长赵"},
		{ID: "ou_l1", Name: "科长甲", Unit: "u1"}, {ID: "ou_l2", Name: "科长乙", Unit: "u2"},
		{ID: "ou_e1", Name: "孙一", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e2", Name: "周二", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e3", Name: "吴三", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e4", Name: "郑四", Unit: "u2", Group: "u2", Assessed: true},
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_s1"}, {ID: "u2", Name: "业务科", Leader: "ou_l2", Supervisor: "ou_s1"}}, people))
	_, err = w.svc.OpenPeriod(w.ctx, "ou_hr", "2026-Q3")
	w.must("open", err)
	w.bot, err = bot.New(bot.Config{Service: w.svc, Store: w.store, Clock: w.clk})
	w.must("bot", err)
	return w
}

func (w *kindWorld) must(what string, err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("%s: %v", what, err)
	}
}

// click delivers a card callback as Lark would.
func (w *kindWorld) click(event, op string, v card.Value, form map[string]any) *callback.CardActionTriggerResponse {
	w.t.Helper()
	ev := clickEvent(event, op, v.K, workflow.Step{}, form)
	ev.Event.Action.Value = map[string]any{"k": v.K, "id": v.ID, "v": float64(v.V)}
	r, err := w.bot.OnCardAction(w.ctx, ev)
	w.must("OnCardAction", err)
	return r
}

// writes counts the audit rows that are not denials, the denials, and the
// outbox rows: what a click may have changed.
func (w *kindWorld) writes() (acts, denials, outbox int) {
	w.t.Helper()
	w.must("read", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		acts, denials, outbox = 0, 0, 0
		rows, err := tx.Audit(w.ctx, 0, 0)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.Denied {
				denials++
			} else {
				acts++
			}
		}
		ns, err := tx.Outbox(w.ctx, "", 0, 0)
		outbox = len(ns)
		return err
	}))
	return
}

// audits counts the audit rows of one action on one object.
func (w *kindWorld) audits(action, object string) int {
	w.t.Helper()
	n := 0
	w.must("audit", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		n = 0
		rows, err := tx.Audit(w.ctx, 0, 0)
		for _, r := range rows {
			if r.Action == action && r.Object == object && !r.Denied {
				n++
			}
		}
		return err
	}))
	return n
}

func (w *kindWorld) lastDenial() workflow.AuditEntry {
	w.t.Helper()
	var d workflow.AuditEntry
	w.must("audit", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		rows, err := tx.Audit(w.ctx, 0, 0)
		for _, r := range rows {
			if r.Denied {
				d = r
			}
		}
		return err
	}))
	return d
}

func (w *kindWorld) person(id string) workflow.Person {
	w.t.Helper()
	var p workflow.Person
	w.must("person", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		p, err = tx.Person(w.ctx, id)
		return err
	}))
	return p
}

func (w *kindWorld) period(id string) workflow.Period {
	w.t.Helper()
	p, err := w.svc.Period(w.ctx, id)
	w.must("period", err)
	return p
}

// pending is the person's pending step in 2026-Q3.
func (w *kindWorld) pending(person string) workflow.Step {
	w.t.Helper()
	var out workflow.Step
	w.must("steps", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		sts, err := tx.Steps(w.ctx, workflow.StepFilter{Period: "2026-Q3", Person: person, State: workflow.StepPending})
		if err == nil && len(sts) != 1 {
			err = fmt.Errorf("%d pending steps of %s", len(sts), person)
		}
		if err == nil {
			out = sts[0]
		}
		return err
	}))
	return out
}

// summary files the person's 2026-Q3 季度小结, which starts their chain.
func (w *kindWorld) summary(person string) {
	w.t.Helper()
	w.must("summary "+person, w.svc.Submit(w.ctx, person, workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: "2026-Q3",
		Body: workflow.EntryBody{Summary: "完成本职工作"}}))
}

// scored is an S4 assessment totalling total points (55 to 100): points
// come off 工作负荷 (15), then 工作效率 and 工作成效 (10 each).
func scored(total int) *workflow.Assessment {
	a := assessment("15")
	off := int64(100 - total)
	for _, id := range []string{"工作负荷", "工作效率", "工作成效"} {
		have := a.Indicators[id].IntPart()
		take := min(off, have)
		a.Indicators[id] = scoring.D(fmt.Sprint(have - take))
		off -= take
	}
	return a
}

// appraise runs everyone's 2026-Q3 chain to its end with these totals
// (ou_e1…ou_e4 in order).
func (w *kindWorld) appraise(totals ...int) {
	w.t.Helper()
	for i, total := range totals {
		p := fmt.Sprintf("ou_e%d", i+1)
		w.summary(p)
		st := w.pending(p)
		w.must("初评 "+p, w.svc.Act(w.ctx, st.Assignee, workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove, Assessment: scored(total)}))
		st = w.pending(p)
		w.must("审定 "+p, w.svc.Act(w.ctx, st.Assignee, workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove}))
	}
}

// committee brings 2026-Q3 to the committee: 孙一 and totals as given.
func (w *kindWorld) committee(totals ...int) {
	w.t.Helper()
	w.appraise(totals...)
	w.must("close", w.svc.CloseAppraisal(w.ctx, "ou_hr", "2026-Q3"))
}

// published brings 2026-Q3 to 公示 with 孙一 好 (95), 周二 较好 (85), 吴三
// 一般 (70) and 郑四 较好 (85).
func (w *kindWorld) published() {
	w.t.Helper()
	w.committee(95, 85, 70, 85)
	w.must("confirm", w.svc.ConfirmResults(w.ctx, "ou_hr", "2026-Q3"))
	w.must("publish", w.svc.Publish(w.ctx, "ou_hr", "2026-Q3"))
}

// result is a person's 2026-Q3 result.
func (w *kindWorld) result(person string) workflow.Result {
	w.t.Helper()
	var r workflow.Result
	w.must("result", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		r, err = tx.Result(w.ctx, "2026-Q3", person)
		return err
	}))
	return r
}

func (w *kindWorld) review(id string) workflow.Review {
	w.t.Helper()
	var r workflow.Review
	w.must("review", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		r, err = tx.Review(w.ctx, id)
		return err
	}))
	return r
}

func (w *kindWorld) entry(kind, person, period string) workflow.Entry {
	w.t.Helper()
	var e workflow.Entry
	w.must("entry", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		e, err = tx.Entry(w.ctx, workflow.EntryKey{Kind: kind, Person: person, Period: period})
		return err
	}))
	return e
}

func (w *kindWorld) targets(person string) []workflow.Target {
	w.t.Helper()
	ts, err := w.svc.Targets(w.ctx, person, 2026)
	w.must("targets", err)
	return ts
}

// kindClick is one kind's click in its world: who may press it, who may
// not, the value and form, and the audit object its act is recorded under.
type kindClick struct {
	op, stranger string
	v            card.Value
	form         map[string]any
	object       string
}

// sameAnswer marks a kind whose second click answers as its first (a read
// of what is there, or a result that stands).
const sameAnswer = "(the same answer)"

var (
	forbidden = "error:" + workflow.Message(workflow.ErrForbidden)
	staleMsg  = "error:" + workflow.Message(workflow.ErrStale)
	conflict  = "error:" + workflow.Message(workflow.ErrConflict)
)

// kindCase is one callback kind: a world where op may act and stranger may
// not, the answers, and how a card of it goes out of date.
type kindCase struct {
	kind string
	// setup builds the object in a fresh world and returns the click.
	setup func(w *kindWorld) kindClick
	// refused is the stranger's exact answer; forbidden when empty.
	refused string
	// done is op's answer: a toast, or "" for a card alone.
	done string
	// again is the answer to the same card clicked again under another
	// event id (a double tap, or the card pressed on two devices).
	again string
	// action is the audit action of the act; "" for a kind that only
	// reads (its card is drawn anew each time).
	action string
	// acted counts the act's effect when the audit rows cannot (the
	// service audits every call, also one that changed nothing); nil
	// counts action's rows on the click's object.
	acted func(w *kindWorld, c kindClick) int
	// stale changes the object behind the card's back by another path
	// and returns the card's click, now old; nil when the kind carries no
	// version, and noStale says why that is sound.
	stale   func(w *kindWorld, c kindClick) kindClick
	noStale string
	// scheme is the world's scheme; "" is S4.
	scheme string
}

// TestCallbackKinds: every callback kind a kaohe card carries (card.Kinds),
// on an object that exists and that op could act on:
//   - a stranger's click is refused with the exact 无权 answer, writes one
//     audited denial by the stranger and nothing else;
//   - a card older than its object is refused as stale and changes
//     nothing (or the table says why the kind has no version);
//   - op's click acts; the same event delivered again gets the same reply
//     word for word; the same card clicked again under another event id
//     gets the answer the table names, and the act happened once.
func TestCallbackKinds(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, tc := range kindCases() {
		seen[tc.kind] = true
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			t.Run("Stranger", func(t *testing.T) { checkStranger(t, tc) })
			t.Run("Stale", func(t *testing.T) {
				if tc.stale == nil {
					if tc.noStale == "" {
						t.Fatal("no stale case and no reason why")
					}
					t.Skip("no version: " + tc.noStale)
				}
				checkStale(t, tc)
			})
			t.Run("DoubleClick", func(t *testing.T) { checkDoubleClick(t, tc) })
		})
	}
	// The committee's quota and 大锅饭 buttons need an S5 or S1
	// organisation, and 发送备案表 a closed period and Lark's file upload;
	// their own tests click them as a stranger, on an old card and twice.
	elsewhere := map[string]string{card.KindQuotaRaise: "TestCommitteeFloorByCard", card.KindQuotaKeep: "TestCommitteeFloorByCard",
		card.KindQuotaCap: "TestCommitteeCapByCard", card.KindUniformReturn: "TestCommitteeReturnByCard",
		card.KindFilingTables: "TestFilingTablesButton"}
	for _, k := range card.Kinds() {
		if !seen[k] && elsewhere[k] == "" {
			t.Errorf("callback kind %q has no case", k)
		}
	}
}

func checkStranger(t *testing.T, tc kindCase) {
	w := newKindWorldOn(t, tc.scheme)
	c := tc.setup(w)
	want := tc.refused
	if want == "" {
		want = forbidden
	}
	acts, denials, outbox := w.writes()
	r := w.click("stranger", c.stranger, c.v, c.form)
	if got := toastOf(r); got != want {
		t.Errorf("%s by %s: %q, want %q", tc.kind, c.stranger, got, want)
	}
	if r != nil && r.Card != nil {
		t.Errorf("%s by %s: a card came back", tc.kind, c.stranger)
	}
	a2, d2, o2 := w.writes()
	if a2 != acts || d2 != denials+1 || o2 != outbox {
		t.Errorf("%s by %s wrote %d acts, %d denials, %d messages; want one denial alone", tc.kind, c.stranger, a2-acts, d2-denials, o2-outbox)
	}
	if d := w.lastDenial(); d2 > denials && d.Actor != c.stranger {
		t.Errorf("the denial is audited as %s's, want %s's", d.Actor, c.stranger)
	}
	// The object was there to act on: op still can.
	if got := toastOf(w.click("after-stranger", c.op, c.v, c.form)); got != tc.done {
		t.Errorf("%s by %s after the stranger: %q, want %q", tc.kind, c.op, got, tc.done)
	}
}

func checkStale(t *testing.T, tc kindCase) {
	w := newKindWorldOn(t, tc.scheme)
	c := tc.stale(w, tc.setup(w))
	acts, _, outbox := w.writes()
	before := 0
	if tc.action != "" {
		before = tc.count(w, c)
	}
	if got := toastOf(w.click("stale", c.op, c.v, c.form)); got != staleMsg {
		t.Errorf("%s on an old card: %q, want %q", tc.kind, got, staleMsg)
	}
	a2, _, o2 := w.writes()
	if a2 != acts || o2 != outbox {
		t.Errorf("%s on an old card wrote %d audit rows and %d messages", tc.kind, a2-acts, o2-outbox)
	}
	if tc.action != "" && tc.count(w, c) != before {
		t.Errorf("%s on an old card acted", tc.kind)
	}
}

func checkDoubleClick(t *testing.T, tc kindCase) {
	w := newKindWorldOn(t, tc.scheme)
	c := tc.setup(w)
	first := w.click("first", c.op, c.v, c.form)
	if got := toastOf(first); got != tc.done {
		t.Fatalf("%s by %s: %q, want %q", tc.kind, c.op, got, tc.done)
	}
	if tc.done == "" && (first == nil || first.Card == nil) {
		t.Fatalf("%s by %s: no card", tc.kind, c.op)
	}
	redelivered := w.click("first", c.op, c.v, c.form)
	if a, b := canonical(t, first), canonical(t, redelivered); a != b {
		t.Errorf("%s delivered again: %s\nthen %s", tc.kind, a, b)
	}
	second := w.click("second", c.op, c.v, c.form)
	want := tc.again
	if want == sameAnswer {
		if a, b := canonical(t, first), canonical(t, second); a != b {
			t.Errorf("%s clicked again: %s\nthen %s", tc.kind, a, b)
		}
	} else if got := toastOf(second); got != want {
		t.Errorf("%s clicked again: %q, want %q", tc.kind, got, want)
	}
	if tc.action != "" {
		if n := tc.count(w, c); n != 1 {
			t.Errorf("%s acted %d times, want once", tc.kind, n)
		}
	}
}

func (tc kindCase) count(w *kindWorld, c kindClick) int {
	if tc.acted != nil {
		return tc.acted(w, c)
	}
	return w.audits(tc.action, c.object)
}

// Forms the cases submit.
var (
	weeklyForm    = map[string]any{card.TaskField(1, "title"): "起草工作总结", card.TaskField(1, "progress"): "50", card.FieldAttendance: card.AttendanceFull}
	monthlyForm   = map[string]any{card.FieldGoals: "完成半年总结", card.FieldCompletion: "已完成"}
	quarterlyForm = map[string]any{card.FieldSummary: "完成本职工作"}
	statusForm    = map[string]any{card.FieldProbation: "yes", card.FieldInvestigation: "no", card.FieldSanction: "none",
		card.FieldExempt: "no", card.FieldStatusReason: "新录用"}
)

func kindCases() []kindCase {
	return []kindCase{
		// Reading: each click draws the card anew from what is there.
		{kind: card.KindOpen, done: "", again: sameAnswer,
			setup: func(w *kindWorld) kindClick {
				w.summary("ou_e1")
				return kindClick{op: "ou_l1", stranger: "ou_l2", v: card.Open(card.FormStep, w.pending("ou_e1").ID)}
			},
			noStale: "it opens the form as the object stands now; the form it draws carries the version"},
		{kind: card.KindTodo, done: "", again: sameAnswer,
			setup: func(w *kindWorld) kindClick {
				return kindClick{op: "ou_e1", stranger: outsider, v: card.Value{K: card.KindTodo}}
			},
			noStale: "it lists the clicker's own 待办 as they stand now"},
		{kind: card.KindProgress, done: "", again: sameAnswer,
			setup: func(w *kindWorld) kindClick {
				return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: card.KindProgress, ID: "2026-Q3"}}
			},
			noStale: "刷新 draws the progress as it stands now"},
		{kind: card.KindBatch, done: "", again: sameAnswer, refused: "error:您无权办理此事项：您不负责该单位的考核审核",
			setup: func(w *kindWorld) kindClick {
				w.summary("ou_e1")
				w.summary("ou_e2")
				return kindClick{op: "ou_l1", stranger: "ou_l2", v: card.Value{K: card.KindBatch, ID: "u1"}}
			},
			noStale: "it lists the unit's pending steps as they stand now; each row's button carries its step's version"},

		// A person's own entries: the value names the entry, the operator
		// is its author. A leader is not assessed and files none. The
		// second click finds the entry filed; a card drawn before the
		// entry was sent back is old (its author has not read why).
		{kind: card.KindWeekly, done: "success:已提交", again: conflict, action: "entry.submit",
			setup: func(w *kindWorld) kindClick {
				w.clk.Set(time.Date(2026, 7, 7, 10, 0, 0, 0, calendar.DefaultLocation()))
				return kindClick{op: "ou_e1", stranger: "ou_l1", v: card.Value{K: card.KindWeekly, ID: "2026-W28"}, form: weeklyForm, object: "weekly/2026-W28"}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				w.must("submit", w.svc.Submit(w.ctx, "ou_e1", workflow.EntryInput{Kind: workflow.EntryWeekly, Period: "2026-W28",
					Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "起草工作总结", Progress: 50}}, Presence: workflow.PresenceFull}}))
				w.must("return", w.svc.Return(w.ctx, "ou_l1", workflow.EntryKey{Kind: workflow.EntryWeekly, Person: "ou_e1", Period: "2026-W28"}, 1, "进度不实"))
				return c
			}},
		{kind: card.KindDaily, done: "success:已提交", again: conflict, action: "entry.submit",
			setup: func(w *kindWorld) kindClick {
				return kindClick{op: "ou_e1", stranger: "ou_l1", v: card.Value{K: card.KindDaily, ID: "2026-07-01"},
					form: map[string]any{card.FieldLog: "起草半年总结；参加例会"}, object: "daily/2026-07-01"}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				w.must("submit", w.svc.Submit(w.ctx, "ou_e1", workflow.EntryInput{Kind: workflow.EntryDaily, Period: "2026-07-01",
					Body: workflow.EntryBody{Log: "起草半年总结"}}))
				w.must("return", w.svc.Return(w.ctx, "ou_l1", workflow.EntryKey{Kind: workflow.EntryDaily, Person: "ou_e1", Period: "2026-07-01"}, 1, "请写明例会内容"))
				return c
			}},
		{kind: card.KindMonthly, done: "success:已提交", again: conflict, action: "entry.submit",
			setup: func(w *kindWorld) kindClick {
				return kindClick{op: "ou_e1", stranger: "ou_l1", v: card.Value{K: card.KindMonthly, ID: "2026-07"}, form: monthlyForm, object: "monthly/2026-07"}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				w.must("submit", w.svc.Submit(w.ctx, "ou_e1", workflow.EntryInput{Kind: workflow.EntryMonthly, Period: "2026-07",
					Body: workflow.EntryBody{Goals: "完成半年总结", Completion: "已完成"}}))
				w.must("return", w.svc.Return(w.ctx, "ou_l1", workflow.EntryKey{Kind: workflow.EntryMonthly, Person: "ou_e1", Period: "2026-07"}, 1, "目标不具体"))
				return c
			}},
		{kind: card.KindQuarterly, done: "success:已提交", again: conflict, action: "entry.submit",
			setup: func(w *kindWorld) kindClick {
				return kindClick{op: "ou_e1", stranger: "ou_l1", v: card.Value{K: card.KindQuarterly, ID: "2026-Q3"}, form: quarterlyForm, object: "quarterly/2026-Q3"}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				// Sent back by the 初评, which returns the summary to its author.
				w.summary("ou_e1")
				st := w.pending("ou_e1")
				w.must("send back", w.svc.Act(w.ctx, "ou_l1", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActSendBack, Reason: "请补充学习培训情况"}))
				return c
			}},
		{kind: card.KindVote, done: "success:已提交", again: conflict, action: "vote.cast",
			setup: func(w *kindWorld) kindClick {
				return kindClick{op: "ou_e1", stranger: "ou_l1", v: card.Value{K: card.KindVote, ID: "2026-Q3"},
					form: map[string]any{"vote_ou_e2": "90", "vote_ou_e3": "85"}, object: "2026-Q3"}
			},
			noStale: "a vote is cast once: the service refuses a second as already cast, whatever the card showed"},

		// HR's 外部测评 (S1: raters outside Lark) for the period.
		{kind: card.KindOutside, done: "success:外部测评已保存", again: sameAnswer, action: "vote.outside", scheme: "s1",
			setup: func(w *kindWorld) kindClick {
				return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: card.KindOutside, ID: "2026-Q3"},
					form: map[string]any{card.OutsideRatersField("ou_e1"): "10", card.OutsideMeanField("ou_e1"): "90"}, object: "2026-Q3"}
			},
			noStale: "the form states the tallies of the people it lists: the same figures again are not written, and other figures " +
				"from another card are HR's later word, audited"},

		// A step: its assignee decides it; a leader of another unit may
		// not. The second click finds it decided by the clicker, which
		// only they learn (stale); an old card is one the step moved on
		// from (HR handed it to another leader and back).
		{kind: card.KindApprove, done: "success:已通过", again: staleMsg, action: "step.approve",
			setup: func(w *kindWorld) kindClick {
				w.summary("ou_e1")
				st := w.pending("ou_e1")
				return kindClick{op: "ou_l1", stranger: "ou_l2", v: card.Value{K: card.KindApprove, ID: st.ID, V: st.Version}, form: fullS4("12"), object: st.ID}
			},
			stale: handedBack},
		{kind: card.KindReturn, done: "success:已退回", again: staleMsg, action: "step.send_back",
			setup: func(w *kindWorld) kindClick {
				w.summary("ou_e1")
				st := w.pending("ou_e1")
				return kindClick{op: "ou_l1", stranger: "ou_l2", v: card.Value{K: card.KindReturn, ID: st.ID, V: st.Version},
					form: map[string]any{card.FieldReason: "请补充学习培训情况"}, object: st.ID}
			},
			stale: handedBack},
		{kind: card.KindAdjust, done: "success:已调整并通过", again: staleMsg, action: "step.approve",
			setup: func(w *kindWorld) kindClick {
				w.summary("ou_e1")
				st := w.pending("ou_e1")
				w.must("初评", w.svc.Act(w.ctx, "ou_l1", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove, Assessment: assessment("12")}))
				st = w.pending("ou_e1")
				form := fullS4("10")
				form[card.FieldReason] = "工作负荷评分偏高"
				return kindClick{op: "ou_s1", stranger: "ou_l1", v: card.Value{K: card.KindAdjust, ID: st.ID, V: st.Version}, form: form, object: st.ID}
			},
			stale: handedBack},
		{kind: card.KindReassign, done: "success:已转给副局长赵", again: staleMsg, action: "step.reassign",
			setup: func(w *kindWorld) kindClick {
				w.summary("ou_e1")
				st := w.pending("ou_e1")
				return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: card.KindReassign, ID: st.ID, V: st.Version},
					form: map[string]any{card.FieldReassignTo: "ou_s1", card.FieldReassignReason: "科长外出学习"}, object: st.ID}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				// The other HR officer handed it on first.
				w.must("reassign", w.svc.Reassign(w.ctx, "ou_hr2", c.v.ID, c.v.V, "ou_head", "科长外出学习"))
				return c
			}},

		// HR's person card: HR only, checked before the person is read.
		// A card older than the person (another HR officer saved it
		// since) is stale, and so is the second click of a form that
		// changed the person; a week waived is no longer offered (stale);
		// the same attendance saved again is the same success, written
		// once.
		personCase(card.KindPersonStatus, "success:特殊情况已保存", staleMsg, "person.status", "ou_e2", statusForm),
		personCase(card.KindAbsence, "success:请假已登记", staleMsg, "person.absence", "ou_e2",
			map[string]any{card.FieldLeaveKind: "病假", card.FieldLeaveStart: "2026-07-06", card.FieldLeaveEnd: "2026-07-07"}),
		personCase(card.KindAttendance, "success:2026年7月考勤已登记", sameAnswer, "attendance.set", "ou_e2/2026-07",
			map[string]any{card.FieldAttMonth: "2026-07", card.FieldAttLate: "1"}),
		personCase(card.KindWaive, "success:2026年第28周周记实已免填", staleMsg, "entry.waive", "ou_e2/2026-W28",
			map[string]any{card.FieldWaiveWeek: "2026-W28", card.FieldWaiveReason: "出差"}),
		personCase(card.KindSecond, "success:考核单位已改为业务科", staleMsg, "person.second", "ou_e2",
			map[string]any{card.FieldSecondUnit: "u2", card.FieldSecondReason: "借调"}),
		personCase(card.KindPersonLeft, "success:周二已离开本单位，待审核事项已转交", staleMsg, "person.leave", "ou_e2",
			map[string]any{card.FieldLeftConfirm: card.LeftConfirmed, card.FieldLeftReason: "辞职"}),
		personCase(card.KindVoteGroups, "success:参加民主测评（不被测评）：业务科", staleMsg, "person.vote_groups", "ou_e2",
			map[string]any{card.FieldVoteGroups: []any{"u2"}}),

		// A 月小结 the leader 点评s or sends back: its unit's leader only.
		// Either bumps the entry, so the second click and a card from
		// before the other one are stale.
		{kind: card.KindEntryComment, done: "success:已点评", again: staleMsg, action: "entry.comment",
			setup: monthlyToReview(card.KindEntryComment),
			stale: func(w *kindWorld, c kindClick) kindClick {
				w.must("return", w.svc.Return(w.ctx, "ou_l1", workflow.EntryKey{Kind: workflow.EntryMonthly, Person: "ou_e1", Period: "2026-07"}, c.v.V, "目标不具体"))
				return c
			}},
		{kind: card.KindEntryReturn, done: "success:已退回", again: staleMsg, action: "entry.return",
			setup: monthlyToReview(card.KindEntryReturn),
			stale: func(w *kindWorld, c kindClick) kindClick {
				w.must("comment", w.svc.Comment(w.ctx, "ou_l1", workflow.EntryKey{Kind: workflow.EntryMonthly, Person: "ou_e1", Period: "2026-07"}, c.v.V, "很好"))
				return c
			}},

		// A delegation: its giver or HR ends it early. Once it has ended
		// (here HR ended it first) a click is stale; it carries no
		// version because a delegation only ever ends.
		{kind: card.KindEndDelegation, done: "success:已提前结束", again: staleMsg, action: "delegation.end",
			refused: "error:您无权办理此事项：只有委托人或政工科可以提前结束委托",
			setup: func(w *kindWorld) kindClick {
				now := w.clk.Now()
				w.must("delegate", w.svc.Delegate(w.ctx, "ou_l1", "ou_s1", now, now.Add(7*24*time.Hour), "外出培训"))
				ds, err := w.svc.Delegations(w.ctx, "ou_l1")
				w.must("delegations", err)
				return kindClick{op: "ou_l1", stranger: "ou_l2", v: card.Value{K: card.KindEndDelegation, ID: ds[0].ID}, object: ds[0].ID}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				w.must("end", w.svc.EndDelegation(w.ctx, "ou_hr", c.v.ID, "培训取消"))
				return c
			}},

		// HR's cycle buttons.
		{kind: card.KindOpenPeriod, done: "success:已开启", again: conflict, action: "period.open",
			setup: func(w *kindWorld) kindClick {
				return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: card.KindOpenPeriod, ID: "2026-Q4"}, object: "2026-Q4"}
			},
			noStale: "a period is opened once: the service refuses a second as already open"},
		{kind: card.KindChase, done: "success:已向4人发送催办提醒", again: "info:没有需要催办的人员（今天已催办过的不再重复）", action: "reminder.chase",
			acted: chases,
			setup: func(w *kindWorld) kindClick {
				// Tuesday 14 July: everyone owes W28 (due Sunday).
				w.clk.Set(time.Date(2026, 7, 14, 10, 0, 0, 0, calendar.DefaultLocation()))
				return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: card.KindChase}, object: "overdue"}
			},
			noStale: "it reminds whoever is overdue now; one chase per person, item and day"},

		// The period's end: HR closes it, the committee confirms (deciding
		// ties), HR records 备案 and composes the year. A card from before
		// another member's or officer's act is stale, and so is the second
		// click: the period moved on.
		{kind: card.KindClosePeriod, done: "success:已结束并提交考核委员会审定", again: staleMsg, action: "period.close",
			setup: func(w *kindWorld) kindClick {
				w.appraise(95, 85, 70, 85)
				return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: card.KindClosePeriod, ID: "2026-Q3", V: w.period("2026-Q3").Version}, object: "2026-Q3"}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				w.must("close", w.svc.CloseAppraisal(w.ctx, "ou_hr2", "2026-Q3"))
				return c
			}},
		{kind: card.KindConfirm, done: "success:已确认等次", again: staleMsg, action: "committee.confirm",
			setup: func(w *kindWorld) kindClick {
				w.committee(95, 85, 70, 85)
				return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: card.KindConfirm, ID: "2026-Q3", V: w.period("2026-Q3").Version}, object: "2026-Q3"}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				w.must("confirm", w.svc.ConfirmResults(w.ctx, "ou_head", "2026-Q3"))
				return c
			}},
		{kind: card.KindDecide, done: "success:已确认等次", again: staleMsg, action: "committee.confirm",
			setup: func(w *kindWorld) kindClick {
				// 孙一 and 周二 tie for 办公室's one 好.
				w.committee(95, 95, 70, 85)
				return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: card.KindDecide, ID: "2026-Q3", V: w.period("2026-Q3").Version},
					form: map[string]any{card.GradeField("ou_e1"): "好", card.DecisionReasonField("ou_e1"): "承担防汛任务",
						card.GradeField("ou_e2"): "较好", card.DecisionReasonField("ou_e2"): "名额所限"}, object: "2026-Q3"}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				w.must("decide", w.svc.CommitteeDecideAll(w.ctx, "ou_head", "2026-Q3", []scoring.Decision{
					{Person: "ou_e1", Grade: "较好", Reason: "名额所限"}, {Person: "ou_e2", Grade: "好", Reason: "承担防汛任务"}}))
				return c
			}},
		{kind: card.KindFiled, again: "error:2026年第三季度考核结果已于2026-08-17备案", done: "success:已记录报送", action: "period.filed",
			setup: func(w *kindWorld) kindClick {
				w.published()
				// 公示 and the 复核 window over, the period closes.
				w.clk.Set(time.Date(2026, 8, 17, 10, 0, 0, 0, calendar.DefaultLocation()))
				_, err := w.svc.Tick(w.ctx)
				w.must("tick", err)
				if st := w.period("2026-Q3").State; st != workflow.PeriodClosed {
					w.t.Fatalf("2026-Q3 is %s, want closed", st)
				}
				return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: card.KindFiled, ID: "2026-Q3"}, object: "2026-Q3"}
			},
			noStale: "its one button (the 备案 reminder's) carries no version: 备案 is recorded once, and a second answers when it was"},
		{kind: card.KindComposeYear, done: "success:已生成", again: sameAnswer, action: "year.compose",
			acted: committeeAsked,
			setup: func(w *kindWorld) kindClick {
				w.published()
				return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: card.KindComposeYear, ID: "2026"}, object: "2026"}
			},
			noStale: "composing again is the design (委员会确认前可重新生成): the second click composes the same drafts and asks the committee " +
				"nothing twice, which is the act counted"},
		// The year-end ratings (S9's 优秀票): HR opens the round from the 年度
		// card; a rater submits their card once.
		{kind: card.KindYearRatingsOpen, done: "success:已发起", again: conflict, action: "year.ratings_open", scheme: "s9",
			setup: func(w *kindWorld) kindClick {
				return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: card.KindYearRatingsOpen, ID: "2026"},
					form: map[string]any{card.YearDueField: "2026-07-10 +0800"}, object: "2026"}
			},
			noStale: "a round is opened once: the service refuses a second as opened already, whatever the card showed"},
		{kind: card.KindYearRate, done: "success:已提交", again: conflict, action: "year.rate", scheme: "s9",
			setup: func(w *kindWorld) kindClick {
				w.must("open the round", w.svc.OpenYearRatings(w.ctx, "ou_hr", 2026, calendar.NewDate(2026, time.July, 10)))
				return kindClick{op: "ou_e1", stranger: "ou_l1", v: card.Value{K: card.KindYearRate, ID: "2026"},
					form: map[string]any{card.YearRateField("excellent", "ou_e2"): "1", card.YearRateField("excellent", "ou_e3"): "0"}, object: "2026"}
			},
			noStale: "a rater rates once: the service refuses a second rating as already given, whatever the card showed"},
		// HR's 年度评分 (S5's other 40%): the form states the scores of the
		// people it lists.
		{kind: card.KindYearAnnual, done: "success:年度评分已保存", again: sameAnswer, action: "year.annual_score", scheme: "s5",
			setup: func(w *kindWorld) kindClick {
				return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: card.KindYearAnnual, ID: "2026"},
					form: map[string]any{card.AnnualField("ou_e1"): "88.5"}, object: "2026"}
			},
			noStale: "the form states the scores of the people it lists: the same figures again are not written, other figures " +
				"from another card are HR's later word, audited, and once the committee confirmed the year the service refuses any"},
		// The committee confirms the year HR composed.
		{kind: card.KindYearConfirm, done: "success:已确认", again: staleMsg, action: "year.confirm",
			setup: func(w *kindWorld) kindClick {
				w.published()
				_, err := w.svc.ComposeYear(w.ctx, "ou_hr", "2026", workflow.YearSpec{})
				w.must("compose", err)
				return kindClick{op: "ou_head", stranger: "ou_l1", v: card.Value{K: card.KindYearConfirm, ID: "2026", V: w.period("2026").Version},
					form: map[string]any{}, object: "2026"}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				_, err := w.svc.ComposeYear(w.ctx, "ou_hr", "2026", workflow.YearSpec{}) // HR composes again meanwhile
				w.must("compose again", err)
				return c
			}},

		// After 公示: a person asks for 复核 from their result card; HR
		// forwards or answers it, the committee decides it.
		{kind: card.KindReview, done: "success:已提交", again: conflict, action: "review.request",
			setup: func(w *kindWorld) kindClick {
				w.published()
				return kindClick{op: "ou_e3", stranger: "ou_l1", v: card.Value{K: card.KindReview, ID: "2026-Q3", V: w.result("ou_e3").Version},
					form: map[string]any{card.FieldReviewReason: "防汛加分未计入"}, object: "2026-Q3/ou_e3"}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				// The leader's 反馈 reached the result since the card was drawn.
				w.must("feedback", w.svc.RecordFeedback(w.ctx, "ou_l1", "2026-Q3", "ou_e3", workflow.Feedback{Strengths: "工作踏实"}))
				return c
			}},
		reviewCase(card.KindReviewForward, "success:已转考核委员会审议"),
		reviewCase(card.KindReviewReject, "success:已答复不予受理"),
		{kind: card.KindReviewDecide, done: "success:已作出复核决定", again: staleMsg, action: "review.decide",
			setup: func(w *kindWorld) kindClick {
				w.published()
				w.must("request", w.svc.RequestReview(w.ctx, "ou_e3", "2026-Q3", "防汛加分未计入"))
				w.must("forward", w.svc.HandleReview(w.ctx, "ou_hr2", "2026-Q3/ou_e3", 1, true, "材料属实"))
				rv := w.review("2026-Q3/ou_e3")
				return kindClick{op: "ou_head", stranger: "ou_hr2", v: card.Value{K: card.KindReviewDecide, ID: rv.ID, V: rv.Version},
					form: map[string]any{card.FieldReviewGrade: "较好", card.FieldReviewDecision: "补计防汛加分"}, object: rv.ID}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				w.must("decide", w.svc.DecideReviewDisplacing(w.ctx, "ou_hr", c.v.ID, c.v.V, "一般", "加分材料不足", ""))
				return c
			}},
		{kind: card.KindFeedback, done: "success:已向孙一发送反馈", again: sameAnswer, action: "result.feedback",
			setup: func(w *kindWorld) kindClick {
				w.published()
				return kindClick{op: "ou_l1", stranger: "ou_e2", v: card.Value{K: card.KindFeedback, ID: "2026-Q3"},
					form: map[string]any{card.FieldFeedbackPerson: "ou_e1", card.FieldFeedbackStrengths: "完成防汛任务"}, object: "2026-Q3/ou_e1"}
			},
			noStale: "the card lists the people whose 反馈 is the leader's, each chosen in the form; the same 反馈 again is the same success, sent once"},
		{kind: card.KindTalk, done: "success:已记录", again: conflict, action: "talk.record",
			setup: func(w *kindWorld) kindClick {
				w.published() // 吴三 一般: S4 asks for a 谈话
				return kindClick{op: "ou_l1", stranger: "ou_l2", v: card.Value{K: card.KindTalk, ID: card.TalkID("2026-Q3", "ou_e3")},
					form: map[string]any{card.FieldTalkNote: "指出材料报送不及时"}, object: "2026-Q3/ou_e3"}
			},
			noStale: "a talk is recorded once: the service refuses a second as recorded"},

		// Annual targets.
		{kind: card.KindTargetsPropose, done: "success:已提交1项年度目标，请等待科室负责人审核", again: staleMsg, action: "target.propose",
			setup: func(w *kindWorld) kindClick {
				return kindClick{op: "ou_e1", stranger: "ou_l1", v: card.Value{K: card.KindTargetsPropose, ID: "2026"}, form: targetForm, object: "ou_e1"}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				// Proposed from another card since (the count on this one is behind).
				w.must("propose", w.svc.ProposeTargets(w.ctx, "ou_e1", 2026, []workflow.TargetInput{{Title: "编写信息简报", Deadline: calendar.MustParseDate("2026-12-31")}}))
				return c
			}},
		{kind: card.KindTargetConfirm, done: "success:已通过", again: staleMsg, action: "target.review",
			refused: "error:您无权办理此事项",
			setup: func(w *kindWorld) kindClick {
				proposeTarget(w)
				t := w.targets("ou_e1")[0]
				return kindClick{op: "ou_l1", stranger: "ou_l2", v: card.Value{K: card.KindTargetConfirm, ID: t.ID, V: t.Version}, object: t.ID}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				// Confirmed from another card (the 待办 list's) since.
				w.must("confirm", w.svc.ConfirmTarget(w.ctx, "ou_l1", c.v.ID, c.v.V))
				return c
			}},
		{kind: card.KindTargetsConfirmAll, done: "success:已通过1项", again: staleMsg, action: "target.review",
			refused: targetsRefused,
			setup: func(w *kindWorld) kindClick {
				proposeTarget(w)
				return kindClick{op: "ou_l1", stranger: "ou_l2", v: card.Value{K: card.KindTargetsConfirmAll, ID: card.TargetsID(2026, "ou_e1"), V: 1},
					object: w.targets("ou_e1")[0].ID}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				// A second target proposed since: the card lists one.
				w.must("propose", w.svc.ProposeTargets(w.ctx, "ou_e1", 2026, []workflow.TargetInput{{Title: "编写信息简报", Deadline: calendar.MustParseDate("2026-12-31")}}))
				return c
			}},
		{kind: card.KindTargetReturn, done: "success:已退回，本人修改后将重新审核", again: staleMsg, action: "target.return",
			refused: targetsRefused,
			setup: func(w *kindWorld) kindClick {
				proposeTarget(w)
				t := w.targets("ou_e1")[0]
				return kindClick{op: "ou_l1", stranger: "ou_l2", v: card.Value{K: card.KindTargetReturn, ID: t.ID, V: t.Version},
					form: map[string]any{card.FieldTargetReason: "写明报告的报送对象"}, object: t.ID}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				// Passed from the 认定 card since.
				w.must("review", w.svc.ConfirmTarget(w.ctx, "ou_l1", c.v.ID, c.v.V))
				return c
			}},
		{kind: card.KindTargetRevise, done: "success:已重新提交，请等待科室负责人审核", again: staleMsg, action: "target.revise",
			setup: func(w *kindWorld) kindClick {
				proposeTarget(w)
				t := w.targets("ou_e1")[0]
				w.must("return", w.svc.ReturnTarget(w.ctx, "ou_l1", t.ID, t.Version, "写明报告的报送对象"))
				t = w.targets("ou_e1")[0]
				return kindClick{op: "ou_e1", stranger: "ou_e2", v: card.Value{K: card.KindTargetRevise, ID: t.ID, V: t.Version}, form: targetForm, object: t.ID}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				// Revised from another copy of the card, and sent back again.
				w.must("revise", w.svc.ReviseTarget(w.ctx, "ou_e1", c.v.ID, c.v.V, workflow.TargetInput{Title: "起草年度工作报告（报局党组）",
					Deadline: calendar.MustParseDate("2026-12-20")}))
				w.must("return", w.svc.ReturnTarget(w.ctx, "ou_l1", c.v.ID, c.v.V+1, "再写明份数"))
				return c
			}},
		{kind: card.KindTargetExceed, done: "success:已标记超额完成", again: staleMsg, action: "target.exceed",
			refused: targetsRefused,
			setup: func(w *kindWorld) kindClick {
				proposeTarget(w)
				t := w.targets("ou_e1")[0]
				w.must("review", w.svc.ConfirmTarget(w.ctx, "ou_l1", t.ID, t.Version))
				w.must("approve", w.svc.ConfirmTarget(w.ctx, "ou_s1", t.ID, t.Version+1))
				w.must("weekly", w.svc.Submit(w.ctx, "ou_e1", workflow.EntryInput{Kind: workflow.EntryWeekly, Period: "2026-W27",
					Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: t.Title, Progress: 100, Target: t.ID}}}}))
				t = w.targets("ou_e1")[0]
				return kindClick{op: "ou_s1", stranger: "ou_l2", v: card.Value{K: card.KindTargetExceed, ID: t.ID, V: t.Version}, object: t.ID}
			},
			stale: func(w *kindWorld, c kindClick) kindClick {
				// Marked and cleared again from another card since.
				w.must("mark", w.svc.MarkTargetExceeded(w.ctx, "ou_s1", c.v.ID, c.v.V, true))
				w.must("clear", w.svc.MarkTargetExceeded(w.ctx, "ou_s1", c.v.ID, c.v.V+1, false))
				return c
			}},
	}
}

// targetsRefused is the answer to someone outside a person's targets.
const targetsRefused = "error:您无权办理此事项：只有本人、其审核或审定领导（或受托人）和政工科可以查看年度目标"

// handedBack makes a step card old without deciding the step: HR hands
// the step to 局长 and back, so it is pending for the same leader again
// under a newer version.
func handedBack(w *kindWorld, c kindClick) kindClick {
	w.t.Helper()
	st := w.pending("ou_e1")
	w.must("hand over", w.svc.Reassign(w.ctx, "ou_hr", st.ID, st.Version, "ou_head", "临时出差"))
	st = w.pending("ou_e1")
	w.must("hand back", w.svc.Reassign(w.ctx, "ou_hr", st.ID, st.Version, c.op, "出差结束"))
	return c
}

// personCase is a case of HR's person card about 周二, on Monday 20 July
// (July's attendance offered, W28 owed).
func personCase(kind, done, again, action, object string, form map[string]any) kindCase {
	return kindCase{kind: kind, done: done, again: again, action: action,
		setup: func(w *kindWorld) kindClick {
			w.clk.Set(time.Date(2026, 7, 20, 10, 0, 0, 0, calendar.DefaultLocation()))
			return kindClick{op: "ou_hr", stranger: "ou_l1", v: card.Value{K: kind, ID: "ou_e2", V: w.person("ou_e2").Version}, form: form, object: object}
		},
		stale: func(w *kindWorld, c kindClick) kindClick {
			// The other HR officer saved the person since.
			w.must("status", w.svc.SetStatus(w.ctx, "ou_hr2", "ou_e2", workflow.PersonStatus{Exempt: true, Reason: "长期病休"}))
			return c
		}}
}

// monthlyToReview is 孙一's July 月小结, filed, on its leader's 点评 card.
func monthlyToReview(kind string) func(w *kindWorld) kindClick {
	return func(w *kindWorld) kindClick {
		w.must("monthly", w.svc.Submit(w.ctx, "ou_e1", workflow.EntryInput{Kind: workflow.EntryMonthly, Period: "2026-07",
			Body: workflow.EntryBody{Goals: "完成半年总结", Completion: "已完成"}}))
		id := card.EntryID(workflow.EntryMonthly, "ou_e1", "2026-07")
		return kindClick{op: "ou_l1", stranger: "ou_l2", v: card.Value{K: kind, ID: id, V: w.entry(workflow.EntryMonthly, "ou_e1", "2026-07").Version},
			form: map[string]any{card.FieldRemark: "目标明确，完成较好"}, object: id}
	}
}

var targetForm = map[string]any{card.TargetField(1, card.PartTitle): "起草年度工作报告", card.TargetField(1, card.PartDeadline): "2026-12-20 +0800",
	card.TargetField(1, card.PartRole): card.RoleLead}

// proposeTarget is 孙一's one draft target for 2026.
func proposeTarget(w *kindWorld) {
	w.t.Helper()
	w.must("propose", w.svc.ProposeTargets(w.ctx, "ou_e1", 2026, []workflow.TargetInput{{Title: "起草年度工作报告", Deadline: calendar.MustParseDate("2026-12-20")}}))
}

// chases counts the 催办 that reminded someone: the service audits every
// press, also one that found nobody left to remind.
func chases(w *kindWorld, _ kindClick) int {
	w.t.Helper()
	n := 0
	w.must("audit", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		n = 0
		rows, err := tx.Audit(w.ctx, 0, 0)
		for _, r := range rows {
			if r.Action == "reminder.chase" && !r.Denied && !strings.Contains(r.Detail, "chased 0 ") {
				n++
			}
		}
		return err
	}))
	return n
}

// reviewCase is HR handling 吴三's 复核 request; 局长 is on the committee,
// not HR, and may not. The other HR officer handling it first makes the
// card old.
func reviewCase(kind, done string) kindCase {
	return kindCase{kind: kind, done: done, again: staleMsg, action: "review.handle",
		setup: func(w *kindWorld) kindClick {
			w.published()
			w.must("request", w.svc.RequestReview(w.ctx, "ou_e3", "2026-Q3", "防汛加分未计入"))
			rv := w.review("2026-Q3/ou_e3")
			return kindClick{op: "ou_hr", stranger: "ou_head", v: card.Value{K: kind, ID: rv.ID, V: rv.Version},
				form: map[string]any{card.FieldReviewOpinion: "材料属实"}, object: rv.ID}
		},
		stale: func(w *kindWorld, c kindClick) kindClick {
			w.must("handle", w.svc.HandleReview(w.ctx, "ou_hr2", c.v.ID, c.v.V, false, "已核实"))
			return c
		}}
}

// committeeAsked counts the committee's requests to confirm the year that
// 局长王 got: a composition asks each member once.
func committeeAsked(w *kindWorld, _ kindClick) int {
	w.t.Helper()
	n := 0
	w.must("outbox", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		n = 0
		ns, err := tx.Outbox(w.ctx, "", 0, 0)
		for _, x := range ns {
			if x.Template == workflow.TplYearCommittee && x.To == "ou_head" {
				n++
			}
		}
		return err
	}))
	return n
}

// TestChaseCountsPeople: HR's 催办 toast counts the people reminded, not
// the reminders: on Tuesday 21 July each of the four owes W27, W28 and
// W29, so twelve reminders go to four people.
func TestChaseCountsPeople(t *testing.T) {
	t.Parallel()
	w := newKindWorld(t)
	w.clk.Set(time.Date(2026, 7, 21, 10, 0, 0, 0, calendar.DefaultLocation()))
	r := w.click("chase", "ou_hr", card.Value{K: card.KindChase}, nil)
	if got := toastOf(r); got != "success:已向4人发送催办提醒" {
		t.Errorf("催办: %q, want 已向4人发送催办提醒", got)
	}
	to := map[string]int{}
	w.must("outbox", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		ns, err := tx.Outbox(w.ctx, "", 0, 0)
		for _, n := range ns {
			if n.Template == workflow.TplRemind && n.Data["stage"] == "chase" {
				to[n.To]++
			}
		}
		return err
	}))
	if len(to) != 4 || to["ou_e1"] != 3 {
		t.Errorf("reminders by person %v, want three to each of four", to)
	}
}
