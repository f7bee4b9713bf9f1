package postgres

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Converters between workflow values and what the columns hold. Nested
// values are JSONB. scoring's Decision and QuotaResult, which declare JSON
// tags and hold neither dates nor decimals, are stored in that form, their
// documented wire format; everything else goes through the row types
// below, so renaming a Go field cannot silently orphan stored data, an
// unset Date (which calendar.Date refuses to marshal) is "", and a decimal
// is its exact digits (scoring.Dec's own JSON drops trailing zeros and
// refuses long numbers, limits meant for input, not for storage).

// scanner is a pgx.Row or pgx.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// tsIn stores the zero time as NULL and everything else in UTC.
// PostgreSQL keeps microseconds; finer digits are dropped by the driver.
func tsIn(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func tsOut(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

// dateIn stores the zero Date as NULL.
func dateIn(d calendar.Date) *time.Time {
	if d.IsZero() {
		return nil
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return &t
}

func dateOut(p *time.Time) calendar.Date {
	if p == nil {
		return calendar.Date{}
	}
	return calendar.DateOf(p.UTC())
}

// decIn writes d as a numeric literal that keeps its scale ("91.50" stays
// 91.50), so reading it back gives the same digits, not just the same value.
func decIn(d scoring.Dec) string {
	if e := d.Exponent(); e < 0 {
		return d.StringFixed(-e)
	}
	return d.String()
}

func decPtrIn(d *scoring.Dec) *string {
	if d == nil {
		return nil
	}
	s := decIn(*d)
	return &s
}

func decOut(s string) (scoring.Dec, error) {
	v, err := decimal.NewFromString(s)
	if err != nil {
		return scoring.Dec{}, fmt.Errorf("read numeric %q: %w", s, err)
	}
	return scoring.DecOf(v), nil
}

func decPtrOut(s *string) (*scoring.Dec, error) {
	if s == nil {
		return nil, nil
	}
	d, err := decOut(*s)
	return &d, err
}

func toJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	return b, nil
}

func fromJSON(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode json: %w", err)
	}
	return nil
}

// personStatusRow is workflow.PersonStatus in people.status.
// The sanction's term is two dates as text, absent when unset (rows
// written before the term existed read back as no term).
type personStatusRow struct {
	Probation     bool   `json:"probation"`
	Investigation bool   `json:"investigation"`
	Sanction      string `json:"sanction"`
	SanctionStart string `json:"sanction_start,omitempty"`
	SanctionEnd   string `json:"sanction_end,omitempty"`
	Exempt        bool   `json:"exempt"`
	Reason        string `json:"reason"`
}

func toStatusRow(s workflow.PersonStatus) personStatusRow {
	return personStatusRow{Probation: s.Probation, Investigation: s.Investigation, Sanction: s.Sanction,
		SanctionStart: dateText(s.SanctionStart), SanctionEnd: dateText(s.SanctionEnd), Exempt: s.Exempt, Reason: s.Reason}
}

func (r personStatusRow) status() (workflow.PersonStatus, error) {
	start, err := dateParse(r.SanctionStart)
	if err != nil {
		return workflow.PersonStatus{}, fmt.Errorf("sanction start: %w", err)
	}
	end, err := dateParse(r.SanctionEnd)
	if err != nil {
		return workflow.PersonStatus{}, fmt.Errorf("sanction end: %w", err)
	}
	return workflow.PersonStatus{Probation: r.Probation, Investigation: r.Investigation, Sanction: r.Sanction,
		SanctionStart: start, SanctionEnd: end, Exempt: r.Exempt, Reason: r.Reason}, nil
}

// absenceRow is one workflow.Absence in people.absences.
type absenceRow struct {
	Kind  string `json:"kind"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// feedbackRow is workflow.Feedback in results.feedback.
type feedbackRow struct {
	By        string    `json:"by"`
	At        time.Time `json:"at"`
	Strengths string    `json:"strengths"`
	Problems  string    `json:"problems"`
	Requests  string    `json:"requests"`
}

// dateText and dateParse keep an unset Date as "" inside JSON.
func dateText(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func dateParse(s string) (calendar.Date, error) {
	if s == "" {
		return calendar.Date{}, nil
	}
	return calendar.ParseDate(s)
}

// personRow is a row of people.
type personRow struct {
	ID, Name, Unit, AssessedBy, Group, Tier string
	Frontline, HR, Committee, Assessed      bool
	Status, Absences                        []byte
	Version                                 int
	// VoteGroups is never nil (the column is NOT NULL).
	VoteGroups []string
}

const personColumns = `id, name, unit, assessed_by, grp, tier, frontline, hr, committee, assessed, status, absences, version, vote_groups`

func toPersonRow(p workflow.Person) (personRow, error) {
	st, err := toJSON(toStatusRow(p.Status))
	if err != nil {
		return personRow{}, err
	}
	var abs []absenceRow
	if p.Absences != nil {
		abs = make([]absenceRow, len(p.Absences))
		for i, a := range p.Absences {
			abs[i] = absenceRow{Kind: a.Kind, Start: dateText(a.Start), End: dateText(a.End)}
		}
	}
	ab, err := toJSON(abs)
	if err != nil {
		return personRow{}, err
	}
	return personRow{ID: p.ID, Name: p.Name, Unit: p.Unit, AssessedBy: p.AssessedBy, Group: p.Group, Tier: p.Tier,
		Frontline: p.Frontline, HR: p.HR, Committee: p.Committee, Assessed: p.Assessed,
		Status: st, Absences: ab, Version: p.Version, VoteGroups: append([]string{}, p.VoteGroups...)}, nil
}

func (r personRow) args() []any {
	return []any{r.ID, r.Name, r.Unit, r.AssessedBy, r.Group, r.Tier, r.Frontline, r.HR, r.Committee, r.Assessed, r.Status, r.Absences, r.Version, r.VoteGroups}
}

func scanPerson(s scanner) (workflow.Person, error) {
	var r personRow
	if err := s.Scan(&r.ID, &r.Name, &r.Unit, &r.AssessedBy, &r.Group, &r.Tier, &r.Frontline, &r.HR, &r.Committee, &r.Assessed, &r.Status, &r.Absences, &r.Version, &r.VoteGroups); err != nil {
		return workflow.Person{}, err
	}
	return fromPersonRow(r)
}

func fromPersonRow(r personRow) (workflow.Person, error) {
	p := workflow.Person{ID: r.ID, Name: r.Name, Unit: r.Unit, AssessedBy: r.AssessedBy, Group: r.Group, Tier: r.Tier,
		Frontline: r.Frontline, HR: r.HR, Committee: r.Committee, Assessed: r.Assessed, Version: r.Version}
	if len(r.VoteGroups) > 0 {
		p.VoteGroups = r.VoteGroups
	}
	var st personStatusRow
	if err := fromJSON(r.Status, &st); err != nil {
		return workflow.Person{}, fmt.Errorf("person %s status: %w", r.ID, err)
	}
	var err error
	if p.Status, err = st.status(); err != nil {
		return workflow.Person{}, fmt.Errorf("person %s status: %w", r.ID, err)
	}
	var abs []absenceRow
	if err := fromJSON(r.Absences, &abs); err != nil {
		return workflow.Person{}, fmt.Errorf("person %s absences: %w", r.ID, err)
	}
	if abs != nil {
		p.Absences = make([]workflow.Absence, len(abs))
		for i, a := range abs {
			start, err := dateParse(a.Start)
			if err != nil {
				return workflow.Person{}, fmt.Errorf("person %s absence %d: %w", r.ID, i, err)
			}
			end, err := dateParse(a.End)
			if err != nil {
				return workflow.Person{}, fmt.Errorf("person %s absence %d: %w", r.ID, i, err)
			}
			p.Absences[i] = workflow.Absence{Kind: a.Kind, Start: start, End: end}
		}
	}
	return p, nil
}

const targetColumns = `id, person, year, title, quantity, deadline, standard, is_lead, state, approved_by, done_on, version,
	reviewed_by, returned_by, return_level, return_reason, exceeded`

func targetArgs(g workflow.Target) []any {
	return []any{g.ID, g.Person, g.Year, g.Title, g.Quantity, dateIn(g.Deadline), g.Standard, g.Lead, g.State, g.ApprovedBy, dateIn(g.DoneOn), g.Version,
		g.ReviewedBy, g.ReturnedBy, g.ReturnLevel, g.ReturnReason, g.Exceeded}
}

func scanTarget(s scanner) (workflow.Target, error) {
	var g workflow.Target
	var deadline, done *time.Time
	if err := s.Scan(&g.ID, &g.Person, &g.Year, &g.Title, &g.Quantity, &deadline, &g.Standard, &g.Lead, &g.State, &g.ApprovedBy, &done, &g.Version,
		&g.ReviewedBy, &g.ReturnedBy, &g.ReturnLevel, &g.ReturnReason, &g.Exceeded); err != nil {
		return workflow.Target{}, err
	}
	g.Deadline, g.DoneOn = dateOut(deadline), dateOut(done)
	return g, nil
}

const periodColumns = `id, kind, start_on, end_on, state, summary_due, filing_due, decisions, quotas, published_at, publicity_end, review_end, filed_at, version, uniform, statuses, overrides, outside, scheme`

func periodArgs(p workflow.Period) ([]any, error) {
	dec, err := toJSON(p.Decisions)
	if err != nil {
		return nil, err
	}
	quo, err := toJSON(p.Quotas)
	if err != nil {
		return nil, err
	}
	uni, err := toJSON(p.Uniform)
	if err != nil {
		return nil, err
	}
	sts, err := toJSON(toStatusRows(p.Statuses))
	if err != nil {
		return nil, err
	}
	ovr, err := toJSON(p.Overrides)
	if err != nil {
		return nil, err
	}
	out, err := toJSON(p.Outside)
	if err != nil {
		return nil, err
	}
	return []any{p.ID, p.Kind, dateIn(p.Start), dateIn(p.End), p.State, dateIn(p.SummaryDue), dateIn(p.FilingDue), dec, quo,
		tsIn(p.PublishedAt), dateIn(p.PublicityEnd), dateIn(p.ReviewEnd), tsIn(p.FiledAt), p.Version, uni, sts, ovr, out, p.Scheme}, nil
}

func scanPeriod(s scanner) (workflow.Period, error) {
	var p workflow.Period
	var start, end, summary, filing, pubEnd, revEnd, published, filed *time.Time
	var dec, quo, uni, sts, ovr, out []byte
	if err := s.Scan(&p.ID, &p.Kind, &start, &end, &p.State, &summary, &filing, &dec, &quo, &published, &pubEnd, &revEnd, &filed, &p.Version, &uni, &sts, &ovr, &out, &p.Scheme); err != nil {
		return workflow.Period{}, err
	}
	p.Start, p.End, p.SummaryDue, p.FilingDue = dateOut(start), dateOut(end), dateOut(summary), dateOut(filing)
	p.PublicityEnd, p.ReviewEnd = dateOut(pubEnd), dateOut(revEnd)
	p.PublishedAt, p.FiledAt = tsOut(published), tsOut(filed)
	if err := fromJSON(dec, &p.Decisions); err != nil {
		return workflow.Period{}, fmt.Errorf("period %s decisions: %w", p.ID, err)
	}
	if err := fromJSON(quo, &p.Quotas); err != nil {
		return workflow.Period{}, fmt.Errorf("period %s quotas: %w", p.ID, err)
	}
	if err := fromJSON(uni, &p.Uniform); err != nil {
		return workflow.Period{}, fmt.Errorf("period %s uniform: %w", p.ID, err)
	}
	var rows map[string]personStatusRow
	if err := fromJSON(sts, &rows); err != nil {
		return workflow.Period{}, fmt.Errorf("period %s statuses: %w", p.ID, err)
	}
	var err error
	if p.Statuses, err = fromStatusRows(rows); err != nil {
		return workflow.Period{}, fmt.Errorf("period %s statuses: %w", p.ID, err)
	}
	if err := fromJSON(ovr, &p.Overrides); err != nil {
		return workflow.Period{}, fmt.Errorf("period %s overrides: %w", p.ID, err)
	}
	if err := fromJSON(out, &p.Outside); err != nil {
		return workflow.Period{}, fmt.Errorf("period %s outside: %w", p.ID, err)
	}
	return p, nil
}

// toStatusRows converts a period's states (people.status's row shape per
// person); nil (not closed yet) stays null, which fromStatusRows reads
// back as nil.
func toStatusRows(m map[string]workflow.PersonStatus) map[string]personStatusRow {
	if m == nil {
		return nil
	}
	out := make(map[string]personStatusRow, len(m))
	for id, s := range m {
		out[id] = toStatusRow(s)
	}
	return out
}

func fromStatusRows(m map[string]personStatusRow) (map[string]workflow.PersonStatus, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]workflow.PersonStatus, len(m))
	for id, r := range m {
		s, err := r.status()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		out[id] = s
	}
	return out, nil
}

// entryBodyRow is workflow.EntryBody in entries.body.
type entryBodyRow struct {
	Tasks        []taskRow       `json:"tasks"`
	Summary      string          `json:"summary"`
	Goals        string          `json:"goals"`
	Completion   string          `json:"completion"`
	Unfinished   []unfinishedRow `json:"unfinished"`
	Training     string          `json:"training"`
	Log          string          `json:"log"`
	Presence     string          `json:"presence"`
	PresenceNote string          `json:"presence_note"`
	Leave        []leaveRow      `json:"leave"`
	Late         int             `json:"late"`
	Early        int             `json:"early"`
}

type leaveRow struct {
	Kind string `json:"kind"`
	Days string `json:"days"`
}

type taskRow struct {
	Title    string `json:"title"`
	Deadline string `json:"deadline"`
	Progress int    `json:"progress"`
	Target   string `json:"target"`
}

type unfinishedRow struct {
	Item   string `json:"item"`
	Reason string `json:"reason"`
}

func toEntryBodyRow(b workflow.EntryBody) entryBodyRow {
	r := entryBodyRow{Summary: b.Summary, Goals: b.Goals, Completion: b.Completion, Training: b.Training, Log: b.Log,
		Presence: b.Presence, PresenceNote: b.PresenceNote, Late: b.Late, Early: b.Early}
	if b.Leave != nil {
		r.Leave = make([]leaveRow, len(b.Leave))
		for i, l := range b.Leave {
			r.Leave[i] = leaveRow{Kind: l.Kind, Days: decIn(l.Days)}
		}
	}
	if b.Tasks != nil {
		r.Tasks = make([]taskRow, len(b.Tasks))
		for i, t := range b.Tasks {
			r.Tasks[i] = taskRow{Title: t.Title, Deadline: dateText(t.Deadline), Progress: t.Progress, Target: t.Target}
		}
	}
	if b.Unfinished != nil {
		r.Unfinished = make([]unfinishedRow, len(b.Unfinished))
		for i, u := range b.Unfinished {
			r.Unfinished[i] = unfinishedRow(u)
		}
	}
	return r
}

func fromEntryBodyRow(r entryBodyRow) (workflow.EntryBody, error) {
	b := workflow.EntryBody{Summary: r.Summary, Goals: r.Goals, Completion: r.Completion, Training: r.Training, Log: r.Log,
		Presence: r.Presence, PresenceNote: r.PresenceNote, Late: r.Late, Early: r.Early}
	if r.Leave != nil {
		b.Leave = make([]scoring.LeaveInput, len(r.Leave))
		for i, l := range r.Leave {
			d, err := decOut(l.Days)
			if err != nil {
				return workflow.EntryBody{}, fmt.Errorf("leave %d: %w", i, err)
			}
			b.Leave[i] = scoring.LeaveInput{Kind: l.Kind, Days: d}
		}
	}
	if r.Tasks != nil {
		b.Tasks = make([]workflow.Task, len(r.Tasks))
		for i, t := range r.Tasks {
			d, err := dateParse(t.Deadline)
			if err != nil {
				return workflow.EntryBody{}, fmt.Errorf("task %d: %w", i, err)
			}
			b.Tasks[i] = workflow.Task{Title: t.Title, Deadline: d, Progress: t.Progress, Target: t.Target}
		}
	}
	if r.Unfinished != nil {
		b.Unfinished = make([]workflow.Unfinished, len(r.Unfinished))
		for i, u := range r.Unfinished {
			b.Unfinished[i] = workflow.Unfinished(u)
		}
	}
	return b, nil
}

const entryColumns = `kind, person, period, cycle, state, body, comment, comment_by, reason, submitted_at, version`

func entryArgs(e workflow.Entry) ([]any, error) {
	body, err := toJSON(toEntryBodyRow(e.Body))
	if err != nil {
		return nil, err
	}
	return []any{e.Kind, e.Person, e.Period, e.Cycle, e.State, body, e.Comment, e.CommentBy, e.Reason, tsIn(e.SubmittedAt), e.Version}, nil
}

func scanEntry(s scanner) (workflow.Entry, error) {
	var e workflow.Entry
	var body []byte
	var submitted *time.Time
	if err := s.Scan(&e.Kind, &e.Person, &e.Period, &e.Cycle, &e.State, &body, &e.Comment, &e.CommentBy, &e.Reason, &submitted, &e.Version); err != nil {
		return workflow.Entry{}, err
	}
	e.SubmittedAt = tsOut(submitted)
	var b entryBodyRow
	err := fromJSON(body, &b)
	if err == nil {
		e.Body, err = fromEntryBodyRow(b)
	}
	if err != nil {
		return workflow.Entry{}, fmt.Errorf("entry %v body: %w", e.EntryKey, err)
	}
	return e, nil
}

// assessmentRow is workflow.Assessment in steps.assessment.
type assessmentRow struct {
	Indicators  map[string]string `json:"indicators"`
	Score       *string           `json:"score"`
	Grade       string            `json:"grade"`
	Adjustments []adjustmentRow   `json:"adjustments"`
	Direct      *directRow        `json:"direct"`
	Refusal     *refusalRow       `json:"refusal,omitempty"`
	Comment     string            `json:"comment"`
}

type refusalRow struct {
	Warned string `json:"warned"`
	Reason string `json:"reason"`
}

type adjustmentRow struct {
	Event  string `json:"event"`
	Kind   string `json:"kind"`
	Points string `json:"points"`
	Reason string `json:"reason"`
}

type directRow struct {
	Grade  string `json:"grade"`
	Reason string `json:"reason"`
}

func toAssessmentRow(a workflow.Assessment) assessmentRow {
	r := assessmentRow{Score: decPtrIn(a.Score), Grade: a.Grade, Comment: a.Comment}
	if a.Indicators != nil {
		r.Indicators = make(map[string]string, len(a.Indicators))
		for k, v := range a.Indicators {
			r.Indicators[k] = decIn(v)
		}
	}
	if a.Adjustments != nil {
		r.Adjustments = make([]adjustmentRow, len(a.Adjustments))
		for i, j := range a.Adjustments {
			r.Adjustments[i] = adjustmentRow{Event: j.Event, Kind: j.Kind, Points: decIn(j.Points), Reason: j.Reason}
		}
	}
	if a.Direct != nil {
		d := directRow(*a.Direct)
		r.Direct = &d
	}
	if a.Refusal != nil {
		f := refusalRow(*a.Refusal)
		r.Refusal = &f
	}
	return r
}

func fromAssessmentRow(r assessmentRow) (workflow.Assessment, error) {
	a := workflow.Assessment{Grade: r.Grade, Comment: r.Comment}
	var err error
	if a.Score, err = decPtrOut(r.Score); err != nil {
		return workflow.Assessment{}, fmt.Errorf("score: %w", err)
	}
	if r.Indicators != nil {
		a.Indicators = make(map[string]scoring.Dec, len(r.Indicators))
		for k, v := range r.Indicators {
			if a.Indicators[k], err = decOut(v); err != nil {
				return workflow.Assessment{}, fmt.Errorf("indicator %s: %w", k, err)
			}
		}
	}
	if r.Adjustments != nil {
		a.Adjustments = make([]scoring.AdjustmentInput, len(r.Adjustments))
		for i, j := range r.Adjustments {
			p, err := decOut(j.Points)
			if err != nil {
				return workflow.Assessment{}, fmt.Errorf("adjustment %d: %w", i, err)
			}
			a.Adjustments[i] = scoring.AdjustmentInput{Event: j.Event, Kind: j.Kind, Points: p, Reason: j.Reason}
		}
	}
	if r.Refusal != nil {
		f := scoring.Refusal(*r.Refusal)
		a.Refusal = &f
	}
	if r.Direct != nil {
		d := scoring.DirectInput(*r.Direct)
		a.Direct = &d
	}
	return a, nil
}

const stepColumns = `id, period, person, seq, idx, role, name, assignee, state, due, assessment, reason, acted_by, acted_at, version`

func stepArgs(s workflow.Step) ([]any, error) {
	a, err := toJSON(toAssessmentRow(s.Assessment))
	if err != nil {
		return nil, err
	}
	return []any{s.ID, s.Period, s.Person, s.Seq, s.Index, s.Role, s.Name, s.Assignee, s.State, dateIn(s.Due), a, s.Reason, s.ActedBy, tsIn(s.ActedAt), s.Version}, nil
}

func scanStep(sc scanner) (workflow.Step, error) {
	var s workflow.Step
	var due, acted *time.Time
	var a []byte
	if err := sc.Scan(&s.ID, &s.Period, &s.Person, &s.Seq, &s.Index, &s.Role, &s.Name, &s.Assignee, &s.State, &due, &a, &s.Reason, &s.ActedBy, &acted, &s.Version); err != nil {
		return workflow.Step{}, err
	}
	s.Due, s.ActedAt = dateOut(due), tsOut(acted)
	var ar assessmentRow
	err := fromJSON(a, &ar)
	if err == nil {
		s.Assessment, err = fromAssessmentRow(ar)
	}
	if err != nil {
		return workflow.Step{}, fmt.Errorf("step %s assessment: %w", s.ID, err)
	}
	return s, nil
}

const resultColumns = `period, person, score::text, score_grade, grade, state, flags, explain, feedback, version`

func resultArgs(r workflow.Result) ([]any, error) {
	var fb []byte
	if r.Feedback != nil {
		var err error
		f := *r.Feedback
		if fb, err = toJSON(feedbackRow{By: f.By, At: f.At.UTC(), Strengths: f.Strengths, Problems: f.Problems, Requests: f.Requests}); err != nil {
			return nil, err
		}
	}
	return []any{r.Period, r.Person, decPtrIn(r.Score), r.ScoreGrade, r.Grade, r.State, r.Flags, r.Explain, fb, r.Version}, nil
}

func scanResult(s scanner) (workflow.Result, error) {
	var r workflow.Result
	var score *string
	var fb []byte
	if err := s.Scan(&r.Period, &r.Person, &score, &r.ScoreGrade, &r.Grade, &r.State, &r.Flags, &r.Explain, &fb, &r.Version); err != nil {
		return workflow.Result{}, err
	}
	var err error
	if r.Score, err = decPtrOut(score); err != nil {
		return workflow.Result{}, fmt.Errorf("result %s/%s score: %w", r.Period, r.Person, err)
	}
	if fb != nil {
		var f feedbackRow
		if err := fromJSON(fb, &f); err != nil {
			return workflow.Result{}, fmt.Errorf("result %s/%s feedback: %w", r.Period, r.Person, err)
		}
		r.Feedback = &workflow.Feedback{By: f.By, At: f.At.UTC(), Strengths: f.Strengths, Problems: f.Problems, Requests: f.Requests}
	}
	return r, nil
}

const reviewColumns = `id, period, person, reason, state, opinion, old_grade, new_grade, decision, decided_by, created_at, version, materials`

func reviewArgs(r workflow.Review) []any {
	return []any{r.ID, r.Period, r.Person, r.Reason, r.State, r.Opinion, r.OldGrade, r.NewGrade, r.Decision, r.DecidedBy, tsIn(r.CreatedAt), r.Version, r.Materials}
}

func scanReview(s scanner) (workflow.Review, error) {
	var r workflow.Review
	var created *time.Time
	if err := s.Scan(&r.ID, &r.Period, &r.Person, &r.Reason, &r.State, &r.Opinion, &r.OldGrade, &r.NewGrade, &r.Decision, &r.DecidedBy, &created, &r.Version, &r.Materials); err != nil {
		return workflow.Review{}, err
	}
	r.CreatedAt = tsOut(created)
	return r, nil
}

const annualColumns = `year, person, total::text, grade, explain`

func scanAnnual(s scanner) (workflow.AnnualResult, error) {
	var a workflow.AnnualResult
	var total *string
	if err := s.Scan(&a.Year, &a.Person, &total, &a.Grade, &a.Explain); err != nil {
		return workflow.AnnualResult{}, err
	}
	var err error
	if a.Total, err = decPtrOut(total); err != nil {
		return workflow.AnnualResult{}, fmt.Errorf("annual %d/%s total: %w", a.Year, a.Person, err)
	}
	return a, nil
}

const publicityColumns = `period, chat, grade, message_id, sent_at`

func scanPublicity(s scanner) (workflow.PublicityMessage, error) {
	var m workflow.PublicityMessage
	var sent *time.Time
	if err := s.Scan(&m.Period, &m.Chat, &m.Grade, &m.MessageID, &sent); err != nil {
		return workflow.PublicityMessage{}, err
	}
	m.SentAt = tsOut(sent)
	return m, nil
}

const fireColumns = `schedule_id, slot_at, outcome, sent, fired_at`

func scanFire(s scanner) (workflow.Fire, error) {
	var f workflow.Fire
	var fired *time.Time
	if err := s.Scan(&f.ScheduleID, &f.SlotAt, &f.Outcome, &f.Sent, &fired); err != nil {
		return workflow.Fire{}, err
	}
	f.SlotAt, f.FiredAt = f.SlotAt.UTC(), tsOut(fired)
	return f, nil
}

const noteColumns = `id, key, to_id, chat, template, data, created_at, state, attempts, updated_at, not_before, first_attempt_at`

func scanNote(s scanner) (workflow.Notification, error) {
	var n workflow.Notification
	var data []byte
	var created, updated, notBefore, first *time.Time
	if err := s.Scan(&n.ID, &n.Key, &n.To, &n.Chat, &n.Template, &data, &created, &n.State, &n.Attempts, &updated, &notBefore, &first); err != nil {
		return workflow.Notification{}, err
	}
	n.CreatedAt, n.UpdatedAt, n.NotBefore, n.FirstAttemptAt = tsOut(created), tsOut(updated), tsOut(notBefore), tsOut(first)
	if err := fromJSON(data, &n.Data); err != nil {
		return workflow.Notification{}, fmt.Errorf("notification %d data: %w", n.ID, err)
	}
	return n, nil
}

const auditColumns = `seq, logged_at, actor, action, object, detail, denied, prev_hash, row_hash`

func scanAudit(s scanner) (workflow.AuditEntry, error) {
	var e workflow.AuditEntry
	if err := s.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.Denied, &e.PrevHash, &e.RowHash); err != nil {
		return workflow.AuditEntry{}, err
	}
	e.At = e.At.UTC()
	return e, nil
}
