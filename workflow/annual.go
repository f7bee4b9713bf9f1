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

// KindYear is the annual appraisal's period: ID "2026", from 1 January to
// 31 December. It runs like a quarter from the committee on — the
// committee confirms the grades, HR publishes 公示, a person may ask for
// 复核 — but its results are composed from the year's periods under the
// scheme's annual rules instead of scored from entries.
//
// Every scheme in use has its own year, as it has its own periods: the
// default scheme's is "2026", another's carries the scheme after an "@"
// ("2026@s5", schemes.go). A scheme's year holds the people of the units
// under it, composed from that scheme's periods under that scheme's
// annual rules (YearSpec), with its own committee card, 公示 and 复核.
const KindYear = "year"

// IsYear reports whether a period id names a year ("2026", "2026@s5"):
// the annual appraisal's period.
func IsYear(id string) bool {
	cycle, _ := splitPeriodID(id)
	p, err := calendar.ParsePeriod(cycle)
	return err == nil && p.Kind() == calendar.Year
}

// YearID is the id of year under scheme (canonical or ""): "2026" for the
// default scheme, else "2026@s5", as PeriodID.
func (s *Service) YearID(year int, scheme string) string {
	scheme = normScheme(scheme)
	if scheme == "" || scheme == s.defaultSchemeID() {
		return strconv.Itoa(year)
	}
	return strconv.Itoa(year) + schemeSep + scheme
}

// ParseYearID parses a year id as HR may type it ("2026", "2026年",
// "2026@S5") into the calendar year and the scheme's canonical id (""
// for the default scheme's plain id).
func ParseYearID(id string) (year int, scheme string, err error) {
	cycle, scheme := splitPeriodID(strings.TrimSpace(id))
	y, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(cycle), "年"))
	if err != nil || y < 2000 || y > 2100 {
		return 0, "", invalid("year", "年份无效，如「年度 2026」（其他考核方案加 @方案，如 2026@s5）")
	}
	return y, scheme, nil
}

// yearOf resolves a year id to its canonical id, calendar year, scheme
// and the scheme's canonical id. A scheme the service does not hold is
// refused rather than read under the default (schemeByID's fallback is
// for periods opened before a change of configuration; a year is asked
// for by HR's text).
func (s *Service) yearOf(id string) (string, int, *scoring.Scheme, string, error) {
	year, scheme, err := ParseYearID(id)
	if err != nil {
		return "", 0, nil, "", err
	}
	if !s.HasScheme(scheme) {
		return "", 0, nil, "", invalid("year", "没有此考核方案："+scheme)
	}
	if scheme == "" {
		scheme = s.defaultSchemeID()
	}
	return s.YearID(year, scheme), year, s.schemeByID(scheme), scheme, nil
}

// GradesOf lists the grades a period's results take, best first: the
// scheme's annual grades for a year, its period grades otherwise.
func (s *Service) GradesOf(period string) []string {
	sc := s.schemeOfID(period)
	if IsYear(period) {
		return slices.Clone(sc.Annual.Grades)
	}
	out := make([]string, len(sc.Grades))
	for i, g := range sc.Grades {
		out[i] = g.Label
	}
	return out
}

// Result flags of an annual result, for the committee's card.
const (
	// FlagMaxGrade prefixes the best grade the annual rules allow
	// ("max_grade:称职").
	FlagMaxGrade = "max_grade:"
	// FlagPriority prefixes a grade the person has priority for
	// ("priority:优秀", S4 五、4).
	FlagPriority = "priority:"
	// FlagAnnualScore prefixes the single annual score the composition
	// was given (S5, S6: "annual_score:90"), kept so that the committee's
	// confirmation and a 复核, which compose the year again, count it.
	FlagAnnualScore = "annual_score:"
	// FlagExcellenceRate prefixes S9's 年度考核优秀率 as a fraction
	// ("excellence_rate:0.8667"): the committee grades by it (S9 四) and
	// the year has no total to show instead.
	FlagExcellenceRate = "excellence_rate:"
)

// YearSpec is the year-end data that does not come from the periods: the
// annual part's scores, the 测评 counts (S9) and the proposed grades. In
// chat Annual and Votes are nil and come from the year's 年度测评 where the
// scheme has one (S2's annual raters, S9's 优秀票: yearrate.go), and for
// S5's and S6's single annual score from what HR entered on the year's
// 年度评分 card (annualscore.go) where the caller gives none.
type YearSpec struct {
	Annual   map[string]*scoring.AnnualInput
	Votes    map[string]*scoring.VoteCount
	Proposed map[string]string
}

// ComposeYear composes the annual appraisal from the year's published
// periods under the scheme's annual rules (HR only) and puts it before the
// committee, like a quarter whose appraisal closed: each person's grade is
// the unit's draft — the grade the rules give them priority for (S4 五、4:
// all 好 → 优秀 first), else the band of their total where the scheme has
// annual bands, else the scheme's second grade (称职) — capped by the
// rules (S4 五、4, 五、6, 五、7; S5; S9). The committee confirms or changes
// the drafts (ConfirmYear); nobody is told their grade before 公示. HR may
// compose again until the committee has confirmed. Errors: ErrForbidden,
// ErrIncomplete (a period of the year not yet published),
// ErrInvalidTransition (already confirmed), ErrInvalidInput (the engine
// refused the data).
func (s *Service) ComposeYear(ctx context.Context, by string, yearID string, spec YearSpec) ([]AnnualResult, error) {
	var out []AnnualResult
	id, year, sc, scheme, err := s.yearOf(yearID)
	if err != nil {
		return nil, err
	}
	label := yearLabel(id)
	given := spec.Annual
	err = s.change(ctx, by, "year.compose", id, func(o *op) error {
		spec.Annual = given // the store may run this again
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		period, exists, err := s.yearPeriod(o, id, year, scheme)
		if err != nil {
			return err
		}
		if exists && period.State != PeriodCommittee {
			return notYet(label+"考核结果已经考核委员会确认，不能重新生成", "year %s is %s", id, period.State)
		}
		// The annual scores HR entered (S5, S6), for whoever the caller
		// gave none.
		if err := annualScoresIn(o, id, sc, &spec); err != nil {
			return err
		}
		res, people, err := s.composeYear(o, period, spec, nil)
		if err != nil {
			return err
		}
		// The unit's draft for whoever the rules and bands left without a
		// grade, then composed once more so the caps apply to it.
		proposed := map[string]string{}
		for _, yr := range res.People {
			if yr.Grade == "" {
				proposed[yr.ID] = draftGrade(sc, yr)
			}
		}
		if len(proposed) > 0 {
			for id, g := range spec.Proposed {
				proposed[id] = g
			}
			spec.Proposed = proposed
			if res, people, err = s.composeYear(o, period, spec, nil); err != nil {
				return err
			}
		}
		if out, err = s.writeYear(o, &period, res, spec.Annual); err != nil {
			return err
		}
		period.State = PeriodCommittee
		if exists {
			period.Version++
			err = o.tx.UpdatePeriod(o.ctx, period)
		} else {
			err = o.tx.CreatePeriod(o.ctx, period)
		}
		if err != nil {
			return err
		}
		for _, c := range committeePeople(people) {
			// Once per year: the card it opens is read fresh, so a
			// composition again needs no second request.
			o.note(c, TplYearCommittee, map[string]string{"year": id, "count": strconv.Itoa(len(out))}, id)
		}
		o.logf("%d people", len(out))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// draftGrade is the unit's draft of an annual grade the rules and bands
// did not settle: a priority grade, else the scheme's second grade (the
// top one is the committee's to give).
func draftGrade(sc *scoring.Scheme, yr scoring.YearPersonResult) string {
	if len(yr.Priority) > 0 {
		return yr.Priority[0]
	}
	gs := sc.Annual.Grades
	if len(gs) > 1 {
		return gs[1]
	}
	if len(gs) == 1 {
		return gs[0]
	}
	return ""
}

// yearLabel is a year id in words: "2026年度", "2026年度（S5）".
func yearLabel(id string) string {
	cycle, scheme := splitPeriodID(id)
	if scheme == "" {
		return cycle + "年度"
	}
	return cycle + "年度（" + strings.ToUpper(scheme) + "）"
}

// yearPeriod is the year's period (id under scheme), or a new one (not
// stored) with exists false.
func (s *Service) yearPeriod(o *op, id string, year int, scheme string) (Period, bool, error) {
	p, err := o.tx.Period(o.ctx, id)
	switch {
	case err == nil:
		return p, true, nil
	case errors.Is(err, ErrNotFound):
		return Period{ID: id, Kind: KindYear, Scheme: scheme, Start: calendar.NewDate(year, 1, 1), End: calendar.NewDate(year, 12, 31), Version: 1}, false, nil
	default:
		return Period{}, false, err
	}
}

// composeYear runs the engine on the year (period, of kind KindYear):
// every person of the year's scheme with results in the scheme's quarters
// (or months) of the year that were published, with the proposals, the
// committee's decisions winning over them, under the scheme's annual
// rules.
func (s *Service) composeYear(o *op, period Period, spec YearSpec, decisions []scoring.Decision) (*scoring.YearResult, []Person, error) {
	year := period.Start.Year
	scheme := s.periodSchemeID(period)
	sc := s.schemeOf(period)
	periods, err := o.tx.Periods(o.ctx)
	if err != nil {
		return nil, nil, err
	}
	var mine []Period
	var open []string
	for _, p := range periods {
		if p.Start.Year != year || p.Kind == KindYear || s.periodSchemeID(p) != scheme {
			// Another scheme's periods are read by that scheme's year.
			continue
		}
		if p.State != PeriodPublished && p.State != PeriodClosed {
			open = append(open, p.ID)
		}
		mine = append(mine, p)
	}
	if len(open) > 0 {
		return nil, nil, &IncompleteError{What: "季度考核结果公示", Missing: open}
	}
	people, err := s.periodPeople(o.ctx, o.tx, Period{ID: period.ID, Kind: KindYear, Scheme: scheme})
	if err != nil {
		return nil, nil, err
	}
	if err := s.yearRatingsIn(o, year, sc, scheme, &spec, people); err != nil {
		return nil, nil, err
	}
	decided := map[string]string{}
	for _, d := range decisions {
		decided[d.Person] = d.Grade
	}
	in := &scoring.YearInput{Kind: "year", Year: year}
	for _, p := range people {
		if !p.Assessed {
			continue
		}
		yp := scoring.YearPerson{ID: p.ID, Name: p.Name, Unit: assessingUnit(p), Tier: p.Tier,
			Annual: spec.Annual[p.ID], Votes: spec.Votes[p.ID], Proposed: spec.Proposed[p.ID]}
		if g, ok := decided[p.ID]; ok {
			yp.Proposed = g
		}
		for _, per := range mine {
			r, err := o.tx.Result(o.ctx, per.ID, p.ID)
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return nil, nil, err
			}
			yp.Periods = append(yp.Periods, r.YearRecord())
		}
		if len(yp.Periods) > 0 {
			yp.Periods = s.fillYear(sc, scheme, year, yp.Periods)
			in.People = append(in.People, yp)
		}
	}
	res, err := scoring.ScoreYear(sc, in)
	if err != nil {
		names := map[string]string{}
		for _, p := range people {
			names[p.ID] = p.Name
		}
		return nil, nil, s.scoringError(sc, err, names, "compose "+period.ID)
	}
	return res, people, nil
}

// writeYear stores a composed year: each person's AnnualResult, and their
// Result under the year's period (the total as the score, the grade, the
// rules' cap and priority as flags) for the committee's card, 公示, the
// result card and 复核.
func (s *Service) writeYear(o *op, period *Period, res *scoring.YearResult, annual map[string]*scoring.AnnualInput) ([]AnnualResult, error) {
	year := period.Start.Year
	var out []AnnualResult
	for _, yr := range res.People {
		a := AnnualResult{Year: year, Person: yr.ID, Total: yr.Total, Grade: yr.Grade, Explain: yr.Explain}
		if err := o.tx.PutAnnual(o.ctx, a); err != nil {
			return nil, err
		}
		out = append(out, a)
		score := yr.Total
		if score == nil {
			score = yr.Periodic
		}
		state := scoring.StateGraded
		if yr.Grade == "" {
			state = scoring.StateNotGraded
		}
		r := Result{Period: period.ID, Person: yr.ID, Score: score, ScoreGrade: yr.BandGrade, Grade: yr.Grade, State: state,
			Explain: slices.Clone(yr.Explain), Version: 1}
		if yr.MaxGrade != "" {
			r.Flags = append(r.Flags, FlagMaxGrade+yr.MaxGrade)
		}
		for _, g := range yr.Priority {
			r.Flags = append(r.Flags, FlagPriority+g)
		}
		if yr.ExcellenceRate != nil {
			r.Flags = append(r.Flags, FlagExcellenceRate+yr.ExcellenceRate.String())
		}
		if a := annual[yr.ID]; a != nil && a.Score != nil {
			r.Flags = append(r.Flags, FlagAnnualScore+a.Score.String())
		}
		old, err := o.tx.Result(o.ctx, period.ID, yr.ID)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, err
		default:
			r.Version, r.Feedback = old.Version+1, old.Feedback
		}
		if err := o.tx.PutResult(o.ctx, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ConfirmYear is the committee's confirmation of the year (committee
// members only): grades maps people to the annual grade the committee
// gives them, where it differs from the draft, with one reason for all the
// changes. A grade the annual rules do not allow the person (S4 五、4: 好
// in under half the quarters, or any 一般/较差, rules out 优秀) is refused
// with the rule; nobody changes their own grade. Once confirmed HR is
// told and publishes the year's 公示. version is the year's period version
// the committee's card showed. Errors: ErrForbidden, ErrNotFound,
// ErrInvalidTransition (not before the committee), ErrStale (the card is
// old), ErrInvalidInput.
func (s *Service) ConfirmYear(ctx context.Context, by string, yearID string, version int, grades map[string]string, reason string) error {
	id, _, sc, _, err := s.yearOf(yearID)
	if err != nil {
		return err
	}
	return s.change(ctx, by, "year.confirm", id, func(o *op) error {
		if _, err := s.requireCommittee(o); err != nil {
			return err
		}
		period, err := o.tx.Period(o.ctx, id)
		if err != nil {
			return err
		}
		if version != period.Version { // an old card: composed again, or confirmed already
			return fmt.Errorf("year %s version %d, card %d: %w", id, period.Version, version, ErrStale)
		}
		if period.State != PeriodCommittee {
			return fmt.Errorf("year %s is %s: %w", id, period.State, ErrInvalidTransition)
		}
		results, err := o.tx.Results(o.ctx, id)
		if err != nil {
			return err
		}
		current := map[string]string{}
		for _, r := range results {
			current[r.Person] = r.Grade
		}
		var changed []scoring.Decision
		for _, person := range sortedKeys(grades) {
			g := grades[person]
			was, ok := current[person]
			if !ok {
				return invalid("grades", "年度考核结果中没有此人："+person)
			}
			if g == was {
				continue
			}
			if !slices.Contains(sc.Annual.Grades, g) {
				return invalid("grade", "方案中没有此年度等次："+g)
			}
			if person == by {
				return forbidden("不能审定本人的等次")
			}
			changed = append(changed, scoring.Decision{Person: person, Grade: g, Reason: reason})
		}
		if len(changed) > 0 {
			if err := needText("reason", reason); err != nil {
				return err
			}
		}
		decisions := append(slices.Clone(period.Decisions), changed...)
		if err := s.recomposeYear(o, &period, decisions); err != nil {
			return err
		}
		period.Decisions = decisions
		period.State = PeriodConfirmed
		period.Version++
		if err := o.tx.UpdatePeriod(o.ctx, period); err != nil {
			return err
		}
		people, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		for _, hr := range hrPeople(people) {
			o.note(hr, TplYearConfirmed, map[string]string{"year": id, "changed": strconv.Itoa(len(changed))}, id)
		}
		o.logf("confirmed, %d changed", len(changed))
		return nil
	})
}

// recomposeYear composes the year again with the drafts now stored as its
// results and the decisions over them, refuses a decision the rules cap,
// and rewrites the results.
func (s *Service) recomposeYear(o *op, period *Period, decisions []scoring.Decision) error {
	results, err := o.tx.Results(o.ctx, period.ID)
	if err != nil {
		return err
	}
	spec := YearSpec{Proposed: map[string]string{}}
	for _, r := range results {
		spec.Proposed[r.Person] = r.Grade
		for _, f := range r.Flags {
			if v, ok := strings.CutPrefix(f, FlagAnnualScore); ok {
				d, err := scoring.ParseDec(v)
				if err != nil {
					return fmt.Errorf("year %s: %s's %s: %w", period.ID, r.Person, f, err)
				}
				if spec.Annual == nil {
					spec.Annual = map[string]*scoring.AnnualInput{}
				}
				spec.Annual[r.Person] = &scoring.AnnualInput{Score: &d}
			}
		}
	}
	res, people, err := s.composeYear(o, *period, spec, decisions)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range people {
		names[p.ID] = p.Name
	}
	last := map[string]string{}
	for _, d := range decisions {
		last[d.Person] = d.Grade
	}
	for _, yr := range res.People {
		if g, ok := last[yr.ID]; ok && yr.Grade != g {
			why := "按年度考核规则最高为「" + yr.MaxGrade + "」"
			if yr.MaxGrade == "" {
				why = "按年度考核规则确定为「" + gradeOrNone(yr.Grade) + "」"
			}
			return invalid("grade", fmt.Sprintf("%s不能定为「%s」：%s", names[yr.ID], g, why))
		}
	}
	_, err = s.writeYear(o, period, res, spec.Annual)
	return err
}

// publishYear is Publish for the year: the 公示 of the top annual grade
// (every grade with PublishAll) to the public chats, and each person's
// annual result with the 复核 deadline.
func (s *Service) publishYear(o *op, period Period, st Settings, byID map[string]Person, results []Result) {
	grades := s.schemeOf(period).Annual.Grades
	for gi, g := range grades {
		if gi > 0 && !s.cfg.PublishAll {
			break
		}
		var names []string
		for _, r := range results {
			if r.Grade == g {
				names = append(names, byID[r.Person].Name)
			}
		}
		for _, chat := range st.PublicChats {
			o.chat(chat, TplPublicity, map[string]string{"period": period.ID, "grade": g, "names": strings.Join(names, "、"),
				"count": strconv.Itoa(len(names)), "until": period.PublicityEnd.String(), "review_until": period.ReviewEnd.String()}, period.ID, g)
		}
	}
	for _, r := range results {
		score := ""
		if r.Score != nil {
			score = r.Score.String()
		}
		o.note(r.Person, TplResult, map[string]string{"period": period.ID, "grade": r.Grade, "state": r.State, "score": score,
			"explain": strings.Join(r.Explain, "\n"), "review_until": period.ReviewEnd.String()}, period.ID)
	}
}

// regradeYear applies a 复核's new annual grade as a committee decision and
// composes the year again (no quota: the schemes' annual rules cap each
// person, not the unit).
func (s *Service) regradeYear(o *op, rv Review, r Result, label, reason string) error {
	period, err := o.tx.Period(o.ctx, rv.Period)
	if err != nil {
		return err
	}
	decisions := append(slices.Clone(period.Decisions), scoring.Decision{Person: rv.Person, Grade: label, Reason: "复核：" + reason})
	if err := s.recomposeYear(o, &period, decisions); err != nil {
		return err
	}
	period.Decisions = decisions
	period.Version++
	if err := o.tx.UpdatePeriod(o.ctx, period); err != nil {
		return err
	}
	now, err := o.tx.Result(o.ctx, rv.Period, rv.Person)
	if err != nil {
		return err
	}
	now.Explain = append(now.Explain, fmt.Sprintf("复核：考核委员会将年度等次由「%s」改为「%s」：%s", r.Grade, label, reason))
	now.Flags = append(now.Flags, "review_changed")
	now.Version++
	return o.tx.PutResult(o.ctx, now)
}

// YearView is what the committee's card shows of a composed year.
type YearView struct {
	Period Period
	Rows   []YearRow
	// Grades are the scheme's annual grades, best first.
	Grades []string
}

// YearRow is one person's composed year.
type YearRow struct {
	Person Person
	Result Result
	// Periods are the person's grades in the year's periods, in order
	// ("" where not graded).
	Periods []string
	// MaxGrade is the best grade the annual rules allow ("" for no cap).
	MaxGrade string
	// Priority are the grades the person has priority for.
	Priority []string
	// ExcellenceRate is S9's 年度考核优秀率 in percent, two decimals
	// ("86.67"); "" where the scheme has none.
	ExcellenceRate string
}

// Year returns a composed year for the committee's card (committee members
// and HR). Errors: ErrForbidden, ErrNotFound (not composed).
func (s *Service) Year(ctx context.Context, by string, yearID string) (YearView, error) {
	var v YearView
	id, year, sc, scheme, err := s.yearOf(yearID)
	if err != nil {
		return v, err
	}
	err = s.view(ctx, func(tx Tx) error {
		v = YearView{Grades: sc.Annual.Grades}
		me, err := tx.Person(ctx, by)
		if err != nil || (!me.HR && !me.Committee) {
			return fmt.Errorf("%s may not see year %s: %w", by, id, ErrForbidden)
		}
		if v.Period, err = tx.Period(ctx, id); err != nil {
			return err
		}
		periods, err := tx.Periods(ctx)
		if err != nil {
			return err
		}
		results, err := tx.Results(ctx, id)
		if err != nil {
			return err
		}
		people, err := personMap(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range results {
			p, ok := people[r.Person]
			if !ok {
				return fmt.Errorf("result of %s: person: %w", r.Person, ErrNotFound)
			}
			row := YearRow{Person: p, Result: r}
			for _, f := range r.Flags {
				if g, ok := strings.CutPrefix(f, FlagMaxGrade); ok {
					row.MaxGrade = g
				}
				if g, ok := strings.CutPrefix(f, FlagPriority); ok {
					row.Priority = append(row.Priority, g)
				}
				if v, ok := strings.CutPrefix(f, FlagExcellenceRate); ok {
					if d, err := scoring.ParseDec(v); err == nil {
						row.ExcellenceRate = d.Mul(decimal.NewFromInt(100)).Round(2).String()
					}
				}
			}
			for _, per := range periods {
				if per.Start.Year != year || per.Kind == KindYear || s.periodSchemeID(per) != scheme {
					continue
				}
				pr, err := tx.Result(ctx, per.ID, p.ID)
				switch {
				case errors.Is(err, ErrNotFound):
					continue
				case err != nil:
					return err
				}
				row.Periods = append(row.Periods, pr.Grade)
			}
			v.Rows = append(v.Rows, row)
		}
		return nil
	})
	return v, err
}
