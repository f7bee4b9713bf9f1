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

// committeeFuzzForm is a committee card with a minimum share to meet, a
// cap that may be raised and two uniform lines to send back.
var committeeFuzzForm = CommitteeForm{Period: "2026-Q3", Grades: []string{"A", "B"},
	Floors:  []Floor{{Unit: "u", Grade: "A", Share: "20%", Participants: 10, Min: 2, Have: 1, Candidates: []Candidate{{ID: "a"}, {ID: "b"}}}},
	Caps:    []CapRaise{{Unit: "u", Grade: "A", Share: "40%", HardShare: "50%", Participants: 10, Cap: 4, Hard: 5}},
	Uniform: []UniformLine{{Who: "科长钱"}, {Who: "综合科"}}}

func FuzzParseQuota(f *testing.F) {
	addSeeds(f, `{"k":"raise","`+FloorPeopleField(0)+`":["a"],"`+FloorReasonField(0)+`":"业绩突出"}`,
		`{"k":"keep","`+FloorReasonField(0)+`":"无人达到"}`, `{"k":"raise","`+FloorPeopleField(0)+`":["c"],"`+FloorReasonField(0)+`":"x"}`,
		`{"k":"cap","`+CapCountField(0)+`":"5","`+CapReasonField(0)+`":"任务重"}`, `{"k":"cap","`+CapCountField(0)+`":"6","`+CapReasonField(0)+`":"x"}`, `{}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		// The kind comes from the button's value, not the form; the fuzz
		// input picks it so one target covers all three forms.
		k, _ := m["k"].(string)
		kind := map[string]string{"raise": KindQuotaRaise, "keep": KindQuotaKeep, "cap": KindQuotaCap}[k]
		delete(m, "k")
		if kind == "" {
			return
		}
		d, err := ParseQuota(kind, 0, m, committeeFuzzForm)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkText(t, "reason", d.Reason, MaxShortText, false, true)
		switch kind {
		case KindQuotaRaise:
			if len(d.People) == 0 {
				t.Fatalf("raised nobody: %+v", d)
			}
			for _, p := range d.People {
				oneOf(t, "people", p, []string{"a", "b"})
			}
		case KindQuotaKeep:
			if len(d.People) != 0 || d.Cap != 0 {
				t.Fatalf("keeping the shortfall changed something: %+v", d)
			}
		case KindQuotaCap:
			if d.Cap != 5 {
				t.Fatalf("accepted the cap %d; the card offers 5", d.Cap)
			}
		}
	})
}

func FuzzParseReturn(f *testing.F) {
	addSeeds(f, `{"`+FieldReturnLine+`":"1","`+FieldReturnReason+`":"分数无区分度"}`, `{"`+FieldReturnLine+`":"2","`+FieldReturnReason+`":"x"}`,
		`{"`+FieldReturnLine+`":"0"}`, `{"`+FieldReturnLine+`":0,"`+FieldReturnReason+`":"x"}`, `{}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		r, err := ParseReturn(m, committeeFuzzForm)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkFields(t, m, FieldReturnLine, FieldReturnReason)
		if r.Line < 0 || r.Line >= len(committeeFuzzForm.Uniform) {
			t.Fatalf("accepted line %d of %d", r.Line, len(committeeFuzzForm.Uniform))
		}
		checkText(t, "reason", r.Reason, MaxShortText, false, true)
	})
}

func FuzzParseYear(f *testing.F) {
	form := YearForm{Year: "2026", Grades: []string{"优秀", "称职", "基本称职", "不称职"}, Rows: []YearRow{{ID: "a"}, {ID: "b"}}}
	addSeeds(f, `{"`+GradeField("a")+`":"优秀","`+GradeField("b")+`":"称职","`+FieldYearReason+`":"述职评议"}`,
		`{"`+GradeField("a")+`":"好"}`, `{"`+GradeField("c")+`":"优秀"}`, `{"`+FieldYearReason+`":"a\nb"}`, `{}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		d, err := ParseYear(m, form)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkFields(t, m, GradeField("a"), GradeField("b"), FieldYearReason)
		for id, g := range d.Grades {
			oneOf(t, "person", id, []string{"a", "b"})
			oneOf(t, id, g, form.Grades)
		}
		checkText(t, "reason", d.Reason, MaxShortText, false, false)
	})
}

func FuzzParseAnnual(f *testing.F) {
	ids := []string{"ou_c1", "ou_c2"}
	a1, a2 := AnnualField("ou_c1"), AnnualField("ou_c2")
	addSeeds(f, `{"`+a1+`":"92.5","`+a2+`":"80"}`, `{"`+a1+`":"100"}`, `{"`+a1+`":"100.01"}`, `{"`+a1+`":"-1"}`,
		`{"`+a1+`":"80.125"}`, `{"`+a1+`":""}`, `{"`+a1+`":85}`, `{"x":"1"}`, `{}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		out, err := ParseAnnual(m, ids, 100_00)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkFields(t, m, a1, a2)
		for id, s := range out {
			if id != "ou_c1" && id != "ou_c2" {
				t.Fatalf("accepted a score of %q, not on the card", id)
			}
			checkHundredths(t, id, s, 100_00)
		}
	})
}

func FuzzParseVoteGroups(f *testing.F) {
	groups := []string{"g1", "g2", "g3"}
	addSeeds(f, `{"`+FieldVoteGroups+`":["g1","g3"]}`, `{"`+FieldVoteGroups+`":[]}`, `{"`+FieldVoteGroups+`":null}`,
		`{"`+FieldVoteGroups+`":["g1","g1"]}`, `{"`+FieldVoteGroups+`":["g9"]}`, `{"`+FieldVoteGroups+`":"g1"}`,
		`{"`+FieldVoteGroups+`":[1]}`, `{"`+FieldVoteGroups+`":["g1","g2","g3","g1"]}`, `{"x":"1"}`, `{}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		out, err := ParseVoteGroups(m, groups)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkFields(t, m, FieldVoteGroups)
		seen := map[string]bool{}
		for _, g := range out {
			oneOf(t, "vote group", g, groups)
			if seen[g] {
				t.Fatalf("accepted %q twice", g)
			}
			seen[g] = true
		}
	})
}
