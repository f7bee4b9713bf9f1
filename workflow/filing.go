package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Filing is everything the filing tables (备案表: S4 附件3/附件4, S9's
// 季度考评登记表 and 年度考核情况登记汇总表, S10's 记实表, S2's 备案登记表,
// the 公示 list) are made of, read in one transaction so that every table
// of one export agrees with the others. It is read-only data: package
// filing lays it out; nothing here decides a grade.
type Filing struct {
	// ID is what was asked for: a period ("2026-Q3", "2026-09") or a year
	// ("2026").
	ID string
	// Year is the calendar year of ID.
	Year int
	// Org is the organisation's name (Settings.Name); Head the 主管领导's
	// name.
	Org, Head string
	// Scheme is the scheme's id and Grades its grade labels, best first.
	Scheme string
	Grades []string
	// PublishAll: 公示 lists every grade, not only the top one
	// (Config.PublishAll), so the 公示 list does too.
	PublishAll bool
	// AsOf is the day the data was read (填报时间).
	AsOf calendar.Date
	// Units are every unit, ordered by ID.
	Units []Unit
	// People are the people of every covered period, ordered by home unit
	// then ID: whoever has a result in one of them, and for a period
	// without results yet, whoever is in its scope today.
	People []FilingPerson
	// Periods are the covered periods ordered by start: the one asked
	// for, or every period of the year.
	Periods []FilingPeriod
	// Annual are the year's composed results by person (a year only;
	// empty before ComposeYear ran).
	Annual map[string]AnnualResult
	// Excellent are the year-end 优秀票 by person: how many marked them
	// 优秀 of how many took part (S9's 年终考核测评; a year of a scheme with
	// an 优秀率 only, once the 年度测评 has ballots).
	Excellent map[string]scoring.VoteCount
	// Names maps every person's id to their name, for leaders' signatures.
	Names map[string]string
	// Allowance is the period's allowance consequences (S2 五), for a
	// period (not a year) of a scheme with allowance rules; nil otherwise.
	Allowance *AllowanceReport
}

// FilingPerson is one person as the tables name them.
type FilingPerson struct {
	Person
	// UnitName is the home unit's name; AssessedByName the receiving
	// unit's, for a person seconded there (派驻、挂职, S4 附件4's own
	// column), else "".
	UnitName, AssessedByName string
}

// FilingPeriod is one period of a Filing with each person's record.
type FilingPeriod struct {
	Period Period
	// Label is the period in words: "2026年第三季度".
	Label string
	// Records are by person id, for the people of Filing.People who
	// belong to this period.
	Records map[string]*FilingRecord
	// Reviews are the period's 复核 requests.
	Reviews []Review
}

// FilingRecord is one person's period: the result, the self-summary,
// each month's records and attendance, and the chain's decisions.
type FilingRecord struct {
	// Result is nil until the appraisal closed.
	Result *Result
	// Status is the person's special state as it stood when the
	// appraisal closed (Period.Statuses), or today's while it runs.
	Status PersonStatus
	// Summary is the period's self-summary (个人小结, 培训), nil if none.
	Summary *Entry
	// Months are the calendar months of the period, in order.
	Months []FilingMonth
	// Steps are the chain's decisions that stand: per chain position the
	// latest step, in chain order (a step sent back and decided again
	// counts once, as decided the second time).
	Steps []FilingStep
	// Feedback is the leader's 反馈 after 公示 (Result.Feedback).
	Feedback *Feedback
}

// FilingMonth is one month of a period.
type FilingMonth struct {
	// Month is "2026-07"; Label "7月".
	Month, Label string
	// Monthly is the 月小结/月记实 (nil if none); Attendance what HR
	// entered for the month (nil if nothing).
	Monthly, Attendance *Entry
	// Weekly are the month's 周记实 (weeks that start in the month), in
	// order.
	Weekly []Entry
	// Leave are the month's leave days by kind: HR's attendance plus the
	// recorded absences, in working days. 旷工 is kept apart in Absent.
	Leave []scoring.LeaveInput
	// Late, Early and Absent count 迟到, 早退 (times) and 旷工 (days).
	// 旷工 is what HR entered as a leave line of kind 旷工: the attendance
	// form asks its days beside the counted leave where the scheme records
	// it (scoring.LeaveRule.Absence, S10), and S2 and S10 both count it in
	// days.
	Late, Early int
	Absent      decimal.Decimal
}

// FilingStep is one leader's decision in a person's chain.
type FilingStep struct {
	Step
	// Leader is the name of who acted (a delegate's when one acted),
	// Assignee's name otherwise.
	Leader string
	// Score and Grade are what the step's assessment amounts to on its
	// own (the suggestion the leader saw on the card): Score from the
	// indicators or the score given, Grade the leader's grade or the band
	// of Score. Either may be empty.
	Score string
	Grade string
	// Changed: this step changed the assessment it received (an
	// adjustment, with Reason), or is the first step.
	Changed bool
}

// FilingOptions say how LoadFiling reads: the scheme the store was scored
// with and the 公示 setting, which the store does not keep.
type FilingOptions struct {
	// Scheme is the scheme of the periods read: the filing holds only
	// periods run under it (an organisation with several schemes files
	// each on its own: "2026-Q3@s5", "2026@s5").
	Scheme *scoring.Scheme
	// Default is the id of the organisation's default scheme (that of a
	// unit without one, and of a period stored before schemes were per
	// unit); "" takes Scheme's.
	Default string
	// UnitScheme gives the canonical id of the scheme a unit is under
	// (the service's unitSchemeID: serve's `schemes:` over Unit.Scheme);
	// nil reads Unit.Scheme, else Default (kaohe export, which holds no
	// configuration).
	UnitScheme func(Unit) string
	PublishAll bool
	// Calendar counts absences in working days; default calendar.Default().
	Calendar Calendar
	// Today is the day of the reading (填报时间).
	Today calendar.Date
}

// FilingData returns what the filing tables of id need (HR only): id is a
// period ("2026-Q3") or a year ("2026"). A refusal is audited. Errors:
// ErrForbidden, ErrNotFound (no such period, or no period in the year),
// ErrInvalidInput (id is neither).
func (s *Service) FilingData(ctx context.Context, by, id string) (Filing, error) {
	var out Filing
	err := s.view(ctx, func(tx Tx) error {
		me, err := tx.Person(ctx, by)
		if errors.Is(err, ErrNotFound) || (err == nil && !me.HR) {
			return fmt.Errorf("%s is not HR: %w", by, ErrForbidden)
		} else if err != nil {
			return err
		}
		out, err = loadFiling(ctx, tx, FilingOptions{Scheme: s.schemeOfID(id), Default: s.defaultSchemeID(), UnitScheme: s.unitSchemeID,
			PublishAll: s.cfg.PublishAll, Calendar: s.cal, Today: s.today(s.clock.Now())}, id)
		return err
	})
	if errors.Is(err, ErrForbidden) {
		s.auditDenial(ctx, by, "filing.read", id, err)
		err = audited{err}
	}
	return out, err
}

// LoadFiling reads what the filing tables of id need straight from a store,
// with no caller to authorize: for operators who hold the database
// (kaohe export), as kaohe audit export reads the audit log. Errors as
// FilingData's, without ErrForbidden.
func LoadFiling(ctx context.Context, st Store, opt FilingOptions, id string) (Filing, error) {
	var out Filing
	err := st.InTx(ctx, func(tx Tx) error {
		var err error
		out, err = loadFiling(ctx, tx, opt, id)
		return err
	})
	return out, err
}

// ParseFilingID checks a filing id: a period id of the cycle ("2026-Q3",
// "2026-09") or a year ("2026"). It returns the year and whether id is a
// year.
func ParseFilingID(id string) (year int, whole bool, err error) {
	if len(id) == 4 {
		if y, err := strconv.Atoi(id); err == nil && y > 1900 {
			return y, true, nil
		}
	}
	cycle, _ := splitPeriodID(id)
	if len(cycle) == 4 && cycle != id {
		if y, err := strconv.Atoi(cycle); err == nil && y > 1900 {
			return y, true, nil
		}
	}
	p, err := calendar.ParsePeriod(cycle)
	if err != nil || (p.Kind() != calendar.Quarter && p.Kind() != calendar.Month) {
		return 0, false, invalid("period", "考核期格式不正确，应为 2026-Q3、2026-09 或年度 2026（其他考核方案加 @方案，如 2026-Q3@s5）")
	}
	return p.Year(), false, nil
}

func loadFiling(ctx context.Context, tx Tx, opt FilingOptions, id string) (Filing, error) {
	if opt.Scheme == nil {
		return Filing{}, errors.New("filing: no scheme")
	}
	cal := opt.Calendar
	if cal == nil {
		cal = calendar.Default()
	}
	cycle, _ := splitPeriodID(strings.TrimSpace(id))
	scheme := normScheme(opt.Scheme.ID)
	def := normScheme(opt.Default)
	if def == "" {
		def = scheme
	}
	id = strings.ToUpper(cycle)
	if scheme != def {
		id += schemeSep + scheme
	}
	year, whole, err := ParseFilingID(id)
	if err != nil {
		return Filing{}, err
	}
	f := Filing{ID: id, Year: year, Scheme: opt.Scheme.ID, PublishAll: opt.PublishAll, AsOf: opt.Today,
		Names: map[string]string{}, Annual: map[string]AnnualResult{}, Excellent: map[string]scoring.VoteCount{}}
	for _, g := range opt.Scheme.Grades {
		f.Grades = append(f.Grades, g.Label)
	}
	st, err := tx.Settings(ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return f, err
	}
	f.Org = st.Name
	periods, err := tx.Periods(ctx)
	if err != nil {
		return f, err
	}
	slices.SortStableFunc(periods, func(a, b Period) int { return a.Start.Compare(b.Start) })
	for _, p := range periods {
		ps := normScheme(p.Scheme)
		if ps == "" {
			if _, ps = splitPeriodID(p.ID); ps == "" {
				ps = def
			}
		}
		if ps != scheme {
			continue // another scheme's, in its own filing (its year too)
		}
		if (whole && p.Start.Year == year) || (!whole && p.ID == id) {
			f.Periods = append(f.Periods, FilingPeriod{Period: p, Label: periodName(p.ID), Records: map[string]*FilingRecord{}})
		}
	}
	if len(f.Periods) == 0 {
		return f, fmt.Errorf("no period %s: %w", id, ErrNotFound)
	}
	if f.Units, err = tx.Units(ctx); err != nil {
		return f, err
	}
	unitName := map[string]string{}
	for _, u := range f.Units {
		unitName[u.ID] = u.Name
	}
	people, err := tx.People(ctx)
	if err != nil {
		return f, err
	}
	unitScheme := map[string]string{}
	for _, u := range f.Units {
		if opt.UnitScheme != nil {
			// The service's own answer, so the filing holds the people the
			// scheme's periods and year hold (Config.UnitSchemes included).
			unitScheme[u.ID] = normScheme(opt.UnitScheme(u))
		} else {
			unitScheme[u.ID] = normScheme(u.Scheme)
		}
		if unitScheme[u.ID] == "" {
			unitScheme[u.ID] = def
		}
	}
	mine := map[string]bool{}
	for i, p := range people {
		if us, ok := unitScheme[assessingUnit(p)]; (ok && us != scheme) || (!ok && def != scheme) {
			people[i].Assessed = false // another scheme's: in its own filing
			continue
		}
		mine[p.ID] = true
	}
	byID := make(map[string]Person, len(people))
	for _, p := range people {
		byID[p.ID] = p
		f.Names[p.ID] = p.Name
	}
	f.Head = f.Names[st.Head]
	listed := map[string]bool{}
	for i := range f.Periods {
		fp := &f.Periods[i]
		if err := readPeriod(ctx, tx, cal, fp, people, byID); err != nil {
			return f, err
		}
		for pid := range fp.Records {
			listed[pid] = true
		}
	}
	if whole {
		ann, err := tx.Annuals(ctx, year)
		if err != nil {
			return f, err
		}
		for _, a := range ann {
			if p, ok := byID[a.Person]; !ok || !mine[p.ID] {
				continue // another scheme's year
			}
			f.Annual[a.Person] = a
			listed[a.Person] = true
		}
		if opt.Scheme.Annual.ExcellenceRate != nil {
			// The 优秀票 as the 年度测评 stored them: one anonymous
			// ballot per voter and person, 1 for 优秀 (yearTally's count).
			bs, err := tx.YearBallots(ctx, year)
			if err != nil {
				return f, err
			}
			for _, b := range bs {
				if b.Source != SourceExcellent || !mine[b.Target] {
					continue
				}
				vc := f.Excellent[b.Target]
				vc.Total++
				if b.Score.Equal(excellentVote) {
					vc.Excellent++
				}
				f.Excellent[b.Target] = vc
			}
		}
	}
	for _, p := range people {
		if !listed[p.ID] {
			continue
		}
		fp := FilingPerson{Person: p, UnitName: unitName[p.Unit]}
		if p.AssessedBy != "" && p.AssessedBy != p.Unit {
			fp.AssessedByName = unitName[p.AssessedBy]
		}
		f.People = append(f.People, fp)
	}
	slices.SortStableFunc(f.People, func(a, b FilingPerson) int {
		if c := strings.Compare(a.Unit, b.Unit); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for i := range f.Periods {
		for _, r := range f.Periods[i].Records {
			for j := range r.Steps {
				s := &r.Steps[j]
				s.Leader = f.Names[s.ActedBy]
				if s.Leader == "" {
					s.Leader = f.Names[s.Assignee]
				}
				s.Score, s.Grade = stepSuggestion(opt.Scheme, s.Step)
			}
		}
	}
	if !whole && len(opt.Scheme.Allowances) > 0 {
		if f.Allowance, err = allowanceReport(opt.Scheme, cal, f); err != nil {
			return f, err
		}
	}
	return f, nil
}

// readPeriod fills one period's records. Entries and steps are read once
// for the whole period and grouped, so a unit of a thousand costs a few
// queries, not a few thousand.
func readPeriod(ctx context.Context, tx Tx, cal Calendar, fp *FilingPeriod, people []Person, byID map[string]Person) error {
	p := fp.Period
	results, err := tx.Results(ctx, p.ID)
	if err != nil {
		return err
	}
	record := func(pid string) *FilingRecord {
		r := fp.Records[pid]
		if r == nil {
			r = &FilingRecord{}
			fp.Records[pid] = r
		}
		return r
	}
	for i := range results {
		r := record(results[i].Person)
		r.Result = &results[i]
		r.Feedback = results[i].Feedback
	}
	if len(results) == 0 {
		// Still running: whoever is in scope today (or was when it closed).
		for _, per := range people {
			st := per.Status
			if p.Statuses != nil {
				s, ok := p.Statuses[per.ID]
				if !ok {
					continue
				}
				st = s
			}
			per.Status = st
			if inScope(per) {
				record(per.ID)
			}
		}
	}
	for pid, r := range fp.Records {
		r.Status = byID[pid].Status
		if s, ok := p.Statuses[pid]; ok {
			r.Status = s
		}
	}
	// Months of the period.
	var months []calendar.Period
	for d := p.Start; !d.After(p.End); {
		m := calendar.PeriodContaining(calendar.Month, d)
		months = append(months, m)
		d = m.End().AddDays(1)
	}
	entries, err := tx.Entries(ctx, EntryFilter{Cycle: p.ID})
	if err != nil {
		return err
	}
	type monthKey struct{ person, month string }
	monthly := map[monthKey]*Entry{}
	attendance := map[monthKey]*Entry{}
	weekly := map[monthKey][]Entry{}
	for i := range entries {
		e := &entries[i]
		r := fp.Records[e.Person]
		if r == nil {
			continue
		}
		switch e.Kind {
		case EntryQuarterly:
			r.Summary = e
		case EntryMonthly:
			monthly[monthKey{e.Person, e.Period}] = e
		case EntryAttendance:
			attendance[monthKey{e.Person, e.Period}] = e
		case EntryWeekly:
			if w, err := calendar.ParsePeriod(e.Period); err == nil {
				m := calendar.PeriodContaining(calendar.Month, w.Start())
				weekly[monthKey{e.Person, m.String()}] = append(weekly[monthKey{e.Person, m.String()}], *e)
			}
		}
	}
	for pid, r := range fp.Records {
		per := byID[pid]
		for _, m := range months {
			k := monthKey{pid, m.String()}
			fm := FilingMonth{Month: m.String(), Label: strconv.Itoa(int(m.Start().Month)) + "月",
				Monthly: monthly[k], Attendance: attendance[k], Weekly: weekly[k]}
			leave := map[string]decimal.Decimal{}
			var kinds []string
			add := func(kind string, d decimal.Decimal) {
				if kind == AbsenceKind {
					fm.Absent = fm.Absent.Add(d)
					return
				}
				if _, ok := leave[kind]; !ok {
					kinds = append(kinds, kind)
				}
				leave[kind] = leave[kind].Add(d)
			}
			for _, a := range per.Absences {
				from, to := a.Start, a.End
				if from.Before(m.Start()) {
					from = m.Start()
				}
				if to.After(m.End()) {
					to = m.End()
				}
				if n := cal.WorkdaysBetween(from, to); n > 0 {
					add(a.Kind, decimal.NewFromInt(int64(n)))
				}
			}
			if att := fm.Attendance; att != nil {
				for _, l := range att.Body.Leave {
					add(l.Kind, l.Days.Decimal)
				}
				fm.Late, fm.Early = att.Body.Late, att.Body.Early
			}
			for _, k := range kinds {
				fm.Leave = append(fm.Leave, scoring.LeaveInput{Kind: k, Days: scoring.DecOf(leave[k])})
			}
			r.Months = append(r.Months, fm)
		}
	}
	steps, err := tx.Steps(ctx, StepFilter{Period: p.ID})
	if err != nil {
		return err
	}
	latest := map[string]map[int]Step{}
	for _, s := range steps {
		if fp.Records[s.Person] == nil {
			continue
		}
		m := latest[s.Person]
		if m == nil {
			m = map[int]Step{}
			latest[s.Person] = m
		}
		if prev, ok := m[s.Index]; !ok || s.Seq > prev.Seq {
			m[s.Index] = s
		}
	}
	for pid, m := range latest {
		idx := make([]int, 0, len(m))
		for i := range m {
			idx = append(idx, i)
		}
		slices.Sort(idx)
		r := fp.Records[pid]
		var prev *Assessment
		for _, i := range idx {
			s := m[i]
			if s.State != StepApproved {
				continue
			}
			fs := FilingStep{Step: s, Changed: prev == nil || !assessmentEqual(*prev, s.Assessment)}
			a := s.Assessment
			prev = &a
			r.Steps = append(r.Steps, fs)
		}
	}
	if fp.Reviews, err = tx.Reviews(ctx, p.ID); err != nil {
		return err
	}
	return nil
}

func assessmentEqual(a, b Assessment) bool {
	if a.Comment != b.Comment || a.Grade != b.Grade || len(a.Indicators) != len(b.Indicators) || len(a.Adjustments) != len(b.Adjustments) {
		return false
	}
	if (a.Score == nil) != (b.Score == nil) || (a.Score != nil && !a.Score.Equal(b.Score.Decimal)) {
		return false
	}
	if (a.Direct == nil) != (b.Direct == nil) || (a.Direct != nil && *a.Direct != *b.Direct) {
		return false
	}
	for k, v := range a.Indicators {
		w, ok := b.Indicators[k]
		if !ok || !v.Equal(w.Decimal) {
			return false
		}
	}
	for i := range a.Adjustments {
		x, y := a.Adjustments[i], b.Adjustments[i]
		if x.Kind != y.Kind || x.Event != y.Event || x.Reason != y.Reason || !x.Points.Equal(y.Points.Decimal) {
			return false
		}
	}
	return true
}

// stepSuggestion is what one step's assessment amounts to alone: the score
// (the indicators and adjustments summed, or the score given) and the
// grade (the leader's own, a direct determination, or the band of the
// score). The quota and special states are applied to the whole unit at
// closing, which is what Result holds; this is the leader's suggestion,
// the seed's 初评建议.
func stepSuggestion(sc *scoring.Scheme, s Step) (score, grade string) {
	a := s.Assessment
	var total decimal.Decimal
	has := true
	switch {
	case a.Score != nil:
		total = a.Score.Decimal
	case len(a.Indicators) > 0:
		// Only the leaves count: a parent's value, if any, is the sum of
		// its children.
		leaves := leafIDs(sc.Indicators)
		for id, v := range a.Indicators {
			if leaves[id] {
				total = total.Add(v.Decimal)
			}
		}
	default:
		has = false
	}
	if has {
		for _, adj := range a.Adjustments {
			if adj.Kind == "bonus" {
				total = total.Add(adj.Points.Decimal)
			} else {
				total = total.Sub(adj.Points.Decimal)
			}
		}
		score = total.String()
	}
	switch {
	case a.Direct != nil && len(sc.Grades) > 0:
		grade = sc.Grades[0].Label
		if a.Direct.Grade == "bottom" {
			grade = sc.Grades[len(sc.Grades)-1].Label
		}
	case a.Grade != "":
		grade = a.Grade
	case has:
		for _, b := range sc.Bands {
			if b.Range.Contains(total) {
				grade = b.Grade
				break
			}
		}
	}
	return score, grade
}

func leafIDs(in []*scoring.Indicator) map[string]bool {
	out := map[string]bool{}
	var walk func([]*scoring.Indicator)
	walk = func(ns []*scoring.Indicator) {
		for _, n := range ns {
			if len(n.Children) == 0 {
				out[n.ID] = true
			}
			walk(n.Children)
		}
	}
	walk(in)
	return out
}
