package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// talkWorld has 2026-Q1 on file with 吴七 较差 and 2026-Q2 with the
// committee: 周二 (办公室) and 郑四 (业务科) 一般 at 70, 吴七 (执法队) 较差
// again, everyone else 较好. Two HR officers. The half-year talk is on.
func talkWorld(t *testing.T) *world {
	t.Helper()
	loc := calendar.DefaultLocation()
	w := newWorldWith(t, "cli_talk", time.Date(2026, 7, 8, 10, 0, 0, 0, loc), func(c *workflow.Config) { c.HalfYearTalk = true })
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科李", HR: true, Committee: true}, {ID: "ou_hr2", Name: "政工科周", HR: true},
		{ID: "ou_head", Name: "局长王", Committee: true},
		{ID: "ou_s1", Name: "副局长赵"}, {ID: "ou_s2", Name: "副局长钱"},
		{ID: "ou_l1", Name: "科长孙", Unit: "u1"}, {ID: "ou_l2", Name: "科长李", Unit: "u2"}, {ID: "ou_l3", Name: "队长周", Unit: "u3"},
		{ID: "ou_e1", Name: "孙一", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e2", Name: "周二", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e4", Name: "郑四", Unit: "u2", Group: "u2", Assessed: true},
		{ID: "ou_e5", Name: "冯五", Unit: "u2", Group: "u2", Assessed: true},
		{ID: "ou_e6", Name: "吴七", Unit: "u3", Group: "u3", Assessed: true},
		{ID: "ou_e7", Name: "陈八", Unit: "u3", Group: "u3", Assessed: true},
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head"}, []workflow.Unit{
		{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_s1"}, {ID: "u2", Name: "业务科", Leader: "ou_l2", Supervisor: "ou_s1"},
		{ID: "u3", Name: "执法队", Leader: "ou_l3", Supervisor: "ou_s2"}}, people))
	seed := func(id, state string, grade func(string) (string, string)) {
		cp := calendar.MustParsePeriod(id)
		w.must("seed "+id, w.store.InTx(w.ctx, func(tx workflow.Tx) error {
			if err := tx.CreatePeriod(w.ctx, workflow.Period{ID: id, Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(), State: state, Version: 1}); err != nil {
				return err
			}
			for _, p := range people {
				if !p.Assessed {
					continue
				}
				g, sc := grade(p.ID)
				d := scoring.D(sc)
				if err := tx.PutResult(w.ctx, workflow.Result{Period: id, Person: p.ID, Grade: g, Score: &d, State: scoring.StateGraded, Version: 1}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	seed("2026-Q1", workflow.PeriodClosed, func(p string) (string, string) {
		if p == "ou_e6" {
			return "较差", "50"
		}
		return "较好", "80"
	})
	seed("2026-Q2", workflow.PeriodCommittee, func(p string) (string, string) {
		switch p {
		case "ou_e2", "ou_e4":
			return "一般", "70"
		case "ou_e6":
			return "较差", "55"
		}
		return "较好", "80"
	})
	w.must("confirm", w.svc.ConfirmResults(w.ctx, "ou_hr", "2026-Q2"))
	_, err := w.sim.SendText(w.ctx, "ou_hr", "", "公示 2026-Q2")
	w.must("send", err)
	w.deliver()
	return w
}

// TestTalksThroughLark: the half-year 谈心谈话 notice carries a 记录谈话
// button per person, the talk card offers the others of the list, and the
// talk is recorded once; the 诫勉 alert to HR carries 记录诫勉谈话; a
// stranger is refused in Chinese and audited once; an old card answers
// that it was recorded; the same click twice answers the same and records
// once.
func TestTalksThroughLark(t *testing.T) {
	t.Parallel()
	w := talkWorld(t)
	ctx := w.ctx
	talkRows := func() (n int) {
		_ = w.store.InTx(ctx, func(tx workflow.Tx) error {
			es, err := tx.Entries(ctx, workflow.EntryFilter{Kind: workflow.EntryTalk})
			n = len(es)
			return err
		})
		return n
	}

	// 副局长赵's notice: 周二 and 郑四, tied at the bottom of 办公室 and 业务科.
	notice := w.lastCard("ou_s1", "请开展谈心谈话")
	if !strings.Contains(notice.Content, "记录谈话：周二") || !strings.Contains(notice.Content, "记录谈话：郑四") {
		t.Fatalf("half-year notice:\n%s", notice.Content)
	}
	r := w.click(notice.MessageID, "ou_s1", larksim.RowButton([]byte(notice.Content), "记录谈话：周二"), nil)
	if c := string(r.Card); !strings.Contains(c, "谈心谈话：周二") || !strings.Contains(c, "排名靠后") || !strings.Contains(c, "记录：郑四") {
		t.Fatalf("周二's talk card:\n%s", c)
	}
	r = w.click(notice.MessageID, "ou_s1", "submit", map[string]any{card.FieldTalkNote: "7月10日谈心，指出材料报送不及时"})
	if !strings.Contains(string(r.Card), "已记录") {
		t.Fatalf("after recording: %s", r.Card)
	}
	if n := talkRows(); n != 1 {
		t.Errorf("%d talks recorded, want 1", n)
	}

	// A stranger (the other 分管领导) opening or submitting it.
	before := len(w.auditRows())
	open := clickEvent("talk-stranger-open", "ou_s2", card.KindOpen, workflow.Step{}, nil)
	open.Event.Action.Value = map[string]any{"k": card.KindOpen, "id": card.OpenID(card.FormTalk, card.TalkIDFor("2026-Q2", "ou_e4", workflow.TalkHalfYear)), "v": float64(0)}
	resp, _ := w.bot.OnCardAction(ctx, open)
	if got := toastOf(resp); got != "error:"+workflow.Message(workflow.ErrForbidden) {
		t.Errorf("a stranger opening the talk card: %q", got)
	}
	submit := clickEvent("talk-stranger-submit", "ou_s2", card.KindTalk, workflow.Step{}, map[string]any{card.FieldTalkNote: "x"})
	submit.Event.Action.Value = map[string]any{"k": card.KindTalk, "id": card.TalkIDFor("2026-Q2", "ou_e4", workflow.TalkHalfYear), "v": float64(0)}
	resp, _ = w.bot.OnCardAction(ctx, submit)
	if got := toastOf(resp); got != "error:"+workflow.Message(workflow.ErrForbidden) {
		t.Errorf("a stranger recording the talk: %q", got)
	}
	denied := 0
	for _, row := range w.auditRows()[before:] {
		if row.Denied {
			denied++
		}
	}
	if denied != 2 || talkRows() != 1 {
		t.Errorf("two refusals: %d denials audited, %d talks; want 2 and 1", denied, talkRows())
	}

	// The same submission twice (one event id): the same answer, one
	// record; a second event on the recorded talk is told so.
	twice := func(event string) string {
		ev := clickEvent(event, "ou_s1", card.KindTalk, workflow.Step{}, map[string]any{card.FieldTalkNote: "7月11日谈心"})
		ev.Event.Action.Value = map[string]any{"k": card.KindTalk, "id": card.TalkIDFor("2026-Q2", "ou_e4", workflow.TalkHalfYear), "v": float64(0)}
		resp, _ := w.bot.OnCardAction(ctx, ev)
		return toastOf(resp)
	}
	if a, b := twice("talk-twice"), twice("talk-twice"); a != b || !strings.HasPrefix(a, "success:") {
		t.Errorf("double click: %q then %q", a, b)
	}
	if got := twice("talk-again"); got != "error:"+workflow.Message(workflow.ErrConflict) {
		t.Errorf("recording again: %q", got)
	}
	if n := talkRows(); n != 2 {
		t.Errorf("%d talks recorded, want 2", n)
	}

	// The 诫勉 alert: both HR officers open the card; the second submits on
	// a card that is old by then.
	a1, a2 := w.lastCard("ou_hr", "连续较差等次提醒：吴七"), w.lastCard("ou_hr2", "连续较差等次提醒：吴七")
	for _, m := range []struct {
		msg larksim.Message
		who string
	}{{a1, "ou_hr"}, {a2, "ou_hr2"}} {
		r := w.click(m.msg.MessageID, m.who, larksim.RowButton([]byte(m.msg.Content), "记录诫勉谈话"), nil)
		if c := string(r.Card); !strings.Contains(c, "诫勉谈话：吴七") || !strings.Contains(c, "2026年第一季度、2026年第二季度的平时考核均为「较差」等次") {
			t.Fatalf("诫勉 card for %s:\n%s", m.who, c)
		}
	}
	w.click(a1.MessageID, "ou_hr", "submit", map[string]any{card.FieldTalkNote: "7月12日由分管领导诫勉谈话"})
	stale, err := w.sim.ClickButton(ctx, a2.MessageID, "ou_hr2", "submit", map[string]any{card.FieldTalkNote: "重复记录"})
	w.must("click", err)
	if stale.Toast == nil || stale.Toast.Content != workflow.Message(workflow.ErrConflict) {
		t.Errorf("the old 诫勉 card: %+v", stale.Toast)
	}
	if n := talkRows(); n != 3 {
		t.Errorf("%d talks recorded, want 3", n)
	}
	// The card opened again (the alert's button pressed anew) shows the
	// record, read-only.
	reopen := clickEvent("talk-reopen", "ou_hr2", card.KindOpen, workflow.Step{}, nil)
	reopen.Event.Action.Value = map[string]any{"k": card.KindOpen, "id": card.OpenID(card.FormTalk, card.TalkIDFor("2026-Q2", "ou_e6", workflow.TalkBottom)), "v": float64(0)}
	resp, _ = w.bot.OnCardAction(ctx, reopen)
	if c := toJSON(t, resp); !strings.Contains(c, "已记录") || !strings.Contains(c, "7月12日由分管领导诫勉谈话") || strings.Contains(c, `form_action_type`) {
		t.Errorf("the recorded 诫勉谈话:\n%s", c)
	}
}
