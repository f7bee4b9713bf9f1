package config

import (
	"github.com/kaohe/kaohe/scoring"
)

// Uniformity reads the uniform_* settings into the rule the workflow flags
// 大锅饭 scoring by; empty and zero settings keep scoring's defaults. The
// error is a *Error naming the setting.
func (c Config) Uniformity() (scoring.UniformRule, error) {
	r := scoring.UniformRule{Off: c.UniformOff, MinSize: c.UniformMinSize}
	if c.UniformMinSize != 0 && (c.UniformMinSize < 2 || c.UniformMinSize > 1000) {
		return r, c.fieldError("uniform_min_size", "want 0 (the default, 4) or 2 to 1000 people")
	}
	for _, f := range []struct {
		key, v string
		to     *scoring.Dec
	}{{"uniform_stdev_under", c.UniformStdevUnder, &r.StdevUnder}, {"uniform_range_under", c.UniformRangeUnder, &r.RangeUnder}} {
		if f.v == "" {
			continue
		}
		d, err := scoring.ParseDec(f.v)
		if err != nil || d.IsNegative() {
			return r, c.fieldError(f.key, "want points as a plain number such as 2 or 1.5, empty for the default")
		}
		*f.to = d
	}
	if c.UniformTopShareOver != "" {
		p, err := scoring.ParsePercent(c.UniformTopShareOver)
		if err != nil {
			return r, c.fieldError("uniform_top_share_over", "want a share such as 80%, empty for the default")
		}
		r.TopShareOver = p
	}
	if err := r.Validate(); err != nil {
		// Only the share's bounds are left for Validate to find.
		return r, c.fieldError("uniform_top_share_over", "want 0% to 100%: "+err.Error())
	}
	return r, nil
}

// UniformRule is Uniformity's rule for a validated configuration.
func (c Config) UniformRule() scoring.UniformRule {
	r, _ := c.Uniformity() // Validate has refused a bad one
	return r
}
