package playground

import (
	"encoding/json"
	"time"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// The playground's sample organisation: 县财政局 with three units under
// three schemes, so that a visitor meets each kind of period the workflow
// runs side by side:
//
//   - 办公室 (钱文华 and ten staff) under S4, quarterly, graded 好…较差
//     from the leader's indicator scores with 好 capped at 40%;
//   - 业务科 (周国栋 and eight staff) under S5, quarterly, graded A–D by
//     the leader, with A held to 20%–30%;
//   - 政务服务窗口 (林志远 and six staff), a 窗口单位 under S4 run monthly
//     (S4 注意事项1; the built-in s4-month).
//
// 赵德明 is 分管领导 of 办公室 and 业务科, 孙立新 of the window; 王建国 is
// the 局长 (评鉴) and sits on the committee with 李敏 of 政工科 (HR). Each
// scheme's periods hold only its own unit's people, so each has its own
// quota, committee card and 公示.
//
// demo/story keeps its own organisation (three S4 科室): its year is
// scripted around S4's rules (the 40% tie across fifteen people, 补定,
// the annual composition of four S4 quarters).
const (
	// SampleHR is 李敏 of 政工科.
	SampleHR = "ou_hr"
	// SampleHead is 王建国, the 局长.
	SampleHead = "ou_head"
	// SampleDeputy1 is 赵德明, 分管 办公室 and 业务科.
	SampleDeputy1 = "ou_dep1"
	// SampleDeputy2 is 孙立新, 分管 政务服务窗口.
	SampleDeputy2 = "ou_dep2"
	// SampleLeaderS4 is 钱文华, leader of 办公室 (S4).
	SampleLeaderS4 = "ou_l1"
	// SampleLeaderS5 is 周国栋, leader of 业务科 (S5).
	SampleLeaderS5 = "ou_l2"
	// SampleLeaderWindow is 林志远, leader of 政务服务窗口 (s4-month).
	SampleLeaderWindow = "ou_l3"
	// SamplePublic is the 公示 group.
	SamplePublic = "oc_public"
	// SampleYear is the year the clock starts in.
	SampleYear = 2026
)

// sampleUnit is one unit of the sample organisation with its staff.
type sampleUnit struct {
	id, name, scheme, leader, leaderName, supervisor string
	staff                                            []sampleStaff
}

// sampleStaff is one appraised person and what the colleagues give them
// as leaders: a total (S4, s4-month) or a grade (S5).
type sampleStaff struct {
	id, name string
	score    int
	grade    string
}

var sampleUnits = []sampleUnit{
	// S4: 40% of ten is four places of 好. 陈晓燕 (95, if the visitor
	// scores her so) and 张丽娟 are clear; 杨光辉, 冯建军 and 何静怡 tie at
	// 90 for the last two, so whoever walks the quarter meets the
	// committee's tie.
	{"u1", "办公室", "", SampleLeaderS4, "钱文华", SampleDeputy1, []sampleStaff{
		{"ou_a01", "陈晓燕", 95, ""}, {"ou_a02", "刘志强", 85, ""}, {"ou_a03", "张丽娟", 92, ""}, {"ou_a04", "杨光辉", 90, ""},
		{"ou_a05", "黄美玲", 80, ""}, {"ou_a06", "冯建军", 90, ""}, {"ou_a07", "何静怡", 90, ""}, {"ou_a08", "郑秀兰", 86, ""},
		{"ou_a09", "马晓东", 78, ""}, {"ou_a10", "高丽华", 84, ""},
	}},
	// S5: A takes 20%–30% of eight, exactly two: 吴海峰 and 许文斌.
	{"u2", "业务科", "s5", SampleLeaderS5, "周国栋", SampleDeputy1, []sampleStaff{
		{"ou_b01", "吴海峰", 0, "A"}, {"ou_b02", "许文斌", 0, "A"}, {"ou_b03", "罗永强", 0, "B"}, {"ou_b04", "谢婷婷", 0, "B"},
		{"ou_b05", "韩雪梅", 0, "B"}, {"ou_b06", "孙浩然", 0, "B"}, {"ou_b07", "朱晓红", 0, "B"}, {"ou_b08", "胡建平", 0, "C"},
	}},
	// The window, monthly under S4: 40% of six is two places of 好, each
	// month 唐俊杰 and 徐丽萍.
	{"u3", "政务服务窗口", "s4-month", SampleLeaderWindow, "林志远", SampleDeputy2, []sampleStaff{
		{"ou_w01", "唐俊杰", 93, ""}, {"ou_w02", "徐丽萍", 91, ""}, {"ou_w03", "曹志刚", 88, ""},
		{"ou_w04", "彭雅琴", 86, ""}, {"ou_w05", "董立伟", 82, ""}, {"ou_w06", "袁梦洁", 79, ""},
	}},
}

// SampleOrg is the sample organisation as an org file (kaohe serve's org,
// kaohe sim's --org): each unit names its scheme, and no period is listed,
// so every period opens by itself.
func SampleOrg() []byte {
	type person struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Unit      string `json:"unit,omitempty"`
		Group     string `json:"group,omitempty"`
		Assessed  bool   `json:"assessed,omitempty"`
		HR        bool   `json:"hr,omitempty"`
		Committee bool   `json:"committee,omitempty"`
	}
	type unit struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Leader     string `json:"leader"`
		Supervisor string `json:"supervisor"`
		Scheme     string `json:"scheme,omitempty"`
	}
	people := []person{
		{ID: SampleHR, Name: "李敏", HR: true, Committee: true},
		{ID: SampleHead, Name: "王建国", Committee: true},
		{ID: SampleDeputy1, Name: "赵德明"},
		{ID: SampleDeputy2, Name: "孙立新"},
	}
	var units []unit
	for _, u := range sampleUnits {
		units = append(units, unit{u.id, u.name, u.leader, u.supervisor, u.scheme})
		people = append(people, person{ID: u.leader, Name: u.leaderName, Unit: u.id})
	}
	for _, u := range sampleUnits {
		for _, s := range u.staff {
			// Each unit is its own 考核单元 for the 民主测评.
			people = append(people, person{ID: s.id, Name: s.name, Unit: u.id, Group: u.id, Assessed: true})
		}
	}
	b, err := json.MarshalIndent(map[string]any{
		"hr":       SampleHR,
		"settings": map[string]any{"name": "县财政局", "head": SampleHead, "public_chats": []string{SamplePublic}},
		"units":    units,
		"people":   people,
	}, "", "  ")
	if err != nil {
		panic(err) // a fixed value that always marshals
	}
	return b
}

// SampleStart is where the playground's clock starts: the evening before
// the first working day of 2026's first quarter (4 January, a 调休
// Sunday), when the quarters of 办公室 and 业务科 and the window's January
// are about to begin.
func SampleStart() time.Time {
	return time.Date(SampleYear, 1, 3, 20, 0, 0, 0, calendar.DefaultLocation())
}

// SampleScores are the totals the colleagues give the S4 and s4-month
// staff as leaders, by person.
func SampleScores() map[string]int {
	out := map[string]int{}
	for _, u := range sampleUnits {
		for _, s := range u.staff {
			if s.score > 0 {
				out[s.id] = s.score
			}
		}
	}
	return out
}

// SampleGrades are the grades the colleagues give the S5 staff as
// leaders, by person.
func SampleGrades() map[string]string {
	out := map[string]string{}
	for _, u := range sampleUnits {
		for _, s := range u.staff {
			if s.grade != "" {
				out[s.id] = s.grade
			}
		}
	}
	return out
}
