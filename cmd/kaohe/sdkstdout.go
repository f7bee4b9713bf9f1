package main

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// sdkReadyLine is the line the Lark SDK's event dispatcher prints when it
// is built ("2026/12/07 10:00:00 [Info] [event-dispatch is ready]"): its
// constructor logs it through a logger on os.Stdout before a caller can
// hand it another (dispatcher.NewEventDispatcher), so it would head
// `kaohe demo`'s story and serve's output.
const sdkReadyLine = "[Info] [event-dispatch is ready]"

// quietStdout points os.Stdout at a pipe that forwards everything to the
// real standard output except the SDK's ready line, and returns the
// function that closes the pipe and waits for the rest to be written. It
// is called first thing in main, before any goroutine could be reading
// os.Stdout; if the pipe cannot be made, stdout stays as it is.
func quietStdout() (done func()) {
	real := os.Stdout
	r, w, err := os.Pipe()
	if err != nil {
		return func() {}
	}
	os.Stdout = w
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		dropLines(r, real, func(line string) bool { return strings.Contains(line, sdkReadyLine) })
	}()
	return func() {
		w.Close()
		<-finished
		os.Stdout = real
	}
}

// dropLines copies r to w line by line, leaving out the lines drop
// chooses. A last line without a newline is copied as it is.
func dropLines(r io.Reader, w io.Writer, drop func(string) bool) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" && !drop(line) {
			_, _ = io.WriteString(w, line)
		}
		if err != nil {
			return
		}
	}
}
