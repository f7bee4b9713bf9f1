package contact

import (
	"reflect"
	"testing"
)

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	s2 := []string{"正科", "副科", "其他"}
	tests := []struct {
		name string
		opts Options
		ok   bool
	}{
		{name: "OK_None", opts: Options{}, ok: true},
		{name: "OK_JobTitle", opts: Options{TierBy: TierByJobTitle, Tiers: map[string]string{"科长": "正科", "副科长": "副科", TierOther: "其他"}}, ok: true},
		{name: "OK_CustomAttr", opts: Options{TierBy: TierByCustomAttr + "C-1", Tiers: map[string]string{"正科级": "正科"}}, ok: true},
		{name: "Err_NoSource", opts: Options{Tiers: map[string]string{"科长": "正科"}}},
		{name: "Err_NoMapping", opts: Options{TierBy: TierByJobTitle}},
		{name: "Err_UnknownSource", opts: Options{TierBy: "job_level", Tiers: map[string]string{"科长": "正科"}}},
		{name: "Err_NoAttrID", opts: Options{TierBy: TierByCustomAttr, Tiers: map[string]string{"科长": "正科"}}},
		{name: "Err_UnknownTier", opts: Options{TierBy: TierByJobTitle, Tiers: map[string]string{"科长": "处级"}}},
		{name: "Err_Untrimmed", opts: Options{TierBy: TierByJobTitle, Tiers: map[string]string{" 科长": "正科"}}},
		{name: "Err_Empty", opts: Options{TierBy: TierByJobTitle, Tiers: map[string]string{"": "正科"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.opts.Validate(s2); (err == nil) != tt.ok {
				t.Errorf("Validate = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// TestOrgTiers reads tiers from the job title or a custom field, through
// the mapping and its catch-all; a person without the value has no tier.
func TestOrgTiers(t *testing.T) {
	t.Parallel()
	d := decode(t, `{"departments": [{"open_department_id": "od-a", "name": "甲科", "parent_department_id": "0"}],
	  "members": {"od-a": [
		{"open_id": "ou_1", "name": "一", "job_title": " 科长 ", "custom_attrs": [{"type": "ENUMERATION", "id": "C-1", "value": {"option_id": "o1", "option_value": "正科级"}}]},
		{"open_id": "ou_2", "name": "二", "job_title": "副科长", "custom_attrs": [{"type": "TEXT", "id": "C-1", "value": {"text": "副科级"}}]},
		{"open_id": "ou_3", "name": "三", "job_title": "科员"},
		{"open_id": "ou_4", "name": "四"}]}}`)
	tests := []struct {
		name   string
		opts   Options
		tiers  map[string]string
		values map[string]string
	}{
		{name: "JobTitle", opts: Options{TierBy: TierByJobTitle, Tiers: map[string]string{"科长": "正科", "副科长": "副科", TierOther: "其他"}},
			tiers:  map[string]string{"ou_1": "正科", "ou_2": "副科", "ou_3": "其他", "ou_4": ""},
			values: map[string]string{"ou_1": "科长", "ou_2": "副科长", "ou_3": "科员", "ou_4": ""}},
		{name: "CustomAttr", opts: Options{TierBy: TierByCustomAttr + "C-1", Tiers: map[string]string{"正科级": "正科", "副科级": "副科"}},
			tiers:  map[string]string{"ou_1": "正科", "ou_2": "副科", "ou_3": "", "ou_4": ""},
			values: map[string]string{"ou_1": "正科级", "ou_2": "副科级", "ou_3": "", "ou_4": ""}},
		{name: "None", opts: Options{}, tiers: map[string]string{"ou_1": "", "ou_2": "", "ou_3": "", "ou_4": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			org := Org(d, tt.opts)
			for _, p := range org.People {
				if p.Tier != tt.tiers[p.ID] {
					t.Errorf("%s: tier %q, want %q", p.ID, p.Tier, tt.tiers[p.ID])
				}
				if got := org.TierValues[p.ID]; got != tt.values[p.ID] {
					t.Errorf("%s: value %q, want %q", p.ID, got, tt.values[p.ID])
				}
			}
		})
	}
}

// TestMissingScopes: a field Lark always fills, missing from one item,
// names the field scope that returns it.
func TestMissingScopes(t *testing.T) {
	t.Parallel()
	full := `{"open_id": "ou_1", "name": "一", "status": {"is_resigned": false}, "department_ids": ["od-a"]}`
	tests := []struct {
		name string
		dir  string
		want []string
	}{
		{name: "OK_All", dir: `{"departments": [{"open_department_id": "od-a", "name": "甲科", "parent_department_id": "0"}], "members": {"od-a": [` + full + `]}}`},
		{name: "OK_Empty", dir: `{}`},
		{name: "DepartmentBase", dir: `{"departments": [{"open_department_id": "od-a", "parent_department_id": "0"}]}`,
			want: []string{ScopeDepartmentBase.ID}},
		{name: "DepartmentOrganize", dir: `{"departments": [{"open_department_id": "od-a", "name": "甲科"}]}`,
			want: []string{ScopeDepartmentOrganize.ID}},
		{name: "UserFields", dir: `{"members": {"0": [` + full + `, {"open_id": "ou_2"}]}}`,
			want: []string{ScopeUserBase.ID, ScopeUserEmployee.ID, ScopeUserDepartment.ID}},
		{name: "OK_NoID", dir: `{"departments": [{"name": ""}, null], "members": {"0": [{"name": ""}, null]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, s := range MissingScopes(decode(t, tt.dir)) {
				got = append(got, s.ID)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("MissingScopes = %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("MissingScopes = %q, want %q", got, tt.want)
				}
			}
		})
	}
}

// TestOrgRoot: members of the root belong to no unit and are not
// appraised by default; someone also in a department goes there, even
// when their orders mark the root primary.
func TestOrgRoot(t *testing.T) {
	t.Parallel()
	d := decode(t, `{"departments": [{"open_department_id": "od-a", "name": "甲科", "parent_department_id": "0"}],
	  "members": {
		"0": [{"open_id": "ou_head", "name": "局长"}, {"open_id": "ou_x", "name": "某", "orders": [{"department_id": "0", "is_primary_dept": true}]}],
		"od-a": [{"open_id": "ou_x", "name": "某"}, {"open_id": "ou_y", "name": "乙"}]}}`)
	got := map[string]string{}
	for _, p := range Org(d, Options{}).People {
		got[p.ID] = p.Unit
		if p.Unit == "" && p.Assessed {
			t.Errorf("%+v: a root member appraised", p)
		}
	}
	if want := map[string]string{"ou_head": "", "ou_x": "od-a", "ou_y": "od-a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("units %v, want %v", got, want)
	}
}
