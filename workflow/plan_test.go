package workflow_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/workflow"
)

func TestParsePlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, spec string
		want       []workflow.Nudge
		err        string
	}{
		{"OK/default weekly", "before:-1@15:00, overdue:1@09:00,leader:2@09:00", []workflow.Nudge{
			{Stage: "before", Workdays: -1, Hour: 15}, {Stage: "overdue", Workdays: 1, Hour: 9}, {Stage: "leader", Workdays: 2, Hour: 9}}, ""},
		{"OK/none", "none", []workflow.Nudge{}, ""},
		{"OK/minutes", "hr:4@9:05", []workflow.Nudge{{Stage: "hr", Workdays: 4, Hour: 9, Minute: 5}}, ""},
		{"OK/urgent on the due day", "due:0@09:00,urgent:0@14:00", []workflow.Nudge{
			{Stage: "due", Hour: 9}, {Stage: "urgent", Hour: 14}}, ""},
		{"Err/urgent after the due date", "urgent:1@09:00", nil, "on or before the due date"},
		{"Err/two urgent", "urgent:-1@09:00,urgent:0@09:00", nil, "at most one urgent"},
		{"Err/empty", "", nil, "empty plan"},
		{"Err/stage", "boss:1@09:00", nil, "stage \"boss\""},
		{"Err/no time", "due:0", nil, "stage:workdays@HH:MM"},
		{"Err/workdays", "due:x@09:00", nil, "workdays"},
		{"Err/far", "due:99@09:00", nil, "workdays"},
		{"Err/hour", "due:0@24:00", nil, "time"},
		{"Err/minute", "due:0@09:7", nil, "time"},
		{"Err/second nudge", "due:0@09:00,,", nil, "nudge 2"},
		{"Err/too many", strings.Repeat("due:0@09:00,", 200) + "due:0@09:00", nil, "at most 200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := workflow.ParsePlan(tt.spec)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || got != nil {
					t.Fatalf("ParsePlan(%q) = %v, %v; want an error containing %q and no plan", tt.spec, got, err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParsePlan(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
			}
		})
	}
}

func FuzzParsePlan(f *testing.F) {
	for _, s := range []string{"before:-1@15:00,overdue:1@09:00", "none", "hr:4@9:05", "due:0@24:00", ":@:", ","} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		got, err := workflow.ParsePlan(spec)
		if err != nil {
			if got != nil {
				t.Fatalf("error %v with a plan %v", err, got)
			}
			return
		}
		for _, n := range got {
			if n.Hour < 0 || n.Hour > 23 || n.Minute < 0 || n.Minute > 59 || n.Workdays < -20 || n.Workdays > 20 {
				t.Fatalf("accepted an impossible nudge %+v from %q", n, spec)
			}
		}
	})
}
