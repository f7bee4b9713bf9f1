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
	"github.com/kaohe/kaohe/scoring"
)

// defaultPlaygroundAddr is where `kaohe demo` serves its page; when it is
// taken (another demo, another program) and --listen was not given, the
// demo takes any free port instead.
const defaultPlaygroundAddr = "127.0.0.1:8800"

// playgroundGrace is serve's reminder grace in the playground: a day and a
// half, so "+1 天" still sends the slots it passes (yesterday afternoon's
// reminders), while a jump of weeks does not fill everyone's chat with
// the weeks' stale reminders and chases (what they still owe is on their
// 待办).
const playgroundGrace = 36 * time.Hour

// runPlayground is `kaohe demo` without --story: the simulator and serve
// with the playground's sample organisation, and the playground's page on
// listen until ctx ends (Ctrl-C), when it stops all three.
//
// The organisation (demo/playground SampleOrg) is 县财政局 with one unit
// under S4, one under S5 and a 窗口单位 under S4 run monthly, their
// leaders, two 分管领导, the 局长, and 政工科 on the committee: the org
// file names each unit's scheme, and serve, whose default is S4, holds
// every built-in scheme.
func runPlayground(ctx context.Context, listen string, explicit bool, addrFile string, stdout io.Writer) error {
	org := playground.SampleOrg()
	f, err := orgfile.Parse(org)
	if err != nil {
		return fmt.Errorf("demo: the sample organisation: %w", err)
	}
	sc, err := scoring.Builtin("s4")
	if err != nil {
		return fmt.Errorf("demo scheme: %w", err)
	}
	others := map[string]*scoring.Scheme{}
	for _, u := range f.Units {
		if u.Scheme == "" || others[u.Scheme] != nil {
			continue
		}
		if others[u.Scheme], err = scoring.Builtin(u.Scheme); err != nil {
			return fmt.Errorf("demo scheme of %s: %w", u.Name, err)
		}
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil && !explicit {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return fmt.Errorf("demo: listen %s: %w", listen, err)
	}
	defer ln.Close()
	st, err := startDemo(ctx, org, playground.SampleStart(), playgroundGrace)
	if err != nil {
		return err
	}
	defer st.Close()
	pg, err := playground.New(playground.Options{Sim: st.Sim, Org: f.Settings.Name, Scheme: sc, Schemes: others,
		People: playgroundPeople(f), Scores: playground.SampleScores(), Grades: playground.SampleGrades()})
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
	fmt.Fprintf(stdout, `kaohe 演示：%s %d 年平时考核（%s），飞书模拟器与 kaohe serve 已在本进程内运行。
在浏览器中打开 http://%s/
  选择身份，在聊天中点卡片、填表单、输入命令（帮助、待办、进度……）；右上角拨动时钟，「其他人处理待办」替同事们填报与审核。
Ctrl-C 停止
`, f.Settings.Name, playground.SampleYear, playgroundSchemes(f, sc.ID), addr)
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
	unitScheme := map[string]string{}
	leads := map[string][]string{}
	supervises := map[string][]string{}
	for _, u := range f.Units {
		unitName[u.ID] = u.Name
		unitScheme[u.ID] = u.Scheme
		leads[u.Leader] = append(leads[u.Leader], u.Name)
		supervises[u.Supervisor] = append(supervises[u.Supervisor], u.Name)
	}
	var top, rest []playground.Person
	for _, q := range f.People {
		p := playground.Person{ID: q.ID, Name: q.Name, Unit: unitName[q.Unit], Assessed: q.Assessed, HR: q.HR, Scheme: unitScheme[q.Unit]}
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

// playgroundSchemes says which unit is under which scheme, for the
// terminal: "办公室 S4、业务科 S5、政务服务窗口 S4-MONTH 按月"; a unit
// naming none is under def.
func playgroundSchemes(f orgfile.File, def string) string {
	var out []string
	for _, u := range f.Units {
		id := u.Scheme
		if id == "" {
			id = def
		}
		s := u.Name + " " + strings.ToUpper(id)
		if sc, err := scoring.Builtin(id); err == nil && sc.Cycle == "month" {
			s += " 按月"
		}
		out = append(out, s)
	}
	return strings.Join(out, "、")
}
