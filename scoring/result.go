package scoring

// PeriodResult is the outcome of scoring a period.
type PeriodResult struct {
	Scheme string         `json:"scheme"`
	Period string         `json:"period"`
	People []PersonResult `json:"people"`
	Quotas []QuotaResult  `json:"quotas"`
}

// Person states.
const (
	StateGraded      = "graded"       // has a grade
	StateCommentOnly = "comment_only" // 试用期: 只写评语，不确定等次
	StateNotGraded   = "not_graded"   // leave or sanction: 不确定等次
	StateWithheld    = "withheld"     // under investigation: 暂不定等次，结案后补定
	StatePending     = "pending"      // tie at a quota cap, awaiting the committee
)

// Flags on a person or a quota.
const (
	FlagTieAtCap      = "tie_at_cap"
	FlagDemoted       = "demoted_by_quota"
	FlagDirect        = "direct_determination"
	FlagBelowMinShare = "below_min_share"
	FlagDirectOverCap = "direct_over_cap"
	FlagCapped        = "capped_by_sanction"
	FlagCommittee     = "committee_decision"
	// FlagFewVoters: a "votes" source had fewer ballots for the person
	// than its anonymity floor and was left out (Source.MinVoters).
	FlagFewVoters = "few_voters"
	// FlagRefused: the person refused to take part after a warning
	// (Status.Refusal); the year reads it (PeriodRecord.Refused).
	FlagRefused = "refused"
	// FlagTotalCapped: bonus points would have carried the total above the
	// scheme's max_total.
	FlagTotalCapped = "total_capped"
	// FlagAttendance: the score's grade asked for attendance the person
	// did not have, and the grade was lowered to the best one whose
	// conditions they meet (Scheme.GradeConditions).
	FlagAttendance = "capped_by_attendance"
)

// PersonResult is one person's period result.
type PersonResult struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Unit  string `json:"unit"`
	Group string `json:"group,omitempty"`
	// Score is the period score; absent when the scheme grades without one.
	Score *Dec `json:"score,omitempty"`
	// Sources are each source's contribution.
	Sources []SourceScore `json:"sources,omitempty"`
	// Items are the top-level indicator scores (with their level, S6) of the
	// "indicators" source; the leaves are in the input.
	Items     []ItemScore `json:"items,omitempty"`
	Bonus     Dec         `json:"bonus"`
	Deduction Dec         `json:"deduction"`
	// ScoreGrade is the grade before quotas (from the bands, the leader or a
	// direct determination).
	ScoreGrade string `json:"score_grade,omitempty"`
	// Grade is the final grade; "" unless State is graded.
	Grade string   `json:"grade,omitempty"`
	State string   `json:"state"`
	Flags []string `json:"flags,omitempty"`
	// Explain lists, in Chinese, every rule applied with its numbers.
	Explain   []string       `json:"explain"`
	Allowance []AllowanceCut `json:"allowance,omitempty"`
	frontline bool
	// notAssessed: not among the 参加考核人数 a quota's share is taken of
	// (S5 六(一): leave over half the period, "不进行考核").
	notAssessed bool
	direct      bool
	rank        int64 // Score in millionths, for ranking without big integers
	ranked      bool
}

// SourceScore is one rater source's value and weight.
type SourceScore struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Weight Percent `json:"weight"`
	Value  Dec     `json:"value"`
}

// ItemScore is one indicator's score.
type ItemScore struct {
	ID    string `json:"id"`
	Score Dec    `json:"score"`
	Max   Dec    `json:"max"`
	Level string `json:"level,omitempty"`
}

// QuotaResult is a quota applied to one scope.
type QuotaResult struct {
	Grade string `json:"grade"`
	// AndBelow: the quota counts Grade and every grade below it (Quota.AndBelow).
	AndBelow     bool     `json:"and_below,omitempty"`
	Scope        string   `json:"scope"`
	Key          string   `json:"key"`
	Participants int      `json:"participants"`
	MaxCount     *int     `json:"max_count,omitempty"`
	MinCount     *int     `json:"min_count,omitempty"`
	Before       int      `json:"before"`
	After        int      `json:"after"`
	Demoted      []string `json:"demoted,omitempty"`
	Tied         []string `json:"tied,omitempty"`
	Flags        []string `json:"flags,omitempty"`
	Explain      string   `json:"explain"`
}

// AllowanceCut is one money consequence.
type AllowanceCut struct {
	Rule      string `json:"rule"`
	Allowance string `json:"allowance"`
	Month     string `json:"month"`
	Amount    Dec    `json:"amount"`
	Explain   string `json:"explain"`
}

// YearResult is the outcome of composing a year.
type YearResult struct {
	Scheme string             `json:"scheme"`
	Year   int                `json:"year"`
	People []YearPersonResult `json:"people"`
}

// YearPersonResult is one person's year.
type YearPersonResult struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Unit string `json:"unit"`
	// Counts is the number of periods with each grade.
	Counts map[string]int `json:"counts"`
	// Periodic is the periodic score (平时考核成绩).
	Periodic *Dec `json:"periodic,omitempty"`
	// AnnualPart is the annual part's score.
	AnnualPart *Dec `json:"annual_part,omitempty"`
	// Total is the annual total (年度考核总分).
	Total *Dec `json:"total,omitempty"`
	// ExcellenceRate is S9's 年度考核优秀率, as a fraction.
	ExcellenceRate *Dec `json:"excellence_rate,omitempty"`
	// BandGrade is the grade the total's band proposes.
	BandGrade string `json:"band_grade,omitempty"`
	// MaxGrade is the best grade the rules allow; "" means no cap.
	MaxGrade string `json:"max_grade,omitempty"`
	// Grade is the annual grade: the proposal (input, else band) after rules.
	Grade string `json:"grade,omitempty"`
	// Priority lists grades the person has priority for.
	Priority []string `json:"priority,omitempty"`
	// NotGraded: the annual result is 不定等次 (AnnualNotGraded); Grade is "".
	NotGraded bool `json:"not_graded,omitempty"`
	// NoCommendation: barred from 评比表彰 this year (AnnualRule.NoCommendation).
	NoCommendation bool     `json:"no_commendation,omitempty"`
	Explain        []string `json:"explain"`
}
