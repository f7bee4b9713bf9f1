// Package redis is kaohe's coordination through Redis: the send limiter
// that every replica of the bot shares (Limiter, a ratelimit.Limiter) and
// the webhook's replay guard (NonceStore, a webhook.NonceStore). Open
// connects to one Redis with timeouts short enough for a callback path;
// Client.Ping is the readiness check.
//
// Redis is coordination only, never the only copy of anything. What it
// holds is GCRA state, penalty ends and nonces, all of which expire on
// their own; losing all of it (a restart without persistence, a flush)
// costs at most one early send per key and an unfinished penalty, which
// Lark answers with a 429 and a new penalty, and a replay window that the
// inbound_dedupe table in PostgreSQL still closes. Messages live in the
// outbox and decisions in PostgreSQL, never here.
//
// When Redis is down or slow, every call fails within the client's
// timeouts (DefaultTimeout) rather than hang:
//
//   - Limiter fails closed: Allow and Penalize return an error wrapping
//     ratelimit.ErrUnavailable, the relay stops sending and the outbox
//     keeps every message until Redis answers again. Nothing is lost; only
//     latency grows.
//   - NonceStore returns an error wrapping webhook.ErrNonceStore. On its
//     own that makes the webhook answer 503; the caller pairs it with
//     webhook.FallbackNonceStore over a MemoryNonceStore so that callbacks
//     are still answered, with per-replica replay protection for the time.
//
// Key names start with a configurable prefix (DefaultLimiterPrefix,
// DefaultNoncePrefix) so that several deployments can share one Redis and
// tests can each use their own. With Redis Cluster, put a hash tag in the
// limiter's prefix (e.g. "{kaohe}:rl:"): one Allow touches several keys in
// one script, and a script's keys must live in one slot.
package redis
