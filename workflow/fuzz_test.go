package workflow_test

import (
	"encoding/json"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// FuzzParseEntryForm: card form values never panic the parser, and what it
// accepts round-trips through ValidateBody without panicking.
func FuzzParseEntryForm(f *testing.F) {
	f.Add("weekly", `{"task1_title":"起草文件","task1_deadline":"2026-09-30","task1_progress":"50%"}`)
	f.Add("monthly", `{"goals":"完成","completion":"完成","unfinished":"调研：天气原因\n报告:待审"}`)
	f.Add("quarterly", `{"summary":"小结","training":"培训"}`)
	f.Add("weekly", `{"task01_title":"x","task31_title":"y"}`)
	f.Add("daily", `{"log":"\xff"}`)
	f.Fuzz(func(t *testing.T, kind, raw string) {
		var form map[string]string
		if json.Unmarshal([]byte(raw), &form) != nil {
			return
		}
		b, err := workflow.ParseEntryForm(kind, form)
		if err != nil {
			return
		}
		_ = workflow.ValidateBody(kind, b, scoring.D("100"))
	})
}

// FuzzParseAssessmentForm: a leader's scoring card never panics the parser
// or the scheme check.
func FuzzParseAssessmentForm(f *testing.F) {
	f.Add(`{"score.思想政治素质":"6","grade":"好","comment":"好"}`)
	f.Add(`{"bonus.防汛":"3","reason.防汛":"抢险","direct":"top","direct_reason":"x"}`)
	f.Add(`{"score":"1e9999999"}`)
	sc, err := scoring.Builtin("s4")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var form map[string]string
		if json.Unmarshal([]byte(raw), &form) != nil {
			return
		}
		a, err := workflow.ParseAssessmentForm(form)
		if err != nil {
			return
		}
		_ = workflow.ValidateAssessment(sc, a)
	})
}

func TestParseEntryForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		kind  string
		form  map[string]string
		field string // "" for OK
		tasks int
	}{
		{"OK/weekly", "weekly", map[string]string{"task2_title": "b", "task1_title": "a", "task1_progress": "100"}, "", 2},
		{"ErrInvalidInput/padded task number", "weekly", map[string]string{"task01_title": "a"}, "task01_title", 0},
		{"ErrInvalidInput/progress", "weekly", map[string]string{"task1_progress": "101"}, "task1_progress", 0},
		{"ErrInvalidInput/deadline", "weekly", map[string]string{"task1_deadline": "2026-02-30"}, "task1_deadline", 0},
		{"ErrInvalidInput/unknown field", "monthly", map[string]string{"summary": "x"}, "summary", 0},
		{"ErrInvalidInput/unfinished without reason", "monthly", map[string]string{"unfinished": "调研"}, "unfinished[0]", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := workflow.ParseEntryForm(tc.kind, tc.form)
			var ie *workflow.InputError
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("unexpected %v", err)
			case tc.field != "" && (!errorsAs(err, &ie) || ie.Field != tc.field):
				t.Fatalf("got %v, want field %s", err, tc.field)
			case tc.field == "" && len(b.Tasks) != tc.tasks:
				t.Errorf("tasks = %d, want %d", len(b.Tasks), tc.tasks)
			}
		})
	}
}
