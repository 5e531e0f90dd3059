#!/usr/bin/env bash
# The benchmark suite, in two modes:
#
#   make bench      (bench/run.sh)              crm serve on SQLite
#   make bench-pg   (BENCH_DB=pg bench/run.sh)  crm serve on PostgreSQL
#
# Builds what it needs and generates the data once into bench/data/ (reused
# while present). SQLite: serves a scratch copy with `crm serve --threads 2`.
# PostgreSQL: starts a throwaway cluster in bench/data/pg (scripts/pg.sh),
# loads the same SQLite data into it once with `crm migrate-db` (a marker
# file records it; reused while present), and measures on a fresh copy of
# that database (CREATE DATABASE ... TEMPLATE) (a) one `crm serve --threads
# 2`, (b) two of them behind nginx as a load balancer. Both modes measure
# with wrk next to nginx serving a static JSON file of the same size as one
# contact, print the tables and write them, with the machine, to their own
# section of bench/RESULTS.md (the other mode's section is left as it is).
#
# Only loopback is used. Everything started here is stopped on exit.
#
# Knobs (environment):
#   BENCH_DB=sqlite     or pg
#   BENCH_COMPANIES=100000 BENCH_CONTACTS=1000000  data size (a new size is
#                                     generated alongside; rm -rf bench/data
#                                     to regenerate after changing gen.c;
#                                     rm bench/data/pg/loaded-* to reload PG)
#   BENCH_DEALS=300000  deals added by bench/deals.sql to a migrated copy of
#                       the data (once; redone when deals.sql or migration
#                       0011 is newer); 0 leaves deals out
#   BENCH_ACTIVITIES=3000000  activities added by bench/activities.sql to a
#                       migrated copy of that (after the deals, so they link
#                       to deals; once; redone when activities.sql, the
#                       copy it starts from or an activities migration is
#                       newer); 0 leaves activities out
#   BENCH_DURATION=10   seconds per wrk run (after a 2 s warm-up)
#   BENCH_CONNECTIONS=32 BENCH_WRK_THREADS=2 BENCH_SERVER_THREADS=2
#   BENCH_PORT=18080 BENCH_NGINX_PORT=18081
#   BENCH_PORT2=18083 BENCH_LB_PORT=18082  (pg: the second crm, the balancer)
#   BENCH_RESULTS=bench/RESULTS.md    where the report goes
#   BENCH_KEEP=1        keep the scratch database and logs afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

MODE=${BENCH_DB:-sqlite}
case $MODE in sqlite|pg) ;; *) echo "bench: BENCH_DB is sqlite or pg, not '$MODE'" >&2; exit 2 ;; esac
COMPANIES=${BENCH_COMPANIES:-100000}
CONTACTS=${BENCH_CONTACTS:-1000000}
DEALS=${BENCH_DEALS:-300000}
ACTIVITIES=${BENCH_ACTIVITIES:-3000000}
DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNECTIONS:-32}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
SRV_THREADS=${BENCH_SERVER_THREADS:-2}
PORT=${BENCH_PORT:-18080}
NGINX_PORT=${BENCH_NGINX_PORT:-18081}
LB_PORT=${BENCH_LB_PORT:-18082}
PORT2=${BENCH_PORT2:-18083}
RESULTS=${BENCH_RESULTS:-bench/RESULTS.md}
DATA=$ROOT/bench/data
CRM=$ROOT/build/crm
GEN=$ROOT/build/bench/gen
TAG=${COMPANIES}x${CONTACTS}
PRISTINE=$DATA/crm-$TAG.db
TOKEN_FILE=$DATA/crm-$TAG.token
# What is served and loaded: the generated data, with deals when asked for.
SOURCE=$PRISTINE
[ "$DEALS" -gt 0 ] && SOURCE=$DATA/crm-$TAG-deals$DEALS.db
# Activities go on top of that, into a file of their own.
DEALS_SOURCE=$SOURCE
[ "$ACTIVITIES" -gt 0 ] && SOURCE=${DEALS_SOURCE%.db}-act$ACTIVITIES.db
RUNDB=$DATA/run.db
NGX=$DATA/nginx
PGDIR=$DATA/pg
PG_TEMPLATE=bench_$TAG		# the loaded copy, never served
PG_RUN=bench_run		# the fresh copy each configuration serves
PG_MARKER=$PGDIR/loaded-$TAG
PSQL=${PG_BIN:-/usr/lib/postgresql/15/bin}/psql
ADMIN=admin@bench.example
BASE=http://127.0.0.1:$PORT
export BENCH_WRK_DIR=$ROOT/bench/wrk BENCH_COMPANIES=$COMPANIES BENCH_CONTACTS=$CONTACTS

SERVER_PIDS=()
NGINX_PID=
PG_STARTED=

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

stop_pid() {	# pid signal tenths
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 "$3"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do stop_pid "$pid" TERM 150; done
  SERVER_PIDS=()
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_servers
  stop_pid "$NGINX_PID" QUIT 50
  if [ -n "$PG_STARTED" ]; then
    if [ "${BENCH_KEEP:-0}" != 1 ]; then
      "$ROOT/scripts/pg.sh" dropdb "$PGDIR" "$PG_RUN" >/dev/null 2>&1 || true
    fi
    "$ROOT/scripts/pg.sh" stop "$PGDIR" >/dev/null 2>&1 || say "could not stop PostgreSQL in $PGDIR"
  fi
  if [ "${BENCH_KEEP:-0}" != 1 ]; then
    rm -f "$RUNDB" "$RUNDB-wal" "$RUNDB-shm" "$DATA"/serve*.log "$NGX/access.log" \
      "$DATA/deep.json" "$DATA/q.json" "$DATA/migrate-src.db" "$DATA/migrate-src.db-wal" \
      "$DATA/migrate-src.db-shm"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tools="wrk nginx curl sqlite3"
[ "$MODE" = pg ] && tools="$tools $PSQL"
for tool in $tools; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install wrk nginx-light curl sqlite3 postgresql-15)"
done

# Is something already listening on this loopback port?
port_busy() { { exec 9<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null && { exec 9<&- 9>&-; return 0; }; return 1; }
port_busy "$PORT" && die "port $PORT is taken; set BENCH_PORT"
port_busy "$NGINX_PORT" && die "port $NGINX_PORT is taken; set BENCH_NGINX_PORT"
if [ "$MODE" = pg ]; then
  port_busy "$PORT2" && die "port $PORT2 is taken; set BENCH_PORT2"
  port_busy "$LB_PORT" && die "port $LB_PORT is taken; set BENCH_LB_PORT"
fi

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
case $LOAD_START in
  0.[0-4]*) ;;
  *) say "warning: the machine is busy (load average $LOAD_START); the figures will be noisy" ;;
esac

# ---- build ----
say "building"
if grep -q '^include bench/bench.mk' Makefile; then
  make -s build/crm build/bench/gen
else
  make -s -f Makefile -f bench/bench.mk build/crm build/bench/gen
fi

# The code measured: the commit, and whether src/ differs from it.
GIT_V=$(git rev-parse --short HEAD 2>/dev/null || echo "?")$(git diff --quiet HEAD -- src 2>/dev/null || echo "+changes")

# ---- data, generated once ----
mkdir -p "$DATA"
if [ ! -f "$PRISTINE" ] || [ ! -s "$TOKEN_FILE" ]; then
  say "generating $COMPANIES companies and $CONTACTS contacts into $PRISTINE (once; this takes a while)"
  rm -f "$PRISTINE.tmp" "$PRISTINE.tmp-wal" "$PRISTINE.tmp-shm" "$TOKEN_FILE"
  CRM_ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64) \
    "$CRM" init --db "$PRISTINE.tmp" --admin-email "$ADMIN" >/dev/null
  gen_t0=$EPOCHSECONDS
  timeout 4h "$GEN" --db "$PRISTINE.tmp" --companies "$COMPANIES" --contacts "$CONTACTS"
  echo $((EPOCHSECONDS - gen_t0)) > "$DATA/crm-$TAG.gen-seconds"
  "$CRM" token create --db "$PRISTINE.tmp" --user "$ADMIN" > "$TOKEN_FILE.tmp"
  mv "$PRISTINE.tmp" "$PRISTINE"
  mv "$TOKEN_FILE.tmp" "$TOKEN_FILE"
else
  say "reusing $PRISTINE"
fi
TOKEN=$(tail -n 1 "$TOKEN_FILE" | tr -d '[:space:]')
[ -n "$TOKEN" ] || die "no token in $TOKEN_FILE"
export CRM_TOKEN=$TOKEN
GEN_SECONDS=$(cat "$DATA/crm-$TAG.gen-seconds" 2>/dev/null || echo "?")

# Adds rows with an SQL script to a migrated copy of a database, keeping
# the seconds it took beside it: from to script sed-expression. @TMP@ in
# the script names a scratch file for the sqlite3 shell.
sql_copy() {
  local from=$1 to=$2 script=$3 subst=$4 t0
  rm -f "$to" "$to.tmp" "$to.tmp-wal" "$to.tmp-shm"
  cp "$from" "$to.tmp"
  t0=$EPOCHSECONDS
  "$CRM" init --db "$to.tmp" >/dev/null
  sed "$subst; s#@TMP@#$to.scratch.sql#g" "$script" | sqlite3 -bail "$to.tmp"
  rm -f "$to.scratch.sql"
  sqlite3 "$to.tmp" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  echo $((EPOCHSECONDS - t0)) > "$to.seconds"
  mv "$to.tmp" "$to"
}

# ---- deals: SQL on a migrated copy, once ----
# Through the API 300,000 deals with their stage histories would take hours;
# bench/deals.sql writes them (and what core/deals.c keeps beside them) in
# seconds. The copy is migrated first, so it has the deals tables.
DEALS_SECONDS=
if [ "$DEALS" -gt 0 ]; then
  D=$DEALS_SOURCE
  if [ ! -f "$D" ] || [ bench/deals.sql -nt "$D" ] ||
     [ src/store/migrations/sqlite/0011_deals.sql -nt "$D" ] || [ "$PRISTINE" -nt "$D" ]; then
    say "adding $DEALS deals (bench/deals.sql) to a migrated copy: $D (once)"
    sql_copy "$PRISTINE" "$D" bench/deals.sql "s/@DEALS@/$DEALS/g"
  else
    say "reusing $D"
  fi
  DEALS_SECONDS=$(cat "$D.seconds" 2>/dev/null || echo "?")
fi

# ---- activities: SQL on a migrated copy of that, once ----
# 3,000,000 activities through the API would take days; bench/activities.sql
# writes them (with the participants, the search text and the full-text
# indexes the engine keeps) in minutes. It starts from the deals' copy (or
# the generated data without deals), migrated again for the newest schema.
ACT_SECONDS=
if [ "$ACTIVITIES" -gt 0 ]; then
  A=$SOURCE
  act_stale=
  for f in bench/activities.sql "$DEALS_SOURCE" src/store/migrations/sqlite/00*activit*.sql \
      src/store/migrations/sqlite/00*myday*.sql; do
    [ "$f" -nt "$A" ] && act_stale=1
  done
  if [ ! -f "$A" ] || [ -n "$act_stale" ]; then
    say "adding $ACTIVITIES activities (bench/activities.sql) to a migrated copy: $A (once; minutes)"
    # (the script keeps the SQL of the indexes and triggers it drops
    # around the bulk insert in the scratch file)
    sql_copy "$DEALS_SOURCE" "$A" bench/activities.sql "s/@ACTIVITIES@/$ACTIVITIES/g"
  else
    say "reusing $A"
  fi
  ACT_SECONDS=$(cat "$A.seconds" 2>/dev/null || echo "?")
fi

# ---- PostgreSQL: the cluster, loaded once ----
PG_URI='' PG_V='' PG_LOAD_SECONDS='' PG_COPY_SECONDS=() LOAD_MID=''
psql_() { PGOPTIONS='-c client_min_messages=warning' "$PSQL" -X -q -v ON_ERROR_STOP=1 "$@"; }
if [ "$MODE" = pg ]; then
  "$ROOT/scripts/pg.sh" status "$PGDIR" 2>/dev/null && die "PostgreSQL in $PGDIR is already running (another run?); stop it with scripts/pg.sh stop $PGDIR"
  say "starting PostgreSQL in $PGDIR"
  PG_STARTED=1
  ADMIN_URI=$("$ROOT/scripts/pg.sh" start "$PGDIR")
  # Bench settings, beyond scripts/pg.sh's (fsync off, 300 connections): a
  # buffer cache that holds the hot part of the data, and room for the load.
  want="shared_buffers=1GB maintenance_work_mem=512MB max_wal_size=8GB"
  if [ "$(psql_ "$ADMIN_URI" -tAc "SELECT setting FROM pg_settings WHERE name = 'shared_buffers'")" != 131072 ]; then
    for kv in $want; do psql_ "$ADMIN_URI" -c "ALTER SYSTEM SET ${kv%%=*} = '${kv#*=}'"; done
    "$ROOT/scripts/pg.sh" restart "$PGDIR" >/dev/null
  fi
  PG_V=$(psql_ "$ADMIN_URI" -tAc "SHOW server_version" | cut -d' ' -f1)
  has_db() { [ "$(psql_ "$ADMIN_URI" -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }
  if [ ! -f "$PG_MARKER" ] || [ "$SOURCE" -nt "$PG_MARKER" ] || ! has_db "$PG_TEMPLATE"; then
    say "loading $SOURCE into PostgreSQL database $PG_TEMPLATE with crm migrate-db (once)"
    rm -f "$PG_MARKER"
    "$ROOT/scripts/pg.sh" dropdb "$PGDIR" "$PG_TEMPLATE" >/dev/null
    TEMPLATE_URI=$("$ROOT/scripts/pg.sh" createdb "$PGDIR" "$PG_TEMPLATE")
    # From a copy: migrate-db brings the source's schema to this version,
    # and the generated file is only ever read.
    cp "$SOURCE" "$DATA/migrate-src.db"
    load_t0=$EPOCHSECONDS
    "$CRM" migrate-db --from "$DATA/migrate-src.db" --to "$TEMPLATE_URI"
    say "VACUUM ANALYZE (statistics for the planner, visibility map)"
    psql_ "$TEMPLATE_URI" -c "VACUUM (ANALYZE)"
    load_s=$((EPOCHSECONDS - load_t0))
    rm -f "$DATA/migrate-src.db"
    printf 'seconds=%s\ndate=%s\ncommit=%s\n' "$load_s" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$GIT_V" > "$PG_MARKER"
  else
    say "reusing PostgreSQL database $PG_TEMPLATE ($(grep '^date=' "$PG_MARKER" | cut -d= -f2))"
    # A newer crm may bring migrations: apply them once here, not per copy.
    TEMPLATE_URI=$("$ROOT/scripts/pg.sh" uri "$PGDIR" "$PG_TEMPLATE")
    before_v=$(psql_ "$TEMPLATE_URI" -tAc "SELECT MAX(version) FROM schema_migrations")
    "$CRM" init --db "$TEMPLATE_URI" >/dev/null
    if [ "$(psql_ "$TEMPLATE_URI" -tAc "SELECT MAX(version) FROM schema_migrations")" != "$before_v" ]; then
      say "schema migrated; VACUUM ANALYZE"
      psql_ "$TEMPLATE_URI" -c "VACUUM (ANALYZE)"
    fi
  fi
  PG_LOAD_SECONDS=$(sed -n 's/^seconds=//p' "$PG_MARKER")
  PG_URI=$("$ROOT/scripts/pg.sh" uri "$PGDIR" "$PG_RUN")
fi

# A fresh database for a configuration: SQLite, a copy of the file;
# PostgreSQL, a copy of the loaded database (a file copy on the server).
fresh_db() {
  if [ "$MODE" = sqlite ]; then
    say "copying the data to a scratch database"
    rm -f "$RUNDB" "$RUNDB-wal" "$RUNDB-shm"
    cp "$SOURCE" "$RUNDB"
    # Planner statistics, as the server's analyze job writes them a minute
    # after start (the rights predicates need them; see core/jobs.c).
    sqlite3 "$RUNDB" "PRAGMA analysis_limit = 100000; ANALYZE;" >/dev/null
    DB_MB=$(( $(stat -c %s "$RUNDB") / 1048576 ))
  else
    say "copying $PG_TEMPLATE to $PG_RUN"
    local t0=$EPOCHSECONDS
    "$ROOT/scripts/pg.sh" dropdb "$PGDIR" "$PG_RUN" >/dev/null
    psql_ "$ADMIN_URI" -c "CREATE DATABASE $PG_RUN TEMPLATE $PG_TEMPLATE STRATEGY FILE_COPY"
    PG_COPY_SECONDS+=("$((EPOCHSECONDS - t0))")
    DB_MB=$(psql_ "$ADMIN_URI" -tAc "SELECT pg_database_size('$PG_RUN') / 1048576")
  fi
}
DB_ARG() { if [ "$MODE" = sqlite ]; then echo "$RUNDB"; else echo "$PG_URI"; fi; }

# ---- the servers, and their ready time ----
now_us() { local t=${EPOCHREALTIME//[.,]/}; echo "$t"; }

start_crm() {	# port log -> READY_MS; appends to SERVER_PIDS
  local port=$1 log=$2 t0 pid line
  say "starting crm serve on :$port (--threads $SRV_THREADS)"
  t0=$(now_us)
  "$CRM" serve --db "$(DB_ARG)" --listen "127.0.0.1:$port" --threads "$SRV_THREADS" 2>"$log" &
  pid=$!
  SERVER_PIDS+=("$pid")
  READY_MS=
  while :; do
    if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
      printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
      line=
      read -r -t 2 line <&3 || true
      exec 3<&- 3>&-
      case $line in
        *" 200 "*) READY_MS=$(( ($(now_us) - t0) / 1000 )); break ;;
      esac
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "crm serve exited"; }
    [ $(( $(now_us) - t0 )) -lt 15000000 ] || die "crm serve not ready after 15 s"
    sleep 0.001
  done
  say "ready in $READY_MS ms (exec to the first 200 on /healthz)"
}

# Resident memory of the servers, MB: one figure, or "a + b".
mem_mb() {	# VmRSS or VmHWM
  local pid out=
  for pid in "${SERVER_PIDS[@]}"; do
    out+=${out:+ + }$(awk -v k="$1:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
  done
  echo "$out"
}
rss_mb() { mem_mb VmRSS; }
hwm_mb() { mem_mb VmHWM; }
mem_max() { tr '+' '\n' <<<"$1" | sort -n | tail -n 1 | tr -d ' '; }

api() { curl -sS -o "$1" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$2"; }

fresh_db
start_crm "$PORT" "$DATA/serve.log"
READY1=$READY_MS
# A manager of the generated data (manager1 owns about a ninth of it).
MANAGER_TOKEN=$("$CRM" token create --db "$(DB_ARG)" --user manager1@bench.example 2>/dev/null | tail -n 1 | tr -d '[:space:]')
[ -n "$MANAGER_TOKEN" ] || die "no token for manager1@bench.example"
RSS_START=$(rss_mb)

# ---- nginx: a static contact-sized JSON file (and, for pg, the balancer) ----
mkdir -p "$NGX/www" "$NGX/tmp"
code=$(api "$NGX/www/contact.json" "/api/v1/contacts/1") || true
[ "$code" = 200 ] || die "GET /api/v1/contacts/1 answered $code"
STATIC_BYTES=$(stat -c %s "$NGX/www/contact.json")
NGINX_USER=
[ "$(id -u)" = 0 ] && NGINX_USER="user root;"
LB_CONF=
if [ "$MODE" = pg ]; then
  LB_CONF="
    # Two crm serve behind one address, as in docs/postgresql.md.
    upstream crm {
        server 127.0.0.1:$PORT;
        server 127.0.0.1:$PORT2;
        keepalive $CONNS;
    }
    server {
        listen 127.0.0.1:$LB_PORT;
        location / {
            proxy_pass http://crm;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }"
fi
cat > "$NGX/nginx.conf" <<EOF
# Written by bench/run.sh for one run; the static reference.
$NGINX_USER
worker_processes $SRV_THREADS;
daemon off;
pid $NGX/nginx.pid;
error_log $NGX/error.log warn;
events { worker_connections 1024; }
http {
    default_type application/json;
    access_log $NGX/access.log;
    client_body_temp_path $NGX/tmp/body;
    proxy_temp_path $NGX/tmp/proxy;
    fastcgi_temp_path $NGX/tmp/fastcgi;
    uwsgi_temp_path $NGX/tmp/uwsgi;
    scgi_temp_path $NGX/tmp/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $NGX/www;
    }$LB_CONF
}
EOF
nginx -e "$NGX/error.log" -p "$NGX" -c "$NGX/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/contact.json")" = 200 ] && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$NGX/error.log" >&2; die "nginx exited"; }
  sleep 0.05
done

# ---- a page deep in the sorted list, via a cursor ----
# The cursor is the server's own: follow next_cursor from a page that starts
# at the middle of the list (found with one keyset seek in the database).
DEEP_PATH=
mid_sql="SELECT id || char(10) || last_name FROM contacts WHERE deleted_at IS NULL ORDER BY last_name, id LIMIT 1 OFFSET $((CONTACTS / 2))"
if [ "$MODE" = sqlite ]; then
  mid=$(sqlite3 "$RUNDB" "$mid_sql" 2>/dev/null || true)
else
  mid=$(psql_ "$PG_URI" -tAc "${mid_sql//char(10)/chr(10)}" 2>/dev/null || true)
fi
if [ -n "$mid" ]; then
  cursor=$(printf '%s' "$mid" | od -An -v -tx1 | tr -d ' \n')
  code=$(api "$DATA/deep.json" "/api/v1/contacts?sort=last_name&limit=50&cursor=$cursor") || true
  if [ "$code" = 200 ] && grep -q '"next_cursor": *"' "$DATA/deep.json"; then
    DEEP_PATH="/api/v1/contacts?sort=last_name&limit=50&cursor=$cursor"
  else
    say "deep page: the cursor was not accepted ($code); skipping that row"
  fi
fi

# ---- sanity: every endpoint answers 200 before it is measured ----
check() {
  local code
  code=$(api /dev/null "$1") || true
  [ "$code" = 200 ] || die "GET $BASE$1 answered $code"
}
# ---- deals: the pipeline measured and the year of the funnel ----
DEALS_PIPELINE= FUNNEL_QUERY=
if [ "$DEALS" -gt 0 ]; then
  pipe_sql="SELECT id FROM pipelines WHERE name = 'Sales'"
  if [ "$MODE" = sqlite ]; then
    DEALS_PIPELINE=$(sqlite3 "$RUNDB" "$pipe_sql")
  else
    DEALS_PIPELINE=$(psql_ "$PG_URI" -tAc "$pipe_sql")
  fi
  [ -n "$DEALS_PIPELINE" ] || die "no pipeline named Sales in the deals data"
  FUNNEL_QUERY="pipeline_id=$DEALS_PIPELINE&from=$(date -u -d '364 days ago' +%F)&to=$(date -u +%F)"
fi
# ---- activities: the busy client, the busy manager's week ----
# bench/activities.sql gives the first company 1 % of all activities and
# manager1 (user 2, MANAGER_TOKEN's) a crowded week besides a ninth of them.
ACT_COMPANY= ACT_LIST_QUERY=
if [ "$ACTIVITIES" -gt 0 ]; then
  busy_sql="SELECT MIN(id) FROM companies WHERE deleted_at IS NULL AND owner_id = (SELECT id FROM users WHERE email = 'manager1@bench.example')"
  mgr_sql="SELECT id FROM users WHERE email = 'manager1@bench.example'"
  if [ "$MODE" = sqlite ]; then
    ACT_COMPANY=$(sqlite3 "$RUNDB" "$busy_sql") ACT_MANAGER=$(sqlite3 "$RUNDB" "$mgr_sql")
  else
    ACT_COMPANY=$(psql_ "$PG_URI" -tAc "$busy_sql") ACT_MANAGER=$(psql_ "$PG_URI" -tAc "$mgr_sql")
  fi
  [ -n "$ACT_COMPANY" ] && [ -n "$ACT_MANAGER" ] || die "no busy company or manager in the activities data"
  # The manager's tasks due in the coming week, soonest first.
  ACT_LIST_QUERY="owner_id=$ACT_MANAGER&kind=task&due_at%5Bgte%5D=$(date -u +%FT%H:00:00Z)&due_at%5Blte%5D=$(date -u -d '7 days' +%FT%H:00:00Z)&sort=due_at&limit=50"
fi
check_all() {
  if [ -n "$ACT_COMPANY" ]; then
    check "/api/v1/companies/$ACT_COMPANY/timeline?limit=50"
    check "/api/v1/activities?$ACT_LIST_QUERY"
    TOKEN=$MANAGER_TOKEN check "/api/v1/activities/my-day?tz=Europe/Berlin"
  fi
  if [ -n "$DEALS_PIPELINE" ]; then
    check "/api/v1/deals/board?pipeline_id=$DEALS_PIPELINE"
    check "/api/v1/reports/funnel?$FUNNEL_QUERY"
    check "/api/v1/deals?stuck=true&limit=50"
  fi
  check "/api/v1/contacts/$((CONTACTS / 2))"
  check "/api/v1/contacts?sort=last_name&limit=50"
  check "/api/v1/search?limit=20&q=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2"
  check "/api/v1/contacts?q=M%C3%BCller"
}
check_all

# ---- measurements ----
# One row per wrk run; CONF names the configuration (sqlite, pg1, pg2).
declare -a CONFS NAMES RPS P50 P99 ERRS RSS CPU_US CPU_SPLIT
CONF=$MODE
[ "$MODE" = pg ] && CONF=pg1
# CPU time (user + system, clock ticks) of processes with all their threads.
cpu_ticks() {
  local total=0 pid t
  for pid in "$@"; do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))
nginx_pids() { echo "$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')"; }
# PostgreSQL: the postmaster, every process it runs now (the backends of
# crm's connections, WAL writer, checkpointer...) and, through the
# postmaster's cutime/cstime, those that ended (parallel query workers,
# autovacuum workers), enumerated afresh at each sample.
pg_cpu_ticks() {
  local pm live total
  pm=$(head -n 1 "$PGDIR/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  # The children first: one that ends in between is then counted twice
  # (a tick or two), never lost.
  # shellcheck disable=SC2046
  live=$(cpu_ticks $(pgrep -P "$pm"))
  total=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pm/stat" 2>/dev/null || echo 0)
  echo $((total + live))
}
run_wrk() {	# name script url [env...]; RUN_C / RUN_T override connections / threads
  local name=$1 script=$2 url=$3 out line n static=0
  local conns=${RUN_C:-$CONNS} threads=${RUN_T:-$WRK_THREADS}
  local -a grp_names=() grp_pids=() c0=() c1=()
  shift 3
  say "wrk: $name"
  case $url in "http://127.0.0.1:$NGINX_PORT/"*) static=1 ;; esac
  env "$@" timeout $((DURATION + 40)) wrk -t"$threads" -c"$conns" -d2s -s "bench/wrk/$script" "$url" >/dev/null 2>&1 || true
  # The processes whose CPU is counted, taken after the warm-up.
  if [ "$static" = 1 ]; then
    grp_names=(nginx); grp_pids=("$(nginx_pids)")
  else
    grp_names=(crm); grp_pids=("${SERVER_PIDS[*]}")
    if [ "$MODE" = pg ]; then
      grp_names+=(pg); grp_pids+=(PG)
      if [ "$CONF" = pg2 ]; then grp_names+=(nginx); grp_pids+=("$(nginx_pids)"); fi
    fi
  fi
  local i
  sample() {
    # shellcheck disable=SC2086
    if [ "$1" = PG ]; then pg_cpu_ticks; else cpu_ticks $1; fi
  }
  for i in "${!grp_pids[@]}"; do c0+=("$(sample "${grp_pids[$i]}")"); done
  out=$(env "$@" timeout $((DURATION + 40)) wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency \
    -s "bench/wrk/$script" "$url" 2>&1) || true
  for i in "${!grp_pids[@]}"; do c1+=("$(sample "${grp_pids[$i]}")"); done
  line=$(printf '%s\n' "$out" | grep '^BENCH ' | tail -n 1)
  [ -n "$line" ] || { printf '%s\n' "$out" >&2; die "wrk gave no result for $name"; }
  field() { printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  n=$(field requests)
  local total=0 split='' us
  for i in "${!grp_pids[@]}"; do
    us=$(( n > 0 ? (c1[i] - c0[i]) * TICK_US / n : 0 ))
    total=$((total + us))
    split+="${split:+, }${grp_names[$i]} $us"
  done
  CONFS+=("$CONF")
  NAMES+=("$name")
  RPS+=("$(field rps)")
  P50+=("$(field p50_ms)")
  P99+=("$(field p99_ms)")
  ERRS+=("$(( $(field non2xx) + $(field socket_errors) ))")
  CPU_US+=("$total")
  if [ ${#grp_pids[@]} -gt 1 ]; then CPU_SPLIT+=("$total ($split)"); else CPU_SPLIT+=("$total"); fi
  if [ "$static" = 1 ]; then RSS+=("-"); else RSS+=("$(rss_mb)"); fi
  say "  $(field rps) req/s, p50 $(field p50_ms) ms, p99 $(field p99_ms) ms, errors ${ERRS[-1]}, ${CPU_SPLIT[-1]} µs CPU/request"
}

run_suite() {	# base URL of the crm (or of the balancer)
  local b=$1
  run_wrk "GET /contacts/{id}, random id" get_by_id.lua "$b/"
  run_wrk "GET /contacts?sort=last_name&limit=50" plain.lua "$b/api/v1/contacts?sort=last_name&limit=50"
  # The same page for a manager, who owns a ninth of the contacts: the cost
  # of the rights predicate (core/access.c) under load.
  run_wrk "same, as a manager (role: own records)" plain.lua "$b/api/v1/contacts?sort=last_name&limit=50" \
    "CRM_TOKEN=$MANAGER_TOKEN"
  if [ -n "$DEEP_PATH" ]; then
    run_wrk "same, page at the middle via cursor" plain.lua "$b$DEEP_PATH"
  fi
  run_wrk "GET /search?q=… (26 queries, 7 scripts)" search.lua "$b/" "BENCH_SEARCH_PREFIX=/api/v1/search?limit=20&q="
  RUN_T=1 RUN_C=2 run_wrk "same, light load (2 connections)" search.lua "$b/" "BENCH_SEARCH_PREFIX=/api/v1/search?limit=20&q="
  run_wrk "GET /contacts?q=… (same queries)" search.lua "$b/" "BENCH_SEARCH_PREFIX=/api/v1/contacts?q="
  run_wrk "POST /contacts (create)" create.lua "$b/"
  if [ -n "$DEALS_PIPELINE" ]; then
    # Deals: the board of the biggest pipeline (totals of every column and
    # its 20 newest cards), the funnel over one year of its deals, and the
    # stuck deals. Board and funnel cost tens of ms each: on 8 connections
    # (32 would wait past wrk's 2 s timeout on 2 workers), and alone on 2,
    # where the latency is the cost of the request rather than the wait.
    RUN_C=8 run_wrk "GET /deals/board?pipeline_id=… ($DEALS deals, 8 connections)" plain.lua "$b/api/v1/deals/board?pipeline_id=$DEALS_PIPELINE"
    RUN_T=1 RUN_C=2 run_wrk "board, light load (2 connections)" plain.lua "$b/api/v1/deals/board?pipeline_id=$DEALS_PIPELINE"
    RUN_C=8 run_wrk "GET /reports/funnel, one year (8 connections)" plain.lua "$b/api/v1/reports/funnel?$FUNNEL_QUERY"
    RUN_T=1 RUN_C=2 run_wrk "funnel, light load (2 connections)" plain.lua "$b/api/v1/reports/funnel?$FUNNEL_QUERY"
    run_wrk "GET /deals?stuck=true&limit=50" plain.lua "$b/api/v1/deals?stuck=true&limit=50"
  fi
  if [ -n "$ACT_COMPANY" ]; then
    # Activities: the busy client's timeline (its first page of 50, newest
    # first, merged with the company's changes and documents), the same for
    # the busy manager (his own and shared ones only: the rights predicate
    # over tens of thousands of rows), his day (four buckets, each a list
    # and a count, in Berlin's days) and his tasks due in the coming week.
    # Each on 2 connections (one per worker): the cost of the request.
    RUN_T=1 RUN_C=2 run_wrk "GET /companies/{busy}/timeline?limit=50 ($ACTIVITIES activities, 2 connections)" plain.lua "$b/api/v1/companies/$ACT_COMPANY/timeline?limit=50"
    RUN_T=1 RUN_C=2 run_wrk "timeline, as the busy manager" plain.lua "$b/api/v1/companies/$ACT_COMPANY/timeline?limit=50" \
      "CRM_TOKEN=$MANAGER_TOKEN"
    RUN_T=1 RUN_C=2 run_wrk "GET /activities/my-day?tz=Europe/Berlin, busy manager" plain.lua "$b/api/v1/activities/my-day?tz=Europe/Berlin" \
      "CRM_TOKEN=$MANAGER_TOKEN"
    RUN_T=1 RUN_C=2 run_wrk "GET /activities?owner_id=…&due_at in the next 7 days" plain.lua "$b/api/v1/activities?$ACT_LIST_QUERY"
  fi
}

# ---- each search query alone: median of 5 sequential requests ----
mapfile -t QUERIES < <(sed -n '/^queries = {/,/^}/p' bench/wrk/search.lua | grep -o '"[^"]*"' | tr -d '"')
urlenc() { local LC_ALL=C s=$1 i c o=; for ((i = 0; i < ${#s}; i++)); do c=${s:i:1}; case $c in [a-zA-Z0-9.~_-]) o+=$c ;; *) o+=$(printf '%%%02X' "'$c") ;; esac; done; printf '%s' "$o"; }
median5() {	# path -> "median_ms hits"
  local path=$1 t hits times=()
  for _ in 1 2 3 4 5; do
    t=$(curl -sS -o "$DATA/q.json" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$BASE$path")
    times+=("$t")
  done
  hits=$({ grep -o '"id": *[0-9]*' "$DATA/q.json" || true; } | wc -l)
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p | awk -v h="$hits" '{ printf "%.1f %d\n", $1 * 1000, h }'
}
time_queries() {
  say "timing each search query alone"
  QROWS=()
  local q e s_ms s_hits l_ms l_hits
  for q in "${QUERIES[@]}"; do
    e=$(urlenc "$q")
    read -r s_ms s_hits < <(median5 "/api/v1/search?limit=20&q=$e")
    read -r l_ms l_hits < <(median5 "/api/v1/contacts?q=$e")
    QROWS+=("| \`$q\` | $s_ms | $s_hits | $l_ms | $l_hits |")
  done
}

run_wrk "nginx: static JSON ($STATIC_BYTES B)" plain.lua "http://127.0.0.1:$NGINX_PORT/contact.json" CRM_TOKEN=
run_suite "$BASE"
RSS_END=$(rss_mb)
RSS_PEAK=$(hwm_mb)
time_queries

if [ "$MODE" = pg ]; then
  # (b): two servers behind nginx, on a fresh copy again (the POSTs of (a)
  # are gone, and with them their pending GIN index entries).
  stop_servers
  LOAD_MID=$(cut -d' ' -f1-3 /proc/loadavg)
  fresh_db
  start_crm "$PORT" "$DATA/serve.log"
  READY2=$READY_MS
  MANAGER_TOKEN=$("$CRM" token create --db "$(DB_ARG)" --user manager1@bench.example 2>/dev/null | tail -n 1 | tr -d '[:space:]')
  start_crm "$PORT2" "$DATA/serve2.log"
  READY2="$READY2 + $READY_MS"
  RSS_START2=$(rss_mb)
  CONF=pg2
  check_all
  BASE_SAVED=$BASE
  BASE=http://127.0.0.1:$LB_PORT
  check_all
  run_suite "$BASE"
  BASE=$BASE_SAVED
  RSS_END2=$(rss_mb)
  RSS_PEAK2=$(hwm_mb)
fi
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ----
row_of() {	# conf name-prefix -> index
  local i
  for i in "${!NAMES[@]}"; do
    [ "${CONFS[$i]}" = "$1" ] && [ "${NAMES[$i]#"$2"}" != "${NAMES[$i]}" ] && { echo "$i"; return; }
  done
  echo ""
}
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { if (v == "") { print "-"; exit } ok = dir == "min" ? v + 0 >= t + 0 : v + 0 < t + 0; print ok ? "met" : "**missed**" }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }'; }

table() {	# conf [conf...]: the runs of these configurations
  local i c
  printf '| test | req/s | p50 ms | p99 ms | errors | server CPU µs/req | server RSS after, MB |\n'
  printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
  for i in "${!NAMES[@]}"; do
    for c in "$@"; do
      [ "${CONFS[$i]}" = "$c" ] || continue
      printf '| %s | %.0f | %.2f | %.2f | %s | %s | %s |\n' "${NAMES[$i]}" "${RPS[$i]}" "${P50[$i]}" "${P99[$i]}" "${ERRS[$i]}" "${CPU_SPLIT[$i]}" "${RSS[$i]}"
    done
  done
}

# The target figures of one configuration: "ratio cpu_ratio p99 p99_light"
target_figures() {
  local conf=$1 ng byid s sl
  ng=$(row_of "$MODE" "nginx:")
  [ "$MODE" = pg ] && ng=$(row_of pg1 "nginx:")
  byid=$(row_of "$conf" "GET /contacts/{id}")
  s=$(row_of "$conf" "GET /search")
  sl=$(row_of "$conf" "same, light load")
  echo "$(pct "${RPS[$byid]}" "${RPS[$ng]}") $(pct "${CPU_US[$ng]}" "${CPU_US[$byid]}") ${P99[$s]} ${P99[$sl]}"
}

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
RAM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
SQLITE_V=$(pkg-config --modversion sqlite3 2>/dev/null || sqlite3 --version | cut -d' ' -f1)
CC_V=$(${CC:-cc} --version | head -n 1)
MHD_V=$(pkg-config --modversion libmicrohttpd 2>/dev/null || echo "?")
NGINX_V=$(nginx -v 2>&1 | sed 's/^nginx version: //')
WRK_V=$({ wrk -v 2>&1 || true; } | head -n 1 | cut -d' ' -f2)
NOW=$(date -u '+%Y-%m-%d %H:%M UTC')

# Writes this mode's section of $RESULTS from a file, between its markers;
# the rest of the file stays as it is. A missing section is appended.
BEGIN_MARK="<!-- bench:$MODE begin: written by bench/run.sh (BENCH_DB=$MODE); a run replaces everything down to the end marker -->"
END_MARK="<!-- bench:$MODE end -->"
write_section() {
  local body=$1 tmp=$RESULTS.tmp
  if [ ! -f "$RESULTS" ]; then
    cat > "$RESULTS" <<'EOF'
# Benchmark results

Written by bench/run.sh, one section per database: `make bench` rewrites the SQLite
section, `make bench-pg` the PostgreSQL one; each leaves the other as it is.
EOF
  fi
  if grep -q "^<!-- bench:$MODE begin" "$RESULTS" && grep -qxF "$END_MARK" "$RESULTS"; then
    awk -v mode="$MODE" -v body="$body" -v endm="$END_MARK" '
      index($0, "<!-- bench:" mode " begin") == 1 { skip = 1; while ((getline l < body) > 0) print l; next }
      skip && $0 == endm { skip = 0; next }
      !skip { print }' "$RESULTS" > "$tmp"
  else
    { cat "$RESULTS"; printf '\n'; cat "$body"; } > "$tmp"
  fi
  mv "$tmp" "$RESULTS"
}

SECTION=$DATA/section.md
if [ "$MODE" = sqlite ]; then
  read -r ratio cpu_ratio search_p99 search_p99_light < <(target_figures sqlite)
  TABLE=$(table sqlite)
  TARGETS=$(
    printf '| figure | target | measured | |\n| --- | --- | ---: | --- |\n'
    printf '| GET by id vs nginx (req/s) | ≥ 40 %% | %s %% | %s |\n' "$ratio" "$(verdict "$ratio" 40 min)"
    printf '| same, by CPU per request (nginx µs ÷ crm µs) | ≥ 40 %% | %s %% | %s |\n' "$cpu_ratio" "$(verdict "$cpu_ratio" 40 min)"
    printf '| search p99 at %s contacts, %s connections | < 20 ms | %s ms | %s |\n' "$CONTACTS" "$CONNS" "$search_p99" "$(verdict "$search_p99" 20 max)"
    printf '| search p99 at %s contacts, 2 connections | < 20 ms | %s ms | %s |\n' "$CONTACTS" "$search_p99_light" "$(verdict "$search_p99_light" 20 max)"
    printf '| server RSS (peak) | < 100 MB | %s MB | %s |\n' "$RSS_PEAK" "$(verdict "$RSS_PEAK" 100 max)"
    printf '| ready (exec to first 200) | < 200 ms | %s ms | %s |\n' "$READY1" "$(verdict "$READY1" 200 max)"
    if [ -n "$DEALS_PIPELINE" ]; then
      fl=$(row_of sqlite "funnel, light load") bl=$(row_of sqlite "board, light load")
      printf '| funnel over one year at %s deals, 2 connections, p50 | < 100 ms | %s ms | %s |\n' "$DEALS" "${P50[$fl]}" "$(verdict "${P50[$fl]}" 100 max)"
      printf '| board at %s deals, 2 connections, p50 | < 100 ms | %s ms | %s |\n' "$DEALS" "${P50[$bl]}" "$(verdict "${P50[$bl]}" 100 max)"
    fi
    if [ -n "$ACT_COMPANY" ]; then
      for n in "GET /companies/{busy}/timeline" "timeline, as the busy manager" "GET /activities/my-day" "GET /activities?owner_id="; do
        r=$(row_of sqlite "$n")
        printf '| %s at %s activities, 2 connections, p50 | < 50 ms | %s ms | %s |\n' "${n#GET }" "$ACTIVITIES" "${P50[$r]}" "$(verdict "${P50[$r]}" 50 max)"
      done
    fi
  )
  printf '\n%s\n\n%s\n\nready %s ms; RSS at start %s MB, after the runs %s MB, peak %s MB\n' \
    "$TABLE" "$TARGETS" "$READY1" "$RSS_START" "$RSS_END" "$RSS_PEAK"
  cat > "$SECTION" <<EOF
$BEGIN_MARK
## SQLite (\`make bench\`)

**What runs.** \`bench/gen\` fills a database once (bench/data/, not in git) through the
core's \`rec_create()\`, as the API would: $COMPANIES companies and $CONTACTS contacts with
names in Latin (with German umlauts, French, Spanish, Polish letters), Cyrillic, Japanese,
Chinese and Korean, transliterated emails, phones typed in many styles, tags, 85 % of the
contacts linked to a company. Each run serves a fresh copy with
\`crm serve --threads $SRV_THREADS\` and drives it with wrk ($WRK_THREADS threads, $CONNS
keep-alive connections, ${DURATION} s after a 2 s warm-up) over loopback. wrk runs on the same
machine and takes CPU from the server, equally for every test, nginx included.

**The figures.**
- *req/s*: completed requests per second. *p50 / p99*: latency percentiles seen by wrk.
  *errors*: non-2xx answers plus socket errors (should be 0). *server CPU µs/req*: user +
  system CPU time the server (or nginx) used during the run divided by the requests it
  answered: the cost of one request, independent of how the CPU was shared with wrk.
- *nginx: static JSON*: nginx ($SRV_THREADS workers, access log on, like crm) serving a
  file with the bytes of one contact as the API returns it: the ceiling for a small GET on
  this machine. The target compares GET by id with it.
- *GET /contacts/{id}*: one contact, random id, with the API token (authentication,
  a database read, JSON, the access log).
- *sorted page*: the first 50 contacts by last name; *page at the middle*: the same sort
  continued by a cursor at row $((CONTACTS / 2)) (keyset paging, so it should cost the same).
- *search*: \`/api/v1/search\` (contacts and companies, 20 hits) and \`/api/v1/contacts?q=\`
  (a list page of 50) with a rotation of 26 queries (bench/wrk/search.lua): whole names,
  name starts of one or two characters, email parts, phone numbers typed with spaces and
  brackets. With $CONNS connections on $SRV_THREADS workers a request mostly waits in line
  (p50 ≈ connections ÷ req/s), so search is also measured under light load: 2 connections,
  one per worker, where the latency is the cost of the queries themselves. The second table
  times each query alone.
- *POST /contacts*: creating contacts (validation, the row, both search indexes, tags,
  one transaction each).
- *Deals* (when BENCH_DEALS > 0): bench/deals.sql adds $DEALS deals to a migrated copy
  of the data, in SQL: three pipelines (Sales with 4 open stages, Enterprise with 5,
  Renewals with 2), created evenly over three years, owned by the admin and 8 managers,
  five sources, EUR, USD and GBP (converted) and JPY (no rate), each with 1 to 5 stays in
  its stage history (25 % won, 35 % lost with one of five reasons). *board*: the Kanban
  board of Sales (per column: count, amount, stuck, and the 20 newest cards; over every
  deal of the pipeline, about 60 % of them). *funnel*: \`/reports/funnel\` over the last
  365 days of Sales (a fifth of all deals). *stuck*: the first 50 open deals past their
  stage's time limit. Board and funnel run on 8 connections, and on 2 (one per
  worker), where the latency is the request's own cost.
- *Activities* (when BENCH_ACTIVITIES > 0): bench/activities.sql adds $ACTIVITIES
  activities to a migrated copy of the data with the deals, in SQL: tasks 40 %, calls 25 %,
  meetings 15 %, emails 10 %, notes 10 %, over three years, owned by the admin and the 8
  managers; 1 % of them on the busy client (company $ACT_COMPANY), a crowded week for the
  busy manager (manager1), participants on half the meetings. *timeline*: the company's
  first page of 50 (activities, changes, documents merged newest first), as the admin
  and as the busy manager (rights: his own, shared and named-on activities). *my-day*:
  the manager's overdue, today, tomorrow and this-week buckets in Europe/Berlin (their
  counts and first 20 entries each, the default). *list*:
  his tasks due in the next 7 days, soonest first. On 2 connections (one per worker).
- *RSS*: the server's resident memory (VmRSS) after each run, and the peak (VmHWM).
- *ready*: from starting \`crm serve\` to the first 200 on \`/healthz\`, on the big database.

**Targets.** GET by id at least 40 % of nginx's rate; search p99 under 20 ms at 1M
contacts; server RSS under 100 MB; ready under 200 ms; the funnel over a year and the
board at $DEALS deals under 100 ms (p50, 2 connections); at $ACTIVITIES activities the
busy client's timeline, the busy manager's day and his week's tasks under 50 ms (p50,
2 connections).

### Results

$NOW, commit $GIT_V.

$TABLE

$TARGETS

Server RSS: $RSS_START MB at start, $RSS_END MB after all runs, $RSS_PEAK MB peak.
Ready: $READY1 ms.

### Each search query alone

Median of 5 sequential requests (curl, one connection at a time), in ms; hits on the
first page (search: limit 20, contacts list: limit 50).

| query | /search ms | hits | /contacts?q= ms | hits |
| --- | ---: | ---: | ---: | ---: |
$(printf '%s\n' "${QROWS[@]}")

### Machine and data

| | |
| --- | --- |
| CPU | $CPU, $(nproc) cores (nproc) |
| RAM | $RAM |
| kernel | $(uname -sr) |
| OS | $(sed -n 's/^PRETTY_NAME="\(.*\)"$/\1/p' /etc/os-release 2>/dev/null) |
| SQLite | $SQLITE_V |
| libmicrohttpd | $MHD_V |
| compiler | $CC_V |
| nginx / wrk | $NGINX_V / $WRK_V |
| load average before the run | $LOAD_START (1, 5, 15 min; near 0 means a quiet machine) |
| database | $COMPANIES companies, $CONTACTS contacts, $DB_MB MB; generated in $GEN_SECONDS s |
| deals | $DEALS deals with their stage histories (bench/deals.sql), added in ${DEALS_SECONDS:-?} s |
| activities | $ACTIVITIES activities with participants and full-text indexes (bench/activities.sql), added in ${ACT_SECONDS:-?} s |
$END_MARK
EOF
else
  read -r ratio1 cpu_ratio1 p99_1 p99l_1 < <(target_figures pg1)
  read -r ratio2 cpu_ratio2 p99_2 p99l_2 < <(target_figures pg2)
  peak1=$(mem_max "$RSS_PEAK") peak2=$(mem_max "$RSS_PEAK2")
  r1=${READY1} r2max=$(mem_max "$READY2")
  TARGETS=$(
    printf '| figure | target | one server | | two servers | |\n| --- | --- | ---: | --- | ---: | --- |\n'
    printf '| GET by id vs nginx (req/s) | ≥ 40 %% | %s %% | %s | %s %% | %s |\n' "$ratio1" "$(verdict "$ratio1" 40 min)" "$ratio2" "$(verdict "$ratio2" 40 min)"
    printf '| same, by CPU per request (nginx µs ÷ all server-side µs) | ≥ 40 %% | %s %% | %s | %s %% | %s |\n' "$cpu_ratio1" "$(verdict "$cpu_ratio1" 40 min)" "$cpu_ratio2" "$(verdict "$cpu_ratio2" 40 min)"
    printf '| search p99 at %s contacts, %s connections | < 20 ms | %s ms | %s | %s ms | %s |\n' "$CONTACTS" "$CONNS" "$p99_1" "$(verdict "$p99_1" 20 max)" "$p99_2" "$(verdict "$p99_2" 20 max)"
    printf '| search p99 at %s contacts, 2 connections | < 20 ms | %s ms | %s | %s ms | %s |\n' "$CONTACTS" "$p99l_1" "$(verdict "$p99l_1" 20 max)" "$p99l_2" "$(verdict "$p99l_2" 20 max)"
    printf '| crm RSS (peak, per process) | < 100 MB | %s MB | %s | %s MB | %s |\n' "$RSS_PEAK" "$(verdict "$peak1" 100 max)" "$RSS_PEAK2" "$(verdict "$peak2" 100 max)"
    printf '| ready (exec to first 200) | < 200 ms | %s ms | %s | %s ms | %s |\n' "$r1" "$(verdict "$r1" 200 max)" "$READY2" "$(verdict "$r2max" 200 max)"
  )
  # Beside SQLite: its figures as recorded in its own section of $RESULTS.
  SQLITE_ROWS=$DATA/sqlite-rows.txt
  : > "$SQLITE_ROWS"
  SQLITE_WHEN="not recorded"
  if [ -f "$RESULTS" ]; then
    awk '/^<!-- bench:sqlite begin/ { s = 1 } /^<!-- bench:sqlite end/ { s = 0 }
         s && /^\| (nginx|GET|POST|same)/ && !seen[$0]++ { print }' "$RESULTS" |
      awk -F' \\| ' 'NF >= 7 && !done[$1]++ { sub(/^\| /, "", $1); print $1 "\t" $2 "\t" $4 "\t" $6 }' > "$SQLITE_ROWS"
    SQLITE_WHEN=$(awk '/^<!-- bench:sqlite begin/ { s = 1 } s && /UTC, commit/ { sub(/\.$/, ""); print; exit }' "$RESULTS")
  fi
  sq() {	# name column(1 rps, 2 p99, 3 cpu)
    awk -F'\t' -v n="$1" -v c="$2" '$1 == n { print $(c + 1); f = 1; exit } END { if (!f) print "-" }' "$SQLITE_ROWS"
  }
  num() { awk -v v="$1" -v f="$2" 'BEGIN { printf f, v }'; }
  BESIDE=$(
    printf '| test | req/s SQLite | req/s PG ×1 | req/s PG ×2 | p99 ms SQLite | p99 ms PG ×1 | p99 ms PG ×2 | CPU µs/req SQLite | CPU µs/req PG ×1 | CPU µs/req PG ×2 |\n'
    printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
    for i in "${!NAMES[@]}"; do
      [ "${CONFS[$i]}" = pg1 ] || continue
      name=${NAMES[$i]}
      j=
      case $name in nginx:*) ;; *) j=$(row_of pg2 "$name") ;; esac
      key=$name
      case $name in nginx:*) key=$(awk -F'\t' '/^nginx:/ { print $1; exit }' "$SQLITE_ROWS") ;; esac
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" \
        "$(sq "$key" 1)" "$(num "${RPS[$i]}" %.0f)" "${j:+$(num "${RPS[$j]}" %.0f)}" \
        "$(sq "$key" 2)" "$(num "${P99[$i]}" %.2f)" "${j:+$(num "${P99[$j]}" %.2f)}" \
        "$(sq "$key" 3)" "${CPU_US[$i]}" "${j:+${CPU_US[$j]}}"
    done
  )
  TABLE1=$(table pg1)
  TABLE2=$(table pg2)
  printf '\n%s\n\n%s\n\n%s\n\n%s\n' "$BESIDE" "$TABLE1" "$TABLE2" "$TARGETS"
  PG_SETTINGS=$(psql_ "$ADMIN_URI" -tAc "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit', 'full_page_writes', 'work_mem', 'max_connections', 'effective_cache_size', 'jit')")
  cat > "$SECTION" <<EOF
$BEGIN_MARK
## PostgreSQL (\`make bench-pg\`)

**What runs.** The same data and the same wrk tests as the SQLite section (read that for
what each figure means), with crm on PostgreSQL $PG_V. \`make bench-pg\` starts a throwaway
cluster in bench/data/pg (scripts/pg.sh, loopback only), loads the SQLite bench database into
it once with \`crm migrate-db\` followed by \`VACUUM (ANALYZE)\` ($PG_LOAD_SECONDS s; reused
while bench/data/pg/loaded-$TAG is there), and for each configuration serves a fresh copy
made by \`CREATE DATABASE … TEMPLATE\` (one server: ${PG_COPY_SECONDS[0]} s, two servers: ${PG_COPY_SECONDS[1]} s):

- **one server** (PG ×1): one \`crm serve --threads $SRV_THREADS\`, wrk talks to it directly;
- **two servers** (PG ×2): two \`crm serve --threads $SRV_THREADS\` behind nginx as the load
  balancer (an \`upstream\` with both, \`keepalive $CONNS\`, HTTP/1.1 to the servers, access
  log on); wrk talks to nginx.

wrk ($WRK_THREADS threads, $CONNS connections, ${DURATION} s after a 2 s warm-up), nginx, crm and
PostgreSQL all share the same $(nproc) cores, so a second server adds no CPU: on this machine
it can only show what the extra hop and the extra processes cost. On SQLite the database
runs inside crm; here it is other processes, so *server CPU µs/req* is the sum of crm, the
PostgreSQL processes (the backends of crm's connections, their parallel query workers,
WAL writer, checkpointer, autovacuum) and, for
two servers, the balancing nginx, split in brackets. *RSS* is crm's own (both processes
for two servers, "a + b"); PostgreSQL's memory is not counted. *errors* counts, as for
SQLite, non-2xx answers and socket errors; wrk gives up on a request after 2 s and counts
it as a (timeout) socket error. The search queries alone are timed on the one-server
configuration.

Cluster settings: $PG_SETTINGS (fsync off as in every
scripts/pg.sh cluster: commits are not flushed, much like SQLite's WAL with
synchronous=NORMAL; not durable).

### Beside SQLite

req/s, p99 and server CPU per request of each test. SQLite's figures are those recorded in
the SQLite section ($SQLITE_WHEN); the PostgreSQL ones are from this run.

$BESIDE

### One server on PostgreSQL

$NOW, commit $GIT_V.

$TABLE1

### Two servers behind nginx on PostgreSQL

$TABLE2

### Targets on PostgreSQL

$TARGETS

crm RSS: one server $RSS_START MB at start, $RSS_END MB after all runs, $RSS_PEAK MB peak;
two servers $RSS_START2 MB at start, $RSS_END2 MB after all runs, $RSS_PEAK2 MB peak.
Ready: $READY1 ms (one server), $READY2 ms (two servers).

### Each search query alone on PostgreSQL

Median of 5 sequential requests (curl, one connection at a time) to the one server, in
ms; hits on the first page (search: limit 20, contacts list: limit 50).

| query | /search ms | hits | /contacts?q= ms | hits |
| --- | ---: | ---: | ---: | ---: |
$(printf '%s\n' "${QROWS[@]}")

### Machine and data

| | |
| --- | --- |
| CPU | $CPU, $(nproc) cores (nproc) |
| RAM | $RAM |
| kernel | $(uname -sr) |
| OS | $(sed -n 's/^PRETTY_NAME="\(.*\)"$/\1/p' /etc/os-release 2>/dev/null) |
| PostgreSQL | $PG_V |
| libmicrohttpd | $MHD_V |
| compiler | $CC_V |
| nginx / wrk | $NGINX_V / $WRK_V |
| load average before the run / before two servers / after | $LOAD_START / $LOAD_MID / $LOAD_END (1, 5, 15 min; near 0 means a quiet machine) |
| database | $COMPANIES companies, $CONTACTS contacts; $DB_MB MB in PostgreSQL; loaded in $PG_LOAD_SECONDS s |
$END_MARK
EOF
fi
write_section "$SECTION"
rm -f "$SECTION" "$DATA/sqlite-rows.txt"
say "wrote the $MODE section of $RESULTS"
