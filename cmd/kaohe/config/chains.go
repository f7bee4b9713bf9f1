package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// Chain keys that are not role tiers.
const (
	// ChainDefault is the chain of everyone whose tier has none of its own
	// (workflow's "" chain); "" itself is accepted too.
	ChainDefault = "default"
	// ChainLeader is the chain of a person who leads their unit; it wins
	// over their tier's chain (workflow.Config.Chains).
	ChainLeader = "@leader"
)

// maxStepName bounds a step's name: it is shown on cards as
// "考核评分（审定）" and "待您审定", where a sentence would not fit.
const maxStepName = 12

// ChainStep is one step of a configured chain, written "role:name"
// ("unit_leader:初评") or, as YAML reads "role: name" in a list, a mapping
// of one role to its name. What is not either is kept as Bad, so that
// Validate names the chain and the step instead of the YAML decoder
// reporting a line.
type ChainStep struct {
	Role, Name string
	// Bad is the text of a step that is neither form.
	Bad string
}

// UnmarshalYAML reads "role:name" (a full-width colon too) or {role: name}.
func (s *ChainStep) UnmarshalYAML(n *yaml.Node) error {
	switch {
	case n.Kind == yaml.ScalarNode:
		role, name, ok := strings.Cut(strings.ReplaceAll(n.Value, "：", ":"), ":")
		if !ok {
			*s = ChainStep{Bad: n.Value}
			return nil
		}
		*s = ChainStep{Role: strings.TrimSpace(role), Name: strings.TrimSpace(name)}
	case n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Kind == yaml.ScalarNode && n.Content[1].Kind == yaml.ScalarNode:
		*s = ChainStep{Role: strings.TrimSpace(n.Content[0].Value), Name: strings.TrimSpace(n.Content[1].Value)}
	default:
		*s = ChainStep{Bad: "a " + nodeKind(n)}
	}
	return nil
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

// String is "role:name".
func (s ChainStep) String() string { return s.Role + ":" + s.Name }

// chainRoles are the roles a step may name, as workflow resolves them.
var chainRoles = []string{workflow.RoleUnitLeader, workflow.RoleSupervisor, workflow.RoleHead}

// chainKeys returns the configured tiers in a stable order: default,
// @leader, then the tiers sorted.
func chainKeys(m map[string][]ChainStep) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		switch k {
		case ChainDefault, "":
			return 0
		case ChainLeader:
			return 1
		}
		return 2
	}
	sort.Slice(keys, func(i, j int) bool {
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// checkChains reports the first bad chain as a *Error naming it
// ("chains.正科[2]"). Nothing set is valid: the workflow's default chains
// (S4's 初评 → 审定 → 评鉴) apply.
func (c Config) checkChains() error {
	if len(c.Chains) == 0 {
		return nil
	}
	_, hasDefault := c.Chains[ChainDefault]
	_, hasEmpty := c.Chains[""]
	switch {
	case hasDefault && hasEmpty:
		return c.fieldError("chains", `both "" and default are given: they are the same chain, keep one`)
	case !hasDefault && !hasEmpty:
		return c.fieldError("chains", "no default chain: add default: [...] for everyone whose tier has no chain of its own "+
			"(when chains is set it replaces the built-in chains entirely)")
	}
	for _, tier := range chainKeys(c.Chains) {
		key := "chains." + tier
		if tier == "" {
			key = "chains.default"
		}
		if tier != "" && tier != ChainDefault && tier != ChainLeader {
			switch {
			case strings.HasPrefix(tier, "@"):
				return c.fieldError(key, fmt.Sprintf("%q: the only @ key is %s (a person who leads their unit)", tier, ChainLeader))
			case strings.TrimSpace(tier) != tier || !utf8.ValidString(tier) || strings.ContainsFunc(tier, unicode.IsControl):
				return c.fieldError(key, fmt.Sprintf("tier %q: no spaces around it and no control characters", tier))
			}
		}
		chain := c.Chains[tier]
		if len(chain) == 0 {
			return c.fieldError(key, "empty chain: give at least one step such as supervisor:审定, "+
				"or leave the tier out to give it the default chain")
		}
		seen := map[string]bool{}
		for i, st := range chain {
			at := fmt.Sprintf("%s[%d]", key, i+1)
			if st.Bad != "" {
				return c.fieldError(at, fmt.Sprintf("%q: want role:name, such as unit_leader:初评", clipText(st.Bad)))
			}
			if !slices.Contains(chainRoles, st.Role) {
				return c.fieldError(at, fmt.Sprintf("role %q: want unit_leader (科室负责人), supervisor (分管领导) or head (主管领导)", clipText(st.Role)))
			}
			if seen[st.Role] {
				return c.fieldError(at, fmt.Sprintf("role %s appears twice in the chain: the same leader would act twice", st.Role))
			}
			seen[st.Role] = true
			if err := checkStepName(st.Name); err != "" {
				return c.fieldError(at, err)
			}
		}
	}
	return nil
}

// checkStepName says what is wrong with a step's name, "" if nothing.
func checkStepName(name string) string {
	switch {
	case name == "":
		return "the step has no name: write role:name, such as supervisor:审定"
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return "the step's name has a control character"
	case utf8.RuneCountInString(name) > maxStepName:
		return fmt.Sprintf("name %q: at most %d characters, it is shown on cards", clipText(name), maxStepName)
	}
	return ""
}

func clipText(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// WorkflowChains turns the chains setting into workflow.Config.Chains; nil
// when none is set, so the workflow's defaults apply. default becomes "".
func (c Config) WorkflowChains() map[string][]workflow.ChainStep {
	if len(c.Chains) == 0 {
		return nil
	}
	out := make(map[string][]workflow.ChainStep, len(c.Chains))
	for tier, chain := range c.Chains {
		if tier == ChainDefault {
			tier = ""
		}
		steps := make([]workflow.ChainStep, len(chain))
		for i, st := range chain {
			steps[i] = workflow.ChainStep{Role: st.Role, Name: st.Name}
		}
		out[tier] = steps
	}
	return out
}

// CheckChainTiers refuses a chain for a tier the scheme does not know, when
// the scheme names its tiers (S2: 正科/副科/其他; S6: 部门负责人/其他): a
// misspelt tier would otherwise leave its people on the default chain
// without a word. A scheme without tiers accepts any (people's tiers then
// only choose their chain).
func (c Config) CheckChainTiers(sc *scoring.Scheme) error {
	if len(sc.Tiers) == 0 {
		return nil
	}
	for _, tier := range chainKeys(c.Chains) {
		if tier == "" || tier == ChainDefault || tier == ChainLeader || slices.Contains(sc.Tiers, tier) {
			continue
		}
		return c.fieldError("chains."+tier, fmt.Sprintf("scheme %s has no tier %q: its tiers are %s", sc.ID, tier, strings.Join(sc.Tiers, ", ")))
	}
	return nil
}

// chainsText is the chains for the log: "default=unit_leader:初评>…; 正科=…".
func (c Config) chainsText() string {
	var parts []string
	for _, tier := range chainKeys(c.Chains) {
		steps := make([]string, len(c.Chains[tier]))
		for i, st := range c.Chains[tier] {
			steps[i] = st.String()
		}
		parts = append(parts, tier+"="+strings.Join(steps, ">"))
	}
	return strings.Join(parts, "; ")
}
