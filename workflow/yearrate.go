package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// The year-end ratings (年度测评): the annual part's raters (S2 三(三):
// 上级主管领导 / 同级有关人员 / 主管下级 for 科级领导, 上级主管领导 / 所在内设机构
// 其他有关人员 for everyone else) and the year-end 优秀票 (S9 四: 优秀票 ÷
// 参加测评总人数). HR opens a year's round with a deadline
// (OpenYearRatings); each rater gets a card listing whom they rate, by
// group; the ballots are kept like the 民主测评's — who rated in one set,
// the scores in another with nothing in common but the year — and
// ComposeYear reads their tally as the annual part.
//
// Decision: HR opens the round rather than a fixed date, because S2 holds
// the 年度量化考核 after each person's 个人总结 and 述职述德述廉述学 "在一定范
// 围内" (三(三)): a meeting whose day the unit sets, not a date after Q4
// that the seed names.
//
// Decision: one round per calendar year for the whole organisation, even
// where units run under different schemes (schemes.go). Whom a person is
// rated by, under which rule, and on what scale, follow the scheme of the
// person rated (their year's scheme), so a rater may rate people of two
// schemes on one card (the 上级主管领导 of a unit under S9 may lead a unit
// under S2); a ballot names its target, so each scheme's year tallies
// only its own people's ballots, and waits only for the raters who rate
// its people. One round keeps one card and one deadline per rater, and
// needs no second key in the store.

// SourceExcellent is the year-end 优秀票 (S9): a ballot scores 1 for a
// colleague the voter marks 优秀 and 0 otherwise, so 优秀票 is the number
// of 1s and 测评人数 the number of ballots for the person.
const SourceExcellent = "excellent"

// Relations of the annual raters: the ids of the scheme's annual rater
// sources (scoring.Annual.Raters), each naming who rates whom.
const (
	// RelSuperior is the person's 上级主管领导: their unit's leader, or,
	// for the leader, the unit's Supervisor (leaderOf) — the one who
	// scores them in the quarters' chain (S2 四(一)).
	RelSuperior = "superior"
	// RelPeers are 同级有关人员: the other people whose tier shares the
	// person's rater rule (S2: every 正科 and 副科 of the organisation),
	// other than their superior and subordinates.
	RelPeers = "peers"
	// RelSubordinates are 主管下级: the members of the person's unit of a
	// lower tier (scheme tiers are listed top first).
	RelSubordinates = "subordinates"
	// RelColleagues are 所在内设机构其他有关人员: the other members of the
	// person's unit, their superior excepted (who rates as such).
	RelColleagues = "colleagues"
)

// YearRound is a year's 年度测评: open from OpenedAt to Due (included).
type YearRound struct {
	Year     int
	Due      calendar.Date
	OpenedBy string
	OpenedAt time.Time
}

// YearBallot is one anonymous year-end rating. It carries no rater: who
// rated is kept apart (Tx.MarkYearRated), as for a Ballot.
type YearBallot struct {
	Year   int
	Source string
	Target string
	Score  scoring.Dec
}

// YearGroup is one group of a rater's year card: the people they rate as
// one source.
type YearGroup struct {
	// Source is the rater source id (RelSuperior … or SourceExcellent).
	Source string
	// Name is the source's Chinese name ("上级主管领导评分", "优秀票").
	Name string
	// Excellent: the group marks 优秀 (yes/no) instead of a 0–Scale score.
	Excellent bool
	Targets   []Person
}

// YearSheet is what a rater's year card shows.
type YearSheet struct {
	Year   int
	Due    calendar.Date
	Scale  scoring.Dec
	Groups []YearGroup
	// Rated: the rater has submitted already.
	Rated bool
}

// excellentVote is the score of an 优秀票 ballot marking 优秀.
var excellentVote = decimal.NewFromInt(1)

// yearRated reports whether scheme sc collects year-end ratings: annual
// raters (S2) or the 优秀票 of an excellence rate (S9).
func yearRated(sc *scoring.Scheme) bool {
	a := sc.Annual
	return a != nil && (len(a.Raters) > 0 || a.ExcellenceRate != nil)
}

// anyYearRated reports whether some scheme the service holds collects
// year-end ratings.
func (s *Service) anyYearRated() bool {
	for _, id := range s.SchemeIDs() {
		if yearRated(s.schemeByID(id)) {
			return true
		}
	}
	return false
}

// personYearScheme is the scheme t is appraised under (their year's), by
// the units' map: its canonical id and the scheme.
func (s *Service) personYearScheme(t Person, units map[string]Unit) (string, *scoring.Scheme) {
	id := s.defaultSchemeID()
	if u, ok := units[assessingUnit(t)]; ok {
		id = s.unitSchemeID(u)
	}
	return id, s.schemeByID(id)
}

// annualRule is scheme sc's annual rater rule of a tier: the rule naming
// it, else one naming no tier.
func annualRule(sc *scoring.Scheme, tier string) *scoring.RaterRule {
	var def *scoring.RaterRule
	for i, r := range sc.Annual.Raters {
		if len(r.Tiers) == 0 {
			def = &sc.Annual.Raters[i]
		}
		if slices.Contains(r.Tiers, tier) {
			return &sc.Annual.Raters[i]
		}
	}
	return def
}

func tierRank(sc *scoring.Scheme, tier string) int { return slices.Index(sc.Tiers, tier) }

// relation is how me rates t under t's rule of t's scheme sc: the first of
// superior, subordinates (me is t's subordinate), peers and colleagues
// that the rule has and that holds, "" for none. Each pair has at most one
// relation, so nobody's ballot counts twice for the same person.
func (s *Service) relation(sc *scoring.Scheme, me, t Person, rule *scoring.RaterRule, units map[string]Unit) (scoring.Source, bool) {
	has := func(id string) (scoring.Source, bool) {
		for _, src := range rule.Sources {
			if src.ID == id {
				return src, true
			}
		}
		return scoring.Source{}, false
	}
	if me.ID == t.ID {
		return scoring.Source{}, false
	}
	if me.ID == leaderOf(t, units) {
		return has(RelSuperior)
	}
	if !inScope(me) {
		return scoring.Source{}, false // only the superior rates from outside the appraisal
	}
	sameUnit := assessingUnit(me) == assessingUnit(t)
	if src, ok := has(RelSubordinates); ok && sameUnit && tierRank(sc, me.Tier) > tierRank(sc, t.Tier) {
		return src, true
	}
	if src, ok := has(RelPeers); ok && annualRule(sc, me.Tier) == rule {
		return src, true
	}
	if src, ok := has(RelColleagues); ok && sameUnit {
		return src, true
	}
	return scoring.Source{}, false
}

// yearSheet lists whom me rates in the year's round, group by group in the
// order of the schemes' sources, then the 优秀票; only, when not "", keeps
// the people of that scheme's year alone. Each person is rated under the
// rules of their own scheme; two schemes' people rated as the same source
// share its group (a ballot names its target, whose scheme says how it
// counts).
func (s *Service) yearSheet(me Person, people []Person, units map[string]Unit, only string) []YearGroup {
	if me.Status.Exempt {
		return nil
	}
	var out []YearGroup
	idx := map[string]int{}
	add := func(src scoring.Source, t Person) {
		i, ok := idx[src.ID]
		if !ok {
			i = len(out)
			idx[src.ID] = i
			out = append(out, YearGroup{Source: src.ID, Name: src.Name})
		}
		out[i].Targets = append(out[i].Targets, t)
	}
	for _, t := range people {
		if !inScope(t) {
			continue
		}
		id, sc := s.personYearScheme(t, units)
		if (only != "" && id != only) || sc.Annual == nil {
			continue
		}
		rule := annualRule(sc, t.Tier)
		if rule == nil {
			continue
		}
		if src, ok := s.relation(sc, me, t, rule, units); ok {
			add(src, t)
		}
	}
	order := map[string]int{}
	var excellent []Person
	for _, id := range s.SchemeIDs() {
		sc := s.schemeByID(id)
		if sc.Annual == nil {
			continue
		}
		for _, r := range sc.Annual.Raters {
			for i, src := range r.Sources {
				if _, ok := order[src.ID]; !ok {
					order[src.ID] = i
				}
			}
		}
		if sc.Annual.ExcellenceRate != nil && (only == "" || only == id) {
			// Decision: S9 does not say who casts the 优秀票; the 考核单元
			// that rates each other in the quarters' 民主测评 does (with the
			// extra voters HR named), since "参加测评总人数" is a 测评's.
			excellent = append(excellent, s.excellentTargets(sc, id, me, people, units)...)
		}
	}
	slices.SortStableFunc(out, func(a, b YearGroup) int { return order[a.Source] - order[b.Source] })
	if len(excellent) > 0 {
		out = append(out, YearGroup{Source: SourceExcellent, Name: "优秀票", Excellent: true, Targets: excellent})
	}
	return out
}

// excellentTargets are whom me marks in the 优秀票 of scheme sc (canonical
// id scheme): the members of the 考核单元 of sc's people that me votes
// in, as voteTargets, whether or not the quarters hold a 民主测评
// (Config.Votes: S9's quarters have none, its year-end 测评 is this).
func (s *Service) excellentTargets(sc *scoring.Scheme, scheme string, me Person, people []Person, units map[string]Unit) []Person {
	var mine []Person
	for _, p := range people {
		if id, _ := s.personYearScheme(p, units); id == scheme {
			mine = append(mine, p)
		}
	}
	x := s.newVoteIndex(sc, mine, units)
	x.on = true
	groups := x.groups(me)
	var out []Person
	for _, p := range mine {
		if p.ID != me.ID && p.Group != "" && groups[p.Group] && inScope(p) {
			out = append(out, p)
		}
	}
	return out
}

// yearRaters are everyone with somebody to rate in the round (in the year
// of scheme only, when not "").
func (s *Service) yearRaters(people []Person, units map[string]Unit, only string) []Person {
	var out []Person
	for _, p := range people {
		if len(s.yearSheet(p, people, units, only)) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// OpenYearRatings opens a year's 年度测评 (HR): every rater gets the card
// with whom they rate, and reminders until due (included), after which
// ratings are refused. Errors: ErrForbidden, ErrInvalidInput (the scheme
// collects no year ratings, a due date already past), ErrConflict (open
// already).
func (s *Service) OpenYearRatings(ctx context.Context, by string, year int, due calendar.Date) error {
	id := strconv.Itoa(year)
	return s.change(ctx, by, "year.ratings_open", id, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		if !s.anyYearRated() {
			return invalid("year", "本方案的年度考核没有年度测评")
		}
		if due.Before(s.today(o.now)) {
			return invalid("due", "截止日期不能早于今天")
		}
		if _, err := o.tx.YearRound(o.ctx, year); err == nil {
			return fmt.Errorf("year %d ratings: %w", year, ErrConflict)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := o.tx.CreateYearRound(o.ctx, YearRound{Year: year, Due: due, OpenedBy: by, OpenedAt: o.now}); err != nil {
			return err
		}
		people, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		units, err := unitMap(o.ctx, o.tx)
		if err != nil {
			return err
		}
		raters := s.yearRaters(people, units, "")
		for _, r := range raters {
			o.note(r.ID, TplYearRating, map[string]string{"year": id, "due": due.String()}, id)
		}
		o.logf("%d raters, due %s", len(raters), due)
		return nil
	})
}

// YearRatingSheet returns by's card for a year's round. ErrNotFound when
// the round is not open; ErrForbidden when by rates nobody.
func (s *Service) YearRatingSheet(ctx context.Context, by string, year int) (YearSheet, error) {
	var out YearSheet
	err := s.view(ctx, func(tx Tx) error {
		round, err := tx.YearRound(ctx, year)
		if err != nil {
			return err
		}
		me, err := tx.Person(ctx, by)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("unknown caller %q: %w", by, ErrForbidden)
		} else if err != nil {
			return err
		}
		people, err := tx.People(ctx)
		if err != nil {
			return err
		}
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		out = YearSheet{Year: year, Due: round.Due, Scale: s.scheme.Scale, Groups: s.yearSheet(me, people, units, "")}
		for _, g := range out.Groups {
			if !g.Excellent && len(g.Targets) > 0 {
				// The card's scale is that of the people it scores.
				_, sc := s.personYearScheme(g.Targets[0], units)
				out.Scale = sc.Scale
				break
			}
		}
		if len(out.Groups) == 0 {
			return fmt.Errorf("%s rates nobody in %d: %w", by, year, ErrForbidden)
		}
		raters, err := tx.YearRaters(ctx, year)
		out.Rated = slices.Contains(raters, by)
		return err
	})
	return out, err
}

// RateYear files by's year-end ratings: scores maps each group's source to
// its people's scores (0–Scale; 1 or 0 for the 优秀票). Every person of
// every group on by's card is rated, once. The ballots are stored without
// by (see YearBallot). Errors: ErrForbidden (by rates nobody), ErrNotFound
// (no round), ErrWindowClosed (past the deadline), ErrConflict (rated
// already), ErrInvalidInput.
func (s *Service) RateYear(ctx context.Context, by string, year int, scores map[string]map[string]scoring.Dec) error {
	id := strconv.Itoa(year)
	return s.change(ctx, by, "year.rate", id, func(o *op) error {
		me, err := s.actor(o)
		if err != nil {
			return err
		}
		round, err := o.tx.YearRound(o.ctx, year)
		if err != nil {
			return err
		}
		if s.today(o.now).After(round.Due) {
			return windowClosed(fmt.Sprintf("%d年度测评已于%s截止，不能再提交", year, round.Due), "year %d ratings closed %s", year, round.Due)
		}
		people, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		units, err := unitMap(o.ctx, o.tx)
		if err != nil {
			return err
		}
		groups := s.yearSheet(me, people, units, "")
		if len(groups) == 0 {
			return fmt.Errorf("%s rates nobody in %d: %w", by, year, ErrForbidden)
		}
		// A second submission (a double click, the card sent again) is
		// told it is done before its form is read.
		if done, err := o.tx.YearRaters(o.ctx, year); err != nil {
			return err
		} else if slices.Contains(done, by) {
			return fmt.Errorf("%s rated %d already: %w", by, year, ErrConflict)
		}
		scaleOf := func(t Person) scoring.Dec {
			_, sc := s.personYearScheme(t, units)
			return sc.Scale
		}
		var ballots []YearBallot
		known := map[string]bool{}
		for _, g := range groups {
			known[g.Source] = true
			got := scores[g.Source]
			if len(got) != len(g.Targets) {
				return invalid("scores."+g.Source, fmt.Sprintf("请为「%s」的全部%d人评分", g.Name, len(g.Targets)))
			}
			for _, t := range g.Targets {
				v, ok := got[t.ID]
				if !ok {
					return invalid("scores."+g.Source, fmt.Sprintf("请为「%s」的全部%d人评分", g.Name, len(g.Targets)))
				}
				switch {
				case g.Excellent && !v.Equal(excellentVote) && !v.IsZero():
					return invalid("scores."+g.Source+"."+t.ID, "优秀票只能是「优秀」或不选")
				case !g.Excellent && (v.Sign() < 0 || v.GreaterThan(scaleOf(t).Decimal)):
					return invalid("scores."+g.Source+"."+t.ID, "须在 0 至 "+scaleOf(t).String()+" 之间")
				}
				ballots = append(ballots, YearBallot{Year: year, Source: g.Source, Target: t.ID, Score: v})
			}
		}
		for src := range scores {
			if !known[src] {
				return invalid("scores."+src, "不是您要评的一组")
			}
		}
		if err := o.tx.MarkYearRated(o.ctx, year, by); err != nil {
			return err
		}
		return o.tx.AddYearBallots(o.ctx, ballots)
	})
}

// YearRatingProgress is how far a year's round is: who still has to rate.
type YearRatingProgress struct {
	Round   YearRound
	Raters  int
	Rated   int
	Pending []Person
}

// yearRatingProgress reads a round's progress (of the raters of scheme
// only's people, when not ""); ErrNotFound when not open.
func (s *Service) yearRatingProgress(ctx context.Context, tx Tx, year int, only string) (YearRatingProgress, error) {
	var out YearRatingProgress
	round, err := tx.YearRound(ctx, year)
	if err != nil {
		return out, err
	}
	out.Round = round
	people, err := tx.People(ctx)
	if err != nil {
		return out, err
	}
	units, err := unitMap(ctx, tx)
	if err != nil {
		return out, err
	}
	done, err := tx.YearRaters(ctx, year)
	if err != nil {
		return out, err
	}
	for _, r := range s.yearRaters(people, units, only) {
		out.Raters++
		if slices.Contains(done, r.ID) {
			out.Rated++
		} else {
			out.Pending = append(out.Pending, r)
		}
	}
	return out, nil
}

// YearRatings returns a year's round and its progress for HR's 年度 card.
// ErrNotFound when the round is not open; ErrForbidden for anyone but HR.
func (s *Service) YearRatings(ctx context.Context, by string, year int) (YearRatingProgress, error) {
	var out YearRatingProgress
	err := s.view(ctx, func(tx Tx) error {
		me, err := tx.Person(ctx, by)
		if err != nil || !me.HR {
			return fmt.Errorf("%s may not see the year's ratings: %w", by, ErrForbidden)
		}
		out, err = s.yearRatingProgress(ctx, tx, year, "")
		return err
	})
	return out, err
}

// YearRatesNeeded reports whether the year yearID's scheme collects
// year-end ratings (the 年度 card then offers to open them); "" asks
// whether any scheme does.
func (s *Service) YearRatesNeeded(yearID string) bool {
	if yearID == "" {
		return s.anyYearRated()
	}
	_, _, sc, _, err := s.yearOf(yearID)
	return err == nil && yearRated(sc)
}

// yearTally turns a year's ballots into the engine's annual input: for
// each person in scope with an annual rater rule, every source of the rule
// — a "score" source (the superior) as the mean of its ballots (one,
// unless the superior changed during the round), a "votes" source as the
// list of its ballots (an empty list when none: below the anonymity floor,
// not missing) — and the 优秀票 count, under the rules of sc, the year's
// scheme (people are that year's: the others are not in scope). A
// superior who has not rated leaves the source absent, which the engine
// refuses naming the person.
func (s *Service) yearTally(ctx context.Context, tx Tx, year int, sc *scoring.Scheme, people []Person) (map[string]*scoring.AnnualInput, map[string]*scoring.VoteCount, error) {
	bs, err := tx.YearBallots(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	type key struct{ src, target string }
	got := map[key][]scoring.Dec{}
	for _, b := range bs {
		k := key{b.Source, b.Target}
		got[k] = append(got[k], b.Score)
	}
	annual := map[string]*scoring.AnnualInput{}
	votes := map[string]*scoring.VoteCount{}
	for _, p := range people {
		if !inScope(p) {
			continue
		}
		if len(sc.Annual.Raters) > 0 {
			if rule := annualRule(sc, p.Tier); rule != nil {
				in := &scoring.AnnualInput{Sources: map[string]scoring.SourceInput{}}
				for _, src := range rule.Sources {
					vs := got[key{src.ID, p.ID}]
					switch src.Kind {
					case "votes":
						in.Sources[src.ID] = scoring.SourceInput{Votes: append([]scoring.Dec{}, vs...)}
					default:
						if len(vs) == 0 {
							continue
						}
						sum := decimal.Zero
						for _, v := range vs {
							sum = sum.Add(v.Decimal)
						}
						m := scoring.DecOf(sum.DivRound(decimal.NewFromInt(int64(len(vs))), 4))
						in.Sources[src.ID] = scoring.SourceInput{Score: &m}
					}
				}
				annual[p.ID] = in
			}
		}
		if sc.Annual.ExcellenceRate != nil {
			vs := got[key{SourceExcellent, p.ID}]
			vc := &scoring.VoteCount{Total: len(vs)}
			for _, v := range vs {
				if v.Equal(excellentVote) {
					vc.Excellent++
				}
			}
			votes[p.ID] = vc
		}
	}
	return annual, votes, nil
}

// yearRatingsIn fills spec from the year's round when the caller gave no
// annual data (the chat's path: the 年度 card's button, and every
// recomposition by the committee or a 复核). It refuses while the round
// is still open and not everyone who rates the year's people has rated,
// and when it was never opened. sc is the year's scheme, scheme its
// canonical id.
func (s *Service) yearRatingsIn(o *op, year int, sc *scoring.Scheme, scheme string, spec *YearSpec, people []Person) error {
	if !yearRated(sc) || spec.Annual != nil || spec.Votes != nil {
		return nil
	}
	pr, err := s.yearRatingProgress(o.ctx, o.tx, year, scheme)
	if errors.Is(err, ErrNotFound) {
		return notYet(fmt.Sprintf("请先发起%d年度测评（年度考核的评分须由测评产生）", year), "year %d ratings not opened", year)
	} else if err != nil {
		return err
	}
	if !s.today(o.now).After(pr.Round.Due) && len(pr.Pending) > 0 {
		names := make([]string, len(pr.Pending))
		for i, p := range pr.Pending {
			names[i] = p.Name
		}
		return &IncompleteError{What: fmt.Sprintf("%d年度测评（%s截止）", year, pr.Round.Due), Missing: names}
	}
	spec.Annual, spec.Votes, err = s.yearTally(o.ctx, o.tx, year, sc, people)
	return err
}

// planYearRate is the 年度测评's reminder item. It has no plan setting:
// its nudges are fixed (yearRateNudges).
const planYearRate = "year_rate"

// yearRateNudges: the working day before the deadline at 15:00 and the
// deadline's morning, to those who have not rated. Decision: no overdue
// nudge, since ratings after the deadline are refused, and no escalation:
// a rating is anonymous, and a leader told who has not rated would be
// told who still can.
var yearRateNudges = []Nudge{{StageBefore, -1, 15, 0}, {StageDue, 0, 9, 0}}

// yearRateItems are the open rounds' reminders: this year's and last
// year's (a round for a year runs into January).
func (s *Service) yearRateItems(ctx context.Context, tx Tx, today calendar.Date) []item {
	if !s.anyYearRated() {
		return nil
	}
	var out []item
	for _, y := range []int{today.Year - 1, today.Year} {
		r, err := tx.YearRound(ctx, y)
		if err != nil || today.After(r.Due) {
			continue
		}
		id := strconv.Itoa(y)
		out = append(out, item{schedule: "year/" + id + "/rate", kind: planYearRate, period: id, entry: id, due: r.Due, nudges: yearRateNudges})
	}
	return out
}
