package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// runHealthcheck GETs a URL and fails unless it answers 200: the container
// health check, since the distroless image has no curl.
func runHealthcheck(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("healthcheck")
	if err := parseFlagsArgs(fs, args, stdout); err != nil {
		return err
	}
	args = fs.Args()
	if len(args) != 1 {
		return usageError{"healthcheck: give one URL, e.g. http://127.0.0.1:8080/readyz"}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, args[0], nil)
	if err != nil {
		return usageError{"healthcheck: " + err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// /readyz says why in its body; Docker keeps this output in the
		// container's health log (docker inspect), where it is read.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("healthcheck: %s answered %s\n%s", args[0], resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
