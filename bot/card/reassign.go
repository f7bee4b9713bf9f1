package card

import (
	"fmt"
	"strings"
)

// KindReassign moves a pending step to another leader (HR's 转办). ID: the
// step; V: the step's version.
const KindReassign = "reassign"

// FormReassign opens HR's 转办 card of a step ("reassign/2026-Q3/ou_x/1").
const FormReassign = "reassign"

// Fields of the 转办 card.
const (
	FieldReassignTo     = "reassign_to"
	FieldReassignReason = "reassign_reason"
)

// ReassignForm is a stuck step as HR sees it, with whom it may go to.
type ReassignForm struct {
	Step    string
	Version int
	// StepName is 初评, 审定 …; Person and Assignee are names.
	StepName, Person, Assignee, Due string
	// Candidates are the leaders and committee members it may go to.
	Candidates []Holder
}

// ReassignCard renders HR's 转办 card: the step, who holds it, and a form
// choosing the new assignee with the reason.
func ReassignCard(f ReassignForm) ([]byte, error) {
	if f.Step == "" || len(f.Candidates) == 0 || len(f.Candidates) > MaxHolders {
		return nil, fmt.Errorf("reassign %q with %d candidates: %w", f.Step, len(f.Candidates), ErrBadModel)
	}
	opts := make([]option, len(f.Candidates))
	for i, c := range f.Candidates {
		label := c.Name
		if c.Grade != "" {
			label += "（" + c.Grade + "）"
		}
		opts[i] = option{label, c.ID}
	}
	holder := "**现由**：" + escLine(f.Assignee) + "办理"
	if f.Assignee == "" {
		holder = "**现由**：暂无人办理（原办理人已不能办理）" // left with nobody by an organisation change
	}
	lines := []string{"**事项**：" + escLine(f.StepName) + "：" + escLine(f.Person), holder}
	if f.Due != "" {
		lines = append(lines, "**截止**："+escLine(f.Due))
	}
	els := []elem{
		md(strings.Join(lines, "\n")),
		form("reassign_form", []elem{
			selectStatic(FieldReassignTo, "转给", opts, "", true),
			input(FieldReassignReason, "", "转办原因（必填，告知新的办理人）", "", MaxShortText, true),
			formButton("submit", "转办", "primary", "submit", &Value{K: KindReassign, ID: f.Step, V: f.Version}),
		}),
	}
	return build("转办："+clip(f.Person, 20), f.StepName, Orange, "转办："+clip(f.Person, 20), els), nil
}

// Reassignment is the 转办 form.
type Reassignment struct{ To, Reason string }

// ParseReassign reads the 转办 form; the new assignee must be one of ids.
// Errors are *FieldError.
func ParseReassign(fv map[string]any, ids []string) (Reassignment, error) {
	var out Reassignment
	r, err := newReader(fv)
	if err != nil {
		return out, err
	}
	if out.To, err = r.choice(FieldReassignTo, "转给", ids, true); err != nil {
		return out, err
	}
	if out.Reason, err = r.text(FieldReassignReason, "转办原因", MaxShortText, false, true); err != nil {
		return out, err
	}
	return out, r.finish()
}
