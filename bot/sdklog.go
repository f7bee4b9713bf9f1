package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
)

// SDKLogger is the one way the Lark SDK's log lines reach kaohe's log: the
// API client (NewLark), the event dispatcher and webhook handler (Bot) and
// the long connection (kaohe serve) all log through it. At debug level the
// SDK logs whole callback payloads — the form values (a 民主测评 ballot),
// the operator's open_id, the card's update token — and requests and
// responses with their tokens; at other levels it quotes frames, bodies and
// token answers (a refused tenant_access_token answer is logged whole at
// warn). No log line of kaohe may carry any of them
// (docs/conventions.md), so debug lines are dropped, and every other line
// keeps only its words up to the first quoted value, capped in length
// (SDKLine). component names the SDK part in each line.
func SDKLogger(log *slog.Logger, component string) larkcore.Logger {
	if log == nil {
		log = slog.Default()
	}
	return sdkLogger{log.With("component", component, "source", "lark-sdk")}
}

// sdkLogLevel is the level the SDK parts are built with: its info lines
// ("client ready") are noise, its warnings and errors are worth a line
// once SDKLogger has cut them.
const sdkLogLevel = larkcore.LogLevelWarn

type sdkLogger struct{ log *slog.Logger }

// SDKLineMax bounds what is kept of an SDK log line.
const SDKLineMax = 160

// SDKLine is an SDK log line (or an error from the SDK) cut before
// anything it quotes: the first of { [ " = : ends it.
func SDKLine(args ...any) string {
	s := fmt.Sprint(args...)
	if i := strings.IndexAny(s, "{[\"=:"); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	if len(s) > SDKLineMax {
		s = s[:SDKLineMax] + " …"
	}
	return s
}

// Debug drops the line: it is where the SDK prints payloads.
func (l sdkLogger) Debug(context.Context, ...any) {}

func (l sdkLogger) Info(ctx context.Context, args ...any) { l.log.InfoContext(ctx, SDKLine(args...)) }

func (l sdkLogger) Warn(ctx context.Context, args ...any) { l.log.WarnContext(ctx, SDKLine(args...)) }

func (l sdkLogger) Error(ctx context.Context, args ...any) {
	l.log.ErrorContext(ctx, SDKLine(args...))
}
