package scoring

import (
	"errors"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the scheme parser: it must return a
// scheme or a SchemeErrors, never panic, and a scheme it accepts must score.
func FuzzLoad(f *testing.F) {
	for _, id := range BuiltinIDs() {
		data, err := BuiltinSource(id)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(minimal))
	f.Add([]byte("id: [\n"))
	f.Add([]byte("bands:\n  - {grade: x, range: \"[1e999999, +inf)\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load("fuzz.yaml", data)
		if err != nil {
			if s != nil {
				t.Fatal("scheme returned with an error")
			}
			if !errors.Is(err, ErrInvalidScheme) {
				t.Fatalf("error %v is not ErrInvalidScheme", err)
			}
			return
		}
		// A valid scheme must not panic on a tiny input.
		_, _ = ScorePeriod(s, &PeriodInput{Kind: "period", Period: PeriodInfo{ID: "f", WorkingDays: 60},
			People: []PersonInput{{ID: "a", Unit: "u", Grade: s.Grades[0].Label, Sources: map[string]SourceInput{}}}})
	})
}

// FuzzDecodeInput feeds arbitrary JSON to the input decoder and scores what
// it accepts under S4, S5 and S2: no panic, and errors are InputErrors.
func FuzzDecodeInput(f *testing.F) {
	f.Add([]byte(`{"kind":"period","period":{"id":"2026-Q3","working_days":66},"people":[{"id":"a","unit":"u","sources":{"leader":{"indicators":{"思想政治素质":6}}}}]}`))
	f.Add([]byte(`{"kind":"period","people":[{"id":"a","unit":"u","grade":"A","status":{"leave":[{"kind":"病假","days":"40"}]}}],"committee":{"decisions":[{"person":"a","grade":"A","reason":"x"}]}}`))
	f.Add([]byte(`{"kind":"year","year":2026,"people":[{"id":"a","unit":"u","tier":"其他","periods":[{"period":"Q1","score":"91","grade":"优秀"}],"annual":{"sources":{"superior":{"score":90},"colleagues":{"votes":[80,90]}}}}]}`))
	f.Add([]byte(`{"kind":"period","people":[{"id":"a","unit":"u","tier":"其他","sources":{"leader":{"score":55}},"allowance":{"monthly":{"工作性津贴":"3000"},"next_period_start":"2026-10","months":[{"month":"2026-07","working_days":23,"leave_days":5,"absent_days":1}]}}]}`))
	f.Add([]byte(`{"kind":"period","people":[]}`))
	f.Add([]byte(`{`))
	schemes := map[string]*Scheme{}
	for _, id := range []string{"s2", "s4", "s5", "s9"} {
		s, err := Builtin(id)
		if err != nil {
			f.Fatal(err)
		}
		schemes[id] = s
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := DecodeInput(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("decode error %v is not ErrInvalidInput", err)
			}
			return
		}
		for _, s := range schemes {
			switch v := in.(type) {
			case *PeriodInput:
				res, err := ScorePeriod(s, v)
				if err != nil && !errors.Is(err, ErrInvalidInput) {
					t.Fatalf("score error %v is not ErrInvalidInput", err)
				}
				if err == nil && len(res.People) != len(v.People) {
					t.Fatalf("%d results for %d people", len(res.People), len(v.People))
				}
			case *YearInput:
				_, err := ScoreYear(s, v)
				if err != nil && !errors.Is(err, ErrInvalidInput) {
					t.Fatalf("year error %v is not ErrInvalidInput", err)
				}
			}
		}
	})
}
