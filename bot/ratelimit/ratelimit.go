// Package ratelimit holds the send limits that every sender — the outbox
// relay in every replica — must share (docs/reliability.md §3,
// docs/lark.md §1.2).
//
// Lark limits sends per API and app (50/s and 1000/min: either bound trips
// it) and per receiving user or chat (5/s). Each send therefore checks two
// keys at once, the app-wide key for the API and the receiver's key, and is
// allowed only if every limit of every key allows it. Limits are enforced
// with GCRA at burst 1, which spaces sends at least Period/Rate apart: with
// a larger burst several replicas at 5/s let 9 requests into one second;
// with burst 1, exactly 5. A consequence worth knowing: at burst 1 the
// 1000/min bound spaces app-wide sends 60 ms apart (≈16.7/s sustained), so
// it, not 50/s, sets the app's pace.
//
// After Lark answers 429 (code 99991400) or 230020, the sender calls
// Penalize with the wait from x-ogw-ratelimit-reset (ResetAfter parses it);
// every sender then holds off that key until the penalty ends.
//
// Implementations fail closed: any error means "do not send now". The
// outbox keeps the message, so pausing costs latency, never a message.
// This package has the in-process implementation, Memory; a Redis one
// (shared by replicas) must satisfy the same Limiter contract.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Limit is Rate events per Period, enforced at burst 1.
type Limit struct {
	// Rate is how many events a Period allows; positive.
	Rate int
	// Period is the window the Rate applies to; positive.
	Period time.Duration
}

// PerSecond returns a limit of n per second.
func PerSecond(n int) Limit { return Limit{Rate: n, Period: time.Second} }

// PerMinute returns a limit of n per minute.
func PerMinute(n int) Limit { return Limit{Rate: n, Period: time.Minute} }

// Interval is the least spacing between two events: Period/Rate, rounded
// up, so that Rate+1 events can never fit in one Period.
func (l Limit) Interval() time.Duration {
	return (l.Period + time.Duration(l.Rate) - 1) / time.Duration(l.Rate)
}

// String formats the limit as "50/1s".
func (l Limit) String() string { return strconv.Itoa(l.Rate) + "/" + l.Period.String() }

// validate reports why l cannot be enforced, if it cannot.
func (l Limit) validate() error {
	if l.Rate <= 0 || l.Period <= 0 {
		return fmt.Errorf("%w: limit %v must have a positive rate and period", ErrInvalid, l)
	}
	return nil
}

// Lark's documented limits. [docs/lark.md §0, §1.2]
var (
	// LarkApp is the per-API, per-app limit of tier 4 APIs such as
	// im/v1/messages: 50/s and 1000/min.
	LarkApp = []Limit{PerSecond(50), PerMinute(1000)}
	// LarkReceiver is the per-user and per-chat send limit: 5/s (a group's
	// is shared by every bot in it).
	LarkReceiver = []Limit{PerSecond(5)}
)

// Key names what a limit is counted against, with the limits that apply to
// it. Two keys with the same Name are the same counter, so every sender
// must use the same Limits for a Name (build keys with AppKey, ChatKey and
// UserKey).
type Key struct {
	// Name identifies the counter, e.g. "app:im.message.create" or
	// "chat:oc_…". Non-empty, no longer than MaxKeyName.
	Name string
	// Limits must all hold. Empty means the key is subject only to
	// penalties.
	Limits []Limit
}

// MaxKeyName bounds Key.Name, which becomes a Redis key.
const MaxKeyName = 200

// AppKey is the app-wide key for one Open API (Lark limits each API
// separately), with LarkApp limits.
func AppKey(api string) Key { return Key{Name: "app:" + api, Limits: LarkApp} }

// ChatKey is the key for sends into one chat (group or p2p), with
// LarkReceiver limits.
func ChatKey(chatID string) Key { return Key{Name: "chat:" + chatID, Limits: LarkReceiver} }

// UserKey is the key for sends to one user, with LarkReceiver limits. Use
// it when the receiver is addressed by open_id and its p2p chat id is not
// known; when it is known, ChatKey counts the same sends.
func UserKey(openID string) Key { return Key{Name: "user:" + openID, Limits: LarkReceiver} }

// validate reports why k cannot be used, if it cannot.
func (k Key) validate() error {
	if k.Name == "" || len(k.Name) > MaxKeyName {
		return fmt.Errorf("%w: key name %q must have 1 to %d bytes", ErrInvalid, k.Name, MaxKeyName)
	}
	for _, l := range k.Limits {
		if err := l.validate(); err != nil {
			return fmt.Errorf("key %s: %w", k.Name, err)
		}
	}
	return nil
}

// Result is the outcome of Limiter.Allow.
type Result struct {
	// Allowed reports that the send was counted against every key and may
	// go now.
	Allowed bool
	// RetryAfter, when not Allowed, is how long until the send could be
	// allowed, as far as the limiter can tell now; other senders may take
	// that slot first, so the caller asks again then.
	RetryAfter time.Duration
	// Key, when not Allowed, names the key that imposed the longest wait,
	// so a relay can tell a busy chat (try another chat's message) from a
	// busy or penalized app (pause everything).
	Key string
	// Penalized reports that Key is denied by a penalty, not by its rate.
	Penalized bool
}

// Limiter is what a sender asks before each Lark call. Implementations are
// safe for concurrent use, and every replica's limiter for one app must
// share state (the in-process Memory shares nothing across processes).
type Limiter interface {
	// Allow decides one send against all keys at once: if every limit of
	// every key allows it now and no key is penalized, it is counted
	// against all of them and Result.Allowed is true; otherwise nothing is
	// counted and Result says how long to wait and why. Counting on every
	// key or none means a send denied by a busy chat does not use up the
	// app's capacity.
	//
	// Errors: ErrInvalid (wrapped) for no keys, an empty or overlong key
	// name, or a limit without a positive rate and period; ErrUnavailable
	// (wrapped) when the backend cannot be reached or answered badly;
	// ctx.Err() when ctx is done. On any error the caller must not send
	// (fail closed).
	Allow(ctx context.Context, keys ...Key) (Result, error)

	// Penalize denies every send that involves key for d from now, as
	// Lark asks after a 429 (x-ogw-ratelimit-reset seconds). A penalty
	// only ever extends: a shorter one than the current never shortens it.
	// Penalties are keyed by Name alone, so a penalty on the app key stops
	// every send of the app, from every sender sharing the backend.
	//
	// Errors: ErrInvalid (wrapped) for a bad key or d ≤ 0; ErrUnavailable
	// (wrapped) when the backend cannot be reached; ctx.Err() when ctx is
	// done. A failed Penalize must be followed by pausing locally (the
	// backend is down, so Allow will fail closed anyway).
	Penalize(ctx context.Context, key Key, d time.Duration) error
}

// Errors returned (wrapped) by Limiter implementations.
var (
	// ErrInvalid: the keys, limits or penalty make no sense; a bug in the
	// caller.
	ErrInvalid = errors.New("ratelimit: invalid argument")
	// ErrUnavailable: the shared backend (Redis) is down or misbehaving.
	// Do not send; the outbox keeps the message.
	ErrUnavailable = errors.New("ratelimit: limiter unavailable")
)

// Lark's rate-limit response headers. [docs/lark.md §1.2]
const (
	HeaderLimit = "x-ogw-ratelimit-limit"
	HeaderReset = "x-ogw-ratelimit-reset"
)

// ResetAfter reads x-ogw-ratelimit-reset (whole seconds) from a rate-limited
// response. ok is false when the header is missing or not a positive
// integer; the caller then penalizes with its own back-off.
func ResetAfter(h http.Header) (d time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get(HeaderReset))
	n, err := strconv.ParseInt(v, 10, 64)
	// A day bounds a confused header: Lark's windows are a minute at most.
	if err != nil || n <= 0 || n > 86400 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}
