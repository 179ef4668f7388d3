#!/bin/sh
# The boxroom/postgres image's entrypoint, run as postgres. On the first start (an empty PGDATA) it
# makes the cluster: the superuser `postgres` reaches it only on the unix socket, as that OS user
# (peer); POSTGRES_USER (a plain role, owner of POSTGRES_DB) logs in over TCP with the password in
# the file POSTGRES_PASSWORD_FILE (a swarm secret), scram-sha-256. Then, on every start, the server
# on all addresses. The password never goes on a command line (/proc/*/cmdline is world-readable).
# Arguments are passed to `postgres` (`-c name=value`).
set -eu
: "${PGDATA:?}"
user="${POSTGRES_USER:-boxroom}"
db="${POSTGRES_DB:-boxroom}"
log() { printf '[boxroom-postgres] %s\n' "$*" >&2; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  file="${POSTGRES_PASSWORD_FILE:-}"
  if [ -z "$file" ] || [ ! -r "$file" ]; then
    log "POSTGRES_PASSWORD_FILE must name a readable file holding the password of role $user"
    exit 1
  fi
  # $(...) drops the trailing newline `echo ... | docker secret create` leaves
  POSTGRES_INIT_PASSWORD="$(cat "$file")"
  if [ -z "$POSTGRES_INIT_PASSWORD" ]; then
    log "$file is empty"
    exit 1
  fi
  export POSTGRES_INIT_PASSWORD
  log "first start: creating the cluster in $PGDATA, role $user, database $db"
  initdb --pgdata="$PGDATA" --username=postgres --encoding=UTF8 --locale=C \
    --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  printf '%s\n' '# boxroom: the dashboards, from any address, with the password' \
    'host all all 0.0.0.0/0 scram-sha-256' 'host all all ::/0 scram-sha-256' >>"$PGDATA/pg_hba.conf"
  # A server on a private socket only while the role is made: nobody connects before it exists.
  sock="$(mktemp -d)"
  pg_ctl --pgdata="$PGDATA" --wait --silent -o "-c listen_addresses= -c unix_socket_directories=$sock" start
  # \getenv: the password reaches psql through its environment, never its arguments
  psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 -h "$sock" -U postgres -d postgres \
    -v user="$user" -v db="$db" <<'SQL'
\getenv password POSTGRES_INIT_PASSWORD
CREATE ROLE :"user" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"user";
SQL
  pg_ctl --pgdata="$PGDATA" --wait --silent -m fast stop
  rmdir "$sock"
  unset POSTGRES_INIT_PASSWORD
fi

exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
