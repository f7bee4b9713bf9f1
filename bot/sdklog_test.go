package bot_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/storage/memory"
)

func TestSDKLine(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"URL", "connected to wss://open.feishu.cn/ws?access_key=abc", "connected to wss …"},
		{"Payload", "receive message, payload {\"event\":{\"action\":{\"form_value\":{\"v\":\"90\"}}}}", "receive message, payload …"},
		{"Plain", "ping success", "ping success"},
		{"Long", strings.Repeat("长", 300), strings.Repeat("长", 300)[:bot.SDKLineMax] + " …"},
	}
	for _, tt := range tests {
		if got := bot.SDKLine(tt.in); got != tt.want {
			t.Errorf("%s: SDKLine(%.40q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// lockedBuffer is a log destination the SDK's goroutines may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSDKLoggersNoPayload: the SDK parts the bot builds — the event
// dispatcher (webhook handler and long connection) and the API client —
// log through bot.SDKLogger into the bot's logger, not the SDK's own
// stdout logger, and a line that quotes what Lark or a caller sent (an
// event's type, a refused token answer with its token) keeps only the
// words before the quote. Each case makes the SDK log such a line and
// checks it arrived, cut.
func TestSDKLoggersNoPayload(t *testing.T) {
	t.Parallel()
	const secret = "73.33-ballot"
	tests := []struct {
		name string
		// do makes the SDK part log a line quoting secret, into log.
		do   func(t *testing.T, log *slog.Logger)
		line string // what must arrive of the line
	}{
		{"Dispatcher", func(t *testing.T, log *slog.Logger) {
			store := memory.New()
			b, err := bot.New(bot.Config{Service: mustService(t, store), Store: store, Log: log})
			if err != nil {
				t.Fatal(err)
			}
			// An event no handler takes: the SDK logs its type at error level.
			body := `{"schema":"2.0","header":{"event_id":"e1","event_type":"` + secret + `","token":""},"event":{"form_value":{"v":"` + secret + `"}}}`
			b.Dispatcher("", "").Handle(context.Background(), &larkevent.EventReq{Header: http.Header{}, Body: []byte(body), RequestURI: "/webhook/event"})
		}, "handle event"},
		{"Client", func(t *testing.T, log *slog.Logger) {
			// Lark refuses the app's credentials: the SDK logs the whole
			// token answer at warn level.
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"code":10014,"msg":"app secret invalid ` + secret + `","tenant_access_token":"t-` + secret + `","expire":7200}`))
			}))
			t.Cleanup(srv.Close)
			lk, err := bot.NewLark(bot.LarkConfig{AppID: "cli_sdklog", AppSecret: "s", BaseURL: srv.URL, Log: log})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := lk.SendCard(context.Background(), bot.Recipient{ID: "ou_x"}, []byte(`{}`), "u1"); err == nil {
				t.Fatal("send with refused credentials succeeded")
			}
		}, "tenantAccessToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out lockedBuffer
			tc.do(t, slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})))
			got := out.String()
			if !strings.Contains(got, tc.line) || !strings.Contains(got, "source=lark-sdk") {
				t.Errorf("the SDK's line did not reach the bot's logger (want %q):\n%s", tc.line, got)
			}
			if strings.Contains(got, secret) {
				t.Errorf("the log carries what the SDK quoted:\n%s", got)
			}
		})
	}
}
