package workflow

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kaohe/kaohe/scoring"
)

// Who votes in a 民主测评, and on whom.
//
// A 考核单元 (Person.Group) is rated by its members, each rating every other
// member (S8 四(三)2: "考核单元内人员无记名百分制评分"). Some voters rate
// without being rated (extra voters):
//   - the unit's 分管领导, where the scheme's votes source says
//     supervisor_votes (S8: "分管领导（协管领导）…评分"): the Supervisor of
//     any unit a member of the 考核单元 is assessed in;
//   - anyone HR names for a 考核单元 (Person.VoteGroups): a 协管领导, or a
//     机关干部 who is not assessed (S1 第八条(二): "全体机关部").
//
// An extra voter gets the vote card and its reminders, and their ballot
// counts like any other (the anonymity floor counts ballots, not who cast
// them); they are never a target. Raters with no account in the chat
// (S1's 村组干部, 服务对象代表) are HR's tally (SetOutsideTallies).

// supervisorVotes reports whether the scheme lets the 分管领导 vote with
// the 考核单元 they supervise.
func (s *Service) supervisorVotes(sc *scoring.Scheme) bool {
	return votesSourceHas(sc, func(src scoring.Source) bool { return src.SupervisorVotes })
}

// outsideRaters reports whether the scheme takes tallies of raters
// outside the chat.
func (s *Service) outsideRaters(sc *scoring.Scheme) bool {
	return votesSourceHas(sc, func(src scoring.Source) bool { return src.OutsideRaters })
}

func votesSourceHas(sc *scoring.Scheme, f func(scoring.Source) bool) bool {
	for _, r := range sc.Raters {
		for _, src := range r.Sources {
			if src.Kind == "votes" && f(src) {
				return true
			}
		}
	}
	return false
}

// voteIndex answers who votes where for a whole organisation at once
// (the reminders ask it for everyone: one pass, not one per person).
type voteIndex struct {
	on bool
	// size counts the members in scope of each 考核单元.
	size map[string]int
	// supervised are the 考核单元 each 分管领导 votes in (supervisor_votes).
	supervised map[string][]string
}

// newVoteIndex indexes the votes of a period under scheme sc; people are
// the period's (periodPeople: another scheme's people are out of scope).
func (s *Service) newVoteIndex(sc *scoring.Scheme, people []Person, units map[string]Unit) voteIndex {
	x := voteIndex{on: s.votesIn(sc), size: map[string]int{}, supervised: map[string][]string{}}
	sup := s.supervisorVotes(sc)
	for _, p := range people {
		if !inScope(p) || p.Group == "" {
			continue
		}
		x.size[p.Group]++
		if id := units[assessingUnit(p)].Supervisor; sup && id != "" && !slices.Contains(x.supervised[id], p.Group) {
			x.supervised[id] = append(x.supervised[id], p.Group)
		}
	}
	return x
}

// groups returns the 考核单元 me votes in: their own (when assessed),
// those HR named, and, where the scheme says so, those with a member in a
// unit me supervises. Nobody who is exempt this cycle or has left
// (Status.Exempt) votes.
func (x voteIndex) groups(me Person) map[string]bool {
	groups := map[string]bool{}
	if !x.on || me.Status.Exempt {
		return groups
	}
	if me.Assessed && me.Group != "" {
		groups[me.Group] = true
	}
	for _, g := range me.VoteGroups {
		if g != "" {
			groups[g] = true
		}
	}
	for _, g := range x.supervised[me.ID] {
		groups[g] = true
	}
	return groups
}

// hasVote reports whether me has somebody to rate.
func (x voteIndex) hasVote(me Person) bool {
	for g := range x.groups(me) {
		n := x.size[g]
		if inScope(me) && me.Group == g {
			n-- // not themselves
		}
		if n > 0 {
			return true
		}
	}
	return false
}

// voteTargets returns whom me rates in the 民主测评, in people's order:
// every member in scope of each 考核单元 me votes in, never me. Empty
// when votes are off or me has nobody to rate.
func (s *Service) voteTargets(sc *scoring.Scheme, me Person, people []Person, units map[string]Unit) []Person {
	groups := s.newVoteIndex(sc, people, units).groups(me)
	if len(groups) == 0 {
		return nil
	}
	var out []Person
	for _, p := range people {
		if p.ID != me.ID && p.Group != "" && groups[p.Group] && inScope(p) {
			out = append(out, p)
		}
	}
	return out
}

// VoteBallot is what a voter's 民主测评 card shows: the 考核单元 they vote
// in and whom they rate.
type VoteBallot struct {
	// Groups are the 考核单元, sorted.
	Groups  []string
	Targets []Person
}

// VoteTargets returns whom by rates in the 民主测评 (the rule Vote
// enforces). ErrForbidden when by has nobody to rate: not assessed in a
// 考核单元 of more than one, named for none, supervising none where the
// scheme lets the 分管领导 vote, or votes are off.
func (s *Service) VoteTargets(ctx context.Context, by string) (VoteBallot, error) {
	var out VoteBallot
	err := s.view(ctx, func(tx Tx) error {
		out = VoteBallot{}
		me, err := tx.Person(ctx, by)
		if err != nil {
			return fmt.Errorf("voter %s: %w", by, ErrForbidden)
		}
		// by votes under their own scheme, with its people (Decision: an
		// extra voter supervising a unit under another scheme than their
		// own votes under their own; see docs/design.md).
		sc, id, err := s.personScheme(ctx, tx, me)
		if err != nil {
			return err
		}
		people, err := s.periodPeople(ctx, tx, Period{Scheme: id})
		if err != nil {
			return err
		}
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		out.Targets = s.voteTargets(sc, me, people, units)
		if len(out.Targets) == 0 {
			return fmt.Errorf("%s has no vote: %w", by, ErrForbidden)
		}
		seen := map[string]bool{}
		for _, p := range out.Targets {
			if !seen[p.Group] {
				seen[p.Group] = true
				out.Groups = append(out.Groups, p.Group)
			}
		}
		slices.Sort(out.Groups)
		return nil
	})
	return out, err
}

// VoteGroupsOf returns the 考核单元 of the organisation, sorted: the
// distinct Person.Group values. They are what HR may name an extra voter
// for (SetVoteGroups).
func VoteGroupsOf(people []Person) []string {
	var out []string
	for _, p := range people {
		if p.Group != "" && !slices.Contains(out, p.Group) {
			out = append(out, p.Group)
		}
	}
	slices.Sort(out)
	return out
}

// SetVoteGroups names the 考核单元 personID votes in without being rated
// there (Person.VoteGroups: a 协管领导, a 机关干部 who is not assessed),
// replacing those named before; none clears them (HR only, audited with
// what changed). version is the person's as the caller saw them: a card
// drawn before another change is stale. The next vote card of the person
// lists the members of the groups named (VoteTargets).
//
// Decision: no reason is asked. Naming a voter records who takes part in
// the 民主测评, not a fact about the person to justify; the audit row
// keeps who named whom for which 考核单元, before and after.
//
// Decision: a 考核单元 the person is assessed in (their own Group while
// Assessed) is refused: they vote there anyway, and listing it would
// read as a second vote. A person with a Group who is not assessed (a
// unit's leader placed there by 同步通讯录) may be named for it: they do
// not vote there otherwise.
//
// Errors: ErrForbidden (not HR); ErrInvalidInput (unknown person, a
// 考核单元 nobody belongs to, their own); ErrStale (version is not the
// person's).
func (s *Service) SetVoteGroups(ctx context.Context, by, personID string, version int, groups []string) error {
	return s.change(ctx, by, "person.vote_groups", personID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		p, err := s.person(o, personID, "person")
		if err != nil {
			return err
		}
		if p.Version != version {
			return fmt.Errorf("person %s version %d, card %d: %w", personID, p.Version, version, ErrStale)
		}
		people, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		known := VoteGroupsOf(people)
		var next []string
		for _, g := range groups {
			switch {
			case !slices.Contains(known, g):
				return invalid("vote_groups", "考核单元不存在："+g)
			case p.Assessed && g == p.Group:
				return invalid("vote_groups", "本人在该考核单元参加考核，已参加其民主测评："+g)
			case !slices.Contains(next, g):
				next = append(next, g)
			}
		}
		slices.Sort(next)
		prev := slices.Clone(p.VoteGroups)
		slices.Sort(prev)
		if slices.Equal(prev, next) {
			o.logf("unchanged") // a repeated save changes nothing
			return nil
		}
		o.logf("vote_groups [%s] -> [%s]", strings.Join(prev, ","), strings.Join(next, ","))
		p.VoteGroups = next
		p.Version++
		return o.tx.UpdatePerson(o.ctx, p)
	})
}

// maxOutsideRaters bounds one person's outside tally: a count above it is
// a typing slip, not a 服务对象 panel.
const maxOutsideRaters = 1000

// SetOutsideTallies records HR's tallies of the raters outside the chat
// (scoring.Source.OutsideRaters) for a period: per person, how many rated
// on paper and their average score. A tally with no raters removes the
// person's. Tallies of people not listed stay as they are.
//
// Decision: outside raters (S1's 村组干部, 服务对象代表) have no account in
// the organisation's chat, and a page they could open would have to face
// the internet, which the service does not. So they rate on paper as
// before, and HR enters the sums: a number and an average (S1 rates 百分制,
// not by grade). The tally closes with the in-chat vote (SummaryDue): a
// later one could move results the leaders are already scoring. Every
// entry is audited (who, when, how many people; never the scores).
//
// Errors: ErrForbidden (not HR, or the scheme takes no outside raters),
// ErrInvalidInput naming the field, ErrNotFound (period not opened),
// ErrWindowClosed (after the vote's deadline or the appraisal closed).
func (s *Service) SetOutsideTallies(ctx context.Context, by, periodID string, tallies map[string]scoring.OutsideTally) error {
	return s.change(ctx, by, "vote.outside", periodID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		if sc := s.schemeOfID(periodID); !s.votesIn(sc) || !s.outsideRaters(sc) {
			return &ForbiddenError{Why: "本考核方案的民主测评不设外部测评"}
		}
		period, err := s.openPeriod(o, periodID)
		if err != nil {
			return err
		}
		if s.today(o.now).After(period.SummaryDue) {
			return windowClosed(fmt.Sprintf("%s民主测评已于%s截止，不能再录入外部测评", periodName(periodID), period.SummaryDue),
				"outside tallies of %s closed %s", periodID, period.SummaryDue)
		}
		if len(tallies) == 0 {
			return invalid("outside", "没有要录入的外部测评")
		}
		ids := make([]string, 0, len(tallies))
		for id := range tallies {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if period.Outside == nil {
			period.Outside = map[string]OutsideTally{}
		}
		for _, id := range ids {
			t := tallies[id]
			f := "outside." + id
			p, err := o.tx.Person(o.ctx, id)
			if err != nil || !inScope(p) {
				return invalid(f, "不是本期被考核人")
			}
			switch {
			case t.Raters < 0 || t.Raters > maxOutsideRaters:
				return invalid(f+".raters", "人数须在 0 至 "+strconv.Itoa(maxOutsideRaters)+" 之间")
			case t.Raters == 0:
				delete(period.Outside, id)
				continue
			case t.Mean.Sign() < 0 || t.Mean.GreaterThan(s.scheme.Scale.Decimal):
				return invalid(f+".mean", "平均分须在 0 至 "+s.scheme.Scale.String()+" 之间")
			case !t.Mean.Equal(t.Mean.Round(2)):
				return invalid(f+".mean", "平均分最多保留两位小数")
			}
			period.Outside[id] = OutsideTally{Raters: t.Raters, Mean: t.Mean, By: by, At: o.now}
		}
		if len(period.Outside) == 0 {
			period.Outside = nil
		}
		period.Version++
		if err := o.tx.UpdatePeriod(o.ctx, period); err != nil {
			return err
		}
		// How many, never the numbers: the audit trail says who entered
		// tallies for whom, and the period holds them.
		o.logf("people=%s", strings.Join(ids, ","))
		return nil
	})
}

// OutsideTallies returns the tallies HR entered for a period, by person
// (HR only). Errors: ErrForbidden (not HR, or the scheme takes no outside
// raters), ErrNotFound.
func (s *Service) OutsideTallies(ctx context.Context, by, periodID string) (map[string]OutsideTally, error) {
	var out map[string]OutsideTally
	err := s.view(ctx, func(tx Tx) error {
		me, err := tx.Person(ctx, by)
		if err != nil || !me.HR {
			return fmt.Errorf("%s is not HR: %w", by, ErrForbidden)
		}
		if sc := s.schemeOfID(periodID); !s.votesIn(sc) || !s.outsideRaters(sc) {
			return &ForbiddenError{Why: "本考核方案的民主测评不设外部测评"}
		}
		p, err := tx.Period(ctx, periodID)
		if err != nil {
			return err
		}
		out = p.Outside
		return nil
	})
	return out, err
}
