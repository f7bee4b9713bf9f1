package main

import (
	"errors"
	"io"

	"github.com/kaohe/kaohe/cmd/kaohe/config"
)

// The configuration of `kaohe serve` is package config's, where its fuzz
// target runs at full speed; these names keep the rest of package main as
// it was written.
type (
	// Config is config.Config.
	Config = config.Config
	// ConfigError is config.Error: a bad setting.
	ConfigError = config.Error
	// Duration is config.Duration.
	Duration = config.Duration
)

// Stores, migration modes and callback modes.
const (
	StoragePostgres = config.StoragePostgres
	StorageMemory   = config.StorageMemory
	MigrateAuto     = config.MigrateAuto
	MigrateCheck    = config.MigrateCheck
	CallbackLong    = config.CallbackLong
	CallbackWebhook = config.CallbackWebhook
)

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return config.Default() }

// LoadConfig is config.Load, with a mistake in the command line a
// usageError, so kaohe prints its usage.
func LoadConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	c, err := config.Load(args, getenv, stderr)
	var ue config.UsageError
	if errors.As(err, &ue) {
		return c, usageError{ue.Msg}
	}
	return c, err
}

func checkURL(raw string, schemes ...string) error { return config.CheckURL(raw, schemes...) }

func redactURL(raw string) string { return config.RedactURL(raw) }
