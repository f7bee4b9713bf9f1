package larksim

// Error codes that larksim returns in the JSON body's "code" field, with the
// message text Lark uses. Every constant names its source:
//
//	[D1]  Send message, https://open.feishu.cn/document/server-docs/im-v1/message/create
//	[D1r] Reply message, https://open.feishu.cn/document/server-docs/im-v1/message/reply
//	[D2]  Frequency control, https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control
//	[D3]  Free-plan API quota, https://open.feishu.cn/document/platform-notices/platform-updates-/custom-app-api-call-limit
//	[D3b] Generic error codes, https://open.feishu.cn/document/server-docs/api-call-guide/generic-error-code
//	[D4]  Patch a card, https://open.feishu.cn/document/server-docs/im-v1/message-card/patch
//	[D6]  Delayed card update, https://open.feishu.cn/document/server-docs/im-v1/message-card/delay-update-message-card
//	[D8]  Card callback, https://open.feishu.cn/document/feishu-cards/card-callback-communication
//	[D17] Department children, https://open.feishu.cn/document/server-docs/contact-v3/department/children
//	[D18] Users by department, https://open.feishu.cn/document/server-docs/contact-v3/user/find_by_department
//	[D20] Get user, https://open.feishu.cn/document/server-docs/contact-v3/user/get
//	[D25] In-app urgent, https://open.feishu.cn/document/server-docs/im-v1/buzz-messages/urgent_app
//	[D26] Read users, https://open.feishu.cn/document/server-docs/im-v1/message/read_users
//	[DCM] Chat members, https://open.feishu.cn/document/server-docs/group/chat-member/get
//	[I]   community reports (GitHub issues) where the docs are silent; see each constant.
//
// (Offline copies: repository wxkingstar/doc-hub-mcp, folder feishu/, paths in
// docs/lark.md.)
const (
	// CodeOK is success.
	CodeOK = 0

	// CodeFrequencyLimit is the gateway's rate-limit code, sent with HTTP 429
	// and the x-ogw-ratelimit-* headers. [D2][D3b]
	CodeFrequencyLimit = 99991400
	// CodeNeedToken means the Authorization header is missing. [D3b]
	CodeNeedToken = 99991661
	// CodeTenantTokenInvalid means the tenant_access_token is unknown or
	// expired; the SDK retries once on it. [D3b][SDK core/constants.go]
	CodeTenantTokenInvalid = 99991663
	// CodeTokenBadFormat means the bearer token does not start with t- or u-. [D3b]
	CodeTokenBadFormat = 99991671
	// CodeScopeMissing: the app has none of the scopes the API needs
	// (HTTP 400); msg and error.permission_violations name them. [D3b]
	// [I zhgqthomas/n8n-nodes-feishu-lark#22, m1heng/clawdbot-feishu#149
	// for the body]
	CodeScopeMissing = 99991672
	// CodeQuotaExceeded: the free plan's 10,000 calls a month are used up;
	// sent with HTTP 429 until the 1st of the next month. [D3][D3b]
	CodeQuotaExceeded = 99991403
	// CodeInternal is the body code of injected 5xx answers: "internal
	// server error". [D3b 10500]
	CodeInternal = 10500
	// CodeResourceNotFound is the answer for an unknown path (404). [D3b]
	CodeResourceNotFound = 99991201
	// CodeFieldValidation is the gateway's generic "request parameter
	// missing or wrong" (e.g. uuid longer than 50). [D3b 99992402]
	CodeFieldValidation = 99992402
	// CodeOpenIDInvalid: the value is not a valid open_id. Reported for
	// non-ou_ values sent as open_id. [D3b][I larksuite/openclaw-lark#149]
	CodeOpenIDInvalid = 99992351
	// CodeMessageIDNotExist: message_id does not exist. [D3b]
	CodeMessageIDNotExist = 99992354
	// CodeOpenDepartmentIDNotExist: open_department_id does not exist. [D3b]
	CodeOpenDepartmentIDNotExist = 99992357
	// CodeDepartmentIDNotExist: custom department_id does not exist. [D3b]
	CodeDepartmentIDNotExist = 99992358
	// CodeUserIDNotExist: user_id does not exist. [D3b]
	CodeUserIDNotExist = 99992360
	// CodeOpenIDCrossApp: a well-formed open_id that does not belong to this
	// app (larksim: any unknown ou_ id). [D3b][I zhayujie/bot-on-anything#436]
	CodeOpenIDCrossApp = 99992361
	// CodeUnionIDNotExist: union_id does not exist. [D3b]
	CodeUnionIDNotExist = 99992363

	// CodeAuthInvalidParam: tenant_access_token request with an unknown
	// app_id. [D3b 10003][I larksuite/oapi-sdk-java#33]
	CodeAuthInvalidParam = 10003
	// CodeAppSecretInvalid: wrong app_secret. [D3b 10014 "app secret invalid"
	// is what live Lark answers; the table also lists 10015]
	CodeAppSecretInvalid = 10014

	// CodeIMBadParam: invalid request parameter; the msg carries "ext=…". [D1]
	CodeIMBadParam = 230001
	// CodeBotNotInChat: the bot is not in the group. [D1]
	CodeBotNotInChat = 230002
	// CodeMessageRecalled: the message was recalled. [D4]
	CodeMessageRecalled = 230011
	// CodeGroupSettingsForbid: the group's settings forbid the operation,
	// e.g. only chosen members may speak. [D1 230018]
	CodeGroupSettingsForbid = 230018
	// CodeNoAvailability: user outside the bot's availability, or resigned. [D1]
	CodeNoAvailability = 230013
	// CodeChatFrequencyLimit: per-user / per-chat / per-message frequency
	// limit (5 QPS), HTTP 400. [D1][D4]
	CodeChatFrequencyLimit = 230020
	// CodeContentTooLong: text over 150 KB, card or post over 30 KB. [D1][D4]
	CodeContentTooLong = 230025
	// CodeDLPBlocked: the message failed the data-loss-prevention audit,
	// e.g. for a phone number or e-mail address in plain text. [D1][D4 230028]
	CodeDLPBlocked = 230028
	// CodeUserResigned: the user has resigned. [D1]
	CodeUserResigned = 230029
	// CodePatchTooOld: a card can be patched only within 14 days. [D4]
	CodePatchTooOld = 230031
	// CodeReceiveIDInvalid: receive_id does not match receive_id_type. [D1]
	CodeReceiveIDInvalid = 230034
	// CodeNoSendPermission: muted chat, bot blocked, or no speak permission. [D1]
	CodeNoSendPermission = 230035
	// CodeMessageSending: "The message is being sent": a send with the
	// uuid of one Lark is still processing. [D1 230049]
	CodeMessageSending = 230049
	// CodeUserStoppedBot: the user stopped the bot from sending. [D1]
	CodeUserStoppedBot = 230053
	// CodeCardCreateFailed: card content rejected; msg carries the sub-code
	// ("ext=ErrCode: 11310; …"). [D1]
	CodeCardCreateFailed = 230099
	// CodeChatDissolved: the chat was dissolved. [D1]
	CodeChatDissolved = 232009

	// CodeNotMessageSender: urgent or read receipts on a message the bot
	// did not send. [D25][D26 230012]
	CodeNotMessageSender = 230012
	// CodeUrgentUnreadLimit: the user has 200 unread urgent messages. [D25]
	CodeUrgentUnreadLimit = 230023
	// CodeUrgentQuota: the tenant's urgent allowance is used up (加急额度超限,
	// 请联系企业管理员). [D25]
	CodeUrgentQuota = 230024
	// CodeReadUsersTooOld: read receipts are kept for 7 days after
	// sending. [D26]
	CodeReadUsersTooOld = 230033
	// CodeMessageDeleted: the message was deleted (urgent_app, read_users
	// list 230110 where PATCH lists 230011). [D25][D26]
	CodeMessageDeleted = 230110

	// CodeChatIDInvalid: chat members called with an invalid chat_id. [DCM]
	CodeChatIDInvalid = 232006
	// CodeOperatorNotInChat: chat members called by a bot outside the chat. [DCM]
	CodeOperatorNotInChat = 232011
	// CodeChatBadParam: chat API invalid parameter (page size, token). [DCM]
	CodeChatBadParam = 232001

	// CodeContactPageSizeInvalid: page_size out of range. [D17][D18]
	CodeContactPageSizeInvalid = 40011
	// CodeContactPageTokenInvalid: page_token not from a previous page. [D17][D18]
	CodeContactPageTokenInvalid = 40012
	// CodeNoDeptAuthority: department outside the contact scope (HTTP 403). [D17]
	CodeNoDeptAuthority = 40004
	// CodeNoUserAuthority: user outside the contact scope. [D20]
	CodeNoUserAuthority = 41050

	// CodeDelayTokenBadFormat: delayed-update token is not "c-…". [D6]
	CodeDelayTokenBadFormat = 300020
	// CodeDelayTokenExpired: delayed-update token older than 30 min. [D6]
	CodeDelayTokenExpired = 300030
	// CodeDelayTokenUsedUp: delayed-update token used more than twice. [D6]
	CodeDelayTokenUsedUp = 300040
	// CodeDelayCardRecalled: the card was recalled. [D6]
	CodeDelayCardRecalled = 200000
	// CodeDelayCardFormat: card format rejected by the delayed update. [D6]
	CodeDelayCardFormat = 11311
	// CodeDelayCardParam: "card" parameter missing or invalid. [D6]
	CodeDelayCardParam = 10002
)

// Sub-codes carried inside 230099 ("ext=ErrCode: N; …") and returned by
// ValidateCard as CardError.Code. [D1 "230099 子错误码"]
const (
	// CardCodeInvalid: generic card check failure, including "element
	// exceeds the limit" (>200 elements) and "card action is lock". [D1]
	CardCodeInvalid = 11310
	// CardCodeParse: the card JSON does not parse. [D1]
	CardCodeParse = 200621
	// CardCodeV2Unsupported: a 1.0-only component in a 2.0 card (note,
	// action). [D1][D5b]
	CardCodeV2Unsupported = 200861
	// CardCodeInvalidUser: <at id=…> or person component names an unknown
	// user. [D1]
	CardCodeInvalidUser = 100290
	// CardCodeTemplateNotFound: template cards; larksim holds no templates. [D1]
	CardCodeTemplateNotFound = 200380
)

// Client-side error codes that the Lark client shows the user when a card
// callback fails. ClickCard returns them in a *ClientError. [D8]
const (
	// ClientNoCallbackURL: no callback URL configured. [D8]
	ClientNoCallbackURL = 200340
	// ClientTimeout: no answer within 3 s. [D8]
	ClientTimeout = 200341
	// ClientConnectFailed: TCP connect failed. [D8]
	ClientConnectFailed = 200342
	// ClientFormNameEmpty: a form item has no name. [D8]
	ClientFormNameEmpty = 200530
	// ClientBadStatus: the answer was not HTTP 200 (3xx included). [D8]
	ClientBadStatus = 200671
	// ClientBadBody: the answer body is not a valid callback response. [D8]
	ClientBadBody = 200672
	// ClientBadCard: the card in the answer is invalid. [D8]
	ClientBadCard = 200673
	// ClientV2ToV1: a 2.0 card was replaced by a 1.0 card. [D8]
	ClientV2ToV1 = 200830
)

// codeMessages holds the msg text Lark sends with each code.
var codeMessages = map[int]string{
	CodeFrequencyLimit:           "request trigger frequency limit",
	CodeInternal:                 "internal server error",
	CodeNeedToken:                "Missing access token for authorization. Please make a request with token attached.",
	CodeTenantTokenInvalid:       "Invalid access token for authorization. Please make a request with token attached.",
	CodeTokenBadFormat:           "Invalid token: must start with t-/u-",
	CodeScopeMissing:             "Access denied. One of the following scopes is required",
	CodeQuotaExceeded:            "This month's API call quota has been exceeded",
	CodeResourceNotFound:         "resource not find",
	CodeFieldValidation:          "field validation failed",
	CodeOpenIDInvalid:            "The request you send is not a valid {open_id} or not exists",
	CodeMessageIDNotExist:        "these ids not existed",
	CodeOpenDepartmentIDNotExist: "these open_department ids not existed",
	CodeDepartmentIDNotExist:     "these ids not existed",
	CodeUserIDNotExist:           "these ids not existed",
	CodeOpenIDCrossApp:           "open_id cross app",
	CodeUnionIDNotExist:          "these ids not existed",
	CodeAuthInvalidParam:         "invalid param",
	CodeAppSecretInvalid:         "app secret invalid",
	CodeIMBadParam:               "Your request contains an invalid request parameter.",
	CodeBotNotInChat:             "The bot can not be outside the group.",
	CodeMessageRecalled:          "The message is recalled.",
	CodeGroupSettingsForbid:      "These operations are NOT allowed at current group settings.",
	CodeDLPBlocked:               "The messages do NOT pass the audit.",
	CodeMessageSending:           "The message is being sent.",
	CodeNoAvailability:           "Bot has NO availability to this user.",
	CodeChatFrequencyLimit:       "This operation triggers the frequency limit.",
	CodeContentTooLong:           "The length of the message content reaches its limit.",
	CodeUserResigned:             "User has resigned.",
	CodePatchTooOld:              "Message can only be modified within 14 days after sending.",
	CodeReceiveIDInvalid:         "The receive_id is invalid.",
	CodeNoSendPermission:         "Send Message Permission deny.",
	CodeUserStoppedBot:           "The user has stopped the bot from sending messages.",
	CodeCardCreateFailed:         "Failed to create card content",
	CodeChatDissolved:            "Your request specifies a chat which has already been dissolved.",
	CodeNotMessageSender:         "Bot is NOT the sender of the message.",
	CodeUrgentUnreadLimit:        "The user has too many unread urgent messages.",
	CodeUrgentQuota:              "Reach the upper limit of urgent message.",
	CodeReadUsersTooOld:          "Get the reading status must be done within 7 days after the message is sent.",
	CodeMessageDeleted:           "Action unavailable as the message has been deleted.",
	CodeChatIDInvalid:            "Your request specifies a chat_id which is invalid.",
	CodeOperatorNotInChat:        "Operator can NOT be out of the chat.",
	CodeChatBadParam:             "Your request contains an invalid request parameter.",
	CodeContactPageSizeInvalid:   "page size is invalid",
	CodeContactPageTokenInvalid:  "page token is invalid error",
	CodeNoDeptAuthority:          "no dept authority error",
	CodeNoUserAuthority:          "no user authority",
	CodeDelayTokenBadFormat:      "token format error",
	CodeDelayTokenExpired:        "token expired",
	CodeDelayTokenUsedUp:         "token usage limit exceeded",
	CodeDelayCardRecalled:        "message card has been recalled",
	CodeDelayCardFormat:          "card format error",
	CodeDelayCardParam:           "card param error",
}

// codeMessage returns the msg text for code, or "" if none is known.
func codeMessage(code int) string { return codeMessages[code] }
