#!/bin/sh
# Runs once, when the Postgres volume is created (docker-entrypoint-initdb.d). Creates the read-only role the
# metrics migration grants to (switchboard_reader) and Grafana's login role in it. The migration creates the role
# itself when missing and grants it to `grafana` when that role exists, so the order does not matter.
set -eu
# docker-compose passes the password as a secret file (GRAFANA_DB_PASSWORD_FILE).
if [ -z "${GRAFANA_DB_PASSWORD:-}" ] && [ -n "${GRAFANA_DB_PASSWORD_FILE:-}" ]; then
  GRAFANA_DB_PASSWORD="$(cat "$GRAFANA_DB_PASSWORD_FILE")"
fi
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v grafana_password="$GRAFANA_DB_PASSWORD" <<'SQL'
do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'switchboard_reader') then
    create role switchboard_reader nologin;
  end if;
end $$;
select format('create role grafana login password %L in role switchboard_reader', :'grafana_password')
where not exists (select 1 from pg_roles where rolname = 'grafana') \gexec
SQL
