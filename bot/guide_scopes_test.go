package bot_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/bot/contact"
	"github.com/kaohe/kaohe/bot/larksim"
)

// p2pReceiveScope lets the app receive what people type to the bot
// (im.message.receive_v1 in p2p chats, [D24]); larksim pushes events
// without modelling it.
const p2pReceiveScope = "im:message.p2p_msg:readonly"

// TestOperatorGuideScopes: the scopes docs/lark-app.md §3 asks the
// operator to request (the bold ones) are exactly what the code needs:
// one accepted scope for every Open API the bot calls (larksim's table
// from each API's doc), every field scope the contact sync reads, and the
// scope that delivers p2p messages. A scope the guide lists that nothing
// needs, or an API the bot calls that no listed scope opens, fails.
func TestOperatorGuideScopes(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../docs/lark-app.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(raw)
	start := strings.Index(section, "## 3. Scopes")
	if start < 0 {
		t.Fatal("docs/lark-app.md has no §3 Scopes")
	}
	section = section[start:]
	if end := strings.Index(section[1:], "\n## "); end >= 0 {
		section = section[:end+1]
	}
	var listed []string
	for _, m := range regexp.MustCompile("(?m)^\\| \\*\\*`([^`]+)`\\*\\*").FindAllStringSubmatch(section, -1) {
		listed = append(listed, m[1])
	}
	if len(listed) == 0 {
		t.Fatal("no bold scopes in docs/lark-app.md §3")
	}

	// The Open APIs the bot calls (bot/lark.go, bot/contact.go, the 备案表
	// upload); the
	// tenant token and card callbacks need no scope.
	apis := []string{larksim.APIMessageCreate, larksim.APIMessagePatch, larksim.APICardUpdate, larksim.APIMessageUrgent,
		larksim.APIReadUsers, larksim.APIDeptChildren, larksim.APIUserByDept, larksim.APIFileCreate}
	needed := map[string]string{p2pReceiveScope: "receiving p2p messages"}
	for _, api := range apis {
		accepted := larksim.APIScopes(api)
		i := slices.IndexFunc(accepted, func(s string) bool { return slices.Contains(listed, s) })
		if i < 0 {
			t.Errorf("the bot calls %s, which takes one of %v; docs/lark-app.md lists none of them", api, accepted)
			continue
		}
		needed[accepted[i]] = api
	}
	for _, f := range contact.FieldScopes() {
		needed[f.ID] = "the contact sync's fields (" + f.Fields + ")"
		if !slices.Contains(listed, f.ID) {
			t.Errorf("the contact sync needs %s (%s); docs/lark-app.md does not list it", f.ID, f.Label)
		}
	}
	if !slices.Contains(listed, p2pReceiveScope) {
		t.Errorf("docs/lark-app.md does not list %s", p2pReceiveScope)
	}
	for _, s := range listed {
		if _, ok := needed[s]; !ok {
			t.Errorf("docs/lark-app.md lists %s, which no call of the bot needs", s)
		}
	}
}
