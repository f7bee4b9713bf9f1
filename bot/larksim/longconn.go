package larksim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"
)

// The long connection (长连接): the SDK client (larkws, pointed here with
// larkws.WithDomain) POSTs its credentials to /callback/ws/endpoint, gets a
// WebSocket URL, dials it, and then exchanges protobuf frames (the SDK's
// own ws.Frame type): the server pushes events and callbacks as data
// frames with header type=event; the client answers each with a data frame
// carrying the same message_id and a JSON Response {code, headers, data};
// the client pings (control frame type=ping) and the server answers pong.
// Frames are plaintext: the connection was authenticated when it was made.
// [D10b][D13c][SDK ws/client_transport.go, ws/client_message.go,
// ws/client_session.go]
const (
	// APIWSEndpoint is the long-connection bootstrap.
	APIWSEndpoint = "callback.ws.endpoint"
	// APIWSConnect is the WebSocket dial itself.
	APIWSConnect = "callback.ws.connect"
	// MaxLongConnections is the most connections one app may hold. [D10b]
	MaxLongConnections = 50

	wsConnPath = "/callback/ws/conn"
)

// Long-connection handshake and bootstrap codes. [SDK ws/const.go]
const (
	wsAuthFailed      = larkws.AuthFailed
	wsExceedConnLimit = larkws.ExceedConnLimit
)

type wsConn struct {
	deviceID  string
	serviceID int32
	sock      *websocket.Conn
	writeMu   sync.Mutex
	mu        sync.Mutex
	waiting   map[string]chan larkws.Response
	done      chan struct{}
}

func (c *wsConn) write(f *larkws.Frame) error {
	b, err := f.Marshal()
	if err != nil {
		return err
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.sock.WriteMessage(websocket.BinaryMessage, b)
}

// longConns holds the server's long-connection state; guarded by Server.mu.
type longConns struct {
	tickets   map[string]int32 // device_id → service_id, issued by the bootstrap
	conns     map[string]*wsConn
	order     []string
	connected chan struct{} // closed while at least one connection is up
}

func (l *longConns) init() {
	if l.tickets == nil {
		l.tickets = map[string]int32{}
		l.conns = map[string]*wsConn{}
		l.connected = make(chan struct{})
	}
}

// handleWSEndpoint implements POST /callback/ws/endpoint.
func (s *Server) handleWSEndpoint(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var req larkws.BootstrapRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if s.checkCredentials(req.AppID, req.AppSecret) != 0 {
		writeJSON(w, http.StatusOK, map[string]any{"code": wsAuthFailed, "msg": "app_id or app_secret is invalid"})
		return
	}
	s.mu.Lock()
	s.ws.init()
	deviceID := strconv.FormatUint(s.rng.Uint64()>>1, 10)
	serviceID := int32(s.rng.IntN(1 << 20))
	s.ws.tickets[deviceID] = serviceID
	s.mu.Unlock()
	scheme := "ws"
	if r.TLS != nil {
		scheme = "wss"
	}
	url := fmt.Sprintf("%s://%s%s?device_id=%s&service_id=%d", scheme, r.Host, wsConnPath, deviceID, serviceID)
	writeJSON(w, http.StatusOK, larkws.EndpointResp{Code: 0, Msg: "ok", Data: &larkws.Endpoint{
		Url: url,
		ClientConfig: &larkws.ClientConfig{
			ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30, PingInterval: 120,
		},
	}})
}

// handleWSConnect upgrades GET /callback/ws/conn and serves the connection
// until it closes.
func (s *Server) handleWSConnect(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	deviceID := r.URL.Query().Get(larkws.DeviceID)
	s.mu.Lock()
	s.ws.init()
	serviceID, ok := s.ws.tickets[deviceID]
	full := len(s.ws.conns) >= MaxLongConnections
	if ok && !full {
		delete(s.ws.tickets, deviceID)
	}
	s.mu.Unlock()
	switch {
	case !ok:
		w.Header().Set(larkws.HeaderHandshakeStatus, strconv.Itoa(larkws.Forbidden))
		w.Header().Set(larkws.HeaderHandshakeMsg, "invalid device_id")
		w.WriteHeader(http.StatusForbidden)
		return
	case full:
		w.Header().Set(larkws.HeaderHandshakeStatus, strconv.Itoa(wsAuthFailed))
		w.Header().Set(larkws.HeaderHandshakeAuthErrCode, strconv.Itoa(wsExceedConnLimit))
		w.Header().Set(larkws.HeaderHandshakeMsg, "exceed connection limit")
		w.WriteHeader(http.StatusForbidden)
		return
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	sock, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &wsConn{deviceID: deviceID, serviceID: serviceID, sock: sock,
		waiting: map[string]chan larkws.Response{}, done: make(chan struct{})}
	s.mu.Lock()
	s.ws.conns[deviceID] = c
	s.ws.order = append(s.ws.order, deviceID)
	if len(s.ws.conns) == 1 {
		close(s.ws.connected)
	}
	s.mu.Unlock()
	defer s.dropConn(c)
	for {
		kind, msg, err := sock.ReadMessage()
		if err != nil {
			return
		}
		if kind != websocket.BinaryMessage {
			continue
		}
		var f larkws.Frame
		if f.Unmarshal(msg) != nil {
			continue
		}
		hs := larkws.Headers(f.Headers)
		switch {
		case larkws.FrameType(f.Method) == larkws.FrameTypeControl && hs.GetString(larkws.HeaderType) == string(larkws.MessageTypePing):
			pong := larkws.Frame{Method: int32(larkws.FrameTypeControl), Service: f.Service}
			h := larkws.Headers{}
			h.Add(larkws.HeaderType, string(larkws.MessageTypePong))
			pong.Headers = h
			_ = c.write(&pong)
		case larkws.FrameType(f.Method) == larkws.FrameTypeData:
			var resp larkws.Response
			if json.Unmarshal(f.Payload, &resp) != nil {
				continue
			}
			c.mu.Lock()
			ch := c.waiting[hs.GetString(larkws.HeaderMessageID)]
			c.mu.Unlock()
			if ch != nil {
				select {
				case ch <- resp:
				default:
				}
			}
		}
	}
}

func (s *Server) dropConn(c *wsConn) {
	_ = c.sock.Close()
	close(c.done)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ws.conns, c.deviceID)
	for i, id := range s.ws.order {
		if id == c.deviceID {
			s.ws.order = append(s.ws.order[:i:i], s.ws.order[i+1:]...)
			break
		}
	}
	if len(s.ws.conns) == 0 {
		s.ws.connected = make(chan struct{})
	}
}

// LongConnections returns how many long-connection clients are connected.
func (s *Server) LongConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ws.conns)
}

// WaitLongConnection blocks until at least one long-connection client is
// connected (the SDK's OnReady can fire before the server has registered
// the connection), or ctx ends.
func (s *Server) WaitLongConnection(ctx context.Context) error {
	s.mu.Lock()
	s.ws.init()
	ch := s.ws.connected
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errNoLongConnection: long-connection mode with no client connected.
var errNoLongConnection = errors.New("no long-connection client is connected")

// pushWS sends payload to one connected client, chosen at random as Lark
// does in cluster mode [D10b], and waits up to timeout for its answer.
func (s *Server) pushWS(ctx context.Context, payload []byte, timeout time.Duration) delivery {
	s.mu.Lock()
	var c *wsConn
	if n := len(s.ws.order); n > 0 {
		c = s.ws.conns[s.ws.order[s.rng.IntN(n)]]
	}
	msgID := s.randHex(32)
	traceID := s.randHex(32)
	now := s.opts.Clock.Now()
	s.mu.Unlock()
	if c == nil {
		return delivery{err: errNoLongConnection, connect: true}
	}
	ch := make(chan larkws.Response, 1)
	c.mu.Lock()
	c.waiting[msgID] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiting, msgID)
		c.mu.Unlock()
	}()
	h := larkws.Headers{}
	h.Add(larkws.HeaderType, string(larkws.MessageTypeEvent))
	h.Add(larkws.HeaderMessageID, msgID)
	h.Add(larkws.HeaderSum, "1")
	h.Add(larkws.HeaderSeq, "0")
	h.Add(larkws.HeaderTraceID, traceID)
	h.Add(larkws.HeaderTimestamp, strconv.FormatInt(now.UnixMilli(), 10))
	f := larkws.Frame{Method: int32(larkws.FrameTypeData), Service: c.serviceID, Headers: h, Payload: payload}
	if err := c.write(&f); err != nil {
		return delivery{err: err, connect: true}
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case resp := <-ch:
		return delivery{status: resp.StatusCode, body: resp.Data}
	case <-t.C:
		return delivery{err: context.DeadlineExceeded, timeout: true}
	case <-c.done:
		return delivery{err: errors.New("long connection closed"), connect: true}
	case <-ctx.Done():
		return delivery{err: ctx.Err()}
	}
}
