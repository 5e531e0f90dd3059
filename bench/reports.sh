#!/usr/bin/env bash
# make bench-reports: how long every ready report of the library and a
# three-level grouped designer report take on the benchmark data (issue 11:
# each under 300 ms), as the administrator and as a manager (manager1, who
# reads his own records), beside a reference measured in the same run: the
# sqlite3 shell running comparable plain GROUP BYs on the same file.
#
# The data: bench/data's generated database (100,000 companies, 1,000,000
# contacts; read only, never written) copied to a work folder, migrated,
# with the 300,000 deals of bench/deals.sql, the 3,000,000 activities of
# bench/activities.sql and what the newer reports read (bench/reports.sql:
# companies on the deals, segments, line items, tickets, process steps, an
# audit log). That source is made once (some minutes) and reused while it
# is newer than those scripts; each run measures a fresh copy of it,
# migrated and analysed as the server's own analyze job would.
#
# Each request runs once to warm up, then BENCH_REPORTS_RUNS times in a row;
# bench/reports.mjs prints the median (min-max) per report and role. The
# machine and its load average are printed with them: on a shared machine
# say so beside the figures.
#
# Knobs (environment):
#   BENCH_COMPANIES=100000 BENCH_CONTACTS=1000000  which generated data
#   BENCH_DATA=bench/data                          where it is (only read)
#   BENCH_REPORTS_DIR=/tmp/crm-bench-reports       the work folder
#   BENCH_REPORTS_RUNS=7                           timed runs per request
#   BENCH_REPORTS_PORT=18090
#   BENCH_KEEP=1                                   keep the run's copy
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CRM=$ROOT/build/crm
TAG=${BENCH_COMPANIES:-100000}x${BENCH_CONTACTS:-1000000}
PRISTINE=${BENCH_DATA:-$ROOT/bench/data}/crm-$TAG.db
WORK=${BENCH_REPORTS_DIR:-/tmp/crm-bench-reports}
SRC=$WORK/reports-$TAG.db
RUNDB=$WORK/run.db
RUNS=${BENCH_REPORTS_RUNS:-7}
PORT=${BENCH_REPORTS_PORT:-18090}

say() { printf 'bench-reports: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

for tool in sqlite3 node; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
[ -x "$CRM" ] || die "build/crm is missing (make build/crm)"
[ -f "$PRISTINE" ] || die "no benchmark data at $PRISTINE (make bench generates it)"
mkdir -p "$WORK"

SRV_PID=
cleanup() {
  [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
  [ -n "${BENCH_KEEP:-}" ] || rm -f "$RUNDB" "$RUNDB-wal" "$RUNDB-shm"
  return 0
}
trap cleanup EXIT

# ---- the source: once, on a copy (bench/data is only read) ----
stale=
for f in bench/deals.sql bench/activities.sql bench/reports.sql "$PRISTINE"; do
  [ "$f" -nt "$SRC" ] && stale=1
done
if [ ! -f "$SRC" ] || [ -n "$stale" ]; then
  say "building $SRC from $PRISTINE (once; minutes)"
  rm -f "$SRC.tmp" "$SRC.tmp-wal" "$SRC.tmp-shm"
  cp "$PRISTINE" "$SRC.tmp"
  "$CRM" init --db "$SRC.tmp" >/dev/null
  sed "s/@DEALS@/300000/g; s#@TMP@#$WORK/deals.scratch.sql#g" bench/deals.sql | sqlite3 -bail "$SRC.tmp"
  sed "s/@ACTIVITIES@/3000000/g; s#@TMP@#$WORK/act.scratch.sql#g" bench/activities.sql | sqlite3 -bail "$SRC.tmp"
  sqlite3 -bail "$SRC.tmp" < bench/reports.sql
  sqlite3 "$SRC.tmp" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  rm -f "$WORK"/*.scratch.sql
  mv "$SRC.tmp" "$SRC"
else
  say "reusing $SRC"
fi

# ---- a fresh copy: this build's migrations, statistics ----
say "copying the source to $RUNDB"
rm -f "$RUNDB" "$RUNDB-wal" "$RUNDB-shm"
cp "$SRC" "$RUNDB"
"$CRM" init --db "$RUNDB" >/dev/null
sqlite3 "$RUNDB" "PRAGMA analysis_limit = 100000; ANALYZE;" >/dev/null
# The server's own analyze job would take the write lock a minute in, and
# the runs' audit entries would wait on it: the statistics are fresh, so it
# is put off past the run.
sqlite3 "$RUNDB" "DELETE FROM jobs WHERE unique_key = 'analyze'; INSERT INTO jobs (kind, unique_key, run_at, created_at) VALUES ('analyze', 'analyze', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + 21600000, 0);"
ADMIN_TOKEN=$("$CRM" token create --db "$RUNDB" --user admin@bench.example --name bench-reports | tail -n 1 | tr -d '[:space:]')
MANAGER_TOKEN=$("$CRM" token create --db "$RUNDB" --user manager1@bench.example --name bench-reports | tail -n 1 | tr -d '[:space:]')

"$CRM" serve --db "$RUNDB" --listen "127.0.0.1:$PORT" --threads 2 > "$WORK/serve.log" 2>&1 &
SRV_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null || die "crm serve did not start (see $WORK/serve.log)"

printf '%s, %s cores, %s; load average before: %s\n' "$(uname -m)" "$(nproc)" \
  "$(sqlite3 --version | cut -d' ' -f1 | sed 's/^/SQLite /')" "$(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_URL="http://127.0.0.1:$PORT" BENCH_DB_FILE="$RUNDB" BENCH_RUNS="$RUNS" \
  ADMIN_TOKEN="$ADMIN_TOKEN" MANAGER_TOKEN="$MANAGER_TOKEN" node bench/reports.mjs
printf 'load average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
