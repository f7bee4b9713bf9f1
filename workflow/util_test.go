package workflow_test

import (
	"errors"
	"fmt"
	"strconv"
)

func errorsAs[T any](err error, target *T) bool { return errors.As(err, target) }

func sscan(id string, n *int) (int, error) { return fmt.Sscanf(id, "e%d", n) }

func itoa(n int) string { return strconv.Itoa(n) }
