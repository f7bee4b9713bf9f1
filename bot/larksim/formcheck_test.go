package larksim_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/larksim"
)

// limitsCard has one field of each kind the client constrains: an input
// with a max_length and one without (1,000), a select, a multi select, a
// date picker and a person select that lists no options.
const limitsCard = `{"schema":"2.0","config":{"update_multi":true},
 "header":{"title":{"tag":"plain_text","content":"限制"},"template":"blue"},
 "body":{"elements":[
  {"tag":"form","name":"f","elements":[
    {"tag":"input","name":"short","max_length":5,"placeholder":{"tag":"plain_text","content":"五个字以内"}},
    {"tag":"input","name":"long","input_type":"multiline_text","placeholder":{"tag":"plain_text","content":"默认上限"}},
    {"tag":"select_static","name":"grade","placeholder":{"tag":"plain_text","content":"等次"},
     "options":[{"text":{"tag":"plain_text","content":"好"},"value":"good"},
                {"text":{"tag":"plain_text","content":"较好"},"value":"fair"}]},
    {"tag":"multi_select_static","name":"picks","placeholder":{"tag":"plain_text","content":"人选"},
     "options":[{"text":{"tag":"plain_text","content":"甲"},"value":"a"},
                {"text":{"tag":"plain_text","content":"乙"},"value":"b"}]},
    {"tag":"date_picker","name":"due","placeholder":{"tag":"plain_text","content":"完成时限"}},
    {"tag":"button","name":"submit","text":{"tag":"plain_text","content":"提交"},"form_action_type":"submit",
     "behaviors":[{"type":"callback","value":{"k":"limits"}}]}
  ]}
 ]}}`

// TestClickButtonLimits: a submit carries only what a person could have
// typed or picked; anything else is refused before a callback is sent.
func TestClickButtonLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		form    map[string]any
		wantErr error
	}{
		{name: "AtTheLimit", form: map[string]any{"short": "一二三四五"}},
		{name: "OverTheLimitInCharacters", form: map[string]any{"short": "一二三四五六"}, wantErr: larksim.ErrTooLong},
		// Five characters are fifteen bytes: the client counts characters.
		{name: "ASCIIOverTheLimit", form: map[string]any{"short": "abcdef"}, wantErr: larksim.ErrTooLong},
		{name: "DefaultLimit", form: map[string]any{"long": strings.Repeat("字", 1000)}},
		{name: "OverTheDefaultLimit", form: map[string]any{"long": strings.Repeat("字", 1001)}, wantErr: larksim.ErrTooLong},
		{name: "AnOption", form: map[string]any{"grade": "fair"}},
		{name: "NotAnOption", form: map[string]any{"grade": "excellent"}, wantErr: larksim.ErrNotAnOption},
		// The label is what the person sees, the value what is sent.
		{name: "OptionByItsLabel", form: map[string]any{"grade": "好"}, wantErr: larksim.ErrNotAnOption},
		{name: "SelectNotAString", form: map[string]any{"grade": []any{"good"}}, wantErr: larksim.ErrNotAnOption},
		{name: "MultiOptions", form: map[string]any{"picks": []any{"a", "b"}}},
		{name: "MultiOneNotAnOption", form: map[string]any{"picks": []any{"a", "c"}}, wantErr: larksim.ErrNotAnOption},
		{name: "MultiNotAList", form: map[string]any{"picks": "a"}, wantErr: larksim.ErrNotAnOption},
		{name: "DateAsPicked", form: map[string]any{"due": "2026-11-20 +0800"}},
		{name: "DateAlone", form: map[string]any{"due": "2026-11-20"}},
		{name: "DateOtherLayout", form: map[string]any{"due": "2026/11/20"}, wantErr: larksim.ErrBadDate},
		{name: "DateNoSuchDay", form: map[string]any{"due": "2026-02-30 +0800"}, wantErr: larksim.ErrBadDate},
		{name: "DateWithTime", form: map[string]any{"due": "2026-11-20 07:00 +0800"}, wantErr: larksim.ErrBadDate},
		{name: "EmptyIsNotChecked", form: map[string]any{"short": "", "grade": "", "due": ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := make(chan struct{}, 1)
			e, u := clickEnv(t, larksim.Options{}, encryptKey, func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
				got <- struct{}{}
				return &callback.CardActionTriggerResponse{}, nil
			})
			id := e.sendCard(t, u.OpenID, limitsCard)
			_, err := e.sim.ClickButton(context.Background(), id, u.OpenID, "submit", tc.form)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			select {
			case <-got:
				if tc.wantErr != nil {
					t.Error("a refused submit reached the app")
				}
			default:
				if tc.wantErr == nil {
					t.Error("the submit did not reach the app")
				}
			}
		})
	}
}

// TestClickButtonLimitsOnDefaults: what the card prefills is submitted and
// checked like what the person picks (the card check already refuses a
// default_value longer than max_length), so a select whose initial_option
// the card does not offer is caught on submit.
func TestClickButtonLimitsOnDefaults(t *testing.T) {
	t.Parallel()
	e, u := clickEnv(t, larksim.Options{}, encryptKey, func(context.Context, *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
		return &callback.CardActionTriggerResponse{}, nil
	})
	card := strings.Replace(limitsCard, `"name":"grade",`, `"name":"grade","initial_option":"excellent",`, 1)
	id := e.sendCard(t, u.OpenID, card)
	if _, err := e.sim.ClickButton(context.Background(), id, u.OpenID, "submit", nil); !errors.Is(err, larksim.ErrNotAnOption) {
		t.Errorf("untouched initial_option that is not an option: %v, want ErrNotAnOption", err)
	}
	if _, err := e.sim.ClickButton(context.Background(), id, u.OpenID, "submit", map[string]any{"grade": "good"}); err != nil {
		t.Errorf("an option picked instead: %v", err)
	}
}
