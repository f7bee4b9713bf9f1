package card

import (
	"fmt"
	"strings"
)

// Limits of the contact sync card.
const (
	maxSyncLines    = 40
	maxSyncWarnings = 5
)

// SyncScope is a Lark permission HR is asked to grant: the console's label
// and id, and what is missing without it.
type SyncScope struct {
	ID     string
	Label  string
	Fields string
}

// SyncGroup is one kind of change ("新增科室", "人员调动", …) and its lines.
type SyncGroup struct {
	Title string
	Lines []string
	// Report marks differences the import only reports (people gone from
	// Lark): they are not counted as imported.
	Report bool
}

// Sync is the 同步通讯录 card: the dry run HR reviews, the import's
// result, or why the directory could not be read as it must be. The first
// problem set wins: MissingAPI, then Range, then Missing.
type Sync struct {
	// Applied: the changes were imported (otherwise a preview).
	Applied bool
	// MissingAPI are the scopes Lark named when it refused the contact API
	// (99991672): any one of them lets the app call it.
	MissingAPI []string
	// Range: listing the root was refused; the contact data scope is not
	// 全部成员.
	Range bool
	// Missing are field scopes without which Lark left fields out: the
	// import is refused until they are granted.
	Missing []SyncScope
	// Groups are the changes, by kind.
	Groups []SyncGroup
	// Warnings are what the import will not settle by itself.
	Warnings []string
}

// consoleSteps is where HR grants a scope: the steps of the developer
// console (权限管理), then a new version, which the admin approves: a scope
// takes effect only with a published version.
const consoleSteps = "开通方法：飞书开发者后台（open.feishu.cn/app）→ 本应用 → 开发配置 → 权限管理 → API 权限，搜索并开通；再到 应用发布 → 版本管理与发布 创建版本并发布，管理员审核通过后生效。"

// SyncCard renders the contact sync card. A preview lists the changes by
// kind (at most 40 lines in all, the rest counted) and says how to import
// them; a problem says exactly which scope to grant and where, and that
// nothing was imported.
func SyncCard(s Sync) []byte {
	switch {
	case len(s.MissingAPI) > 0:
		list := make([]string, len(s.MissingAPI))
		for i, sc := range s.MissingAPI {
			list[i] = escLine(sc)
		}
		els := []elem{md("**飞书拒绝读取通讯录：应用缺少通讯录权限，未导入任何数据。**\n请开通以下任一权限（推荐「获取通讯录基本信息」contact:contact.base:readonly）：\n" + strings.Join(list, "、")),
			note(consoleSteps + "完成后重新发送「" + CmdSync + "」。")}
		return build("通讯录同步：缺少权限", "", Red, "通讯录同步：缺少权限", els)
	case s.Range:
		els := []elem{md("**飞书拒绝读取根部门：应用的通讯录权限范围不是「全部成员」，未导入任何数据。**\n本系统从根部门读取全部科室及直属根部门的人员，需要通讯录权限范围为全部成员。"),
			note("设置方法：飞书开发者后台 → 本应用 → 开发配置 → 权限管理 → 数据权限 → 通讯录权限范围，选择「全部成员」；再创建版本并发布，管理员审核通过后生效。完成后重新发送「" + CmdSync + "」。")}
		return build("通讯录同步：通讯录权限范围不足", "", Red, "通讯录同步：通讯录权限范围不足", els)
	case len(s.Missing) > 0:
		lines := make([]string, len(s.Missing))
		for i, sc := range s.Missing {
			lines[i] = fmt.Sprintf("- %s：请开通「%s」（%s）", escLine(sc.Fields), escLine(sc.Label), escLine(sc.ID))
		}
		head := "**飞书未返回以下字段，本次不比对、不导入（以免导入空白姓名或遗漏负责人）：**\n"
		if s.Applied {
			head = "**未导入：飞书未返回以下字段。**\n"
		}
		els := []elem{md(head + strings.Join(lines, "\n")), note(consoleSteps + "完成后重新发送「" + CmdSync + "」预览。")}
		return build("通讯录同步：缺少字段权限", "", Red, "通讯录同步：缺少字段权限", els)
	}
	title, colour := "通讯录同步（预览）", Blue
	if s.Applied {
		title, colour = "通讯录同步（已导入）", Green
	}
	total, imported := 0, 0
	for _, g := range s.Groups {
		total += len(g.Lines)
		if !g.Report {
			imported += len(g.Lines)
		}
	}
	var els []elem
	if total == 0 {
		els = append(els, md("飞书通讯录与本系统一致，无需同步"))
	} else {
		head := fmt.Sprintf("**共%d项差异**", total)
		if s.Applied {
			head = fmt.Sprintf("**已导入%d项变更**", imported)
		}
		els = append(els, md(head))
		shown := 0
		for _, g := range s.Groups {
			if len(g.Lines) == 0 || shown >= maxSyncLines {
				continue
			}
			lines := g.Lines
			if n := maxSyncLines - shown; len(lines) > n {
				lines = lines[:n]
			}
			shown += len(lines)
			out := make([]string, len(lines))
			for i, l := range lines {
				out[i] = "- " + escLine(clip(l, maxLineRunes))
			}
			els = append(els, md(fmt.Sprintf("**%s（%d）**\n%s", escLine(g.Title), len(g.Lines), strings.Join(out, "\n"))))
		}
		if shown < total {
			els = append(els, md(fmt.Sprintf("……另有%d项未列出", total-shown)))
		}
	}
	warnings := s.Warnings
	if len(warnings) > maxSyncWarnings {
		warnings = warnings[:maxSyncWarnings]
	}
	if len(warnings) > 0 {
		out := make([]string, len(warnings))
		for i, w := range warnings {
			out[i] = "- " + escLine(clip(w, maxLineRunes))
		}
		els = append(els, md("<font color='orange'>**请注意**</font>\n"+strings.Join(out, "\n")))
	}
	switch {
	case !s.Applied && total > 0:
		els = append(els, note("确认无误后发送「"+CmdSync+" 确认」导入；离开通讯录的人员不会被删除。"))
	case s.Applied:
		els = append(els, note("每项变更均已记入审计日志；离开通讯录的人员未删除，请人事科确认。"))
	}
	return build(title, "", colour, title, els)
}
