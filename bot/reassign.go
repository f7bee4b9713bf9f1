package bot

import (
	"context"
	"fmt"
	"sort"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/workflow"
)

// reassignForm is HR's 转办 card of a pending step: the leaders and
// committee members it may go to, other than the person and the current
// assignee.
func (b *Bot) reassignForm(ctx context.Context, op, stepID string) (card.ReassignForm, error) {
	if err := b.requireHR(ctx, op); err != nil {
		return card.ReassignForm{}, err
	}
	var st workflow.Step
	cands := map[string]bool{}
	var names map[string]string
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		if st, err = tx.Step(ctx, stepID); err != nil {
			return err
		}
		units, err := tx.Units(ctx)
		if err != nil {
			return err
		}
		for _, u := range units {
			cands[u.Leader], cands[u.Supervisor] = true, true
		}
		people, err := tx.People(ctx)
		if err != nil {
			return err
		}
		names = map[string]string{}
		for _, p := range people {
			names[p.ID] = p.Name
			if p.Committee {
				cands[p.ID] = true
			}
		}
		if set, err := tx.Settings(ctx); err == nil && set.Head != "" {
			cands[set.Head] = true
		}
		return nil
	})
	if err != nil {
		return card.ReassignForm{}, err
	}
	if st.State != workflow.StepPending {
		return card.ReassignForm{}, fmt.Errorf("step %s is %s: %w", stepID, st.State, workflow.ErrStale)
	}
	f := card.ReassignForm{Step: st.ID, Version: st.Version, StepName: st.Name, Person: names[st.Person],
		Assignee: names[st.Assignee], Due: st.Due.String()}
	for id := range cands {
		if id != "" && id != st.Person && id != st.Assignee && names[id] != "" {
			f.Candidates = append(f.Candidates, card.Holder{ID: id, Name: names[id]})
		}
	}
	sort.Slice(f.Candidates, func(i, j int) bool { return f.Candidates[i].ID < f.Candidates[j].ID })
	if len(f.Candidates) > card.MaxHolders {
		f.Candidates = f.Candidates[:card.MaxHolders]
	}
	return f, nil
}

// reassign moves the step from HR's 转办 card.
func (b *Bot) reassign(ctx context.Context, op string, v card.Value, fv map[string]any, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	f, err := b.reassignForm(ctx, op, v.ID)
	if err != nil {
		return nil, err
	}
	if f.Version != v.V {
		return nil, fmt.Errorf("step %s version %d, card %d: %w", v.ID, f.Version, v.V, workflow.ErrStale)
	}
	ids := make([]string, len(f.Candidates))
	for i, c := range f.Candidates {
		ids[i] = c.ID
	}
	in, err := card.ParseReassign(fv, ids)
	if err != nil {
		return nil, err
	}
	if err := b.svc.Reassign(idem(ctx, 0), op, v.ID, v.V, in.To, in.Reason); err != nil {
		return nil, err
	}
	return done("转办："+f.Person, "已转给"+b.name(ctx, in.To), "原因："+in.Reason), nil
}
