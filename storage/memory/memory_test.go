package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/storage/storetest"
	"github.com/kaohe/kaohe/workflow"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) workflow.Store { return memory.New() })
}

// TestTamperDetected proves VerifyAudit names an edited row and a deleted
// tail is caught by the published head (docs/reliability.md G9).
func TestTamperDetected(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memory.New()
	t0 := time.Date(2026, 9, 30, 1, 0, 0, 0, time.UTC)
	for i := range 4 {
		if err := s.InTx(ctx, func(tx workflow.Tx) error {
			_, err := tx.AppendAudit(ctx, workflow.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Actor: "hr", Action: "x"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	read := func() []workflow.AuditEntry {
		var rows []workflow.AuditEntry
		_ = s.InTx(ctx, func(tx workflow.Tx) error { rows, _ = tx.Audit(ctx, 0, 0); return nil })
		return rows
	}
	head := read()[3]
	s.TamperAudit(2, func(e *workflow.AuditEntry) { e.Actor = "mallory" })
	var br *workflow.AuditBreak
	if err := workflow.VerifyAudit(nil, read()); !errors.As(err, &br) || br.Seq != 2 {
		t.Errorf("VerifyAudit after edit = %v, want a break at row 2", err)
	}
	if err := workflow.HeadMatches(read()[:3], head.Seq, head.RowHash); err == nil {
		t.Errorf("HeadMatches accepted a log without its head row")
	}
	if err := workflow.HeadMatches(read(), head.Seq, head.RowHash); err != nil {
		t.Errorf("HeadMatches on the full log: %v", err)
	}
}

// TestTxUseAfterReturn: a Tx kept past its InTx is refused.
func TestTxUseAfterReturn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memory.New()
	var kept workflow.Tx
	_ = s.InTx(ctx, func(tx workflow.Tx) error { kept = tx; return nil })
	if err := kept.CreatePerson(ctx, workflow.Person{ID: "x"}); err == nil {
		t.Errorf("write through a finished Tx succeeded")
	}
}
