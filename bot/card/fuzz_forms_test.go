package card

import (
	"testing"
	"time"
)

// Fuzz targets of the forms added with each scheme's records, its raters
// and the two-level targets: the 工作日志, HR's 外部测评 tally, a target's
// return and revision, the 年度测评 and its deadline. Each checks what an
// accepted form promises; a refusal must be a *FieldError (checkParseErr).

// checkHundredths fails unless s is a canonical number of at most two
// decimals between 0 and max hundredths, as reader.number returns.
func checkHundredths(t *testing.T, field, s string, max int64) {
	t.Helper()
	h, ok := parseHundredths(s)
	if !ok || h < 0 || h > max || formatHundredths(h) != s {
		t.Fatalf("%s: accepted %q (not a canonical number within 0–%s)", field, s, formatHundredths(max))
	}
}

func FuzzParseDaily(f *testing.F) {
	addSeeds(f, `{"`+FieldLog+`":"起草防汛方案\n走访3个村"}`, `{"`+FieldLog+`":""}`, `{}`, `{"`+FieldLog+`":7}`,
		`{"`+FieldLog+`":"\u202e\u200b"}`, `{"`+FieldLog+`":"a","x":"b"}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		d, err := ParseDaily(m)
		checkParseErr(t, err)
		if err == nil {
			checkFields(t, m, FieldLog)
			checkText(t, FieldLog, d.Log, MaxText, true, true)
		}
	})
}

func FuzzParseOutside(f *testing.F) {
	ids := []string{"ou_e1", "ou_e2"}
	r1, m1 := OutsideRatersField("ou_e1"), OutsideMeanField("ou_e1")
	addSeeds(f, `{"`+r1+`":"12","`+m1+`":"86.5"}`, `{"`+r1+`":"0"}`, `{"`+r1+`":"3"}`, `{"`+r1+`":"2.5","`+m1+`":"80"}`,
		`{"`+r1+`":"4","`+m1+`":"100.01"}`, `{"`+r1+`":"-1","`+m1+`":"80"}`, `{"`+m1+`":"90"}`, `{"x":"1"}`, `{}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		out, err := ParseOutside(m, ids)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		var fields []string
		for _, id := range ids {
			fields = append(fields, OutsideRatersField(id), OutsideMeanField(id))
		}
		checkFields(t, m, fields...)
		if len(out) != len(ids) {
			t.Fatalf("accepted a tally of %d people for a card of %d", len(out), len(ids))
		}
		for id, tl := range out {
			switch {
			case tl.Raters < 0 || tl.Raters > MaxOutsideRaters*100:
				t.Fatalf("%s: accepted %d raters", id, tl.Raters)
			case tl.Raters == 0 && tl.Mean != "":
				t.Fatalf("%s: no raters but an average %q", id, tl.Mean)
			case tl.Raters > 0:
				checkHundredths(t, id, tl.Mean, 100_00)
			}
		}
	})
}

func FuzzParseTargetReturn(f *testing.F) {
	fuzzText(f, FieldTargetReason, ParseTargetReturn)
}

func FuzzParseTargetRevise(f *testing.F) {
	title, dl, role := TargetField(1, PartTitle), TargetField(1, PartDeadline), TargetField(1, PartRole)
	addSeeds(f, `{"`+title+`":"信息公开年报","`+dl+`":"2026-03-31 +0800","`+role+`":"`+RoleLead+`"}`,
		`{"`+title+`":"x","`+dl+`":"2027-01-01"}`, `{"`+title+`":"","`+dl+`":"2026-05-01"}`,
		`{"`+title+`":"a","`+dl+`":"2026-05-01","`+TargetField(2, PartTitle)+`":"b"}`, `{}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		row, err := ParseTargetRevise(m, 2026)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkText(t, "title", row.Title, MaxShortText, false, true)
		d, perr := time.Parse("2006-01-02", row.Deadline)
		if perr != nil || d.Year() != 2026 {
			t.Fatalf("accepted the deadline %q outside 2026", row.Deadline)
		}
	})
}

func FuzzParseYearRate(f *testing.F) {
	groups := []YearRateGroup{
		{Source: "superior", Name: "主管领导", People: []Colleague{{ID: "ou_k1"}}},
		{Source: "excellent", Name: "优秀票", Excellent: true, People: []Colleague{{ID: "ou_e1"}, {ID: "ou_e2"}}},
	}
	s1, x1, x2 := YearRateField("superior", "ou_k1"), YearRateField("excellent", "ou_e1"), YearRateField("excellent", "ou_e2")
	addSeeds(f, `{"`+s1+`":"88.5","`+x1+`":"1","`+x2+`":"0"}`, `{"`+s1+`":"101","`+x1+`":"1","`+x2+`":"0"}`,
		`{"`+s1+`":"88","`+x1+`":"2","`+x2+`":"0"}`, `{"`+s1+`":"88","`+x1+`":"1"}`, `{"`+s1+`":88}`, `{}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		out, err := ParseYearRate(m, groups)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkFields(t, m, s1, x1, x2)
		for _, g := range groups {
			if len(out[g.Source]) != len(g.People) {
				t.Fatalf("%s: accepted %d scores for %d people", g.Source, len(out[g.Source]), len(g.People))
			}
			for id, v := range out[g.Source] {
				if g.Excellent {
					oneOf(t, id, v, []string{ExcellentYes, ExcellentNo})
				} else {
					checkHundredths(t, id, v, 100_00)
				}
			}
		}
	})
}

func FuzzParseYearDue(f *testing.F) {
	addSeeds(f, `{"`+YearDueField+`":"2027-01-15 +0800"}`, `{"`+YearDueField+`":"2027-01-15"}`, `{"`+YearDueField+`":"2027-02-30"}`,
		`{"`+YearDueField+`":""}`, `{"`+YearDueField+`":20270115}`, `{}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		d, err := ParseYearDue(m)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkFields(t, m, YearDueField)
		if p, perr := time.Parse("2006-01-02", d); perr != nil || p.Format("2006-01-02") != d {
			t.Fatalf("accepted the date %q", d)
		}
	})
}
