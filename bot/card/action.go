package card

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// Action kinds: the "k" of every callback value. The id and version each
// kind carries are listed with it; V is 0 where no version applies.
const (
	// KindOpen sends the form named by the id (OpenID): "daily/2026-10-12",
	// "weekly/2026-W40",
	// "monthly/2026-09", "quarterly/2026-Q3", "vote/2026-Q3",
	// "step/2026-Q3/ou_01/1", "committee/2026-Q3", "review/2026-Q3/ou_01",
	// "result/2026-Q3". V: 0.
	KindOpen = "open"
	// KindWeekly submits a 周记实 form. ID: the week ("2026-W40"); V: the
	// entry's version (0 when new).
	KindWeekly = "weekly"
	// KindMonthly submits a 月小结 form. ID: the month ("2026-09"); V: the
	// entry's version.
	KindMonthly = "monthly"
	// KindQuarterly submits a 季度小结/登记表 form. ID: the period
	// ("2026-Q3"); V: the entry's version.
	KindQuarterly = "quarterly"
	// KindVote submits a 民主测评 form. ID: the period; V: 0 (a vote is cast
	// once).
	KindVote = "vote"
	// KindApprove approves a step with the scoring form. ID: the step
	// ("2026-Q3/ou_01/1"); V: the step's version.
	KindApprove = "approve"
	// KindReturn sends a step back with the reason of the scoring form.
	// ID and V as KindApprove.
	KindReturn = "return"
	// KindAdjust approves a step with changed scores and the reason. ID and
	// V as KindApprove.
	KindAdjust = "adjust"
	// KindDecide submits the committee's tie decisions and confirms the
	// grades. ID: the period; V: the period's version.
	KindDecide = "decide"
	// KindConfirm confirms the grades when there is nothing to decide. ID
	// and V as KindDecide.
	KindConfirm = "confirm"
	// KindReview files a 复核 request with the reason of the result card's
	// form. ID: the period; V: the result's version, 0 on the card sent at
	// 公示 (it shows the result as published).
	KindReview = "review"
	// KindTodo refreshes the 待办 list. ID: ""; V: 0.
	KindTodo = "todo"
	// KindOpenPeriod opens a period (HR). ID: the period; V: 0.
	KindOpenPeriod = "period_open"
	// KindClosePeriod ends a period's appraisal and sends it to the
	// committee (HR). ID: the period; V: the period's version, 0 from a
	// notice (the service then checks the state alone).
	KindClosePeriod = "period_close"
	// KindFiled marks a period's 备案 done (HR). ID: the period; V as
	// KindClosePeriod.
	KindFiled = "period_filed"
	// KindFilingTables sends the period's filing forms (备案表) as .xlsx
	// files (HR). ID: the period; V: 0 (the forms are read when clicked,
	// so an old card sends what stands now).
	KindFilingTables = "filing_tables"
	// KindEndDelegation ends a delegation early (its giver or HR). ID: the
	// delegation; V: 0.
	KindEndDelegation = "delegation_end"
	// KindChase reminds everyone past a deadline at once (HR's 催办). ID:
	// ""; V: 0.
	KindChase = "chase"
	// KindProgress refreshes HR's progress card. ID: the period; V: 0.
	KindProgress = "progress"
	// KindComposeYear composes the annual appraisal (HR). ID: the year
	// ("2026"); V: 0 (composing again replaces the results).
	KindComposeYear = "year_compose"
)

var kinds = map[string]bool{
	KindOpen: true, KindDaily: true, KindWeekly: true, KindMonthly: true, KindQuarterly: true, KindVote: true,
	KindApprove: true, KindReturn: true, KindAdjust: true, KindDecide: true, KindConfirm: true,
	KindReview: true, KindTodo: true, KindReviewForward: true, KindReviewReject: true, KindReviewDecide: true,
	KindOpenPeriod: true, KindClosePeriod: true, KindFiled: true, KindFilingTables: true, KindEndDelegation: true, KindComposeYear: true, KindChase: true, KindProgress: true,
	KindPersonStatus: true, KindAbsence: true, KindFeedback: true, KindEntryComment: true, KindEntryReturn: true, KindTalk: true, KindReassign: true,
	KindTargetsPropose: true, KindTargetConfirm: true, KindTargetsConfirmAll: true, KindTargetReturn: true, KindTargetRevise: true, KindTargetExceed: true, KindBatch: true,
	KindAttendance: true, KindWaive: true, KindSecond: true, KindPersonLeft: true, KindVoteGroups: true, KindOutside: true,
	KindQuotaRaise: true, KindQuotaKeep: true, KindQuotaCap: true, KindUniformReturn: true,
}

// Kinds lists every callback kind ParseValue accepts, in sorted order: the
// bot's tests check each one's refusals and repeats.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Forms that KindOpen opens: the first part of its id.
const (
	FormWeekly    = "weekly"
	FormMonthly   = "monthly"
	FormQuarterly = "quarterly"
	FormVote      = "vote"
	FormStep      = "step"
	FormCommittee = "committee"
	FormReview    = "review"
	FormResult    = "result"
)

var forms = map[string]bool{
	FormDaily: true, FormWeekly: true, FormMonthly: true, FormQuarterly: true, FormVote: true, FormStep: true,
	FormCommittee: true, FormReview: true, FormResult: true, FormFeedback: true, FormEntry: true, FormTalk: true, FormReassign: true,
	FormTargets: true, FormTargetReturn: true, FormTargetRevise: true,
}

// maxIDLen bounds a value's id: step ids are "<period>/<open_id>/<seq>".
const maxIDLen = 200

// Value is the callback value of every interactive element: an action kind,
// an entity id and the entity's version as the card shows it.
type Value struct {
	K  string `json:"k"`
	ID string `json:"id"`
	V  int    `json:"v"`
}

func (v Value) object() elem { return elem{"k": v.K, "id": v.ID, "v": v.V} }

// Open is the value of a button that sends the form named by form for the
// entity id.
func Open(form, id string) Value { return Value{K: KindOpen, ID: OpenID(form, id)} }

// OpenID joins a form name and an entity id into a KindOpen id.
func OpenID(form, id string) string { return form + "/" + id }

// SplitOpenID splits a KindOpen id into its form and entity id. It returns
// an error for an unknown form or an empty entity id.
func SplitOpenID(id string) (form, entity string, err error) {
	form, entity, ok := strings.Cut(id, "/")
	if !ok || !forms[form] || entity == "" {
		return "", "", fmt.Errorf("open id %q: %w", id, ErrBadValue)
	}
	return form, entity, nil
}

// ErrBadValue is returned by ParseValue for a callback value that no kaohe
// card produces (a forged or garbled callback).
var ErrBadValue = errors.New("bad callback value")

// ParseValue decodes a callback's action.value object, as the SDK delivers
// it (numbers as float64 or json.Number). It accepts exactly the keys k, id
// and v: a known kind, an id of valid UTF-8 up to 200 bytes without control
// characters, and a whole version from 0 to 2^31-1. Any other shape is
// ErrBadValue.
func ParseValue(obj map[string]any) (Value, error) {
	var v Value
	if len(obj) != 3 {
		return v, fmt.Errorf("value has %d keys, want k, id, v: %w", len(obj), ErrBadValue)
	}
	k, ok := obj["k"].(string)
	if !ok || !kinds[k] {
		return v, fmt.Errorf("value kind %v: %w", obj["k"], ErrBadValue)
	}
	id, ok := obj["id"].(string)
	if !ok || len(id) > maxIDLen || !utf8.ValidString(id) || strings.ContainsFunc(id, isControl) {
		return v, fmt.Errorf("value id: %w", ErrBadValue)
	}
	var f float64
	switch n := obj["v"].(type) {
	case float64:
		f = n
	case int:
		f = float64(n)
	case json.Number:
		x, err := n.Float64()
		if err != nil {
			return v, fmt.Errorf("value version %q: %w", n, ErrBadValue)
		}
		f = x
	default:
		return v, fmt.Errorf("value version %v: %w", obj["v"], ErrBadValue)
	}
	if f < 0 || f > math.MaxInt32 || f != math.Trunc(f) {
		return v, fmt.Errorf("value version %v: %w", f, ErrBadValue)
	}
	if k == KindOpen {
		if _, _, err := SplitOpenID(id); err != nil {
			return v, err
		}
	}
	return Value{K: k, ID: id, V: int(f)}, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
