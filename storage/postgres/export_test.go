package postgres

// Hooks for the external tests.
var (
	WithMigrationsForTest = withMigrations
	WithPoolConfigForTest = withPoolConfig
)
