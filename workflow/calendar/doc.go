// Package calendar is China's working-day calendar and the deadline rules
// that appraisal schemes write as data.
//
// Working days come from the State Council's yearly holiday notices as
// carried by github.com/6tail/lunar-go (official rest days and 调休 working
// weekends), plus an organisation's own override list (a unit may work on a
// day off, or close on a weekday). Everything is computed in Beijing time
// (Asia/Shanghai) unless the caller chooses another location.
//
// Dates are civil dates (Date): a deadline such as "次月6日前" names a day in
// Beijing, not an instant, so it is kept as a day until the edge turns it
// into an instant with Calendar.At or Calendar.EndOf.
//
// Periods (week, month, quarter, half year, year) have stable string ids
// ("2026-W40", "2026-09", "2026-Q3", "2026-H2", "2026") so that storage keys,
// card values and logs agree on them.
//
// Deadline rules are data, not code: a Rule is parsed from a short text spec
// ("next-month-day:6", "workdays-after-end:3", …) so that a scheme in YAML
// carries its own deadlines; Rule.Apply turns a rule and a period into a
// Deadline. See Rule for the exact meaning of every spec and the seed scheme
// it comes from.
package calendar
