#!/bin/sh
# Run by the postgres image once, when it creates the database (docker-entrypoint-initdb.d):
# the role Grafana's Postgres datasource logs in as, with the password from
# FLYWHEEL_GRAFANA_PASSWORD. The processor's migrations grant it SELECT on the flywheel_* views
# (and create it without LOGIN where no such script ran). psql reads the server from the usual
# PG* variables, the local socket when none is set.
set -eu
: "${FLYWHEEL_GRAFANA_PASSWORD:?FLYWHEEL_GRAFANA_PASSWORD must be set (put it in .env)}"
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v grafana_password="$FLYWHEEL_GRAFANA_PASSWORD" <<'SQL'
-- psql quotes the variable as a literal, whatever characters the password holds.
SELECT format(
  CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flywheel_grafana')
    THEN 'ALTER ROLE flywheel_grafana WITH LOGIN PASSWORD %L'
    ELSE 'CREATE ROLE flywheel_grafana WITH LOGIN PASSWORD %L'
  END,
  :'grafana_password') \gexec
SQL
