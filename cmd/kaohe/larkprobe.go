package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkauth "github.com/larksuite/oapi-sdk-go/v3/service/auth/v3"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/clock"
)

// Lark's side of /readyz in webhook mode. The long connection says by its
// own state whether Lark can be reached; a webhook has no connection, and a
// replica that cannot reach Lark (network, proxy, a rotated app secret)
// still answers every callback while none of its messages goes out. So
// /readyz asks Lark for a tenant token, the first call every send needs:
// it counts against no quota (认证及授权 is among the APIs 自建应用 API
// 调用量上限调整说明 exempts, docs/lark.md [D3]) and leaves the SDK's
// cached token valid (asked again, Lark returns the same token or issues a
// second one beside it [D15]).

const (
	// larkProbeOK is how long a successful probe stands: /readyz is
	// polled every few seconds by every orchestrator, and Lark need not be
	// asked that often.
	larkProbeOK = 30 * time.Second
	// larkProbeDown is how long a failed probe stands, short so a replica
	// is ready again soon after Lark is back.
	larkProbeDown = 5 * time.Second
)

// larkProbe remembers the last answer to "can Lark be reached", asking
// again when it is older than larkProbeOK (larkProbeDown after a failure).
// One probe runs at a time; callers meanwhile wait for its answer.
type larkProbe struct {
	fetch func(ctx context.Context) error
	// clock is the process's own time, never the simulator's (clock_url
	// may freeze the domain's clock, and the probe's age must still move).
	clock clock.Clock

	mu  sync.Mutex
	at  time.Time
	err error
}

// check returns the last answer if it is fresh, or asks Lark.
func (p *larkProbe) check(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	ttl := larkProbeOK
	if p.err != nil {
		ttl = larkProbeDown
	}
	if !p.at.IsZero() && p.clock.Now().Sub(p.at) < ttl {
		return p.err
	}
	p.err = p.fetch(ctx)
	p.at = p.clock.Now()
	return p.err
}

// tenantTokenFetch asks Lark for a tenant token with the app's
// credentials, through the SDK (its base URL, timeout and logger). The
// error says what failed, cut before anything that could carry a key
// (bot.SDKLine); a success carries the token, which is dropped.
func tenantTokenFetch(lk *bot.Lark, appID, appSecret string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		req := larkauth.NewInternalTenantAccessTokenReqBuilder().
			Body(larkauth.NewInternalTenantAccessTokenReqBodyBuilder().AppId(appID).AppSecret(appSecret).Build()).Build()
		resp, err := lk.SDK().Auth.V3.TenantAccessToken.Internal(ctx, req)
		var dial *larkcore.DialFailedError
		var clientTimeout *larkcore.ClientTimeoutError
		var gatewayTimeout *larkcore.ServerTimeoutError
		switch {
		case err == nil:
		case errors.Is(err, context.DeadlineExceeded), errors.As(err, &clientTimeout):
			return errors.New("tenant token: no answer in time")
		case errors.As(err, &gatewayTimeout):
			return errors.New("tenant token: Lark's gateway timed out (504)")
		case errors.As(err, &dial):
			// The SDK keeps only the text ("Post \"URL\": dial tcp …:
			// connect: connection refused"); its last clause is the
			// network's reason, without the URL.
			msg := dial.Error()
			return fmt.Errorf("tenant token: cannot connect: %s", msg[strings.LastIndex(msg, ": ")+2:])
		default:
			return fmt.Errorf("tenant token: %s", bot.SDKLine(err.Error()))
		}
		if !resp.Success() {
			return fmt.Errorf("tenant token: code %d: %s", resp.Code, bot.SDKLine(resp.Msg))
		}
		return nil
	}
}
