package larksim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"

	"github.com/kaohe/kaohe/clock"
)

// API names identify the simulated endpoints in faults, stats and rate
// limits (Lark limits each API separately [D2]).
const (
	APITenantToken    = "auth.tenant_access_token"
	APIAppToken       = "auth.app_access_token"
	APIMessageCreate  = "im.message.create"
	APIMessageReply   = "im.message.reply"
	APIMessagePatch   = "im.message.patch"
	APIMessageUrgent  = "im.message.urgent_app"
	APIReadUsers      = "im.message.read_users"
	APICardUpdate     = "interactive.card.update"
	APIChatList       = "im.chat.list"
	APIChatCreate     = "im.chat.create"
	APIChatMembers    = "im.chat.members.get"
	APIDeptChildren   = "contact.department.children"
	APIUserByDept     = "contact.user.find_by_department"
	APIUserGet        = "contact.user.get"
	apiNotFound       = "not_found"
	tokenPrefixTenant = "t-"
	tokenPrefixApp    = "a-"
)

// Options configure a Server. The zero value is usable: every field has a
// default.
type Options struct {
	// AppID and AppSecret are the only credentials the token endpoints
	// accept. Defaults: "cli_larksim" and "larksim-secret".
	AppID, AppSecret string
	// TenantKey is reported in ids and events. Default "larksim_tenant".
	TenantKey string
	// Clock drives token expiry, rate-limit windows, uuid and delayed-update
	// lifetimes, the 14-day patch limit, event re-push times and fault
	// stalls. Default clock.Real{}.
	Clock clock.Clock
	// Seed makes generated ids and rate-based faults reproducible. Default 1.
	Seed uint64
	// AllowCardV1 accepts cards without "schema":"2.0" as Lark does. Off by
	// default: kaohe sends only 2.0 cards and a missing schema is a bug.
	AllowCardV1 bool
	// TokenTTL is the tenant_access_token lifetime. Default 2 h. [D15]
	TokenTTL time.Duration
	// AppPerSecond and AppPerMinute are the per-API, per-app limits.
	// Defaults 50 and 1000. [D1][D2]
	AppPerSecond, AppPerMinute int
	// ChatPerSecond is the send limit per receiving chat (a user's p2p chat
	// or a group). Default 5. [D1]
	ChatPerSecond int
	// MessagePatchPerSecond is the PATCH limit per message. Default 5. [D4]
	MessagePatchPerSecond int
	// CallbackTimeout is how long a card callback may take before the user
	// sees error 200341. A real-time deadline (context), default 3 s; tests
	// shorten it. [D8]
	CallbackTimeout time.Duration
	// EventAckTimeout is how long an event push may take before it counts
	// as unacknowledged and is re-pushed. Real time, default 3 s. [D13]
	EventAckTimeout time.Duration
	// URLVerifyTimeout bounds the url_verification challenge. Default 1 s. [D11]
	URLVerifyTimeout time.Duration
	// HTTPClient delivers callbacks and events. Default: a client that does
	// not follow redirects (Lark treats 3xx as failure [D8]).
	HTTPClient *http.Client
	// BotName is the bot's display name in the mentions of a message that
	// @-mentions it (SendText with MentionBot). Default "kaohe".
	BotName string
	// UrgentUnreadCap is how many unread urgent messages a user may have
	// before urgent_app refuses more with 230023. Default 200. [D25]
	UrgentUnreadCap int
}

func (o Options) withDefaults() Options {
	if o.AppID == "" {
		o.AppID = "cli_larksim"
	}
	if o.AppSecret == "" {
		o.AppSecret = "larksim-secret"
	}
	if o.TenantKey == "" {
		o.TenantKey = "larksim_tenant"
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = 2 * time.Hour
	}
	if o.AppPerSecond == 0 {
		o.AppPerSecond = 50
	}
	if o.AppPerMinute == 0 {
		o.AppPerMinute = 1000
	}
	if o.ChatPerSecond == 0 {
		o.ChatPerSecond = 5
	}
	if o.MessagePatchPerSecond == 0 {
		o.MessagePatchPerSecond = 5
	}
	if o.CallbackTimeout == 0 {
		o.CallbackTimeout = 3 * time.Second
	}
	if o.EventAckTimeout == 0 {
		o.EventAckTimeout = 3 * time.Second
	}
	if o.URLVerifyTimeout == 0 {
		o.URLVerifyTimeout = time.Second
	}
	if o.BotName == "" {
		o.BotName = "kaohe"
	}
	if o.UrgentUnreadCap == 0 {
		o.UrgentUnreadCap = DefaultUrgentUnreadCap
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	return o
}

// Server is the simulated Lark Open Platform. It is an http.Handler: serve
// it with httptest.NewServer or any listener and point the SDK at the URL
// with lark.WithOpenBaseUrl. All methods are safe for concurrent use.
type Server struct {
	opts Options

	mu          sync.Mutex
	rng         *mrand.Rand
	tokens      map[string]*token
	current     *token // newest tenant token
	appTokens   map[string]*token
	limits      *limiter
	users       map[string]*User // by open_id
	depts       map[string]*Department
	deptOrder   []string
	chats       map[string]*Chat
	chatOrder   []string
	p2p         map[string]string // open_id → p2p chat_id
	messages    map[string]*Message
	msgOrder    []string
	uuids       map[string]uuidEntry
	delayTokens map[string]*delayToken
	locks       map[string]int // message_id → callbacks in flight
	faults      []*FaultHandle
	webhook     WebhookConfig
	events      []*pendingEvent
	ws          longConns
	stats       Stats
	// Policies (policy.go): the app's scopes (nil: all), data-loss
	// prevention, the monthly quota and uuids in flight.
	scopes     map[string]bool
	dlp        bool
	quota      int
	quotaMonth string
	quotaUsed  int
	inflight   map[string]int
	// urgentLeft is the tenant's remaining in-app urgent allowance, -1
	// for none set (urgent.go).
	urgentLeft int
	// contactRange is the app's contact data scope, nil for all members
	// (directory_scope.go).
	contactRange *ContactRange
	// files are the uploaded files by file_key, fileOrder their keys in
	// upload order (files.go).
	files     map[string]*File
	fileOrder []string
	// seq counts changes to messages (new, updated, recalled) and changed
	// is closed at the next one: the control interface's cursors and
	// long polls (control.go).
	seq     int64
	changed chan struct{}
}

type token struct {
	value   string
	expires time.Time
}

type uuidEntry struct {
	messageID string
	at        time.Time
}

// New returns a Server configured by opts.
func New(opts Options) *Server {
	o := opts.withDefaults()
	return &Server{
		opts:        o,
		rng:         mrand.New(mrand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		tokens:      map[string]*token{},
		appTokens:   map[string]*token{},
		limits:      newLimiter(),
		users:       map[string]*User{},
		depts:       map[string]*Department{},
		chats:       map[string]*Chat{},
		p2p:         map[string]string{},
		messages:    map[string]*Message{},
		uuids:       map[string]uuidEntry{},
		delayTokens: map[string]*delayToken{},
		locks:       map[string]int{},
		inflight:    map[string]int{},
		urgentLeft:  -1,
		stats:       Stats{Requests: map[string]int{}},
	}
}

// AppID returns the app id the server accepts.
func (s *Server) AppID() string { return s.opts.AppID }

// AppSecret returns the app secret the server accepts.
func (s *Server) AppSecret() string { return s.opts.AppSecret }

// Stats counts what the server saw. All maps are copies.
type Stats struct {
	// Requests counts requests per API name (unknown paths under "not_found").
	Requests map[string]int
	// RateLimited counts HTTP 429 / 99991400 answers from the app-level
	// limits (not injected faults).
	RateLimited int
	// ChatRateLimited counts 230020 answers: per-chat sends and per-message
	// patches over 5 per second.
	ChatRateLimited int
	// TokenRejected counts requests refused for a missing, malformed,
	// unknown or expired token.
	TokenRejected int
	// Deduplicated counts sends answered from the uuid cache.
	Deduplicated int
	// CardRejected counts card content refused by the validator.
	CardRejected int
	// FaultsInjected counts requests answered or stalled by the fault plan.
	FaultsInjected int
	// TokensIssued counts distinct tenant tokens issued.
	TokensIssued int
	// UUIDInFlight counts 230049 answers: a send whose uuid another
	// request was still processing.
	UUIDInFlight int
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Requests = make(map[string]int, len(s.stats.Requests))
	for k, v := range s.stats.Requests {
		st.Requests[k] = v
	}
	return st
}

// randHex returns n random hex characters from the seeded generator. The
// caller holds s.mu.
func (s *Server) randHex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[s.rng.IntN(16)]
	}
	return string(b)
}

// randAlnum returns n random letters and digits. The caller holds s.mu.
func (s *Server) randAlnum(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[s.rng.IntN(len(chars))]
	}
	return string(b)
}

// cryptoHex returns n hex characters from crypto/rand, for values that a
// real platform would never make predictable (nonces).
func cryptoHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// route is one simulated endpoint.
type route struct {
	method  string
	pattern []string // path segments; ":x" binds a parameter
	api     string
	auth    bool // needs a tenant token
	limited bool // subject to the app-level rate limit
	handle  func(s *Server, w http.ResponseWriter, r *http.Request, p map[string]string)
}

var routes = []route{
	{http.MethodPost, split("/open-apis/auth/v3/tenant_access_token/internal"), APITenantToken, false, false, (*Server).handleTenantToken},
	{http.MethodPost, split("/open-apis/auth/v3/app_access_token/internal"), APIAppToken, false, false, (*Server).handleAppToken},
	{http.MethodPost, split("/open-apis/im/v1/messages"), APIMessageCreate, true, true, (*Server).handleCreate},
	{http.MethodPost, split("/open-apis/im/v1/messages/:message_id/reply"), APIMessageReply, true, true, (*Server).handleReply},
	{http.MethodPatch, split("/open-apis/im/v1/messages/:message_id"), APIMessagePatch, true, true, (*Server).handlePatch},
	{http.MethodPatch, split("/open-apis/im/v1/messages/:message_id/urgent_app"), APIMessageUrgent, true, true, (*Server).handleUrgentApp},
	{http.MethodGet, split("/open-apis/im/v1/messages/:message_id/read_users"), APIReadUsers, true, true, (*Server).handleReadUsers},
	{http.MethodPost, split("/open-apis/interactive/v1/card/update"), APICardUpdate, true, true, (*Server).handleCardUpdate},
	{http.MethodPost, split("/open-apis/im/v1/files"), APIFileCreate, true, true, (*Server).handleFileCreate},
	{http.MethodGet, split("/open-apis/im/v1/chats"), APIChatList, true, true, (*Server).handleChatList},
	{http.MethodPost, split("/open-apis/im/v1/chats"), APIChatCreate, true, true, (*Server).handleChatCreate},
	{http.MethodGet, split("/open-apis/im/v1/chats/:chat_id/members"), APIChatMembers, true, true, (*Server).handleChatMembers},
	{http.MethodGet, split("/open-apis/contact/v3/departments/:department_id/children"), APIDeptChildren, true, true, (*Server).handleDeptChildren},
	{http.MethodGet, split("/open-apis/contact/v3/users/find_by_department"), APIUserByDept, true, true, (*Server).handleUserByDept},
	{http.MethodGet, split("/open-apis/contact/v3/users/:user_id"), APIUserGet, true, true, (*Server).handleUserGet},
	{http.MethodPost, split(larkws.GenEndpointUri), APIWSEndpoint, false, false, (*Server).handleWSEndpoint},
	{http.MethodGet, split(wsConnPath), APIWSConnect, false, false, (*Server).handleWSConnect},
}

func split(p string) []string { return strings.Split(strings.Trim(p, "/"), "/") }

// match finds the route for a request; literal segments beat parameters so
// /users/find_by_department is not read as /users/:user_id.
func match(method, path string) (*route, map[string]string) {
	segs := split(path)
	var best *route
	var bestParams map[string]string
	bestLiterals := -1
	for i := range routes {
		rt := &routes[i]
		if rt.method != method || len(rt.pattern) != len(segs) {
			continue
		}
		params := map[string]string{}
		literals := 0
		ok := true
		for j, p := range rt.pattern {
			if strings.HasPrefix(p, ":") {
				params[p[1:]] = segs[j]
				continue
			}
			if p != segs[j] {
				ok = false
				break
			}
			literals++
		}
		if ok && literals > bestLiterals {
			best, bestParams, bestLiterals = rt, params, literals
		}
	}
	return best, bestParams
}

// ServeHTTP answers one Open API request: fault plan, authentication,
// app-level rate limit, then the endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, params := match(r.Method, r.URL.Path)
	api := apiNotFound
	if rt != nil {
		api = rt.api
	}
	s.mu.Lock()
	s.stats.Requests[api]++
	s.mu.Unlock()

	if key := uuidKey(r, api); key != "" {
		if !s.beginUUID(key) {
			s.writeError(w, http.StatusBadRequest, CodeMessageSending, "")
			return
		}
		defer s.endUUID(key)
	}
	fault := s.pickFault(api)
	if fault != nil {
		defer notify(fault.finished)
	}
	// A WebSocket upgrade cannot be recorded and replayed, so AfterEffect
	// does not apply to it.
	if fault != nil && (!fault.f.AfterEffect || rt == nil || api == APIWSConnect) {
		if s.runFault(w, r, fault) {
			return
		}
		fault = nil
	}
	if rt == nil {
		s.writeError(w, http.StatusNotFound, CodeResourceNotFound, "")
		return
	}
	if fault == nil {
		s.serveRoute(w, r, rt, params)
		return
	}
	// The request takes effect; then the rule decides what, if anything,
	// the client gets back.
	rec := httptest.NewRecorder()
	s.serveRoute(rec, r, rt, params)
	if s.runFault(w, r, fault) {
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// serveRoute authenticates, checks the app's scopes and monthly quota,
// rate-limits and runs one endpoint; a success counts against the quota.
func (s *Server) serveRoute(w http.ResponseWriter, r *http.Request, rt *route, params map[string]string) {
	if rt.auth && !s.authenticate(w, r) {
		return
	}
	if rt.auth {
		s.mu.Lock()
		missing := s.missingScopesLocked(rt.api)
		s.mu.Unlock()
		if missing != nil {
			s.writeScopeError(w, missing)
			return
		}
		if !s.allowQuota(w, rt.api) {
			return
		}
	}
	if rt.limited && !s.allowApp(w, rt.api) {
		return
	}
	if !rt.auth { // the long connection's upgrade needs the bare writer
		rt.handle(s, w, r, params)
		return
	}
	sw := &statusWriter{ResponseWriter: w}
	rt.handle(s, sw, r, params)
	if sw.status == http.StatusOK {
		s.countQuota(rt.api)
	}
}

// authenticate checks the bearer tenant token. [D3b]
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	code := 0
	switch {
	case !ok || strings.TrimSpace(tok) == "":
		code = CodeNeedToken
	case !strings.HasPrefix(tok, "t-") && !strings.HasPrefix(tok, "u-"):
		code = CodeTokenBadFormat
	default:
		s.mu.Lock()
		t := s.tokens[tok]
		valid := t != nil && s.opts.Clock.Now().Before(t.expires)
		s.mu.Unlock()
		if !valid {
			code = CodeTenantTokenInvalid
		}
	}
	if code == 0 {
		return true
	}
	s.mu.Lock()
	s.stats.TokenRejected++
	s.mu.Unlock()
	// Live Lark answers token errors with HTTP 400
	// [I multica-ai/multica#7618]; the SDK reads only the body.
	s.writeError(w, http.StatusBadRequest, code, "")
	return false
}

// allowApp applies the per-API, per-app limits: AppPerSecond and
// AppPerMinute, either trips. [D2]
func (s *Server) allowApp(w http.ResponseWriter, api string) bool {
	s.mu.Lock()
	now := s.opts.Clock.Now()
	ok, limit, reset := s.limits.allow("app:"+api, now,
		window{time.Second, s.opts.AppPerSecond}, window{time.Minute, s.opts.AppPerMinute})
	if !ok {
		s.stats.RateLimited++
	}
	s.mu.Unlock()
	if ok {
		return true
	}
	writeRateLimited(w, limit, reset)
	return false
}

// writeRateLimited writes Lark's gateway throttling answer. [D2]
func writeRateLimited(w http.ResponseWriter, limit int, reset time.Duration) {
	secs := int((reset + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("x-ogw-ratelimit-limit", fmt.Sprint(limit))
	w.Header().Set("x-ogw-ratelimit-reset", fmt.Sprint(secs))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"code": CodeFrequencyLimit, "msg": codeMessage(CodeFrequencyLimit),
	})
}

// writeJSON writes v with the headers every Open API answer carries.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":1500,"msg":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Tt-Logid", logID())
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// logID imitates Lark's log ids (timestamp-like digits plus hex).
func logID() string { return "2025" + strings.ToUpper(cryptoHex(30)) }

// writeOK writes {"code":0,"msg":msg,"data":data}.
func writeOK(w http.ResponseWriter, msg string, data any) {
	body := map[string]any{"code": 0, "msg": msg}
	if data != nil {
		body["data"] = data
	}
	writeJSON(w, http.StatusOK, body)
}

// writeError writes Lark's error body: code, msg (with ", ext=…" when ext is
// given) and the error object with log_id and troubleshooter. [D1 sample]
func (s *Server) writeError(w http.ResponseWriter, status, code int, ext string) {
	msg := codeMessage(code)
	if ext != "" {
		if msg == "" {
			msg = ext
		} else {
			msg = strings.TrimSuffix(msg, ".") + ", ext=" + ext
		}
	}
	id := logID()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Tt-Logid", id)
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{
		"code": code,
		"msg":  msg,
		"error": map[string]any{
			"log_id":         id,
			"troubleshooter": fmt.Sprintf("排查建议查看（Troubleshooting suggestions）：https://open.feishu.cn/search?from=openapi&log_id=%s&code=%d", id, code),
		},
	})
	_, _ = w.Write(b)
}

// readJSON decodes the request body into v; it answers 400 itself on error.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		s.writeError(w, http.StatusBadRequest, CodeFieldValidation, "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

// handleTenantToken implements POST /open-apis/auth/v3/tenant_access_token/internal.
// A token is reused while at least 30 minutes of it remain; after that a new
// one is issued and both stay valid. [D15]
func (s *Server) handleTenantToken(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var req struct {
		AppID     string `json:"app_id"`
		AppSecret string `json:"app_secret"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	if code := s.checkCredentials(req.AppID, req.AppSecret); code != 0 {
		s.writeError(w, http.StatusBadRequest, code, "")
		return
	}
	s.mu.Lock()
	t := s.tenantTokenLocked()
	now := s.opts.Clock.Now()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"code": 0, "msg": "ok",
		"tenant_access_token": t.value,
		"expire":              int(t.expires.Sub(now) / time.Second),
	})
}

// handleAppToken implements POST /open-apis/auth/v3/app_access_token/internal
// (self-built apps get both tokens in one answer).
func (s *Server) handleAppToken(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var req struct {
		AppID     string `json:"app_id"`
		AppSecret string `json:"app_secret"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	if code := s.checkCredentials(req.AppID, req.AppSecret); code != 0 {
		s.writeError(w, http.StatusBadRequest, code, "")
		return
	}
	s.mu.Lock()
	now := s.opts.Clock.Now()
	t := s.tenantTokenLocked()
	var at *token
	for _, c := range s.appTokens {
		if c.expires.Sub(now) >= 30*time.Minute && (at == nil || c.expires.After(at.expires)) {
			at = c
		}
	}
	if at == nil {
		at = &token{value: tokenPrefixApp + s.randAlnum(40), expires: now.Add(s.opts.TokenTTL)}
		s.appTokens[at.value] = at
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"code": 0, "msg": "ok",
		"app_access_token":    at.value,
		"tenant_access_token": t.value,
		"expire":              int(at.expires.Sub(now) / time.Second),
	})
}

func (s *Server) checkCredentials(appID, secret string) int {
	switch {
	case appID != s.opts.AppID:
		return CodeAuthInvalidParam
	case secret != s.opts.AppSecret:
		return CodeAppSecretInvalid
	}
	return 0
}

// tenantTokenLocked returns the current tenant token, issuing a new one when
// less than 30 minutes remain. The caller holds s.mu.
func (s *Server) tenantTokenLocked() *token {
	now := s.opts.Clock.Now()
	if s.current != nil && s.current.expires.Sub(now) >= 30*time.Minute {
		return s.current
	}
	t := &token{value: tokenPrefixTenant + s.randAlnum(40), expires: now.Add(s.opts.TokenTTL)}
	s.tokens[t.value] = t
	s.current = t
	s.stats.TokensIssued++
	return t
}
