package scoring

// PeriodInput is one period's (quarter's or month's) data for a set of
// people: what `kaohe score` reads. The JSON Schema is
// testdata/period-input.schema.json.
type PeriodInput struct {
	// Kind must be "period".
	Kind string `json:"kind"`
	// Period describes the period being scored.
	Period PeriodInfo `json:"period"`
	// People are the persons assessed (参加考核人员).
	People []PersonInput `json:"people"`
	// Committee holds the committee's decisions on flagged cases.
	Committee *Committee `json:"committee,omitempty"`
}

// PeriodInfo names the period and the working days it had, which the leave
// rules need (the engine has no calendar).
type PeriodInfo struct {
	ID          string `json:"id"`
	WorkingDays int    `json:"working_days"`
}

// PersonInput is one person's period data.
type PersonInput struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Unit      string `json:"unit"`
	Group     string `json:"group,omitempty"`
	Tier      string `json:"tier,omitempty"`
	Frontline bool   `json:"frontline,omitempty"`
	// Sources holds each rater source's input, keyed by the scheme's source id.
	Sources map[string]SourceInput `json:"sources,omitempty"`
	// Adjustments are bonus and deduction entries.
	Adjustments []AdjustmentInput `json:"adjustments,omitempty"`
	// Grade is the leader's grade, for schemes without score bands.
	Grade string `json:"grade,omitempty"`
	// Status carries the special cases.
	Status *Status `json:"status,omitempty"`
	// Allowance carries the money data for allowance rules.
	Allowance *AllowanceInput `json:"allowance,omitempty"`
	// Attendance is the person's attendance by month of the period, for
	// the scheme's grade conditions (Scheme.GradeConditions). Only the
	// exceptions are recorded: a month not listed, or no list at all, is a
	// month of full attendance. A scheme without grade conditions refuses it.
	Attendance []AttendanceMonth `json:"attendance,omitempty"`
}

// AttendanceMonth is one month's attendance as HR records it: leave by
// kind in working days, and how many times the person came late, left
// early or was absent without leave.
type AttendanceMonth struct {
	// Month is "2026-07".
	Month string       `json:"month"`
	Leave []LeaveInput `json:"leave,omitempty"`
	// Late is 迟到, Early 早退 (times in the month).
	Late  int `json:"late,omitempty"`
	Early int `json:"early,omitempty"`
	// Absent is 旷工, in days.
	Absent int `json:"absent,omitempty"`
}

// SourceInput is one rater source's data; which field is used depends on the
// source's kind.
type SourceInput struct {
	// Indicators are leaf scores keyed by indicator id.
	Indicators map[string]Dec `json:"indicators,omitempty"`
	// Levels optionally name the per-item level a leader chose (S6).
	Levels map[string]string `json:"levels,omitempty"`
	// Votes are 民主测评 scores.
	Votes []Dec `json:"votes,omitempty"`
	// Outside is the tally of the raters outside the chat (村组干部,
	// 服务对象代表: Source.OutsideRaters), entered by HR; nil for none.
	Outside *OutsideTally `json:"outside,omitempty"`
	// Score is a single score.
	Score *Dec `json:"score,omitempty"`
}

// OutsideTally is the 民主测评 of one person by raters outside the chat:
// how many rated and their average score (0–Scale).
type OutsideTally struct {
	Raters int `json:"raters"`
	Mean   Dec `json:"mean"`
}

// AdjustmentInput is one bonus or deduction entry.
type AdjustmentInput struct {
	// Event identifies the matter; entries with the same event count once.
	Event  string `json:"event"`
	Kind   string `json:"kind"` // "bonus" or "deduction"
	Points Dec    `json:"points"`
	Reason string `json:"reason"`
}

// Status holds the special cases of docs/design.md §2.
type Status struct {
	Probation     bool         `json:"probation,omitempty"`
	Leave         []LeaveInput `json:"leave,omitempty"`
	Investigation bool         `json:"investigation,omitempty"`
	// Sanction is the kind of sanction in force (警告, 记过 …).
	Sanction string `json:"sanction,omitempty"`
	// Direct is a direct determination.
	Direct *DirectInput `json:"direct,omitempty"`
	// Refusal records that the person refused to take part after being
	// warned (S5 六(二), S10 四(三)); Special.Refusal says what follows.
	Refusal *Refusal `json:"refusal,omitempty"`
}

// Refusal is a refusal to take part in the appraisal. The seeds allow its
// consequence only "经批评教育后" (after the person was criticised and told
// to put it right), so the date of that warning is required, and the reason
// says how the person refused.
type Refusal struct {
	// Warned is the date of the 批评教育, "2026-07-10".
	Warned string `json:"warned"`
	Reason string `json:"reason"`
}

// LeaveInput is leave taken in the period, in working days.
type LeaveInput struct {
	Kind string `json:"kind"`
	Days Dec    `json:"days"`
}

// DirectInput is a direct determination: "top" or "bottom", with the reason.
type DirectInput struct {
	Grade  string `json:"grade"`
	Reason string `json:"reason"`
}

// Committee holds the committee's decisions.
type Committee struct {
	// Decisions set a flagged person's grade (ties at a quota cap).
	Decisions []Decision `json:"decisions,omitempty"`
	// Overrides raise a quota's cap up to its hard maximum.
	Overrides []QuotaOverride `json:"overrides,omitempty"`
}

// Decision is the committee's grade for one person.
type Decision struct {
	Person string `json:"person"`
	Grade  string `json:"grade"`
	Reason string `json:"reason"`
}

// QuotaOverride lets a scope exceed a quota's MaxShare up to HardMaxShare.
type QuotaOverride struct {
	Scope    string `json:"scope"`
	Key      string `json:"key"`
	Grade    string `json:"grade"`
	MaxCount int    `json:"max_count"`
	Reason   string `json:"reason"`
}

// AllowanceInput is the money data for one person.
type AllowanceInput struct {
	// Monthly is each allowance's monthly amount in yuan, keyed by name
	// (工作性津贴, 区县津补贴).
	Monthly map[string]Dec `json:"monthly"`
	// NextPeriodStart is the first month of the next period ("2026-10"),
	// from which score-based cuts are counted.
	NextPeriodStart string `json:"next_period_start,omitempty"`
	// Months are this period's attendance by month.
	Months []MonthAttendance `json:"months,omitempty"`
	// AbsentWholePeriod: did not attend for the whole period.
	AbsentWholePeriod bool `json:"absent_whole_period,omitempty"`
}

// MonthAttendance is one month's attendance.
type MonthAttendance struct {
	Month       string `json:"month"`
	WorkingDays int    `json:"working_days"`
	// LeaveDays is sick plus personal leave (病、事假合计).
	LeaveDays Dec `json:"leave_days"`
	// AbsentDays is 旷工.
	AbsentDays int `json:"absent_days"`
}

// YearInput is a year's data: the period results and the annual part.
type YearInput struct {
	// Kind must be "year".
	Kind   string       `json:"kind"`
	Year   int          `json:"year"`
	People []YearPerson `json:"people"`
}

// YearPerson is one person's year.
type YearPerson struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Unit string `json:"unit"`
	Tier string `json:"tier,omitempty"`
	// Periods are the period results (from `kaohe score` of each period).
	Periods []PeriodRecord `json:"periods"`
	// Annual is the annual part: one score, or per-source data when the
	// scheme's annual raters say so.
	Annual *AnnualInput `json:"annual,omitempty"`
	// Votes is the year-end 测评 for S9's formula.
	Votes *VoteCount `json:"votes,omitempty"`
	// Proposed is the annual grade the unit proposes; the engine checks it
	// against the annual rules.
	Proposed string `json:"proposed,omitempty"`
}

// PeriodRecord is one period's result. A year lists every period of the
// scheme's year (Annual.Periods); one in which the person was not
// appraised at all is listed with Excluded.
type PeriodRecord struct {
	Period string `json:"period"`
	Score  *Dec   `json:"score,omitempty"`
	// Grade is "" for a period without a grade (not graded, comment only).
	Grade string `json:"grade,omitempty"`
	// Direct: the grade was set other than from the score's band (a direct
	// determination, the committee, a 复核, the work-injury rule), so it
	// may be better than the band; otherwise it may not.
	Direct bool `json:"direct,omitempty"`
	// Refused: the period records a refusal to take part (FlagRefused).
	Refused bool `json:"refused,omitempty"`
	// Excluded says why the period does not count in the year: the person
	// was not appraised in it (not yet in the unit; seconded to a unit that
	// did not appraise, S9 "期间不参加平时考核，也不计入年度考核结果"). Such a
	// period has no score and no grade and is left out of every count and
	// mean of the year.
	Excluded string `json:"excluded,omitempty"`
}

// AnnualInput is the annual part's data.
type AnnualInput struct {
	Score   *Dec                   `json:"score,omitempty"`
	Sources map[string]SourceInput `json:"sources,omitempty"`
}

// VoteCount is a year-end 测评: votes for 优秀 and the number of voters.
type VoteCount struct {
	Excellent int `json:"excellent"`
	Total     int `json:"total"`
}
