package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
)

// LarkConfig says how to reach the Lark Open Platform.
type LarkConfig struct {
	AppID     string
	AppSecret string
	// BaseURL is the Open API base; empty means open.feishu.cn. Tests and
	// the demo point it at larksim.
	BaseURL string
	// Timeout bounds one API call; the SDK's default client has none.
	Timeout time.Duration
	// Log receives the SDK's lines, through SDKLogger; default
	// slog.Default().
	Log *slog.Logger
}

// Lark is the bot's Open API client: the official SDK, plus error handling
// by code and a token cache that forgets a token Lark rejected (the SDK
// retries once on 99991663 but reuses the stale cached token, docs/lark.md §5).
type Lark struct {
	client *lark.Client
	tokens *tokenCache
}

// NewLark builds the client.
func NewLark(cfg LarkConfig) (*Lark, error) {
	if cfg.AppID == "" {
		return nil, errors.New("lark: app id is required")
	}
	if cfg.AppSecret == "" {
		return nil, errors.New("lark: app secret is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	opts := []lark.ClientOptionFunc{
		lark.WithReqTimeout(cfg.Timeout),
		lark.WithLogLevel(sdkLogLevel),
		lark.WithLogger(SDKLogger(cfg.Log, "lark-client")),
	}
	// The SDK keeps one token manager per process and replaces it whenever a
	// client is built with a cache, racing with requests already running;
	// install ours exactly once. Entries are keyed by app id.
	installTokens.Do(func() { opts = append(opts, lark.WithTokenCache(sharedTokens)) })
	if cfg.BaseURL != "" {
		opts = append(opts, lark.WithOpenBaseUrl(cfg.BaseURL))
	}
	return &Lark{client: lark.NewClient(cfg.AppID, cfg.AppSecret, opts...), tokens: sharedTokens}, nil
}

// SDK returns the underlying SDK client, for the contact API.
func (l *Lark) SDK() *lark.Client { return l.client }

// ErrorKind classifies a failed call by what the caller should do.
type ErrorKind int

// Error kinds.
const (
	// KindTransient: a network error or 5xx; retry with backoff.
	KindTransient ErrorKind = iota
	// KindRateLimited: 99991400, 230020 or HTTP 429; wait RetryAfter.
	KindRateLimited
	// KindRecipientGone: the user left the scope, resigned or stopped the
	// bot (230013, 230029, 230053); do not retry, tell HR.
	KindRecipientGone
	// KindNoAccess: the bot is not in the chat or may not speak there
	// (230002, 230035); do not retry, tell HR.
	KindNoAccess
	// KindRejected: the request itself is wrong (bad card, too long …); do
	// not retry.
	KindRejected
	// KindToken: the tenant token was refused even after a refresh.
	KindToken
	// KindScope: the app lacks the scope the API needs (99991672); Scopes
	// names those of which any one would do. Nothing succeeds until an
	// admin grants one and publishes a version: do not retry, tell HR
	// which scope (docs/lark-app.md).
	KindScope
	// KindQuota: the free plan's monthly API quota is used up (99991403,
	// HTTP 429); IM calls fail until the 1st of next month or an upgrade.
	// Not a rate limit: waiting seconds does not help, so do not retry.
	KindQuota
)

// APIError is a Lark call that did not succeed.
type APIError struct {
	Op         string
	HTTPStatus int
	Code       int
	Msg        string
	Kind       ErrorKind
	// RetryAfter is Lark's x-ogw-ratelimit-reset for KindRateLimited.
	RetryAfter time.Duration
	// Scopes are the scopes Lark named for KindScope (from
	// error.permission_violations), any one of which the app needs.
	Scopes []string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("lark %s: http %d code %d: %s", e.Op, e.HTTPStatus, e.Code, e.Msg)
}

// Retryable reports whether the same request may succeed later.
func (e *APIError) Retryable() bool {
	return e.Kind == KindTransient || e.Kind == KindRateLimited || e.Kind == KindToken
}

// Lark error codes acted on (docs/lark.md §1.1, §1.2, §1.5).
const (
	codeRateLimit       = 99991400
	codeIMRateLimit     = 230020
	codeTokenInvalid    = 99991663
	codeAppTokenInvalid = 99991664
	codeTokenFormat     = 99991671
	codeBotNotInChat    = 230002
	codeOutOfScope      = 230013
	codeResigned        = 230029
	codeNoPermission    = 230035
	codeStoppedBot      = 230053
	// codeSending: "The message is being sent" (发送消息 error list): what a
	// uuid retry gets while Lark still works on the first attempt; the
	// same request succeeds, or is de-duplicated, a moment later.
	codeSending = 230049
	// codeTokenInvalid2 is the other invalid-access-token code of the
	// server-side error list (99991665).
	codeTokenInvalid2 = 99991665
	// codeChatDissolved: the group was dissolved (232009).
	codeChatDissolved = 232009
	// codeGroupSettings: the group's settings forbid the message, e.g. only
	// chosen members may speak (230018, 发送消息); the same setting is
	// also reported as 230035 (群发言权限对机器人的管控), so both mean no
	// access.
	codeGroupSettings = 230018
	// codeScopeMissing: the app has none of the scopes the API needs
	// (99991672, 通用错误码).
	codeScopeMissing = 99991672
	// codeQuota: the free plan's monthly quota is used up; Lark sends it
	// with HTTP 429 (99991403, 自建应用 API 调用量上限调整说明), so it is
	// checked before the rate limits.
	codeQuota = 99991403
	// codeUrgentUnread: the person has 200 unread urgent messages; 加急
	// works again once they read some (230023, 发送应用内加急). Rejected:
	// nothing the bot does makes them read, so it tells HR instead.
	codeUrgentUnread = 230023
	// codeUrgentQuota: the tenant's urgent allowance is used up, "请联系企业
	// 管理员" (230024, 发送应用内加急). Rejected, HR is told.
	codeUrgentQuota = 230024
	// codeUrgentForbidden: not allowed to urge, or judged a risky
	// operation (230052, 发送应用内加急). Rejected, HR is told.
	codeUrgentForbidden = 230052
	// codeReadUsersTooOld: read receipts are kept 7 days after sending
	// (230033, 查询消息已读信息).
	codeReadUsersTooOld = 230033
)

func classify(op string, status, code int, msg string, header http.Header) *APIError {
	e := &APIError{Op: op, HTTPStatus: status, Code: code, Msg: msg}
	switch {
	case code == codeQuota:
		e.Kind = KindQuota
	case code == codeScopeMissing:
		e.Kind = KindScope
	case code == codeRateLimit || code == codeIMRateLimit || status == http.StatusTooManyRequests:
		e.Kind = KindRateLimited
		e.RetryAfter = time.Second
		if s := header.Get("x-ogw-ratelimit-reset"); s != "" {
			if n, err := strconv.Atoi(s); err == nil && n > 0 {
				e.RetryAfter = time.Duration(n) * time.Second
			}
		}
	case code == codeOutOfScope || code == codeResigned || code == codeStoppedBot:
		e.Kind = KindRecipientGone
	case code == codeBotNotInChat || code == codeNoPermission || code == codeChatDissolved || code == codeGroupSettings:
		e.Kind = KindNoAccess
	case code == codeTokenInvalid || code == codeAppTokenInvalid || code == codeTokenFormat || code == codeTokenInvalid2:
		e.Kind = KindToken
	case status >= 500 || code == 0 || code == codeSending:
		e.Kind = KindTransient
	default:
		e.Kind = KindRejected
	}
	return e
}

// classifyResp classifies an SDK answer, with the scopes Lark names in
// error.permission_violations for a missing scope (通用错误码 99991672;
// larkcore.CodeError holds them).
func classifyResp(op string, resp *larkcore.ApiResp, ce larkcore.CodeError) *APIError {
	var status int
	var header http.Header
	if resp != nil {
		status, header = resp.StatusCode, resp.Header
	}
	e := classify(op, status, ce.Code, ce.Msg, header)
	if e.Kind == KindScope && ce.Err != nil {
		for _, v := range ce.Err.PermissionViolations {
			if v != nil && v.Subject != "" {
				e.Scopes = append(e.Scopes, v.Subject)
			}
		}
	}
	return e
}

// Recipient is a user (open_id) or a group chat (chat_id).
type Recipient struct {
	ID   string
	Chat bool
}

// SendCard sends a Card JSON 2.0 card. uuid makes the send idempotent for an
// hour on Lark's side (≤ 50 characters). It returns the message id.
func (l *Lark) SendCard(ctx context.Context, to Recipient, card []byte, uuid string) (string, error) {
	idType := "open_id"
	if to.Chat {
		idType = "chat_id"
	}
	var msgID string
	err := l.retryToken(func() error {
		body := larkim.NewCreateMessageReqBodyBuilder().ReceiveId(to.ID).MsgType(larkim.MsgTypeInteractive).Content(string(card))
		if uuid != "" {
			body = body.Uuid(uuid)
		}
		resp, err := l.client.Im.V1.Message.Create(ctx, larkim.NewCreateMessageReqBuilder().ReceiveIdType(idType).Body(body.Build()).Build())
		if err != nil {
			return &APIError{Op: "send", Msg: err.Error(), Kind: KindTransient}
		}
		if !resp.Success() {
			return classifyResp("send", resp.ApiResp, resp.CodeError)
		}
		if resp.Data != nil && resp.Data.MessageId != nil {
			msgID = *resp.Data.MessageId
		}
		return nil
	})
	return msgID, err
}

// MaxFileBytes is the largest file Lark takes (上传文件: "文件大小不得超过
// 30 MB，且不允许上传空文件") [D33].
const MaxFileBytes = 30 << 20

// UploadFile uploads a file for a file message and returns its file_key:
// POST /open-apis/im/v1/files (上传文件, multipart), scope im:resource or
// im:resource:upload [D33]. file_type is "stream": the doc's types are
// opus, mp4, pdf, doc, xls and ppt, each a format of its own, and stream
// for "上传文件不属于以上枚举类型" — an .xlsx is not the binary .xls, so it
// goes as stream and Lark shows it by its name. An upload is not a message:
// repeating one leaves an unused file, never a second message, so it
// carries no uuid.
func (l *Lark) UploadFile(ctx context.Context, name string, data []byte) (string, error) {
	if len(data) == 0 || len(data) > MaxFileBytes {
		return "", &APIError{Op: "upload file", Msg: fmt.Sprintf("file of %d bytes: Lark takes 1 byte to 30 MB", len(data)), Kind: KindRejected}
	}
	var key string
	err := l.retryToken(func() error {
		body := larkim.NewCreateFileReqBodyBuilder().FileType(larkim.CreateFileFileTypeStream).FileName(name).File(bytes.NewReader(data)).Build()
		resp, err := l.client.Im.V1.File.Create(ctx, larkim.NewCreateFileReqBuilder().Body(body).Build())
		if err != nil {
			return &APIError{Op: "upload file", Msg: err.Error(), Kind: KindTransient}
		}
		if !resp.Success() {
			return classifyResp("upload file", resp.ApiResp, resp.CodeError)
		}
		if resp.Data == nil || resp.Data.FileKey == nil || *resp.Data.FileKey == "" {
			return &APIError{Op: "upload file", Msg: "no file_key in the answer", Kind: KindTransient}
		}
		key = *resp.Data.FileKey
		return nil
	})
	return key, err
}

// SendFile sends a file message ({"file_key":…}, msg_type file, 发送消息内容
// 结构 文件 file [D23]) of a file uploaded with UploadFile; uuid makes the
// send idempotent for an hour, as SendCard's. It returns the message id.
func (l *Lark) SendFile(ctx context.Context, to Recipient, fileKey, uuid string) (string, error) {
	content, _ := json.Marshal(map[string]string{"file_key": fileKey})
	idType := "open_id"
	if to.Chat {
		idType = "chat_id"
	}
	var msgID string
	err := l.retryToken(func() error {
		body := larkim.NewCreateMessageReqBodyBuilder().ReceiveId(to.ID).MsgType(larkim.MsgTypeFile).Content(string(content))
		if uuid != "" {
			body = body.Uuid(uuid)
		}
		resp, err := l.client.Im.V1.Message.Create(ctx, larkim.NewCreateMessageReqBuilder().ReceiveIdType(idType).Body(body.Build()).Build())
		if err != nil {
			return &APIError{Op: "send file", Msg: err.Error(), Kind: KindTransient}
		}
		if !resp.Success() {
			return classifyResp("send file", resp.ApiResp, resp.CodeError)
		}
		if resp.Data != nil && resp.Data.MessageId != nil {
			msgID = *resp.Data.MessageId
		}
		return nil
	})
	return msgID, err
}

// PatchCard replaces a sent shared card (update_multi) in place.
func (l *Lark) PatchCard(ctx context.Context, messageID string, card []byte) error {
	return l.retryToken(func() error {
		resp, err := l.client.Im.V1.Message.Patch(ctx, larkim.NewPatchMessageReqBuilder().MessageId(messageID).
			Body(larkim.NewPatchMessageReqBodyBuilder().Content(string(card)).Build()).Build())
		if err != nil {
			return &APIError{Op: "patch", Msg: err.Error(), Kind: KindTransient}
		}
		if !resp.Success() {
			return classifyResp("patch", resp.ApiResp, resp.CodeError)
		}
		return nil
	})
}

// UrgentApp makes a message the bot sent urgent (应用内加急) for the users
// (open_ids, at most 200), who must be in its chat: PATCH
// /open-apis/im/v1/messages/:message_id/urgent_app, scope
// im:message.urgent (docs/lark.md §1.6). It returns the ids Lark found
// outside the chat (invalid_user_id_list), which it did not urge; when none
// is valid Lark refuses the call with 230001.
func (l *Lark) UrgentApp(ctx context.Context, messageID string, userIDs []string) ([]string, error) {
	var invalid []string
	err := l.retryToken(func() error {
		resp, err := l.client.Im.V1.Message.UrgentApp(ctx, larkim.NewUrgentAppMessageReqBuilder().MessageId(messageID).UserIdType("open_id").
			UrgentReceivers(larkim.NewUrgentReceiversBuilder().UserIdList(userIDs).Build()).Build())
		if err != nil {
			return &APIError{Op: "urgent", Msg: err.Error(), Kind: KindTransient}
		}
		if !resp.Success() {
			return classifyResp("urgent", resp.ApiResp, resp.CodeError)
		}
		invalid = nil
		if resp.Data != nil {
			invalid = resp.Data.InvalidUserIdList
		}
		return nil
	})
	return invalid, err
}

// Reader is someone who has read a message, and when.
type Reader struct {
	OpenID string
	At     time.Time
}

// maxReadPages bounds ReadUsers: 100 pages of 100 readers is more than any
// group kaohe posts to (a group holds at most a few thousand people).
const maxReadPages = 100

// ReadUsers returns everyone who has read a message the bot sent, in the
// order Lark lists them, all pages: GET
// /open-apis/im/v1/messages/:message_id/read_users, scope im:message (the
// send scope im:message:send_as_bot is not among those accepted; docs/lark.md
// §1.7). Lark answers only for the bot's own messages and for 7 days after
// sending (230033), and never lists who has not read it.
func (l *Lark) ReadUsers(ctx context.Context, messageID string) ([]Reader, error) {
	var out []Reader
	token := ""
	for page := 0; ; page++ {
		if page == maxReadPages {
			return out, &APIError{Op: "read users", Msg: fmt.Sprintf("more than %d pages", maxReadPages), Kind: KindRejected}
		}
		var data *larkim.ReadUsersMessageRespData
		err := l.retryToken(func() error {
			b := larkim.NewReadUsersMessageReqBuilder().MessageId(messageID).UserIdType("open_id").PageSize(100)
			if token != "" {
				b = b.PageToken(token)
			}
			resp, err := l.client.Im.V1.Message.ReadUsers(ctx, b.Build())
			if err != nil {
				return &APIError{Op: "read users", Msg: err.Error(), Kind: KindTransient}
			}
			if !resp.Success() {
				return classifyResp("read users", resp.ApiResp, resp.CodeError)
			}
			data = resp.Data
			return nil
		})
		if err != nil {
			return nil, err
		}
		if data == nil {
			return out, nil
		}
		for _, it := range data.Items {
			if it == nil || it.UserId == nil {
				continue
			}
			r := Reader{OpenID: *it.UserId}
			if it.Timestamp != nil {
				if ms, err := strconv.ParseInt(*it.Timestamp, 10, 64); err == nil {
					r.At = time.UnixMilli(ms)
				}
			}
			out = append(out, r)
		}
		if data.HasMore == nil || !*data.HasMore || data.PageToken == nil || *data.PageToken == "" {
			return out, nil
		}
		token = *data.PageToken
	}
}

// DelayedUpdate replaces a card using a callback's token (30 minutes, two
// uses). Call it only after the callback has been answered.
func (l *Lark) DelayedUpdate(ctx context.Context, token string, card []byte) error {
	body := map[string]any{"token": token, "card": json.RawMessage(card)}
	return l.retryToken(func() error {
		resp, err := l.client.Post(ctx, "/open-apis/interactive/v1/card/update", body, larkcore.AccessTokenTypeTenant)
		if err != nil {
			return &APIError{Op: "card update", Msg: err.Error(), Kind: KindTransient}
		}
		var r larkcore.CodeError
		if err := json.Unmarshal(resp.RawBody, &r); err != nil {
			return &APIError{Op: "card update", HTTPStatus: resp.StatusCode, Msg: "bad response body", Kind: KindTransient}
		}
		if r.Code != 0 || resp.StatusCode >= 400 {
			return classifyResp("card update", resp, r)
		}
		return nil
	})
}

// retryToken runs call again once after forgetting the cached token when
// Lark says the token is invalid.
func (l *Lark) retryToken(call func() error) error {
	err := call()
	var ae *APIError
	if errors.As(err, &ae) && ae.Kind == KindToken {
		l.tokens.clear()
		err = call()
	}
	return err
}

var (
	sharedTokens  = &tokenCache{m: map[string]tokenEntry{}}
	installTokens sync.Once
)

// tokenCache is the SDK's token cache with a way to forget.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]tokenEntry
}

type tokenEntry struct {
	val     string
	expires time.Time
}

func (c *tokenCache) Set(_ context.Context, key, val string, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = tokenEntry{val: val, expires: time.Now().Add(ttl)}
	return nil
}

func (c *tokenCache) Get(_ context.Context, key string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || time.Now().After(e.expires) {
		return "", nil
	}
	return e.val, nil
}

func (c *tokenCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = map[string]tokenEntry{}
}
