package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode"

	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// The fuzz targets of this file drive the callback handling behind the
// webhook guard (docs/reliability.md G10): what the SDK hands OnCardAction
// and OnMessage once a request has passed the signature, time and nonce
// checks. The bot, its service and its clock are built once per target; the
// store is swapped for a fresh one with the same organisation before each
// input, so that an input's outcome never depends on the inputs before it
// and a reproducer in testdata/fuzz fails on its own.

// fuzzPeople are the organisation of every input; an operator byte picks
// one of them, someone unknown, or no one.
var fuzzPeople = []workflow.Person{
	{ID: "ou_hr", Name: "李政工", HR: true, Committee: true},
	{ID: "ou_head", Name: "王局长", Committee: true},
	{ID: "ou_s1", Name: "赵副局长"},
	{ID: "ou_l1", Name: "钱科长", Unit: "u1"},
	{ID: "ou_e1", Name: "孙一", Unit: "u1", Group: "u1", Assessed: true},
	{ID: "ou_e2", Name: "周二", Unit: "u1", Group: "u1", Assessed: true},
	{ID: "ou_e3", Name: "吴三", Unit: "u1", Group: "u1", Assessed: true},
}

func fuzzOperator(who uint8) string {
	switch n := int(who) % (len(fuzzPeople) + 2); n {
	case len(fuzzPeople):
		return "ou_stranger"
	case len(fuzzPeople) + 1:
		return ""
	default:
		return fuzzPeople[n].ID
	}
}

// swapStore is the store the bot is built with; reset gives it a fresh
// memory store with the fuzz organisation and 2026-Q4 open.
type swapStore struct{ cur *memory.Store }

var _ workflow.Store = (*swapStore)(nil)

func (s *swapStore) InTx(ctx context.Context, fn func(tx workflow.Tx) error) error {
	return s.cur.InTx(ctx, fn)
}

type fuzzBot struct {
	ctx   context.Context
	store *swapStore
	svc   *workflow.Service
	bot   *bot.Bot
}

func newFuzzBot(f *testing.F) *fuzzBot {
	f.Helper()
	sc, err := scoring.Builtin("s4")
	if err != nil {
		f.Fatal(err)
	}
	cal := calendar.Default()
	clk := clock.NewFake(time.Date(2026, 11, 10, 9, 0, 0, 0, calendar.DefaultLocation()))
	fb := &fuzzBot{ctx: context.Background(), store: &swapStore{}}
	fb.svc, err = workflow.New(workflow.Config{Store: fb.store, Clock: clk, Calendar: cal, Scheme: sc})
	if err != nil {
		f.Fatal(err)
	}
	fb.bot, err = bot.New(bot.Config{Service: fb.svc, Store: fb.store, Calendar: cal, Clock: clk,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	return fb
}

func (fb *fuzzBot) reset(t *testing.T) {
	t.Helper()
	fb.store.cur = memory.New()
	units := []workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_s1"}}
	st := workflow.Settings{Name: "XX局", Head: "ou_head", PublicChats: []string{"oc_public"}}
	if err := fb.svc.Setup(fb.ctx, "ou_hr", st, units, fuzzPeople); err != nil {
		t.Fatal(err)
	}
	if _, err := fb.svc.OpenPeriod(fb.ctx, "ou_hr", "2026-Q4"); err != nil {
		t.Fatal(err)
	}
}

// writes reads the audit log and the queued messages: a refused click or
// command leaves both as they were, but for its answer and the one audit
// row of a denial (every ErrForbidden is audited, docs/reliability.md).
func (fb *fuzzBot) writes(t *testing.T) (audit []workflow.AuditEntry, outbox []workflow.Notification) {
	t.Helper()
	err := fb.store.InTx(fb.ctx, func(tx workflow.Tx) error {
		var err error
		if audit, err = tx.Audit(fb.ctx, 0, 0); err != nil {
			return err
		}
		outbox, err = tx.Outbox(fb.ctx, "", 0, 0)
		return err
	})
	if err != nil {
		t.Fatalf("read store: %v", err)
	}
	return audit, outbox
}

// checkRefusalWrites fails unless the audit rows after beyond before are
// at most one denial.
func checkRefusalWrites(t *testing.T, what string, before, after []workflow.AuditEntry) {
	t.Helper()
	added := after[len(before):]
	if len(added) > 1 || len(added) == 1 && !added[0].Denied {
		t.Fatalf("%s wrote audit rows %+v", what, added)
	}
}

// jsonObject decodes data as Lark does a card's value or form_value; what
// is not an object is absent.
func jsonObject(data []byte) map[string]any {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	return m
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// busy is the answer to an error the edge does not know: with a memory
// store nothing fails for infrastructure reasons, so from a click or a
// command it is a bug (an unmapped error), not a refusal.
var busy = workflow.Message(errors.New("unknown"))

// checkReply fails unless r is an answer Lark can show: a toast of a known
// type with text, a raw card of valid JSON, or both; a refusal is an error
// toast in Chinese without a card.
func checkReply(t *testing.T, r *callback.CardActionTriggerResponse) (refused bool) {
	t.Helper()
	if r == nil || (r.Toast == nil && r.Card == nil) {
		t.Fatalf("empty answer %+v", r)
	}
	if r.Toast != nil {
		switch r.Toast.Type {
		case "success", "info", "warning", "error":
		default:
			t.Fatalf("toast type %q", r.Toast.Type)
		}
		if r.Toast.Content == "" {
			t.Fatal("toast without text")
		}
		refused = r.Toast.Type == "error"
		if refused && (!hasHan(r.Toast.Content) || r.Card != nil) {
			t.Fatalf("refusal %q is not Chinese or comes with a card", r.Toast.Content)
		}
		if r.Toast.Content == busy {
			t.Fatalf("click answered %q: an error the edge does not map", busy)
		}
	}
	if r.Card != nil {
		// A first answer holds the rendered json.RawMessage, a stored one
		// the decoded object; the SDK encodes either.
		data, err := json.Marshal(r.Card.Data)
		if r.Card.Type != "raw" || err != nil || len(data) == 0 || data[0] != '{' {
			t.Fatalf("card %s %T is not a raw JSON object (%v)", r.Card.Type, r.Card.Data, err)
		}
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("answer does not encode: %v", err)
	}
	return refused
}

// canonical is r's JSON with object keys sorted, so that a first answer
// and the stored one compare equal when they say the same.
func canonical(t *testing.T, r *callback.CardActionTriggerResponse) string {
	t.Helper()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// FuzzOnCardAction clicks arbitrary card values with arbitrary form values
// as one of the organisation (or a stranger, or no one). Every click gets a
// showable answer; a refused one writes nothing; a repeated delivery of the
// same event gets the same answer and writes nothing more.
func FuzzOnCardAction(f *testing.F) {
	const (
		hr, e1, l1 = 0, 4, 3
	)
	for _, s := range []struct {
		who         uint8
		value, form string
		event       string
		shape       uint8
	}{
		{e1, `{"k":"open","id":"weekly/2026-W46","v":0}`, `null`, "ev1", 0},
		{e1, `{"k":"weekly","id":"2026-W46","v":0}`, `{"task1_title":"起草报告","task1_deadline":"2026-11-20 +0800","task1_progress":"50","attendance":"full"}`, "ev2", 0},
		{e1, `{"k":"monthly","id":"2026-11","v":0}`, `{"goals":"目标","completion":"完成"}`, "ev3", 0},
		{e1, `{"k":"quarterly","id":"2026-Q4","v":0}`, `{"summary":"小结","training":"培训"}`, "", 0},
		{e1, `{"k":"vote","id":"2026-Q4","v":0}`, `{"vote_ou_e2":"90","vote_ou_e3":"85.5"}`, "ev5", 0},
		{e1, `{"k":"open","id":"vote/2026-Q4","v":0}`, `{}`, "ev6", 0},
		{e1, `{"k":"todo","id":"","v":0}`, `{}`, "ev7", 0},
		{e1, `{"k":"review","id":"2026-Q4","v":0}`, `{"review_reason":"加分未计入"}`, "ev8", 0},
		{l1, `{"k":"approve","id":"2026-Q4/ou_e1/1","v":1}`, `{"ind_x":"5"}`, "ev9", 0},
		{l1, `{"k":"return","id":"2026-Q4/ou_e1/1","v":1}`, `{"reason":"不符合"}`, "ev10", 0},
		{hr, `{"k":"decide","id":"2026-Q4","v":1}`, `{"grade_ou_e1":"好"}`, "ev11", 0},
		{hr, `{"k":"open","id":"committee/2026-Q4","v":0}`, `{}`, "ev12", 0},
		{7, `{"k":"weekly","id":"2026-W46","v":0}`, `{"task1_title":"x","task1_progress":"1","attendance":"full"}`, "ev13", 0},
		{8, `{"k":"todo","id":"","v":0}`, `{}`, "ev14", 0},
		{e1, `{"k":"open","id":"weekly/2026-W46","v":1e20}`, `[]`, "ev15", 0},
		{e1, `{"k":"todo","id":"","v":0}`, `{}`, "ev16", 0xff},
		{e1, `{"k":"targets_propose","id":"2026","v":0}`, `{"target1_title":"起草报告","target1_deadline":"2026-11-20 +0800","target1_role":"lead"}`, "ev17", 0},
		{l1, `{"k":"open","id":"targets/2026/ou_e1","v":0}`, `{}`, "ev18", 0},
		{l1, `{"k":"target_confirm","id":"2026/ou_e1/1","v":1}`, `{}`, "ev19", 0},
		{e1, `{"k":"targets_confirm_all","id":"2026/ou_e1","v":1}`, `{}`, "ev20", 0},
	} {
		f.Add(s.who, []byte(s.value), []byte(s.form), s.event, s.shape)
	}
	fb := newFuzzBot(f)
	f.Fuzz(func(t *testing.T, who uint8, value, form []byte, eventID string, shape uint8) {
		fb.reset(t)
		e := &callback.CardActionTriggerEvent{
			EventV2Base: &larkevent.EventV2Base{Header: &larkevent.EventHeader{EventID: eventID, EventType: "card.action.trigger"}},
			Event: &callback.CardActionTriggerRequest{Operator: &callback.Operator{OpenID: fuzzOperator(who)},
				Action: &callback.CallBackAction{Tag: "button", Value: jsonObject(value), FormValue: jsonObject(form)}},
		}
		// The low bits of shape take parts away, as a malformed body
		// decoded by the SDK would.
		switch shape & 7 {
		case 1:
			e.Event.Operator = nil
		case 2:
			e.Event.Action = nil
		case 3:
			e.EventV2Base.Header = nil
		case 4:
			e.EventV2Base = nil
		case 5:
			e.Event = nil
		}
		audit, outbox := fb.writes(t)
		r, err := fb.bot.OnCardAction(fb.ctx, e)
		if err != nil {
			t.Fatalf("OnCardAction returned %v; the bot answers every click itself", err)
		}
		refused := checkReply(t, r)
		a2, o2 := fb.writes(t)
		if refused {
			checkRefusalWrites(t, "refused click ("+r.Toast.Content+")", audit, a2)
			if len(o2) != len(outbox) {
				t.Fatalf("refused click (%s) queued %d messages", r.Toast.Content, len(o2)-len(outbox))
			}
		}
		if eventID == "" || shape&7 != 0 {
			return
		}
		// Lark re-sends a callback it did not see answered: the same
		// event gets the first answer and changes nothing more.
		again, err := fb.bot.OnCardAction(fb.ctx, e)
		if err != nil {
			t.Fatalf("redelivery: %v", err)
		}
		checkReply(t, again)
		if first, second := canonical(t, r), canonical(t, again); first != second {
			t.Fatalf("redelivery answered %s, first %s", second, first)
		}
		// A refused click's answer is not stored, so its redelivery is
		// refused afresh; its denial is audited once per event, so the
		// redelivery writes nothing at all.
		a3, o3 := fb.writes(t)
		if len(a3) != len(a2) {
			t.Fatalf("redelivery wrote audit rows %+v", a3[len(a2):])
		}
		if len(o3) != len(o2) {
			t.Fatalf("redelivery queued %d messages", len(o3)-len(o2))
		}
	})
}

// FuzzOnMessage sends arbitrary messages to the bot as one of the
// organisation, mentioning one of them (or someone unknown, or no one)
// under an arbitrary key, as 委托 and 人员 take their person. Only a
// private chat's message with a sender and an id is answered, exactly once
// however often it is delivered, with a card of valid JSON; a refused
// command writes nothing but its answer.
func FuzzOnMessage(f *testing.F) {
	const hr, e1, e2 = 0, 4, 5
	for _, s := range []struct {
		who                    uint8
		chat, typ, content, id string
		mentionKey             string
		mentioned              uint8
	}{
		{e1, "p2p", "text", `{"text":"待办"}`, "om_1", "", 0},
		{e1, "p2p", "text", `{"text":"记实"}`, "om_2", "", 0},
		{e1, "p2p", "text", `{"text":"我的考核 2026-Q4"}`, "om_3", "", 0},
		{e1, "p2p", "text", `{"text":"帮助"}`, "om_4", "", 0},
		{hr, "p2p", "text", `{"text":"进度 2026-Q4"}`, "om_5", "", 0},
		{hr, "p2p", "text", `{"text":"公示 2026-Q4"}`, "om_6", "", 0},
		{hr, "p2p", "text", `{"text":"同步通讯录"}`, "om_7", "", 0},
		{e1, "p2p", "text", `{"text":"公示"}`, "om_8", "", 0},
		{hr, "p2p", "text", `{"text":"@_user_1 开启 2026-Q1"}`, "om_9", "@_user_1", hr},
		{7, "p2p", "text", `{"text":"待办"}`, "om_10", "", 0},
		{e1, "group", "text", `{"text":"待办"}`, "om_11", "", 0},
		{e1, "p2p", "image", `{"image_key":"img"}`, "om_12", "", 0},
		{e1, "p2p", "text", `{"text":"\u202e办待"}`, "", "", 0},
		{e1, "p2p", "text", `not json`, "om_14", "", 0},
		{3, "p2p", "text", `{"text":"委托 @_user_1 2026-11-12 2026-11-19 出差"}`, "om_15", "@_user_1", 2},
		{e1, "p2p", "text", `{"text":"委托 @_user_1 2026-11-12 2026-11-19 出差"}`, "om_16", "@_user_1", e2},
		{e1, "p2p", "text", `{"text":"委托 @_user_1 11-12 11-19 出差"}`, "om_17", "@_user_1", e1},
		{hr, "p2p", "text", `{"text":"人员 @_user_1"}`, "om_18", "@_user_1", e2},
		{hr, "p2p", "text", `{"text":"人员 @_user_2"}`, "om_19", "@_user_1", 7},
		{hr, "p2p", "text", `{"text":"委托"}`, "om_20", "@_user_1", 8},
	} {
		f.Add(s.who, s.chat, s.typ, s.content, s.id, s.mentionKey, s.mentioned)
	}
	fb := newFuzzBot(f)
	str := func(s string) *string { return &s }
	f.Fuzz(func(t *testing.T, who uint8, chat, typ, content, msgID, mentionKey string, mentioned uint8) {
		fb.reset(t)
		from := fuzzOperator(who)
		e := &larkim.P2MessageReceiveV1{Event: &larkim.P2MessageReceiveV1Data{
			Sender:  &larkim.EventSender{SenderId: &larkim.UserId{OpenId: str(from)}, SenderType: str("user")},
			Message: &larkim.EventMessage{MessageId: str(msgID), ChatType: str(chat), MessageType: str(typ), Content: str(content)},
		}}
		if mentionKey != "" {
			e.Event.Message.Mentions = []*larkim.MentionEvent{{Key: str(mentionKey), Id: &larkim.UserId{OpenId: str(fuzzOperator(mentioned))}}}
		}
		audit, outbox := fb.writes(t)
		err := fb.bot.OnMessage(fb.ctx, e)
		fb.bot.Wait() // a job the message started (同步通讯录) writes before the checks
		if err != nil {
			t.Fatalf("OnMessage: %v", err)
		}
		a2, o2 := fb.writes(t)
		answered := chat == "p2p" && from != "" && msgID != ""
		if !answered {
			if len(a2) != len(audit) || len(o2) != len(outbox) {
				t.Fatalf("message not for the bot wrote: audit %d → %d, outbox %d → %d", len(audit), len(a2), len(outbox), len(o2))
			}
			return
		}
		var answer *workflow.Notification
		for i := range o2 {
			if o2[i].Key == workflow.DedupeKey("msg", msgID) {
				answer = &o2[i]
			}
		}
		if answer == nil || answer.To != from {
			t.Fatalf("message %s from %s: no answer queued to them (outbox %d → %d)", msgID, from, len(outbox), len(o2))
		}
		c := answer.Data["card"]
		if answer.Template != bot.TplCard || !json.Valid([]byte(c)) || !strings.HasPrefix(c, "{") {
			t.Fatalf("answer %s %q is not a card of valid JSON", answer.Template, c)
		}
		if strings.Contains(c, busy) {
			t.Fatalf("command answered %q: an error the edge does not map", busy)
		}
		if strings.Contains(c, "无法办理") {
			checkRefusalWrites(t, "refused command", audit, a2)
		}
		err = fb.bot.OnMessage(fb.ctx, e)
		fb.bot.Wait() // a job the message started (同步通讯录) writes before the checks
		if err != nil {
			t.Fatalf("redelivery: %v", err)
		}
		if a3, o3 := fb.writes(t); len(a3) != len(a2) || len(o3) != len(o2) {
			t.Fatalf("redelivery wrote: audit %d → %d, outbox %d → %d", len(a2), len(a3), len(o2), len(o3))
		}
	})
}
