package larksim_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
)

// upload calls 上传文件 through the SDK.
func (e *env) upload(t *testing.T, typ, name string, data []byte) *larkim.CreateFileResp {
	t.Helper()
	b := larkim.NewCreateFileReqBodyBuilder().FileName(name).File(bytes.NewReader(data))
	if typ != "" {
		b = b.FileType(typ)
	}
	resp, err := e.client.Im.V1.File.Create(context.Background(), larkim.NewCreateFileReqBuilder().Body(b.Build()).Build())
	if err != nil {
		t.Fatalf("upload: transport error: %v", err)
	}
	return resp
}

// TestFiles: 上传文件 keeps the bytes and answers a file_key, refuses an
// empty file, an unknown file_type and a missing scope as Lark does [D33];
// a file message must name an uploaded key; the control interface hands
// the bytes back under the uploaded name.
func TestFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "hr")
	data := []byte("PK\x03\x04 a workbook")
	resp := e.upload(t, "stream", "备案表.xlsx", data)
	if !resp.Success() || resp.Data == nil || resp.Data.FileKey == nil {
		t.Fatalf("upload: code %d msg %q", resp.Code, resp.Msg)
	}
	key := *resp.Data.FileKey

	tests := []struct {
		name     string
		typ      string
		data     []byte
		wantCode int
	}{
		{"empty file", "stream", nil, larksim.CodeFileEmpty},
		{"unknown type", "xlsx", data, larksim.CodeFileBadParam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := e.upload(t, tt.typ, "a.xlsx", tt.data); r.Code != tt.wantCode {
				t.Errorf("code %d, want %d", r.Code, tt.wantCode)
			}
		})
	}

	if r := e.send(t, "open_id", u.OpenID, "file", `{"file_key":"file_v3_unknown"}`, ""); r.Code != larksim.CodeIMBadParam {
		t.Errorf("unknown file_key: code %d", r.Code)
	}
	r := e.send(t, "open_id", u.OpenID, "file", `{"file_key":"`+key+`"}`, "u-1")
	if !r.Success() {
		t.Fatalf("send file: code %d msg %q", r.Code, r.Msg)
	}
	msgs := e.sim.Messages(larksim.MessageFilter{ToOpenID: u.OpenID, MsgType: "file"})
	if len(msgs) != 1 {
		t.Fatalf("%d file messages", len(msgs))
	}

	ctl := httptest.NewServer(larksim.NewControl(e.sim, larksim.ControlOptions{}))
	defer ctl.Close()
	c := simclient.New(ctl.URL)
	page, err := c.Messages(context.Background(), simclient.Query{User: u.OpenID})
	if err != nil || len(page.Messages) != 1 {
		t.Fatalf("messages: %v %+v", err, page)
	}
	got := simclient.FileOf(page.Messages[0])
	f, err := c.File(context.Background(), got)
	if err != nil || got != key || f.Name != "备案表.xlsx" || f.Type != "stream" || !bytes.Equal(f.Data, data) {
		t.Fatalf("download %q: %+v, %v", got, f, err)
	}
	if _, err := c.File(context.Background(), "file_v3_none"); err == nil {
		t.Error("download of an unknown key succeeded")
	}

	e.sim.SetScopes([]string{"im:message"})
	if r := e.upload(t, "stream", "a.xlsx", data); r.Code != larksim.CodeScopeMissing {
		t.Errorf("without im:resource: code %d", r.Code)
	}
}
