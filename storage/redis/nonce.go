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
// delivered to one replica cannot be replayed to another. Each Seen is one
// SET NX PX: Redis checks and records in one step, so of concurrent calls
// with one nonce, on any replicas, exactly one gets false. Nonces expire
// with their ttl on Redis's clock.
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

// Seen implements webhook.NonceStore. A ttl below a millisecond, PX's
// resolution, is rounded up to one. Errors wrap webhook.ErrNonceStore (ttl
// not positive, Redis down or failing), or are ctx.Err() when ctx is done.
func (s *NonceStore) Seen(ctx context.Context, nonce string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if ttl <= 0 {
		return false, fmt.Errorf("%w: ttl %v is not positive", webhook.ErrNonceStore, ttl)
	}
	if r := ttl % time.Millisecond; r != 0 {
		ttl += time.Millisecond - r
	}
	set, err := s.rdb.SetNX(ctx, s.prefix+nonce, 1, ttl).Result()
	if err != nil {
		if ctxErr := ctxDone(ctx); ctxErr != nil {
			return false, ctxErr
		}
		return false, fmt.Errorf("%w: redis: %w", webhook.ErrNonceStore, err)
	}
	return !set, nil
}
