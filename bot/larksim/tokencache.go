package larksim

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/kaohe/kaohe/clock"
)

// TokenCache is a token store for the SDK (larkcore.Cache) whose TTLs run
// on a clock.Clock. The SDK's built-in store ages tokens by the wall clock,
// so when a test moves larksim's fake clock two hours ahead the SDK keeps
// sending the expired token: on 99991663 it retries once but does not
// evict it [SDK core/httptransport.go doRequest]. Give the SDK this cache
// with the same clock and it fetches a new token exactly as it would in
// production.
//
// The SDK keeps its token store in a package variable (larkcore.NewCache,
// run by lark.NewClient when lark.WithTokenCache is given), so install it
// once per process — in TestMain, or with a single client created before
// any concurrent ones — or the race detector will object. Tests that run
// several simulators, each on its own fake clock, Bind each app id to its
// clock.
type TokenCache struct {
	clock clock.Clock
	mu    sync.Mutex
	m     map[string]cached
	apps  map[string]clock.Clock
}

type cached struct {
	value   string
	expires time.Time
}

// NewTokenCache returns an empty cache aging entries on c.
func NewTokenCache(c clock.Clock) *TokenCache {
	return &TokenCache{clock: c, m: map[string]cached{}, apps: map[string]clock.Clock{}}
}

// Bind makes the entries of app appID age on clk instead of the default
// clock. The SDK's cache keys contain the app id between colons
// ("tenant_access_token:app_secret:<app_id>:…") [SDK core/tokenmanager.go].
func (c *TokenCache) Bind(appID string, clk clock.Clock) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.apps[appID] = clk
}

// clockFor returns the clock for key. The caller holds c.mu.
func (c *TokenCache) clockFor(key string) clock.Clock {
	for app, clk := range c.apps {
		if strings.Contains(key, ":"+app+":") {
			return clk
		}
	}
	return c.clock
}

// Set stores value under key for ttl.
func (c *TokenCache) Set(_ context.Context, key, value string, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = cached{value: value, expires: c.clockFor(key).Now().Add(ttl)}
	return nil
}

// Get returns the value under key, or "" when absent or expired.
func (c *TokenCache) Get(_ context.Context, key string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || !c.clockFor(key).Now().Before(e.expires) {
		return "", nil
	}
	return e.value, nil
}
