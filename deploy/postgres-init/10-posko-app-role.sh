#!/bin/sh
# The database role the portal runs as: `posko_app`, which is not a superuser and owns no table, so that it
# cannot switch off the append-only triggers of the timeline, custody log, letters and exports (ALTER TABLE ...
# DISABLE TRIGGER needs the table's owner; session_replication_role needs a superuser; docs/integrity.md).
# Migrations, `admin_create` and restores run as the owner (`posko`, POSTGRES_USER), through the `migrate`
# service. The postgres image runs this file once, when its volume is first initialised; on a database made
# before it existed, run it once by hand (README, "Upgrading"):
#   docker compose exec db sh /docker-entrypoint-initdb.d/10-posko-app-role.sh
# Safe to run again: it creates the role only if missing, sets its password, and grants what the tables and
# sequences the owner makes now and later need.
set -eu
: "${POSTGRES_APP_PASSWORD:?set POSTGRES_APP_PASSWORD in .env}"
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname "${POSTGRES_DB}" \
  -v owner="${POSTGRES_USER}" -v database="${POSTGRES_DB}" -v app_password="${POSTGRES_APP_PASSWORD}" <<'SQL'
SELECT 'CREATE ROLE posko_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'posko_app') \gexec
ALTER ROLE posko_app WITH LOGIN NOSUPERUSER PASSWORD :'app_password';
GRANT CONNECT ON DATABASE :"database" TO posko_app;
GRANT USAGE ON SCHEMA public TO posko_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO posko_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO posko_app;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO posko_app;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO posko_app;
SQL
