package card

import (
	"fmt"
	"strings"
	"testing"
)

// syncPreview is a dry run as HR sees it: changes of every kind, a tier
// read from the job title, and people left without a tier.
func syncPreview() Sync {
	return Sync{
		Groups: []SyncGroup{
			{Title: "科室", Lines: []string{"新增科室「法规科」，负责人 陈科长", "科室「财务科」更名为「财务审计科」"}},
			{Title: "新增人员", Lines: []string{"新增人员 孙一（办公室，职级 其他）", "新增人员 王局长（根部门，未分配科室），默认不参加考核"}},
			{Title: "调动", Lines: []string{"周二 调动：办公室 → 财务审计科"}},
			{Title: "更名", Lines: []string{"吴三 更名为 吴叁"}},
			{Title: "职级", Lines: []string{"郑四 职级：副科 → 正科（飞书：科长）"}},
			{Title: "离开通讯录", Lines: []string{"冯五 已不在通讯录中（未删除，请人事科确认）"}, Report: true},
		},
		Warnings: []string{"2人的职务未对应职级，导入后职级为空，请在飞书中补充或调整职级对照：陈七（未填写）、褚八（_临时_ *工*）"},
	}
}

func TestSyncCardGolden(t *testing.T) {
	t.Parallel()
	many := Sync{}
	for i := range 3 {
		g := SyncGroup{Title: fmt.Sprintf("组%d", i)}
		for j := range 25 {
			g.Lines = append(g.Lines, fmt.Sprintf("新增人员 干部%02d（办公室）", i*25+j))
		}
		many.Groups = append(many.Groups, g)
	}
	for i := range 8 {
		many.Warnings = append(many.Warnings, fmt.Sprintf("提示%d", i))
	}
	applied := syncPreview()
	applied.Applied = true
	tests := []struct {
		name string
		s    Sync
	}{
		{"sync_preview", syncPreview()},
		{"sync_applied", applied},
		{"sync_same", Sync{}},
		{"sync_many", many},
		{"sync_missing_fields", Sync{Missing: []SyncScope{
			{ID: "contact:department.base:readonly", Label: "获取部门基础信息", Fields: "部门名称"},
			{ID: "contact:user.employee:readonly", Label: "获取用户受雇信息", Fields: "在职状态、职务、自定义字段"}}}},
		{"sync_missing_api", Sync{MissingAPI: []string{"contact:contact.base:readonly", "contact:department.organize:readonly",
			"contact:contact:access_as_app", "contact:contact:readonly", "contact:contact:readonly_as_app"}}},
		{"sync_range", Sync{Range: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkGolden(t, tt.name, SyncCard(tt.s))
		})
	}
}

// TestSyncCardSays: the preview tells HR how to import and the import that
// it was done; a problem names the scope to grant, where, and that nothing
// was imported; at most 40 changes are listed and the rest counted; user
// text cannot format the card.
func TestSyncCardSays(t *testing.T) {
	t.Parallel()
	many := Sync{Groups: []SyncGroup{{Title: "新增人员", Lines: make([]string, 45)}}}
	for i := range many.Groups[0].Lines {
		many.Groups[0].Lines[i] = fmt.Sprintf("新增人员 干部%02d", i)
	}
	applied := syncPreview()
	applied.Applied = true
	tests := []struct {
		name    string
		s       Sync
		want    []string
		notWant []string
	}{
		{name: "Preview", s: syncPreview(), want: []string{"通讯录同步（预览）", "共8项差异", "同步通讯录 确认", "职级 其他", "默认不参加考核", "&#95;临时&#95; &#42;工&#42;"},
			notWant: []string{"_临时_"}},
		{name: "Applied", s: applied, want: []string{"通讯录同步（已导入）", "已导入7项变更", "审计日志"}, notWant: []string{"同步通讯录 确认"}},
		{name: "Same", s: Sync{}, want: []string{"无需同步"}, notWant: []string{"同步通讯录 确认"}},
		{name: "Many", s: many, want: []string{"干部39", "另有5项未列出"}, notWant: []string{"干部40"}},
		{name: "MissingFields", s: Sync{Missing: []SyncScope{{ID: "contact:user.base:readonly", Label: "获取用户基本信息", Fields: "人员姓名"}}},
			want: []string{"不导入", "人员姓名", "获取用户基本信息", "contact:user.base:readonly", "权限管理", "创建版本并发布"}, notWant: []string{"同步通讯录 确认"}},
		{name: "MissingAPI", s: Sync{MissingAPI: []string{"contact:contact.base:readonly"}},
			want: []string{"未导入任何数据", "contact:contact.base:readonly", "权限管理", "创建版本并发布"}},
		{name: "Range", s: Sync{Range: true}, want: []string{"全部成员", "通讯录权限范围", "数据权限", "未导入任何数据"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := string(SyncCard(tt.s))
			for _, w := range tt.want {
				if !strings.Contains(c, w) {
					t.Errorf("card lacks %q: %s", w, c)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(c, w) {
					t.Errorf("card has %q: %s", w, c)
				}
			}
		})
	}
}
