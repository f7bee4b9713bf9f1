// Package bot is kaohe's Lark adapter: it turns Lark callbacks and messages
// into workflow calls and workflow notifications into cards. Identity always
// comes from the verified operator of a callback or the sender of a message,
// never from a card's value, which carries only {k, id, v} (docs/reliability.md
// §4). Every outgoing message goes through the outbox and the relay; a
// callback answers within Lark's 3 seconds with a toast and, where the card
// changed, the replacement card, so a card cannot be submitted twice.
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/kaohe/kaohe/bot/textclean"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/larksuite/oapi-sdk-go/v3/core/httpserverext"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/contact"
	"github.com/kaohe/kaohe/bot/event"
	"github.com/kaohe/kaohe/bot/webhook"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Config wires a Bot.
type Config struct {
	Service  *workflow.Service
	Store    workflow.Store
	Calendar *calendar.Calendar
	Clock    clock.Clock
	Log      *slog.Logger
	// VerificationToken and EncryptKey are the app's event settings; the
	// webhook refuses to start without them.
	VerificationToken string
	EncryptKey        string
	// Nonces remembers callback nonces; default in memory.
	Nonces webhook.NonceStore
	// Lark reads the contact directory for 同步通讯录; optional.
	Lark *Lark
	// Contact are HR's rules for 同步通讯录 beyond what Lark says: the
	// mapping of a job title or custom field to a tier. New refuses tiers
	// the scheme does not have.
	Contact contact.Options
	// CallbackBudget bounds the work behind one card callback. Lark shows
	// the user an error if the answer takes over 3 s and never re-sends a
	// callback, so past the budget the transaction is abandoned (rolled
	// back: nothing half-written) and the user is told to retry.
	// Default DefaultCallbackBudget.
	CallbackBudget time.Duration
	// Metrics counts callbacks and messages with their latency; default
	// NopMetrics. The relay has its own (Relay.Metrics).
	Metrics Metrics
}

// DefaultCallbackBudget leaves half a second of Lark's 3 s for the answer
// to travel back.
const DefaultCallbackBudget = 2500 * time.Millisecond

// Bot handles Lark callbacks and messages.
type Bot struct {
	svc   *workflow.Service
	store workflow.Store
	cal   *calendar.Calendar
	clock clock.Clock
	log   *slog.Logger
	cfg   Config
	// events serializes deliveries of the same callback event.
	events keyedLock
	// jobs are work started by an event and finished after its
	// acknowledgement (同步通讯录); Wait waits for them.
	jobs sync.WaitGroup
}

// Wait waits for the jobs events started (a contact sync) to finish, for
// a graceful shutdown and for tests.
func (b *Bot) Wait() { b.jobs.Wait() }

// New checks cfg and returns a Bot.
func New(cfg Config) (*Bot, error) {
	switch {
	case cfg.Service == nil:
		return nil, errors.New("bot: Service is required")
	case cfg.Store == nil:
		return nil, errors.New("bot: Store is required")
	}
	if cfg.Calendar == nil {
		cfg.Calendar = calendar.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.CallbackBudget <= 0 {
		cfg.CallbackBudget = DefaultCallbackBudget
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NopMetrics{}
	}
	// The contact mapping may name the tiers of any scheme the service
	// holds: each person's tier is checked against their own scheme when
	// it is set (SetTier).
	var tiers []string
	for _, id := range cfg.Service.SchemeIDs() {
		tiers = append(tiers, cfg.Service.SchemeByID(id).Tiers...)
	}
	if err := cfg.Contact.Validate(tiers); err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	return &Bot{svc: cfg.Service, store: cfg.Store, cal: cfg.Calendar, clock: cfg.Clock, log: cfg.Log, cfg: cfg}, nil
}

// Dispatcher returns the SDK event dispatcher with the bot's handlers. For
// the long connection pass it to larkws.WithEventHandler (built with empty
// token and key, as the docs require); for the webhook use Handler.
func (b *Bot) Dispatcher(verificationToken, encryptKey string) *dispatcher.EventDispatcher {
	d := dispatcher.NewEventDispatcher(verificationToken, encryptKey)
	// The SDK's own logger writes whole requests to stdout; its lines go
	// through SDKLogger instead.
	d.InitConfig(b.sdkLog()...)
	return d.OnP2CardActionTrigger(b.OnCardAction).OnP2MessageReceiveV1(b.OnMessage)
}

// Handler is the HTTP webhook for events and callbacks: the guard of
// package webhook (size, headers, time window, signature, nonce) in front of
// the SDK's handler. It fails without an encrypt key and token.
func (b *Bot) Handler() (http.Handler, error) {
	inner := http.HandlerFunc(httpserverext.NewEventHandlerFunc(b.Dispatcher(b.cfg.VerificationToken, b.cfg.EncryptKey), b.sdkLog()...))
	return webhook.New(webhook.Config{
		EncryptKey: b.cfg.EncryptKey, VerificationToken: b.cfg.VerificationToken,
		Clock: b.clock, Nonces: b.cfg.Nonces, Logger: b.log,
	}, inner)
}

// sdkLog configures an SDK event part to log through SDKLogger.
func (b *Bot) sdkLog() []larkevent.OptionFunc {
	return []larkevent.OptionFunc{larkevent.WithLogLevel(sdkLogLevel), larkevent.WithLogger(SDKLogger(b.log, "lark-dispatcher"))}
}

type eventKey struct{}

// busyMessage is what workflow.Message says for an error it does not know:
// those are logged as errors with the event id.
var busyMessage = workflow.Message(errors.New("unknown"))

// idem returns ctx carrying the idempotency key of the n-th state change of
// the click being handled.
func idem(ctx context.Context, n int) context.Context {
	id, _ := ctx.Value(eventKey{}).(string)
	if id == "" {
		return ctx
	}
	return workflow.WithIdempotencyKey(ctx, "lark-card", fmt.Sprintf("%s#%d", id, n))
}

// reply builds a callback answer: a toast and optionally the new card.
func reply(typ, msg string, newCard []byte) *callback.CardActionTriggerResponse {
	r := &callback.CardActionTriggerResponse{}
	if msg != "" {
		r.Toast = &callback.Toast{Type: typ, Content: msg}
	}
	if newCard != nil {
		r.Card = &callback.Card{Type: "raw", Data: json.RawMessage(newCard)}
	}
	return r
}

// failure maps an error to the toast the user sees (one place, docs/conventions.md 5);
// unknown errors are logged in full with the event id.
func (b *Bot) failure(eventID, operator string, err error) *callback.CardActionTriggerResponse {
	msg := workflow.Message(err)
	var fe *card.FieldError
	if errors.As(err, &fe) {
		msg = fe.Toast()
	}
	if errors.Is(err, card.ErrBadValue) {
		msg = "卡片内容无效，请重新打开"
	}
	level := slog.LevelInfo
	if msg == busyMessage {
		level = slog.LevelError
	}
	b.log.Log(context.Background(), level, "card action refused", "event_id", eventID, "operator", operator, "err", err)
	return reply("error", msg, nil)
}

// OnCardAction handles card.action.trigger.
//
// Each answer is counted by kind and outcome with its latency
// (Config.Metrics), measured on the wall clock whatever clock the domain
// runs on: Lark's 3 s are real seconds.
func (b *Bot) OnCardAction(ctx context.Context, e *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
	start := time.Now()
	kind, outcome := "invalid", OutcomeRefused
	defer func() { b.cfg.Metrics.Callback(kind, outcome, time.Since(start)) }()
	click, err := event.DecodeClick(e)
	switch {
	case errors.Is(err, event.ErrMalformed):
		return reply("error", "卡片内容无效，请重新打开", nil), nil
	case errors.Is(err, event.ErrNoOperator):
		return reply("error", "无法识别操作人", nil), nil
	}
	op, eventID, v := click.Operator, click.EventID, click.Value
	ctx, cancel := context.WithTimeout(ctx, b.cfg.CallbackBudget)
	defer cancel()
	if err != nil {
		return b.failure(eventID, op, err), nil
	}
	kind = v.K // one of card's known kinds: ParseValue refuses the rest
	// A repeated delivery of the same click gets the stored answer
	// (docs/reliability.md §2). Concurrent deliveries in this process wait for
	// the first; the stored reply covers later ones and other replicas, and
	// each state change the click makes is also keyed by the event id in
	// the workflow's own idempotency records.
	if eventID != "" {
		unlock := b.events.lock(eventID)
		defer unlock()
		if r, ok := b.storedReply(ctx, eventID); ok {
			outcome = OutcomeRepeat
			return r, nil
		}
	}
	ctx = context.WithValue(ctx, eventKey{}, eventID)
	fv := click.Form
	resp, err := b.act(ctx, op, v, fv)
	if err != nil {
		outcome = outcomeOf(err)
		b.auditRefusal(ctx, op, "card."+v.K, v.ID, err)
		r := b.failure(eventID, op, err)
		// A refusal is an answer like any other: a redelivery of the event
		// gets it again, word for word. A busy store is not an answer, so
		// a redelivery tries again.
		if eventID != "" && workflow.Message(err) != busyMessage {
			b.saveReply(ctx, eventID, r)
		}
		return r, nil
	}
	if eventID != "" {
		b.saveReply(ctx, eventID, resp)
	}
	outcome = OutcomeOK
	b.log.Info("card action", "event_id", eventID, "operator", op, "kind", v.K, "id", v.ID)
	return resp, nil
}

// replySource names the stored callback replies among idempotency records.
const replySource = "lark-card-reply"

func (b *Bot) storedReply(ctx context.Context, eventID string) (*callback.CardActionTriggerResponse, bool) {
	var rec workflow.Idempotency
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		rec, err = tx.Idempotency(ctx, replySource, eventID)
		return err
	})
	if err != nil {
		return nil, false
	}
	var r callback.CardActionTriggerResponse
	if json.Unmarshal([]byte(rec.Result), &r) != nil {
		return nil, false
	}
	return &r, true
}

func (b *Bot) saveReply(ctx context.Context, eventID string, r *callback.CardActionTriggerResponse) {
	data, err := json.Marshal(r)
	if err != nil {
		return
	}
	err = b.store.InTx(ctx, func(tx workflow.Tx) error {
		return tx.SaveIdempotency(ctx, workflow.Idempotency{Source: replySource, Key: eventID, Result: string(data), CreatedAt: b.clock.Now()})
	})
	if err != nil && !errors.Is(err, workflow.ErrConflict) {
		b.log.Warn("save callback reply", "event_id", eventID, "err", err)
	}
}

// keyedLock serializes work per key (a callback's event id).
type keyedLock struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	mu   sync.Mutex
	refs int
}

func (k *keyedLock) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{}
		k.m[key] = e
	}
	e.refs++
	k.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}

func (b *Bot) act(ctx context.Context, op string, v card.Value, fv map[string]any) (*callback.CardActionTriggerResponse, error) {
	now := b.clock.Now().In(b.cal.Location()).Format("2006-01-02 15:04")
	// The toast is the action itself ("已通过", "已提交"): its 已 says it
	// is done, and "已通过成功" reads as a machine's sentence.
	done := func(title, action string, lines ...string) *callback.CardActionTriggerResponse {
		return reply("success", action, card.DoneCard(card.Done{Title: title, Action: action, By: b.name(ctx, op), At: now, Lines: lines, Colour: card.Green}))
	}
	switch v.K {
	case card.KindOpen:
		c, err := b.openForm(ctx, op, v.ID)
		if err != nil {
			return nil, err
		}
		return reply("", "", c), nil
	case card.KindTodo:
		// Someone outside the organisation (a forwarded card) has no
		// 待办: refused like any click they make, not shown an empty list.
		if _, err := b.operator(ctx, op); err != nil {
			return nil, err
		}
		c, err := b.todoCard(ctx, op)
		if err != nil {
			return nil, err
		}
		return reply("", "", c), nil
	case card.KindDaily:
		if err := b.entryFresh(ctx, op, workflow.EntryDaily, v); err != nil {
			return nil, err
		}
		dl, err := card.ParseDaily(fv)
		if err != nil {
			return nil, err
		}
		if err := b.svc.Submit(idem(ctx, 0), op, workflow.EntryInput{Kind: workflow.EntryDaily, Period: v.ID, Body: workflow.EntryBody{Log: dl.Log}}); err != nil {
			return nil, err
		}
		return done(b.recordName(ctx, op, workflow.EntryDaily)+" "+v.ID, "已提交"), nil
	case card.KindWeekly:
		if err := b.entryFresh(ctx, op, workflow.EntryWeekly, v); err != nil {
			return nil, err
		}
		w, err := card.ParseWeekly(fv)
		if err != nil {
			return nil, err
		}
		body, err := weeklyBody(w)
		if err != nil {
			return nil, err
		}
		if err := b.svc.Submit(idem(ctx, 0), op, workflow.EntryInput{Kind: workflow.EntryWeekly, Period: v.ID, Body: body}); err != nil {
			return nil, err
		}
		return done("周记实 "+card.PeriodLabel(v.ID), "已提交", fmt.Sprintf("共%d项工作", len(body.Tasks))), nil
	case card.KindMonthly:
		if err := b.entryFresh(ctx, op, workflow.EntryMonthly, v); err != nil {
			return nil, err
		}
		m, err := card.ParseMonthly(fv)
		if err != nil {
			return nil, err
		}
		body := workflow.EntryBody{Goals: m.Goals, Completion: m.Completion}
		for _, u := range m.Unfinished {
			body.Unfinished = append(body.Unfinished, workflow.Unfinished{Item: u.Item, Reason: u.Reason})
		}
		if err := b.svc.Submit(idem(ctx, 0), op, workflow.EntryInput{Kind: workflow.EntryMonthly, Period: v.ID, Body: body}); err != nil {
			return nil, err
		}
		return done("月小结 "+card.PeriodLabel(v.ID), "已提交"), nil
	case card.KindQuarterly:
		if err := b.entryFresh(ctx, op, workflow.EntryQuarterly, v); err != nil {
			return nil, err
		}
		q, err := card.ParseQuarterly(fv)
		if err != nil {
			return nil, err
		}
		body := workflow.EntryBody{Summary: q.Summary, Training: q.Training}
		if err := b.svc.Submit(idem(ctx, 0), op, workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: v.ID, Body: body}); err != nil {
			return nil, err
		}
		return done("季度小结 "+card.PeriodLabel(v.ID), "已提交"), nil
	case card.KindVote:
		return b.vote(ctx, op, v, fv, done)
	case card.KindOutside:
		return b.outside(ctx, op, v, fv)
	case card.KindApprove, card.KindReturn, card.KindAdjust:
		return b.step(ctx, op, v, fv, done)
	case card.KindDecide, card.KindConfirm, card.KindQuotaRaise, card.KindQuotaKeep, card.KindQuotaCap, card.KindUniformReturn:
		return b.committee(ctx, op, v, fv, done)
	case card.KindChase:
		n, err := b.svc.Chase(idem(ctx, 0), op)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return reply("info", "没有需要催办的人员（今天已催办过的不再重复）", nil), nil
		}
		return reply("success", fmt.Sprintf("已向%d人发送催办提醒", n), nil), nil
	case card.KindProgress:
		if err := b.requireHR(ctx, op); err != nil {
			return nil, err
		}
		c, err := b.progressCard(ctx, op, v.ID)
		if err != nil {
			return nil, err
		}
		return reply("", "", c), nil
	case card.KindBatch:
		c, err := b.batchCard(ctx, op, v.ID)
		if err != nil {
			return nil, err
		}
		return reply("", "", c), nil
	case card.KindComposeYear:
		return b.composeYear(ctx, op, v, done)
	case card.KindYearRatingsOpen:
		return b.openYearRatings(ctx, op, v, fv, done)
	case card.KindYearRate:
		return b.rateYear(ctx, op, v, fv, done)
	case card.KindYearConfirm:
		return b.confirmYear(ctx, op, v, fv, done)
	case card.KindYearAnnual:
		return b.saveAnnual(ctx, op, v, fv)
	case card.KindEntryComment, card.KindEntryReturn:
		return b.entryRemark(ctx, op, v, fv, done)
	case card.KindReassign:
		return b.reassign(ctx, op, v, fv, done)
	case card.KindTalk:
		return b.talk(ctx, op, v, fv, done)
	case card.KindFeedback:
		return b.feedback(ctx, op, v, fv)
	case card.KindTargetsPropose, card.KindTargetConfirm, card.KindTargetsConfirmAll, card.KindTargetReturn, card.KindTargetRevise, card.KindTargetExceed:
		return b.targetsAction(ctx, op, v, fv)
	case card.KindPersonStatus, card.KindAbsence, card.KindAttendance, card.KindWaive, card.KindSecond, card.KindPersonLeft, card.KindVoteGroups:
		return b.personAction(ctx, op, v, fv)
	case card.KindFilingTables:
		return b.filingTablesAction(ctx, op, v)
	case card.KindOpenPeriod, card.KindClosePeriod, card.KindFiled, card.KindEndDelegation:
		return b.cycleAction(ctx, op, v, done)
	case card.KindReviewForward, card.KindReviewReject, card.KindReviewDecide:
		return b.handleReview(ctx, op, v, fv, done)
	case card.KindReview:
		if err := b.reviewable(ctx, op, v); err != nil {
			return nil, err
		}
		r, err := card.ParseReview(fv)
		if err != nil {
			return nil, err
		}
		if err := b.svc.RequestReviewWith(idem(ctx, 0), op, v.ID, r.Reason, r.Materials); err != nil {
			return nil, err
		}
		return done("复核申请 "+card.PeriodLabel(v.ID), "已提交", "理由："+r.Reason), nil
	}
	return nil, fmt.Errorf("kind %q: %w", v.K, card.ErrBadValue)
}

// reviewable settles a 复核 request before its form is read: someone with
// no result in the period has nothing of theirs to ask about (无权, as
// for anyone else's result), and a result card older than the result (a
// 反馈 or a decision changed what it shows since) is stale. The card sent
// at 公示 carries no version (0): it shows the result as published, which
// is what the request is about.
func (b *Bot) reviewable(ctx context.Context, op string, v card.Value) error {
	if _, err := b.operator(ctx, op); err != nil {
		return err
	}
	r, err := b.svc.Result(ctx, op, v.ID, op)
	switch {
	case errors.Is(err, workflow.ErrNotFound):
		return fmt.Errorf("%s has no result in %s: %w", op, v.ID, workflow.ErrForbidden)
	case err != nil:
		return err
	case v.V != 0 && r.Version != v.V:
		return fmt.Errorf("result %s/%s is v%d, card v%d: %w", v.ID, op, r.Version, v.V, workflow.ErrStale)
	}
	return nil
}

// entryFresh refuses an entry form drawn before its entry was sent back
// (the card's version is not the returned entry's): its author has not
// read why, and submitting it would file the old text as the correction.
// A card of an entry filed since is the service's to answer (filed
// already), and a new entry's card (version 0) is fresh until it is filed.
func (b *Bot) entryFresh(ctx context.Context, op, kind string, v card.Value) error {
	e, err := b.entry(ctx, kind, op, v.ID)
	switch {
	case errors.Is(err, workflow.ErrNotFound):
		return nil
	case err != nil:
		return err
	case e.State == workflow.EntryReturned && e.Version != v.V:
		return fmt.Errorf("%s %s of %s is v%d, card v%d: %w", kind, v.ID, op, e.Version, v.V, workflow.ErrStale)
	}
	return nil
}

func weeklyBody(w card.Weekly) (workflow.EntryBody, error) {
	var body workflow.EntryBody
	for i, t := range w.Tasks {
		task := workflow.Task{Title: t.Title, Progress: t.Progress, Target: t.Target}
		if t.Deadline != "" {
			d, err := calendar.ParseDate(t.Deadline)
			if err != nil {
				return body, &workflow.InputError{Field: fmt.Sprintf("tasks[%d].deadline", i), Msg: "日期格式不正确"}
			}
			task.Deadline = d
		}
		body.Tasks = append(body.Tasks, task)
	}
	body.Presence, body.PresenceNote = w.Attendance, w.AttendanceNote
	return body, nil
}

// name returns a person's name for cards, or the id.
func (b *Bot) name(ctx context.Context, id string) string {
	var n string
	_ = b.store.InTx(ctx, func(tx workflow.Tx) error {
		p, err := tx.Person(ctx, id)
		if err == nil {
			n = p.Name
		}
		return nil
	})
	if n == "" {
		return id
	}
	return n
}

// OnMessage handles im.message.receive_v1: text commands in a private chat.
// The answer goes through the outbox keyed by the message id, so Lark's
// re-push of an unacknowledged event (15 s, 5 min, 1 h, 6 h) cannot answer
// twice; the receive-message doc says to de-duplicate on message_id.
func (b *Bot) OnMessage(ctx context.Context, e *larkim.P2MessageReceiveV1) (err error) {
	m, ok := event.DecodeMessage(e)
	if !ok {
		return nil // not for the bot: group chats are for 公示, not commands
	}
	start, outcome := time.Now(), OutcomeOK
	defer func() {
		if err != nil {
			outcome = OutcomeBusy // not acknowledged: Lark pushes it again
		}
		b.cfg.Metrics.Message(outcome, time.Since(start))
	}()
	from, msgID := m.From, m.ID
	// A re-pushed event must not run the command's effects again (公示,
	// 同步通讯录 确认): deliveries of one message take turns here, a message
	// already answered is skipped, and each state change the command makes
	// is keyed by the message id too, for a re-push that reaches another
	// replica while the first is still at work.
	unlock := b.events.lock("msg:" + msgID)
	defer unlock()
	if b.answered(ctx, msgID) {
		outcome = OutcomeRepeat
		return nil
	}
	ctx = context.WithValue(ctx, eventKey{}, "msg-"+msgID)
	text := m.Text
	c, cerr := b.command(ctx, from, m.Command, text, m.Mentions)
	if cerr != nil {
		outcome = outcomeOf(cerr)
		b.auditRefusal(ctx, from, "command", firstWord(text), cerr)
		c = card.RefusedCard(workflow.Message(cerr))
		b.log.Info("command refused", "message_id", msgID, "from", from, "err", cerr)
	} else {
		// The command word only: unknown text (answered with help) may be
		// anything a person typed.
		word := "(help)"
		if !m.Command.Unknown {
			word = firstWord(text)
		}
		b.log.Info("command", "message_id", msgID, "from", from, "command", word)
	}
	return b.enqueueAnswer(ctx, msgID, from, c)
}

// auditRefusal is the one place the bot audits the refusals it decides
// itself (a form of someone else's step, an HR command from a non-HR
// sender); those the service decided are audited already. Each event is
// audited once without bookkeeping here: a refused click's answer is
// stored and a message is marked answered, so Lark's redelivery of either
// is answered from the record and never refused again.
func (b *Bot) auditRefusal(ctx context.Context, by, action, object string, err error) {
	if errors.Is(err, workflow.ErrForbidden) && !workflow.Audited(err) {
		b.svc.RecordDenial(ctx, by, action, object, err)
	}
}

// firstWord is the command word of a message, the object of a refused
// command in the audit log (never the rest, which may be personal).
func firstWord(text string) string {
	for _, w := range strings.Fields(textclean.StripInvisible(text)) {
		if !strings.HasPrefix(w, "@") {
			return clipRunes(w, 16)
		}
	}
	return ""
}

// clipRunes cuts s to at most n runes.
func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// answeredSource names the records of messages already answered.
const answeredSource = "lark-message"

// answered reports whether the message's answer is already queued.
func (b *Bot) answered(ctx context.Context, msgID string) bool {
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		_, err := tx.Idempotency(ctx, answeredSource, msgID)
		return err
	})
	return err == nil
}

// enqueueAnswer queues a command's answer and, in the same transaction,
// records the message as answered.
func (b *Bot) enqueueAnswer(ctx context.Context, msgID, to string, c []byte) error {
	now := b.clock.Now()
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		if _, err := tx.Enqueue(ctx, workflow.Notification{Key: workflow.DedupeKey("msg", msgID), To: to, Template: TplCard,
			Data: map[string]string{"card": string(c)}, CreatedAt: now, State: workflow.NotePending}); err != nil {
			return err
		}
		return tx.SaveIdempotency(ctx, workflow.Idempotency{Source: answeredSource, Key: msgID, CreatedAt: now})
	})
	if errors.Is(err, workflow.ErrConflict) {
		return nil // answered by another delivery of the same event
	}
	if err != nil {
		return fmt.Errorf("queue answer: %w", err)
	}
	return nil
}

// TplCard is the bot's template for a card rendered when it was queued
// (command answers). Data: card.
const TplCard = "card"

// Render turns a notification into the card that is sent.
func (b *Bot) Render(n workflow.Notification) ([]byte, error) {
	switch n.Template {
	case TplCard:
		c := n.Data["card"]
		if c == "" {
			return nil, errors.New("card notification without a card")
		}
		return []byte(c), nil
	case TplUndeliverable:
		return card.UndeliverableCard(card.Undeliverable{Count: n.Data["count"], Lines: strings.Split(n.Data["lines"], "\n")}), nil
	case TplAuditHead:
		return card.AuditHeadCard(card.AuditHead{Seq: n.Data["seq"], Hash: n.Data["hash"], At: n.Data["at"]}), nil
	case workflow.TplPublicity:
		return b.publicityCard(n)
	case workflow.TplResult:
		return b.resultNotice(n)
	}
	nt, err := card.FromTemplate(n.Template, n.Data)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", n.Template, err)
	}
	return card.NoticeCard(nt), nil
}

// requireHR refuses an operator who is not HR.
func (b *Bot) requireHR(ctx context.Context, op string) error {
	var me workflow.Person
	if err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		me, err = tx.Person(ctx, op)
		return err
	}); err != nil {
		return fmt.Errorf("operator %s: %w", op, workflow.ErrForbidden)
	}
	return requireHRSender(me)
}
