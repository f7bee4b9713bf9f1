package card

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/kaohe/kaohe/bot/textclean"
)

// fuzzForm decodes fuzz input as a JSON object of form values; inputs that
// are not an object are skipped (Lark always sends an object).
func fuzzForm(t *testing.T, data []byte) (map[string]any, bool) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

// checkParseErr fails unless err is nil or a *FieldError with a message.
func checkParseErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Msg == "" || fe.Field == "" {
		t.Fatalf("error %v (%T) is not a *FieldError with field and message", err, err)
	}
}

// checkText fails unless an accepted text field is what reader.text
// promises: valid UTF-8, trimmed, at most max runes, not empty when
// required, one line unless multiline, and free of control characters
// (but tab and, in multiline fields, line feed) and of the invisible and
// direction-control characters that textclean removes.
func checkText(t *testing.T, field, s string, max int, multiline, required bool) {
	t.Helper()
	if !utf8.ValidString(s) || s != strings.TrimSpace(s) || utf8.RuneCountInString(s) > max || required && s == "" {
		t.Fatalf("%s: accepted %q (invalid, untrimmed, over %d runes or empty)", field, s, max)
	}
	for _, c := range s {
		if c == '\t' || c == '\n' && multiline {
			continue
		}
		if unicode.IsControl(c) || c == '\u2028' || c == '\u2029' || textclean.Invisible(c) {
			t.Fatalf("%s: accepted %q with %U", field, s, c)
		}
	}
}

func addSeeds(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
}

func FuzzParseWeekly(f *testing.F) {
	addSeeds(f,
		`{"task1_title":"起草报告","task1_deadline":"2026-10-20 +0800","task1_progress":"50","attendance":"full"}`,
		`{"task1_title":"a","task1_progress":"100%","attendance":"leave","attendance_note":"病假"}`,
		`{"task1_title":1,"attendance":["full"]}`, `{}`, `{"task8_deadline":"2026-13-01"}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		w, err := ParseWeekly(m)
		checkParseErr(t, err)
		if err == nil {
			if len(w.Tasks) == 0 || len(w.Tasks) > MaxTaskRows {
				t.Fatalf("accepted %d tasks", len(w.Tasks))
			}
			checkText(t, "attendance note", w.AttendanceNote, MaxShortText, false, w.Attendance != AttendanceFull)
			for _, task := range w.Tasks {
				if task.Progress < 0 || task.Progress > 100 || task.Title == "" {
					t.Fatalf("accepted bad task %+v", task)
				}
				checkText(t, "task title", task.Title, MaxShortText, false, true)
				checkText(t, "task target", task.Target, MaxShortText, false, false)
				if task.Deadline != "" {
					if _, ok := parseDate(task.Deadline); !ok {
						t.Fatalf("accepted bad date %q", task.Deadline)
					}
				}
			}
		}
	})
}

func FuzzParseMonthly(f *testing.F) {
	addSeeds(f, `{"goals":"a","completion":"b","unfinished1_item":"c","unfinished1_reason":"d"}`, `{"goals":null}`, `{}`,
		`{"goals":" 目标\r\n第二行\u202e ","completion":"\u200b完成\t情况","unfinished5_item":"x","unfinished5_reason":"y"}`,
		`{"goals":"a","completion":"b","unfinished2_item":"c\n","unfinished2_reason":"\u2028"}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		mo, err := ParseMonthly(m)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkText(t, "goals", mo.Goals, MaxText, true, true)
		checkText(t, "completion", mo.Completion, MaxLongText+1, true, true) // two inputs joined by a line break
		if len(mo.Unfinished) > MaxUnfinishedRows {
			t.Fatalf("accepted %d unfinished rows", len(mo.Unfinished))
		}
		for _, u := range mo.Unfinished {
			checkText(t, "unfinished item", u.Item, MaxShortText, false, true)
			checkText(t, "unfinished reason", u.Reason, MaxShortText, false, true)
		}
	})
}

func FuzzParseQuarterly(f *testing.F) {
	addSeeds(f, `{"summary":"a","training":"b"}`, `{"summary":"\u0000"}`, `{}`,
		`{"summary":"  小结\r\n\u2066内容\u2069  ","training":"\u00ad"}`, `{"summary":"a","training":5}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		q, err := ParseQuarterly(m)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkText(t, "summary", q.Summary, MaxLongText+1, true, true) // two inputs joined by a line break
		checkText(t, "training", q.Training, MaxText, true, false)
	})
}

func FuzzParseVote(f *testing.F) {
	addSeeds(f, `{"vote_a":"90","vote_b":"85.5"}`, `{"vote_a":"100.00","vote_b":"0"}`, `{"vote_a":90}`, `{}`)
	ids := []string{"a", "b"}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		v, err := ParseVote(m, ids)
		checkParseErr(t, err)
		if err == nil {
			for id, s := range v.Scores {
				h, ok := parseHundredths(s)
				if !ok || h > 100_00 {
					t.Fatalf("accepted score %q for %s", s, id)
				}
			}
		}
	})
}

func FuzzParseScoring(f *testing.F) {
	addSeeds(f,
		`{"k":"approve","ind_x":"5","ind_y":"2.5","bonus1_points":"1","bonus1_reason":"r"}`,
		`{"k":"return","reason":"不符合"}`,
		`{"k":"adjust","ind_x":"6","ind_y":"3","reason":"调整"}`,
		`{"k":"approve","ind_x":"7"}`,
	)
	form := ScoringForm{Indicators: []Indicator{{ID: "p", Max: "9", Children: []Indicator{{ID: "x", Max: "6"}, {ID: "y", Max: "3"}}}}, BonusCap: "5"}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		kind, _ := m["k"].(string)
		delete(m, "k")
		s, err := ParseScoring(kind, m, form)
		if kind != KindApprove && kind != KindAdjust && kind != KindReturn {
			if !errors.Is(err, ErrBadValue) {
				t.Fatalf("kind %q: err %v, want ErrBadValue", kind, err)
			}
			return
		}
		checkParseErr(t, err)
		if err == nil && kind != KindReturn {
			for id, v := range s.Scores {
				h, ok := parseHundredths(v)
				max := map[string]int64{"x": 600, "y": 300}[id]
				if !ok || h > max {
					t.Fatalf("accepted %s=%q", id, v)
				}
			}
		}
		if err == nil && kind != KindApprove && s.Reason == "" {
			t.Fatalf("%s without reason accepted", kind)
		}
	})
}

func FuzzParseCommittee(f *testing.F) {
	addSeeds(f, `{"grade_a":"好","why_a":"r","grade_b":"较好","why_b":"r"}`, `{"grade_a":"好","why_a":"r","grade_b":"好","why_b":"r"}`, `{}`)
	form := CommitteeForm{Period: "2026-Q3", Grades: []string{"好", "较好"}, Ties: []Tie{{Unit: "u", Grade: "好", Seats: 1,
		People: []TiedPerson{{ID: "a", Name: "甲"}, {ID: "b", Name: "乙"}}}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		ds, err := ParseCommittee(m, form)
		checkParseErr(t, err)
		if err == nil {
			top := 0
			for _, d := range ds {
				if d.Grade == "好" {
					top++
				}
			}
			if top > 1 {
				t.Fatalf("more than the seats: %+v", ds)
			}
		}
	})
}

func FuzzParseReview(f *testing.F) {
	addSeeds(f, `{"review_reason":"加分未计入"}`, `{"review_reason":""}`, `{}`,
		`{"review_reason":"\u202e理由\n第二行 "}`, `{"review_reason":"\u200b\ufeff"}`, `{"review_reason":"a","x":"b"}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		rv, err := ParseReview(m)
		checkParseErr(t, err)
		if err == nil {
			checkText(t, "review reason", rv.Reason, MaxText, true, true)
		}
	})
}

func FuzzParseValue(f *testing.F) {
	addSeeds(f, `{"k":"approve","id":"2026-Q3/ou_01/1","v":3}`, `{"k":"open","id":"weekly/2026-W40","v":0}`,
		`{"k":"open","id":"x","v":0}`, `{"k":"review","id":"2026-Q3","v":1e20}`, `{"k":1,"id":null,"v":"2"}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			return
		}
		v, err := ParseValue(m)
		if err != nil {
			if !errors.Is(err, ErrBadValue) {
				t.Fatalf("err %v is not ErrBadValue", err)
			}
			return
		}
		// A value that parses survives a round trip through a card.
		back, err := ParseValue(v.object())
		if err != nil || back != v {
			t.Fatalf("round trip %+v: %+v, %v", v, back, err)
		}
	})
}

func FuzzFromTemplate(f *testing.F) {
	f.Add("remind", "weekly", "2026-W40", "<at id=all></at>")
	f.Add("review_decided", "changed", "2026-Q3/ou_1", "**x**")
	f.Fuzz(func(t *testing.T, tpl, a, b, c string) {
		n, err := FromTemplate(tpl, map[string]string{"item": a, "kind": a, "outcome": a, "entry": b, "period": b,
			"step": b, "review": b, "reason": c, "names": c, "person": c, "grade": c})
		if err != nil {
			if !errors.Is(err, ErrUnknownTemplate) {
				t.Fatalf("err %v", err)
			}
			return
		}
		card := NoticeCard(n)
		if !json.Valid(card) {
			t.Fatalf("invalid JSON: %s", card)
		}
	})
}

func FuzzParseTargets(f *testing.F) {
	addSeeds(f, `{"target1_title":"起草报告","target1_quantity":"1份","target1_standard":"按时","target1_deadline":"2026-06-30 +0800","target1_role":"lead"}`,
		`{"target1_title":"a","target1_deadline":"2027-01-01","target2_role":"assist"}`, `{"target1_role":"lead"}`, `{}`,
		`{"target3_title":"\u202e任务\u200b","target3_deadline":"2026-02-28","target3_role":"assist","target9_title":"x"}`,
		`{"target1_title":"a","target1_deadline":"2026-02-29"}`, `{"target1_title":["a"]}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		rows, err := ParseTargets(m, 2026)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		if len(rows) == 0 || len(rows) > MaxTargetRows {
			t.Fatalf("accepted %d rows", len(rows))
		}
		for _, r := range rows {
			checkText(t, "target title", r.Title, MaxShortText, false, true)
			checkText(t, "target quantity", r.Quantity, MaxQuantity, false, false)
			checkText(t, "target standard", r.Standard, MaxShortText, false, false)
			if d, ok := parseDate(r.Deadline); !ok || d != r.Deadline || !strings.HasPrefix(d, "2026-") {
				t.Fatalf("accepted deadline %q outside 2026", r.Deadline)
			}
		}
	})
}

func FuzzSplitTargetsID(f *testing.F) {
	for _, s := range []string{"2026/ou_01", "2026/", "26/ou_01", "2026/ou_01/3", "２０２６/ou_01", "0999/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		y, p, ok := SplitTargetsID(id)
		if !ok {
			return
		}
		// What is accepted is exactly what TargetsID writes.
		if y < 1000 || y > 9999 || p == "" || strings.Contains(p, "/") || TargetsID(y, p) != id {
			t.Fatalf("SplitTargetsID(%q) = %d, %q", id, y, p)
		}
	})
}

// checkFields fails unless every field of an accepted form is one the form
// has: an unknown field is refused, never ignored.
func checkFields(t *testing.T, m map[string]any, fields ...string) {
	t.Helper()
	for k := range m {
		if !slices.Contains(fields, k) {
			t.Fatalf("accepted a form with unknown field %q", k)
		}
	}
}

// oneOf fails unless an accepted choice is one of the options offered.
func oneOf(t *testing.T, field, v string, options []string) {
	t.Helper()
	if !slices.Contains(options, v) {
		t.Fatalf("%s: accepted %q, not one of %q", field, v, options)
	}
}

// fuzzText is the fuzz target of a form of one required multi-line text
// of MaxOpinion runes (点评, 谈话情况, 办理意见).
func fuzzText(f *testing.F, field string, parse func(map[string]any) (string, error)) {
	addSeeds(f, `{"`+field+`":"工作扎实\r\n下季度加强学习"}`, `{"`+field+`":""}`, `{}`, `{"`+field+`":5}`,
		`{"`+field+`":"\u202e同意\u202c\u200b"}`, `{"`+field+`":"\u2066\u2069"}`, `{"`+field+`":"a\u0007b"}`,
		`{"`+field+`":"a","k":"b"}`, `{"`+field+`":" \u2028 "}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		s, err := parse(m)
		checkParseErr(t, err)
		if err == nil {
			checkFields(t, m, field)
			checkText(t, field, s, MaxOpinion, true, true)
		}
	})
}

func FuzzParseRemark(f *testing.F) { fuzzText(f, FieldRemark, ParseRemark) }

func FuzzParseTalk(f *testing.F) { fuzzText(f, FieldTalkNote, ParseTalk) }

func FuzzParseReviewHandling(f *testing.F) {
	fuzzText(f, FieldReviewOpinion, func(m map[string]any) (string, error) {
		h, err := ParseReviewHandling(m)
		return h.Opinion, err
	})
}

func FuzzParseFeedback(f *testing.F) {
	addSeeds(f, `{"fb_person":"ou_e2","fb_strengths":"按时完成","fb_problems":"","fb_requests":"加强学习\r\n多下基层"}`,
		`{"fb_person":"ou_e1"}`, `{"fb_person":"ou_e1","fb_problems":"\u202e\u200b"}`, `{"fb_person":"ou_x","fb_strengths":"a"}`,
		`{"fb_person":"ou_e1","fb_requests":["a"]}`, `{"fb_person":"ou_e1","fb_strengths":"a","fb_grade":"好"}`, `{}`)
	ids := []string{"ou_e1", "ou_e2"}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		in, err := ParseFeedback(m, ids)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkFields(t, m, FieldFeedbackPerson, FieldFeedbackStrengths, FieldFeedbackProblems, FieldFeedbackRequests)
		oneOf(t, "person", in.Person, ids)
		checkText(t, "strengths", in.Strengths, MaxOpinion, true, false)
		checkText(t, "problems", in.Problems, MaxOpinion, true, false)
		checkText(t, "requests", in.Requests, MaxOpinion, true, false)
		if in.Strengths == "" && in.Problems == "" && in.Requests == "" {
			t.Fatalf("accepted a 反馈 with no text: %+v", in)
		}
	})
}

func FuzzParsePersonStatus(f *testing.F) {
	addSeeds(f, `{"probation":"yes","investigation":"no","sanction":"none","exempt":"no","status_reason":"人社发〔2026〕1号"}`,
		`{"probation":"no","investigation":"yes","sanction":"记过","exempt":"yes","status_reason":"\u202e立案\u200b"}`,
		`{"probation":"no","investigation":"no","sanction":"开除","exempt":"no","status_reason":"x"}`,
		`{"probation":"no","investigation":"no","sanction":"none","exempt":"no","status_reason":"a\nb"}`,
		`{"probation":true}`, `{}`)
	sanctions := []string{"警告", "记过"}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		in, err := ParsePersonStatus(m, sanctions)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkFields(t, m, FieldProbation, FieldInvestigation, FieldSanction, FieldExempt, FieldStatusReason)
		// Each flag is what its select says: yes or no, nothing else.
		for field, got := range map[string]bool{FieldProbation: in.Probation, FieldInvestigation: in.Investigation, FieldExempt: in.Exempt} {
			if v := m[field]; v != yes && v != no || got != (v == yes) {
				t.Fatalf("%s: %v read as %v", field, v, got)
			}
		}
		if in.Sanction != "" {
			oneOf(t, "sanction", in.Sanction, sanctions)
		} else if m[FieldSanction] != noSanction {
			t.Fatalf("sanction %v read as none", m[FieldSanction])
		}
		checkText(t, "reason", in.Reason, MaxShortText, false, true)
	})
}

func FuzzParseAbsence(f *testing.F) {
	addSeeds(f, `{"leave_kind":"病假","leave_start":"2026-11-02 +0800","leave_end":"2026-11-06 +0800"}`,
		`{"leave_kind":"事假","leave_start":"2026-11-02","leave_end":"2026-11-01"}`,
		`{"leave_kind":"年假","leave_start":"2026-02-28","leave_end":"2026-02-29"}`,
		`{"leave_kind":"病假","leave_start":"\u202e2026-11-02","leave_end":"2026-11-06 -1200"}`,
		`{"leave_kind":"病假","leave_start":"2024-02-29","leave_end":"9999-12-31","x":1}`, `{}`)
	kinds := []string{"病假", "事假"}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		in, err := ParseAbsence(m, kinds)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkFields(t, m, FieldLeaveKind, FieldLeaveStart, FieldLeaveEnd)
		oneOf(t, "kind", in.Kind, kinds)
		for _, d := range []string{in.Start, in.End} {
			if got, ok := parseDate(d); !ok || got != d {
				t.Fatalf("accepted date %q", d)
			}
		}
		if in.End < in.Start {
			t.Fatalf("accepted leave from %s to %s", in.Start, in.End)
		}
	})
}

func FuzzParseReassign(f *testing.F) {
	addSeeds(f, `{"reassign_to":"ou_s1","reassign_reason":"原负责人出差"}`, `{"reassign_to":"ou_e1","reassign_reason":"x"}`,
		`{"reassign_to":"ou_l2","reassign_reason":"\u202e出差\u2069"}`, `{"reassign_to":"ou_l2","reassign_reason":"a\r\nb"}`,
		`{"reassign_to":"ou_l2"}`, `{}`)
	ids := []string{"ou_l2", "ou_s1"}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		r, err := ParseReassign(m, ids)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkFields(t, m, FieldReassignTo, FieldReassignReason)
		oneOf(t, "to", r.To, ids)
		checkText(t, "reason", r.Reason, MaxShortText, false, true)
	})
}

func FuzzParseReviewDecision(f *testing.F) {
	addSeeds(f, `{"grade":"好","decision":"加分属实\r\n予以调整","displace":"ou_e2"}`, `{"grade":"较好","decision":"维持"}`,
		`{"grade":"优秀","decision":"x"}`, `{"grade":"好","decision":"\u202e\u200b"}`, `{"grade":"好","decision":"x","displace":"ou_e9"}`, `{}`)
	grades := []string{"好", "较好", "一般", "较差"}
	holders := []Holder{{ID: "ou_e2", Name: "周二", Grade: "好"}, {ID: "ou_e3", Name: "吴三", Grade: "好"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := fuzzForm(t, data)
		if !ok {
			return
		}
		d, err := ParseReviewDecision(m, grades, holders)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		checkFields(t, m, FieldReviewGrade, FieldReviewDecision, FieldReviewDisplace)
		oneOf(t, "grade", d.Grade, grades)
		checkText(t, "reason", d.Reason, MaxOpinion, true, true)
		if d.Displace != "" {
			oneOf(t, "displace", d.Displace, []string{"ou_e2", "ou_e3"})
		}
	})
}
