package larksim_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"

	"github.com/kaohe/kaohe/bot/larksim"
)

// startWS runs the SDK's long-connection client against the simulator until
// the test ends.
func startWS(t *testing.T, e *env, d *dispatcher.EventDispatcher, opts ...larkws.ClientOption) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cli := larkws.NewClient(e.sim.AppID(), e.sim.AppSecret(), append([]larkws.ClientOption{
		larkws.WithEventHandler(d), larkws.WithDomain(e.url), larkws.WithLogger(nopLogger{}),
	}, opts...)...)
	done := make(chan error, 1)
	go func() { done <- cli.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := e.sim.WaitLongConnection(wait); err != nil {
		t.Fatalf("long connection not established: %v", err)
	}
}

// TestLongConnection: callbacks and events reach the SDK's larkws client,
// and its answers come back.
func TestLongConnection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	e.sim.Configure(larksim.WebhookConfig{LongConnection: true})
	u := e.user(t, "张三")
	clicks := make(chan *callback.CardActionTriggerEvent, 1)
	texts := make(chan *larkim.P2MessageReceiveV1, 1)
	// Both arguments are empty for the long connection, as the docs say.
	d := dispatcher.NewEventDispatcher("", "").
		OnP2CardActionTrigger(func(_ context.Context, ev *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			clicks <- ev
			return &callback.CardActionTriggerResponse{Toast: &callback.Toast{Type: "success", Content: "已审批"}}, nil
		}).
		OnP2MessageReceiveV1(func(_ context.Context, ev *larkim.P2MessageReceiveV1) error {
			texts <- ev
			return nil
		})
	startWS(t, e, d)
	if n := e.sim.LongConnections(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}

	id := e.sendCard(t, u.OpenID, formCard)
	reply, err := e.sim.ClickButton(context.Background(), id, u.OpenID, "approve_btn", nil)
	if err != nil {
		t.Fatalf("ClickButton: %v", err)
	}
	ev := <-clicks
	if ev.Event.Action.Value["step"] != "7" || ev.Event.Operator.OpenID != u.OpenID || ev.Event.Token != reply.Token {
		t.Errorf("callback %+v", ev.Event)
	}
	if reply.Toast == nil || reply.Toast.Content != "已审批" {
		t.Errorf("reply %+v", reply)
	}

	dlv, err := e.sim.SendText(context.Background(), u.OpenID, "", "/成绩")
	if err != nil {
		t.Fatal(err)
	}
	if !dlv.Acked {
		t.Errorf("event over the long connection not acknowledged: %+v", dlv)
	}
	if got := <-texts; *got.Event.Message.Content != textContent("/成绩") {
		t.Errorf("event content %s", *got.Event.Message.Content)
	}
}

// TestLongConnectionFailures: a handler error is a 500 ack (the user sees
// 200671); a nil answer is "null" (200672); no client means no delivery.
func TestLongConnectionFailures(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	e := newEnv(t, larksim.Options{})
	e.sim.Configure(larksim.WebhookConfig{LongConnection: true})
	u := e.user(t, "李四")
	id := e.sendCard(t, u.OpenID, formCard)

	var ce *larksim.ClientError
	if _, err := e.sim.ClickButton(context.Background(), id, u.OpenID, "approve_btn", nil); !errors.As(err, &ce) || ce.Code != larksim.ClientConnectFailed {
		t.Errorf("no client connected: %v, want client error 200342", err)
	}

	d := dispatcher.NewEventDispatcher("", "").
		OnP2CardActionTrigger(func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			if calls.Add(1) == 1 {
				return nil, errors.New("busy")
			}
			return nil, nil
		})
	startWS(t, e, d)
	_, err := e.sim.ClickButton(context.Background(), id, u.OpenID, "approve_btn", nil)
	if !errors.As(err, &ce) || ce.Code != larksim.ClientBadStatus || ce.Reply.StatusCode != http.StatusInternalServerError {
		t.Errorf("handler error: %v, want 200671 after a 500 ack", err)
	}
	_, err = e.sim.ClickButton(context.Background(), id, u.OpenID, "approve_btn", nil)
	if !errors.As(err, &ce) || ce.Code != larksim.ClientBadBody {
		t.Errorf("nil answer: %v, want 200672", err)
	}
}

// TestLongConnectionBadCredentials: the bootstrap refuses a wrong secret.
func TestLongConnectionBadCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	errs := make(chan error, 1)
	cli := larkws.NewClient(e.sim.AppID(), "wrong", larkws.WithDomain(e.url), larkws.WithLogger(nopLogger{}),
		larkws.WithAutoReconnect(false))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() { errs <- cli.Start(ctx) }()
	if err := <-errs; err == nil || ctx.Err() != nil {
		t.Errorf("Start: %v, want a bootstrap error", err)
	}
	if n := e.sim.LongConnections(); n != 0 {
		t.Errorf("%d connections", n)
	}
}
