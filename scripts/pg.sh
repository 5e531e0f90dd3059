#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: its own data folder, a free
# loopback port, its unix socket inside the folder. Never a system service.
#
#   scripts/pg.sh start DIR          create (first time) and start; prints the URI
#                                    postgres://crm@127.0.0.1:PORT/crm
#   scripts/pg.sh stop DIR [MODE]    stop it (MODE fast by default; immediate = a crash,
#                                    recovered on the next start); no error when not running
#   scripts/pg.sh restart DIR        restart it (fast mode) on the same port
#   scripts/pg.sh createdb DIR NAME  make database NAME (if missing); prints its URI
#   scripts/pg.sh dropdb DIR NAME    drop database NAME (if present), even when in use
#   scripts/pg.sh uri DIR [NAME]     the URI of a running cluster (database crm or NAME)
#   scripts/pg.sh status DIR         exit 0 when running
#
# Layout of DIR: data/ (the cluster), port, postgres.log, .s.PGSQL.PORT.
# The superuser is `crm`, authentication is `trust` (loopback and socket only).
# As root, initdb and postgres run as the `postgres` user (initdb refuses
# root), and DIR is handed to that user. PG_BIN overrides the binaries folder.
set -euo pipefail

die() { echo "pg.sh: $*" >&2; exit 1; }

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local d
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -Vr); do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
  done
  d=$(command -v pg_ctl 2>/dev/null) && { dirname "$d"; return; }
  die "no PostgreSQL binaries (install postgresql-15, or set PG_BIN)"
}
BIN=$(find_bin)

RUNAS=()
if [ "$(id -u)" -eq 0 ]; then
  getent passwd postgres >/dev/null || die "running as root needs the 'postgres' user (from the postgresql package)"
  RUNAS=(runuser -u postgres --)
fi
# Runs a server-side command as the cluster's owner, from a folder it can read.
owner() { (cd / && "${RUNAS[@]}" "$@"); }

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
if [ "$cmd" = start ]; then mkdir -p "$dir" || die "cannot create $dir"; fi
if [ ! -d "$dir" ]; then
  [ "$cmd" = stop ] && exit 0
  die "no such folder: $dir"
fi
DIR=$(cd "$dir" && pwd)
DATA=$DIR/data
LOG=$DIR/postgres.log

port() { cat "$DIR/port" 2>/dev/null || true; }
uri() { echo "postgres://crm@127.0.0.1:$(port)/${1:-crm}"; }
running() { [ -f "$DATA/PG_VERSION" ] && owner "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }
psql_() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(port)" -U crm "$@"; }

valid_name() { [[ $1 =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "bad database name '$1' (lower-case letters, digits, _)"; }

# A port nobody listens on. The saved port of a stopped cluster only needs
# that (its old connections linger in TIME_WAIT, which postgres binds past);
# a new one must have no sockets at all, and stays below the ephemeral range.
port_free() {
  local p=$1 states=${2:-}
  if command -v ss >/dev/null 2>&1; then
    if [ "$states" = all ]; then
      [ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]
    else
      [ -z "$(ss -Htln "( sport = :$p )" 2>/dev/null)" ]
    fi
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
  fi
}

pick_port() {
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    port_free "$p" all && [ ! -e "$DIR/.s.PGSQL.$p" ] && { echo "$p"; return; }
  done
  die "no free port found"
}

do_init() {
  [ -f "$DATA/PG_VERSION" ] && return
  rm -rf "$DATA"
  if [ ${#RUNAS[@]} -gt 0 ]; then
    chown postgres: "$DIR"
    chmod 700 "$DIR"
    owner test -w "$DIR" || die "user postgres cannot write $DIR (a parent folder is closed to it); use another folder"
  fi
  owner "$BIN/initdb" -D "$DATA" -U crm --auth=trust --locale=C.UTF-8 --encoding=UTF8 \
        --no-instructions --no-sync >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  # Test settings: quick, many connections (several servers, a pool each).
  cat >>"$DATA/postgresql.conf" <<EOF

# scripts/pg.sh (throwaway test cluster)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
max_connections = 300
fsync = off
full_page_writes = off
EOF
}

do_start() {
  if running && [ -n "$(port)" ]; then uri; return; fi
  do_init
  local try p
  for try in 1 2 3 4 5; do
    p=$(port)
    if [ -z "$p" ] || ! port_free "$p"; then p=$(pick_port); fi
    echo "$p" >"$DIR/port"
    [ ${#RUNAS[@]} -eq 0 ] || chown postgres: "$DIR/port"
    if owner "$BIN/pg_ctl" start -w -t 20 -D "$DATA" -l "$LOG" -o "-p $p" >/dev/null 2>&1; then
      # First start: the database crm (the URI's default).
      if ! psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'crm'" | grep -q 1; then
        psql_ -d postgres -c 'CREATE DATABASE crm' || die "CREATE DATABASE crm failed"
      fi
      uri
      return
    fi
    # A port taken in the meantime: try another one; anything else is fatal.
    if tail -20 "$LOG" 2>/dev/null | grep -qiE 'could not (bind|create listen)|address already in use'; then
      rm -f "$DIR/port"; continue
    fi
    tail -30 "$LOG" >&2 2>/dev/null || true
    die "pg_ctl start failed (log: $LOG)"
  done
  die "could not start on a free port after 5 tries (log: $LOG)"
}

do_stop() {
  local mode=${1:-fast}
  case $mode in fast|immediate|smart) ;; *) die "stop mode is fast, immediate or smart, not '$mode'" ;; esac
  [ -f "$DATA/PG_VERSION" ] || return 0
  running || return 0
  owner "$BIN/pg_ctl" stop -D "$DATA" -m "$mode" -w -t 30 >/dev/null || die "pg_ctl stop failed (log: $LOG)"
}

case $cmd in
  start) do_start ;;
  stop) do_stop "${3:-fast}" ;;
  restart)
    running || die "not running: $DIR"
    owner "$BIN/pg_ctl" restart -D "$DATA" -m fast -w -t 30 -l "$LOG" >/dev/null || die "pg_ctl restart failed (log: $LOG)"
    uri ;;
  status) running ;;
  uri)
    running || die "not running: $DIR"
    if [ $# -ge 3 ]; then valid_name "$3"; uri "$3"; else uri; fi ;;
  createdb)
    [ $# -ge 3 ] || usage
    valid_name "$3"
    running || die "not running: $DIR"
    if ! psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$3'" | grep -q 1; then
      psql_ -d postgres -c "CREATE DATABASE \"$3\"" || die "CREATE DATABASE $3 failed"
    fi
    uri "$3" ;;
  dropdb)
    [ $# -ge 3 ] || usage
    valid_name "$3"
    running || die "not running: $DIR"
    psql_ -d postgres -c "DROP DATABASE IF EXISTS \"$3\" WITH (FORCE)" ;;
  *) usage ;;
esac
