package larksim_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/bot/larksim"
)

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// nest wraps inner in n interactive containers.
func nest(n int, inner string) string {
	for range n {
		inner = `{"tag":"interactive_container","elements":[` + inner + `]}`
	}
	return inner
}

const submit = `{"tag":"button","name":"ok","form_action_type":"submit","text":{"tag":"plain_text","content":"提交"}}`

// platformExample is the example card from docs/lark.md §2.2.
const platformExample = `{"schema":"2.0","config":{"update_multi":true},
 "header":{"title":{"tag":"plain_text","content":"Leave request"},"template":"blue"},
 "body":{"elements":[
  {"tag":"markdown","content":"<at id=all></at> please review"},
  {"tag":"form","name":"leave_form","elements":[
    {"tag":"input","name":"reason","required":true,"input_type":"multiline_text","rows":3,"max_length":500,
     "label":{"tag":"plain_text","content":"Reason"},"placeholder":{"tag":"plain_text","content":"..."}},
    {"tag":"select_static","name":"kind","required":true,"placeholder":{"tag":"plain_text","content":"Type"},
     "options":[{"text":{"tag":"plain_text","content":"Annual"},"value":"annual"},
                {"text":{"tag":"plain_text","content":"Sick"},"value":"sick"}]},
    {"tag":"date_picker","name":"start","required":true,"placeholder":{"tag":"plain_text","content":"Start"}},
    {"tag":"button","name":"submit_btn","type":"primary","text":{"tag":"plain_text","content":"Submit"},
     "form_action_type":"submit","behaviors":[{"type":"callback","value":{"action":"submit_leave","req_id":"123"}}]}
  ]}]}}`

func TestValidateCard(t *testing.T) {
	t.Parallel()
	// 199 markdown components + the header title = 200 tagged elements.
	atLimit := `{"schema":"2.0","header":{"title":{"tag":"plain_text","content":"t"}},"body":{"elements":[` + join(repeat(md, 199)) + `]}}`
	overLimit := `{"schema":"2.0","header":{"title":{"tag":"plain_text","content":"t"}},"body":{"elements":[` + join(repeat(md, 200)) + `]}}`
	tests := []struct {
		name     string
		card     string
		wantCode int    // 0: valid
		wantMsg  string // substring of the error
	}{
		{name: "PlatformExample", card: platformExample},
		{name: "FormCard", card: formCard},
		{name: "Minimal", card: `{"schema":"2.0","body":{"elements":[]}}`},
		{name: "ColumnSet", card: card2(`{"tag":"column_set","columns":[{"tag":"column","elements":[` + md + `]},{"tag":"column","elements":[{"tag":"hr"}]}]}`)},
		{name: "ElementsAtLimit", card: atLimit},
		{name: "FiveLevels", card: card2(nest(5, md))},

		{name: "ElementsOverLimit", card: overLimit, wantCode: larksim.CardCodeInvalid, wantMsg: "element exceeds the limit"},
		{name: "SixLevels", card: card2(nest(6, md)), wantCode: larksim.CardCodeInvalid, wantMsg: "5 levels"},
		{name: "TooBig", card: card2(`{"tag":"markdown","content":"` + strings.Repeat("x", larksim.MaxCardBytes) + `"}`), wantCode: larksim.CodeContentTooLong},
		{name: "NotJSON", card: `{"schema":"2.0",`, wantCode: larksim.CardCodeParse},
		{name: "NotObject", card: `[1,2]`, wantCode: larksim.CardCodeParse},
		{name: "TrailingData", card: `{"schema":"2.0","body":{"elements":[]}} {}`, wantCode: larksim.CardCodeParse},
		{name: "NoSchema", card: `{"body":{"elements":[]}}`, wantCode: larksim.CardCodeInvalid, wantMsg: "schema"},
		{name: "Schema1", card: `{"schema":"1.0","elements":[]}`, wantCode: larksim.CardCodeInvalid, wantMsg: "schema"},
		{name: "Template", card: `{"type":"template","data":{"template_id":"AAq1"}}`, wantCode: larksim.CardCodeTemplateNotFound},
		{name: "TopLevelElements", card: `{"schema":"2.0","elements":[],"body":{"elements":[]}}`, wantCode: larksim.CardCodeInvalid, wantMsg: "unsupported property"},
		{name: "NoBody", card: `{"schema":"2.0","header":{"title":{"tag":"plain_text","content":"t"}}}`, wantCode: larksim.CardCodeInvalid, wantMsg: "body.elements"},
		{name: "BodyElementsNotArray", card: `{"schema":"2.0","body":{"elements":{}}}`, wantCode: larksim.CardCodeInvalid, wantMsg: "body.elements"},
		{name: "UnknownBodyProperty", card: `{"schema":"2.0","body":{"elements":[],"color":"red"}}`, wantCode: larksim.CardCodeInvalid, wantMsg: "unsupported property"},
		{name: "UnknownConfigProperty", card: `{"schema":"2.0","config":{"wide_screen_mode":true},"body":{"elements":[]}}`, wantCode: larksim.CardCodeInvalid, wantMsg: "unsupported property"},
		{name: "NotShared", card: `{"schema":"2.0","config":{"update_multi":false},"body":{"elements":[]}}`, wantCode: larksim.CardCodeInvalid, wantMsg: "update_multi"},
		{name: "BadWidthMode", card: `{"schema":"2.0","config":{"width_mode":"wide"},"body":{"elements":[]}}`, wantCode: larksim.CardCodeInvalid, wantMsg: "width_mode"},
		{name: "HeaderWithoutTitle", card: `{"schema":"2.0","header":{"template":"blue"},"body":{"elements":[]}}`, wantCode: larksim.CardCodeInvalid, wantMsg: "title"},
		{name: "BadTemplateColour", card: `{"schema":"2.0","header":{"title":{"tag":"plain_text","content":"t"},"template":"pink"},"body":{"elements":[]}}`, wantCode: larksim.CardCodeInvalid, wantMsg: "template"},
		{name: "NoteTag", card: card2(`{"tag":"note","elements":[]}`), wantCode: larksim.CardCodeV2Unsupported, wantMsg: "unsupported tag note"},
		{name: "ActionTag", card: card2(`{"tag":"action","actions":[]}`), wantCode: larksim.CardCodeV2Unsupported},
		{name: "UnknownTag", card: card2(`{"tag":"marquee"}`), wantCode: larksim.CardCodeInvalid, wantMsg: "unknown component tag"},
		{name: "MissingTag", card: card2(`{"content":"x"}`), wantCode: larksim.CardCodeInvalid, wantMsg: "tag is required"},
		{name: "ColumnWithoutTag", card: card2(`{"tag":"column_set","columns":[{"elements":[]}]}`), wantCode: larksim.CardCodeInvalid, wantMsg: "column"},
		{name: "NestedForm", card: card2(`{"tag":"column_set","columns":[{"tag":"column","elements":[{"tag":"form","name":"f","elements":[` + submit + `]}]}]}`), wantCode: larksim.CardCodeInvalid, wantMsg: "form must be at the card root"},
		{name: "TableInContainer", card: card2(`{"tag":"interactive_container","elements":[{"tag":"table","columns":[],"rows":[]}]}`), wantCode: larksim.CardCodeInvalid, wantMsg: "table"},
		{name: "FormWithoutName", card: card2(`{"tag":"form","elements":[` + submit + `]}`), wantCode: larksim.CardCodeInvalid, wantMsg: "need a name"},
		{name: "FieldWithoutName", card: card2(`{"tag":"form","name":"f","elements":[{"tag":"input"},` + submit + `]}`), wantCode: larksim.CardCodeInvalid, wantMsg: "need a name"},
		{name: "DuplicateName", card: card2(`{"tag":"form","name":"f","elements":[{"tag":"input","name":"a"},{"tag":"input","name":"a"},` + submit + `]}`), wantCode: larksim.CardCodeInvalid, wantMsg: "unique"},
		{name: "NameClashOutsideForm", card: card2(`{"tag":"button","name":"ok","behaviors":[{"type":"callback","value":{}}]}`, `{"tag":"form","name":"f","elements":[`+submit+`]}`), wantCode: larksim.CardCodeInvalid, wantMsg: "unique"},
		{name: "FormWithoutSubmit", card: card2(`{"tag":"form","name":"f","elements":[{"tag":"input","name":"a"}]}`), wantCode: larksim.CardCodeInvalid, wantMsg: "submit"},
		{name: "LegacySubmit", card: card2(`{"tag":"form","name":"f","elements":[{"tag":"button","name":"b","action_type":"form_submit"}]}`)},
		{name: "ElementIDOK", card: card2(`{"tag":"markdown","element_id":"md_1","content":"x"}`)},
		{name: "ElementIDBadStart", card: card2(`{"tag":"markdown","element_id":"1md","content":"x"}`), wantCode: larksim.CardCodeInvalid, wantMsg: "element_id"},
		{name: "ElementIDTooLong", card: card2(`{"tag":"markdown","element_id":"a123456789012345678901","content":"x"}`), wantCode: larksim.CardCodeInvalid, wantMsg: "element_id"},
		{name: "ElementIDDuplicate", card: card2(`{"tag":"markdown","element_id":"m","content":"x"}`, `{"tag":"hr","element_id":"m"}`), wantCode: larksim.CardCodeInvalid, wantMsg: "unique"},
		{name: "ValueIsOpaque", card: card2(`{"tag":"button","name":"b","behaviors":[{"type":"callback","value":{"tag":"not-a-component","element_id":"!"}}]}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := larksim.ValidateCard([]byte(tc.card))
			if tc.wantCode == 0 {
				if err != nil {
					t.Fatalf("ValidateCard: %v", err)
				}
				return
			}
			var ce *larksim.CardError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want *CardError", err)
			}
			if ce.Code != tc.wantCode || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q (code %d), want code %d containing %q", err, ce.Code, tc.wantCode, tc.wantMsg)
			}
		})
	}
}

// TestCardErrorFormat checks the "ext=" text Lark puts in 230099 answers.
func TestCardErrorFormat(t *testing.T) {
	t.Parallel()
	err := larksim.ValidateCard([]byte(card2(md, `{"tag":"note"}`)))
	want := "ErrCode: 200861; ErrPath: ROOT -> body -> elements -> [1](tag: note); ErrMsg: cards of schema V2 no longer support this capability; ErrorValue: unsupported tag note; "
	if err == nil || err.Error() != want {
		t.Errorf("error\n%q, want\n%q", err, want)
	}
}

func FuzzValidateCard(f *testing.F) {
	for _, s := range []string{
		platformExample, formCard, card2(md), card2(nest(6, md)), `{"schema":"2.0","body":{"elements":[]}}`,
		`{"type":"template","data":{}}`, `{"schema":"2.0","body":{"elements":[{"tag":"form","name":"f","elements":[]}]}}`,
		`{"schema":"2.0","body":{"elements":[{"tag":"column_set","columns":[{"tag":"column","elements":[null]}]}]}}`,
		`null`, `[]`, `"x"`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, card []byte) {
		err := larksim.ValidateCard(card)
		if err == nil {
			if len(card) > larksim.MaxCardBytes {
				t.Fatalf("accepted a %d-byte card", len(card))
			}
			var v struct {
				Schema string `json:"schema"`
				Body   struct {
					Elements []json.RawMessage `json:"elements"`
				} `json:"body"`
			}
			dec := json.NewDecoder(bytes.NewReader(card))
			if dec.Decode(&v) != nil || v.Schema != "2.0" || v.Body.Elements == nil {
				t.Fatalf("accepted a card without schema 2.0 and body.elements: %q", card)
			}
			return
		}
		var ce *larksim.CardError
		if !errors.As(err, &ce) || ce.Code == 0 {
			t.Fatalf("error %v is not a *CardError with a code", err)
		}
	})
}

// TestValidateCardInputLimits: an input's max_length is 1–1,000 and its
// default fits in it (输入框).
func TestValidateCardInputLimits(t *testing.T) {
	t.Parallel()
	card := func(input string) []byte {
		return []byte(`{"schema":"2.0","body":{"elements":[{"tag":"form","name":"f","elements":[` + input +
			`,{"tag":"button","name":"s","text":{"tag":"plain_text","content":"提交"},"form_action_type":"submit"}]}]}}`)
	}
	tests := []struct {
		name, input string
		ok          bool
	}{
		{"NoLimit", `{"tag":"input","name":"a"}`, true},
		{"Thousand", `{"tag":"input","name":"a","max_length":1000}`, true},
		{"TwoThousand", `{"tag":"input","name":"a","max_length":2000}`, false},
		{"Zero", `{"tag":"input","name":"a","max_length":0}`, false},
		{"DefaultTooLong", `{"tag":"input","name":"a","max_length":2,"default_value":"三个字"}`, false},
		{"DefaultFits", `{"tag":"input","name":"a","max_length":3,"default_value":"三个字"}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := larksim.ValidateCard(card(tc.input))
			if (err == nil) != tc.ok {
				t.Errorf("ValidateCard: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
