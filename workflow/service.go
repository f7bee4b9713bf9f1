package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Calendar is what the workflow needs to know about working days.
// *calendar.Calendar implements it.
type Calendar interface {
	// Location is the organisation's time zone (Asia/Shanghai by default).
	Location() *time.Location
	// IsWorkday reports whether d is a working day (holidays and 调休 included).
	IsWorkday(d calendar.Date) bool
	// AddWorkdays returns the n-th working day after d (n > 0), before d
	// (n < 0), or the first working day on or after d (n == 0).
	AddWorkdays(d calendar.Date, n int) calendar.Date
	// WorkdaysBetween counts working days from a to b, both included.
	WorkdaysBetween(a, b calendar.Date) int
	// LastWorkdayOfMonth returns the month's last working day.
	LastWorkdayOfMonth(year int, month time.Month) calendar.Date
}

// DueFunc turns a period into the last day (inclusive) by which something
// is due. calendar.Rule values adapt to it with a closure; DefaultDeadlines
// gives the seeds' defaults.
type DueFunc func(cal Calendar, p calendar.Period) calendar.Date

// Deadlines are the due-date rules of the cycle (docs/design.md §2).
type Deadlines struct {
	// Weekly: 周记实 of a week (default: the Monday after the week, moved
	// to the next working day if it is not one: S1 "在次周一以前填写", with
	// 以前 read as including Monday, as the calendar's next-monday rule
	// does).
	Weekly DueFunc
	// Monthly: 月小结 (default: the last working day of the month).
	Monthly DueFunc
	// Summary: the period's self-summary and 民主测评 (default: the third
	// working day after the period ends; S4 每下一季度初).
	Summary DueFunc
	// Filing: 备案 (default: day 6 of the next month, moved to a working day; S2).
	Filing DueFunc
	// FilingHalfYear: 备案 of a half-year, for a scheme that files its
	// quarters by half-year (scoring.FilingRule; S8 四(三)6), given the
	// half (calendar.Half). Default: the last working day of the month
	// after the half (DefaultDeadlines says why).
	FilingHalfYear DueFunc
}

// ChainStep is one step of an approval chain as configured.
type ChainStep struct {
	Role string // RoleUnitLeader, RoleSupervisor or RoleHead
	Name string // 初评, 审定, 评鉴
}

// Nudge is one reminder of a plan: on the working day Workdays away from the
// due date (negative: before it; 0: the due date if it is a working day,
// else skipped; positive: after it), at Hour:Minute local time, to Stage.
type Nudge struct {
	Stage    string // StageBefore, StageDue, StageOverdue, StageUrgent, StageLeader, StageHR
	Workdays int
	Hour     int
	Minute   int
}

// Reminder stages: who a nudge goes to. Before, due and overdue go to the
// person who has to act; leader escalates to their leader; hr to HR.
// Urgent goes to the person who has to act, like due, and asks for the
// message to be sent as 加急 (in-app urgent): its notifications carry
// DataUrgent, and the bot marks each card urgent once it is delivered
// (docs/lark.md §1.6). Lark refuses 加急 to a person with 200 unread urgent
// messages and counts it against the tenant's urgent allowance, so a plan
// has at most one urgent nudge and it comes on or before the due date
// (checkPlan): it is the last word before a deadline, not a way to chase.
// No default plan has one: the seeds ask for reminders, not 加急, and an
// operator adds it where a missed deadline costs most (remind_summary,
// remind_step, e.g. "urgent:0@14:00").
const (
	StageBefore   = "before"
	StageDue      = "due"
	StageOverdue  = "overdue"
	StageUrgent   = "urgent"
	StageLeader   = "leader"
	StageHR       = "hr"
	planDaily     = "daily"
	planWeekly    = "weekly"
	planMonthly   = "monthly"
	planSummary   = "summary"
	planVote      = "vote"
	planStep      = "step"
	planFeedback  = "feedback"
	planFiling    = "filing"
	leaderChainID = "@leader"
)

// DataUrgent is the Data key ("1") of a notification to be sent as 加急:
// the bot sends the card as usual and then marks it urgent for its
// recipient. Only reminders of an urgent nudge carry it.
const DataUrgent = "urgent"

// Config wires a Service. Store, Clock, Calendar and Scheme are required;
// every other field has a default (see New).
type Config struct {
	Store    Store
	Clock    clock.Clock
	Calendar Calendar
	// Scheme is the organisation's default scheme: that of every unit
	// without one of its own (Unit.Scheme).
	Scheme *scoring.Scheme
	// Schemes are the other schemes units may be under, by id (the
	// scheme's own id; the default need not be listed).
	Schemes map[string]*scoring.Scheme
	// UnitSchemes puts units under schemes by configuration (unit id →
	// scheme id; kaohe serve's schemes key). It wins over the unit's own
	// Unit.Scheme (the org file's): the deployment's file is where an
	// operator changes it, and a contact sync that knows no schemes cannot
	// undo it.
	UnitSchemes map[string]string
	Logger      *slog.Logger

	// Chains maps a role tier to its approval chain; "" is the default
	// chain and "@leader" the chain of a person who leads their unit (S6:
	// a 部门负责人 is scored by the 分管领导), which wins over their tier's.
	// A step whose role resolves to nobody, or to the person, is skipped.
	// Default: S4's 初评 → 审定 → 评鉴. kaohe serve sets it from its
	// chains key (cmd/kaohe/config).
	Chains map[string][]ChainStep
	// Deadlines default to DefaultDeadlines().
	Deadlines Deadlines
	// Plans are the reminder plans per item kind ("weekly", "monthly",
	// "summary", "vote", "step", "feedback", "filing"); DefaultPlans().
	Plans map[string][]Nudge
	// QuietFrom and QuietTo are the quiet hours (local, [from, to)); no
	// reminder goes out in them, a slot in them waits for their end.
	// Default (both 0) 21 to 8; equal non-zero hours mean none.
	QuietFrom, QuietTo int
	// Grace is how late a reminder slot may still fire (default 12h); an
	// older unfired slot is recorded as missed (docs/reliability.md §1).
	Grace time.Duration
	// StepWorkdays is how long a leader has for a step (default 3).
	StepWorkdays int
	// FeedbackWorkdays is how long a leader has for 反馈 after 公示 (5).
	FeedbackWorkdays int
	// PublicityWorkdays is how long 公示 runs (default 5 working days).
	PublicityWorkdays int
	// ReviewDays is the 复核 window after 公示 starts, in calendar days
	// (default 15, S5 六(四)).
	ReviewDays int
	// PublishAll publishes every grade; by default only the top grade
	// (S1, S4, S8).
	PublishAll bool
	// Votes turns on 民主测评; default: the scheme has a "votes" source.
	Votes *bool
	// HalfYearTalk: after the second and fourth quarter each 分管领导 (the
	// unit leader where a unit has none) is asked to talk with the
	// lowest-ranked of the units they oversee (S8 四(三)5). Default false.
	HalfYearTalk bool
	// BottomAlertAfter: HR is alerted when a person has the bottom grade
	// this many periods in a row. Default: the bottom_alert_after of the
	// period's scheme (S4 五、8: 连续2个季度较差 → 2; S5 五(二): one D → 1;
	// each scheme its own in an organisation with several), else 2; a
	// value here (the deployment's bottom_alert_after) overrides every
	// scheme. After New it holds the default scheme's value.
	BottomAlertAfter int
	// QuotaPerUnit applies "unit"-scope quotas per 科室 instead of to the
	// whole organisation (本机关, the default: S4 四 counts 本机关参加平时考核的
	// 公务员总人数).
	QuotaPerUnit bool
	// ManualOpen turns off opening each cycle's period by itself: by
	// default Tick opens the period (quarter, or month for a monthly
	// scheme) that today falls in, on its first working day, once the
	// organisation is set up, and tells HR; HR can still open one by
	// command (开启考核).
	ManualOpen bool
	// Uniformity says when a scorer's or a unit's scores are too uniform
	// to tell people apart (大锅饭); such groups are kept on the period for
	// the committee card. The zero value is the default rule (4 people or
	// more; σ under 2 points, range under 5, or over 80% in the top band;
	// scoring.UniformRule says why); Off turns it off.
	Uniformity scoring.UniformRule
}

// DefaultDeadlines returns the seeds' default deadlines.
func DefaultDeadlines() Deadlines {
	return Deadlines{
		// S1 第八条(一)1 "在次周一以前填写《周工作记实表》": Monday is on time.
		// Offices read "X以前"/"X日前" as "on or before X" (calendar.Rule),
		// so the record may still be written on Monday morning; the
		// Monday nudge is "今天截止", and only Tuesday's says "已逾期".
		Weekly: func(c Calendar, p calendar.Period) calendar.Date {
			d := p.End().AddDays(1)
			for d.Weekday() != time.Monday {
				d = d.AddDays(1)
			}
			return c.AddWorkdays(d, 0)
		},
		Monthly: func(c Calendar, p calendar.Period) calendar.Date {
			return c.LastWorkdayOfMonth(p.Start().Year, p.Start().Month)
		},
		Summary: func(c Calendar, p calendar.Period) calendar.Date { return c.AddWorkdays(p.End(), 3) },
		Filing: func(c Calendar, p calendar.Period) calendar.Date {
			n := p.End().AddDays(1)
			return c.AddWorkdays(calendar.NewDate(n.Year, n.Month, 6), 0)
		},
		// S8 四(三)6 says "每半年" and no date. Decision: the last working
		// day of the month after the half (31 July, end of January). The
		// half's second quarter stands only once its 公示 and 复核 window
		// (ReviewDays, 15 days from publication) are over and every 复核 is
		// decided (MarkFiled): with the summary due on the 3rd working day
		// and a week for scoring and the committee, 公示 starts around the
		// 10th and the window ends around the 25th, so a 次月6日 could
		// never be met and the month's end leaves HR a few working days.
		FilingHalfYear: func(c Calendar, p calendar.Period) calendar.Date {
			n := p.End().AddDays(1)
			return c.LastWorkdayOfMonth(n.Year, n.Month)
		},
	}
}

// DefaultPlans returns the default reminder plans: the working day before
// at 15:00 (S1: Friday afternoon for the weekly record, due the Monday
// after), on the day at 09:00 (the weekly record's Monday-morning chase:
// "今天截止"), the next working day at 09:00 (overdue), the leader two
// working days after, HR four working days after.
func DefaultPlans() map[string][]Nudge {
	std := []Nudge{
		{StageBefore, -1, 15, 0},
		{StageDue, 0, 9, 0},
		{StageOverdue, 1, 9, 0},
		{StageLeader, 2, 9, 0},
		{StageHR, 4, 9, 0},
	}
	return map[string][]Nudge{
		// The daily log (S7 日记): once, in the afternoon of each working
		// day, while the day's work can still be written down. No leader
		// or HR stage: a missed day is listed on the 待办 for a week
		// (dailyOwedWorkdays) and shows on 进度; a nudge a day is enough.
		planDaily:    {{StageDue, 0, 16, 30}},
		planWeekly:   {{StageBefore, -1, 15, 0}, {StageDue, 0, 9, 0}, {StageOverdue, 1, 9, 0}, {StageLeader, 2, 9, 0}},
		planMonthly:  std,
		planSummary:  std,
		planVote:     {{StageBefore, -1, 15, 0}, {StageDue, 0, 9, 0}, {StageOverdue, 1, 9, 0}},
		planStep:     {{StageDue, 0, 9, 0}, {StageOverdue, 1, 9, 0}, {StageLeader, 2, 9, 0}, {StageHR, 3, 9, 0}},
		planFeedback: {{StageDue, 0, 9, 0}, {StageOverdue, 1, 9, 0}, {StageHR, 3, 9, 0}},
		planFiling:   {{StageBefore, -2, 9, 0}, {StageDue, 0, 9, 0}},
	}
}

// DefaultChains returns S4's chain (初评 → 审定 → 评鉴) for everyone, and for
// a unit's leader 审定 → 评鉴.
func DefaultChains() map[string][]ChainStep {
	return map[string][]ChainStep{
		"":            {{RoleUnitLeader, "初评"}, {RoleSupervisor, "审定"}, {RoleHead, "评鉴"}},
		leaderChainID: {{RoleSupervisor, "审定"}, {RoleHead, "评鉴"}},
	}
}

// Service runs the appraisal cycle. Every method that changes state does so
// in one store transaction together with its audit entry and the
// notifications it causes. Identity (the by argument) is the caller's
// verified chat id, never a value from a card or a form.
type Service struct {
	store  Store
	clock  clock.Clock
	cal    Calendar
	scheme *scoring.Scheme // the default scheme; ask schemeOf (schemes.go) which one applies
	// schemes are every scheme by canonical id, the default included.
	schemes map[string]*scoring.Scheme
	// votesAuto: Config.Votes was not set; each scheme's own sources say.
	votesAuto bool
	// bottomSet is the deployment's Config.BottomAlertAfter, 0 when it
	// left each scheme to say (bottomAlertAfter).
	bottomSet int
	cfg       Config
	log       *slog.Logger
}

// New checks cfg, fills its defaults and returns a Service.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("workflow: Config.Store is required")
	case cfg.Clock == nil:
		return nil, errors.New("workflow: Config.Clock is required")
	case cfg.Calendar == nil:
		return nil, errors.New("workflow: Config.Calendar is required")
	case cfg.Scheme == nil:
		return nil, errors.New("workflow: Config.Scheme is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Chains == nil {
		cfg.Chains = DefaultChains()
	}
	if _, ok := cfg.Chains[""]; !ok {
		return nil, errors.New(`workflow: Config.Chains needs a default chain under ""`)
	}
	for tier, chain := range cfg.Chains {
		if len(chain) == 0 {
			return nil, fmt.Errorf("workflow: Config.Chains[%q] is empty", tier)
		}
		for i, st := range chain {
			if st.Role != RoleUnitLeader && st.Role != RoleSupervisor && st.Role != RoleHead {
				return nil, fmt.Errorf("workflow: Config.Chains[%q][%d].Role %q: want unit_leader, supervisor or head", tier, i, st.Role)
			}
		}
	}
	def := DefaultDeadlines()
	if cfg.Deadlines.Weekly == nil {
		cfg.Deadlines.Weekly = def.Weekly
	}
	if cfg.Deadlines.Monthly == nil {
		cfg.Deadlines.Monthly = def.Monthly
	}
	if cfg.Deadlines.Summary == nil {
		cfg.Deadlines.Summary = def.Summary
	}
	if cfg.Deadlines.Filing == nil {
		cfg.Deadlines.Filing = def.Filing
	}
	if cfg.Deadlines.FilingHalfYear == nil {
		cfg.Deadlines.FilingHalfYear = def.FilingHalfYear
	}
	plans := DefaultPlans()
	for k, v := range cfg.Plans {
		if err := checkPlan(v); err != nil {
			return nil, fmt.Errorf("workflow: Config.Plans[%q]: %w", k, err)
		}
		plans[k] = v
	}
	cfg.Plans = plans
	if cfg.QuietFrom == 0 && cfg.QuietTo == 0 {
		cfg.QuietFrom, cfg.QuietTo = 21, 8
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 12 * time.Hour
	}
	if cfg.StepWorkdays <= 0 {
		cfg.StepWorkdays = 3
	}
	if cfg.FeedbackWorkdays <= 0 {
		cfg.FeedbackWorkdays = 5
	}
	if cfg.PublicityWorkdays <= 0 {
		cfg.PublicityWorkdays = 5
	}
	if cfg.ReviewDays <= 0 {
		cfg.ReviewDays = 15
	}
	bottomSet := max(cfg.BottomAlertAfter, 0)
	if cfg.BottomAlertAfter <= 0 {
		cfg.BottomAlertAfter = cfg.Scheme.BottomAlertAfter
	}
	if cfg.BottomAlertAfter <= 0 {
		cfg.BottomAlertAfter = 2
	}
	if err := cfg.Uniformity.Validate(); err != nil {
		return nil, fmt.Errorf("workflow: Config.Uniformity: %w", err)
	}
	cfg.Uniformity = cfg.Uniformity.WithDefaults()
	schemes := map[string]*scoring.Scheme{normScheme(cfg.Scheme.ID): cfg.Scheme}
	for id, sc := range cfg.Schemes {
		switch {
		case sc == nil:
			return nil, fmt.Errorf("workflow: Config.Schemes[%q] is nil", id)
		case normScheme(id) != normScheme(sc.ID):
			return nil, fmt.Errorf("workflow: Config.Schemes[%q] holds scheme %q", id, sc.ID)
		case strings.Contains(id, schemeSep) || normScheme(id) == "":
			return nil, fmt.Errorf("workflow: Config.Schemes[%q]: a scheme id may not be empty or hold %q", id, schemeSep)
		}
		if normScheme(id) != normScheme(cfg.Scheme.ID) {
			schemes[normScheme(id)] = sc
		}
	}
	for unit, id := range cfg.UnitSchemes {
		if _, ok := schemes[normScheme(id)]; !ok {
			return nil, fmt.Errorf("workflow: Config.UnitSchemes[%q]: scheme %q is not in Config.Schemes", unit, id)
		}
	}
	votesAuto := cfg.Votes == nil
	if cfg.Votes == nil {
		v := schemeHasVotes(cfg.Scheme)
		cfg.Votes = &v
	}
	return &Service{store: cfg.Store, clock: cfg.Clock, cal: cfg.Calendar, scheme: cfg.Scheme, schemes: schemes, votesAuto: votesAuto,
		bottomSet: bottomSet, cfg: cfg, log: cfg.Logger}, nil
}

// SchemeOf returns the scheme a period runs under, by the period's id
// ("2026-Q3@s5" is S5's; a plain id the default scheme's).
func (s *Service) SchemeOf(periodID string) *scoring.Scheme { return s.schemeOfID(periodID) }

// SchemeByID returns the scheme with id ("" the default; an id not
// configured gives the default).
func (s *Service) SchemeByID(id string) *scoring.Scheme { return s.schemeByID(id) }

// Scheme returns the organisation's default scheme (SchemeOf says which
// one a period runs under).
func (s *Service) Scheme() *scoring.Scheme { return s.scheme }

// today is the current civil date in the organisation's time zone.
func (s *Service) today(now time.Time) calendar.Date {
	return calendar.DateOf(now.In(s.cal.Location()))
}

// at turns a civil date and a local time of day into an instant.
func (s *Service) at(d calendar.Date, hour, min int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, min, 0, 0, s.cal.Location())
}

// op is one state change in progress: its transaction, the audit entry and
// the notifications it will commit with.
type op struct {
	ctx    context.Context
	tx     Tx
	now    time.Time
	actor  string
	action string
	object string
	detail []string
	notes  []Notification
	quiet  bool // no audit row (reminder firings are recorded in Fire)
}

func (o *op) note(to, template string, data map[string]string, keyParts ...string) {
	o.notes = append(o.notes, Notification{
		Key: DedupeKey(append([]string{template, to}, keyParts...)...), To: to,
		Template: template, Data: data, CreatedAt: o.now,
	})
}

func (o *op) chat(chatID, template string, data map[string]string, keyParts ...string) {
	o.note(chatID, template, data, keyParts...)
	o.notes[len(o.notes)-1].Chat = true
}

func (o *op) logf(format string, args ...any) {
	o.detail = append(o.detail, fmt.Sprintf(format, args...))
}

// DedupeKey returns a deterministic key of 43 characters ("kh-" and 40 hex
// digits) for the given parts, usable as Lark's uuid (≤ 50 characters).
func DedupeKey(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x1f")))
	return "kh-" + hex.EncodeToString(h[:20])
}

type idemKey struct{}

type idemVal struct{ source, key string }

// WithIdempotencyKey marks ctx so that the next state change made with it
// is done at most once for (source, key): a repeated call gets the first
// call's answer (nil or the same kind of error) and changes nothing
// (docs/reliability.md §2). The bot passes Lark's event_id or the click token.
func WithIdempotencyKey(ctx context.Context, source, key string) context.Context {
	return context.WithValue(ctx, idemKey{}, idemVal{source, key})
}

var errCodes = []struct {
	code string
	err  error
}{
	{"not_found", ErrNotFound}, {"forbidden", ErrForbidden}, {"invalid_transition", ErrInvalidTransition},
	{"stale", ErrStale}, {"conflict", ErrConflict}, {"window_closed", ErrWindowClosed},
	{"invalid_input", ErrInvalidInput}, {"incomplete", ErrIncomplete},
}

func errCode(err error) string {
	if err == nil {
		return ""
	}
	for _, c := range errCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return "internal"
}

func codeErr(code string) error {
	for _, c := range errCodes {
		if c.code == code {
			return fmt.Errorf("repeated request: %w", c.err)
		}
	}
	if code == "" {
		return nil
	}
	return errors.New("repeated request failed")
}

// change runs fn as one state change by actor: in one transaction it runs
// fn, appends the audit row and enqueues fn's notifications. A denial
// (ErrForbidden) is audited in a transaction of its own, since fn's is
// rolled back. With an idempotency key in ctx, a repeat returns the stored
// answer without running fn.
func (s *Service) change(ctx context.Context, actor, action, object string, fn func(o *op) error) error {
	now := s.clock.Now()
	idem, hasIdem := ctx.Value(idemKey{}).(idemVal)
	var replay *error
	ctx = withAuditIntent(ctx)
	err := s.store.InTx(ctx, func(tx Tx) error {
		replay = nil // the store may run fn again
		if hasIdem {
			prev, err := tx.Idempotency(ctx, idem.source, idem.key)
			if err == nil {
				e := codeErr(prev.Result)
				replay = &e
				return nil
			}
			if !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("read idempotency key: %w", err)
			}
		}
		o := &op{ctx: ctx, tx: tx, now: now, actor: actor, action: action, object: object}
		if err := fn(o); err != nil {
			return err
		}
		return s.commit(o, hasIdem, idem, "")
	})
	if replay != nil {
		if errors.Is(*replay, ErrForbidden) {
			return audited{*replay} // audited when it was first refused
		}
		return *replay
	}
	if err == nil {
		return nil
	}
	denied := errors.Is(err, ErrForbidden)
	domain := errCode(err) != "internal"
	if denied || (hasIdem && domain) {
		// Record the denial and/or the answer; the change itself rolled back.
		// The caller's deadline may be what ended the change: the record
		// gets a second of its own, so a refusal is audited all the same.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		ctx := rctx
		if e2 := s.store.InTx(ctx, func(tx Tx) error {
			o := &op{ctx: ctx, tx: tx, now: now, actor: actor, action: action, object: object, quiet: !denied}
			o.logf("denied: %v", err)
			return s.commit(o, hasIdem && domain, idem, errCode(err))
		}); e2 != nil {
			s.log.Error("record refused change", "action", action, "object", object, "err", e2)
		}
	}
	if !domain {
		s.log.Error("state change failed", "action", action, "object", object, "actor", actor, "err", err)
	}
	if denied {
		return audited{err}
	}
	return err
}

// commit writes what a change leaves besides its own rows: the
// notifications, the idempotency record and, last, the audit row. The
// audit log is one chain, so appending to it serializes every change; last,
// the append holds that order only for its own two statements and the
// commit.
func (s *Service) commit(o *op, saveIdem bool, idem idemVal, code string) error {
	for _, n := range o.notes {
		if _, err := o.tx.Enqueue(o.ctx, n); err != nil && !errors.Is(err, ErrConflict) {
			return fmt.Errorf("enqueue %s: %w", n.Template, err)
		}
	}
	if saveIdem {
		if err := o.tx.SaveIdempotency(o.ctx, Idempotency{Source: idem.source, Key: idem.key, Result: code, CreatedAt: o.now}); err != nil {
			return fmt.Errorf("save idempotency key: %w", err)
		}
	}
	if !o.quiet {
		e := AuditEntry{At: o.now, Actor: o.actor, Action: o.action, Object: o.object, Detail: strings.Join(o.detail, "; ")}
		e.Denied = code != "" || strings.HasPrefix(e.Detail, "denied:")
		if _, err := o.tx.AppendAudit(o.ctx, e); err != nil {
			return fmt.Errorf("append audit: %w", err)
		}
	}
	return nil
}

// view runs a read-only fn in a transaction.
func (s *Service) view(ctx context.Context, fn func(tx Tx) error) error {
	return s.store.InTx(ctx, fn)
}

// --- authorization helpers (always against stored state, inside the tx) ---

func (s *Service) person(o *op, id, field string) (Person, error) {
	p, err := o.tx.Person(o.ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Person{}, invalid(field, "查无此人")
	}
	return p, err
}

// actor loads the caller; an unknown caller is forbidden, not "not found".
func (s *Service) actor(o *op) (Person, error) {
	p, err := o.tx.Person(o.ctx, o.actor)
	if errors.Is(err, ErrNotFound) {
		return Person{}, fmt.Errorf("unknown caller %q: %w", o.actor, ErrForbidden)
	}
	return p, err
}

func (s *Service) requireHR(o *op) (Person, error) {
	p, err := s.actor(o)
	if err != nil {
		return p, err
	}
	if !p.HR {
		return p, fmt.Errorf("%s is not HR: %w", o.actor, ErrForbidden)
	}
	return p, nil
}

func (s *Service) requireCommittee(o *op) (Person, error) {
	p, err := s.actor(o)
	if err != nil {
		return p, err
	}
	if !p.Committee {
		return p, fmt.Errorf("%s is not on the committee: %w", o.actor, ErrForbidden)
	}
	return p, nil
}

// atCommittee returns the period a committee member acts on, refusing
// anyone not on the committee and a period not at the committee stage
// with the reason in Chinese ("…考核不在考核委员会审定阶段，不能<action>").
func (s *Service) atCommittee(o *op, periodID, action string) (Period, error) {
	if _, err := s.requireCommittee(o); err != nil {
		return Period{}, err
	}
	period, err := o.tx.Period(o.ctx, periodID)
	if err != nil {
		return Period{}, err
	}
	if period.State != PeriodCommittee {
		return Period{}, notYet(periodName(periodID)+"考核不在考核委员会审定阶段，不能"+action, "period %s is %s", periodID, period.State)
	}
	return period, nil
}

// actingFor returns the people whose steps actor may act on at now: the
// actor and everyone who delegated to them.
func actingFor(ctx context.Context, tx Tx, actor string, now time.Time) ([]string, error) {
	ds, err := tx.Delegations(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := []string{actor}
	for _, d := range ds {
		if d.To == actor && d.Active(now) && !slices.Contains(out, d.From) {
			out = append(out, d.From)
		}
	}
	return out, nil
}

// delegatesOf returns who may act for leader at now.
func delegatesOf(ctx context.Context, tx Tx, leader string, now time.Time) ([]string, error) {
	ds, err := tx.Delegations(ctx, leader)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range ds {
		if d.From == leader && d.Active(now) {
			out = append(out, d.To)
		}
	}
	return out, nil
}

// assessingUnit is the unit whose leaders appraise p.
func assessingUnit(p Person) string {
	if p.AssessedBy != "" {
		return p.AssessedBy
	}
	return p.Unit
}

// chainFor returns the configured chain for p.
func (s *Service) chainFor(p Person, u Unit) []ChainStep {
	if u.Leader == p.ID {
		if c, ok := s.cfg.Chains[leaderChainID]; ok {
			return c
		}
	}
	if c, ok := s.cfg.Chains[p.Tier]; ok {
		return c
	}
	return s.cfg.Chains[""]
}

// resolve returns the assignee of a role for p ("" if none or p itself).
func resolve(role string, p Person, u Unit, st Settings) string {
	var a string
	switch role {
	case RoleUnitLeader:
		a = u.Leader
	case RoleSupervisor:
		a = u.Supervisor
	case RoleHead:
		a = st.Head
	}
	if a == p.ID {
		return ""
	}
	return a
}

// superior returns who a leader answers to: a unit leader to the unit's
// supervisor, a supervisor to the head; "" for the head (HR comes next).
func superior(ctx context.Context, tx Tx, leader string) (string, error) {
	if leader == "" {
		return "", nil // a step left with nobody: HR's, not a leaderless unit's supervisor
	}
	units, err := tx.Units(ctx)
	if err != nil {
		return "", err
	}
	st, err := tx.Settings(ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", err
	}
	for _, u := range units {
		if u.Leader == leader && u.Supervisor != "" && u.Supervisor != leader {
			return u.Supervisor, nil
		}
	}
	for _, u := range units {
		if u.Supervisor == leader && st.Head != leader {
			return st.Head, nil
		}
	}
	return "", nil
}

// leaderOf returns the first-line leader of an employee: the assessing
// unit's leader, or its supervisor when p leads the unit.
func leaderOf(p Person, units map[string]Unit) string {
	u := units[assessingUnit(p)]
	if u.Leader != "" && u.Leader != p.ID {
		return u.Leader
	}
	return u.Supervisor
}

func unitMap(ctx context.Context, tx Tx) (map[string]Unit, error) {
	us, err := tx.Units(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]Unit, len(us))
	for _, u := range us {
		m[u.ID] = u
	}
	return m, nil
}

// personMap is everyone by id: one read where a list of results needs
// its people, instead of one read per result.
func personMap(ctx context.Context, tx Tx) (map[string]Person, error) {
	ps, err := tx.People(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]Person, len(ps))
	for _, p := range ps {
		m[p.ID] = p
	}
	return m, nil
}

func hrPeople(ps []Person) []string {
	var out []string
	for _, p := range ps {
		if p.HR {
			out = append(out, p.ID)
		}
	}
	return out
}

func committeePeople(ps []Person) []string {
	var out []string
	for _, p := range ps {
		if p.Committee {
			out = append(out, p.ID)
		}
	}
	return out
}

func onLeave(p Person, d calendar.Date) bool {
	for _, a := range p.Absences {
		if !d.Before(a.Start) && !d.After(a.End) {
			return true
		}
	}
	return false
}

func needText(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return invalid(field, "不能为空")
	}
	if len([]rune(v)) > maxText {
		return invalid(field, fmt.Sprintf("不能超过 %d 字", maxText))
	}
	return nil
}

// maxText bounds free text fields.
const maxText = 2000

var _ Calendar = (*calendar.Calendar)(nil)

// leadsFor returns whether by leads a person at now: is the leader of the
// unit that appraises them, or stands in for that leader by delegation.
// It is the rule leaderCan applies to changes, for reads that filter many
// people (to-do lists, 反馈, 点评, targets).
func leadsFor(ctx context.Context, tx Tx, by string, now time.Time) (func(Person) bool, error) {
	units, err := unitMap(ctx, tx)
	if err != nil {
		return nil, err
	}
	can, err := actingFor(ctx, tx, by, now)
	if err != nil {
		return nil, err
	}
	return func(p Person) bool {
		l := leaderOf(p, units)
		return l != "" && contains(can, l)
	}, nil
}
