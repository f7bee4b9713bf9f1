// Package demo plays one quarter of the appraisal cycle in a single process:
// the memory store, the workflow, the bot, and larksim standing in for Lark
// on a loopback listener, all on one fake clock that jumps from deadline to
// deadline. It needs no credentials and no servers, and prints what each
// person receives and does, so a newcomer sees the whole cycle in seconds.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/ratelimit"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

const (
	appID      = "cli_kaohe_demo"
	token      = "demo-verification-token"
	key        = "demo-encrypt-key"
	publicChat = "oc_demo_public"
)

type person struct{ id, name, unit string }

var (
	hr       = person{"ou_hr", "李政工", ""}
	head     = person{"ou_head", "王局长", ""}
	deputy   = person{"ou_deputy", "赵副局长", ""}
	leader   = person{"ou_leader", "钱科长", "u1"}
	staff    = []person{{"ou_e1", "孙一", "u1"}, {"ou_e2", "周二", "u1"}, {"ou_e3", "吴三", "u1"}, {"ou_e4", "郑四", "u1"}, {"ou_e5", "冯五", "u1"}}
	workload = map[string]string{"ou_e1": "15", "ou_e2": "10", "ou_e3": "10", "ou_e4": "5", "ou_e5": "3"} // 工作负荷 of 15
)

// player holds the running system.
type player struct {
	ctx   context.Context
	out   io.Writer
	clk   *clock.Fake
	cal   *calendar.Calendar
	store *memory.Store
	svc   *workflow.Service
	sim   *larksim.Server
	relay *bot.Relay
	names map[string]string
	seen  int
}

// Run plays the quarter and writes the story to out.
func Run(ctx context.Context, out io.Writer) error {
	p, cleanup, err := start(ctx, out)
	if err != nil {
		return err
	}
	defer cleanup()
	return p.play()
}

func start(ctx context.Context, out io.Writer) (*player, func(), error) {
	loc := calendar.DefaultLocation()
	p := &player{ctx: ctx, out: out, clk: clock.NewFake(time.Date(2026, 9, 24, 14, 0, 0, 0, loc)), cal: calendar.Default(),
		store: memory.New(), names: map[string]string{}}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sc, err := scoring.Builtin("s4")
	if err != nil {
		return nil, nil, err
	}
	p.svc, err = workflow.New(workflow.Config{Store: p.store, Clock: p.clk, Calendar: p.cal, Scheme: sc, Logger: quiet})
	if err != nil {
		return nil, nil, err
	}
	p.sim = larksim.New(larksim.Options{AppID: appID, AppSecret: "demo-secret", Clock: p.clk, CallbackTimeout: 10 * time.Second})
	api := httptest.NewServer(p.sim)
	b, err := bot.New(bot.Config{Service: p.svc, Store: p.store, Calendar: p.cal, Clock: p.clk, Log: quiet, VerificationToken: token, EncryptKey: key})
	if err != nil {
		api.Close()
		return nil, nil, err
	}
	h, err := b.Handler()
	if err != nil {
		api.Close()
		return nil, nil, err
	}
	hook := httptest.NewServer(h)
	cleanup := func() { hook.Close(); api.Close() }
	p.sim.Configure(larksim.WebhookConfig{CallbackURL: hook.URL, EventURL: hook.URL, VerificationToken: token, EncryptKey: key})
	lk, err := bot.NewLark(bot.LarkConfig{AppID: appID, AppSecret: "demo-secret", BaseURL: api.URL})
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	p.relay = &bot.Relay{Store: p.store, Sender: lk, Render: b.Render, Limiter: ratelimit.NewMemory(p.clk), Clock: p.clk, Log: quiet,
		Sleep: func(_ context.Context, d time.Duration) error { p.clk.Advance(d); return nil }}
	return p, cleanup, nil
}

func (p *player) say(format string, args ...any) { fmt.Fprintf(p.out, format+"\n", args...) }

func (p *player) at(t time.Time, what string) {
	p.clk.Set(t)
	p.say("\n【%s】%s", t.Format("2006-01-02 15:04 Mon"), what)
}

// deliver runs the relay and prints every message Lark received.
func (p *player) deliver() error {
	if _, err := p.relay.RunOnce(p.ctx); err != nil {
		return err
	}
	msgs := p.sim.Messages(larksim.MessageFilter{SenderType: larksim.SenderApp})
	for _, m := range msgs[p.seen:] {
		to := p.names[m.ToOpenID]
		if m.ChatID == publicChat {
			to = "公示群"
		}
		p.say("  → %s 收到卡片：%s", to, title(m.Content))
	}
	p.seen = len(msgs)
	return nil
}

// title reads a card's header title for the story.
func title(content string) string {
	var c struct {
		Header struct {
			Title struct {
				Content string `json:"content"`
			} `json:"title"`
		} `json:"header"`
	}
	if json.Unmarshal([]byte(content), &c) != nil || c.Header.Title.Content == "" {
		return "（卡片）"
	}
	return c.Header.Title.Content
}

// last finds the newest message to who containing want.
func (p *player) last(who, want string) (larksim.Message, error) {
	msgs := p.sim.MessagesTo(who)
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.Contains(msgs[i].Content, want) {
			return msgs[i], nil
		}
	}
	return larksim.Message{}, fmt.Errorf("demo: no card for %s containing %q", p.names[who], want)
}

// click presses a button on a card as the person would.
func (p *player) click(msg larksim.Message, who, button, label string, form map[string]any) error {
	r, err := p.sim.ClickButton(p.ctx, msg.MessageID, who, button, form)
	if err != nil {
		return fmt.Errorf("demo: %s clicks %s: %w", p.names[who], button, err)
	}
	res := "卡片已更新为：" + title(string(r.Card))
	if r.Toast != nil {
		res = r.Toast.Content
		if r.Card != nil {
			res += "，卡片更新为：" + title(string(r.Card))
		}
	}
	p.say("  %s 点击「%s」 ⇒ %s", p.names[who], label, res)
	if r.Toast != nil && r.Toast.Type == "error" && label != "再次提交" {
		return fmt.Errorf("demo: %s: %s", label, r.Toast.Content)
	}
	return nil
}

func (p *player) text(who, text string) error {
	p.say("  %s 发消息：%s", p.names[who], text)
	_, err := p.sim.SendText(p.ctx, who, "", text)
	return err
}

func scores(load string) map[string]any {
	f := map[string]any{}
	for id, max := range map[string]string{
		"思想政治素质": "6", "职业道德": "4", "社会公德": "6", "家庭美德": "4", "岗位执行能力": "5", "综合业务能力": "6", "开拓创新能力": "5", "沟通协作能力": "4",
		"工作责任心": "5", "工作作风": "5", "出勤情况": "5", "工作效率": "10", "工作成效": "10", "遵章守纪情况": "4", "艰苦奋斗勤俭节约情况": "3", "日常信访举报情况": "3",
	} {
		f[card.IndicatorField(id)] = max
	}
	f[card.IndicatorField("工作负荷")] = load
	return f
}
