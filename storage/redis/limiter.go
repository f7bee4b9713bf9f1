package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kaohe/kaohe/bot/ratelimit"
)

// DefaultLimiterPrefix starts the limiter's key names unless
// LimiterConfig.Prefix says otherwise.
const DefaultLimiterPrefix = "kaohe:rl:"

// LimiterConfig configures a Limiter.
type LimiterConfig struct {
	// Prefix starts every key name; "" means DefaultLimiterPrefix. Every
	// replica of one deployment must use the same prefix, or they stop
	// sharing limits; different deployments sharing a Redis (or tests)
	// use different ones.
	Prefix string
	// NowFunc, if set, gives the time, which is passed to the script. Nil
	// means the script reads Redis's own TIME, which production wants:
	// with each replica's clock, a replica running 100 ms ahead would see
	// every slot 100 ms early and send inside the interval the others are
	// keeping, and skew would break burst 1. Tests set NowFunc to a fake
	// clock's Now. With NowFunc, keys linger a minute past their state's
	// end, because Redis expires them on its own clock.
	NowFunc func() time.Time
}

// Limiter is a ratelimit.Limiter whose state lives in Redis, so every
// replica of the bot shares Lark's send limits: GCRA at burst 1 for each
// limit of each key, and a penalty end per key.
//
// One Allow is one Lua script over every key involved, because a script
// runs atomically: it checks every limit and penalty and then counts the
// send on all keys or on none. redis_rate decides one key per call, so a
// send allowed by the app key and then denied by a busy chat would already
// have used the app's slot, and two replicas could interleave between the
// keys; that is why the limiter has its own script rather than redis_rate.
//
// State is kept in microseconds, the resolution of Redis's TIME; intervals
// and penalties are rounded up to a whole microsecond, so rounding can
// only make the limiter stricter. Each key expires once its state no
// longer constrains anything, so idle chats cost Redis nothing.
type Limiter struct {
	rdb    *goredis.Client
	prefix string
	now    func() time.Time
	// slackMs is added to every key's expiry. With Redis's clock, 1 ms
	// covers PX's millisecond rounding. With NowFunc, the caller's clock
	// may run behind Redis's (a fake clock does, arbitrarily), and a key
	// that expired in Redis's time while it still binds in the caller's
	// would let a send through; a minute of lingering is cheap.
	slackMs int64
}

var _ ratelimit.Limiter = (*Limiter)(nil)

// NewLimiter returns a limiter on c's Redis.
func NewLimiter(c *Client, cfg LimiterConfig) *Limiter {
	l := &Limiter{rdb: c.rdb, prefix: cfg.Prefix, now: cfg.NowFunc, slackMs: 1}
	if l.prefix == "" {
		l.prefix = DefaultLimiterPrefix
	}
	if l.now != nil {
		l.slackMs = time.Minute.Milliseconds()
	}
	return l
}

// luaNow starts both scripts: now in µs, from ARGV[1] or, when that is
// empty, from Redis's own clock (TIME), which every replica shares.
const luaNow = `if redis.replicate_commands then redis.replicate_commands() end
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[1])
end`

// allowScript decides one send against every key (see Limiter).
//
// KEYS: for each rate-limit key, its penalty key and then one key per
// limit, each holding an instant in µs (a penalty's end, a limit's
// theoretical arrival time).
// ARGV: now in µs ("" to read TIME), expiry slack in ms, the number of
// rate-limit keys, then for each: its number of limits and each limit's
// interval in µs.
// Reply: {allowed 0|1, wait µs, 1-based index of the key with the longest
// wait, penalized 0|1}.
//
// The first key found with the longest wait wins, penalty before limits,
// as in ratelimit.Memory. Instants are integers below 2^53, exact in
// Lua's doubles, and are written with %.0f because tostring would round
// them to 14 digits.
var allowScript = goredis.NewScript(luaNow + `
local function instant(key)
  local raw = redis.call('GET', key)
  if not raw then return nil end
  local v = tonumber(raw)
  if not v then error('kaohe: ' .. key .. ' does not hold an instant') end
  return v
end
local slack = tonumber(ARGV[2])
local wait, worst, penalized = 0, 0, 0
local k, a = 1, 4
local cells = {}
for i = 1, tonumber(ARGV[3]) do
  local p = instant(KEYS[k])
  k = k + 1
  if p and p - now > wait then wait, worst, penalized = p - now, i, 1 end
  local limits = tonumber(ARGV[a])
  a = a + 1
  for _ = 1, limits do
    local interval = tonumber(ARGV[a])
    a = a + 1
    local tat = instant(KEYS[k])
    if tat and tat - now > wait then wait, worst, penalized = tat - now, i, 0 end
    cells[#cells + 1] = {KEYS[k], interval}
    k = k + 1
  end
end
if wait > 0 then return {0, wait, worst, penalized} end
for _, c in ipairs(cells) do
  redis.call('SET', c[1], string.format('%.0f', now + c[2]),
    'PX', string.format('%.0f', math.ceil(c[2] / 1000) + slack))
end
return {1, 0, 0, 0}
`)

// penalizeScript extends one key's penalty.
//
// KEYS: the penalty key. ARGV: now in µs ("" to read TIME), the penalty in
// µs, expiry slack in ms. A penalty ending no later than the current one
// changes nothing, so the current expiry stands.
var penalizeScript = goredis.NewScript(luaNow + `
local d = tonumber(ARGV[2])
local ends = now + d
local raw = redis.call('GET', KEYS[1])
if raw then
  local cur = tonumber(raw)
  if not cur then error('kaohe: ' .. KEYS[1] .. ' does not hold an instant') end
  if cur >= ends then return 0 end
end
redis.call('SET', KEYS[1], string.format('%.0f', ends),
  'PX', string.format('%.0f', math.ceil(d / 1000) + tonumber(ARGV[3])))
return 1
`)

// Allow implements ratelimit.Limiter. Its errors are ratelimit.ErrInvalid
// and ratelimit.ErrUnavailable (wrapped) and ctx.Err().
func (l *Limiter) Allow(ctx context.Context, keys ...ratelimit.Key) (ratelimit.Result, error) {
	if err := ctx.Err(); err != nil {
		return ratelimit.Result{}, err
	}
	if len(keys) == 0 {
		return ratelimit.Result{}, fmt.Errorf("allow: %w: no keys", ratelimit.ErrInvalid)
	}
	for _, k := range keys {
		if err := validateKey(k); err != nil {
			return ratelimit.Result{}, fmt.Errorf("allow: %w", err)
		}
	}
	names := make([]string, 0, 2*len(keys))
	args := make([]any, 0, 3+2*len(keys))
	args = append(args, l.nowArg(), l.slackMs, len(keys))
	for _, k := range keys {
		names = append(names, l.penaltyKey(k.Name))
		args = append(args, len(k.Limits))
		for _, lim := range k.Limits {
			names = append(names, l.tatKey(k.Name, lim))
			args = append(args, micros(lim.Interval()))
		}
	}
	v, err := allowScript.Run(ctx, l.rdb, names, args...).Int64Slice()
	if err != nil {
		return ratelimit.Result{}, unavailable(ctx, "allow", err)
	}
	switch {
	case len(v) == 4 && v[0] == 1:
		return ratelimit.Result{Allowed: true}, nil
	case len(v) == 4 && v[0] == 0 && v[1] > 0 && v[2] >= 1 && v[2] <= int64(len(keys)):
		return ratelimit.Result{
			RetryAfter: time.Duration(v[1]) * time.Microsecond,
			Key:        keys[v[2]-1].Name,
			Penalized:  v[3] == 1,
		}, nil
	default:
		return ratelimit.Result{}, fmt.Errorf("allow: %w: unexpected reply %v", ratelimit.ErrUnavailable, v)
	}
}

// Penalize implements ratelimit.Limiter. Its errors are
// ratelimit.ErrInvalid and ratelimit.ErrUnavailable (wrapped) and
// ctx.Err().
func (l *Limiter) Penalize(ctx context.Context, key ratelimit.Key, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateKey(key); err != nil {
		return fmt.Errorf("penalize: %w", err)
	}
	if d <= 0 {
		return fmt.Errorf("penalize %s: %w: penalty %v is not positive", key.Name, ratelimit.ErrInvalid, d)
	}
	err := penalizeScript.Run(ctx, l.rdb, []string{l.penaltyKey(key.Name)}, l.nowArg(), micros(d), l.slackMs).Err()
	if err != nil {
		return unavailable(ctx, "penalize "+key.Name, err)
	}
	return nil
}

// penaltyKey names the key holding name's penalty end.
func (l *Limiter) penaltyKey(name string) string { return l.prefix + "p:" + name }

// tatKey names the key holding one limit's theoretical arrival time. Two
// limits of a name are two counters, as in ratelimit.Memory; the limit
// comes before the name ("5/1s" holds no colon), so no two (name, limit)
// pairs share a key.
func (l *Limiter) tatKey(name string, lim ratelimit.Limit) string {
	return l.prefix + "t:" + lim.String() + ":" + name
}

// nowArg is the script's time argument: "" makes it read Redis's TIME.
func (l *Limiter) nowArg() string {
	if l.now == nil {
		return ""
	}
	return strconv.FormatInt(l.now().UnixMicro(), 10)
}

// micros is d in whole microseconds, rounded up, so that a rounded
// interval or penalty is never shorter than asked.
func micros(d time.Duration) int64 {
	us := int64(d / time.Microsecond)
	if d%time.Microsecond != 0 {
		us++
	}
	return us
}

// validateKey is ratelimit's own check of a key and its limits, which the
// package does not export; the conformance suite keeps the two in step.
func validateKey(k ratelimit.Key) error {
	if k.Name == "" || len(k.Name) > ratelimit.MaxKeyName {
		return fmt.Errorf("%w: key name %q must have 1 to %d bytes", ratelimit.ErrInvalid, k.Name, ratelimit.MaxKeyName)
	}
	for _, lim := range k.Limits {
		if lim.Rate <= 0 || lim.Period <= 0 {
			return fmt.Errorf("key %s: %w: limit %v must have a positive rate and period", k.Name, ratelimit.ErrInvalid, lim)
		}
	}
	return nil
}

// unavailable turns a failed Redis call into the limiter's error: the
// context's error when the caller gave up, else ErrUnavailable, so the
// sender fails closed.
func unavailable(ctx context.Context, op string, err error) error {
	if ctxErr := ctxDone(ctx); ctxErr != nil {
		return ctxErr
	}
	return fmt.Errorf("%s: %w: %w", op, ratelimit.ErrUnavailable, err)
}
