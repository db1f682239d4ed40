#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests.
#
#   eval "$(bash scripts/pg-test.sh start)"   # prints `export DATABASE_URL=...` (only that, on stdout)
#   bash scripts/pg-test.sh stop              # stops it and removes its files
#
# A test that takes its own server down uses a separate one: PG_TEST_STATE=<dir> names its state folder, and
#   bash scripts/pg-test.sh halt              # stops the server, keeping its data and port
#   bash scripts/pg-test.sh resume            # starts it again on the same port
#   bash scripts/pg-test.sh pid               # prints the postmaster's pid (e.g. to SIGSTOP the server)
#
# start installs the server binaries when none are present (Debian/Ubuntu, as root), creates an
# unprivileged OS user when run as root (PostgreSQL refuses to run as root), initdb's a cluster under
# .pg-test/ in the repo (gitignored), starts it on 127.0.0.1 on a free port with a random password,
# waits until it accepts connections and creates a database. Running start twice reuses the server.
# Progress goes to stderr. Durability is switched off: this server holds nothing worth keeping.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
STATE="${PG_TEST_STATE:-$ROOT/.pg-test}"
DB_NAME="gatehouse_test"
DB_USER="gatehouse"
OS_USER_DEFAULT="gatehouse-pg"

log() { printf 'pg-test: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

find_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    printf '%s\n' "$dir"
    return 0
  fi
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  return 1
}

install_server() {
  [ "$(id -u)" = 0 ] || die "PostgreSQL server binaries are missing; install them (apt-get install postgresql) or run as root"
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL server binaries are missing and apt-get is not available"
  log "installing PostgreSQL (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # A distribution cluster may be created and (if an init system runs) started on 5432; ours is separate.
  apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql >&2
}

# Runs a command as the unprivileged server user (or directly when we are not root).
as_server_user() {
  if [ "$(id -u)" = 0 ]; then
    # From / : the caller's working directory may be closed to the server user.
    if command -v runuser >/dev/null 2>&1; then
      (cd / && runuser -u "$OS_USER" -- "$@")
    else
      (cd / && su -s /bin/sh "$OS_USER" -c "$(printf '%q ' "$@")")
    fi
  else
    "$@"
  fi
}

ensure_os_user() {
  if [ "$(id -u)" != 0 ]; then
    OS_USER="$(id -un)"
    return
  fi
  OS_USER="$OS_USER_DEFAULT"
  if ! id -u "$OS_USER" >/dev/null 2>&1; then
    log "creating OS user $OS_USER"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$OS_USER" 2>/dev/null ||
      adduser --system --no-create-home --disabled-login "$OS_USER" >&2
  fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

url_file() { printf '%s\n' "$STATE/url"; }

data_dir() {
  if [ -f "$STATE/datadir" ]; then cat "$STATE/datadir"; else printf '%s\n' "$STATE/data"; fi
}

running() {
  [ -f "$(url_file)" ] || return 1
  local bindir
  bindir="$(find_bindir)" || return 1
  ensure_os_user
  as_server_user "$bindir/pg_ctl" status -D "$(data_dir)" >/dev/null 2>&1
}

start() {
  if running; then
    log "already running"
    printf 'export DATABASE_URL=%s\n' "$(cat "$(url_file)")"
    return 0
  fi
  # Leftovers of a server that is gone (machine restarted, killed): start over.
  if [ -d "$STATE" ]; then stop_quietly; fi

  local bindir
  bindir="$(find_bindir)" || { install_server; bindir="$(find_bindir)" || die "no PostgreSQL binaries after install"; }
  ensure_os_user
  log "using $bindir as OS user $OS_USER"

  mkdir -p "$STATE"
  chmod 700 "$STATE"
  # The data directory must be reachable by the server user. A repo under a private home (e.g. /root)
  # is not, so fall back to a private temp directory and remember where it is.
  local serverdir="$STATE"
  if [ "$(id -u)" = 0 ]; then
    chown "$OS_USER" "$STATE"
    if ! as_server_user test -x "$STATE"; then
      serverdir="$(mktemp -d /tmp/gatehouse-pg-XXXXXX)"
      chown "$OS_USER" "$serverdir"
      chmod 700 "$serverdir"
    fi
  fi
  local datadir="$serverdir/data"
  [ "$serverdir" = "$STATE" ] || printf '%s\n' "$datadir" >"$STATE/datadir"

  local password pwfile
  password="$(node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))')"
  pwfile="$serverdir/pwfile"
  printf '%s\n' "$password" >"$pwfile"
  chmod 600 "$pwfile"
  [ "$(id -u)" = 0 ] && chown "$OS_USER" "$pwfile"

  log "initdb into $datadir"
  as_server_user "$bindir/initdb" -D "$datadir" -U "$DB_USER" --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 -N >"$STATE/initdb.log" 2>&1 ||
    as_server_user "$bindir/initdb" -D "$datadir" -U "$DB_USER" --pwfile="$pwfile" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C -N >"$STATE/initdb.log" 2>&1 ||
    { cat "$STATE/initdb.log" >&2; die "initdb failed"; }
  rm -f "$pwfile"

  local attempt port
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    log "starting on 127.0.0.1:$port"
    # No unix socket (none of the tests use one, and the default socket dir may not be writable).
    if as_server_user "$bindir/pg_ctl" start -D "$datadir" -w -t 60 -l "$datadir/server.log" \
      -o "$(server_options "$port")" \
      >&2; then
      break
    fi
    log "start attempt $attempt failed"
    tail -n 20 "$datadir/server.log" >&2 2>/dev/null || true
    [ "$attempt" = 5 ] && { stop_quietly; die "could not start PostgreSQL"; }
  done

  printf '%s\n' "$port" >"$STATE/port"
  local base="postgres://$DB_USER:$password@127.0.0.1:$port"
  # Wait until it takes connections over TCP, then create the test database.
  node -e '
    const [, pkgDir, base, db] = process.argv;
    const { Client } = require(require.resolve("pg", { paths: [pkgDir] }));
    (async () => {
      for (let i = 0; ; i++) {
        const c = new Client({ connectionString: base + "/postgres", connectionTimeoutMillis: 2000 });
        try {
          await c.connect();
          const { rowCount } = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [db]);
          if (!rowCount) await c.query(`CREATE DATABASE "${db}"`);
          await c.end();
          return;
        } catch (err) {
          await c.end().catch(() => {});
          if (i >= 60) { console.error("pg-test: " + err.message); process.exit(1); }
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
  ' "$ROOT/packages/store-postgres" "$base" "$DB_NAME" || { stop_quietly; die "server did not accept connections"; }

  printf '%s\n' "$base/$DB_NAME" >"$(url_file)"
  chmod 600 "$(url_file)"
  log "ready"
  printf 'export DATABASE_URL=%s\n' "$base/$DB_NAME"
}

stop_quietly() {
  local bindir datadir
  datadir="$(data_dir)"
  if bindir="$(find_bindir)" && [ -d "$datadir" ]; then
    ensure_os_user
    as_server_user "$bindir/pg_ctl" stop -D "$datadir" -m fast -w -t 30 >/dev/null 2>&1 || true
  fi
  if [ -f "$STATE/datadir" ]; then
    case "$datadir" in /tmp/gatehouse-pg-*/data) rm -rf "$(dirname "$datadir")" ;; esac
  fi
  rm -rf "$STATE"
}

server_options() {
  printf '%s' "-c listen_addresses=127.0.0.1 -p $1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
}

halt() {
  local bindir
  [ -f "$STATE/port" ] || die "no server in $STATE"
  bindir="$(find_bindir)" || die "no PostgreSQL binaries"
  ensure_os_user
  as_server_user "$bindir/pg_ctl" stop -D "$(data_dir)" -m fast -w -t 60 >&2
}

resume() {
  local bindir datadir
  [ -f "$STATE/port" ] || die "no server in $STATE"
  bindir="$(find_bindir)" || die "no PostgreSQL binaries"
  ensure_os_user
  datadir="$(data_dir)"
  as_server_user "$bindir/pg_ctl" start -D "$datadir" -w -t 60 -l "$datadir/server.log" -o "$(server_options "$(cat "$STATE/port")")" >&2
}

pid() {
  local datadir
  datadir="$(data_dir)"
  [ -f "$datadir/postmaster.pid" ] || die "not running"
  head -n 1 "$datadir/postmaster.pid"
}

stop() {
  if [ ! -d "$STATE" ]; then
    log "not running"
    return 0
  fi
  stop_quietly
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  halt) halt ;;
  resume) resume ;;
  pid) pid ;;
  *)
    echo "usage: $0 start|stop|halt|resume|pid" >&2
    exit 2
    ;;
esac
