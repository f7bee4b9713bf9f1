package larksim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Tenant- and app-level policies that make Lark refuse a request the
// simulator otherwise accepts: the app's scopes (99991672), the free
// plan's monthly quota (99991403), data-loss prevention (230028), and the
// uuid still in flight (230049). Each is off until a test turns it on, so
// the zero Server behaves as an app with every scope on a paid plan.

// apiScopes lists, per simulated API, the scopes of which any one lets the
// app call it ("开启其中任意一项权限即可调用"). APIs missing here need none in
// larksim (the token endpoints, the long-connection bootstrap) or are not
// modelled (reply, chats, get user).
var apiScopes = map[string][]string{
	// [D1] 发送消息, 权限要求
	APIMessageCreate: {"im:message", "im:message:send_as_bot", "im:message:send"},
	// [D4] 更新已发送的消息卡片, 权限要求
	APIMessagePatch: {"im:message", "im:message:send_as_bot", "im:message:update"},
	// [D6] 延时更新消息卡片, 权限要求
	APICardUpdate: {"im:message", "im:message:send_as_bot", "im:message:update"},
	// [D25] 发送应用内加急, 权限要求
	APIMessageUrgent: {"im:message.urgent", "im:message.urgent:app_send"},
	// [D33] 上传文件, 权限要求
	APIFileCreate: {"im:resource", "im:resource:upload"},
	// [D26] 查询消息已读信息, 权限要求
	APIReadUsers: {"im:message", "im:message:readonly", "im:message:basic"},
	// [D17] 获取子部门列表 and [D18] 获取部门直属用户列表, 权限要求
	APIDeptChildren: {"contact:contact.base:readonly", "contact:department.organize:readonly",
		"contact:contact:access_as_app", "contact:contact:readonly", "contact:contact:readonly_as_app"},
	APIUserByDept: {"contact:contact.base:readonly", "contact:department.organize:readonly",
		"contact:contact:access_as_app", "contact:contact:readonly", "contact:contact:readonly_as_app"},
}

// APIScopes returns the scopes of which any one lets the app call api,
// nil when larksim checks none for it.
func APIScopes(api string) []string { return append([]string(nil), apiScopes[api]...) }

// SetScopes gives the app exactly these scopes: a call to an API whose
// scopes (APIScopes) it has none of is answered 99991672, naming them. nil
// gives it every scope again (the default).
func (s *Server) SetScopes(scopes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if scopes == nil {
		s.scopes = nil
		return
	}
	s.scopes = setOf(scopes...)
}

// missingScopesLocked returns the scopes api needs when the app has none
// of them, nil otherwise.
func (s *Server) missingScopesLocked(api string) []string {
	need := apiScopes[api]
	if s.scopes == nil || len(need) == 0 {
		return nil
	}
	for _, sc := range need {
		if s.scopes[sc] {
			return nil
		}
	}
	return need
}

// writeScopeError writes Lark's 99991672 answer: HTTP 400, the msg naming
// the scopes (English, then Chinese with the console link) and
// error.permission_violations, one per scope, as the SDK's CodeError reads
// them. [D3b][SDK core/apiresp.go][I zhgqthomas/n8n-nodes-feishu-lark#22]
func (s *Server) writeScopeError(w http.ResponseWriter, scopes []string) {
	list := strings.Join(scopes, ", ")
	link := "https://open.feishu.cn/app/" + s.opts.AppID + "/auth?q=" + strings.Join(scopes, ",") + "&op_from=openapi&token_type=tenant"
	msg := codeMessage(CodeScopeMissing) + ": [" + list + "].应用尚未开通所需的应用身份权限：[" + list + "]，点击链接申请并开通任一权限即可：" + link
	violations := make([]map[string]string, len(scopes))
	for i, sc := range scopes {
		violations[i] = map[string]string{"type": "action_scope_required", "subject": sc}
	}
	id := logID()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Tt-Logid", id)
	w.WriteHeader(http.StatusBadRequest)
	b, _ := json.Marshal(map[string]any{
		"code": CodeScopeMissing,
		"msg":  msg,
		"error": map[string]any{
			"log_id":                id,
			"permission_violations": violations,
			"helps":                 []map[string]string{{"url": link, "description": "Learn more about scopes and how to add them: [" + list + "]"}},
		},
	})
	_, _ = w.Write(b)
}

// FreePlanQuota is the free plan's API calls a month, shared by all the
// tenant's self-built apps. [D3]
const FreePlanQuota = 10_000

// quotaZone is where Lark's month begins (the quota "在每个自然月的 1 号刷新";
// Feishu is run from Beijing time). [D3]
var quotaZone = time.FixedZone("CST", 8*3600)

// quotaFree lists the APIs that do not count: auth, event and contact
// APIs ("不计入调用量的 OpenAPI"). IM and card APIs count. [D3]
var quotaFree = setOf(APITenantToken, APIAppToken, APIDeptChildren, APIUserByDept, APIUserGet, APIWSEndpoint, APIWSConnect, apiNotFound)

// SetMonthlyQuota puts the tenant on a plan with n API calls a month
// (FreePlanQuota for the free plan; 0, the default, for unlimited). Calls
// that succeed count, failed ones do not; once n are used, every counted
// API answers HTTP 429 with 99991403 until the month changes on the server
// clock. [D3]
func (s *Server) SetMonthlyQuota(n int) {
	s.mu.Lock()
	s.quota = n
	s.mu.Unlock()
}

// QuotaUsed returns the counted calls of the current month.
func (s *Server) QuotaUsed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rollQuotaLocked()
	return s.quotaUsed
}

// rollQuotaLocked starts a new count when the month changed.
func (s *Server) rollQuotaLocked() {
	m := s.opts.Clock.Now().In(quotaZone).Format("2006-01")
	if m != s.quotaMonth {
		s.quotaMonth, s.quotaUsed = m, 0
	}
}

// allowQuota answers 99991403 when api counts and the quota is used up.
func (s *Server) allowQuota(w http.ResponseWriter, api string) bool {
	s.mu.Lock()
	s.rollQuotaLocked()
	over := s.quota > 0 && !quotaFree[api] && s.quotaUsed >= s.quota
	s.mu.Unlock()
	if over {
		s.writeError(w, http.StatusTooManyRequests, CodeQuotaExceeded, "")
	}
	return !over
}

// countQuota counts one successful call of api.
func (s *Server) countQuota(api string) {
	if quotaFree[api] {
		return
	}
	s.mu.Lock()
	s.rollQuotaLocked()
	s.quotaUsed++
	s.mu.Unlock()
}

// statusWriter remembers the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// SetDataLossPrevention turns the tenant's data-loss-prevention audit on
// or off. While on, a message sent, replied or patched whose visible text
// holds a mainland mobile number (11 digits, 1[3-9]…, not part of a
// longer number) or an e-mail address in plain text is refused with
// 230028. The doc names those two examples ("当消息内容包含有明文电话号码、
// 明文邮箱地址等内容时可能会触发该错误") without the exact rule; this one is
// larksim's: ids, names and callback values are not visible text and are
// not audited, nor are <at …> mentions. [D1][D4]
func (s *Server) SetDataLossPrevention(on bool) {
	s.mu.Lock()
	s.dlp = on
	s.mu.Unlock()
}

var (
	dlpPhoneRe = regexp.MustCompile(`(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)`)
	dlpEmailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	dlpAtRe    = regexp.MustCompile(`<at\b[^>]*>|</at>`)
	// dlpSkipKeys hold structure, ids and callback data, not text.
	dlpSkipKeys = setOf("value", "behaviors", "name", "element_id", "user_id", "open_id", "tag",
		"template", "img_key", "chart_spec", "data_type", "width", "text_size", "type")
)

// dlpBlocks reports whether the audit refuses content (a message content
// string: text, post or card JSON).
func dlpBlocks(content string) bool {
	var v any
	if err := json.Unmarshal([]byte(content), &v); err != nil {
		return dlpText(content)
	}
	return dlpWalk(v)
}

func dlpWalk(v any) bool {
	switch x := v.(type) {
	case string:
		return dlpText(x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !dlpSkipKeys[k] && dlpWalk(x[k]) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if dlpWalk(e) {
				return true
			}
		}
	}
	return false
}

func dlpText(s string) bool {
	s = dlpAtRe.ReplaceAllString(s, " ")
	return dlpPhoneRe.MatchString(s) || dlpEmailRe.MatchString(s)
}

// uuidKey returns the de-duplication key of a send or reply request (the
// key sendLocked uses), "" for other requests or a send without uuid. The
// body is read and put back.
func uuidKey(r *http.Request, api string) string {
	var prefix string
	switch api {
	case APIMessageCreate:
		prefix = "create:"
	case APIMessageReply:
		prefix = "reply:"
	default:
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	r.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return ""
	}
	var body struct {
		UUID string `json:"uuid"`
	}
	if json.Unmarshal(b, &body) != nil || body.UUID == "" {
		return ""
	}
	return prefix + body.UUID
}

// beginUUID marks a send's uuid in flight. It returns false when another
// request with the same uuid is still being processed: Lark then answers
// 230049 "The message is being sent" (发送消息's error list) — what a
// client's retry after a timeout gets while the first attempt is still
// inside Lark. The first attempt holds the uuid from its arrival until its
// handling ends, including a fault's stall, and, with Fault.Detached, past
// the moment its client gave up. [D1]
func (s *Server) beginUUID(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight[key] > 0 {
		s.stats.UUIDInFlight++
		return false
	}
	s.inflight[key]++
	return true
}

// endUUID ends a request's hold on its uuid.
func (s *Server) endUUID(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight[key]--; s.inflight[key] <= 0 {
		delete(s.inflight, key)
	}
}
