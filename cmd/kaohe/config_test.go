package main

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	creds := map[string]string{"KAOHE_APP_ID": "cli_a", "KAOHE_APP_SECRET": "sec"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range creds {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name      string
		file      string // YAML config file body; "" for none
		env       map[string]string
		args      []string
		wantField string // the ConfigError field, "" for success
		check     func(t *testing.T, c Config)
	}{
		{name: "OK_Defaults", env: creds, check: func(t *testing.T, c Config) {
			if c.Listen != ":8080" || c.Callback != CallbackLong || c.Storage != "memory" || c.Scheme != "s4" ||
				c.BaseURL != "https://open.feishu.cn" || time.Duration(c.TickInterval) != time.Minute {
				t.Errorf("defaults: %v", c)
			}
		}},
		{name: "OK_FileThenEnvThenFlags",
			file: "app_id: cli_file\napp_secret: s\ncallback: webhook\nrelay_interval: 500ms\nlisten: \":9000\"\n",
			env:  map[string]string{"KAOHE_CALLBACK": "long", "KAOHE_TICK_INTERVAL": "30s"},
			args: []string{"--listen", "127.0.0.1:0"},
			check: func(t *testing.T, c Config) {
				if c.AppID != "cli_file" || c.Callback != CallbackLong || time.Duration(c.RelayInterval) != 500*time.Millisecond ||
					time.Duration(c.TickInterval) != 30*time.Second || c.Listen != "127.0.0.1:0" {
					t.Errorf("merged config: %v", c)
				}
			}},
		{name: "OK_JSONFile", file: `{"app_id": "cli_j", "app_secret": "s", "bench_fixture": 10}`, check: func(t *testing.T, c Config) {
			if c.AppID != "cli_j" || c.BenchFixture != 10 {
				t.Errorf("json config: %v", c)
			}
		}},
		{name: "ErrAppID", env: map[string]string{}, wantField: "app_id"},
		{name: "ErrCallback", env: with(map[string]string{"KAOHE_CALLBACK": "poll"}), wantField: "callback"},
		{name: "ErrStoragePostgres", env: with(map[string]string{"KAOHE_STORAGE": "postgres"}), wantField: "storage"},
		{name: "ErrStorageUnknown", env: with(map[string]string{"KAOHE_STORAGE": "mongo"}), wantField: "storage"},
		{name: "ErrBaseURL", env: with(map[string]string{"KAOHE_BASE_URL": "open.feishu.cn"}), wantField: "base_url"},
		{name: "ErrRelayInterval", env: with(map[string]string{"KAOHE_RELAY_INTERVAL": "0s"}), wantField: "relay_interval"},
		{name: "ErrDurationSyntax", env: with(map[string]string{"KAOHE_TICK_INTERVAL": "soon"}), wantField: "tick_interval"},
		{name: "ErrLogLevel", env: with(map[string]string{"KAOHE_LOG_LEVEL": "loud"}), wantField: "log_level"},
		{name: "ErrBenchFixture", env: with(map[string]string{"KAOHE_BENCH_FIXTURE": "many"}), wantField: "bench_fixture"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := tt.args
			if tt.file != "" {
				args = append([]string{"--config", writeFile(t, "kaohe.yaml", tt.file)}, args...)
			}
			c, err := LoadConfig(args, envOf(tt.env), io.Discard)
			if tt.wantField != "" {
				var ce *ConfigError
				if !errors.As(err, &ce) || ce.Field != tt.wantField {
					t.Fatalf("err = %v, want a ConfigError for %s", err, tt.wantField)
				}
				if !strings.Contains(err.Error(), tt.wantField) || !strings.Contains(err.Error(), "KAOHE_") {
					t.Errorf("error %q does not name the field and its variable", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadConfigUnknownFileKey(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "kaohe.yaml", "app_id: a\napp_secret: s\nencryptkey: typo\n")
	_, err := LoadConfig([]string{"--config", p}, envOf(nil), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "encryptkey") {
		t.Fatalf("err = %v, want one naming the unknown key", err)
	}
}

func TestConfigMasksSecrets(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	c.AppID, c.AppSecret, c.EncryptKey, c.VerificationToken = "cli_visible", "app-secret-value", "encrypt-key-value", "token-value"
	s := c.String()
	for _, secret := range []string{"app-secret-value", "encrypt-key-value", "token-value"} {
		if strings.Contains(s, secret) {
			t.Errorf("config string leaks %q: %s", secret, s)
		}
	}
	if !strings.Contains(s, "cli_visible") || !strings.Contains(s, "app_secret=***") {
		t.Errorf("config string %s: want the app id shown and the secret masked", s)
	}
}
