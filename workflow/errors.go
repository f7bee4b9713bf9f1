package workflow

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// Domain error kinds. Every error a Service method returns either matches one
// of these with errors.Is or is an unexpected failure (a store that is down),
// which Message turns into "系统繁忙，请稍后重试".
var (
	// ErrNotFound: the person, unit, period, entry, step or review does not exist.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the caller may not do this (not the owner, not the
	// assignee or an active delegate, not HR, not on the committee).
	ErrForbidden = errors.New("forbidden")
	// ErrInvalidTransition: the object is not in a state that allows the
	// action (a step already decided, a period not yet published …).
	ErrInvalidTransition = errors.New("invalid transition")
	// ErrStale: the caller acted on an old version (a card clicked after the
	// step moved on); nothing changed.
	ErrStale = errors.New("stale version")
	// ErrConflict: a uniqueness rule was hit (the same slot fired twice, an
	// entry already exists, a vote already cast).
	ErrConflict = errors.New("conflict")
	// ErrWindowClosed: the action's window has closed (复核 after the
	// deadline, a vote after the committee closed the quarter).
	ErrWindowClosed = errors.New("window closed")
	// ErrInvalidInput: a value is missing, malformed or out of range; the
	// *InputError names the field.
	ErrInvalidInput = errors.New("invalid input")
	// ErrIncomplete: a prerequisite is missing (weekly records of the
	// quarter, open chains, undecided ties); the *IncompleteError says what.
	ErrIncomplete = errors.New("incomplete")
)

// InputError is an ErrInvalidInput that names the offending field and says,
// in Chinese, what is wrong with it (shown to the user as is).
type InputError struct {
	Field string // e.g. "scores.德.思想政治素质", "reason"
	Msg   string // Chinese, e.g. "不能超过 6 分"
}

func (e *InputError) Error() string { return fmt.Sprintf("invalid input: %s: %s", e.Field, e.Msg) }

// Is makes errors.Is(err, ErrInvalidInput) true.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

func invalid(field, msg string) error { return &InputError{Field: field, Msg: msg} }

// ForbiddenError is an ErrForbidden that says, in Chinese, why the caller
// may not act (shown to the user after "您无权办理此事项：").
type ForbiddenError struct {
	Why string // e.g. "不能审核本人的考核"
}

func (e *ForbiddenError) Error() string { return "forbidden: " + e.Why }

// Is makes errors.Is(err, ErrForbidden) true.
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

func forbidden(why string) error { return &ForbiddenError{Why: why} }

// StateError is an ErrWindowClosed or ErrInvalidTransition that says, in
// Chinese, which window or state refused the action and when it closed or
// opens (shown to the user as is), while the log keeps Detail in English.
type StateError struct {
	Kind   error  // ErrWindowClosed or ErrInvalidTransition
	Detail string // English, for the log: "votes of 2026-Q3 closed 2026-10-09"
	Why    string // Chinese, a whole sentence: "民主测评已于2026-10-09截止，不能再提交"
}

func (e *StateError) Error() string { return e.Detail + ": " + e.Kind.Error() }

// Unwrap makes errors.Is(err, e.Kind) true.
func (e *StateError) Unwrap() error { return e.Kind }

// windowClosed is an ErrWindowClosed saying why in Chinese.
func windowClosed(why, detail string, args ...any) error {
	return &StateError{Kind: ErrWindowClosed, Detail: fmt.Sprintf(detail, args...), Why: why}
}

// notYet is an ErrInvalidTransition saying why in Chinese.
func notYet(why, detail string, args ...any) error {
	return &StateError{Kind: ErrInvalidTransition, Detail: fmt.Sprintf(detail, args...), Why: why}
}

// IncompleteError is an ErrIncomplete listing what is missing.
type IncompleteError struct {
	What    string   // Chinese, e.g. "周记实"
	Missing []string // the missing items, e.g. week ids or person names
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("incomplete: %s missing %v", e.What, e.Missing)
}

// Is makes errors.Is(err, ErrIncomplete) true.
func (e *IncompleteError) Is(target error) bool { return target == ErrIncomplete }

// Message turns an error returned by a Service method into the Chinese text
// shown to the user (a card toast or a chat reply). Unknown errors become
// the generic "系统繁忙，请稍后重试"; the caller logs those in full.
func Message(err error) string {
	if err == nil {
		return "操作成功"
	}
	var ie *InputError
	if errors.As(err, &ie) {
		if name := fieldName(ie.Field); name != "" {
			return fmt.Sprintf("填写有误：%s %s", name, ie.Msg)
		}
		return "填写有误：" + ie.Msg
	}
	var fe *ForbiddenError
	if errors.As(err, &fe) {
		return "您无权办理此事项：" + fe.Why
	}
	var se *StateError
	if errors.As(err, &se) {
		return se.Why
	}
	var sc *ScoringError
	if errors.As(err, &sc) {
		return sc.message()
	}
	var ic *IncompleteError
	if errors.As(err, &ic) {
		if len(ic.Missing) > 0 {
			return fmt.Sprintf("尚不能办理：%s未齐（%s）", ic.What, joinMax(ic.Missing, 5))
		}
		return fmt.Sprintf("尚不能办理：%s未齐", ic.What)
	}
	switch {
	case errors.Is(err, ErrForbidden):
		return "您无权办理此事项"
	case errors.Is(err, ErrStale):
		return "该事项已被处理或已更新，请刷新后查看"
	case errors.Is(err, ErrInvalidTransition):
		return "该事项当前状态不允许此操作"
	case errors.Is(err, ErrWindowClosed):
		return "办理期限已过，不能再提交"
	case errors.Is(err, ErrConflict):
		return "该事项已提交，请勿重复操作"
	case errors.Is(err, ErrNotFound):
		return "未找到相关人员或事项"
	case errors.Is(err, ErrInvalidInput):
		// A repeated request refused the first time comes back as the bare
		// code, without the field it named.
		return "填写有误，请检查后重新提交"
	case errors.Is(err, ErrIncomplete):
		return "尚不能办理：所需事项未齐"
	}
	return "系统繁忙，请稍后重试"
}

// fieldName translates the head of a field path into Chinese for messages.
// fieldName turns a field path ("adjustments[0].points", "scores.德") into
// what a person reads: known parts in Chinese, list positions counted from
// 1, names that are already Chinese (indicators) kept, and internal
// identifiers left out — no user sees "adjustments[0].points".
func fieldName(f string) string {
	var b strings.Builder
	for i, seg := range strings.Split(f, ".") {
		name, idx, _ := strings.Cut(seg, "[")
		part := fieldNames[name]
		if part == "" && !isASCII(name) {
			part = name
		}
		if part != "" {
			if i > 0 && b.Len() > 0 {
				b.WriteString("·")
			}
			b.WriteString(part)
		}
		for idx != "" {
			n, rest, _ := strings.Cut(idx, "]")
			if k, err := strconv.Atoi(n); err == nil {
				fmt.Fprintf(&b, "第%d项", k+1)
			}
			_, idx, _ = strings.Cut(rest, "[")
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "「" + b.String() + "」"
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// fieldNames are the Chinese names of the input fields people fill in.
var fieldNames = map[string]string{
	"person": "人员", "unit": "科室", "period": "考核期", "reason": "理由",
	"scores": "评分", "score": "分数", "grade": "等次", "comment": "评语",
	"tasks": "工作任务", "summary": "小结", "training": "培训情况",
	"votes": "测评分", "goals": "工作目标", "completion": "完成情况",
	"unfinished": "未完成事项", "start": "开始日期", "end": "结束日期",
	"delegate": "代理人", "step": "审批环节", "version": "版本",
	"attendance": "考勤", "targets": "年度任务", "kind": "类型",
	"feedback": "反馈", "review": "复核", "name": "姓名", "tier": "职级",
	"status": "状态", "id": "编号", "adjustments": "加减分", "points": "分值",
	"progress": "进度", "title": "工作内容", "deadline": "完成时限", "item": "事项",
	"decisions": "审定意见", "direct": "直接定等", "event": "事由", "leave": "请假",
	"days": "天数", "late": "迟到", "early": "早退", "presence": "出勤",
}

func joinMax(xs []string, n int) string {
	s := ""
	for i, x := range xs {
		if i == n {
			return s + fmt.Sprintf(" 等%d项", len(xs))
		}
		if i > 0 {
			s += "、"
		}
		s += x
	}
	return s
}

// audited marks a refusal the service has already written to the audit
// log, so an adapter that audits the refusals it makes itself does not
// write it twice.
type audited struct{ error }

func (a audited) Unwrap() error { return a.error }

// Audited reports whether err is a refusal the service has already
// audited. Adapters audit every other ErrForbidden at one place
// (Service.RecordDenial), so each denial is in the log exactly once.
func Audited(err error) bool {
	var a audited
	return errors.As(err, &a)
}

// periodName is how a message names a period: "2026年第三季度", "2026年9月",
// "2026年第40周"; an id it cannot read stays as it is.
func periodName(id string) string {
	cycle, scheme := splitPeriodID(id)
	p, err := calendar.ParsePeriod(cycle)
	if err != nil {
		return id
	}
	if scheme != "" {
		return periodName(cycle) + "（" + strings.ToUpper(scheme) + "）"
	}
	switch p.Kind() {
	case calendar.Quarter:
		return fmt.Sprintf("%d年第%s季度", p.Year(), []string{"一", "二", "三", "四"}[p.Index()-1])
	case calendar.Month:
		return fmt.Sprintf("%d年%d月", p.Year(), p.Index())
	case calendar.Week:
		return fmt.Sprintf("%d年第%d周", p.Year(), p.Index())
	}
	return id
}
