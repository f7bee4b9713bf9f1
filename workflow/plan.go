package workflow

import (
	"fmt"
	"strconv"
	"strings"
)

// PlanKinds are the items a reminder plan can be set for (Config.Plans).
var PlanKinds = []string{planDaily, planWeekly, planMonthly, planSummary, planVote, planStep, planFeedback, planFiling}

// maxNudges bounds one plan: a nudge every five minutes of a working day
// is 108; more than this is a typo, not a plan.
const maxNudges = 200

// ParsePlan reads a reminder plan as an operator writes it in the
// configuration: comma-separated nudges "stage:workdays@HH:MM", where stage
// is before, due, overdue, urgent, leader or hr (who is nudged: the person,
// the person again as 加急, their leader, HR) and workdays counts working
// days from the due date (-1 the working day before, 0 the day itself, 1
// the next). "none" is a plan with no reminders. Example, the default
// weekly plan (due the Monday after the week):
//
//	before:-1@15:00,due:0@09:00,overdue:1@09:00,leader:2@09:00
//
// and a summary plan whose last word before the deadline is 加急 in the
// afternoon of the due day (StageUrgent; at most one, on or before the due
// date):
//
//	before:-1@15:00,due:0@09:00,urgent:0@14:00,overdue:1@09:00
//
// Errors name the nudge and what is wrong; the result is never partial.
func ParsePlan(spec string) ([]Nudge, error) {
	spec = strings.TrimSpace(spec)
	if spec == "none" {
		return []Nudge{}, nil
	}
	if spec == "" {
		return nil, fmt.Errorf("empty plan: want nudges such as before:-1@15:00, or none")
	}
	parts := strings.Split(spec, ",")
	if len(parts) > maxNudges {
		return nil, fmt.Errorf("%d nudges: at most %d", len(parts), maxNudges)
	}
	out := make([]Nudge, 0, len(parts))
	for i, part := range parts {
		n, err := parseNudge(strings.TrimSpace(part))
		if err != nil {
			shown := part
			if len(shown) > 40 {
				shown = shown[:40] + "…"
			}
			return nil, fmt.Errorf("nudge %d %q: %w", i+1, shown, err)
		}
		out = append(out, n)
	}
	if err := checkPlan(out); err != nil {
		return nil, err
	}
	return out, nil
}

// checkPlan applies the rules that span nudges or limit a stage: an
// urgent nudge comes on or before the due date, and a plan has at most one.
// 加急 interrupts a person wherever they are and Lark caps it (200 unread
// urgent messages a person, and a tenant allowance: 发送应用内加急), so it is
// kept for the last moment a deadline can still be met; after the due date
// the overdue, leader and hr stages take over.
func checkPlan(plan []Nudge) error {
	urgent := 0
	for i, n := range plan {
		if n.Stage != StageUrgent {
			continue
		}
		if n.Workdays > 0 {
			return fmt.Errorf("nudge %d: urgent comes on or before the due date (workdays 0 or less), not %d after it", i+1, n.Workdays)
		}
		if urgent++; urgent > 1 {
			return fmt.Errorf("nudge %d: a plan has at most one urgent nudge", i+1)
		}
	}
	return nil
}

func parseNudge(s string) (Nudge, error) {
	stage, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Nudge{}, fmt.Errorf("want stage:workdays@HH:MM")
	}
	switch stage {
	case StageBefore, StageDue, StageOverdue, StageUrgent, StageLeader, StageHR:
	default:
		return Nudge{}, fmt.Errorf("stage %q: want before, due, overdue, urgent, leader or hr", stage)
	}
	days, clock, ok := strings.Cut(rest, "@")
	if !ok {
		return Nudge{}, fmt.Errorf("want stage:workdays@HH:MM")
	}
	wd, err := strconv.Atoi(days)
	if err != nil || wd < -20 || wd > 20 {
		return Nudge{}, fmt.Errorf("workdays %q: want a whole number from -20 to 20", days)
	}
	hh, mm, ok := strings.Cut(clock, ":")
	h, herr := strconv.Atoi(hh)
	m, merr := strconv.Atoi(mm)
	if !ok || herr != nil || merr != nil || len(hh) > 2 || len(mm) != 2 || h < 0 || h > 23 || m < 0 || m > 59 {
		return Nudge{}, fmt.Errorf("time %q: want HH:MM from 00:00 to 23:59", clock)
	}
	return Nudge{Stage: stage, Workdays: wd, Hour: h, Minute: m}, nil
}
