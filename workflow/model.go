package workflow

import (
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Settings are the organisation-wide facts: who the 主管领导 is and where
// 公示 goes. There is one Settings per store.
type Settings struct {
	// Name is the organisation's name (shown in 公示).
	Name string
	// Head is the 主管领导, the last leader of every chain.
	Head string
	// PublicChats are the group chats that receive 公示.
	PublicChats []string
	// Version is bumped on every update.
	Version int
}

// Unit is a 科室/中心.
type Unit struct {
	ID   string
	Name string
	// Leader is the 科室负责人 (初评).
	Leader string
	// Supervisor is the 分管领导 (审定).
	Supervisor string
	// Scheme is the id of the scheme the unit's people are appraised
	// under (Config.Schemes); "" is the organisation's default scheme.
	Scheme string
}

// Person is anyone the system knows: employees, leaders, HR, the committee.
// ID is the verified chat identity (Lark open_id).
type Person struct {
	ID   string
	Name string
	// Unit is the home unit.
	Unit string
	// AssessedBy is the receiving unit of a seconded or transferred person
	// (挂职/借调): its leaders run the chain and the result is sent back to
	// the home unit's leader. Empty for everyone else.
	AssessedBy string
	// Group is the 考核单元 for democratic evaluation and group quotas.
	Group string
	// Tier is the role tier (S2: 正科/副科/其他); it picks the chain.
	Tier      string
	Frontline bool
	// HR: a member of 政工科/人事科. Committee: a member of the 领导小组.
	HR        bool
	Committee bool
	// Assessed is false for people outside the appraisal (leaders of the
	// organisation, HR staff who are assessed elsewhere).
	Assessed bool
	// VoteGroups are the 考核单元 this person votes in without being rated
	// there (extra voters: a 协管领导, a 机关干部 who is not assessed, S1
	// 第八条(二), S8 四(三)2). HR names them at setup (the org file) or on
	// the 人员 card (Service.SetVoteGroups); the group they are assessed
	// in is not listed.
	VoteGroups []string
	// Status holds the special cases that change grading.
	Status PersonStatus
	// Absences are leave and other days away; reminders skip a person on
	// leave and the leave rules of the scheme count them.
	Absences []Absence
	Version  int
}

// AbsenceKind is the kind of leave line HR records unexcused absence
// (旷工) under, in days: never leave, but shown on the 记实表 (S10), cut
// from S2's allowance and weighed by S1's grade conditions.
const AbsenceKind = "旷工"

// PersonStatus is the special cases of docs/design.md §2 set by HR, each with
// the reason required.
type PersonStatus struct {
	Probation     bool
	Investigation bool
	Sanction      string // 警告, 记过 …; "" for none
	// SanctionStart and SanctionEnd are the sanction's term (处分期), both
	// days included; both are required with a sanction (SetStatus). A
	// period that overlaps the term is graded under the scheme's sanction
	// rule; grading resumes with the first period that starts after the
	// end (S4 注意事项11: 从处分期满的下一个周期开始恢复平时考核). The
	// sanction stays on record after its end, so the person card and the
	// filing tables still show it; SanctionIn tells whether it applies.
	// Zero on a sanction recorded before the term existed: it then applies
	// to every period, as it did.
	SanctionStart calendar.Date
	SanctionEnd   calendar.Date
	Exempt        bool // not reminded and not graded this cycle
	Reason        string
}

// SanctionIn is the sanction in force during a period from start to end
// (both included): the kind when the term overlaps the period, "" when
// there is none or it starts after the period or ended before it.
func (st PersonStatus) SanctionIn(start, end calendar.Date) string {
	if st.Sanction == "" {
		return ""
	}
	if !st.SanctionStart.IsZero() && st.SanctionStart.After(end) {
		return ""
	}
	if !st.SanctionEnd.IsZero() && st.SanctionEnd.Before(start) {
		return ""
	}
	return st.Sanction
}

// Absence is a stretch of leave, both ends included.
type Absence struct {
	Kind  string // 病假, 事假, 年休假, 工伤假 …
	Start calendar.Date
	End   calendar.Date
}

// Delegation lets To act on From's steps from Start (inclusive) to End
// (exclusive) while From is away.
type Delegation struct {
	ID    string
	From  string
	To    string
	Start time.Time
	End   time.Time
}

// Active reports whether the delegation is in force at t.
func (d Delegation) Active(t time.Time) bool { return !t.Before(d.Start) && t.Before(d.End) }

// Target is one line of the 年初分解 (个人岗位职责和工作任务认定表).
type Target struct {
	ID       string
	Person   string
	Year     int
	Title    string
	Quantity string
	Deadline calendar.Date
	Standard string
	Lead     bool // 主办 (true) or 协办
	// State follows the 认定表's two signatures (see docs/design.md,
	// "Annual targets"): TargetDraft until the person's section head
	// reviews it (审核, TargetReviewed), then the superior approves it
	// (审定, TargetApproved); either level may send it back
	// (TargetReturned) for the person to revise, which makes it a draft
	// again. TargetDone when a weekly record reports an approved target
	// done.
	State string
	// ReviewedBy and ApprovedBy are who decided each level (the leader,
	// or the delegate who acted for them).
	ReviewedBy string
	ApprovedBy string
	// ReturnedBy, ReturnLevel (TargetLevelReview or TargetLevelApprove)
	// and ReturnReason say who sent the target back, at which level and
	// why; kept after the person revises it, so the leader sees what was
	// asked for.
	ReturnedBy   string
	ReturnLevel  string
	ReturnReason string
	DoneOn       calendar.Date
	// Exceeded marks a done target 超额完成, set by the leader of the final
	// level (the one who 审定s the person's targets).
	Exceeded bool
	Version  int
}

// Target states.
const (
	TargetDraft    = "draft"
	TargetReviewed = "reviewed" // 审核 passed; waits for 审定
	TargetApproved = "approved" // 审定: agreed, weekly records may pick it
	TargetReturned = "returned" // sent back by either level; the person revises it
	TargetDone     = "done"
)

// Levels of a target's confirmation (Target.ReturnLevel).
const (
	TargetLevelReview  = "review"  // 审核: the section head
	TargetLevelApprove = "approve" // 审定: the superior (分管领导)
)

// Period kinds that the cycle runs.
const (
	KindQuarter = "quarter"
	KindMonth   = "month" // window units (S4 注意事项1)
)

// Period states; see doc.go for the diagram.
const (
	PeriodOpen      = "open"      // entries and chains running
	PeriodCommittee = "committee" // scored; quota applied; ties wait for the committee
	PeriodConfirmed = "confirmed" // the committee confirmed the grades
	PeriodPublished = "published" // 公示 and the 复核 window are running
	PeriodClosed    = "closed"    // window over, reviews decided; filed
)

// Kinds of QuotaOverride.
const (
	// OverrideCap raises a quota's cap for one scope, up to the scheme's
	// hard maximum (S1 第九条: 一般40%以内，最多不超过50%).
	OverrideCap = "cap"
	// OverrideShortfall keeps fewer holders than a quota's minimum share
	// for one scope (S5 四(三)2: A "可控制在" 20%–30%, which allows it; and a
	// unit of three has no count in that range at all).
	OverrideShortfall = "shortfall"
)

// QuotaOverride is the committee's decision on one quota in one scope
// (scoring.QuotaResult's Grade, Scope and Key), with its reason.
type QuotaOverride struct {
	Grade string `json:"grade"`
	Scope string `json:"scope"`
	Key   string `json:"key"`
	// Kind is OverrideCap or OverrideShortfall.
	Kind string `json:"kind"`
	// MaxCount is the raised cap (OverrideCap only).
	MaxCount int       `json:"max_count,omitempty"`
	Reason   string    `json:"reason"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// Period is one appraisal cycle (a quarter, or a month for window units).
type Period struct {
	ID   string // "2026-Q3" or "2026-09"; "2026-Q3@s5" under a scheme other than the default (schemes.go)
	Kind string
	// Scheme is the id of the scheme the period runs under, recorded when
	// it opens: its people are those of the units under that scheme, and
	// a later change of configuration does not re-grade it. "" on periods
	// stored before schemes were per unit: the scheme the id names.
	Scheme string
	Start  calendar.Date
	End    calendar.Date
	State  string
	// SummaryDue is the last day for the self-summary (季度小结/登记表) and
	// the 民主测评.
	SummaryDue calendar.Date
	// FilingDue is the 备案 deadline.
	FilingDue calendar.Date
	// Decisions are the committee's grades for flagged people: a tie at a
	// cap, a direct determination over it, and people the committee raised
	// to meet a minimum share (S5).
	Decisions []scoring.Decision
	// Overrides are the committee's decisions on a quota itself: a cap
	// raised up to the scheme's hard maximum (S1), or a shortfall under a
	// minimum share kept with a reason (S5). One per quota and scope.
	Overrides []QuotaOverride
	// Quotas are the applied quotas after scoring (for 公示 and 备案).
	Quotas []scoring.QuotaResult
	// Statuses are the special states of the people in scope as they
	// stood when the appraisal closed: a later 复核 or 补定 scores the
	// period under the states of its own time, not today's (a person who
	// left since stays in it; a sanction imposed later does not reach
	// back). Empty until the appraisal closes.
	Statuses map[string]PersonStatus
	// Outside are the 民主测评 tallies of raters outside the chat that HR
	// entered, by person (scoring.Source.OutsideRaters, S1 第八条(二)).
	Outside map[string]OutsideTally
	// Uniform are the scorers and units whose scores were too uniform to
	// tell people apart (大锅饭, Config.Uniformity), for the committee; set
	// with the scores, only groups that crossed a threshold.
	Uniform []scoring.UniformStat
	// PublishedAt, PublicityEnd and ReviewEnd are set by Publish.
	PublishedAt  time.Time
	PublicityEnd calendar.Date
	ReviewEnd    calendar.Date
	// FiledAt is when HR reported the period's 备案 done.
	FiledAt time.Time
	Version int
}

// Entry kinds.
const (
	EntryWeekly     = "weekly"     // 周记实
	EntryDaily      = "daily"      // 日志
	EntryMonthly    = "monthly"    // 月小结/月自查
	EntryQuarterly  = "quarterly"  // 季度小结/登记表 (the period's self-summary)
	EntryAttendance = "attendance" // a month's attendance, entered by HR
	EntryTalk       = "talk"       // a talk the leader held (scheme talks), recorded by the leader
	EntryAnnual     = "annual"     // a person's annual score for the year (S5, S6), entered by HR (annualscore.go)
)

// Entry states; see doc.go.
const (
	EntrySubmitted = "submitted"
	EntryReturned  = "returned"  // sent back by the leader
	EntryCommented = "commented" // the leader wrote the 点评
	EntryWaived    = "waived"    // missing weekly record waived by the leader
)

// EntryKey identifies an entry: one per kind, person and period id.
type EntryKey struct {
	Kind   string
	Person string
	// Period is the entry's own period id: "2026-W40", "2026-09",
	// "2026-Q3", or a date "2026-09-30" for a daily log.
	Period string
}

// Entry is one record a person keeps.
type Entry struct {
	EntryKey
	// Cycle is the appraisal period the entry belongs to ("2026-Q3").
	Cycle       string
	State       string
	Body        EntryBody
	Comment     string // the leader's 点评
	CommentBy   string
	Reason      string // why it was returned or waived
	SubmittedAt time.Time
	Version     int
}

// EntryBody is the content of an entry; which fields are used depends on
// the kind (see ParseEntryForm).
type EntryBody struct {
	Tasks      []Task       `json:"tasks,omitempty"`
	Summary    string       `json:"summary,omitempty"`
	Goals      string       `json:"goals,omitempty"`
	Completion string       `json:"completion,omitempty"`
	Unfinished []Unfinished `json:"unfinished,omitempty"`
	Training   string       `json:"training,omitempty"`
	Log        string       `json:"log,omitempty"`
	// Presence is the week's own attendance in a 周记实 (S1: 记实内容应包括…
	// 出勤情况): full, leave, trip or other, with a note.
	Presence     string `json:"presence,omitempty"`
	PresenceNote string `json:"presence_note,omitempty"`
	// Attendance (EntryAttendance only, entered by HR).
	Leave []scoring.LeaveInput `json:"leave,omitempty"`
	Late  int                  `json:"late,omitempty"`
	Early int                  `json:"early,omitempty"`
	// AnnualScore (EntryAnnual only, entered by HR) is the year's one
	// annual score in canonical form ("88.5"), 0 to the scheme's scale.
	AnnualScore string `json:"annual_score,omitempty"`
}

// Task is one line of a 周记实.
type Task struct {
	Title    string        `json:"title"`
	Deadline calendar.Date `json:"deadline"`
	Progress int           `json:"progress"` // percent, 0–100
	Target   string        `json:"target,omitempty"`
}

// Unfinished is an unfinished item of a 月小结 with its reason.
type Unfinished struct {
	Item   string `json:"item"`
	Reason string `json:"reason"`
}

// Step states; see doc.go.
const (
	StepPending  = "pending"
	StepApproved = "approved"
	StepReturned = "returned" // sent back
)

// Chain roles: who a step is assigned to.
const (
	RoleUnitLeader = "unit_leader" // 科室负责人: 初评
	RoleSupervisor = "supervisor"  // 分管领导: 审定
	RoleHead       = "head"        // 主管领导: 评鉴
)

// Step is one leader's turn in a person's approval chain.
type Step struct {
	ID     string // "<period>/<person>/<seq>"
	Period string
	Person string
	Seq    int // creation order within the person's chain
	Index  int // position in the chain
	Role   string
	Name   string // 初评, 审定, 评鉴
	// Assignee is the leader the step belongs to; a delegate of the assignee
	// may act for them.
	Assignee string
	State    string
	Due      calendar.Date
	// Assessment is what the step carries forward: set by the first step,
	// possibly adjusted by later ones.
	Assessment Assessment
	Reason     string // send-back or adjustment reason
	ActedBy    string // who acted (the assignee or a delegate)
	ActedAt    time.Time
	Version    int
}

// Assessment is a leader's appraisal of one person for one period.
type Assessment struct {
	// Indicators are the leaf scores of the scheme's indicator tree.
	Indicators map[string]scoring.Dec `json:"indicators,omitempty"`
	// Score is a single score for schemes whose source kind is "score".
	Score *scoring.Dec `json:"score,omitempty"`
	// Grade is the leader's grade for schemes without bands (S5), or a
	// suggestion otherwise.
	Grade       string                    `json:"grade,omitempty"`
	Adjustments []scoring.AdjustmentInput `json:"adjustments,omitempty"`
	// Direct is a direct determination (top or bottom) with its reason.
	Direct *scoring.DirectInput `json:"direct,omitempty"`
	// Refusal records that the person refused to take part after the
	// warning the scheme requires (S5 六(二): the leader sets D; S10 四(三):
	// the year follows), with the warning's date and how they refused.
	Refusal *scoring.Refusal `json:"refusal,omitempty"`
	Comment string           `json:"comment,omitempty"`
}

// Ballot is one anonymous 民主测评 score. It carries no voter: who voted is
// kept apart (Tx.MarkVoted) so a ballot cannot be linked to its voter.
type Ballot struct {
	Period string
	Target string
	Score  scoring.Dec
}

// OutsideTally is the 民主测评 of one person by raters with no account in
// the organisation's chat (村组干部, 服务对象代表: S1 第八条(二)), collected
// on paper and entered by HR: how many rated and their average score.
type OutsideTally struct {
	Raters int         `json:"raters"`
	Mean   scoring.Dec `json:"mean"`
	By     string      `json:"by"`
	At     time.Time   `json:"at"`
}

// Result is one person's outcome for a period.
type Result struct {
	Period     string
	Person     string
	Score      *scoring.Dec
	ScoreGrade string
	Grade      string
	State      string // scoring.StateGraded …
	Flags      []string
	Explain    []string
	// Feedback is the leader's 反馈 after 公示.
	Feedback *Feedback
	Version  int
}

// Feedback is the leader's talk with the person after 公示 (S1, S4, S8).
type Feedback struct {
	By        string
	At        time.Time
	Strengths string
	Problems  string
	Requests  string
}

// Review states; see doc.go.
const (
	ReviewRequested = "requested" // the employee asked; HR to handle
	ReviewForwarded = "forwarded" // HR forwarded to the committee with an opinion
	ReviewRejected  = "rejected"  // HR: not admissible (reason)
	ReviewUpheld    = "upheld"    // the committee kept the grade
	ReviewChanged   = "changed"   // the committee changed the grade
)

// Review is a 复核 request.
type Review struct {
	ID     string // "<period>/<person>"
	Period string
	Person string
	Reason string
	// Materials are the materials the request comes with, where the scheme
	// asks for them (review_materials; S5 六(四): 经主管领导确认的本人平时考
	// 核材料): what they are and who confirmed them, as the person wrote.
	Materials string
	State     string
	Opinion   string // HR's opinion
	OldGrade  string
	NewGrade  string
	Decision  string // the committee's reason
	DecidedBy string
	CreatedAt time.Time
	Version   int
}

// AnnualResult is a person's composed year.
type AnnualResult struct {
	Year    int
	Person  string
	Total   *scoring.Dec
	Grade   string
	Explain []string
}

// Fire outcomes.
const (
	FireFired  = "fired"
	FireMissed = "missed" // older than the grace window; recorded, not sent
)

// Fire is the record of one schedule slot; (ScheduleID, SlotAt) is unique,
// which is what makes a firing exactly-once (docs/reliability.md §1).
type Fire struct {
	ScheduleID string
	SlotAt     time.Time
	Outcome    string
	Sent       int // notifications written
	FiredAt    time.Time
}

// Idempotency is a stored answer to an inbound event or click; (Source, Key)
// is unique (docs/reliability.md §2).
type Idempotency struct {
	Source    string // "lark_event", "card" …
	Key       string // event_id, or the click's token
	Result    string // the error code the first attempt returned ("" for success)
	CreatedAt time.Time
}

// PublicityMessage is one 公示 notice as the chat platform holds it: the
// message that carried a period's list of one grade to one group, so the
// people who have read it can be looked up while the 公示 runs. Unlike an
// Idempotency record it is never pruned: the 公示 runs
// Config.PublicityWorkdays (5 working days by default, more calendar days
// with a weekend or a holiday in between), longer than the default
// retention of idempotency records (72 h) and as long as or longer than
// that of sent notifications (7 days), and there are only a few per
// period. (Period, Chat, Grade) is unique.
type PublicityMessage struct {
	Period string
	// Chat is the group, Grade the grade whose names the notice lists.
	Chat, Grade string
	// MessageID is the platform's id of the message.
	MessageID string
	// SentAt is when it was delivered.
	SentAt time.Time
}

// Notification states.
const (
	NotePending = "pending"
	NoteSent    = "sent"
	NoteDead    = "dead"
)

// Notification is a request to tell someone something; the bot's relay
// renders Template with Data as a card and sends it with Key as Lark's uuid.
type Notification struct {
	ID int64 // assigned by the store, increasing
	// Key is deterministic and at most 50 characters, unique in the outbox.
	Key string
	// To is a person id, or a chat id when Chat is true.
	To        string
	Chat      bool
	Template  string
	Data      map[string]string
	CreatedAt time.Time
	State     string
	Attempts  int
	UpdatedAt time.Time
	// NotBefore is when a relay may next claim the notification: zero (at
	// once) when queued, then the end of a relay's lease or of a retry's
	// backoff.
	NotBefore time.Time
	// FirstAttemptAt is when a relay first tried to send it (set by the
	// store with the first attempt counted): Lark's one-hour uuid window
	// runs from there, not from CreatedAt.
	FirstAttemptAt time.Time
}

// AuditEntry is one row of the hash-chained audit log (docs/reliability.md §5).
type AuditEntry struct {
	Seq    int64 // assigned by the store: 1, 2, 3 …
	At     time.Time
	Actor  string
	Action string // "step.approve", "entry.submit" …
	Object string // what was acted on
	// Detail is a short English description (never vote contents).
	Detail string
	// Denied marks an attempt that authorization refused.
	Denied   bool
	PrevHash string
	RowHash  string
}
