package larksim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/clock"
)

// t0 is the start of every fake clock.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// tokenCache is the SDK's token store for the whole test binary: the SDK
// keeps it in a package variable, so it is installed once, here. Each
// simulator's app id is bound to that simulator's fake clock, so SDK tokens
// age with the server's. Unbound app ids age on the wall clock, like the
// SDK's default store.
var tokenCache = larksim.NewTokenCache(clock.Real{})

func TestMain(m *testing.M) {
	larkcore.NewCache(&larkcore.Config{TokenCache: tokenCache})
	os.Exit(m.Run())
}

// appSeq gives every simulator its own app id: the SDK's token cache is
// keyed by app id and shared by the whole test binary.
var appSeq atomic.Int64

type env struct {
	clk    *clock.Fake
	sim    *larksim.Server
	url    string
	client *lark.Client
}

// newEnv starts a simulator on a fake clock (unless opts has a clock) and an
// SDK client pointed at it.
func newEnv(t *testing.T, opts larksim.Options) *env {
	t.Helper()
	return newEnvTokens(t, opts, false)
}

// newEnvTokens is newEnv; with wallClockTokens the SDK's token cache ages
// on the wall clock instead of the simulator's clock.
func newEnvTokens(t *testing.T, opts larksim.Options, wallClockTokens bool) *env {
	t.Helper()
	e := &env{}
	if opts.Clock == nil {
		e.clk = clock.NewFake(t0)
		opts.Clock = e.clk
	} else if f, ok := opts.Clock.(*clock.Fake); ok {
		e.clk = f
	}
	n := appSeq.Add(1)
	opts.AppID = fmt.Sprintf("cli_test%04d", n)
	opts.AppSecret = fmt.Sprintf("secret%04d", n)
	e.sim = larksim.New(opts)
	if !wallClockTokens {
		tokenCache.Bind(opts.AppID, opts.Clock)
	}
	srv := httptest.NewServer(e.sim)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.client = newClient(e, 10*time.Second)
	return e
}

func newClient(e *env, timeout time.Duration) *lark.Client {
	return lark.NewClient(e.sim.AppID(), e.sim.AppSecret(),
		lark.WithOpenBaseUrl(e.url),
		lark.WithReqTimeout(timeout),
		lark.WithLogger(nopLogger{}))
}

// nopLogger keeps the SDK quiet.
type nopLogger struct{}

func (nopLogger) Debug(context.Context, ...any) {}
func (nopLogger) Info(context.Context, ...any)  {}
func (nopLogger) Warn(context.Context, ...any)  {}
func (nopLogger) Error(context.Context, ...any) {}

// user adds a user with the given name.
func (e *env) user(t *testing.T, name string) larksim.User {
	t.Helper()
	u, err := e.sim.AddUser(larksim.User{Name: name, Email: name + "@example.gov.cn"})
	if err != nil {
		t.Fatalf("AddUser: %v", err)
	}
	return u
}

// send sends a message through the SDK.
func (e *env) send(t *testing.T, idType, id, msgType, content, uuid string) *larkim.CreateMessageResp {
	t.Helper()
	body := larkim.NewCreateMessageReqBodyBuilder().ReceiveId(id).MsgType(msgType).Content(content)
	if uuid != "" {
		body.Uuid(uuid)
	}
	resp, err := e.client.Im.Message.Create(context.Background(), larkim.NewCreateMessageReqBuilder().
		ReceiveIdType(idType).Body(body.Build()).Build())
	if err != nil {
		t.Fatalf("Create: transport error: %v", err)
	}
	return resp
}

// sendText sends {"text": text} to an open_id and requires success.
func (e *env) sendText(t *testing.T, openID, text string) string {
	t.Helper()
	resp := e.send(t, "open_id", openID, "text", textContent(text), "")
	if !resp.Success() {
		t.Fatalf("send text: code %d msg %q", resp.Code, resp.Msg)
	}
	return *resp.Data.MessageId
}

// sendCard sends a card to an open_id and requires success.
func (e *env) sendCard(t *testing.T, openID, card string) string {
	t.Helper()
	resp := e.send(t, "open_id", openID, "interactive", card, "")
	if !resp.Success() {
		t.Fatalf("send card: code %d msg %q", resp.Code, resp.Msg)
	}
	return *resp.Data.MessageId
}

func textContent(s string) string {
	b, _ := json.Marshal(map[string]string{"text": s})
	return string(b)
}

// card2 builds a JSON 2.0 card with the given body elements.
func card2(elements ...string) string {
	return `{"schema":"2.0","config":{"update_multi":true},"header":{"title":{"tag":"plain_text","content":"考核"},"template":"blue"},"body":{"elements":[` +
		join(elements) + `]}}`
}

func join(s []string) string {
	out := ""
	for i, e := range s {
		if i > 0 {
			out += ","
		}
		out += e
	}
	return out
}

const md = `{"tag":"markdown","content":"请填写本周记实"}`

// formCard is a card with a weekly-record form: a required multiline input,
// a select, a submit and a reset button.
const formCard = `{"schema":"2.0","config":{"update_multi":true},
 "header":{"title":{"tag":"plain_text","content":"周记实"},"template":"blue"},
 "body":{"elements":[
  {"tag":"markdown","content":"请填写本周工作"},
  {"tag":"form","name":"weekly","elements":[
    {"tag":"input","name":"work","required":true,"input_type":"multiline_text","rows":3,"max_length":500,
     "placeholder":{"tag":"plain_text","content":"本周工作"}},
    {"tag":"select_static","name":"progress","placeholder":{"tag":"plain_text","content":"进度"},
     "options":[{"text":{"tag":"plain_text","content":"按期"},"value":"on_time"},
                {"text":{"tag":"plain_text","content":"延期"},"value":"late"}]},
    {"tag":"button","name":"submit_btn","type":"primary","text":{"tag":"plain_text","content":"提交"},
     "form_action_type":"submit","behaviors":[{"type":"callback","value":{"action":"submit_weekly","entry":"42"}}]},
    {"tag":"button","name":"reset_btn","text":{"tag":"plain_text","content":"重置"},"form_action_type":"reset"}
  ]},
  {"tag":"button","name":"open_btn","text":{"tag":"plain_text","content":"查看"},
   "behaviors":[{"type":"open_url","default_url":"https://example.gov.cn"}]},
  {"tag":"button","name":"approve_btn","text":{"tag":"plain_text","content":"同意"},
   "behaviors":[{"type":"callback","value":{"step":"7","version":"3"}}]}
 ]}}`
