package workflow

import (
	"context"
	"errors"
	"sort"
	"strings"
	"unicode"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// MaxUnfinished is the most 未完成事项 rows a 月小结 holds (the card shows
// as many rows; ValidateBody refuses more).
const MaxUnfinished = 8

// Draft item states: how a task of the month's 周记实 stands at the end of
// the records.
const (
	DraftDone       = "done"       // reported 100% on or before its deadline
	DraftLate       = "late"       // reported 100% after its deadline
	DraftOngoing    = "ongoing"    // not done, due after the month or without a deadline
	DraftUnfinished = "unfinished" // not done and due by the month's end
)

// DraftItem is one task of a month as its weekly records (and annual
// targets) tell it.
type DraftItem struct {
	Title string
	// Target is the annual target the task belongs to, or "".
	Target   string
	Deadline calendar.Date
	// Progress is the latest progress reported, 0–100.
	Progress int
	State    string
	// Week is the week whose record reported it done (done or late), or
	// the latest week that mentions it; "" for a target no record names.
	Week string
	// DoneOn is the day a linked annual target was marked done (zero when
	// unknown: then Week tells when).
	DoneOn calendar.Date
}

// MonthlyDraft is the 月小结 draft of one person and month, built from the
// month's 周记实 and annual targets (DraftMonthly). Items are in the order
// the records first name them; the targets no record names follow.
type MonthlyDraft struct {
	Month string
	Items []DraftItem
}

// Unfinished returns the items due by the month's end and not done: the
// ones the 月小结 must give a reason for.
func (d MonthlyDraft) Unfinished() []DraftItem {
	var out []DraftItem
	for _, it := range d.Items {
		if it.State == DraftUnfinished {
			out = append(out, it)
		}
	}
	return out
}

// DraftMonthly builds the draft of a 月小结 for month from the person's
// weekly entries and annual targets; it is pure. A weekly entry counts for
// the month when its week's Thursday falls in it (the ISO rule every
// other count uses); a waived week has no record. A task is identified by
// its annual target when it names one, otherwise by its title (spaces
// ignored), and the latest record tells its progress. A confirmed target
// due in the month that no record names is an item too (not done: the
// records never reported it), as is one marked done in the month.
//
// A task is done late when its deadline falls before the week whose
// record first reported it done (or, for a target, before the day it was
// marked done): a record says how far the week got, not on which day, so
// a task due inside the week it was reported done counts as on time.
func DraftMonthly(month calendar.Period, weeklies []Entry, targets []Target) MonthlyDraft {
	d := MonthlyDraft{Month: month.String()}
	var es []Entry
	for _, e := range weeklies {
		if e.Kind != EntryWeekly || e.State == EntryWaived {
			continue
		}
		w, err := calendar.ParsePeriod(e.Period)
		if err != nil || w.Kind() != calendar.Week || !month.Contains(w.Start().AddDays(3)) {
			continue
		}
		es = append(es, e)
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, _ := calendar.ParsePeriod(es[i].Period)
		b, _ := calendar.ParsePeriod(es[j].Period)
		return a.Start().Before(b.Start())
	})
	index := map[string]int{}
	for _, e := range es {
		for _, t := range e.Body.Tasks {
			k := draftKey(t.Target, t.Title)
			i, seen := index[k]
			if !seen {
				i = len(d.Items)
				index[k] = i
				d.Items = append(d.Items, DraftItem{Target: t.Target})
			}
			it := &d.Items[i]
			wasDone := seen && it.Progress >= 100
			it.Title, it.Progress = t.Title, t.Progress
			if !t.Deadline.IsZero() {
				it.Deadline = t.Deadline
			}
			// Week is where it was first reported done, while it stays so;
			// otherwise the latest record naming it.
			if !(wasDone && t.Progress >= 100) {
				it.Week = e.Period
			}
		}
	}
	for _, tg := range targets {
		if tg.State != TargetApproved && tg.State != TargetDone {
			continue // not yet agreed at both levels (审核, 审定)
		}
		dueHere := month.Contains(tg.Deadline)
		doneHere := tg.State == TargetDone && month.Contains(tg.DoneOn)
		i, named := index[draftKey(tg.ID, tg.Title)]
		switch {
		case named:
			if tg.State == TargetDone && d.Items[i].Progress >= 100 {
				d.Items[i].DoneOn = tg.DoneOn
			}
			if d.Items[i].Deadline.IsZero() {
				d.Items[i].Deadline = tg.Deadline
			}
		case dueHere || doneHere:
			it := DraftItem{Title: tg.Title, Target: tg.ID, Deadline: tg.Deadline}
			if tg.State == TargetDone {
				it.Progress, it.DoneOn = 100, tg.DoneOn
			}
			index[draftKey(tg.ID, tg.Title)] = len(d.Items)
			d.Items = append(d.Items, it)
		}
	}
	for i := range d.Items {
		d.Items[i].State = draftState(month, d.Items[i])
	}
	return d
}

func draftState(month calendar.Period, it DraftItem) string {
	if it.Progress >= 100 {
		if it.Deadline.IsZero() {
			return DraftDone
		}
		if !it.DoneOn.IsZero() {
			if it.DoneOn.After(it.Deadline) {
				return DraftLate
			}
			return DraftDone
		}
		if w, err := calendar.ParsePeriod(it.Week); err == nil && it.Deadline.Before(w.Start()) {
			return DraftLate
		}
		return DraftDone
	}
	if !it.Deadline.IsZero() && !it.Deadline.After(month.End()) {
		return DraftUnfinished
	}
	return DraftOngoing
}

// draftKey identifies a task across weeks: its target, else its title.
func draftKey(target, title string) string {
	if target != "" {
		return "t:" + target
	}
	return "n:" + squash(title)
}

// squash drops white space, so "起草 报告" and "起草报告" are one task.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// uncovered returns the titles of the draft's unfinished items that no
// row of rows names. A row names an item when one's text holds the other
// (spaces ignored), so a shortened title or several items in one row
// count. When every row the form has is used, nothing is uncovered: the
// form can hold no more, and the person has said what it could.
func (d MonthlyDraft) uncovered(rows []Unfinished) []string {
	if len(rows) >= MaxUnfinished {
		return nil
	}
	var out []string
	for _, it := range d.Unfinished() {
		t := squash(it.Title)
		ok := false
		for _, r := range rows {
			item := squash(r.Item)
			if strings.Contains(item, t) || (len([]rune(item)) >= 2 && strings.Contains(t, item)) {
				ok = true
				break
			}
		}
		if !ok {
			out = append(out, it.Title)
		}
	}
	return out
}

// monthlyDraft loads person's draft for month inside a transaction.
func monthlyDraft(ctx context.Context, tx Tx, person string, month calendar.Period) (MonthlyDraft, error) {
	es, err := tx.Entries(ctx, EntryFilter{Kind: EntryWeekly, Person: person})
	if err != nil {
		return MonthlyDraft{}, err
	}
	ts, err := tx.Targets(ctx, person, month.Start().Year)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return MonthlyDraft{}, err
	}
	return DraftMonthly(month, es, ts), nil
}

// MonthlyDraft is by's own 月小结 draft for month ("2026-09"): the card
// prefills a 月小结 not yet saved from it. Errors: ErrInvalidInput (not a
// month).
func (s *Service) MonthlyDraft(ctx context.Context, by, month string) (MonthlyDraft, error) {
	m, err := calendar.ParsePeriod(month)
	if err != nil || m.Kind() != calendar.Month {
		return MonthlyDraft{}, invalid("period", "须为月份，如 2026-09")
	}
	var out MonthlyDraft
	err = s.view(ctx, func(tx Tx) error {
		var err error
		out, err = monthlyDraft(ctx, tx, by, m)
		return err
	})
	return out, err
}
