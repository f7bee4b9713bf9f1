package larksim

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/kaohe/kaohe/bot/larksim/simclient"
)

// Files: 上传文件 (POST /open-apis/im/v1/files, multipart) keeps the bytes
// and answers a file_key; a message of msg_type "file" ({"file_key":…},
// 发送消息内容结构 文件 file) must name an uploaded key; the control
// interface (GET /_sim/file?key=…) and Server.File hand the bytes back, so
// a test can open what the bot sent as a person would download it. [D33]

// APIFileCreate is 上传文件.
const APIFileCreate = "im.file.create"

// Upload limits and answers of 上传文件. [D33]
const (
	// MaxFileBytes: "文件大小不得超过 30 MB".
	MaxFileBytes = 30 << 20
	// CodeFileTooLarge: "The file size exceed the max value" (234006).
	CodeFileTooLarge = 234006
	// CodeFileEmpty: "File's size can't be 0" (234010).
	CodeFileEmpty = 234010
	// CodeFileBadParam: "Invalid request param" (234001).
	CodeFileBadParam = 234001
)

// fileTypes are the file_type values 上传文件 accepts. [D33]
var fileTypes = setOf("opus", "mp4", "pdf", "doc", "xls", "ppt", "stream")

// File is an uploaded file.
type File struct {
	// Key is the file_key, "file_v3_…".
	Key string
	// Type is the file_type given at upload, Name the file_name.
	Type, Name string
	Data       []byte
	UploadTime time.Time
}

// File returns an uploaded file by its key.
func (s *Server) File(key string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[key]
	if !ok {
		return File{}, false
	}
	c := *f
	c.Data = append([]byte(nil), f.Data...)
	return c, true
}

// Files returns every uploaded file, oldest first.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, 0, len(s.fileOrder))
	for _, k := range s.fileOrder {
		f := *s.files[k]
		f.Data = append([]byte(nil), f.Data...)
		out = append(out, f)
	}
	return out
}

// handleFileCreate implements POST /open-apis/im/v1/files: multipart
// fields file_type, file_name (duration is ignored) and file. [D33]
func (s *Server) handleFileCreate(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		s.writeError(w, http.StatusBadRequest, CodeFileBadParam, "Content-Type must be multipart/form-data")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFileBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		s.writeError(w, http.StatusBadRequest, CodeFileBadParam, err.Error())
		return
	}
	var typ, name string
	var data []byte
	gotFile := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				s.writeError(w, http.StatusBadRequest, CodeFileTooLarge, "")
				return
			}
			s.writeError(w, http.StatusBadRequest, CodeFileBadParam, err.Error())
			return
		}
		b, err := io.ReadAll(io.LimitReader(part, MaxFileBytes+1))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				s.writeError(w, http.StatusBadRequest, CodeFileTooLarge, "")
				return
			}
			s.writeError(w, http.StatusBadRequest, CodeFileBadParam, err.Error())
			return
		}
		switch part.FormName() {
		case "file_type":
			typ = string(b)
		case "file_name":
			name = string(b)
		case "file":
			data, gotFile = b, true
		}
	}
	switch {
	case !fileTypes[typ]:
		s.writeError(w, http.StatusBadRequest, CodeFileBadParam, "file_type must be one of opus, mp4, pdf, doc, xls, ppt, stream")
		return
	case strings.TrimSpace(name) == "":
		s.writeError(w, http.StatusBadRequest, CodeFileBadParam, "file_name is required")
		return
	case !gotFile:
		s.writeError(w, http.StatusBadRequest, CodeFileBadParam, "file is required")
		return
	case len(data) == 0:
		s.writeError(w, http.StatusBadRequest, CodeFileEmpty, "")
		return
	case len(data) > MaxFileBytes:
		s.writeError(w, http.StatusBadRequest, CodeFileTooLarge, "")
		return
	}
	s.mu.Lock()
	f := &File{Key: "file_v3_" + s.randHex(8) + "-" + s.randHex(4) + "-" + s.randHex(12), Type: typ, Name: name, Data: data, UploadTime: s.opts.Clock.Now()}
	if s.files == nil {
		s.files = map[string]*File{}
	}
	s.files[f.Key] = f
	s.fileOrder = append(s.fileOrder, f.Key)
	s.mu.Unlock()
	writeOK(w, "success", map[string]any{"file_key": f.Key})
}

// checkFileContentLocked validates a file message's content: it must name
// a file this app uploaded. The caller holds s.mu.
func (s *Server) checkFileContentLocked(content string) *apiError {
	var c struct {
		FileKey string `json:"file_key"`
	}
	if json.Unmarshal([]byte(content), &c) != nil || c.FileKey == "" {
		return imErr(CodeIMBadParam, `invalid content: file content must be {"file_key":"…"}`)
	}
	if _, ok := s.files[c.FileKey]; !ok {
		return imErr(CodeIMBadParam, "invalid file_key")
	}
	return nil
}

// getFile is GET /_sim/file?key=…: the uploaded bytes, named as uploaded
// (Content-Disposition), as a person downloads a file message.
func (c *Control) getFile(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	f, ok := c.s.File(key)
	if !ok {
		ctlError(w, http.StatusNotFound, simclient.ReasonNotFound, "no uploaded file "+key)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("X-Sim-File-Type", f.Type)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Data)
}
