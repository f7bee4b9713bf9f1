package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kaohe/kaohe/workflow"
)

// Read receipts of 公示. Lark tells the bot who has read a message it sent,
// for 7 days after sending and only as a list of readers (查询消息已读信息,
// docs/lark.md §1.7); the relay records the message id of each 公示 it
// delivers (Relay.sent, Tx.RecordPublicity, kept as long as the period so
// the receipts last the whole 公示), and PublicityReads asks Lark and sets
// the readers against the organisation's people, so HR sees on 进度 who
// has not read it yet.

// ErrNoReadReceipts: the bot has no 公示 message of the period on record
// (not published yet, or not delivered yet), or it cannot ask Lark (no
// Lark client).
var ErrNoReadReceipts = errors.New("no 公示 message on record")

// PublicityRead is who has read one 公示 message.
type PublicityRead struct {
	// Chat is the group, Grade the grade the notice lists.
	Chat, Grade string
	// Group names the group for HR: the organisation's name and 公示群,
	// numbered in the order of the settings when there are several
	// ("XX局公示群2"), as kaohe sim names them. Lark would tell the
	// group's own name only with another scope (im:chat:readonly), and
	// HR set these groups up for this.
	Group string
	// MessageID is the message Lark holds.
	MessageID string
	// SentAt is when it was delivered; Lark answers until 7 days later.
	SentAt time.Time
	// Read are the names of the organisation's people who have read it,
	// in the order they did; Unread those who have not, in the store's
	// order of people. Everyone the organisation knows is expected to read
	// the 公示, whether or not they are in the group (one who is not can
	// never read it, which is worth HR's knowing).
	Read, Unread []string
	// Others counts readers who are not people of the organisation.
	Others int
	// Err is why Lark did not say (more than 7 days: an *APIError with
	// code 230033; a missing scope: KindScope), with Read and Unread
	// empty. The other messages' receipts are still given.
	Err error
}

// PublicityReads returns who has read each 公示 message of period the bot
// delivered, one entry per group and grade, in the order of the
// configured groups and the scheme's grades. ErrNoReadReceipts when there
// is none on record. The caller has checked that the operator is HR; the
// answer holds names only, and Lark is asked once per message (a page per
// 100 readers), so it fits in a card callback's budget.
func (b *Bot) PublicityReads(ctx context.Context, period string) ([]PublicityRead, error) {
	if b.cfg.Lark == nil {
		return nil, fmt.Errorf("read receipts of %s: no Lark client: %w", period, ErrNoReadReceipts)
	}
	var out []PublicityRead
	var people []workflow.Person
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		out = nil // the store may run fn again
		st, err := tx.Settings(ctx)
		if err != nil {
			return err
		}
		msgs, err := tx.PublicityMessages(ctx, period)
		if err != nil {
			return err
		}
		byKey := make(map[[2]string]workflow.PublicityMessage, len(msgs))
		for _, m := range msgs {
			byKey[[2]string{m.Chat, m.Grade}] = m
		}
		for i, chat := range st.PublicChats {
			group := st.Name + "公示群"
			if len(st.PublicChats) > 1 {
				group += strconv.Itoa(i + 1)
			}
			for _, g := range b.svc.SchemeOf(period).Grades {
				if m, ok := byKey[[2]string{chat, g.Label}]; ok {
					out = append(out, PublicityRead{Chat: chat, Grade: g.Label, Group: group, MessageID: m.MessageID, SentAt: m.SentAt})
				}
			}
		}
		people, err = tx.People(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read receipts of %s: %w", period, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read receipts of %s: %w", period, ErrNoReadReceipts)
	}
	for i := range out {
		readers, err := b.cfg.Lark.ReadUsers(ctx, out[i].MessageID)
		if err != nil {
			out[i].Err = err
			b.log.Warn("read receipts of 公示", "period", period, "chat", out[i].Chat, "err", err)
			continue
		}
		out[i].Read, out[i].Unread, out[i].Others = splitReaders(readers, people)
	}
	return out, nil
}

// splitReaders sets the readers against the people: the names of those who
// read (in reading order), of those who did not, and how many readers are
// not people of the organisation.
func splitReaders(readers []Reader, people []workflow.Person) (read, unread []string, others int) {
	byID := make(map[string]workflow.Person, len(people))
	for _, p := range people {
		byID[p.ID] = p
	}
	seen := map[string]bool{}
	for _, r := range readers {
		if seen[r.OpenID] {
			continue
		}
		seen[r.OpenID] = true
		if p, ok := byID[r.OpenID]; ok {
			read = append(read, p.Name)
		} else {
			others++
		}
	}
	for _, p := range people {
		if !seen[p.ID] {
			unread = append(unread, p.Name)
		}
	}
	return read, unread, others
}
