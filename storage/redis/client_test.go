package redis

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestOpen: timeouts default to DefaultTimeout and retries are off unless
// the URL says otherwise; a bad URL is refused without echoing its
// password.
func TestOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		url         string
		wantTimeout time.Duration // dial, read, write and pool
		wantRetries int           // as go-redis reports it: 0 is none
		wantErr     string        // a substring of the error; "" for success
	}{
		{name: "ShortTimeoutsNoRetries", url: "redis://127.0.0.1:6379/0",
			wantTimeout: DefaultTimeout, wantRetries: 0},
		{name: "URLTimeoutsWin", url: "redis://127.0.0.1:6379/0?dial_timeout=2s&read_timeout=2s&write_timeout=2s&pool_timeout=2s&max_retries=2",
			wantTimeout: 2 * time.Second, wantRetries: 2},
		{name: "ErrBadScheme", url: "http://127.0.0.1:6379/0", wantErr: "invalid URL scheme"},
		{name: "ErrBadDatabase", url: "redis://kaohe:s3cret@127.0.0.1:6379/zero", wantErr: "invalid database number"},
		{name: "ErrUnparsableURLHidesPassword", url: "redis://kaohe:s3cret@[::1:6379/0", wantErr: "bad url"},
		{name: "ErrUnknownOption", url: "redis://kaohe:s3cret@127.0.0.1:6379/0?colour=blue", wantErr: "unexpected option"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Open(tc.url)
			if tc.wantErr != "" {
				if err == nil {
					c.Close()
					t.Fatalf("Open(%q) succeeded, want an error", tc.url)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %q, want it to mention %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("err = %q repeats the password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer c.Close()
			o := c.rdb.Options()
			for name, got := range map[string]time.Duration{"dial": o.DialTimeout, "read": o.ReadTimeout, "write": o.WriteTimeout, "pool": o.PoolTimeout} {
				if got != tc.wantTimeout {
					t.Errorf("%s timeout = %v, want %v", name, got, tc.wantTimeout)
				}
			}
			if o.MaxRetries != tc.wantRetries {
				t.Errorf("MaxRetries = %d, want %d", o.MaxRetries, tc.wantRetries)
			}
			if !o.ContextTimeoutEnabled {
				t.Error("ContextTimeoutEnabled is off, so a caller's deadline would not bound a call")
			}
		})
	}
}

// TestPing: the readiness check passes on a live Redis and otherwise says
// what is wrong, naming the address but never the password.
func TestPing(t *testing.T) {
	t.Parallel()
	live := testURL(t)
	wrongUser, err := url.Parse(live)
	if err != nil {
		t.Fatalf("TEST_REDIS_URL: %v", err)
	}
	wrongUser.User = url.UserPassword("kaohe-nobody", "s3cret")
	tests := []struct {
		name    string
		url     string
		closed  bool
		wantErr string // a substring of the error; "" for success
	}{
		{name: "OK", url: live},
		{name: "ErrCannotBeReached", url: "redis://127.0.0.1:1/0", wantErr: "redis at 127.0.0.1:1 cannot be reached"},
		{name: "ErrNoAnswer", url: stalledServer(t), wantErr: "did not answer within 500ms"},
		{name: "ErrCredentialsRefused", url: wrongUser.String(), wantErr: "refused the user name or password"},
		{name: "ErrClientClosed", url: live, closed: true, wantErr: "is closed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Open(tc.url)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer c.Close()
			if tc.closed {
				if err := c.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
			}
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			err = c.Ping(ctx)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Ping: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Ping: err = %v, want it to say %q", err, tc.wantErr)
			case err != nil && strings.Contains(err.Error(), "s3cret"):
				t.Errorf("Ping: err = %q repeats the password", err)
			}
		})
	}
}
