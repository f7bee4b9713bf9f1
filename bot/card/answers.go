package card

// Small cards the bot answers with outside a flow: a refused command, an
// empty result or progress, the contact sync's progress and failures, and
// the bot's own notices to HR and the audit chat.

// RefusedCard answers a text command the bot or the service refused; msg
// is the Chinese reason (workflow.Message).
func RefusedCard(msg string) []byte {
	return NoticeCard(Notice{Title: "无法办理", Colour: Red, Lines: []string{msg}})
}

// NoResultCard answers 我的考核 when no period's results are out yet.
func NoResultCard() []byte {
	return NoticeCard(Notice{Title: CmdMine, Lines: []string{"暂无已公布的考核结果"}})
}

// NoProgressCard answers 进度 when no period is under way.
func NoProgressCard() []byte {
	return NoticeCard(Notice{Title: "考核进度", Lines: []string{"当前没有进行中的考核"}})
}

// SyncStartedCard answers 同步通讯录 at once: the directory is read in the
// background and its preview (or, with apply, the import) follows.
func SyncStartedCard(apply bool) []byte {
	what := "预览"
	if apply {
		what = "导入"
	}
	return NoticeCard(Notice{Title: "正在读取飞书通讯录", Colour: Wathet,
		Lines: []string{"正在读取飞书通讯录并比对本系统人员，完成后将另行发送" + what + "结果。"}})
}

// SyncUnavailableCard answers 同步通讯录 when kaohe runs without a Lark
// app to read the directory with.
func SyncUnavailableCard() []byte {
	return NoticeCard(Notice{Title: "通讯录同步", Colour: Orange, Lines: []string{"未配置飞书应用，无法读取通讯录"}})
}

// SyncLostCard tells HR that a contact sync was cut short (the service
// stopped) and its outcome is unknown; what it imported stays imported.
func SyncLostCard() []byte {
	return NoticeCard(Notice{Title: "通讯录同步未完成", Colour: Orange,
		Lines: []string{"服务中断，本次「" + CmdSync + "」未能完成，结果未知；已导入的变更不会重复导入。"},
		Note:  "请重新发送「" + CmdSync + "」查看当前差异。"})
}

// SyncFailedCard tells HR that a contact sync failed; msg is the Chinese
// reason.
func SyncFailedCard(msg string) []byte {
	return NoticeCard(Notice{Title: "通讯录同步未完成", Colour: Red, Lines: []string{msg},
		Note: "请稍后重新发送「" + CmdSync + "」。"})
}

// Undeliverable is HR's digest of messages given up: how many, and a line
// "recipient · message · reason" for each of the first ones.
type Undeliverable struct {
	Count string
	Lines []string
}

// UndeliverableCard renders the digest of messages that could not be
// delivered.
func UndeliverableCard(u Undeliverable) []byte {
	return NoticeCard(Notice{Title: u.Count + "条消息未能送达", Colour: Orange, Summary: "消息未能送达",
		Lines: append([]string{"以下消息未能送达（收件人 · 消息 · 原因）："}, u.Lines...)})
}

// AuditHead is the audit log's last row as published outside the
// database: its sequence number, hash and time.
type AuditHead struct {
	Seq, Hash, At string
}

// AuditHeadCard renders the audit head for the admin chat.
func AuditHeadCard(a AuditHead) []byte {
	return NoticeCard(Notice{Title: "审计日志链头", Colour: Grey, Summary: "审计日志链头 " + a.Seq,
		Lines: []string{"序号：" + a.Seq, "哈希：" + a.Hash, "时间：" + a.At,
			"请勿删除本消息：kaohe audit verify 用它核对日志末尾是否被删改。"}})
}
