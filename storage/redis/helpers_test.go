package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"
)

// testURL returns TEST_REDIS_URL. When it is unset or Redis does not
// answer, the test is skipped, or fails when CI is set: CI must never pass
// by skipping the integration tests.
func testURL(tb testing.TB) string {
	tb.Helper()
	missing := func(format string, args ...any) {
		tb.Helper()
		if os.Getenv("CI") != "" {
			tb.Fatalf(format+" (CI is set, so Redis is required)", args...)
		}
		tb.Skipf(format, args...)
	}
	u := os.Getenv("TEST_REDIS_URL")
	if u == "" {
		missing("TEST_REDIS_URL is not set")
	}
	u = patientURL(u)
	c, err := Open(u)
	if err != nil {
		tb.Fatalf("TEST_REDIS_URL: %v", err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx); err != nil {
		missing("TEST_REDIS_URL: %v", err)
	}
	return u
}

// patientURL gives the tests' clients longer timeouts than a callback may
// wait in production (DefaultTimeout), unless the URL sets its own: CI runs
// the whole suite at once on two cores, and a test that fails because the
// machine was busy proves nothing. The closed-port tests use their own URL.
func patientURL(u string) string {
	if strings.Contains(u, "timeout") {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "dial_timeout=5s&read_timeout=5s&write_timeout=5s&pool_timeout=5s"
}

// testClient opens a new client (its own connection pool, as a replica
// has) to the test Redis, closed when the test ends.
func testClient(tb testing.TB, u string) *Client {
	tb.Helper()
	c, err := Open(u)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// testPrefix returns a key prefix no other test uses and deletes its keys
// when the test ends (they would expire anyway).
func testPrefix(tb testing.TB, c *Client) string {
	tb.Helper()
	var b [6]byte
	rand.Read(b[:])
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, tb.Name())
	prefix := "kaohe:test:" + name + ":" + hex.EncodeToString(b[:]) + ":"
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// prefix holds no glob characters, so it matches itself.
		iter := c.rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			tb.Logf("clean up %s: %v", prefix, err)
			return
		}
		if len(keys) > 0 {
			if err := c.rdb.Del(ctx, keys...).Err(); err != nil {
				tb.Logf("clean up %s: %v", prefix, err)
			}
		}
	})
	return prefix
}
