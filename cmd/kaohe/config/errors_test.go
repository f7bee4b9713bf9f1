package config

import (
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
)

// TestLoadReportsEveryMistake: a file with values of the wrong shape, an
// unknown key and a bad duration, a variable that does not parse and
// settings Validate refuses are reported together, each naming its key,
// none in Go's type names; a key the file got wrong is not reported a
// second time as missing.
func TestLoadReportsEveryMistake(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "kaohe.yaml", "app_id: [1]\ntick_interval: soon\nstep_workdays: three\npublish_all: maybe\nchains: [a, b]\n"+
		"contact: 5\nencryptkey: x\nlog_level: loud\ncallback: pigeon\nstorage: memory\n")
	_, err := Load([]string{"--config", file}, envOf(map[string]string{"KAOHE_BOTTOM_ALERT_AFTER": "two", "KAOHE_APP_SECRET": "s"}), io.Discard)
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		"line 1 (app_id): want text, got a list",
		`line 2 (tick_interval): duration "soon": want a value like 2s or 1m`,
		`line 3 (step_workdays): want a whole number, got the text "three"`,
		`line 4 (publish_all): want true or false, got the text "maybe"`,
		"line 5 (chains): want a mapping (key: value), got a list",
		"line 6 (contact): want a mapping (key: value), got the number 5",
		`line 7 (encryptkey): unknown key "encryptkey"`,
		`config bottom_alert_after (KAOHE_BOTTOM_ALERT_AFTER): "two" is not a whole number`,
		`config log_level (KAOHE_LOG_LEVEL): "loud"`,
		`config callback (KAOHE_CALLBACK): "pigeon"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "config app_id (KAOHE_APP_ID): required") {
		t.Errorf("app_id, unreadable in the file, is reported again as missing:\n%s", msg)
	}
	if goType := regexp.MustCompile(`\bint\b|\bbool\b|map\[|\[\]|config\.[A-Z]|!!`); goType.MatchString(msg) {
		t.Errorf("the error shows Go's or YAML's type names (%q):\n%s", goType.FindString(msg), msg)
	}
	var ce *Error
	if !errors.As(err, &ce) || ce.Field == "" {
		t.Errorf("errors.As finds no *Error in %v", err)
	}
}
