package main

import (
	"context"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/demo/story"
)

// TestYearInChat is the whole year of docs/design.md §2 done by people in
// Lark only: `kaohe sim` and `kaohe serve` run as separate processes, and
// the story (package demo/story, the same one `kaohe demo --story` plays)
// only reads what arrives, clicks cards and types commands. Four quarters
// of 县财政局 under S4 from the reminders to 备案, with a send-back, a
// delegation, an escalation HR reassigns, a tie at the cap the committee
// decides, a direct determination, a probationer, an investigation whose
// grade is filled in later, a 复核 that changes a grade, 反馈 and 谈话, and
// the year's composition. At the end serve's log carries no weekly
// record's text.
func TestYearInChat(t *testing.T) {
	t.Parallel()
	const appID, appSecret = "cli_year", "app-secret-year-5c1a"
	orgPath := writeFile(t, "org.json", string(story.Org()))
	sim := startSimProc(t, "--org", orgPath, "--app-id", appID, "--app-secret", appSecret,
		"--verification-token", testToken, "--encrypt-key", testKey,
		"--start", story.Start().Format("2006-01-02T15:04:05-07:00"), "--callback-timeout", "10s")
	serve := startServeProc(t, []string{
		"KAOHE_APP_ID=" + appID, "KAOHE_APP_SECRET=" + appSecret, "KAOHE_BASE_URL=" + sim.url, "KAOHE_SCHEME=s4",
		"KAOHE_CALLBACK=webhook", "KAOHE_VERIFICATION_TOKEN=" + testToken, "KAOHE_ENCRYPT_KEY=" + testKey,
		"KAOHE_LISTEN=127.0.0.1:0", "KAOHE_STORAGE=memory", "KAOHE_ORG=" + orgPath, "KAOHE_CLOCK_URL=" + sim.url + "/_sim/clock",
		"KAOHE_RELAY_INTERVAL=20ms", "KAOHE_TICK_INTERVAL=40ms", "KAOHE_LOG_LEVEL=info", "KAOHE_SHUTDOWN_TIMEOUT=2s",
		"KAOHE_DATABASE_URL=", "KAOHE_CLOCK_FILE=", "KAOHE_REMINDER_GRACE=720h",
	})
	ctx := context.Background()
	c := simclient.New(sim.url)
	hook := "http://" + serve.addr + WebhookPath
	if _, err := c.Configure(ctx, simclient.Config{CallbackURL: &hook, Verify: true}); err != nil {
		t.Fatalf("configure the webhook: %v", err)
	}
	var narration strings.Builder
	if err := story.Year(ctx, c, &narration, story.Options{}); err != nil {
		t.Fatalf("%v\n--- story\n%s\n--- sim\n%s\n--- serve\n%s", err, tail(narration.String(), 3000), tail(sim.logs.String(), 3000), tail(serve.logs.String(), 8000))
	}
	if strings.Contains(serve.logs.String(), story.Secret) {
		t.Errorf("serve's log carries a weekly record's text")
	}
	t.Log(narration.String())
}
