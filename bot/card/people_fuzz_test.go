package card

import (
	"slices"
	"strings"
	"testing"
)

// Fuzz targets of the person card's attendance, waiver, secondment and
// leaving forms (docs/reliability.md G10): errors are *FieldError, and
// what is accepted is what the card offered, in range and clean.

func FuzzParseAttendance(f *testing.F) {
	addSeeds(f, `{"att_month":"2026-09","att_leave1":"1.5","att_leave2":"0","att_late":"2","att_early":""}`,
		`{"att_month":"2026-10"}`, `{"att_month":"2026-09","att_late":"1.5"}`, `{"att_month":"2026-09","att_leave1":"31.01"}`,
		`{"att_month":"2026-09","att_leave3":"1"}`, `{"att_month":9}`, `{}`)
	months, kinds := []string{"2026-08", "2026-09"}, []string{"病假", "事假"}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		in, err := ParseAttendance(m, months, kinds)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		if !slices.Contains(months, in.Month) || in.Late < 0 || in.Late > 31 || in.Early < 0 || in.Early > 31 {
			t.Fatalf("accepted %+v", in)
		}
		for k, d := range in.Days {
			h, ok := parseHundredths(d)
			if !slices.Contains(kinds, k) || !ok || h <= 0 || h > 3100 || formatHundredths(h) != d {
				t.Fatalf("accepted %s = %q", k, d)
			}
		}
	})
}

func FuzzParseWaive(f *testing.F) {
	addSeeds(f, `{"waive_week":"2026-W38","waive_reason":"病假"}`, `{"waive_week":"2026-W40","waive_reason":"x"}`,
		`{"waive_week":"2026-W38","waive_reason":" \u202e出差\n"}`, `{"waive_week":"2026-W38"}`, `{}`)
	weeks := []string{"2026-W38", "2026-W39"}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		in, err := ParseWaive(m, weeks)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		if !slices.Contains(weeks, in.Week) {
			t.Fatalf("accepted week %q", in.Week)
		}
		checkText(t, "reason", in.Reason, MaxShortText, false, true)
	})
}

func FuzzParseSecond(f *testing.F) {
	addSeeds(f, `{"second_unit":"u2","second_reason":"借调"}`, `{"second_unit":"none","second_reason":"期满"}`,
		`{"second_unit":"u9","second_reason":"x"}`, `{"second_unit":"u2"}`, `{"second_unit":["u2"]}`, `{}`,
		`{"second_unit_name":"业务科","second_reason":"借调"}`, `{"second_unit_name":"不借调","second_reason":"期满"}`,
		`{"second_unit_name":"执法大队","second_reason":"x"}`, `{"second_unit":"u2","second_unit_name":"业务科","second_reason":"x"}`)
	units := []Choice{{"u2", "业务科"}, {"u3", "执法大队"}, {"u4", "执法大队"}}
	ids := []string{"u2", "u3", "u4"}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		in, err := ParseSecond(m, units)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		if in.Unit != "" && !slices.Contains(ids, in.Unit) {
			t.Fatalf("accepted unit %q", in.Unit)
		}
		checkText(t, "reason", in.Reason, MaxShortText, false, true)
	})
}

func FuzzParsePersonLeft(f *testing.F) {
	addSeeds(f, `{"left_confirm":"left","left_reason":"调出本局"}`, `{"left_reason":"调出本局"}`,
		`{"left_confirm":"yes","left_reason":"x"}`, `{"left_confirm":"left","left_reason":"\u0000"}`, `{}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		reason, err := ParsePersonLeft(m)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		// Accepted only when the confirmation was picked on purpose.
		if c, _ := m[FieldLeftConfirm].(string); strings.TrimSpace(c) != LeftConfirmed {
			t.Fatalf("accepted without the confirmation: %v", m)
		}
		checkText(t, "reason", reason, MaxShortText, false, true)
	})
}
