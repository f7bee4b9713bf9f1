package workflow

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// Changes that keep the organisation in line with the directory HR keeps
// it in (Lark's, through 同步通讯录): a person's or a unit's new name and a
// person's tier. Each is HR's, with a reason, and one audit row that says
// what changed; none moves a pending step (a name or a tier does not
// change who decides).

// RenamePerson changes a person's name (HR only). Errors: ErrForbidden,
// ErrInvalidInput (unknown person, empty name or reason).
func (s *Service) RenamePerson(ctx context.Context, by, personID, name, reason string) error {
	return s.change(ctx, by, "person.rename", personID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		if err := needText("name", name); err != nil {
			return err
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		p, err := s.person(o, personID, "person")
		if err != nil {
			return err
		}
		if p.Name == name {
			o.logf("unchanged") // already so: a repeated sync changes nothing
			return nil
		}
		o.logf("name %s -> %s: %s", p.Name, name, reason)
		p.Name = name
		p.Version++
		return o.tx.UpdatePerson(o.ctx, p)
	})
}

// SetTier sets a person's role tier (HR only), which picks their chain
// from the next one that starts: one of the scheme's tiers, or "" for none
// when the scheme has at most one. Errors: ErrForbidden, ErrInvalidInput
// (unknown person, a tier the scheme does not have, empty reason).
func (s *Service) SetTier(ctx context.Context, by, personID, tier, reason string) error {
	return s.change(ctx, by, "person.tier", personID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		p, err := s.person(o, personID, "person")
		if err != nil {
			return err
		}
		sc, _, err := s.personScheme(o.ctx, o.tx, p)
		if err != nil {
			return err
		}
		tiers := sc.Tiers
		if (tier != "" || len(tiers) > 1) && !slices.Contains(tiers, tier) {
			return invalid("tier", "须为方案的职级之一（"+strings.Join(tiers, "、")+"）")
		}
		if p.Tier == tier {
			o.logf("unchanged")
			return nil
		}
		o.logf("tier %q -> %q: %s", p.Tier, tier, reason)
		p.Tier = tier
		p.Version++
		return o.tx.UpdatePerson(o.ctx, p)
	})
}

// RenameUnit changes a unit's name (HR only). Errors: ErrForbidden,
// ErrInvalidInput (unknown unit, empty name or reason).
func (s *Service) RenameUnit(ctx context.Context, by, unitID, name, reason string) error {
	return s.change(ctx, by, "unit.rename", unitID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		if err := needText("name", name); err != nil {
			return err
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		u, err := o.tx.Unit(o.ctx, unitID)
		if errors.Is(err, ErrNotFound) {
			return invalid("unit", "科室不存在："+unitID)
		} else if err != nil {
			return err
		}
		if u.Name == name {
			o.logf("unchanged")
			return nil
		}
		o.logf("name %s -> %s: %s", u.Name, name, reason)
		u.Name = name
		return o.tx.PutUnit(o.ctx, u)
	})
}
