package workflow

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditHash returns hex(sha256(prevHash ‖ canonical(e))). The canonical form
// length-prefixes every field, so no two different rows encode alike; Seq,
// At (UTC, nanoseconds), Actor, Action, Object, Detail and Denied are
// covered, PrevHash and RowHash are not (PrevHash is chained in front).
func AuditHash(prevHash string, e AuditEntry) string {
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	field(prevHash)
	field(strconv.FormatInt(e.Seq, 10))
	field(e.At.UTC().Format(time.RFC3339Nano))
	field(e.Actor)
	field(e.Action)
	field(e.Object)
	field(e.Detail)
	field(strconv.FormatBool(e.Denied))
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// SealAudit fills e's PrevHash and RowHash as the row after prev (nil for
// the first row) and sets its Seq. Stores call it inside AppendAudit.
func SealAudit(prev *AuditEntry, e AuditEntry) AuditEntry {
	e.Seq, e.PrevHash = 1, ""
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, prev.RowHash
	}
	e.RowHash = AuditHash(e.PrevHash, e)
	return e
}

// AuditBreak is the error VerifyAudit returns: the first row that does not
// follow from the one before it.
type AuditBreak struct {
	Seq    int64
	Reason string
}

func (e *AuditBreak) Error() string {
	return fmt.Sprintf("audit chain broken at row %d: %s", e.Seq, e.Reason)
}

// VerifyAudit checks a chain that starts after the row prev (nil for the
// start of the log): consecutive Seq, each PrevHash equal to the previous
// RowHash, each RowHash recomputed. It returns nil or an *AuditBreak naming
// the first bad row. To check a log that may have lost its last rows,
// compare the returned head with a published one (HeadMatches).
func VerifyAudit(prev *AuditEntry, rows []AuditEntry) error {
	for i := range rows {
		r := rows[i]
		wantSeq, wantPrev := int64(1), ""
		if prev != nil {
			wantSeq, wantPrev = prev.Seq+1, prev.RowHash
		}
		switch {
		case r.Seq != wantSeq:
			return &AuditBreak{Seq: r.Seq, Reason: fmt.Sprintf("sequence gap: want row %d", wantSeq)}
		case r.PrevHash != wantPrev:
			return &AuditBreak{Seq: r.Seq, Reason: "prev_hash does not match the previous row"}
		case AuditHash(r.PrevHash, r) != r.RowHash:
			return &AuditBreak{Seq: r.Seq, Reason: "row_hash does not match the row's contents"}
		}
		prev = &rows[i]
	}
	return nil
}

// HeadMatches reports whether a published head (seq, hash) is still in the
// log: rows must contain row seq with that RowHash. A log whose last rows
// were deleted fails this check even though VerifyAudit passes.
func HeadMatches(rows []AuditEntry, seq int64, hash string) error {
	for _, r := range rows {
		if r.Seq == seq {
			if r.RowHash != hash {
				return &AuditBreak{Seq: seq, Reason: "published head hash differs"}
			}
			return nil
		}
	}
	return &AuditBreak{Seq: seq, Reason: "published head row is missing"}
}
