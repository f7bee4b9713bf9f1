package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"time"

	"github.com/kaohe/kaohe/bot/ratelimit"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/workflow"
)

// Sender sends a card; *Lark implements it.
type Sender interface {
	// SendCard sends card to a user or chat with Lark's idempotency uuid and
	// returns the message id, or an *APIError.
	SendCard(ctx context.Context, to Recipient, card []byte, uuid string) (string, error)
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
// one-hour window. A notification still unsent after MaxAge is marked dead
// (before that window ends) and HR is told.
type Relay struct {
	Store   workflow.Store
	Sender  Sender
	Render  RenderFunc
	Limiter SendLimiter
	Clock   clock.Clock
	Log     *slog.Logger
	// MaxAge bounds retries; it must stay under Lark's 1-hour uuid window.
	MaxAge time.Duration
	// Batch is how many notifications one claim takes.
	Batch int
	// Lease is how long a claimed batch is this relay's alone; it must
	// outlast sending a whole batch at Lark's pace (a batch of 100 to one
	// chat at 5/s takes 20 s).
	Lease time.Duration
	// Sleep waits between paced sends; default a real timer. Tests that run
	// on a fake clock pass one that advances it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// RelayReport counts what one pass did.
type RelayReport struct {
	Sent, Retry, Dead int
}

// maxUUIDWindow is Lark's de-duplication window for a message uuid.
const maxUUIDWindow = time.Hour

func (r *Relay) defaults() {
	if r.MaxAge <= 0 || r.MaxAge >= maxUUIDWindow {
		r.MaxAge = 50 * time.Minute
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

// appKey is the limiter key of message sends app-wide.
var appKey = ratelimit.AppKey("im.message.create")

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

// droppable templates are reminders whose moment passes: after Lark was
// unreachable for the whole uuid window they are dropped, not re-sent
// late. Everything else (results, 公示, decisions, assignments) is re-sent
// once under a new uuid.
var droppable = map[string]bool{
	workflow.TplRemind: true, workflow.TplEscalate: true, workflow.TplFilingDue: true, workflow.TplFeedbackDue: true,
}

// resentKey marks a notification's Data as the re-send of an expired one.
const resentKey = "resent"

// expire handles a notification whose uuid window is over: a reminder is
// buried, anything else is queued again once under a new uuid (a previous
// attempt could only have been delivered if Lark lost its answer, and a
// result seen twice is better than a result lost).
func (r *Relay) expire(ctx context.Context, n workflow.Notification, rep *RelayReport) (*grave, error) {
	if droppable[n.Template] {
		rep.Dead++
		if n.Attempts == 0 { // begun by a relay that died before Lark answered
			return &grave{n, "发送途中服务中断，无法确认是否已送达；提醒已过时，不再补发"}, nil
		}
		return &grave{n, "飞书在重试期限内一直无法送达，提醒已过时，不再补发"}, nil
	}
	if n.Data[resentKey] != "" {
		rep.Dead++
		return &grave{n, "飞书在两个重试期限内都无法送达"}, nil
	}
	now := r.Clock.Now()
	data := maps.Clone(n.Data)
	if data == nil {
		data = map[string]string{}
	}
	data[resentKey] = "1"
	err := r.Store.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.MarkNotification(ctx, n.ID, workflow.NoteDead, now); err != nil {
			return err
		}
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
	now := r.Clock.Now()
	// Lark lets one request per uuid succeed within an hour of the first;
	// past MaxAge from the first attempt a retry is no longer covered. A
	// notification never attempted (Lark unreachable, sending paused) has
	// no window running yet.
	if !n.FirstAttemptAt.IsZero() && now.Sub(n.FirstAttemptAt) > r.MaxAge {
		return r.expire(ctx, n, rep)
	}
	card, err := r.Render(n)
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
	_, err = r.Sender.SendCard(ctx, Recipient{ID: n.To, Chat: n.Chat}, card, n.Key)
	if err == nil {
		rep.Sent++
		return nil, r.mark(ctx, n.ID, workflow.NoteSent)
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = &APIError{Op: "send", Msg: err.Error(), Kind: KindTransient}
	}
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

func undeliverableReason(ae *APIError) string {
	switch ae.Kind {
	case KindRecipientGone:
		return fmt.Sprintf("收件人已离职、不在应用可用范围内或已停用机器人（错误码%d）", ae.Code)
	case KindNoAccess:
		return fmt.Sprintf("机器人不在该群或无发言权限（错误码%d）", ae.Code)
	}
	switch ae.Code {
	case 230028:
		return "消息含有明文电话号码、邮箱等内容，被飞书数据防泄漏审查拦截（错误码230028）"
	case 230022:
		return "消息内容含有敏感信息，被飞书拦截（错误码230022）"
	}
	return fmt.Sprintf("飞书拒绝了该消息（错误码%d：%s）", ae.Code, ae.Msg)
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
// one digest per relay batch, not one message per failure, so an hour of
// Lark being down is one message, not hundreds. Data: count, and lines
// (newline-separated "recipient · message · reason", at most
// maxDigestLines). It is the bot's own template.
const TplUndeliverable = "undeliverable"

// maxDigestLines bounds the lines of one digest.
const maxDigestLines = 10

// bury marks the batch's given-up notifications dead and, in the same
// transaction, sends every HR member one digest of them (a digest itself
// is buried without another, to avoid loops).
func (r *Relay) bury(ctx context.Context, graves []grave) error {
	if len(graves) == 0 {
		return nil
	}
	now := r.Clock.Now()
	err := r.Store.InTx(ctx, func(tx workflow.Tx) error {
		people, err := tx.People(ctx)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, p := range people {
			names[p.ID] = p.Name
		}
		var lines []string
		count := 0
		for _, g := range graves {
			err := tx.MarkNotification(ctx, g.n.ID, workflow.NoteDead, now)
			if errors.Is(err, workflow.ErrStale) {
				continue // another relay delivered it meanwhile
			}
			if err != nil {
				return err
			}
			if g.n.Template == TplUndeliverable {
				continue
			}
			count++
			if len(lines) < maxDigestLines {
				to := g.n.To
				if name := names[to]; name != "" {
					to = name
				}
				lines = append(lines, to+" · "+g.n.Template+" · "+g.reason)
			}
		}
		if count == 0 {
			return nil
		}
		if count > len(lines) {
			lines = append(lines, fmt.Sprintf("……另有%d条", count-len(lines)))
		}
		for _, p := range people {
			if !p.HR {
				continue
			}
			_, err := tx.Enqueue(ctx, workflow.Notification{
				Key: workflow.DedupeKey("undeliv", fmt.Sprint(graves[0].n.ID), p.ID), To: p.ID, Template: TplUndeliverable,
				Data: map[string]string{"count": fmt.Sprint(count), "lines": strings.Join(lines, "\n")}, CreatedAt: now,
			})
			if err != nil && !errors.Is(err, workflow.ErrConflict) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bury %d notifications: %w", len(graves), err)
	}
	return nil
}
