package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/demo/story"
	"github.com/kaohe/kaohe/scoring"
)

// runDemo is `kaohe demo`: by default the playground, a web page on
// loopback that works like a Lark client (package demo/playground) over
// the Lark simulator and the real `kaohe serve` (memory store, webhook
// callbacks signed and encrypted, the clock taken from the simulator) in
// this process, with the playground's sample organisation (three units
// under S4, S5 and S4 run monthly). With --story
// it plays the story's year in the terminal instead: the people of 县财政局
// clicking cards and typing commands, which is what the end-to-end test
// does with separate processes; the servers' logs are kept back and shown
// only if it fails. With --scoring it scores a sample office under the
// built-in S4 scheme and prints the table with its explanations.
func runDemo(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stdout)
	storyMode := fs.Bool("story", false, "play the scripted year in the terminal instead of the browser playground")
	scoringOnly := fs.Bool("scoring", false, "only score a sample quarter under S4 (no bot, no simulator)")
	quarters := fs.Int("quarters", 4, "with --story: how many quarters of 2026 to play (1–4); the annual composition needs all four")
	listen := fs.String("listen", defaultPlaygroundAddr, "the playground's address (loopback only: whoever reaches it can act as anyone)")
	addrFile := fs.String("addr-file", "", "write the playground's bound address to this file (for --listen 127.0.0.1:0)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: kaohe demo [--listen ADDR]      the playground in the browser
       kaohe demo --story [--quarters N]  the scripted year in the terminal (about two minutes)
       kaohe demo --scoring              only the scoring engine, on a sample office

县财政局 2026 年的平时考核：飞书模拟器与 kaohe serve 在本进程内运行，无需服务器与凭据。

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return flag.ErrHelp
		}
		return usageError{"demo: " + err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("demo: unexpected argument %q", fs.Arg(0))}
	}
	if *quarters < 1 || *quarters > 4 {
		return usageError{"demo: --quarters must be 1 to 4"}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case *storyMode && *scoringOnly:
		return usageError{"demo: --story and --scoring exclude each other"}
	case set["quarters"] && !*storyMode:
		return usageError{"demo: --quarters goes with --story"}
	case (set["listen"] || set["addr-file"]) && (*storyMode || *scoringOnly):
		return usageError{"demo: --listen and --addr-file are the playground's"}
	case *storyMode:
		return playStory(ctx, *quarters, stdout)
	case !*scoringOnly:
		return runPlayground(ctx, *listen, set["listen"], *addrFile, stdout)
	}
	s, err := scoring.Builtin("s4")
	if err != nil {
		return fmt.Errorf("demo scheme: %w", err)
	}
	in := demoQuarter()
	res, err := scoring.ScorePeriod(s, in)
	if err != nil {
		return fmt.Errorf("demo quarter: %w", err)
	}
	fmt.Fprintf(stdout, "kaohe 演示：按《%s》对 %s 计分定等\n\n", s.Name, in.Period.ID)
	writePeriodTable(stdout, res)
	return nil
}

// playStory starts the simulator and serve in this process and plays the
// story against them.
func playStory(ctx context.Context, quarters int, stdout io.Writer) error {
	st, err := startDemo(ctx, story.Org(), story.Start(), storyGrace)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := story.Year(ctx, st.Client, stdout, story.Options{Quarters: quarters}); err != nil {
		return fmt.Errorf("demo: %w\n--- 服务日志（最后部分）\n%s", err, lastLines(st.logs.String(), 40))
	}
	fmt.Fprintln(stdout, "\n以上每一步都由模拟的飞书用户点击卡片或发送消息完成：kaohe serve 经官方 SDK 收发，回调均经签名、加密与重放校验。")
	return nil
}

// demoStack is the Lark simulator and the real `kaohe serve` running in
// this process on loopback, as `kaohe sim` and `kaohe serve` would as two
// processes: the memory store, webhook callbacks signed and encrypted,
// serve's clock taken from the simulator's, and every server log kept back
// (logs) for when something fails. Both the story (--story) and the
// playground run on it.
type demoStack struct {
	// Sim is the simulator's base URL (the Open API and /_sim/).
	Sim string
	// Serve is kaohe serve's base URL.
	Serve string
	// Client is the simulator's control interface.
	Client *simclient.Client
	// Failed receives a server's error if one stops on its own.
	Failed <-chan error
	logs   *syncBuffer
	stop   context.CancelFunc
	wg     *sync.WaitGroup
	dir    string
}

// storyGrace is serve's reminder grace for the story: it jumps the clock
// over weeks at a time and expects the reminders of those weeks (the
// catch-up of missed slots) to arrive.
const storyGrace = 30 * 24 * time.Hour

// startDemo starts the simulator with org at start and serve with the
// built-in S4 as the default scheme (a unit of org may name another
// built-in, as the playground's do) with grace
// as its reminder grace (how late a missed reminder slot still goes out
// after the clock jumps), and returns once serve is ready and the
// simulator delivers to its webhook. Close stops both.
func startDemo(ctx context.Context, org []byte, start time.Time, grace time.Duration) (_ *demoStack, err error) {
	const appID, appSecret, token, key = "cli_kaohe_demo", "demo-app-secret", "demo-verification-token", "demo-encrypt-key"
	dir, err := os.MkdirTemp("", "kaohe-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	ctx, stop := context.WithCancel(ctx)
	failed := make(chan error, 2)
	st := &demoStack{Failed: failed, logs: &syncBuffer{}, stop: stop, wg: &sync.WaitGroup{}, dir: dir}
	defer func() {
		if err != nil {
			st.Close()
		}
	}()
	orgPath := filepath.Join(dir, "org.json")
	if err := os.WriteFile(orgPath, org, 0o644); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	run := func(name string, fn func() error) {
		st.wg.Go(func() {
			if err := fn(); err != nil && ctx.Err() == nil {
				failed <- fmt.Errorf("demo: %s: %w", name, err)
			}
		})
	}
	simAddr := filepath.Join(dir, "sim.addr")
	run("sim", func() error {
		return runSim(ctx, []string{"--listen", "127.0.0.1:0", "--addr-file", simAddr, "--org", orgPath,
			"--app-id", appID, "--app-secret", appSecret, "--verification-token", token, "--encrypt-key", key,
			"--start", start.Format(time.RFC3339), "--callback-timeout", "10s"}, io.Discard, st.logs)
	})
	sim, err := waitAddr(ctx, simAddr, failed)
	if err != nil {
		return nil, err
	}
	serveAddr := filepath.Join(dir, "serve.addr")
	env := map[string]string{
		"KAOHE_APP_ID": appID, "KAOHE_APP_SECRET": appSecret, "KAOHE_BASE_URL": "http://" + sim, "KAOHE_SCHEME": "s4",
		"KAOHE_CALLBACK": "webhook", "KAOHE_VERIFICATION_TOKEN": token, "KAOHE_ENCRYPT_KEY": key,
		"KAOHE_LISTEN": "127.0.0.1:0", "KAOHE_ADDR_FILE": serveAddr, "KAOHE_STORAGE": "memory", "KAOHE_ORG": orgPath,
		"KAOHE_CLOCK_URL": "http://" + sim + "/_sim/clock", "KAOHE_RELAY_INTERVAL": "20ms", "KAOHE_TICK_INTERVAL": "40ms",
		"KAOHE_LOG_LEVEL": "warn", "KAOHE_SHUTDOWN_TIMEOUT": "2s", "KAOHE_REMINDER_GRACE": grace.String(),
	}
	run("serve", func() error {
		return runServe(ctx, nil, func(k string) string { return env[k] }, io.Discard, st.logs)
	})
	srv, err := waitAddr(ctx, serveAddr, failed)
	if err != nil {
		return nil, err
	}
	st.Sim, st.Serve, st.Client = "http://"+sim, "http://"+srv, simclient.New("http://"+sim)
	hook := st.Serve + WebhookPath
	if err := waitReady(ctx, st.Serve+"/readyz", failed); err != nil {
		return nil, err
	}
	if _, err := st.Client.Configure(ctx, simclient.Config{CallbackURL: &hook, Verify: true}); err != nil {
		return nil, fmt.Errorf("demo: configure the simulator's webhook: %w", err)
	}
	return st, nil
}

// Close stops serve and the simulator, waits for both and removes their
// files.
func (st *demoStack) Close() {
	st.stop()
	st.wg.Wait()
	os.RemoveAll(st.dir)
}

// waitAddr waits for a server started in this process to write its
// address file.
func waitAddr(ctx context.Context, path string, failed <-chan error) (string, error) {
	for {
		if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) != "" {
			return strings.TrimSpace(string(b)), nil
		}
		select {
		case err := <-failed:
			return "", err
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// waitReady waits until serve's /readyz answers 200.
func waitReady(ctx context.Context, url string, failed <-chan error) error {
	for range 500 {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-failed:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return errors.New("demo: kaohe serve did not become ready")
}

// syncBuffer is a bytes.Buffer safe for servers' log writers and the
// reader that shows them (the demo on failure, tests).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// demoQuarter is a fixed sample office. Indicator scores are given per
// top-level item as deductions from the maximum so the data stays readable.
func demoQuarter() *scoring.PeriodInput {
	type person struct {
		id, name  string
		lost      [5]string // points lost under 德 能 勤 绩 廉
		frontline bool
		adj       []scoring.AdjustmentInput
		status    *scoring.Status
	}
	people := []person{
		{id: "p01", name: "王芳", lost: [5]string{"0", "1", "0", "2", "0"}},
		{id: "p02", name: "李强", lost: [5]string{"1", "1", "1", "2", "0"}, adj: []scoring.AdjustmentInput{
			{Event: "防汛", Kind: "bonus", Points: scoring.D("3"), Reason: "防汛抢险表现突出（县级表扬）"},
			{Event: "防汛", Kind: "bonus", Points: scoring.D("4"), Reason: "防汛抢险表现突出（市级表彰）"},
			{Event: "改革", Kind: "bonus", Points: scoring.D("2"), Reason: "牵头完成预算改革"},
		}},
		{id: "p03", name: "张伟", lost: [5]string{"1", "2", "1", "4", "0"}, frontline: true},
		{id: "p04", name: "刘洋", lost: [5]string{"1", "2", "1", "4", "0"}},
		{id: "p05", name: "陈静", lost: [5]string{"2", "2", "1", "4", "1"}},
		{id: "p06", name: "杨磊", lost: [5]string{"2", "3", "2", "6", "1"}},
		{id: "p07", name: "赵敏", lost: [5]string{"3", "4", "2", "9", "1"}},
		{id: "p08", name: "黄勇", lost: [5]string{"4", "5", "4", "12", "2"}, adj: []scoring.AdjustmentInput{
			{Event: "报表", Kind: "deduction", Points: scoring.D("2"), Reason: "报表迟报被通报"},
		}},
		{id: "p09", name: "周杰", lost: [5]string{"1", "1", "1", "1", "0"}, status: &scoring.Status{Probation: true}},
		{id: "p10", name: "吴婷", lost: [5]string{"1", "1", "0", "3", "0"}, status: &scoring.Status{Leave: []scoring.LeaveInput{
			{Kind: "产假", Days: scoring.D("40")}, {Kind: "病假", Days: scoring.D("5")},
		}}},
	}
	in := &scoring.PeriodInput{Kind: "period", Period: scoring.PeriodInfo{ID: "2026-Q3", WorkingDays: 66}}
	for _, p := range people {
		in.People = append(in.People, scoring.PersonInput{
			ID: p.id, Name: p.name, Unit: "县财政局", Frontline: p.frontline,
			Sources:     map[string]scoring.SourceInput{"leader": {Indicators: s4Leaves(p.lost)}},
			Adjustments: p.adj, Status: p.status,
		})
	}
	return in
}

// s4Leaves spreads the points lost under each S4 item over its first
// sub-item, keeping every other sub-item at its maximum.
func s4Leaves(lost [5]string) map[string]scoring.Dec {
	items := [5][]struct {
		id  string
		max string
	}{
		{{"思想政治素质", "6"}, {"职业道德", "4"}, {"社会公德", "6"}, {"家庭美德", "4"}},
		{{"岗位执行能力", "5"}, {"综合业务能力", "6"}, {"开拓创新能力", "5"}, {"沟通协作能力", "4"}},
		{{"工作责任心", "5"}, {"工作作风", "5"}, {"出勤情况", "5"}},
		{{"工作负荷", "15"}, {"工作效率", "10"}, {"工作成效", "10"}},
		{{"遵章守纪情况", "4"}, {"艰苦奋斗勤俭节约情况", "3"}, {"日常信访举报情况", "3"}},
	}
	out := map[string]scoring.Dec{}
	for i, group := range items {
		for j, it := range group {
			v := scoring.D(it.max)
			if j == 0 {
				v = scoring.DecOf(v.Sub(scoring.D(lost[i]).Decimal))
			}
			out[it.id] = v
		}
	}
	return out
}
