package schedule

import "time"

// MaxSlots bounds the slots Slots returns and the missed slots
// LatestMissed reports, so that a long outage of a frequent schedule
// cannot make one call allocate without limit.
const MaxSlots = 10000

// maxWalk bounds the number of Next calls LatestMissed makes before the
// grace window. A five-field cron fires at most once a minute, so this is
// exact for any outage shorter than about two years.
const maxWalk = 1 << 20

// Slots returns the firings of s in (from, to], oldest first: the slots a
// runner that was down from `from` to `to` did not fire. At most MaxSlots
// are returned, the earliest ones; to see the rest, call Slots again from
// the last one returned. Slots stops early if s's Next ever fails to move
// forward, since such a schedule would otherwise loop forever.
func Slots(s Schedule, from, to time.Time) []time.Time {
	var out []time.Time
	for n := s.Next(from); !n.IsZero() && !n.After(to) && len(out) < MaxSlots; {
		out = append(out, n)
		m := s.Next(n)
		if !m.After(n) {
			break
		}
		n = m
	}
	return out
}

// LatestMissed decides what a runner fires when it wakes at now, having
// last fired s at lastFired. docs/reliability.md §1: robfig/cron never catches
// up, and replaying every missed slot floods people (River #1035), so the
// rule is to fire only the latest missed slot, and only if it is within
// the grace window; every other slot is recorded as missed.
//
// It looks at the slots in (lastFired, now]. If the latest of them is no
// more than grace before now, it is returned as slot with ok true, and the
// earlier ones are returned as missed. Otherwise ok is false and all of
// them are missed. In normal running the runner wakes just after a slot,
// so that slot is returned with no missed ones.
//
// A zero lastFired means the schedule has never fired and its history is
// unknown: only the grace window (now-grace, now] is looked at, and
// nothing before it is reported as missed. Callers that know when the
// schedule was created should pass that instead. A negative grace counts
// as zero (only a slot at exactly now fires).
//
// missed is oldest first and holds at most MaxSlots slots, the most recent
// ones. If more than about a million slots precede the grace window, the
// walk jumps to the window: slot is still exact, but missed then holds
// only slots from before the jump.
func LatestMissed(s Schedule, lastFired, now time.Time, grace time.Duration) (slot time.Time, missed []time.Time, ok bool) {
	return latestMissed(s, lastFired, now, grace, maxWalk)
}

// latestMissed is LatestMissed with the walk bound as a parameter, so that
// tests can reach the jump without a million steps.
func latestMissed(s Schedule, lastFired, now time.Time, grace time.Duration, walk int) (slot time.Time, missed []time.Time, ok bool) {
	if grace < 0 {
		grace = 0
	}
	windowStart := now.Add(-grace)
	from := lastFired
	if from.IsZero() {
		from = windowStart.Add(-time.Nanosecond)
	}
	if !now.After(from) {
		return time.Time{}, nil, false
	}

	keep := func(t time.Time) {
		missed = append(missed, t)
		if len(missed) >= 2*MaxSlots {
			// Keep the most recent MaxSlots; copy so the dropped ones can
			// be collected.
			missed = append([]time.Time(nil), missed[len(missed)-MaxSlots:]...)
		}
	}
	var latest time.Time
	steps := 0
	for n := s.Next(from); !n.IsZero() && !n.After(now); {
		if n.Before(windowStart) {
			keep(n)
		} else {
			if !latest.IsZero() {
				keep(latest)
			}
			latest = n
		}
		steps++
		var m time.Time
		if steps == walk && n.Before(windowStart) {
			m = s.Next(windowStart.Add(-time.Nanosecond))
		} else if steps > 2*walk {
			break
		} else {
			m = s.Next(n)
		}
		if !m.After(n) {
			break // Next does not move forward; stop rather than loop
		}
		n = m
	}
	if len(missed) > MaxSlots {
		missed = missed[len(missed)-MaxSlots:]
	}
	if latest.IsZero() {
		return time.Time{}, missed, false
	}
	return latest, missed, true
}
