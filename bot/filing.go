package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/command"
	"github.com/kaohe/kaohe/filing"
	"github.com/kaohe/kaohe/workflow"
)

// 备案表: HR asks for the filing forms (docs/filing.md) by command
// ("备案表 2026-Q3 [表名]") or with the button on the 备案 reminder. The bot
// reads the data (Service.FilingData, HR only), lays the forms out
// (package filing), uploads each file to Lark (上传文件) and queues a file
// message to HR through the outbox like every other message, keyed by the
// event that asked: a repeat of the event is answered from its record and
// sends nothing twice, and the relay's uuid covers a send it repeats.

// TplFile is the template of a file message: the relay sends Data's
// file_key as a file message (msg_type file) instead of rendering a card.
// Data: file_key, name.
const TplFile = "file"

// Data keys of a TplFile notification.
const (
	DataFileKey  = "file_key"
	DataFileName = "name"
)

// noLarkWords answers 备案表 when the bot has no Lark client to upload
// with (a bot built without one, as some tests and tools do).
const noLarkWords = "未配置飞书应用，无法发送文件；请系统管理员用 kaohe export 导出备案表"

// errNoLark: the bot has no Lark client to upload with.
var errNoLark = errors.New("no Lark client to upload files")

// cmdFilingTables answers 备案表 [期] [表]: with no period, the oldest
// period not yet filed, else the latest one; with no table, the scheme's
// own forms (filing.Defaults).
func (b *Bot) cmdFilingTables(ctx context.Context, me workflow.Person, pc command.Parsed) ([]byte, error) {
	if err := requireHRSender(me); err != nil {
		return nil, err
	}
	id := workflow.CanonicalPeriodID(pc.Arg(0))
	if id == "" {
		var err error
		if id, err = b.unfiledPeriod(ctx); err != nil {
			if id, err = b.latestPeriod(ctx, workflow.PeriodOpen, workflow.PeriodCommittee, workflow.PeriodConfirmed,
				workflow.PeriodPublished, workflow.PeriodClosed); err != nil {
				return nil, fmt.Errorf("no period: %w", workflow.ErrNotFound)
			}
		}
	}
	var tables []filing.Table
	if w := pc.Arg(1); w != "" {
		spec, err := filing.Lookup(w)
		if err != nil {
			var names []string
			for _, s := range filing.Specs {
				names = append(names, s.Word)
			}
			return nil, &workflow.InputError{Field: "table", Msg: "没有名为「" + w + "」的表格，可选：" + strings.Join(names, "、")}
		}
		tables = []filing.Table{spec.Table}
	}
	sent, err := b.sendFilingTables(ctx, me.ID, id, tables)
	if why, ok := uploadWords(err); ok {
		return card.NoticeCard(card.Notice{Title: "备案表未能发送", Colour: card.Orange, Lines: []string{why}}), nil
	}
	if err != nil {
		return nil, err
	}
	lines := []string{"以下表格将以文件发送给您："}
	for _, s := range sent {
		lines = append(lines, "· "+s)
	}
	return card.NoticeCard(card.Notice{Title: "备案表已生成", Colour: card.Green, Lines: lines,
		Note: "性别、出生年月、政治面貌等本系统未登记的栏目和手写签名请打印后填写；其他表格：「" + card.CmdTables + " " + id + " 表名」，表名可选：" + tableWords() + "。"}), nil
}

// filingTablesAction is the 发送备案表 button of the 备案 reminder: the
// scheme's forms of the period, as the command without a table.
func (b *Bot) filingTablesAction(ctx context.Context, op string, v card.Value) (*callback.CardActionTriggerResponse, error) {
	sent, err := b.sendFilingTables(ctx, op, v.ID, nil)
	if why, ok := uploadWords(err); ok {
		return reply("error", why, nil), nil
	}
	if err != nil {
		return nil, err
	}
	return reply("success", "已生成"+strconv.Itoa(len(sent))+"份备案表，稍后以文件发送", nil), nil
}

// sendFilingTables builds, uploads and queues each table of id for by
// (tables nil: the scheme's defaults) and returns the files' names. The
// second quarter of a half filed by half-year (S8 四(三)6) sends the
// half's first quarter's tables too, since the two are filed together;
// the tables stay one per quarter (each form is a quarter's).
func (b *Bot) sendFilingTables(ctx context.Context, by, id string, tables []filing.Table) ([]string, error) {
	_, whole, err := workflow.ParseFilingID(id)
	if err != nil {
		return nil, err
	}
	if tables == nil {
		tables = filing.Defaults(b.svc.SchemeOf(id).ID, whole)
	}
	ids := []string{id}
	if first, second, half := b.svc.HalfYearFiling(workflow.CanonicalPeriodID(id)); half && second == workflow.CanonicalPeriodID(id) {
		ids = []string{first, id}
	}
	type file struct {
		name string
		data []byte
		t    filing.Table
		did  string
	}
	var files []file
	read := map[string]workflow.Filing{}
	made := map[string]bool{}
	for _, pid := range ids {
		for _, t := range tables {
			did, err := filing.DataID(t, pid)
			if err != nil {
				return nil, err
			}
			if made[string(t)+"/"+did] {
				continue // a year's table asked by both quarters
			}
			made[string(t)+"/"+did] = true
			f, ok := read[did]
			if !ok {
				// FilingData decides who may read (HR) and audits a refusal.
				f, err = b.svc.FilingData(ctx, by, did)
				if pid != id && errors.Is(err, workflow.ErrNotFound) {
					continue // the half's first quarter was not appraised here
				}
				if err != nil {
					return nil, err
				}
				read[did] = f
			}
			data, err := filing.Bytes(t, f)
			if err != nil {
				return nil, fmt.Errorf("filing table %s of %s: %w", t, did, err)
			}
			if len(data) > MaxFileBytes {
				return nil, &workflow.InputError{Field: "table", Msg: fmt.Sprintf("%s超过飞书文件上限30MB，请由系统管理员用 kaohe export 导出", filing.FileName(t, f))}
			}
			files = append(files, file{filing.FileName(t, f), data, t, did})
		}
	}
	if b.cfg.Lark == nil {
		return nil, errNoLark
	}
	event, _ := ctx.Value(eventKey{}).(string)
	if event == "" {
		event = b.clock.Now().String()
	}
	now := b.clock.Now()
	var notes []workflow.Notification
	var names []string
	for _, f := range files {
		key, err := b.cfg.Lark.UploadFile(ctx, f.name, f.data)
		if err != nil {
			return nil, fmt.Errorf("upload %s: %w", f.t, err)
		}
		notes = append(notes, workflow.Notification{Key: workflow.DedupeKey(TplFile, event, by, string(f.t), f.did), To: by, Template: TplFile,
			Data: map[string]string{DataFileKey: key, DataFileName: f.name}, CreatedAt: now, State: workflow.NotePending})
		names = append(names, f.name)
	}
	err = b.store.InTx(ctx, func(tx workflow.Tx) error {
		for _, n := range notes {
			if _, err := tx.Enqueue(ctx, n); err != nil && !errors.Is(err, workflow.ErrConflict) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("queue filing files: %w", err)
	}
	b.log.Info("filing tables queued", "by", by, "period", id, "files", len(names))
	return names, nil
}

// uploadWords says in Chinese why the files could not be uploaded, for the
// failures HR or the administrator can act on: no Lark client, the app
// without the scope (the scope named, as the relay names a send scope), or
// Lark refusing the file; false for anything else, which is the usual
// 系统繁忙 (a network error, a busy store).
func uploadWords(err error) (string, bool) {
	if errors.Is(err, errNoLark) {
		return noLarkWords, true
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Retryable() {
		return "", false
	}
	if ae.Kind == KindScope {
		scopes := "im:resource"
		if len(ae.Scopes) > 0 {
			scopes = strings.Join(ae.Scopes, "、")
		}
		return fmt.Sprintf("飞书应用未开通上传文件所需的权限（%s，任一即可），请管理员在开发者后台申请并发布新版本（错误码%d）", scopes, ae.Code), true
	}
	return fmt.Sprintf("飞书拒绝了上传的文件（错误码%d：%s），请系统管理员用 kaohe export 导出", ae.Code, ae.Msg), true
}

// tableWords lists the tables' chat words.
func tableWords() string {
	var out []string
	for _, s := range filing.Specs {
		out = append(out, s.Word)
	}
	return strings.Join(out, "、")
}
