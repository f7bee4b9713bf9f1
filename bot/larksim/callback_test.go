package larksim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	"github.com/larksuite/oapi-sdk-go/v3/core/httpserverext"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/larksim"
)

const (
	verificationToken = "vt-kaohe-test"
	encryptKey        = "ek-kaohe-test"
)

type cardHandler func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error)

// botServer stands up the SDK's own webhook handler, as the bot will, and
// returns its URL.
func botServer(t *testing.T, vt, ek string, h cardHandler) string {
	t.Helper()
	d := dispatcher.NewEventDispatcher(vt, ek)
	if h != nil {
		d.OnP2CardActionTrigger(h)
	}
	srv := httptest.NewServer(http.HandlerFunc(httpserverext.NewEventHandlerFunc(d, larkevent.WithLogger(nopLogger{}))))
	t.Cleanup(srv.Close)
	return srv.URL
}

// clickEnv is a simulator whose callbacks go to the SDK handler h.
func clickEnv(t *testing.T, opts larksim.Options, ek string, h cardHandler) (*env, larksim.User) {
	t.Helper()
	e := newEnv(t, opts)
	e.sim.Configure(larksim.WebhookConfig{
		CallbackURL:       botServer(t, verificationToken, ek, h),
		VerificationToken: verificationToken,
		EncryptKey:        ek,
	})
	return e, e.user(t, "李科长")
}

// TestClickCardDecodedBySDK: the SDK's dispatcher accepts, decrypts,
// verifies and decodes what larksim sends, and larksim parses the toast.
func TestClickCardDecodedBySDK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  string
	}{
		{name: "Encrypted", key: encryptKey},
		{name: "Plain", key: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := make(chan *callback.CardActionTriggerEvent, 1)
			e, u := clickEnv(t, larksim.Options{}, tc.key, func(_ context.Context, ev *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
				got <- ev
				return &callback.CardActionTriggerResponse{Toast: &callback.Toast{Type: "success", Content: "已提交"}}, nil
			})
			id := e.sendCard(t, u.OpenID, formCard)
			reply, err := e.sim.ClickCard(context.Background(), id, u.OpenID,
				map[string]any{"action": "submit_weekly", "entry": "42"},
				map[string]any{"work": "完成调研", "progress": "on_time"},
				larksim.Action{Name: "submit_btn"})
			if err != nil {
				t.Fatalf("ClickCard: %v", err)
			}
			ev := <-got
			h := ev.EventV2Base.Header
			if h.EventType != "card.action.trigger" || h.Token != verificationToken || h.AppID != e.sim.AppID() || h.EventID != reply.EventID {
				t.Errorf("header %+v", h)
			}
			if want := t0.UnixMicro(); h.CreateTime != jsonInt(want) {
				t.Errorf("create_time %s, want %d µs", h.CreateTime, want)
			}
			a := ev.Event.Action
			if a.Tag != "button" || a.Name != "submit_btn" || a.Value["action"] != "submit_weekly" || a.FormValue["work"] != "完成调研" {
				t.Errorf("action %+v", a)
			}
			if ev.Event.Operator.OpenID != u.OpenID || *ev.Event.Operator.UserID != u.UserID {
				t.Errorf("operator %+v", ev.Event.Operator)
			}
			if ev.Event.Context.OpenMessageID != id || ev.Event.Host != "im_message" || !strings.HasPrefix(ev.Event.Token, "c-") || ev.Event.Token != reply.Token {
				t.Errorf("event %+v context %+v", ev.Event, ev.Event.Context)
			}
			if reply.Toast == nil || reply.Toast.Type != "success" || reply.Toast.Content != "已提交" || reply.Card != nil {
				t.Errorf("reply %+v", reply)
			}
		})
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestClickCardAnswers covers the answers the client accepts and rejects.
func TestClickCardAnswers(t *testing.T) {
	t.Parallel()
	done := card2(`{"tag":"markdown","content":"已审批"}`)
	tests := []struct {
		name       string
		answer     cardHandler
		wantClient int // 0: success
		wantCard   bool
	}{
		{name: "Empty", answer: func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			return &callback.CardActionTriggerResponse{}, nil
		}},
		{name: "RawCard", wantCard: true, answer: func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			return &callback.CardActionTriggerResponse{
				Toast: &callback.Toast{Type: "info", Content: "ok"},
				Card:  &callback.Card{Type: "raw", Data: json.RawMessage(done)},
			}, nil
		}},
		{name: "NilAnswerIsNull", wantClient: larksim.ClientBadBody, answer: func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			return nil, nil
		}},
		{name: "HandlerError", wantClient: larksim.ClientBadStatus, answer: func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			return nil, errors.New("database down")
		}},
		{name: "BadToastType", wantClient: larksim.ClientBadBody, answer: func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			return &callback.CardActionTriggerResponse{Toast: &callback.Toast{Type: "fatal", Content: "x"}}, nil
		}},
		{name: "InvalidCard", wantClient: larksim.ClientBadCard, answer: func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			return &callback.CardActionTriggerResponse{Card: &callback.Card{Type: "raw", Data: json.RawMessage(card2(`{"tag":"note"}`))}}, nil
		}},
		{name: "V1Card", wantClient: larksim.ClientV2ToV1, answer: func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			return &callback.CardActionTriggerResponse{Card: &callback.Card{Type: "raw", Data: json.RawMessage(`{"elements":[]}`)}}, nil
		}},
		{name: "TemplateCard", wantClient: larksim.ClientBadCard, answer: func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			return &callback.CardActionTriggerResponse{Card: &callback.Card{Type: "template", Data: callback.TemplateCard{TemplateID: "AAq"}}}, nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, u := clickEnv(t, larksim.Options{AllowCardV1: tc.name == "V1Card"}, encryptKey, tc.answer)
			id := e.sendCard(t, u.OpenID, formCard)
			reply, err := e.sim.ClickButton(context.Background(), id, u.OpenID, "approve_btn", nil)
			m, _ := e.sim.Message(id)
			if tc.wantClient != 0 {
				var ce *larksim.ClientError
				if !errors.As(err, &ce) || ce.Code != tc.wantClient {
					t.Fatalf("error %v, want client error %d", err, tc.wantClient)
				}
				if m.Content != formCard {
					t.Errorf("card changed by a failed callback")
				}
				return
			}
			if err != nil {
				t.Fatalf("ClickButton: %v", err)
			}
			if !tc.wantCard {
				if m.Content != formCard || len(m.Updates) != 0 {
					t.Errorf("card changed: %+v", m.Updates)
				}
				return
			}
			if string(reply.Card) != done || m.Content != done || len(m.Updates) != 1 ||
				m.Updates[0].Source != larksim.UpdateCallback || m.Updates[0].Operator != u.OpenID {
				t.Errorf("reply card %s, message %q updates %+v", reply.Card, m.Content, m.Updates)
			}
		})
	}
}

// TestClickCardDeadline: an answer slower than the callback timeout is the
// client error 200341. The handler waits on a channel; no sleeping.
func TestClickCardDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	e, u := clickEnv(t, larksim.Options{CallbackTimeout: 50 * time.Millisecond}, encryptKey,
		func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			<-release
			return &callback.CardActionTriggerResponse{}, nil
		})
	defer close(release)
	id := e.sendCard(t, u.OpenID, formCard)
	_, err := e.sim.ClickButton(context.Background(), id, u.OpenID, "approve_btn", nil)
	var ce *larksim.ClientError
	if !errors.As(err, &ce) || ce.Code != larksim.ClientTimeout {
		t.Fatalf("error %v, want client error 200341", err)
	}
}

// TestClickCardWrongKey: a bot configured with another Encrypt Key cannot
// decrypt the callback; the SDK answers 500 and the user sees 200671.
func TestClickCardWrongKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "x")
	e.sim.Configure(larksim.WebhookConfig{
		CallbackURL: botServer(t, verificationToken, "another-key", func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			t.Error("handler called with a wrongly encrypted body")
			return &callback.CardActionTriggerResponse{}, nil
		}),
		VerificationToken: verificationToken, EncryptKey: encryptKey,
	})
	id := e.sendCard(t, u.OpenID, formCard)
	_, err := e.sim.ClickButton(context.Background(), id, u.OpenID, "approve_btn", nil)
	var ce *larksim.ClientError
	if !errors.As(err, &ce) || ce.Code != larksim.ClientBadStatus || ce.Reply.StatusCode != http.StatusInternalServerError {
		t.Fatalf("error %v, want client error 200671 after HTTP 500", err)
	}
}

// TestSignatureHeaders: the headers verify with Signature and the body
// decrypts with Decrypt (checked by hand, not through the SDK).
func TestSignatureHeaders(t *testing.T) {
	t.Parallel()
	type seen struct {
		header http.Header
		body   []byte
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := r.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		got <- seen{r.Header.Clone(), []byte(b.String())}
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "x")
	e.sim.Configure(larksim.WebhookConfig{CallbackURL: srv.URL, VerificationToken: verificationToken, EncryptKey: encryptKey})
	id := e.sendCard(t, u.OpenID, formCard)
	if _, err := e.sim.ClickButton(context.Background(), id, u.OpenID, "approve_btn", nil); err != nil {
		t.Fatal(err)
	}
	s := <-got
	ts, nonce := s.header.Get(larksim.HeaderTimestamp), s.header.Get(larksim.HeaderNonce)
	if ts != jsonInt(t0.Unix()) || nonce == "" {
		t.Errorf("timestamp %q nonce %q", ts, nonce)
	}
	if sig := s.header.Get(larksim.HeaderSignature); sig != larksim.Signature(ts, nonce, encryptKey, s.body) {
		t.Errorf("signature %q does not match the body", sig)
	}
	// The SDK's own routine must agree with larksim's.
	if sig := s.header.Get(larksim.HeaderSignature); sig != larkevent.Signature(ts, nonce, encryptKey, string(s.body)) {
		t.Errorf("signature differs from the SDK's")
	}
	var env struct {
		Encrypt string `json:"encrypt"`
	}
	if err := json.Unmarshal(s.body, &env); err != nil {
		t.Fatal(err)
	}
	plain, err := larksim.Decrypt(encryptKey, env.Encrypt)
	if err != nil || !json.Valid(plain) || !strings.Contains(string(plain), `"card.action.trigger"`) {
		t.Errorf("decrypted %q, %v", plain, err)
	}
}

// TestDecryptDocVector decrypts the sample from the official doc. [D13]
func TestDecryptDocVector(t *testing.T) {
	t.Parallel()
	got, err := larksim.Decrypt("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=")
	if err != nil || string(got) != "hello world" {
		t.Errorf("Decrypt = %q, %v; want hello world", got, err)
	}
	enc, err := larksim.Encrypt("test key", []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if back, err := larkevent.EventDecrypt(enc, "test key"); err != nil || string(back) != `{"a":1}` {
		t.Errorf("SDK decrypt of Encrypt = %q, %v", back, err)
	}
}

func TestClickButton(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		button    string
		form      map[string]any
		wantErr   error
		wantValue map[string]any
	}{
		{name: "Submit", button: "submit_btn", form: map[string]any{"work": "完成调研", "progress": "late"},
			wantValue: map[string]any{"action": "submit_weekly", "entry": "42"}},
		{name: "SubmitByOptionalOmitted", button: "submit_btn", form: map[string]any{"work": "完成调研"},
			wantValue: map[string]any{"action": "submit_weekly", "entry": "42"}},
		{name: "RequiredEmpty", button: "submit_btn", form: map[string]any{"work": ""}, wantErr: larksim.ErrRequiredEmpty},
		{name: "UnknownField", button: "submit_btn", form: map[string]any{"work": "x", "grade": "好"}, wantErr: larksim.ErrUnknownField},
		{name: "Reset", button: "reset_btn", wantErr: larksim.ErrNoCallback},
		{name: "OpenURL", button: "open_btn", wantErr: larksim.ErrNoCallback},
		{name: "Missing", button: "nope", wantErr: larksim.ErrNotFound},
		{name: "Approve", button: "approve_btn", wantValue: map[string]any{"step": "7", "version": "3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := make(chan *callback.CardActionTriggerEvent, 1)
			e, u := clickEnv(t, larksim.Options{}, encryptKey, func(_ context.Context, ev *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
				got <- ev
				return &callback.CardActionTriggerResponse{}, nil
			})
			id := e.sendCard(t, u.OpenID, formCard)
			_, err := e.sim.ClickButton(context.Background(), id, u.OpenID, tc.button, tc.form)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			a := (<-got).Event.Action
			if a.Name != tc.button || !sameJSON(a.Value, tc.wantValue) || !sameJSON(a.FormValue, tc.form) {
				t.Errorf("action name %q value %v form %v", a.Name, a.Value, a.FormValue)
			}
		})
	}
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestClickCardRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(e *env, u larksim.User, id string) (msgID, operator string)
		want    error
	}{
		{name: "NotMember", want: larksim.ErrNotMember, prepare: func(e *env, u larksim.User, id string) (string, string) {
			other, _ := e.sim.AddUser(larksim.User{Name: "外人"})
			return id, other.OpenID
		}},
		{name: "Expired", want: larksim.ErrCardExpired, prepare: func(e *env, u larksim.User, id string) (string, string) {
			e.clk.Advance(14*24*time.Hour + time.Second)
			return id, u.OpenID
		}},
		{name: "Recalled", want: larksim.ErrRecalled, prepare: func(e *env, u larksim.User, id string) (string, string) {
			_ = e.sim.Recall(id)
			return id, u.OpenID
		}},
		{name: "NotACard", want: larksim.ErrNotCard, prepare: func(e *env, u larksim.User, _ string) (string, string) {
			return e.sendText(&testing.T{}, u.OpenID, "text"), u.OpenID
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, u := clickEnv(t, larksim.Options{}, encryptKey, func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
				t.Error("callback delivered")
				return &callback.CardActionTriggerResponse{}, nil
			})
			id := e.sendCard(t, u.OpenID, formCard)
			msgID, op := tc.prepare(e, u, id)
			if _, err := e.sim.ClickCard(context.Background(), msgID, op, map[string]any{"k": "v"}, nil); !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("NoCallbackURL", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, larksim.Options{})
		u := e.user(t, "x")
		id := e.sendCard(t, u.OpenID, formCard)
		var ce *larksim.ClientError
		if _, err := e.sim.ClickCard(context.Background(), id, u.OpenID, nil, nil); !errors.As(err, &ce) || ce.Code != larksim.ClientNoCallbackURL {
			t.Errorf("error %v, want client error 200340", err)
		}
	})
}

// cardUpdate calls the delayed-update API through the SDK's raw client.
func cardUpdate(t *testing.T, e *env, tok, card string) int {
	t.Helper()
	resp, err := e.client.Post(context.Background(), "/open-apis/interactive/v1/card/update",
		map[string]any{"token": tok, "card": json.RawMessage(card)}, larkcore.AccessTokenTypeTenant)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Code int `json:"code"`
	}
	if err := json.Unmarshal(resp.RawBody, &body); err != nil {
		t.Fatalf("%s: %v", resp.RawBody, err)
	}
	return body.Code
}

func TestDelayedUpdate(t *testing.T) {
	t.Parallel()
	e, u := clickEnv(t, larksim.Options{}, encryptKey, func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
		return &callback.CardActionTriggerResponse{}, nil
	})
	id := e.sendCard(t, u.OpenID, formCard)
	reply, err := e.sim.ClickButton(context.Background(), id, u.OpenID, "approve_btn", nil)
	if err != nil {
		t.Fatal(err)
	}
	first, second := card2(`{"tag":"markdown","content":"处理中"}`), card2(`{"tag":"markdown","content":"已同意"}`)
	steps := []struct {
		name    string
		advance time.Duration
		token   string
		card    string
		want    int
	}{
		{name: "FirstUse", token: reply.Token, card: first, want: 0},
		{name: "SecondUse", advance: 29 * time.Minute, token: reply.Token, card: second, want: 0},
		{name: "ThirdUse", token: reply.Token, card: second, want: larksim.CodeDelayTokenUsedUp},
		{name: "BadFormat", token: "x-123", card: second, want: larksim.CodeDelayTokenBadFormat},
		{name: "UnknownToken", token: "c-unknown", card: second, want: larksim.CodeDelayTokenExpired},
	}
	for _, st := range steps { // sequential: the steps share the token
		e.clk.Advance(st.advance)
		if got := cardUpdate(t, e, st.token, st.card); got != st.want {
			t.Errorf("%s: code %d, want %d", st.name, got, st.want)
		}
	}
	m, _ := e.sim.Message(id)
	if m.Content != second || len(m.Updates) != 2 || m.Updates[1].Source != larksim.UpdateDelayed || m.Updates[1].Operator != u.OpenID {
		t.Errorf("message %q updates %+v", m.Content, m.Updates)
	}

	// A new click's token expires after 30 minutes.
	id2 := e.sendCard(t, u.OpenID, formCard)
	reply2, err := e.sim.ClickButton(context.Background(), id2, u.OpenID, "approve_btn", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cardUpdate(t, e, reply2.Token, `null`); got != larksim.CodeDelayCardParam {
		t.Errorf("no card: code %d, want 10002", got)
	}
	if got := cardUpdate(t, e, reply2.Token, `{"schema":"2.0","body":{"elements":[{"tag":"note"}]}}`); got != larksim.CodeDelayCardFormat {
		t.Errorf("invalid card: code %d, want 11311", got)
	}
	e.clk.Advance(30*time.Minute + time.Second)
	if got := cardUpdate(t, e, reply2.Token, first); got != larksim.CodeDelayTokenExpired {
		t.Errorf("after 30 min: code %d, want 300030", got)
	}
}

// TestUpdatesDuringCallback: a delayed update made before the callback is
// answered is reverted, and a PATCH of the 2.0 card is refused with
// "card action is lock".
func TestUpdatesDuringCallback(t *testing.T) {
	t.Parallel()
	early := card2(`{"tag":"markdown","content":"too early"}`)
	var e *env
	type result struct{ update, patch int }
	res := make(chan result, 1)
	e, u := clickEnv(t, larksim.Options{}, encryptKey, func(_ context.Context, ev *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
		r := result{update: cardUpdate(t, e, ev.Event.Token, early)}
		r.patch = patch(t, e, ev.Event.Context.OpenMessageID, early).Code
		res <- r
		return &callback.CardActionTriggerResponse{}, nil
	})
	id := e.sendCard(t, u.OpenID, formCard)
	if _, err := e.sim.ClickButton(context.Background(), id, u.OpenID, "approve_btn", nil); err != nil {
		t.Fatal(err)
	}
	r := <-res
	if r.update != 0 {
		t.Errorf("early delayed update: code %d (accepted, then reverted)", r.update)
	}
	if r.patch != larksim.CodeCardCreateFailed {
		t.Errorf("patch during callback: code %d, want 230099 card action is lock", r.patch)
	}
	m, _ := e.sim.Message(id)
	if m.Content != formCard || len(m.Updates) != 1 || !m.Updates[0].Reverted {
		t.Errorf("content %q updates %+v, want the original card and one reverted update", m.Content, m.Updates)
	}
	if got := patch(t, e, id, early); !got.Success() {
		t.Errorf("patch after the callback: code %d", got.Code)
	}
}

func TestVerifyURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		botVT   string
		key     string
		wantErr bool
	}{
		{name: "Encrypted", botVT: verificationToken, key: encryptKey},
		{name: "Plain", botVT: verificationToken},
		{name: "WrongToken", botVT: "other", key: encryptKey, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, larksim.Options{})
			url := botServer(t, tc.botVT, tc.key, nil)
			e.sim.Configure(larksim.WebhookConfig{CallbackURL: url, VerificationToken: verificationToken, EncryptKey: tc.key})
			if err := e.sim.VerifyURL(context.Background(), url); (err != nil) != tc.wantErr {
				t.Errorf("VerifyURL: %v, want error %v", err, tc.wantErr)
			}
		})
	}
}
