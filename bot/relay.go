package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"time"

	"github.com/kaohe/kaohe/bot/ratelimit"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Sender sends a card; *Lark implements it.
type Sender interface {
	// SendCard sends card to a user or chat with Lark's idempotency uuid and
	// returns the message id, or an *APIError.
	SendCard(ctx context.Context, to Recipient, card []byte, uuid string) (string, error)
}

// FileSender sends a file message of an uploaded file; *Lark implements
// it. The relay sends TplFile notifications with it.
type FileSender interface {
	SendFile(ctx context.Context, to Recipient, fileKey, uuid string) (string, error)
}

// Urgenter makes a sent message urgent (应用内加急) for users in its chat
// and returns the ids Lark found outside it; *Lark implements it.
type Urgenter interface {
	UrgentApp(ctx context.Context, messageID string, userIDs []string) (invalid []string, err error)
}

// SendLimiter paces sends under Lark's limits, shared by every replica
// (docs/reliability.md §3); ratelimit.Memory and the Redis limiter implement it.
// The relay limits; the callback path never does.
type SendLimiter interface {
	// Allow counts one send on every key, or on none when one of them is
	// over its limit (Result.RetryAfter says how long to wait). An error
	// means the limiter cannot decide, and the relay fails closed.
	Allow(ctx context.Context, keys ...ratelimit.Key) (ratelimit.Result, error)
	// Penalize stops every sender on key for d after Lark answered 429.
	Penalize(ctx context.Context, key ratelimit.Key, d time.Duration) error
}

// RenderFunc turns a notification into card JSON.
type RenderFunc func(n workflow.Notification) ([]byte, error)

// Relay delivers the outbox: every notification the domain committed with
// its state change is sent once, with its deterministic key as Lark's uuid,
// so a retry after a crash cannot produce a second message within Lark's
// one-hour window. A notification still unsent MaxAge after its first
// attempt (before that window ends) is re-queued under a new uuid or given
// up by rule (expire), and what is given up reaches HR as one digest per
// DigestEvery. A notification marked workflow.DataUrgent is followed, once
// Lark has taken it, by a TplUrgent row that makes the message urgent for
// its recipient (deliverUrgent).
type Relay struct {
	Store  workflow.Store
	Sender Sender
	// Urgent makes reminders of an urgent nudge 加急 once they are
	// delivered; default: Sender, when it implements Urgenter (*Lark does).
	// With neither, they go out as ordinary cards.
	Urgent  Urgenter
	Render  RenderFunc
	Limiter SendLimiter
	Clock   clock.Clock
	Log     *slog.Logger
	// MaxAge bounds retries under one uuid, from the first attempt; it must
	// stay under Lark's 1-hour uuid window.
	MaxAge time.Duration
	// ResendFor bounds how long, from its first attempt, a message is
	// re-queued under fresh uuids while Lark cannot take it; default
	// DefaultResendFor.
	ResendFor time.Duration
	// DigestEvery is the interval of HR's undeliverable digest: at most one
	// per HR member per interval, listing everything given up in it;
	// default one hour.
	DigestEvery time.Duration
	// Location is where a reminder's due day ends; default the calendar's
	// (calendar.DefaultLocation).
	Location *time.Location
	// Batch is how many notifications one claim takes.
	Batch int
	// Lease is how long a claimed batch is this relay's alone; it must
	// outlast sending a whole batch at Lark's pace (a batch of 100 to one
	// chat at 5/s takes 20 s).
	Lease time.Duration
	// Sleep waits between paced sends; default a real timer. Tests that run
	// on a fake clock pass one that advances it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Metrics counts sends by result code, give-ups and waits for the
	// limiter; default NopMetrics.
	Metrics Metrics

	// flushed is the interval in which this relay last checked the past
	// intervals' digests: checking again before the next interval begins
	// finds nothing new, so each pass does not cost three transactions.
	flushed time.Time
}

// RelayReport counts what one pass did. Urgent counts messages made
// urgent (TplUrgent rows done), which Sent does not count.
type RelayReport struct {
	Sent, Retry, Dead, Urgent int
}

// maxUUIDWindow is Lark's de-duplication window for a message uuid.
const maxUUIDWindow = time.Hour

func (r *Relay) defaults() {
	if r.MaxAge <= 0 || r.MaxAge >= maxUUIDWindow {
		r.MaxAge = 50 * time.Minute
	}
	if r.ResendFor <= 0 {
		r.ResendFor = DefaultResendFor
	}
	if r.DigestEvery <= 0 {
		r.DigestEvery = time.Hour
	}
	if r.Location == nil {
		r.Location = calendar.DefaultLocation()
	}
	if r.Batch <= 0 {
		r.Batch = 100
	}
	if r.Lease <= 0 {
		r.Lease = 2 * time.Minute
	}
	if r.Log == nil {
		r.Log = slog.Default()
	}
	if r.Clock == nil {
		r.Clock = clock.Real{}
	}
	if r.Metrics == nil {
		r.Metrics = NopMetrics{}
	}
	if r.Sleep == nil {
		r.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
}

// appKey is the limiter key of message sends app-wide; urgentKey that of
// urgent_app, an API of its own with the same 50/s and 1,000/min
// (发送应用内加急).
var (
	appKey    = ratelimit.AppKey("im.message.create")
	urgentKey = ratelimit.AppKey("im.message.urgent_app")
)

// urgenter returns what makes messages urgent, nil if nothing does.
func (r *Relay) urgenter() Urgenter {
	if r.Urgent != nil {
		return r.Urgent
	}
	u, _ := r.Sender.(Urgenter)
	return u
}

func recipientKey(n workflow.Notification) ratelimit.Key {
	if n.Chat {
		return ratelimit.ChatKey(n.To)
	}
	return ratelimit.UserKey(n.To)
}

// RunOnce sends every pending notification that is due, in order. Each
// batch is claimed with a lease (Tx.ClaimOutbox), so relays in several
// replicas never work on the same row at once and a relay that dies
// mid-batch leaves its rows to the others when the lease ends; a row sent
// twice that way still reaches the person once, because both sends carry
// the same uuid. It returns early with an error when the limiter fails
// (fail closed) or ctx ends.
func (r *Relay) RunOnce(ctx context.Context) (RelayReport, error) {
	r.defaults()
	var rep RelayReport
	if err := r.flushDigests(ctx); err != nil {
		return rep, err
	}
	for {
		var batch []workflow.Notification
		err := r.Store.InTx(ctx, func(tx workflow.Tx) error {
			var err error
			batch, err = tx.ClaimOutbox(ctx, r.Clock.Now(), r.Lease, r.Batch)
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("claim outbox: %w", err)
		}
		if len(batch) == 0 {
			return rep, nil
		}
		var graves []grave
		var failed error
		for _, n := range batch {
			g, err := r.deliver(ctx, n, &rep)
			if g != nil {
				graves = append(graves, *g)
			}
			if err != nil {
				failed = err
				break
			}
		}
		if err := r.bury(ctx, graves); err != nil {
			return rep, err
		}
		if failed != nil {
			return rep, failed
		}
	}
}

// grave is a notification the relay gives up on, with the reason HR reads.
type grave struct {
	n      workflow.Notification
	reason string
}

// droppable templates are reminders whose moment passes: once their uuid
// window is over they are re-sent only while their due day lasts
// (reminderEnd). Everything else (results, 公示, decisions, assignments) is
// re-sent under fresh uuids for ResendFor.
var droppable = map[string]bool{
	workflow.TplRemind: true, workflow.TplEscalate: true, workflow.TplFilingDue: true, workflow.TplFeedbackDue: true,
}

// DefaultResendFor is how long a message Lark cannot take is re-sent under
// fresh uuids: a day. Lark's own incidents last minutes to a few hours, so
// a day covers any of them with room for a night in between; a result, a
// decision or an assignment a day late is still worth having (the person
// acts on it, and the card's buttons still work). Past a day the cause is
// not an outage but the app (credentials revoked, the bot removed from the
// tenant), re-sending no longer helps, and HR is told to reach the people
// another way.
const DefaultResendFor = 24 * time.Hour

// Data keys a re-queued copy carries from the first one: when the first
// was queued and first tried (RFC 3339), so the rules of expire count from
// the original, not from the copy.
const (
	queuedKey   = "queued_at"
	firstTryKey = "first_try"
)

// origin returns when n's first copy was queued and first tried.
func origin(n workflow.Notification) (queued, firstTry time.Time) {
	queued, firstTry = n.CreatedAt, n.FirstAttemptAt
	if t, err := time.Parse(time.RFC3339Nano, n.Data[queuedKey]); err == nil {
		queued = t
	}
	if t, err := time.Parse(time.RFC3339Nano, n.Data[firstTryKey]); err == nil {
		firstTry = t
	}
	return queued, firstTry
}

// reminderEnd is when a reminder stops being worth sending: the end of its
// due day ("due" in Data, which every reminder template carries), in the
// calendar's location — a nudge about a deadline that has passed is
// replaced by the plan's overdue nudges, not delivered late. A reminder
// without a readable due date lasts until the end of the day it was
// queued on: reminders are made for the day they are sent.
func (r *Relay) reminderEnd(n workflow.Notification) time.Time {
	due, err := calendar.ParseDate(n.Data["due"])
	if err != nil {
		queued, _ := origin(n)
		due = calendar.DateOf(queued.In(r.Location))
	}
	return due.AddDays(1).In(r.Location)
}

// expire handles a notification whose uuid window is over without a send
// Lark confirmed. A reminder whose due day has passed is buried; anything
// else is queued again under a new uuid (a previous attempt could only
// have been delivered if Lark lost its answer, and a message seen twice is
// better than one lost), until ResendFor after the first copy's first
// attempt, when it is buried too.
func (r *Relay) expire(ctx context.Context, n workflow.Notification, rep *RelayReport) (*grave, error) {
	now := r.Clock.Now()
	queued, firstTry := origin(n)
	if droppable[n.Template] && !now.Before(r.reminderEnd(n)) {
		rep.Dead++
		if n.Attempts == 0 { // begun by a relay that died before Lark answered
			return &grave{n, "发送途中服务中断，无法确认是否已送达；提醒已过时，不再补发"}, nil
		}
		return &grave{n, "飞书在重试期限内一直无法送达，提醒已过时，不再补发"}, nil
	}
	if now.Sub(firstTry) >= r.ResendFor {
		rep.Dead++
		return &grave{n, fmt.Sprintf("飞书在%s内一直无法送达，不再补发", spanZH(r.ResendFor))}, nil
	}
	data := maps.Clone(n.Data)
	if data == nil {
		data = map[string]string{}
	}
	data[queuedKey], data[firstTryKey] = queued.Format(time.RFC3339Nano), firstTry.Format(time.RFC3339Nano)
	err := r.Store.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.MarkNotification(ctx, n.ID, workflow.NoteDead, now); err != nil {
			return err
		}
		// The new key follows from the old, so relays re-queuing the same
		// row at once make one copy (ErrConflict for the second).
		_, err := tx.Enqueue(ctx, workflow.Notification{Key: workflow.DedupeKey(n.Key, "resend"), To: n.To, Chat: n.Chat,
			Template: n.Template, Data: data, CreatedAt: now})
		return err
	})
	switch {
	case errors.Is(err, workflow.ErrStale), errors.Is(err, workflow.ErrConflict):
		return nil, nil // another relay delivered or re-queued it
	case err != nil:
		return nil, fmt.Errorf("re-queue notification %d: %w", n.ID, err)
	}
	rep.Retry++
	r.Log.Warn("notification re-queued under a new uuid after its window", "id", n.ID, "template", n.Template)
	return nil, nil
}

// spanZH says a duration in whole hours or minutes, for HR's digest.
func spanZH(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return fmt.Sprintf("%d小时", d/time.Hour)
	}
	return fmt.Sprintf("%d分钟", d/time.Minute)
}

// Backoff bounds for a failed send: the first retry after minBackoff,
// doubling per attempt up to maxBackoff, so a Lark outage is retried a few
// dozen times within MaxAge rather than thousands.
const (
	minBackoff = 2 * time.Second
	maxBackoff = time.Minute
)

// backoff is the wait before the next attempt of a notification that has
// failed attempts times; Lark's own wait (x-ogw-ratelimit-reset) wins when
// it is longer.
func backoff(attempts int, larkWait time.Duration) time.Duration {
	d := maxBackoff
	if attempts < 6 {
		d = min(minBackoff<<attempts, maxBackoff)
	}
	return max(d, larkWait)
}

// deliver sends n once. It returns a grave when n is to be given up
// (refused by Lark, unrenderable, or out of retries), which the caller
// buries with the rest of the batch; an error stops the pass.
func (r *Relay) deliver(ctx context.Context, n workflow.Notification, rep *RelayReport) (*grave, error) {
	if n.Template == TplUrgent {
		return r.deliverUrgent(ctx, n, rep)
	}
	now := r.Clock.Now()
	// Lark lets one request per uuid succeed within an hour of the first;
	// past MaxAge from the first attempt a retry is no longer covered. A
	// notification never attempted (Lark unreachable, sending paused) has
	// no window running yet.
	if !n.FirstAttemptAt.IsZero() && now.Sub(n.FirstAttemptAt) > r.MaxAge {
		return r.expire(ctx, n, rep)
	}
	var card []byte
	var err error
	if n.Template != TplFile { // a file message has its content in Data
		card, err = r.Render(n)
	}
	if err != nil {
		rep.Dead++
		r.Log.Error("render notification", "id", n.ID, "template", n.Template, "err", err)
		return &grave{n, "消息无法生成：" + err.Error()}, nil
	}
	if r.Limiter != nil {
		for {
			res, err := r.Limiter.Allow(ctx, appKey, recipientKey(n))
			if err != nil {
				return nil, fmt.Errorf("rate limiter: %w", err)
			}
			if res.Allowed {
				break
			}
			r.Metrics.RateLimitWait(res.RetryAfter)
			if err := r.Sleep(ctx, res.RetryAfter); err != nil {
				return nil, err
			}
		}
	}
	if n.FirstAttemptAt.IsZero() {
		// The window starts before the request leaves: a relay killed
		// after Lark took the message but before it could record that
		// leaves the row to the next relay, which must not repeat the
		// uuid once Lark has forgotten it.
		err := r.Store.InTx(ctx, func(tx workflow.Tx) error { return tx.StartAttempt(ctx, n.ID, r.Clock.Now()) })
		if errors.Is(err, workflow.ErrStale) {
			return nil, nil // another relay settled it after our lease ran out
		}
		if err != nil {
			return nil, fmt.Errorf("start attempt on notification %d: %w", n.ID, err)
		}
	}
	msgID, err := r.send(ctx, n, card)
	if err == nil {
		rep.Sent++
		r.Metrics.Send(n.Template, "0")
		return nil, r.sent(ctx, n, msgID)
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = &APIError{Op: "send", Msg: err.Error(), Kind: KindTransient}
	}
	r.Metrics.Send(n.Template, sendCode(ae))
	switch {
	case ae.Kind == KindRateLimited:
		rep.Retry++
		r.Log.Warn("lark rate limit", "id", n.ID, "code", ae.Code, "retry_after", ae.RetryAfter)
		if r.Limiter != nil {
			key := appKey
			if ae.Code == codeIMRateLimit {
				key = recipientKey(n) // 230020: this chat or user is over its 5/s
			}
			if err := r.Limiter.Penalize(ctx, key, ae.RetryAfter); err != nil {
				return nil, fmt.Errorf("rate limiter: %w", err)
			}
		}
		return nil, r.retry(ctx, n, ae.RetryAfter)
	case ae.Retryable():
		rep.Retry++
		r.Log.Warn("send failed, will retry", "id", n.ID, "err", ae)
		return nil, r.retry(ctx, n, 0)
	default:
		rep.Dead++
		r.Log.Error("send refused", "id", n.ID, "to", n.To, "code", ae.Code, "kind", ae.Kind, "err", ae)
		return &grave{n, undeliverableReason(ae)}, nil
	}
}

// send sends n: a card, or for TplFile the file message of an uploaded
// file (FileSender), under n's key as Lark's uuid either way.
func (r *Relay) send(ctx context.Context, n workflow.Notification, card []byte) (string, error) {
	to := Recipient{ID: n.To, Chat: n.Chat}
	if n.Template != TplFile {
		return r.Sender.SendCard(ctx, to, card, n.Key)
	}
	fs, ok := r.Sender.(FileSender)
	if !ok || n.Data[DataFileKey] == "" {
		return "", &APIError{Op: "send file", Msg: "the sender cannot send files, or no file_key", Kind: KindRejected}
	}
	return fs.SendFile(ctx, to, n.Data[DataFileKey], n.Key)
}

func undeliverableReason(ae *APIError) string {
	switch ae.Kind {
	case KindRecipientGone:
		return fmt.Sprintf("收件人已离职、不在应用可用范围内或已停用机器人（错误码%d）", ae.Code)
	case KindNoAccess:
		return fmt.Sprintf("机器人不在该群或无发言权限（错误码%d）", ae.Code)
	case KindScope:
		scopes := "所需权限"
		if len(ae.Scopes) > 0 {
			scopes = "权限 " + strings.Join(ae.Scopes, "、")
		}
		return fmt.Sprintf("飞书应用未开通%s，请在开发者后台申请并发布新版本（错误码%d）", scopes, ae.Code)
	case KindQuota:
		return fmt.Sprintf("飞书应用本月的接口调用额度已用完（错误码%d），请升级套餐或等待下月", ae.Code)
	}
	switch ae.Code {
	case 230028:
		return "消息含有明文电话号码、邮箱等内容，被飞书数据防泄漏审查拦截（错误码230028）"
	case 230022:
		return "消息内容含有敏感信息，被飞书拦截（错误码230022）"
	}
	return fmt.Sprintf("飞书拒绝了该消息（错误码%d：%s）", ae.Code, ae.Msg)
}

// sent records n delivered as message msgID. In the same transaction it
// queues what follows from the message id, which only this moment knows:
// for an urgent reminder the TplUrgent row that makes it 加急, for a 公示
// the message read receipts are looked up by (Tx.RecordPublicity,
// PublicityReads). Both are
// keyed by what they are about, so a relay that dies before committing
// and a second one that sends again under the same uuid (Lark answers
// with the same message) write each once.
func (r *Relay) sent(ctx context.Context, n workflow.Notification, msgID string) error {
	urgent := n.Data[workflow.DataUrgent] != "" && !n.Chat && msgID != ""
	if urgent && r.urgenter() == nil {
		r.Log.Warn("urgent reminder sent as an ordinary card: the sender cannot make messages urgent", "id", n.ID)
		urgent = false
	}
	publicity := n.Template == workflow.TplPublicity && n.Chat && msgID != ""
	if !urgent && !publicity {
		return r.mark(ctx, n.ID, workflow.NoteSent)
	}
	now := r.Clock.Now()
	err := r.Store.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.MarkNotification(ctx, n.ID, workflow.NoteSent, now); err != nil {
			return err
		}
		if urgent {
			data := map[string]string{"message_id": msgID, "of": n.Template}
			for _, k := range []string{"item", "period", "entry", "due", "stage"} {
				if v, ok := n.Data[k]; ok {
					data[k] = v
				}
			}
			_, err := tx.Enqueue(ctx, workflow.Notification{Key: workflow.DedupeKey(TplUrgent, msgID, n.To), To: n.To,
				Template: TplUrgent, Data: data, CreatedAt: now})
			if err != nil && !errors.Is(err, workflow.ErrConflict) {
				return err
			}
		}
		if publicity {
			// Kept with the period, not as an idempotency record: those
			// are pruned after 72 h, before the 公示 ends.
			err := tx.RecordPublicity(ctx, workflow.PublicityMessage{Period: n.Data["period"], Chat: n.To,
				Grade: n.Data["grade"], MessageID: msgID, SentAt: now})
			if err != nil && !errors.Is(err, workflow.ErrConflict) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark notification %d sent: %w", n.ID, err)
	}
	return nil
}

// TplUrgent is the bot's own template of a message to make urgent: the
// relay does not send a card for it but calls urgent_app for To on
// message_id, after the reminder it follows was delivered. Data:
// message_id, of (the reminder's template) and the reminder's item,
// period, entry, due and stage. It lasts to the end of the due day, like
// the reminder (reminderEnd): 加急 about a deadline that has passed is
// noise.
const TplUrgent = "urgent_app"

// deliverUrgent makes the message of an urgent reminder urgent for its
// recipient. A transient failure or a rate limit keeps the row pending
// for a later pass (urgent_app has no uuid, but making a message urgent
// twice for the same person is one unread urgent message to Lark, so a
// repeat after a lost answer does no harm); a refusal is given up and HR
// reads why in the digest: the reminder itself arrived, only the 加急 did
// not.
func (r *Relay) deliverUrgent(ctx context.Context, n workflow.Notification, rep *RelayReport) (*grave, error) {
	u := r.urgenter()
	switch {
	case u == nil:
		rep.Dead++
		return &grave{n, "提醒已送达，但本服务无法发送加急"}, nil
	case n.Data["message_id"] == "":
		rep.Dead++
		return &grave{n, "提醒已送达，但缺少消息编号，无法加急"}, nil
	case !r.Clock.Now().Before(r.reminderEnd(n)):
		rep.Dead++
		return &grave{n, "提醒已送达；截止日已过，不再加急"}, nil
	}
	if r.Limiter != nil {
		for {
			res, err := r.Limiter.Allow(ctx, urgentKey)
			if err != nil {
				return nil, fmt.Errorf("rate limiter: %w", err)
			}
			if res.Allowed {
				break
			}
			r.Metrics.RateLimitWait(res.RetryAfter)
			if err := r.Sleep(ctx, res.RetryAfter); err != nil {
				return nil, err
			}
		}
	}
	invalid, err := u.UrgentApp(ctx, n.Data["message_id"], []string{n.To})
	if err == nil {
		r.Metrics.Send(n.Template, "0")
	}
	if err == nil && len(invalid) > 0 {
		rep.Dead++
		return &grave{n, "提醒已送达，但收件人不在该会话中，无法加急"}, nil
	}
	if err == nil {
		rep.Urgent++
		return nil, r.mark(ctx, n.ID, workflow.NoteSent)
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = &APIError{Op: "urgent", Msg: err.Error(), Kind: KindTransient}
	}
	r.Metrics.Send(n.Template, sendCode(ae))
	switch {
	case ae.Kind == KindRateLimited:
		rep.Retry++
		r.Log.Warn("lark rate limit on urgent", "id", n.ID, "code", ae.Code, "retry_after", ae.RetryAfter)
		if r.Limiter != nil {
			if err := r.Limiter.Penalize(ctx, urgentKey, ae.RetryAfter); err != nil {
				return nil, fmt.Errorf("rate limiter: %w", err)
			}
		}
		return nil, r.retry(ctx, n, ae.RetryAfter)
	case ae.Retryable():
		rep.Retry++
		r.Log.Warn("urgent failed, will retry", "id", n.ID, "err", ae)
		return nil, r.retry(ctx, n, 0)
	}
	rep.Dead++
	r.Log.Error("urgent refused", "id", n.ID, "to", n.To, "code", ae.Code, "kind", ae.Kind, "err", ae)
	return &grave{n, "提醒已送达，但未能加急：" + urgentReason(ae)}, nil
}

// urgentReason says why Lark refused 加急, for HR (发送应用内加急's error
// list; the rest as for a send).
func urgentReason(ae *APIError) string {
	switch ae.Code {
	case codeUrgentUnread:
		return "对方未读的加急消息已达200条上限，需先阅读部分加急消息（错误码230023）"
	case codeUrgentQuota:
		return "企业的加急额度已用完，请联系企业管理员（错误码230024）"
	case codeUrgentForbidden:
		return "无权加急或被飞书判定为风险操作，请联系企业管理员（错误码230052）"
	}
	return undeliverableReason(ae)
}

func (r *Relay) mark(ctx context.Context, id int64, state string) error {
	err := r.Store.InTx(ctx, func(tx workflow.Tx) error {
		return tx.MarkNotification(ctx, id, state, r.Clock.Now())
	})
	if errors.Is(err, workflow.ErrStale) {
		return nil // another relay settled it first
	}
	if err != nil {
		return fmt.Errorf("mark notification %d %s: %w", id, state, err)
	}
	return nil
}

// retry keeps n pending until its backoff has passed.
func (r *Relay) retry(ctx context.Context, n workflow.Notification, larkWait time.Duration) error {
	now := r.Clock.Now()
	err := r.Store.InTx(ctx, func(tx workflow.Tx) error {
		return tx.DeferNotification(ctx, n.ID, now, now.Add(backoff(n.Attempts, larkWait)))
	})
	if errors.Is(err, workflow.ErrStale) {
		return nil // another relay delivered it while this one held a lapsed lease
	}
	if err != nil {
		return fmt.Errorf("defer notification %d: %w", n.ID, err)
	}
	return nil
}

// TplAuditHead publishes the audit log's head (seq, hash, at) to an admin
// chat, outside the database, so that rows deleted from the end of the log
// are detectable. It is the bot's own template.
const TplAuditHead = "audit_head"

// TplUndeliverable tells HR which notifications could not be delivered:
// one digest per HR member per Relay.DigestEvery, listing what was given
// up in that interval, so an outage of hours is one message an hour, not
// one per failure or per relay batch. Data: count, and lines
// (newline-separated "recipient · message · reason", at most
// maxDigestLines and a line counting the rest). It is the bot's own
// template.
const TplUndeliverable = "undeliverable"

// maxDigestLines bounds the lines of one digest.
const maxDigestLines = 10

// digestSource names, among idempotency records, what the relay gave up
// and has not yet reported: each burying transaction adds one record
// ("<interval>/<n>", n = 1, 2 …, the first free one) with its count and
// lines, and the interval's digest is made from them once it is over
// ("<interval>/sent" marks that; a record for an interval already
// reported goes to the next one). Records are kept far longer than the
// interval (workflow.RedeliveryWindow at the least) before pruning.
const digestSource = "lark-undeliverable"

// digestLookback is how many past intervals each pass checks for an
// unreported digest: a relay that stopped right after giving something up
// is made up for by the next pass within three intervals.
const digestLookback = 3

// maxDigestParts bounds the records of one interval (one per relay pass
// that gave something up).
const maxDigestParts = 10_000

// digestPart is one burying transaction's share of an interval's digest.
type digestPart struct {
	Count int      `json:"count"`
	Lines []string `json:"lines"`
}

func (r *Relay) interval(t time.Time) time.Time { return t.Truncate(r.DigestEvery) }

func intervalKey(iv time.Time) string { return iv.UTC().Format(time.RFC3339) }

// bury marks the batch's given-up notifications dead and, in the same
// transaction, records them for the digest of the current interval (a
// digest itself is buried without being reported, to avoid loops).
func (r *Relay) bury(ctx context.Context, graves []grave) error {
	if len(graves) == 0 {
		return nil
	}
	now := r.Clock.Now()
	var buried []string // templates, counted once the transaction commits
	err := r.Store.InTx(ctx, func(tx workflow.Tx) error {
		buried = buried[:0] // the store may run fn again
		people, err := tx.People(ctx)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, p := range people {
			names[p.ID] = p.Name
		}
		var part digestPart
		for _, g := range graves {
			err := tx.MarkNotification(ctx, g.n.ID, workflow.NoteDead, now)
			if errors.Is(err, workflow.ErrStale) {
				continue // another relay delivered it meanwhile
			}
			if err != nil {
				return err
			}
			buried = append(buried, g.n.Template)
			if g.n.Template == TplUndeliverable {
				continue
			}
			part.Count++
			if len(part.Lines) < maxDigestLines {
				to := g.n.To
				if name := names[to]; name != "" {
					to = name
				}
				part.Lines = append(part.Lines, to+" · "+g.n.Template+" · "+g.reason)
			}
		}
		if part.Count == 0 {
			return nil
		}
		return r.recordPart(ctx, tx, now, part)
	})
	if err != nil {
		return fmt.Errorf("bury %d notifications: %w", len(graves), err)
	}
	for _, tpl := range buried {
		r.Metrics.GaveUp(tpl)
	}
	return nil
}

// recordPart stores part for the digest of now's interval, or of the next
// one not yet reported (a replica whose clock lags the one that reported).
func (r *Relay) recordPart(ctx context.Context, tx workflow.Tx, now time.Time, part digestPart) error {
	data, err := json.Marshal(part)
	if err != nil {
		return err
	}
	iv := r.interval(now)
	for {
		_, err := tx.Idempotency(ctx, digestSource, intervalKey(iv)+"/sent")
		if errors.Is(err, workflow.ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
		iv = iv.Add(r.DigestEvery)
	}
	for n := 1; n <= maxDigestParts; n++ {
		err := tx.SaveIdempotency(ctx, workflow.Idempotency{Source: digestSource, Key: fmt.Sprintf("%s/%d", intervalKey(iv), n),
			Result: string(data), CreatedAt: now})
		if !errors.Is(err, workflow.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("digest of %s: over %d parts", intervalKey(iv), maxDigestParts)
}

// flushDigests queues the digest of each of the last digestLookback
// intervals that is over and not yet reported: one message per HR member,
// keyed by the interval, so replicas flushing at once queue it once.
func (r *Relay) flushDigests(ctx context.Context) error {
	now := r.Clock.Now()
	cur := r.interval(now)
	if cur.Equal(r.flushed) {
		return nil
	}
	for k := digestLookback; k >= 1; k-- {
		iv := cur.Add(-time.Duration(k) * r.DigestEvery)
		if err := r.Store.InTx(ctx, func(tx workflow.Tx) error { return r.flushInterval(ctx, tx, iv, now) }); err != nil {
			return fmt.Errorf("digest of %s: %w", intervalKey(iv), err)
		}
	}
	r.flushed = cur
	return nil
}

func (r *Relay) flushInterval(ctx context.Context, tx workflow.Tx, iv, now time.Time) error {
	key := intervalKey(iv)
	if _, err := tx.Idempotency(ctx, digestSource, key+"/sent"); err == nil {
		return nil
	} else if !errors.Is(err, workflow.ErrNotFound) {
		return err
	}
	var all digestPart
	for n := 1; n <= maxDigestParts; n++ {
		rec, err := tx.Idempotency(ctx, digestSource, fmt.Sprintf("%s/%d", key, n))
		if errors.Is(err, workflow.ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
		var p digestPart
		if err := json.Unmarshal([]byte(rec.Result), &p); err != nil {
			return fmt.Errorf("digest part %s/%d: %w", key, n, err)
		}
		all.Count += p.Count
		for _, l := range p.Lines {
			if len(all.Lines) < maxDigestLines {
				all.Lines = append(all.Lines, l)
			}
		}
	}
	// Marked even when empty: a part that arrives later (a lagging
	// replica's clock) then goes to the next interval instead of waiting
	// here unreported.
	err := tx.SaveIdempotency(ctx, workflow.Idempotency{Source: digestSource, Key: key + "/sent", CreatedAt: now})
	if errors.Is(err, workflow.ErrConflict) {
		return nil // another replica reported it
	}
	if err != nil || all.Count == 0 {
		return err
	}
	lines := all.Lines
	if all.Count > len(lines) {
		lines = append(lines, fmt.Sprintf("……另有%d条", all.Count-len(lines)))
	}
	people, err := tx.People(ctx)
	if err != nil {
		return err
	}
	for _, p := range people {
		if !p.HR {
			continue
		}
		_, err := tx.Enqueue(ctx, workflow.Notification{
			Key: workflow.DedupeKey("undeliverable", key, p.ID), To: p.ID, Template: TplUndeliverable,
			Data: map[string]string{"count": fmt.Sprint(all.Count), "lines": strings.Join(lines, "\n")}, CreatedAt: now,
		})
		if err != nil && !errors.Is(err, workflow.ErrConflict) {
			return err
		}
	}
	r.Log.Warn("undeliverable digest queued", "interval", key, "count", all.Count)
	return nil
}
