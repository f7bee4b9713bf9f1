package card

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/workflow"
)

// targetLines are one person's targets in every state the cards show:
// a draft, a draft revised after it was sent back, one reviewed, one sent
// back, one approved and overdue, one done on time and exceeded, one done
// late, and one approved and not yet due. The 认定 card's viewer (the 审定
// leader) may pass the reviewed one and mark the done ones.
var targetLines = []TargetLine{
	{ID: "2026/ou_01/5", Version: 1, Title: "完成档案数字化", Quantity: "1200卷", Standard: "差错率低于1%", Deadline: "2026-11-30", Lead: true, State: workflow.TargetDraft},
	{ID: "2026/ou_01/6", Version: 3, Title: "配合开展营商环境评估", Deadline: "2026-12-15", State: workflow.TargetDraft,
		ReturnedBy: "科长钱", ReturnLevel: workflow.TargetLevelReview, ReturnReason: "写明配合的具体事项"},
	{ID: "2026/ou_01/7", Version: 2, Title: "编写信息简报", Quantity: "12期", Deadline: "2026-12-31", Lead: true, State: workflow.TargetReviewed,
		ReviewedBy: "科长钱", Act: true},
	{ID: "2026/ou_01/8", Version: 3, Title: "组织应急演练", Deadline: "2026-10-31", State: workflow.TargetReturned,
		ReturnedBy: "副局长赵", ReturnLevel: workflow.TargetLevelApprove, ReturnReason: "数量和标准不明确"},
	{ID: "2026/ou_01/1", Version: 3, Title: "起草上半年工作总结", Quantity: "1份", Standard: "按时报送，一次通过", Deadline: "2026-06-30", Lead: true,
		State: workflow.TargetApproved, ReviewedBy: "科长钱", ApprovedBy: "副局长赵"},
	{ID: "2026/ou_01/2", Version: 5, Title: "组织业务培训", Quantity: "2期", Deadline: "2026-06-20", Lead: true,
		State: workflow.TargetDone, ReviewedBy: "科长钱", ApprovedBy: "副局长赵", DoneOn: "2026-06-18", Exceeded: true, Exceed: true},
	{ID: "2026/ou_01/3", Version: 4, Title: "完成信访件办理", Quantity: "全部", Deadline: "2026-05-31",
		State: workflow.TargetDone, ReviewedBy: "科长钱", ApprovedBy: "副局长赵", DoneOn: "2026-06-05", Exceed: true},
	{ID: "2026/ou_01/4", Version: 3, Title: "<at id=all></at> 政务公开**专栏**更新", Deadline: "2026-12-31", Lead: true,
		State: workflow.TargetApproved, ReviewedBy: "科长钱", ApprovedBy: "科长钱"},
}

var targetsForm = TargetsForm{Year: 2026, Name: "张建国", Targets: targetLines, Today: "2026-07-10", Propose: true}

func TestTargetCards(t *testing.T) {
	t.Parallel()
	c := string(mustCard(t)(TargetsCard(targetsForm)))
	for _, want := range []string{"待科室负责人审核", "已按审核退回意见修改", "已审核，待分管领导审定", "审定退回（副局长赵）：数量和标准不明确",
		"审核：科长钱，审定：副局长赵", "已完成（2026-06-18），超额完成", "逾期完成（2026-06-05）", "已逾期，尚未完成",
		"修改第4项", `"id":"target_revise/2026/ou_01/8"`, `"v":8`, "&#60;at id=all&#62;"} {
		if !strings.Contains(c, want) {
			t.Errorf("targets card lacks %q", want)
		}
	}
	if strings.Contains(c, "<at id=all>") {
		t.Error("a title mentions everyone")
	}
	cc := string(mustCard(t)(TargetConfirmCard(TargetConfirmForm{Year: 2026, Person: "ou_01", Name: "张建国", Targets: targetLines, Sum: 24})))
	for _, want := range []string{`"id":"2026/ou_01/7","k":"target_confirm","v":2`, "审定通过", `"id":"target_return/2026/ou_01/7"`,
		`"id":"2026/ou_01","k":"targets_confirm_all","v":24`, "全部通过（1项）", `"id":"2026/ou_01/2","k":"target_exceed","v":5`, "取消超额完成", "标记超额完成"} {
		if !strings.Contains(cc, want) {
			t.Errorf("认定 card lacks %s", want)
		}
	}
	if strings.Contains(cc, `"id":"2026/ou_01/5","k":"target_confirm"`) {
		t.Error("the card offers a draft to the 审定 leader")
	}
	// More targets to decide than rows: each decided on its own, no 全部通过
	// for targets the leader cannot see.
	var many []TargetLine
	for i := 0; i < maxConfirmRows+3; i++ {
		many = append(many, TargetLine{ID: "2026/ou_01/" + string(rune('a'+i)), Version: 1, Title: "任务", Deadline: "2026-12-01", State: workflow.TargetDraft, Act: true})
	}
	cm := mustCard(t)(TargetConfirmCard(TargetConfirmForm{Year: 2026, Person: "ou_01", Name: "张建国", Targets: many}))
	if strings.Contains(string(cm), "targets_confirm_all") || !strings.Contains(string(cm), "另有3项待办理") {
		t.Errorf("23 drafts: %s", cm)
	}
	checkGolden(t, "target_confirm_many", cm)
	for _, bad := range []TargetConfirmForm{{Year: 26, Person: "ou_01"}, {Year: 2026}} {
		if _, err := TargetConfirmCard(bad); !errors.Is(err, ErrBadModel) {
			t.Errorf("%+v: %v, want ErrBadModel", bad, err)
		}
	}
	for _, bad := range []TargetLine{{}, targetLines[3], targetLines[4]} {
		if _, err := TargetReturnCard(TargetReturnForm{Name: "张建国", Target: bad}); !errors.Is(err, ErrBadModel) {
			t.Errorf("return card of %+v: %v, want ErrBadModel", bad, err)
		}
		if _, err := TargetReviseCard(TargetReviseForm{Year: 2026, Target: bad}); !errors.Is(err, ErrBadModel) && bad.State != workflow.TargetReturned {
			t.Errorf("revise card of %+v: %v, want ErrBadModel", bad, err)
		}
	}
	rv := string(mustCard(t)(TargetReviseCard(TargetReviseForm{Year: 2026, Target: targetLines[3], N: 4})))
	for _, want := range []string{"数量和标准不明确", `"default_value":"组织应急演练"`, `"initial_date":"2026-10-31"`, `"k":"target_revise","v":3`} {
		if !strings.Contains(rv, want) {
			t.Errorf("revise card lacks %s", want)
		}
	}
}

func TestParseTargetReturnAndRevise(t *testing.T) {
	t.Parallel()
	if r, err := ParseTargetReturn(map[string]any{FieldTargetReason: " 数量不明确 "}); err != nil || r != "数量不明确" {
		t.Errorf("reason: %q, %v", r, err)
	}
	var fe *FieldError
	if _, err := ParseTargetReturn(map[string]any{FieldTargetReason: " "}); !errors.As(err, &fe) || fe.Field != FieldTargetReason {
		t.Errorf("empty reason: %v", err)
	}
	row, err := ParseTargetRevise(map[string]any{TargetField(1, PartTitle): "任务", TargetField(1, PartDeadline): "2026-03-01 +0800", TargetField(1, PartRole): RoleAssist}, 2026)
	if err != nil || row != (TargetRow{Title: "任务", Deadline: "2026-03-01"}) {
		t.Errorf("revise: %+v, %v", row, err)
	}
	if _, err := ParseTargetRevise(map[string]any{TargetField(1, PartTitle): "任务", TargetField(1, PartDeadline): "2026-03-01",
		TargetField(2, PartTitle): "又一项", TargetField(2, PartDeadline): "2026-03-01"}, 2026); !errors.As(err, &fe) {
		t.Errorf("two rows: %v", err)
	}
}

func TestParseTargets(t *testing.T) {
	t.Parallel()
	row := func(n int, title, qty, std, dl, role string) map[string]any {
		m := map[string]any{}
		for k, v := range map[string]string{PartTitle: title, PartQuantity: qty, PartStandard: std, PartDeadline: dl, PartRole: role} {
			if v != "" {
				m[TargetField(n, k)] = v
			}
		}
		return m
	}
	merge := func(ms ...map[string]any) map[string]any {
		out := map[string]any{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	tests := []struct {
		name  string
		form  map[string]any
		want  []TargetRow
		field string // the *FieldError's field, "" for success
	}{
		{"OK", merge(row(1, " 起草年度报告 ", "1份", "按时", "2026-06-30 +0800", RoleLead), row(2, "配合督查", "", "", "2026-09-30", RoleAssist),
			row(3, "", "", "", "", RoleLead)),
			[]TargetRow{{Title: "起草年度报告", Quantity: "1份", Standard: "按时", Deadline: "2026-06-30", Lead: true},
				{Title: "配合督查", Deadline: "2026-09-30"}}, ""},
		{"RoleMissingIsLead", row(2, "任务", "", "", "2026-03-01", ""), []TargetRow{{Title: "任务", Deadline: "2026-03-01", Lead: true}}, ""},
		{"Empty", merge(row(1, "", "", "", "", RoleLead)), nil, "target1_title"},
		{"NoTitle", row(2, "", "3次", "", "2026-03-01", RoleLead), nil, "target2_title"},
		{"NoDeadline", row(1, "任务", "", "", "", RoleLead), nil, "target1_deadline"},
		{"OtherYear", row(1, "任务", "", "", "2027-01-05 +0800", RoleLead), nil, "target1_deadline"},
		{"BadDate", row(1, "任务", "", "", "2026-02-30", RoleLead), nil, "target1_deadline"},
		{"BadRole", row(1, "任务", "", "", "2026-02-03", "boss"), nil, "target1_role"},
		{"TitleTooLong", row(1, strings.Repeat("长", MaxShortText+1), "", "", "2026-02-03", RoleLead), nil, "target1_title"},
		{"QuantityTooLong", row(1, "任务", strings.Repeat("1", MaxQuantity+1), "", "2026-02-03", RoleLead), nil, "target1_quantity"},
		{"LineBreak", row(1, "任务\n第二行", "", "", "2026-02-03", RoleLead), nil, "target1_title"},
		{"RowBeyondLast", row(MaxTargetRows+1, "任务", "", "", "2026-02-03", RoleLead), nil, TargetField(MaxTargetRows+1, PartDeadline)},
		{"NotText", map[string]any{TargetField(1, PartTitle): 5}, nil, "target1_title"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTargets(tc.form, 2026)
			if tc.field == "" {
				if err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("ParseTargets = %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("ParseTargets = %+v, %v; want an error on %s", got, err, tc.field)
			}
		})
	}
}

func TestSplitTargetsID(t *testing.T) {
	t.Parallel()
	if y, p, ok := SplitTargetsID(TargetsID(2026, "ou_01")); !ok || y != 2026 || p != "ou_01" {
		t.Errorf("round trip: %d %q %v", y, p, ok)
	}
	for _, bad := range []string{"", "2026", "2026/", "26/ou_01", "2026/ou_01/3", "abcd/ou_01", "0999/ou_01"} {
		if _, _, ok := SplitTargetsID(bad); ok {
			t.Errorf("SplitTargetsID(%q) ok", bad)
		}
	}
}
