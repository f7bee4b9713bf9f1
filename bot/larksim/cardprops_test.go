package larksim_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/bot/larksim"
)

// TestValidateCardComponents: the component property table and the rules
// around it, one documented limit per case (cardprops.go).
func TestValidateCardComponents(t *testing.T) {
	t.Parallel()
	form := func(items ...string) string {
		return card2(`{"tag":"form","name":"f","elements":[` + join(append(items, submit)) + `]}`)
	}
	btn := func(extra string) string {
		return `{"tag":"button","text":{"tag":"plain_text","content":"同意"},"behaviors":[{"type":"callback","value":{"k":"x"}}]` + extra + `}`
	}
	table := func(extra string) string {
		return `{"tag":"table","columns":[{"name":"a","display_name":"姓名","data_type":"text"}],"rows":[{"a":"张三"}]` + extra + `}`
	}
	chart := `{"tag":"chart","aspect_ratio":"16:9","chart_spec":{"type":"bar","data":{"values":[]}}}`
	col := func(props string) string {
		return `{"tag":"column_set","columns":[{"tag":"column"` + props + `,"elements":[` + md + `]}]}`
	}
	tests := []struct {
		name string
		card string
		msg  string // "" valid, else a substring of the error
	}{
		{name: "Button100Chars", card: card2(`{"tag":"button","text":{"tag":"plain_text","content":"` + strings.Repeat("字", 100) + `"},"behaviors":[{"type":"callback","value":{}}]}`)},
		{name: "Button101Chars", card: card2(`{"tag":"button","text":{"tag":"plain_text","content":"` + strings.Repeat("字", 101) + `"},"behaviors":[{"type":"callback","value":{}}]}`), msg: "invalid text"},
		{name: "ButtonBadType", card: card2(btn(`,"type":"secondary"`)), msg: "invalid type"},
		{name: "ButtonNarrowWidth", card: card2(btn(`,"width":"80px"`)), msg: "invalid width"},
		{name: "ButtonWideWidth", card: card2(btn(`,"width":"120px"`))},
		{name: "StandaloneButtonWithoutBehaviors", card: card2(`{"tag":"button","text":{"tag":"plain_text","content":"同意"}}`), msg: "needs behaviors"},
		{name: "CallbackValueNotObject", card: card2(`{"tag":"button","text":{"tag":"plain_text","content":"同意"},"behaviors":[{"type":"callback","value":"approve"}]}`), msg: "object value"},
		{name: "OpenURLWithoutDefault", card: card2(`{"tag":"button","text":{"tag":"plain_text","content":"看"},"behaviors":[{"type":"open_url","pc_url":"https://x"}]}`), msg: "default_url"},
		{name: "UnknownBehavior", card: card2(`{"tag":"button","text":{"tag":"plain_text","content":"看"},"behaviors":[{"type":"form_submit"}]}`), msg: "callback or open_url"},
		{name: "EmptyBehaviors", card: card2(`{"tag":"button","text":{"tag":"plain_text","content":"看"},"behaviors":[]}`), msg: "non-empty"},
		{name: "ResetWithoutBehaviors", card: form(`{"tag":"button","name":"r","text":{"tag":"plain_text","content":"重置"},"form_action_type":"reset"}`)},
		{name: "ResetWithBehaviors", card: form(`{"tag":"button","name":"r","text":{"tag":"plain_text","content":"重置"},"form_action_type":"reset",` +
			`"behaviors":[{"type":"open_url","default_url":"https://x"},{"type":"callback","value":{"k":"v"}}]}`)},
		{name: "ResetWithBadBehaviors", card: form(`{"tag":"button","name":"r","text":{"tag":"plain_text","content":"重置"},"form_action_type":"reset","behaviors":[{"type":"callback"}]}`), msg: "object value"},
		{name: "FormButtonWithoutAction", card: form(`{"tag":"button","name":"r","text":{"tag":"plain_text","content":"看"},"behaviors":[{"type":"callback","value":{}}]}`), msg: "form_action_type"},
		{name: "FormButtonBadAction", card: form(`{"tag":"button","name":"r","text":{"tag":"plain_text","content":"清空"},"form_action_type":"clear"}`), msg: "invalid form_action_type"},
		{name: "ResetOutsideForm", card: card2(btn(`,"form_action_type":"reset"`)), msg: "inside a form"},
		{name: "Placeholder100", card: form(`{"tag":"input","name":"a","placeholder":{"tag":"plain_text","content":"` + strings.Repeat("请", 100) + `"}}`)},
		{name: "Placeholder101", card: form(`{"tag":"input","name":"a","placeholder":{"tag":"plain_text","content":"` + strings.Repeat("请", 101) + `"}}`), msg: "invalid placeholder"},
		{name: "InputBadType", card: form(`{"tag":"input","name":"a","input_type":"number"}`), msg: "invalid input_type"},
		{name: "InputBadLabelPosition", card: form(`{"tag":"input","name":"a","label_position":"right"}`), msg: "invalid label_position"},
		{name: "RequiredOutsideForm", card: card2(`{"tag":"input","required":true}`), msg: "only inside a form"},
		{name: "SelectDuplicateValue", card: form(`{"tag":"select_static","name":"s","options":[{"text":{"tag":"plain_text","content":"好"},"value":"1"},{"text":{"tag":"plain_text","content":"优"},"value":"1"}]}`), msg: "unique"},
		{name: "SelectOptionWithoutText", card: form(`{"tag":"select_static","name":"s","options":[{"value":"1"}]}`), msg: "text.content"},
		{name: "DatePickerBadDate", card: form(`{"tag":"date_picker","name":"d","initial_date":"2026/10/09"}`), msg: "yyyy-MM-dd"},
		{name: "DatePickerPlaceholder101", card: form(`{"tag":"date_picker","name":"d","placeholder":{"tag":"plain_text","content":"` + strings.Repeat("选", 101) + `"}}`), msg: "invalid placeholder"},
		{name: "DatePickerDate", card: form(`{"tag":"date_picker","name":"d","initial_date":"2026-10-09"}`)},
		{name: "FiveTables", card: card2(repeat(table(""), 5)...)},
		{name: "SixTables", card: card2(repeat(table(""), 6)...), msg: "five tables"},
		{name: "TablePageSize11", card: card2(table(`,"page_size":11`)), msg: "invalid page_size"},
		{name: "TableRowHeightAuto", card: card2(table(`,"row_height":"auto","page_size":10`))},
		{name: "TableRowHeight125px", card: card2(table(`,"row_height":"125px"`)), msg: "invalid row_height"},
		{name: "TableNoColumns", card: card2(`{"tag":"table","columns":[],"rows":[]}`), msg: "columns are required"},
		{name: "TableColumnBadType", card: card2(`{"tag":"table","columns":[{"name":"a","data_type":"html"}],"rows":[]}`), msg: "invalid data_type"},
		{name: "TableColumnNarrow", card: card2(`{"tag":"table","columns":[{"name":"a","width":"60px"}],"rows":[]}`), msg: "invalid width"},
		{name: "TableColumnPercent", card: card2(`{"tag":"table","columns":[{"name":"a","width":"25%"}],"rows":[]}`)},
		{name: "TableHeaderBadBackground", card: card2(table(`,"header_style":{"background_style":"blue"}`)), msg: "invalid background_style"},
		{name: "Chart", card: card2(chart)},
		{name: "ChartInForm", card: form(chart), msg: "cannot hold a chart"},
		{name: "ChartInColumnInForm", card: form(`{"tag":"column_set","columns":[{"tag":"column","elements":[` + chart + `]}]}`), msg: "cannot hold a chart"},
		{name: "ChartBadRatio", card: card2(`{"tag":"chart","aspect_ratio":"3:2","chart_spec":{}}`), msg: "invalid aspect_ratio"},
		{name: "ChartWithoutSpec", card: card2(`{"tag":"chart"}`), msg: "chart_spec"},
		{name: "ColumnWeight5", card: card2(col(`,"width":"weighted","weight":5`))},
		{name: "ColumnWeight6", card: card2(col(`,"width":"weighted","weight":6`)), msg: "invalid weight"},
		{name: "ColumnBadWidth", card: card2(col(`,"width":"half"`)), msg: "invalid width"},
		{name: "ColumnSetBadFlexMode", card: card2(`{"tag":"column_set","flex_mode":"wrap","columns":[]}`), msg: "invalid flex_mode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := larksim.ValidateCard([]byte(tc.card))
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("ValidateCard: %v", err)
				}
				return
			}
			var ce *larksim.CardError
			if !errors.As(err, &ce) || ce.Code != larksim.CardCodeInvalid || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("ValidateCard: %v, want 11310 containing %q", err, tc.msg)
			}
		})
	}
}

// TestValidateCardRequestSize: 30 KB is measured on the card as the send
// request carries it, a JSON-escaped string (发送消息: "JSON 字符串需进行
// 转义"), not on the card's own bytes.
func TestValidateCardRequestSize(t *testing.T) {
	t.Parallel()
	// A card of quotes and newlines: each weighs two bytes once escaped.
	padded := func(n int) string {
		return card2(`{"tag":"markdown","content":"` + strings.Repeat(`\"\n`, n) + `"}`)
	}
	tests := []struct {
		name string
		card string
		ok   bool
	}{
		{name: "RawAndEscapedUnder", card: padded(3000), ok: true},
		{name: "RawUnderEscapedOver", card: padded(5000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := len(tc.card)
			esc := larksim.RequestBytes(tc.card)
			err := larksim.ValidateCard([]byte(tc.card))
			var ce *larksim.CardError
			switch {
			case tc.ok && err != nil:
				t.Errorf("%d bytes, %d escaped: %v", raw, esc, err)
			case !tc.ok && (!errors.As(err, &ce) || ce.Code != larksim.CodeContentTooLong):
				t.Errorf("%d bytes, %d escaped: %v, want 230025", raw, esc, err)
			case !tc.ok && raw > larksim.MaxCardBytes:
				t.Fatalf("case is %d bytes raw; it must be under the limit raw and over it escaped", raw)
			}
		})
	}
	b, _ := json.Marshal(`a"b<`)
	if got, want := larksim.RequestBytes(`a"b<`), len(b)-2; got != want {
		t.Errorf("RequestBytes = %d, want %d", got, want)
	}
}
