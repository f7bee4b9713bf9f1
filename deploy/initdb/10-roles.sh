#!/bin/sh
# Run once by the postgres image when the database is first created
# (/docker-entrypoint-initdb.d). It creates the login role kaohe serve runs
# as. The schema owner (POSTGRES_USER) runs the migrations, which grant
# kaohe_app its rights: INSERT and SELECT only on the audit log.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
	-v serve_password="$KAOHE_DB_SERVE_PASSWORD" <<'SQL'
DO $$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kaohe_app') THEN
		CREATE ROLE kaohe_app NOLOGIN;
	END IF;
END $$;
SELECT format('CREATE ROLE kaohe_serve LOGIN PASSWORD %L IN ROLE kaohe_app', :'serve_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kaohe_serve') \gexec
SQL
