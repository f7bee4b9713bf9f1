package scoring

import (
	"fmt"
	"strings"
)

// Record kinds a scheme's people keep (Scheme.Records). The values are the
// workflow's entry kinds.
const (
	// RecordDaily is a working day's log (S7 "日记": 《个人工作日志》 every
	// working day).
	RecordDaily = "daily"
	// RecordWeekly is the week's record (周记实, S1/S4/S5/S9).
	RecordWeekly = "weekly"
	// RecordMonthly is the month's record (月小结, 月记实, 月自查, 个人小结,
	// 月度工作纪实).
	RecordMonthly = "monthly"
	// RecordSummary is the appraisal period's self-summary (季度小结, 登记表,
	// 评鉴表, 记实表). Every scheme keeps it: a person's approval chain
	// starts when it is handed in.
	RecordSummary = "quarterly"
)

// recordKinds are the known kinds in their display order (shortest
// period first), with the name a record gets when the scheme gives none.
var recordKinds = []struct{ kind, name string }{
	{RecordDaily, "工作日志"}, {RecordWeekly, "周记实"}, {RecordMonthly, "月小结"}, {RecordSummary, "季度小结"},
}

// Record is one kind of record a scheme's people keep.
type Record struct {
	// Kind is RecordDaily, RecordWeekly, RecordMonthly or RecordSummary.
	Kind string `yaml:"kind"`
	// Name is the record as the seed calls it (月记实, 个人工作日志 …),
	// shown on reminders, the 待办 and 进度; default the kind's usual name
	// (周记实, 月小结 …).
	Name string `yaml:"name"`
}

// Records are the records a scheme's people keep, in kind order (daily,
// weekly, monthly, summary). The workflow reminds people of exactly
// these, lists them on the 待办 and 进度, and refuses the others; the
// self-summary is refused while a weekly record of the period is missing
// only where weekly records are kept.
type Records []Record

// DefaultRecords is the set a scheme without a records section keeps:
// S4's (and S1's, S5's, S9's) 周记实, 月小结 and 季度小结.
func DefaultRecords() Records {
	return Records{{RecordWeekly, "周记实"}, {RecordMonthly, "月小结"}, {RecordSummary, "季度小结"}}
}

// Keeps reports whether kind is kept.
func (rs Records) Keeps(kind string) bool {
	for _, r := range rs {
		if r.Kind == kind {
			return true
		}
	}
	return false
}

// Name is what the scheme calls a kind of record, or its usual name when
// the scheme keeps none of it.
func (rs Records) Name(kind string) string {
	for _, r := range rs {
		if r.Kind == kind && r.Name != "" {
			return r.Name
		}
	}
	for _, k := range recordKinds {
		if k.kind == kind {
			return k.name
		}
	}
	return kind
}

// UsualName is a kind's name where a scheme gives it none (周记实, 月小结 …).
func UsualName(kind string) string { return Records(nil).Name(kind) }

// records validates Scheme.Records, fills names and puts them in kind
// order; an empty section keeps DefaultRecords.
func (v *validator) records() {
	s := v.s
	if len(s.Records) == 0 {
		s.Records = DefaultRecords()
		return
	}
	known := make([]string, len(recordKinds))
	for i, k := range recordKinds {
		known[i] = k.kind
	}
	seen := map[string]bool{}
	for i, r := range s.Records {
		f := fmt.Sprintf("records[%d]", i)
		switch {
		case !contains(known, r.Kind):
			v.add(f+".kind", "must be one of %s, not %q", strings.Join(known, ", "), r.Kind)
		case seen[r.Kind]:
			v.add(f+".kind", "%q is listed twice", r.Kind)
		}
		seen[r.Kind] = true
		if len([]rune(r.Name)) > 20 {
			v.add(f+".name", "at most 20 characters (it heads cards and reminders)")
		}
	}
	if !seen[RecordSummary] {
		v.add("records", "must keep the period's self-summary (kind %s): a person's approval chain starts when it is handed in", RecordSummary)
	}
	var out Records
	for _, k := range recordKinds {
		for _, r := range s.Records {
			if r.Kind == k.kind {
				if strings.TrimSpace(r.Name) == "" {
					r.Name = k.name
				}
				out = append(out, r)
			}
		}
	}
	s.Records = out
}
