package simclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// FileContent is the content of a file message ({"file_key":…}).
type FileContent struct {
	FileKey string `json:"file_key"`
}

// FileOf returns the file key of a file message, "" for other messages.
func FileOf(m Message) string {
	if m.MsgType != "file" {
		return ""
	}
	var c FileContent
	if json.Unmarshal([]byte(m.Content), &c) != nil {
		return ""
	}
	return c.FileKey
}

// File is an uploaded file as a person downloads it from a file message:
// GET /_sim/file?key=….
type File struct {
	Key  string
	Name string
	// Type is the file_type the app gave at upload.
	Type string
	Data []byte
}

// File downloads an uploaded file by its key.
func (c *Client) File(ctx context.Context, key string) (File, error) {
	path := "/_sim/file?key=" + url.QueryEscape(key)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return File{}, fmt.Errorf("GET %s: %w", path, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return File{}, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return File{}, fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode >= 300 {
		e := &Error{Status: resp.StatusCode}
		if json.Unmarshal(b, e) != nil || e.Message == "" {
			e.Message = strings.TrimSpace(string(b))
		}
		return File{}, e
	}
	f := File{Key: key, Type: resp.Header.Get("X-Sim-File-Type"), Data: b}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		f.Name = params["filename"]
	}
	return f, nil
}
