package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kaohe/kaohe/bot/webhook"
)

// DefaultNoncePrefix starts the nonce store's key names unless
// NewNonceStore is given another.
const DefaultNoncePrefix = "kaohe:nonce:"

// NonceStore is a webhook.NonceStore in Redis, so that a callback
// delivered to one replica cannot be replayed to another, and a
// byte-identical redelivery finds the first answer whichever replica gets
// it. Each nonce is one hash (fp: the fingerprint of the delivery holding
// it; st: p pending, d answered, f failed; ans: the answer) expiring with
// its ttl on Redis's clock. Every method is one Lua script, so Redis checks
// and changes a nonce in one step: of concurrent claims of a new nonce, on
// any replicas, exactly one is fresh.
//
// A key of another type under the prefix (the plain "1" an older kaohe
// wrote for a seen nonce) counts as held by another delivery: a rolling
// upgrade never forgets a nonce.
type NonceStore struct {
	rdb    *goredis.Client
	prefix string
}

var _ webhook.NonceStore = (*NonceStore)(nil)

// NewNonceStore returns a nonce store on c's Redis whose keys start with
// prefix ("" means DefaultNoncePrefix).
func NewNonceStore(c *Client, prefix string) *NonceStore {
	if prefix == "" {
		prefix = DefaultNoncePrefix
	}
	return &NonceStore{rdb: c.rdb, prefix: prefix}
}

// The scripts. KEYS[1] is the nonce's key, ARGV[1] the fingerprint. Each
// answers {state} or {"answered", answer}.
var (
	// claimScript: ARGV[2] is the ttl in milliseconds.
	claimScript = goredis.NewScript(`
local t = redis.call('TYPE', KEYS[1]).ok
if t == 'none' then
  redis.call('HSET', KEYS[1], 'fp', ARGV[1], 'st', 'p')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'fresh'}
end
if t ~= 'hash' then return {'conflict'} end
local v = redis.call('HMGET', KEYS[1], 'fp', 'st', 'ans')
if v[1] ~= ARGV[1] then return {'conflict'} end
if v[2] == 'd' then return {'answered', v[3] or ''} end
if v[2] == 'f' then
  redis.call('HSET', KEYS[1], 'st', 'p')
  return {'fresh'}
end
return {'pending'}
`)
	peekScript = goredis.NewScript(`
local t = redis.call('TYPE', KEYS[1]).ok
if t == 'none' then return {'fresh'} end
if t ~= 'hash' then return {'conflict'} end
local v = redis.call('HMGET', KEYS[1], 'fp', 'st', 'ans')
if v[1] ~= ARGV[1] then return {'conflict'} end
if v[2] == 'd' then return {'answered', v[3] or ''} end
if v[2] == 'f' then return {'fresh'} end
return {'pending'}
`)
	// settleScript: ARGV[2] is the new state, ARGV[3] the answer (for d).
	// HSET keeps the key's expiry.
	settleScript = goredis.NewScript(`
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return 0 end
local v = redis.call('HMGET', KEYS[1], 'fp', 'st')
if v[1] ~= ARGV[1] or v[2] ~= 'p' then return 0 end
if ARGV[2] == 'd' then
  redis.call('HSET', KEYS[1], 'st', 'd', 'ans', ARGV[3])
else
  redis.call('HSET', KEYS[1], 'st', ARGV[2])
end
return 1
`)
)

// Claim implements webhook.NonceStore. A ttl below a millisecond, PX's
// resolution, is rounded up to one. Errors wrap webhook.ErrNonceStore (ttl
// not positive, Redis down or failing), or are ctx.Err() when ctx is done.
func (s *NonceStore) Claim(ctx context.Context, nonce, fp string, ttl time.Duration) (webhook.Claim, error) {
	if err := ctx.Err(); err != nil {
		return webhook.Claim{}, err
	}
	if ttl <= 0 {
		return webhook.Claim{}, fmt.Errorf("%w: ttl %v is not positive", webhook.ErrNonceStore, ttl)
	}
	ms := (ttl + time.Millisecond - 1) / time.Millisecond
	return s.run(ctx, claimScript, nonce, fp, int64(ms))
}

// Peek implements webhook.NonceStore.
func (s *NonceStore) Peek(ctx context.Context, nonce, fp string) (webhook.Claim, error) {
	if err := ctx.Err(); err != nil {
		return webhook.Claim{}, err
	}
	return s.run(ctx, peekScript, nonce, fp)
}

// Answer implements webhook.NonceStore.
func (s *NonceStore) Answer(ctx context.Context, nonce, fp string, answer []byte) error {
	return s.settle(ctx, nonce, fp, "d", answer)
}

// Release implements webhook.NonceStore.
func (s *NonceStore) Release(ctx context.Context, nonce, fp string) error {
	return s.settle(ctx, nonce, fp, "f", nil)
}

func (s *NonceStore) settle(ctx context.Context, nonce, fp, state string, answer []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := settleScript.Run(ctx, s.rdb, []string{s.prefix + nonce}, fp, state, answer).Err(); err != nil {
		return s.fail(ctx, err)
	}
	return nil
}

// run runs a claim or peek script and decodes its answer.
func (s *NonceStore) run(ctx context.Context, script *goredis.Script, nonce, fp string, args ...any) (webhook.Claim, error) {
	res, err := script.Run(ctx, s.rdb, []string{s.prefix + nonce}, append([]any{fp}, args...)...).Slice()
	if err != nil {
		return webhook.Claim{}, s.fail(ctx, err)
	}
	state, _ := res[0].(string)
	switch state {
	case "fresh":
		return webhook.Claim{State: webhook.ClaimFresh}, nil
	case "pending":
		return webhook.Claim{State: webhook.ClaimPending}, nil
	case "conflict":
		return webhook.Claim{State: webhook.ClaimConflict}, nil
	case "answered":
		if len(res) == 2 {
			if a, ok := res[1].(string); ok {
				return webhook.Claim{State: webhook.ClaimAnswered, Answer: []byte(a)}, nil
			}
		}
	}
	return webhook.Claim{}, fmt.Errorf("%w: redis: unexpected script answer %v", webhook.ErrNonceStore, res)
}

// fail turns a Redis error into ctx's error or one wrapping ErrNonceStore.
func (s *NonceStore) fail(ctx context.Context, err error) error {
	if ctxErr := ctxDone(ctx); ctxErr != nil {
		return ctxErr
	}
	return fmt.Errorf("%w: redis: %w", webhook.ErrNonceStore, err)
}
