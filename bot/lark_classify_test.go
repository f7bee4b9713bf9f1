package bot

import (
	"net/http"
	"testing"
	"time"
)

// TestClassify: each code the bot acts on lands in the kind that says
// what to do (docs/lark.md; the 发送消息 error list).
func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		code      int
		kind      ErrorKind
		retryable bool
	}{
		{"RateLimit", 400, 230020, KindRateLimited, true},
		{"AppRateLimit", 400, 99991400, KindRateLimited, true},
		{"HTTP429", 429, 0, KindRateLimited, true},
		{"BeingSent", 400, 230049, KindTransient, true},
		{"ServerError", 500, 0, KindTransient, true},
		{"OutOfScope", 400, 230013, KindRecipientGone, false},
		{"Resigned", 400, 230029, KindRecipientGone, false},
		{"StoppedBot", 400, 230053, KindRecipientGone, false},
		{"NotInChat", 400, 230002, KindNoAccess, false},
		{"NoPermission", 400, 230035, KindNoAccess, false},
		{"Dissolved", 400, 232009, KindNoAccess, false},
		{"TokenInvalid", 400, 99991663, KindToken, true},
		{"TokenInvalid2", 400, 99991665, KindToken, true},
		{"AppToken", 400, 99991664, KindToken, true},
		{"GroupSettings", 400, 230018, KindNoAccess, false},
		{"ScopeMissing", 400, 99991672, KindScope, false},
		{"MonthlyQuota", 429, 99991403, KindQuota, false},
		{"DataLossPrevention", 400, 230028, KindRejected, false},
		{"BadCard", 400, 230099, KindRejected, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tc.kind == KindRateLimited {
				h.Set("x-ogw-ratelimit-reset", "3")
			}
			e := classify("send", tc.status, tc.code, "", h)
			if e.Kind != tc.kind || e.Retryable() != tc.retryable {
				t.Errorf("code %d: kind %d retryable %v, want %d %v", tc.code, e.Kind, e.Retryable(), tc.kind, tc.retryable)
			}
			if tc.kind == KindRateLimited && e.RetryAfter != 3*time.Second {
				t.Errorf("retry after %v, want the reset header's 3 s", e.RetryAfter)
			}
		})
	}
}
