package scoring

// Scheme is one unit's appraisal rules, read from YAML (see schemes/ and
// docs/design.md §3). Every number, bound and share comes from here; the
// engine has no per-scheme code. The built-in files quote their seed next
// to each rule (by title and section, never by a file outside the
// repository) and mark with "Decision:" every choice the seed leaves open;
// `kaohe scheme show` prints them with those comments.
type Scheme struct {
	// ID is a short stable name such as "s4".
	ID string `yaml:"id"`
	// Name is the scheme's title.
	Name string `yaml:"name"`
	// Source cites the document the rules come from by issuer and where it
	// was published ("西城区司法局；《…7篇》篇一（二）"); Name is its title.
	Source string `yaml:"source"`
	// Cycle is "quarter" (default) or "month" (window units, S4 注意事项1).
	Cycle string `yaml:"cycle"`
	// Scale is the full score of a period's assessment, usually 100.
	Scale Dec `yaml:"scale"`
	// Grades lists the period grades from best to worst; the first is the top
	// grade (好/优秀/A), the last the bottom grade.
	Grades []Grade `yaml:"grades"`
	// Tiers names the role tiers the scheme distinguishes (S2: 正科/副科/其他).
	// Empty means one tier, "default".
	Tiers []string `yaml:"tiers"`
	// Indicators is the indicator tree a leader scores (S4 附件2, S6, S8).
	Indicators []*Indicator `yaml:"indicators"`
	// Raters says which rater sources make up the period score, per tier.
	Raters []RaterRule `yaml:"raters"`
	// Adjustments are the bonus and deduction (弹性指标) rules.
	Adjustments *Adjustments `yaml:"adjustments"`
	// Rounding is applied to the period score before it is banded.
	Rounding Rounding `yaml:"rounding"`
	// Bands map a score to a grade. Empty means the leader sets the grade
	// directly (S5, S9, S10 give no score bands).
	Bands []Band `yaml:"bands"`
	// Quotas limit how many people may hold a grade.
	Quotas []Quota `yaml:"quotas"`
	// GradeConditions are the attendance conditions a grade asks besides
	// its score (S1 第九条: 优 出全勤; 良 病、事假按月不超过3天); nil means
	// the grade follows the score alone. See conditions.go.
	GradeConditions *GradeConditions `yaml:"grade_conditions"`
	// Special sets the not-graded states and direct determinations.
	Special Special `yaml:"special"`
	// Annual composes the year's result from the periods.
	Annual *Annual `yaml:"annual"`
	// Allowances are the money consequences (S2).
	Allowances []AllowanceRule `yaml:"allowances"`
	// Talks are the talks a period's grade calls for: the person's leader
	// is asked to hold one and records that it happened (S4: 一般、较差 →
	// 谈话提醒; S5: a D → 诫勉谈话).
	Talks []TalkRule `yaml:"talks"`
	// BottomAlertAfter is how many bottom grades in a row make HR arrange a
	// 诫勉谈话 (S4 五、8: 连续有2个季度以上"较差" → 2; S5 五(二): 被确定为D档
	// 次的 → 1). 0 leaves it to the workflow's default (2); the deployment's
	// bottom_alert_after setting overrides either.
	BottomAlertAfter int `yaml:"bottom_alert_after"`
	// ReviewMaterials, when set, names the materials a 复核 request must
	// come with, which HR sees before forwarding it (S5 六(四): "须提供经主
	// 管领导确认的本人平时考核材料"); "" means the reason alone is enough.
	ReviewMaterials string `yaml:"review_materials"`
	// Records are the records a person keeps (周记实, 月记实, 工作日志, the
	// period's self-summary …), which the workflow reminds them of, lists
	// on the 待办 and 进度 and takes; empty means DefaultRecords (S4's).
	Records Records `yaml:"records"`
	// Filing says how often HR files the period results with the
	// 公务员主管部门 (备案); nil means every period (FilingEvery "period").
	Filing *FilingRule `yaml:"filing"`

	indicatorIndex map[string]*Indicator // every node by id, built by validate
	indicatorTotal Dec                   // sum of the top-level maxima
	leafCount      int                   // number of leaf indicators
	lines          lineIndex             // YAML positions of fields, for validation messages
	file           string
}

// Grade is one grade label.
type Grade struct {
	// Label is the grade as written in the seed: 好, 优秀, A.
	Label string `yaml:"label"`
	// Aliases are other spellings accepted in inputs (S1: 优 for 优秀).
	Aliases []string `yaml:"aliases"`
	// Points is the grade's value in annual composition (S5: A=90).
	Points *Dec `yaml:"points"`
}

// Indicator is a node of the indicator tree.
type Indicator struct {
	// ID is the key used in inputs; usually the Chinese name (德, 思想政治素质).
	ID string `yaml:"id"`
	// Name is shown on cards; defaults to ID.
	Name string `yaml:"name"`
	// Max is the maximum points of the item.
	Max Dec `yaml:"max"`
	// Weight, for a child of a "weighted" parent, is its share of the parent.
	Weight *Percent `yaml:"weight"`
	// Combine says how children make the parent: "sum" (default; children's
	// maxima must add up to the parent's) or "weighted" (each child is scored
	// on its own Max and contributes Weight of the parent's Max: S1 绩 = 70%
	// 业务工作 + 30% 联系村和中心工作).
	Combine string `yaml:"combine"`
	// Bands are per-item levels (S6: 目标任务 优秀 27–30 …); when present, the
	// explanation names the level a score falls in, and an input that names a
	// level must give a score inside it.
	Bands []ItemBand `yaml:"bands"`
	// Children are the sub-items.
	Children []*Indicator `yaml:"children"`

	maxFixed int64 // Max in millionths, for the fixed-point fast path
}

// ItemBand is one level of an indicator.
type ItemBand struct {
	Label string   `yaml:"label"`
	Range Interval `yaml:"range"`
}

// RaterRule gives the rater sources for the tiers it names.
type RaterRule struct {
	// Tiers this rule applies to; empty means every tier without a rule.
	Tiers []string `yaml:"tiers"`
	// Sources and their weights, which must add up to 100%.
	Sources []Source `yaml:"sources"`
}

// Source is one group of raters.
type Source struct {
	// ID is the key used in inputs (leader, democratic, superior, peers …).
	ID string `yaml:"id"`
	// Name is the Chinese name shown in explanations.
	Name string `yaml:"name"`
	// Weight is the source's share of the score; 0% makes it informational
	// (shown, not counted: S8 says only "结合季度测评结果").
	Weight Percent `yaml:"weight"`
	// Kind is "indicators" (the indicator tree), "votes" (a list of 0–Scale
	// scores, averaged: 民主测评) or "score" (one 0–Scale score).
	Kind string `yaml:"kind"`
	// MinVotes is the least number of votes a "votes" source needs.
	MinVotes int `yaml:"min_votes"`
	// MinVoters is the anonymity floor of a "votes" source: with fewer
	// ballots for a person than this, the source is neither shown nor
	// counted for that person, and the other weighted sources are scaled
	// up to the whole (their weights divided by what is left). Default
	// DefaultMinVoters; at least 3 when set. A person with no ballot at
	// all (nobody voted, a 考核单元 of one) is below the floor too: give
	// the source with an empty list. Only an absent source is missing data.
	//
	// Why: an average over n ballots tells each voter the sum of the
	// other n-1. With two voters each learns the other's ballot, and with
	// three two comparing notes learn the third's, which breaks the vote
	// card's promise that nobody can trace a ballot. Five means four voters
	// must pool their ballots to learn a fifth's. Counting the votes while
	// hiding them would not help: the total minus the leader's part gives
	// the average back. No seed sets a number; the committee sees that the
	// floor was not met on the person's explanation.
	MinVoters int `yaml:"min_voters"`
	// SupervisorVotes: the 分管领导 of a 考核单元 (the Supervisor of the
	// units its members belong to) votes with it, rating every member
	// without being rated (S8 四(三)2: "分管领导（协管领导）、考核单元内
	// 人员无记名百分制评分"). Read by the workflow, which hands the
	// supervisor the vote card; the engine only sees more ballots.
	SupervisorVotes bool `yaml:"supervisor_votes"`
	// OutsideRaters: raters with no account in the organisation's chat
	// take part on paper and HR enters their tally per person (a number
	// of raters and their average score, SourceInput.Outside), combined
	// with the ballots cast in chat weighted by the number of raters
	// (S1 第八条(二): "参加群众评议人员为全体机关部、部分村组干部、服务对象
	// 代表", with no weight between them). Without it an outside tally is
	// refused as bad input.
	OutsideRaters bool `yaml:"outside_raters"`
}

// DefaultMinVoters is the anonymity floor of a "votes" source that sets
// none (Source.MinVoters).
const DefaultMinVoters = 5

// minVoters is the source's anonymity floor.
func (src Source) minVoters() int {
	if src.MinVoters > 0 {
		return src.MinVoters
	}
	return DefaultMinVoters
}

// Adjustments are bonus and deduction points (弹性指标).
type Adjustments struct {
	// BonusCap caps the total bonus (S4: 5, S8: 10); nil means uncapped.
	BonusCap *Dec `yaml:"bonus_cap"`
	// DeductionCap caps the total deduction.
	DeductionCap *Dec `yaml:"deduction_cap"`
	// SameEventOnce: entries naming the same event count once (S4: 同一件事
	// 加减分不累计): per event and direction only the largest entry counts.
	SameEventOnce bool `yaml:"same_event_once"`
	// MaxTotal caps the period score after bonus and deduction; nil means
	// the bonus may carry the total above the scale (S4: 100 + 5 = 105).
	// Each scheme file says which it is and why.
	MaxTotal *Dec `yaml:"max_total"`
}

// Rounding says how a computed score is rounded.
type Rounding struct {
	// Places after the decimal point (default 2).
	Places *int32 `yaml:"places"`
	// Mode is "half_up" (default, 四舍五入), "down" (truncate) or "half_even".
	Mode string `yaml:"mode"`
}

// Band maps a score range to a grade.
type Band struct {
	Grade string   `yaml:"grade"`
	Range Interval `yaml:"range"`
	zh    string   // Range in words, made once by validate
}

// Quota limits a grade's share within a scope.
type Quota struct {
	// Grade is the limited grade, usually the top one.
	Grade string `yaml:"grade"`
	// Scope is "unit" (本机关/本单位) or "group" (考核单元, S8).
	Scope string `yaml:"scope"`
	// MaxShare is the largest share (40%); nil means no maximum.
	MaxShare *Percent `yaml:"max_share"`
	// HardMaxShare is the absolute ceiling the committee may approve above
	// MaxShare with a reason (S1: 一般40%以内，最多不超过50%).
	HardMaxShare *Percent `yaml:"hard_max_share"`
	// MinShare is the smallest share (S5: A 在 20%–30% 之间); a shortfall is
	// flagged for the committee, never filled automatically.
	MinShare *Percent `yaml:"min_share"`
	// CapRounding turns share × participants into a count: "floor" (default:
	// "40%以内" never exceeds 40%), "round" or "ceil".
	CapRounding string `yaml:"cap_rounding"`
	// PreferFrontline ranks front-line posts first among equal scores (S4:
	// 好等次名额向基层一线和艰苦岗位公务员倾斜).
	PreferFrontline bool `yaml:"prefer_frontline"`
	// AndBelow counts Grade and every grade below it (S9: "评定为称职及以下
	// 等次的要有一定的比例"). Only with MinShare: a shortfall is flagged for
	// the committee like any other.
	AndBelow bool `yaml:"and_below"`
}

// Special holds the not-graded states and direct determinations.
type Special struct {
	// Probation is what happens in 试用期: "comment_only" (S4 注意事项3) or ""
	// (graded as usual).
	Probation string `yaml:"probation"`
	// Leave is the long-leave rule; nil means leave does not matter.
	Leave *LeaveRule `yaml:"leave"`
	// Investigation is "withheld" (assessed, grade filled in after the case
	// closes: S4 注意事项11, S5 六(三)) or "".
	Investigation string `yaml:"investigation"`
	// Sanctions maps a sanction kind to its effect.
	Sanctions []SanctionRule `yaml:"sanctions"`
	// DirectTop lists the accepted reasons for a direct top grade.
	DirectTop []string `yaml:"direct_top"`
	// DirectBottom lists the accepted reasons for a direct bottom grade.
	DirectBottom []string `yaml:"direct_bottom"`
	// Refusal is what a recorded refusal to take part after a warning
	// (Status.Refusal) does to the period: a grade the leader sets directly
	// (S5 六(二): D), or "not_graded" where the seed gives the refusal an
	// effect on the year instead (S10 四(三); the annual rules say what,
	// with when.refused). "" means the scheme has no refusal rule and a
	// recorded refusal is an input error.
	Refusal string `yaml:"refusal"`
}

// RefusalNotGraded is Special.Refusal's value for a refusal that leaves the
// period without a grade (S10).
const RefusalNotGraded = "not_graded"

// LeaveRule says when leave takes a person out of grading.
type LeaveRule struct {
	// Counted are the leave kinds that count (病假, 事假).
	Counted []string `yaml:"counted"`
	// Excluded are statutory leaves that never count (探亲假, 婚假 …).
	Excluded []string `yaml:"excluded"`
	// Absence is the kind HR records unexcused absence (旷工) under, in
	// days, on the month's attendance (S10 附件1's 出勤记录): recorded and
	// shown (the 记实表, the leader who grades "根据出勤"), never leave, so it
	// neither counts toward nor against the leave rule. "" where the scheme
	// records none.
	Absence string `yaml:"absence"`
	// OverHalf: counted leave strictly over half the period's working days
	// means not graded (S4 注意事项7, S5 六(一)).
	OverHalf bool `yaml:"over_half"`
	// NotAssessed: a person taken out by OverHalf is not assessed at all and
	// not counted among the participants a quota's share is taken of (S5
	// 六(一): "不进行考核"); otherwise they take part with a comment only
	// (S4 注意事项7: "参加平时考核，只写评语，不确定等次").
	NotAssessed bool `yaml:"not_assessed"`
	// OverWorkdays: counted leave strictly over this many working days means
	// not graded (S10: 累计超过30个工作日).
	OverWorkdays *int `yaml:"over_workdays"`
	// WorkInjuryKind is the leave kind for work injury; WorkInjuryGrade is the
	// grade given when it exceeds half the period (S4 注意事项8: 较好).
	WorkInjuryKind  string `yaml:"work_injury_kind"`
	WorkInjuryGrade string `yaml:"work_injury_grade"`
}

// SanctionRule is the effect of one kind of sanction during its term.
type SanctionRule struct {
	// Kinds are the sanction names (警告, 记过, 记大过, 降级, 撤职 …).
	Kinds []string `yaml:"kinds"`
	// Effect is "no_top" (cannot get the top grade: S5 受警告处分期间不得确定为A)
	// , "not_graded" (S5 受记过…处分期间不确定档次), "bottom" (S8: 行政记过以上
	// → 较差) or "none" (a lighter sanction the scheme gives no effect, so
	// that it is recorded rather than refused).
	Effect string `yaml:"effect"`
}

// Annual composes a year from its periods.
type Annual struct {
	// Periods is how many period results the year has (4; 3 where Q4 merges
	// into the annual appraisal, S2/S9; 12 for monthly units).
	Periods int `yaml:"periods"`
	// PeriodicValue is "score" (mean of period scores) or "grade_points"
	// (mean of the grades' points, S5).
	PeriodicValue string `yaml:"periodic_value"`
	// PeriodicWeight is the periodic part's share of the annual total (S2
	// 50%, S5/S6 60%, S7 100%); nil means no annual total is computed.
	PeriodicWeight *Percent `yaml:"periodic_weight"`
	// Raters give the annual part's sources per tier (S2 40/30/30, 60/40);
	// when empty the annual part is one "annual" score in the input.
	Raters []RaterRule `yaml:"raters"`
	// Grades are the annual grades from best to worst.
	Grades []string `yaml:"grades"`
	// Bands map the annual total to a proposed annual grade; optional.
	Bands []Band `yaml:"bands"`
	// Rounding of the annual total.
	Rounding Rounding `yaml:"rounding"`
	// ExcellenceRate is S9's formula.
	ExcellenceRate *ExcellenceRate `yaml:"excellence_rate"`
	// Rules are the annual constraints, applied in order.
	Rules []AnnualRule `yaml:"rules"`
	// RequireScores: every period counted in the year must have a score,
	// and the periodic score is their sum divided by their number (S7:
	// "4个季度评分总和/4"). Without it the periodic score is the mean of the
	// periods that have one (a period not graded for leave has none).
	RequireScores bool `yaml:"require_scores"`
}

// AnnualNotGraded is the annual result "不定等次": not an annual grade, but
// what a rule's one_of may allow (S10 四(三)) and a unit may then propose.
const AnnualNotGraded = "不定等次"

// ExcellenceRate is S9's 年度考核优秀率 = 平时优秀率 × PeriodicWeight +
// 测评优秀率 × VoteWeight, where 平时优秀率 = 优秀次数 ÷ Divisor. A period
// excluded from the year leaves the divisor (S9 五: "也不计入年度考核结果"),
// so 优秀 in two counted quarters of three is 2 ÷ 2; with none counted the
// rate is the 测评优秀率 alone.
type ExcellenceRate struct {
	PeriodicWeight Percent `yaml:"periodic_weight"`
	// Divisor is the number of periods of a full year (S9: 3).
	Divisor    int     `yaml:"divisor"`
	VoteWeight Percent `yaml:"vote_weight"`
	// MinVoters is the anonymity floor of the year-end 测评, as
	// Source.MinVoters is of a period's: with fewer voters (none
	// included) the 测评优秀率 is neither shown nor counted and the rate is
	// the 平时优秀率 alone (PeriodicWeight scaled to the whole). Two voters
	// who see "优秀票1 ÷ 测评2人" each know the other's vote. Default
	// DefaultMinVoters; at least 3 when set.
	MinVoters int `yaml:"min_voters"`
}

// minVoters is the rate's anonymity floor.
func (e ExcellenceRate) minVoters() int {
	if e.MinVoters > 0 {
		return e.MinVoters
	}
	return DefaultMinVoters
}

// AnnualRule is one annual constraint: when its condition holds, the annual
// grade is capped or set.
type AnnualRule struct {
	// Cite is the seed text the rule comes from, shown in explanations.
	Cite string `yaml:"cite"`
	// When is the condition.
	When AnnualCondition `yaml:"when"`
	// MaxGrade caps the annual grade (the best it may be).
	MaxGrade string `yaml:"max_grade"`
	// Grade sets the annual grade.
	Grade string `yaml:"grade"`
	// Priority marks the person for priority consideration for this grade
	// (S4: 全年均为好 → 优先确定为优秀) without setting it.
	Priority string `yaml:"priority"`
	// OneOf sets the annual result to one of these, the first unless the
	// unit proposes another of them; AnnualNotGraded may be among them
	// (S10 四(三): "直接确定其当年年度考核结果为不定等次或不称职").
	OneOf []string `yaml:"one_of"`
	// NoCommendation bars the person from 评比表彰 that year (S5 五(二):
	// 被确定为D档次的…当年不得参加各类评比表彰). It may stand alone or go with
	// one of the others.
	NoCommendation bool `yaml:"no_commendation"`
}

// AnnualCondition is a test over the year's period grades and score. Set
// fields are combined with AND.
type AnnualCondition struct {
	// Grades are the period grades counted by the tests below.
	Grades []string `yaml:"grades"`
	// CountAtLeast: at least this many periods have one of Grades.
	CountAtLeast *int `yaml:"count_at_least"`
	// ShareOver: strictly more than this share of periods have one of Grades.
	ShareOver *Percent `yaml:"share_over"`
	// ShareBelow: strictly less than this share of periods have one of
	// Grades.
	ShareBelow *Percent `yaml:"share_below"`
	// All: every period has one of Grades.
	All bool `yaml:"all"`
	// PeriodicBelow: the periodic score is strictly below this.
	PeriodicBelow *Dec `yaml:"periodic_below"`
	// Refused: a period of the year records a refusal to take part
	// (PeriodRecord.Refused; S10 四(三)).
	Refused bool `yaml:"refused"`
}

// AllowanceRule is one money consequence (S2 五). Kind selects the rule:
//   - "score_cut": a period score in Range cuts Rate of the allowance in the
//     months StartMonth..StartMonth+Months-1 counted from the first month of
//     the next period (1 = that first month);
//   - "leave_excess": counted leave over FreeDays in a month costs, per extra
//     day, either PerDay (a fixed amount) or monthly ÷ (working days − FreeDays);
//   - "absence": each day of 旷工 costs Rate of the month's allowance; FullAt
//     days or more cost all of it;
//   - "absent_period": absent for the whole period forfeits the period's
//     allowance.
type AllowanceRule struct {
	ID        string   `yaml:"id"`
	Cite      string   `yaml:"cite"`
	Kind      string   `yaml:"kind"`
	Allowance string   `yaml:"allowance"`
	Range     Interval `yaml:"range"`
	Rate      *Percent `yaml:"rate"`
	// RateFraction is a rate that is not a finite decimal (S2: 三分之一),
	// written "1/3".
	RateFraction string `yaml:"rate_fraction"`
	StartMonth   int    `yaml:"start_month"`
	Months       int    `yaml:"months"`
	FreeDays     int    `yaml:"free_days"`
	PerDay       *Dec   `yaml:"per_day"`
	FullAt       int    `yaml:"full_at"`
}

// TalkRule asks for a talk with everyone given one of Grades in a period.
type TalkRule struct {
	// Grades are the period grades that call for the talk.
	Grades []string `yaml:"grades"`
	// Kind names the talk (谈话, 诫勉谈话), shown on the cards.
	Kind string `yaml:"kind"`
}

// FilingRule is a scheme's 备案 cadence.
type FilingRule struct {
	// Every is FilingEveryPeriod (default: each period is filed on its own)
	// or FilingHalfYear (S8 四(三)6: "局人事科每半年将公务员平时考核结果报
	// 同级公务员主管部门备案"): the quarters of a half-year are filed
	// together once its second quarter's results stand; only for a
	// quarterly cycle.
	Every string `yaml:"every"`
}

// Filing cadences (FilingRule.Every).
const (
	FilingEveryPeriod = "period"
	FilingHalfYear    = "half_year"
)

// FilesHalfYearly reports whether the scheme files its quarters by
// half-year (FilingRule).
func (s *Scheme) FilesHalfYearly() bool {
	return s != nil && s.Filing != nil && s.Filing.Every == FilingHalfYear
}
