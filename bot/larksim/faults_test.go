package larksim_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/larksim"
)

func TestFailNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
	}{
		{name: "500", status: http.StatusInternalServerError},
		{name: "503", status: http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, larksim.Options{})
			u := e.user(t, "x")
			h := e.sim.FailNext(larksim.APIMessageCreate, 2, tc.status)
			for i := range 2 {
				r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), "")
				if r.StatusCode != tc.status || r.Code != larksim.CodeInternal {
					t.Fatalf("request %d: HTTP %d code %d", i, r.StatusCode, r.Code)
				}
			}
			if r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), ""); !r.Success() {
				t.Errorf("third request: code %d", r.Code)
			}
			if h.Hits() != 2 || len(e.sim.MessagesTo(u.OpenID)) != 1 {
				t.Errorf("hits %d messages %d, want 2 and 1", h.Hits(), len(e.sim.MessagesTo(u.OpenID)))
			}
		})
	}
}

// TestFaultGatewayTimeout: a 504 is turned into a transport error by the
// SDK (ServerTimeoutError), and an HTML error page into a decode error.
func TestFaultGatewayTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault larksim.Fault
	}{
		{name: "504", fault: larksim.Fault{API: larksim.APIMessageCreate, Count: 1, Status: http.StatusGatewayTimeout}},
		{name: "HTMLPage", fault: larksim.Fault{API: larksim.APIMessageCreate, Count: 1, Status: http.StatusBadGateway, Body: "<html>502 Bad Gateway</html>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, larksim.Options{})
			u := e.user(t, "x")
			e.sim.AddFault(tc.fault)
			_, err := e.client.Im.Message.Create(context.Background(), larkim.NewCreateMessageReqBuilder().
				ReceiveIdType("open_id").Body(larkim.NewCreateMessageReqBodyBuilder().
				ReceiveId(u.OpenID).MsgType("text").Content(textContent("x")).Build()).Build())
			if err == nil {
				t.Fatalf("no error")
			}
		})
	}
}

func TestBurst429(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "x")
	e.sim.AddFault(larksim.Fault{API: larksim.APIMessageCreate, Count: 3, Status: http.StatusTooManyRequests, ResetSeconds: 7})
	for i := range 3 {
		r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), "")
		if r.StatusCode != http.StatusTooManyRequests || r.Code != larksim.CodeFrequencyLimit || r.Header.Get("x-ogw-ratelimit-reset") != "7" {
			t.Fatalf("request %d: HTTP %d code %d reset %q", i, r.StatusCode, r.Code, r.Header.Get("x-ogw-ratelimit-reset"))
		}
	}
	if r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), ""); !r.Success() {
		t.Errorf("after the burst: code %d", r.Code)
	}
}

// TestFaultPercentSeeded: the same seed fails the same requests.
func TestFaultPercentSeeded(t *testing.T) {
	t.Parallel()
	pattern := func() []bool {
		e := newEnv(t, larksim.Options{Seed: 42})
		e.sim.AddFault(larksim.Fault{API: larksim.APITenantToken, Percent: 30, Status: http.StatusInternalServerError})
		var out []bool
		for range 100 {
			resp, err := e.client.Post(context.Background(), larkcore.TenantAccessTokenInternalUrlPath,
				map[string]string{"app_id": e.sim.AppID(), "app_secret": e.sim.AppSecret()}, larkcore.AccessTokenTypeNone)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, resp.StatusCode == http.StatusInternalServerError)
		}
		return out
	}
	a, b := pattern(), pattern()
	failed := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("request %d differs between runs with one seed", i)
		}
		if a[i] {
			failed++
		}
	}
	if failed < 15 || failed > 45 {
		t.Errorf("%d of 100 failed, want about 30", failed)
	}
}

// TestStallOnClock: a stalled request is held until the fake clock moves.
func TestStallOnClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "x")
	h := e.sim.AddFault(larksim.Fault{API: larksim.APIMessageCreate, Count: 1, Stall: 5 * time.Second})
	done := make(chan *larkim.CreateMessageResp, 1)
	go func() {
		resp, err := e.client.Im.Message.Create(context.Background(), larkim.NewCreateMessageReqBuilder().
			ReceiveIdType("open_id").Body(larkim.NewCreateMessageReqBodyBuilder().
			ReceiveId(u.OpenID).MsgType("text").Content(textContent("x")).Build()).Build())
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	<-h.Stalled()
	if n := len(e.sim.MessagesTo(u.OpenID)); n != 0 {
		t.Fatalf("%d messages while stalled", n)
	}
	e.clk.Advance(5 * time.Second)
	if r := <-done; r == nil || !r.Success() {
		t.Fatalf("after the stall: %+v", r)
	}
}

// TestStallUntilClientTimeout: a request held until released makes the
// SDK's own timeout fire.
func TestStallUntilClientTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "x")
	release := make(chan struct{})
	defer close(release)
	e.sim.AddFault(larksim.Fault{API: larksim.APIMessageCreate, Count: 1, Release: release})
	client := newClient(e, 100*time.Millisecond)
	_, err := client.Im.Message.Create(context.Background(), larkim.NewCreateMessageReqBuilder().
		ReceiveIdType("open_id").Body(larkim.NewCreateMessageReqBodyBuilder().
		ReceiveId(u.OpenID).MsgType("text").Content(textContent("x")).Build()).Build())
	var te *larkcore.ClientTimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T), want the SDK's ClientTimeoutError", err, err)
	}
	if n := len(e.sim.MessagesTo(u.OpenID)); n != 0 {
		t.Errorf("%d messages sent by an abandoned request", n)
	}
}

func TestRemoveAndClearFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "x")
	h := e.sim.AddFault(larksim.Fault{API: larksim.APIMessageCreate, Status: http.StatusInternalServerError})
	if r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), ""); r.StatusCode != http.StatusInternalServerError {
		t.Fatalf("fault not applied: HTTP %d", r.StatusCode)
	}
	h.Remove()
	if r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), ""); !r.Success() {
		t.Errorf("after Remove: code %d", r.Code)
	}
	e.sim.FailNext("", 100, http.StatusBadGateway)
	e.sim.ClearFaults()
	if r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), ""); !r.Success() {
		t.Errorf("after ClearFaults: code %d", r.Code)
	}
	if st := e.sim.Stats(); st.FaultsInjected != 1 {
		t.Errorf("FaultsInjected %d, want 1", st.FaultsInjected)
	}
}

// TestLostAnswer: the send takes effect but the answer is lost; the retry
// with the same uuid gets the original message and the user sees it once.
func TestLostAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault larksim.Fault
	}{
		{name: "5xxAfterSend", fault: larksim.Fault{API: larksim.APIMessageCreate, Count: 1, Status: http.StatusBadGateway, AfterEffect: true}},
		{name: "TimeoutAfterSend", fault: larksim.Fault{API: larksim.APIMessageCreate, Count: 1, Stall: time.Hour, AfterEffect: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, larksim.Options{})
			u := e.user(t, "x")
			e.sim.AddFault(tc.fault)
			client := newClient(e, 200*time.Millisecond)
			req := larkim.NewCreateMessageReqBuilder().ReceiveIdType("open_id").Body(larkim.NewCreateMessageReqBodyBuilder().
				ReceiveId(u.OpenID).MsgType("text").Content(textContent("提醒")).Uuid("outbox-17").Build()).Build()
			first, err := client.Im.Message.Create(context.Background(), req)
			if err == nil && first.Success() {
				t.Fatalf("first attempt succeeded")
			}
			if n := len(e.sim.MessagesTo(u.OpenID)); n != 1 {
				t.Fatalf("%d messages after the lost answer, want 1", n)
			}
			// A retry that reaches Lark while the first request is still
			// inside it (the stalled one until the simulator sees its client
			// gone) is told 230049, "being sent", as the bot's relay is; it
			// retries, as the relay does, until it gets the message.
			var retry *larkim.CreateMessageResp
			for i := 0; ; i++ {
				retry, err = client.Im.Message.Create(context.Background(), req)
				if err != nil || retry.Success() || retry.Code != 230049 || i == 50 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err != nil || !retry.Success() {
				t.Fatalf("retry: %v %+v", err, retry)
			}
			if n := len(e.sim.MessagesTo(u.OpenID)); n != 1 || *retry.Data.MessageId != e.sim.MessagesTo(u.OpenID)[0].MessageID {
				t.Errorf("%d messages, retry got %s", n, *retry.Data.MessageId)
			}
		})
	}
}
