package larksim

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// MentionBot, in SendText's mentions, names the bot itself: what a person
// does in a group to address the bot ("@kaohe 帮助").
const MentionBot = "bot"

// ErrBadMention: the text names a mention key ("@_user_3") that the
// mentions do not supply.
var ErrBadMention = errors.New("larksim: text names a mention key that has no mention")

// Mention is one @-mention in a user's text message. Lark replaces each
// mentioned person in the text by a key, "@_user_1" for the first, and
// lists who the keys stand for in message.mentions. [D24]
type Mention struct {
	// Key is "@_user_N", N counting from 1.
	Key string
	// OpenID, UnionID and UserID identify the person (the bot's UserID is
	// empty: a bot has no tenant user id).
	OpenID, UnionID, UserID string
	// Name is the display name.
	Name string
	// Bot marks the mention of the bot (mentioned_type "bot", else "user").
	Bot bool
}

// mentionKeyRe finds the keys Lark writes into a text for its mentions.
var mentionKeyRe = regexp.MustCompile(`@_user_(\d+)`)

// BotOpenID is the open_id of the app's bot in the simulated tenant, as it
// appears in mentions. It is derived from the app id, so it is stable
// across restarts.
func (s *Server) BotOpenID() string { return "ou_" + idHash("bot-open:"+s.opts.AppID) }

func idHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

// mentionsLocked resolves the mentioned ids and puts their keys into the
// text: the i-th id gets key "@_user_{i+1}". A key the text already holds
// stays where the sender put it ("委托 @_user_1 2026-Q4"); a key the text
// lacks goes in front, in order, as when a person types @ first and then
// the message ("@_user_1 帮助"). A key in the text beyond the ids is an
// error (ErrBadMention), as is an unknown id (ErrNotFound). The caller
// holds s.mu.
func (s *Server) mentionsLocked(text string, ids []string) (string, []Mention, error) {
	if len(ids) == 0 && !mentionKeyRe.MatchString(text) {
		return text, nil, nil
	}
	out := make([]Mention, 0, len(ids))
	for i, id := range ids {
		m := Mention{Key: "@_user_" + strconv.Itoa(i+1)}
		if id == MentionBot {
			m.OpenID, m.UnionID, m.Name, m.Bot = s.BotOpenID(), "on_"+idHash("bot-union:"+s.opts.AppID), s.opts.BotName, true
		} else {
			u := s.users[id]
			if u == nil {
				return "", nil, fmt.Errorf("mention %s: %w", id, ErrNotFound)
			}
			m.OpenID, m.UnionID, m.UserID, m.Name = u.OpenID, u.UnionID, u.UserID, u.Name
		}
		out = append(out, m)
	}
	present := map[int]bool{}
	for _, sm := range mentionKeyRe.FindAllStringSubmatch(text, -1) {
		n, err := strconv.Atoi(sm[1])
		if err != nil || n < 1 || n > len(ids) {
			return "", nil, fmt.Errorf("text names %s but there are %d mentions: %w", sm[0], len(ids), ErrBadMention)
		}
		present[n] = true
	}
	var front []string
	for i, m := range out {
		if !present[i+1] {
			front = append(front, m.Key)
		}
	}
	if len(front) > 0 {
		text = strings.TrimSpace(strings.Join(front, " ") + " " + text)
	}
	return text, out, nil
}

// mentionEventsLocked renders mentions as im.message.receive_v1 carries
// them in message.mentions: the doc's fields [D24], plus mentioned_type,
// which SDK v3.12.0's MentionEvent has and the doc does not yet.
func (s *Server) mentionEventsLocked(ms []Mention) []map[string]any {
	out := make([]map[string]any, 0, len(ms))
	for _, m := range ms {
		typ := "user"
		if m.Bot {
			typ = "bot"
		}
		out = append(out, map[string]any{
			"key":            m.Key,
			"id":             map[string]any{"union_id": m.UnionID, "user_id": m.UserID, "open_id": m.OpenID},
			"name":           m.Name,
			"tenant_key":     s.opts.TenantKey,
			"mentioned_type": typ,
		})
	}
	return out
}
