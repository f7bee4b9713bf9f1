package postgres_test

import (
	"testing"

	"github.com/kaohe/kaohe/storage/storetest"
	"github.com/kaohe/kaohe/workflow"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) workflow.Store {
		s, _ := newStore(t)
		return s
	})
}
