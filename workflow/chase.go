package workflow

import (
	"context"
	"errors"
)

// Chase is HR's 催办 from the progress card: everyone who is past a
// deadline now — a missing 周记实, 月小结 or 季度小结, a vote not cast, a
// step not decided — gets a reminder at once, as the overdue nudge of
// their item would send it; so does every rater of an open 年度测评 round
// who has not rated. Decision: the 年度测评 is chased while it is open,
// not once overdue, since a rating after its deadline is refused (RateYear)
// and a chase then could only tell people what they can no longer do. One chase per person, item and day: pressing
// again the same day sends nothing more. It returns how many people were
// reminded, which is what HR's toast says: one person may get several
// reminders (a week, a month and a step overdue). Errors: ErrForbidden
// (not HR).
func (s *Service) Chase(ctx context.Context, by string) (int, error) {
	var people map[string]bool
	err := s.change(ctx, by, "reminder.chase", "overdue", func(o *op) error {
		people = map[string]bool{}
		sent := 0
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		today := s.today(o.now)
		items, err := s.items(o.ctx, o.tx, today)
		if err != nil {
			return err
		}
		for _, it := range items {
			if !today.After(it.due) && it.kind != planYearRate {
				continue
			}
			switch it.kind {
			case planWeekly, planMonthly, planSummary, planVote, planStep, planYearRate:
			default:
				// 反馈 and 备案 have their own escalation to HR; a daily
				// log has its reminder each day and is not chased.
				continue
			}
			notes, err := s.recipients(o.ctx, o.tx, it, Nudge{Stage: StageOverdue}, o.now, today)
			if err != nil {
				return err
			}
			for _, n := range notes {
				if n.Template != TplRemind {
					continue
				}
				n.Data["stage"] = "chase"
				n.Key = DedupeKey("chase", it.schedule, today.String(), n.To)
				n.CreatedAt = o.now
				id, err := o.tx.Enqueue(o.ctx, n)
				if err == nil && id > 0 {
					sent++
					people[n.To] = true
				} else if err != nil && !errors.Is(err, ErrConflict) {
					return err
				}
			}
		}
		o.logf("chased %d reminders to %d people", sent, len(people))
		return nil
	})
	return len(people), err
}
