package simclient_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
)

// TestPolicyMethods: each policy method reaches the simulator's setting
// and reads it back.
func TestPolicyMethods(t *testing.T) {
	t.Parallel()
	sim, _, c := newSim(t)
	ctx := context.Background()
	u, err := c.AddUser(ctx, simclient.User{OpenID: "ou_e1", Name: "孙一"})
	if err != nil {
		t.Fatal(err)
	}
	on, quota, urgent := true, 10000, 3
	p, err := c.SetPolicy(ctx, simclient.Policy{Scopes: &[]string{"im:message:send_as_bot"},
		ContactRange: &simclient.ContactRange{Users: []string{u.OpenID}}, DLP: &on, MonthlyQuota: &quota, UrgentQuota: &urgent})
	if err != nil {
		t.Fatal(err)
	}
	if p.AllScopes || !slices.Equal(p.Scopes, []string{"im:message:send_as_bot"}) || p.AllMembers ||
		p.ContactRange == nil || !slices.Equal(p.ContactRange.Users, []string{u.OpenID}) || !p.DLP ||
		p.MonthlyQuota != quota || p.UrgentQuota == nil || *p.UrgentQuota != urgent {
		t.Errorf("answer: %+v", p)
	}
	if got, err := c.Policy(ctx); err != nil || !slices.Equal(got.Scopes, p.Scopes) || got.MonthlyQuota != quota {
		t.Errorf("read back: %+v %v", got, err)
	}
	if got, err := c.SetPolicy(ctx, simclient.Policy{AllScopes: true, AllMembers: true}); err != nil || !got.AllScopes || !got.AllMembers || !got.DLP {
		t.Errorf("every scope and member again, the rest kept: %+v %v", got, err)
	}

	g, err := c.AddChat(ctx, simclient.Chat{Name: "公示群", Members: []string{u.OpenID}, BotMember: true})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := c.SetChat(ctx, g.ChatID, simclient.ChatSettings{SettingsForbid: &on})
	if err != nil || !ch.SettingsForbid {
		t.Errorf("set chat: %+v %v", ch, err)
	}
	if stored, _ := sim.Chat(g.ChatID); !stored.SettingsForbid {
		t.Errorf("the simulator's chat: %+v", stored)
	}

	f, err := c.AddFault(ctx, simclient.Fault{API: larksim.APIMessageCreate, Code: larksim.CodeMessageSending, Count: 2})
	if err != nil || f.ID != 1 || !f.Active || f.Code != larksim.CodeMessageSending {
		t.Fatalf("add fault: %+v %v", f, err)
	}
	if fs, err := c.Faults(ctx); err != nil || len(fs) != 1 || fs[0].ID != f.ID {
		t.Errorf("faults: %+v %v", fs, err)
	}
	if got, err := c.RemoveFault(ctx, f.ID); err != nil || got.Active {
		t.Errorf("remove: %+v %v", got, err)
	}
	_, err = c.Fault(ctx, 42)
	var e *simclient.Error
	if !errors.As(err, &e) || e.Status != http.StatusNotFound || e.Reason != simclient.ReasonNotFound {
		t.Errorf("unknown fault: %v", err)
	}
	if err := c.ClearFaults(ctx); err != nil {
		t.Errorf("clear: %v", err)
	}

	reuse := true
	if cv, err := c.Configure(ctx, simclient.Config{RepushReusesHeaders: &reuse}); err != nil || !cv.RepushReusesHeaders || !sim.WebhookConfig().RepushReusesHeaders {
		t.Errorf("repush_reuses_headers: %+v %v", cv, err)
	}
}
