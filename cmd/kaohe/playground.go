package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kaohe/kaohe/cmd/kaohe/orgfile"
	"github.com/kaohe/kaohe/demo/playground"
	"github.com/kaohe/kaohe/demo/story"
	"github.com/kaohe/kaohe/scoring"
)

// defaultPlaygroundAddr is where `kaohe demo` serves its page; when it is
// taken (another demo, another program) and --listen was not given, the
// demo takes any free port instead.
const defaultPlaygroundAddr = "127.0.0.1:8800"

// playgroundScores are the totals the playground's colleagues give when
// they score the sample organisation's staff as leaders (demo/story's
// first quarter, without its direct determination): seven people reach
// 好's 90 points where S4's 40% allows six of fifteen, four are clear and
// 杨光辉, 冯建军 and 何静怡 tie at 90 for the last two places, so whoever
// walks the quarter meets the committee's tie. Whoever the visitor scores
// themselves gets what they enter.
var playgroundScores = map[string]int{
	"ou_a1": 95, "ou_a2": 85, "ou_a3": 92, "ou_a4": 90, "ou_a5": 80,
	"ou_b1": 94, "ou_b2": 86, "ou_b3": 90, "ou_b4": 90, "ou_b5": 78,
	"ou_c1": 93, "ou_c2": 84, "ou_c3": 76, "ou_c4": 68, "ou_c5": 80,
}

// playgroundGrace is serve's reminder grace in the playground: a day and a
// half, so "+1 天" still sends the slots it passes (yesterday afternoon's
// reminders), while a jump of weeks does not fill everyone's chat with
// the weeks' stale reminders and chases (what they still owe is on their
// 待办).
const playgroundGrace = 36 * time.Hour

// runPlayground is `kaohe demo` without --story: the simulator and serve
// with demo/story's organisation, and the playground's page on listen
// until ctx ends (Ctrl-C), when it stops all three.
//
// The organisation is the story's 县财政局 (three 科室 of five, their
// leaders, two 分管领导, the 局长, and 政工科 on the committee) under S4
// throughout: the workflow holds one scheme per organisation, so the
// issue's wish of one unit under S5 and a monthly window unit would need
// a scheme per unit first.
func runPlayground(ctx context.Context, listen string, explicit bool, addrFile string, stdout io.Writer) error {
	org := story.Org()
	f, err := orgfile.Parse(org)
	if err != nil {
		return fmt.Errorf("demo: the sample organisation: %w", err)
	}
	sc, err := scoring.Builtin("s4")
	if err != nil {
		return fmt.Errorf("demo scheme: %w", err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil && !explicit {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return fmt.Errorf("demo: listen %s: %w", listen, err)
	}
	defer ln.Close()
	st, err := startDemo(ctx, org, story.Start(), playgroundGrace)
	if err != nil {
		return err
	}
	defer st.Close()
	pg, err := playground.New(playground.Options{Sim: st.Sim, Org: f.Settings.Name, Scheme: sc,
		People: playgroundPeople(f), Scores: playgroundScores})
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: pg, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	addr := ln.Addr().String()
	if addrFile != "" {
		if err := os.WriteFile(addrFile, []byte(addr+"\n"), 0o644); err != nil {
			_ = hs.Close()
			return fmt.Errorf("addr file: %w", err)
		}
	}
	fmt.Fprintf(stdout, `kaohe 演示：%s %d 年平时考核（方案 %s），飞书模拟器与 kaohe serve 已在本进程内运行。
在浏览器中打开 http://%s/
  选择身份，在聊天中点卡片、填表单、输入命令（帮助、待办、进度……）；右上角拨动时钟，「其他人处理待办」替同事们填报与审核。
Ctrl-C 停止
`, f.Settings.Name, story.YearOf, strings.ToUpper(sc.ID), addr)
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		fmt.Fprintln(stdout, "注意：此地址不只本机可访问，能打开页面的人都可以任何人的身份操作。")
	}
	select {
	case <-ctx.Done():
	case err = <-served:
	case err = <-st.Failed:
	}
	// Long polls hold connections open: give them a moment, then cut.
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if serr := hs.Shutdown(stop); serr != nil {
		_ = hs.Close()
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintln(stdout, "已停止。")
	return nil
}

// playgroundPeople lists everyone in the org file as the playground's
// person chooser shows them: the leadership and HR first, then each unit
// with its leader first, each with what they do in the appraisal.
func playgroundPeople(f orgfile.File) []playground.Person {
	unitName := map[string]string{}
	leads := map[string][]string{}
	supervises := map[string][]string{}
	for _, u := range f.Units {
		unitName[u.ID] = u.Name
		leads[u.Leader] = append(leads[u.Leader], u.Name)
		supervises[u.Supervisor] = append(supervises[u.Supervisor], u.Name)
	}
	var top, rest []playground.Person
	for _, q := range f.People {
		p := playground.Person{ID: q.ID, Name: q.Name, Unit: unitName[q.Unit], Assessed: q.Assessed, HR: q.HR}
		if q.ID == f.Settings.Head {
			p.Roles, p.Chain = append(p.Roles, "主要负责人（评鉴）"), true
		}
		if us := supervises[q.ID]; len(us) > 0 {
			p.Roles, p.Chain = append(p.Roles, "分管领导（审定："+strings.Join(us, "、")+"）"), true
		}
		if us := leads[q.ID]; len(us) > 0 {
			p.Roles, p.Chain = append(p.Roles, strings.Join(us, "、")+"负责人（初评）"), true
		}
		if q.HR {
			p.Roles = append(p.Roles, "政工科（HR）")
		}
		if q.Committee {
			p.Roles = append(p.Roles, "考核委员会")
		}
		if q.Assessed {
			p.Roles = append(p.Roles, "被考核人")
		}
		if p.Unit == "" {
			top = append(top, p)
		} else {
			rest = append(rest, p)
		}
	}
	// Within a unit the leader comes first, then the staff in file order.
	out := slices.Clone(top)
	for _, u := range f.Units {
		for _, leader := range []bool{true, false} {
			for _, p := range rest {
				if p.Unit == u.Name && (len(leads[p.ID]) > 0) == leader {
					out = append(out, p)
				}
			}
		}
	}
	return out
}
