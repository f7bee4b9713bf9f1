package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/ratelimit"
	"github.com/kaohe/kaohe/bot/webhook"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/storage/postgres"
	kredis "github.com/kaohe/kaohe/storage/redis"
	"github.com/kaohe/kaohe/workflow"
)

// deps are the outside services one replica runs on: the system of record
// and what replicas coordinate through.
type deps struct {
	store   workflow.Store
	limiter bot.SendLimiter
	nonces  webhook.NonceStore
	// checks are what /readyz asks, in order.
	checks []readyCheck
	close  func()
}

// readyCheck is one dependency /readyz reports. A critical one that fails
// makes the replica unready (503); a non-critical one is reported but
// leaves it ready, because the replica still answers correctly without it
// (Redis down: callbacks are answered, sending pauses), and taking every
// replica out of the load balancer for it would turn a pause into an
// outage.
type readyCheck struct {
	name     string
	critical bool
	check    func(ctx context.Context) error
}

// Retry bounds for a database that is down at start.
const (
	connectFirstWait = 500 * time.Millisecond
	connectMaxWait   = 15 * time.Second
)

// openDeps connects to what cfg names. The send limiter and the nonce
// cache count real seconds whatever clock the domain runs on (a clock
// file in a test), because Lark's limits and a replay's window do. A PostgreSQL that does not answer
// is retried with backoff until ctx ends, each wait logged and shown on
// /readyz through waiting; then the schema is migrated (or checked) before
// anything reads it.
func openDeps(ctx context.Context, cfg Config, log *slog.Logger, waiting func(reason string)) (*deps, error) {
	clk := clock.Real{}
	d := &deps{close: func() {}}
	switch cfg.Storage {
	case StorageMemory:
		log.Warn("STORAGE IS IN MEMORY: every organisation, entry, approval, vote and reminder record is lost when this process stops; " +
			"set database_url (KAOHE_DATABASE_URL) to keep them in PostgreSQL")
		d.store = memory.New()
	case StoragePostgres:
		pg, err := connectPostgres(ctx, cfg, log, waiting)
		if err != nil {
			return nil, err
		}
		d.store, d.close = pg, pg.Close
		d.checks = append(d.checks, readyCheck{name: "postgres", critical: true, check: pg.Ping})
	}
	if cfg.RedisURL == "" {
		d.limiter = ratelimit.NewMemory(clk)
		d.nonces = webhook.NewMemoryNonceStore(clk, 0)
		if cfg.Storage == StoragePostgres {
			log.Warn("no redis_url: the send limiter and the webhook nonce cache are this process's own; run one replica only")
		}
		return d, nil
	}
	rc, err := kredis.Open(cfg.RedisURL)
	if err != nil {
		d.close()
		return nil, &ConfigError{Field: "redis_url", Env: "KAOHE_REDIS_URL", Msg: err.Error()}
	}
	closePG := d.close
	d.close = func() { _ = rc.Close(); closePG() }
	d.limiter = kredis.NewLimiter(rc, kredis.LimiterConfig{})
	// While Redis is down a replay that reaches another replica passes the
	// per-process cache and is stopped by the event de-duplication in the
	// store (webhook.FallbackNonceStore).
	d.nonces = &webhook.FallbackNonceStore{Primary: kredis.NewNonceStore(rc, ""), Fallback: webhook.NewMemoryNonceStore(clk, 0),
		OnPrimaryError: func(err error) { log.Warn("redis nonce cache unavailable, using this process's own", "err", err) }}
	d.checks = append(d.checks, readyCheck{name: "redis", check: rc.Ping})
	return d, nil
}

// connectPostgres opens the pool, retrying while the database is down,
// then migrates (Migrate auto) or checks the schema version (check). A
// database on a newer schema than this binary is refused in both modes.
func connectPostgres(ctx context.Context, cfg Config, log *slog.Logger, waiting func(string)) (*postgres.Store, error) {
	wait := connectFirstWait
	var pg *postgres.Store
	for {
		var err error
		pg, err = postgres.Open(ctx, cfg.DatabaseURL)
		if err == nil {
			break
		}
		reason := fmt.Sprintf("postgres: %v", err)
		waiting(reason)
		log.Warn("database not reachable, retrying", "in", wait.String(), "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("database never became reachable (%v): %w", err, ctx.Err())
		case <-t.C:
		}
		wait = min(wait*2, connectMaxWait)
	}
	if cfg.Migrate == MigrateAuto {
		waiting("postgres: migrating the schema")
		applied, err := pg.MigrateUp(ctx)
		if err != nil {
			pg.Close()
			return nil, fmt.Errorf("migrate: %w", err)
		}
		if len(applied) > 0 {
			log.Info("schema migrated", "applied", applied)
		}
	}
	if err := pg.CheckSchema(ctx); err != nil {
		pg.Close()
		var se *postgres.SchemaError
		if errors.As(err, &se) && se.DB < se.Binary {
			return nil, fmt.Errorf("%w (run `kaohe migrate up` as the schema owner, or set migrate: auto)", err)
		}
		return nil, err
	}
	return pg, nil
}
