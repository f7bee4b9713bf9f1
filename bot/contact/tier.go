package contact

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	larkcontact "github.com/larksuite/oapi-sdk-go/v3/service/contact/v3"
)

// Where Options.TierBy reads a person's tier from.
const (
	// TierByJobTitle reads the user's job_title (职务).
	TierByJobTitle = "job_title"
	// TierByCustomAttr, followed by a custom field's id
	// ("custom_attr:C-1234"), reads that custom field (自定义字段): a text
	// field's text, an option field's option_value.
	TierByCustomAttr = "custom_attr:"
	// TierOther is the key of Options.Tiers for every value not listed
	// (S2's 其他 is such a catch-all).
	TierOther = "*"
)

// Options are HR's rules for a sync beyond what Lark says by itself.
//
// Tiers (S2: 正科/副科/其他) pick a person's chain and are not a Lark
// concept: a unit keeps them in Lark as a job title (职务) or as a custom
// field, so HR maps that value to a tier. They come from kaohe's
// configuration rather than from the 同步通讯录 command: the mapping is the
// same at every sync, and a mapping typed into chat each time would be
// typed differently.
type Options struct {
	// TierBy is "" (tiers are not synced), TierByJobTitle, or
	// TierByCustomAttr followed by the field's id.
	TierBy string
	// Tiers maps the value read (trimmed) to a tier of the scheme;
	// TierOther maps every other non-empty value.
	Tiers map[string]string
}

// Validate checks the options against the scheme's tiers: a mapping needs
// somewhere to read from, and every tier it names must be the scheme's.
func (o Options) Validate(tiers []string) error {
	switch {
	case o.TierBy == "" && len(o.Tiers) == 0:
		return nil
	case o.TierBy == "":
		return fmt.Errorf("contact tiers: a mapping without tier_by (%q or %q<field id>)", TierByJobTitle, TierByCustomAttr)
	case o.TierBy != TierByJobTitle && (!strings.HasPrefix(o.TierBy, TierByCustomAttr) || strings.TrimPrefix(o.TierBy, TierByCustomAttr) == ""):
		return fmt.Errorf("contact tier_by %q: want %q or %q<field id>", o.TierBy, TierByJobTitle, TierByCustomAttr)
	case len(o.Tiers) == 0:
		return fmt.Errorf("contact tier_by %q without a mapping", o.TierBy)
	}
	keys := make([]string, 0, len(o.Tiers))
	for k := range o.Tiers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// Values are compared as Value returns them: cleaned and trimmed.
		if k == "" || k != Name(&k, "") {
			return fmt.Errorf("contact tiers: value %q is empty or not trimmed", k)
		}
		if t := o.Tiers[k]; !slices.Contains(tiers, t) {
			return fmt.Errorf("contact tiers: %q maps to %q, not a tier of the scheme (%s)", k, t, strings.Join(tiers, ", "))
		}
	}
	return nil
}

// Value returns what TierBy reads from a user, cleaned like a name, or ""
// when the user has none (or TierBy is unset).
func (o Options) Value(u *larkcontact.User) string {
	if u == nil {
		return ""
	}
	var v *string
	switch {
	case o.TierBy == TierByJobTitle:
		v = u.JobTitle
	case strings.HasPrefix(o.TierBy, TierByCustomAttr):
		id := strings.TrimPrefix(o.TierBy, TierByCustomAttr)
		for _, a := range u.CustomAttrs {
			if a == nil || a.Id == nil || *a.Id != id || a.Value == nil {
				continue
			}
			// 获取部门直属用户列表: text for TEXT (and HREF's title),
			// option_value for ENUMERATION and PICTURE_ENUM. [D18]
			v = a.Value.Text
			if v == nil || *v == "" {
				v = a.Value.OptionValue
			}
			break
		}
	}
	if v == nil {
		return ""
	}
	return Name(v, "")
}

// Tier maps a value to its tier: the value's own entry, else TierOther's
// for a non-empty value. ok is false when neither applies.
func (o Options) Tier(value string) (tier string, ok bool) {
	if value == "" || len(o.Tiers) == 0 {
		return "", false
	}
	if t, ok := o.Tiers[value]; ok {
		return t, true
	}
	t, ok := o.Tiers[TierOther]
	return t, ok
}
