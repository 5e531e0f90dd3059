#!/usr/bin/env bash
# `make soak`: load, soak and valgrind for crm serve. Writes the "Load and
# soak" section of bench/RELIABILITY.md (other sections are left alone).
#
#  1. data: bench/gen fills a fresh database (SOAK_COMPANIES companies,
#     SOAK_CONTACTS contacts, through the core as the API would), once per run
#     in a scratch folder.
#  2. load: crm serve --threads 2 on a copy, driven by wrk with the mixed
#     read/write script reliability/mixed.lua (GET by id, list pages through
#     cursors, search, POST, PATCH with If-Match) at several connection counts,
#     SOAK_STEP_SECONDS each: the highest rate with zero errors and its p50/p99.
#  3. soak: a fresh server on a fresh copy under the same mix with
#     SOAK_CONNECTIONS connections (wrk runs flat out: the maximum rate) for
#     SOAK_MINUTES, one wrk run per minute. After each minute: VmRSS, open fds,
#     fds on the database files, threads, requests and errors so far, that
#     minute's p50/p99, and the load average of the machine.
#  4. valgrind memcheck on crm serve under a light load (SOAK_VALGRIND_SECONDS),
#     then SIGTERM; any leak or invalid access fails.
#
# Fails (exit 1) when: any answer is an error other than the 412s that
# concurrent PATCHes with the same If-Match provoke by design (counted apart),
# or any socket error; RSS at the end is more than SOAK_RSS_GROWTH % above
# the middle of the run (minute 5 at the earliest; see below); open fds, database fds or threads at the
# end exceed those after minute 1; the server does not exit 0 on SIGTERM; the
# database fails PRAGMA integrity_check; valgrind reports anything.
#
# Only loopback is used; everything started here is stopped on exit.
#
# Knobs (environment):
#   SOAK_MINUTES=30 SOAK_CONNECTIONS=32 SOAK_WRK_THREADS=2 SOAK_SERVER_THREADS=2
#   SOAK_CONTACTS=20000 SOAK_COMPANIES=2000 SOAK_HOT=200 (ids PATCHed)
#   SOAK_STEPS="4 16 64" SOAK_STEP_SECONDS=20   the load steps (0 steps: skip)
#   SOAK_VALGRIND_SECONDS=60 (0: skip valgrind)
#   SOAK_RSS_GROWTH=20 SOAK_PORT=18180
#   SOAK_STEADY=1 (0: every create creates, and the data grows)
#   SOAK_RESULTS=bench/RELIABILITY.md (empty: write nothing)  SOAK_KEEP=1
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

MINUTES=${SOAK_MINUTES:-30}
CONNS=${SOAK_CONNECTIONS:-32}
WRK_THREADS=${SOAK_WRK_THREADS:-2}
SRV_THREADS=${SOAK_SERVER_THREADS:-2}
CONTACTS=${SOAK_CONTACTS:-20000}
COMPANIES=${SOAK_COMPANIES:-2000}
STEPS=${SOAK_STEPS-4 16 64}
STEP_SECONDS=${SOAK_STEP_SECONDS:-20}
VG_SECONDS=${SOAK_VALGRIND_SECONDS:-60}
RSS_GROWTH=${SOAK_RSS_GROWTH:-20}
PORT=${SOAK_PORT:-18180}
RESULTS=${SOAK_RESULTS-bench/RELIABILITY.md}
CRM=$ROOT/build/crm
GEN=$ROOT/build/bench/gen
ADMIN=admin@soak.example
BASE=http://127.0.0.1:$PORT
export BENCH_WRK_DIR=$ROOT/bench/wrk BENCH_CONTACTS=$CONTACTS BENCH_COMPANIES=$COMPANIES
export SOAK_HOT=${SOAK_HOT:-200}
# Steady data: every other create is a DELETE of an earlier one (mixed.lua),
# so memory and latency are read at a constant size. SOAK_STEADY=0: growth.
export SOAK_STEADY=${SOAK_STEADY:-1}

W=$(mktemp -d "${TMPDIR:-/tmp}/crm-soak.XXXXXX")
SERVER_PID=
WRK_PID=
FAILS=()

say() { printf 'soak: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
fail() { say "FAIL: $*"; FAILS+=("$*"); }
load1() { cut -d' ' -f1 /proc/loadavg; }

stop_server() {	# SIGTERM, wait up to $1 s, then SIGKILL; sets STOP_RC (exit status or "killed")
  local pid=$SERVER_PID limit=${1:-15}
  STOP_RC=none
  [ -n "$pid" ] || return 0
  SERVER_PID=
  STOP_RC=0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((limit * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    STOP_RC=killed
    return 0
  fi
  wait "$pid" 2>/dev/null || STOP_RC=$?
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$WRK_PID" ]; then kill -TERM "$WRK_PID" 2>/dev/null || true; fi
  stop_server 5
  if [ "${SOAK_KEEP:-0}" = 1 ]; then say "kept $W"; else rm -rf "$W"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in wrk curl sqlite3; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install wrk curl sqlite3)"
done
[ "$VG_SECONDS" = 0 ] || command -v valgrind >/dev/null || die "valgrind is missing (apt-get install valgrind), or SOAK_VALGRIND_SECONDS=0"
port_busy() { { exec 9<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null && { exec 9<&- 9>&-; return 0; }; return 1; }
port_busy "$PORT" && die "port $PORT is taken; set SOAK_PORT"

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$EPOCHSECONDS

# ---- build and data ----
say "building"
make -s build/crm build/bench/gen
GIT_V=$(git rev-parse --short HEAD 2>/dev/null || echo "?")$(git diff --quiet HEAD -- src 2>/dev/null || echo "+changes")

say "generating $COMPANIES companies and $CONTACTS contacts"
PRISTINE=$W/pristine.db
CRM_ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64) \
  "$CRM" init --db "$PRISTINE" --admin-email "$ADMIN" >/dev/null
timeout 600 "$GEN" --db "$PRISTINE" --companies "$COMPANIES" --contacts "$CONTACTS" 2>/dev/null
TOKEN=$("$CRM" token create --db "$PRISTINE" --user "$ADMIN" | tail -n 1 | tr -d '[:space:]')
[ -n "$TOKEN" ] || die "no token"
export CRM_TOKEN=$TOKEN
sqlite3 "$PRISTINE" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
DB_MB=$(awk -v b="$(stat -c %s "$PRISTINE")" 'BEGIN { printf "%.1f", b / 1048576 }')

fresh_db() { rm -f "$W/run.db" "$W/run.db-wal" "$W/run.db-shm"; cp "$PRISTINE" "$W/run.db"; }

wait_ready() {	# $1: seconds
  local deadline=$((EPOCHSECONDS + $1))
  while :; do
    [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$BASE/healthz" || true)" = 200 ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 40 "$W/serve.log" >&2; die "crm serve exited"; }
    [ "$EPOCHSECONDS" -lt "$deadline" ] || die "crm serve not ready after $1 s"
    sleep 0.1
  done
}

# The access log (JSON lines, one per request) is dropped; every other
# line of standard error is kept in serve.log.
start_server() {	# [wrapper...]
  "$@" "$CRM" serve --db "$W/run.db" --listen "127.0.0.1:$PORT" --threads "$SRV_THREADS" \
    2> >(grep --line-buffered -v '^{"ts"' > "$W/serve.log") &
  SERVER_PID=$!
}

# One wrk run; sets R_* from its SOAK line. $1 connections, $2 seconds, $3 threads,
# $4 the request timeout in seconds (default 10).
run_wrk() {
  local c=$1 d=$2 t=$3 to=${4:-10} out line
  # wrk gets its own process so that the trap can stop it; output in a file.
  timeout $((d + to + 30)) wrk -t"$t" -c"$c" -d"${d}s" --timeout "${to}s" --latency \
    -s reliability/mixed.lua "$BASE/" > "$W/wrk.out" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || true
  WRK_PID=
  line=$(grep '^SOAK ' "$W/wrk.out" | tail -n 1 || true)
  [ -n "$line" ] || { cat "$W/wrk.out" >&2; die "wrk gave no result"; }
  f() { printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  R_REQ=$(f requests) R_RPS=$(f rps) R_P50=$(f p50_ms) R_P99=$(f p99_ms) R_MAX=$(f max_ms)
  R_412=$(f s412) R_CUR=$(f cursor_pages)
  R_ERR=$(( $(f s4xx) + $(f s5xx) + $(f other) + $(f socket_errors) ))
  R_5XX=$(f s5xx) R_SOCK=$(f socket_errors) R_4XX=$(f s4xx)
  # What the errors said (the first few answers of each wrk thread).
  grep '^SOAK-ERR ' "$W/wrk.out" >&2 || true
}

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
hwm_mb() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
threads_n() { awk '/^Threads:/ { print $2 }' "/proc/$SERVER_PID/status"; }
fds_n() { ls "/proc/$SERVER_PID/fd" | wc -l; }
dbfds_n() { find "/proc/$SERVER_PID/fd" -type l -printf '%l\n' 2>/dev/null | grep -c "$W/run\.db" || true; }
db_mb() { du -cm "$W"/run.db* | tail -n 1 | cut -f1; }

# ---- load: the rate at several connection counts ----
STEP_ROWS=()
BEST_RPS=0 BEST_ROW=
if [ -n "$STEPS" ]; then
  fresh_db
  start_server
  wait_ready 30
  say "load steps: connections $STEPS, ${STEP_SECONDS} s each"
  run_wrk 4 3 1 # warm-up
  for c in $STEPS; do
    t=$WRK_THREADS; [ "$c" -lt "$t" ] && t=$c
    run_wrk "$c" "$STEP_SECONDS" "$t"
    la=$(load1)
    say "  $c connections: $R_RPS req/s, p50 $R_P50 ms, p99 $R_P99 ms, errors $R_ERR, 412 $R_412 (load $la)"
    STEP_ROWS+=("| $c | $(printf '%.0f' "$R_RPS") | $R_P50 | $R_P99 | $R_MAX | $R_ERR | $R_412 | $la |")
    [ "$R_ERR" = 0 ] || fail "load step with $c connections: $R_ERR errors (4xx other than 412: $R_4XX, 5xx: $R_5XX, socket: $R_SOCK)"
    if [ "$R_ERR" = 0 ] && awk -v a="$R_RPS" -v b="$BEST_RPS" 'BEGIN { exit !(a > b) }'; then
      BEST_RPS=$R_RPS
      BEST_ROW="$(printf '%.0f' "$R_RPS") req/s with $c connections: p50 $R_P50 ms, p99 $R_P99 ms, 0 errors ($R_412 expected 412s), load average $la"
    fi
  done
  stop_server 15
  [ "$STOP_RC" = 0 ] || fail "after the load steps, crm serve exited $STOP_RC on SIGTERM"
fi

# ---- soak ----
say "soak: $MINUTES minutes, $CONNS connections, flat out"
fresh_db
start_server
wait_ready 30
RSS0=$(rss_mb) FDS0=$(fds_n) THR0=$(threads_n)
TOT_REQ=0 TOT_ERR=0 TOT_412=0 TOT_CUR=0
declare -a M_RSS M_FDS M_DBF M_THR M_P50 M_P99
ROWS=()
for m in $(seq 1 "$MINUTES"); do
  run_wrk "$CONNS" 60 "$WRK_THREADS"
  # Let the server close the connections wrk left (up to 15 s on a busy
  # machine): fds above the idle count at start are sockets still closing.
  for _ in $(seq 1 150); do [ "$(fds_n)" -le "$FDS0" ] && break; sleep 0.1; done
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 40 "$W/serve.log" >&2; die "crm serve died in minute $m"; }
  TOT_REQ=$((TOT_REQ + R_REQ)) TOT_ERR=$((TOT_ERR + R_ERR)) TOT_412=$((TOT_412 + R_412)) TOT_CUR=$((TOT_CUR + R_CUR))
  M_RSS[m]=$(rss_mb) M_FDS[m]=$(fds_n) M_DBF[m]=$(dbfds_n) M_THR[m]=$(threads_n) M_P50[m]=$R_P50 M_P99[m]=$R_P99
  la=$(load1)
  ROWS+=("| $m | ${M_RSS[m]} | ${M_FDS[m]} | ${M_DBF[m]} | ${M_THR[m]} | $(printf '%.0f' "$R_RPS") | $TOT_REQ | $TOT_ERR | $TOT_412 | $R_P50 | $R_P99 | $(db_mb) | $la |")
  say "  minute $m: RSS ${M_RSS[m]} MB, fds ${M_FDS[m]} (db ${M_DBF[m]}), threads ${M_THR[m]}, $R_RPS req/s, p50 $R_P50 ms, p99 $R_P99 ms, errors $TOT_ERR, 412 $TOT_412 (load $la)"
  [ "$R_ERR" = 0 ] || fail "minute $m: $R_ERR errors (4xx other than 412: $R_4XX, 5xx: $R_5XX, socket: $R_SOCK)"
done
RSS_PEAK=$(hwm_mb)
# RSS is judged from the middle of the run (minute 5 at the earliest) to the
# end: SQLite's page cache (16 MB per pooled connection) keeps filling while
# POSTs grow the database, which is bounded and not a leak; a leak keeps
# growing with the requests served. The growth from minute 5 is reported too.
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? 100 * (a - b) / b : 0) }'; }
REF5=5; [ "$MINUTES" -ge 6 ] || REF5=1
REF=$(( MINUTES / 2 )); [ "$REF" -ge "$REF5" ] || REF=$REF5
RSS_REF=${M_RSS[REF]} RSS_END=${M_RSS[MINUTES]} RSS_REF5=${M_RSS[REF5]}
GROWTH=$(pct "$RSS_END" "$RSS_REF")
GROWTH5=$(pct "$RSS_END" "$RSS_REF5")
awk -v g="$GROWTH" -v l="$RSS_GROWTH" 'BEGIN { exit !(g + 0 > l + 0) }' &&
  fail "RSS grew $GROWTH % from minute $REF ($RSS_REF MB) to minute $MINUTES ($RSS_END MB); limit $RSS_GROWTH %"
[ "${M_FDS[MINUTES]}" -le "${M_FDS[1]}" ] || fail "open fds grew: ${M_FDS[1]} after minute 1, ${M_FDS[MINUTES]} at the end"
[ "${M_DBF[MINUTES]}" -le "${M_DBF[1]}" ] || fail "database fds grew: ${M_DBF[1]} after minute 1, ${M_DBF[MINUTES]} at the end"
[ "${M_THR[MINUTES]}" -le "${M_THR[1]}" ] || fail "threads grew: ${M_THR[1]} after minute 1, ${M_THR[MINUTES]} at the end"
# Latency drift: p50/p99 medians of the first and the last five minutes (reported, not judged:
# the database grows by every POST and the machine is shared).
med() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
K=5; [ "$MINUTES" -ge 10 ] || K=$(( (MINUTES + 1) / 2 ))
DRIFT="p50 $(med "${M_P50[@]:1:K}") → $(med "${M_P50[@]: -K}") ms, p99 $(med "${M_P99[@]:1:K}") → $(med "${M_P99[@]: -K}") ms (median of the first and the last $K minutes)"
RSS_ANON=$(awk '/^RssAnon:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
stop_server 15
SOAK_EXIT=$STOP_RC
[ "$SOAK_EXIT" = 0 ] || fail "after the soak, crm serve exited $SOAK_EXIT on SIGTERM"
INTEGRITY=$(sqlite3 "$W/run.db" 'PRAGMA integrity_check;' 2>&1 | head -n 5 | tr '\n' ' ')
[ "$INTEGRITY" = "ok " ] || fail "integrity_check after the soak: $INTEGRITY"
CONTACTS_END=$(sqlite3 "$W/run.db" 'SELECT count(*) FROM contacts;')
DB_END_MB=$(db_mb)
grep -v '^$' "$W/serve.log" | grep -i -E 'error|fatal|abort' | head -n 5 > "$W/serve-errors.txt" || true
[ ! -s "$W/serve-errors.txt" ] || { fail "errors in the server log"; cat "$W/serve-errors.txt" >&2; }

# ---- valgrind ----
VG_LINE="skipped (SOAK_VALGRIND_SECONDS=0)"
VG_DETAIL=
if [ "$VG_SECONDS" != 0 ]; then
  say "valgrind memcheck: ${VG_SECONDS} s of light load (1 connection), then SIGTERM"
  fresh_db
  start_server valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=9 \
    --track-origins=yes --log-file="$W/valgrind.log"
  wait_ready 180
  # valgrind slows the server 20 to 50 times: requests get 30 s, and a
  # timeout is reported, not judged (answers other than 2xx/412 are).
  run_wrk 1 "$VG_SECONDS" 1 30
  VG_REQ=$R_REQ VG_ERR=$((R_ERR - R_SOCK)) VG_SOCK=$R_SOCK VG_412=$R_412 VG_P50=$R_P50 VG_P99=$R_P99
  la=$(load1)
  stop_server 120
  VG_EXIT=$STOP_RC
  summary=$(grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|All heap blocks were freed|in use at exit|total heap usage' "$W/valgrind.log" | sed 's/^==[0-9]*== *//' || true)
  errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$W/valgrind.log" | tail -n 1)
  VG_LINE="$VG_REQ requests ($VG_412 expected 412s, $VG_ERR error answers, $VG_SOCK socket errors or 30 s timeouts), p50 $VG_P50 ms, p99 $VG_P99 ms under valgrind; exit status $VG_EXIT; ${errs:-?} valgrind errors (load average $la)"
  VG_DETAIL=$summary
  say "  $VG_LINE"
  printf '%s\n' "$summary" >&2
  [ "$VG_EXIT" = 0 ] && [ "${errs:-x}" = 0 ] || {
    fail "valgrind: exit status $VG_EXIT, ${errs:-?} errors"
    grep -E -A 12 'Invalid|uninitialised|definitely lost in|indirectly lost in|possibly lost in' "$W/valgrind.log" | head -n 80 >&2 || true
    [ "${SOAK_KEEP:-0}" = 1 ] || cp "$W/valgrind.log" "$ROOT/test-artifacts/soak-valgrind.log" 2>/dev/null || true
  }
  [ "$VG_ERR" = 0 ] || fail "under valgrind: $VG_ERR error answers"
fi

# ---- report ----
ELAPSED_MIN=$(( (EPOCHSECONDS - T_START + 59) / 60 ))
VERDICT="passed"
[ "${#FAILS[@]}" = 0 ] || VERDICT="**failed**: $(printf '%s; ' "${FAILS[@]}")"
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
RAM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
SQLITE_V=$(pkg-config --modversion sqlite3 2>/dev/null || sqlite3 --version | cut -d' ' -f1)
MHD_V=$(pkg-config --modversion libmicrohttpd 2>/dev/null || echo "?")
WRK_V=$({ wrk -v 2>&1 || true; } | head -n 1 | cut -d' ' -f2)
VG_V=$(valgrind --version 2>/dev/null || echo "-")

SECTION=$(cat <<EOF
## Load and soak

Written by \`make soak\` (reliability/soak.sh); each run replaces this section only.
$(date -u '+%Y-%m-%d %H:%M UTC'), commit $GIT_V, $ELAPSED_MIN minutes in all. Result: $VERDICT

**What runs.** \`bench/gen\` fills a fresh database ($COMPANIES companies, $CONTACTS contacts,
$DB_MB MB) through the core as the API would. \`crm serve --threads $SRV_THREADS\` serves a copy,
driven over loopback by wrk with reliability/mixed.lua: 32 % GET a contact by random id, 12 %
list pages sorted by last name (following \`next_cursor\` up to 20 pages deep), 12 % search
(\`/search\` and \`/contacts?q=\`, the benchmark's 26 queries in 7 scripts), 8 % POST a
contact, 16 % the later features (2 % each: POST a deal, the deals board, POST a task, my day,
POST a ticket, a ready report's run, a company's timeline, the notifications), 20 % PATCH with
\`If-Match\` on $SOAK_HOT hot contacts (reading one first when its ETag is unknown). Connections PATCH the same contacts concurrently, so some PATCHes answer 412 by
design; they are counted apart and are not errors. $( [ "$SOAK_STEADY" = 0 ] && echo "Every create adds a record, so the data grows through the run." || echo "The data keeps its size (SOAK_STEADY): every other create of a contact, deal, task or ticket is instead a DELETE (to the trash) of one the same wrk thread created earlier." ) *Errors* are every other non-2xx answer and
every socket error (connect, read, write, 10 s timeout). wrk runs flat out (closed loop), so the
rate is the highest the server holds at that concurrency. wrk shares the $(nproc) cores with the
server, and other work shared the machine: the 1-minute load average is given beside each figure.

### Load: the rate at each concurrency

${STEP_SECONDS} s per row; fresh server and database.

| connections | req/s | p50 ms | p99 ms | max ms | errors | 412 (expected) | load avg |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$(printf '%s\n' "${STEP_ROWS[@]}")

**Highest rate with zero errors:** ${BEST_ROW:-none}.

### Soak: $MINUTES minutes, $CONNS connections

One 60 s wrk run per minute on one server process; the figures are taken after each
minute once the server has closed wrk's connections (waiting up to 15 s). *fds*: open file descriptors (\`/proc/PID/fd\`); *db fds*: those
on the database, its WAL and shared memory (the connection pool); RSS is VmRSS. The database
grows with every POST.

| minute | RSS MB | fds | db fds | threads | req/s | requests so far | errors so far | 412 so far | p50 ms | p99 ms | db MB | load avg |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$(printf '%s\n' "${ROWS[@]}")

- At start (idle): RSS $RSS0 MB, $FDS0 fds, $THR0 threads. Peak RSS (VmHWM): $RSS_PEAK MB.
- RSS from minute $REF to minute $MINUTES: $RSS_REF → $RSS_END MB ($GROWTH %; the limit is $RSS_GROWTH %).
  From minute $REF5: $RSS_REF5 → $RSS_END MB ($GROWTH5 %). At the end, of the RSS: $RSS_ANON MB anonymous (heap:
  SQLite's page caches, up to 16 MB per pooled connection, and the server's own memory).
- Latency drift: $DRIFT.
- $TOT_REQ requests, $TOT_ERR errors, $TOT_412 expected 412s, $TOT_CUR pages reached by cursor.
  Contacts at the end: $CONTACTS_END; database and WAL $DB_END_MB MB.
- SIGTERM at the end: exit status $SOAK_EXIT. \`PRAGMA integrity_check\`: $INTEGRITY

### valgrind memcheck

\`valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=9\`
on \`crm serve\` (fresh copy), ${VG_SECONDS} s of the same mix on 1 connection, then SIGTERM:
$VG_LINE.

\`\`\`
$VG_DETAIL
\`\`\`

### Machine

| | |
| --- | --- |
| CPU | $CPU, $(nproc) cores |
| RAM | $RAM |
| kernel | $(uname -sr) |
| SQLite / libmicrohttpd | $SQLITE_V / $MHD_V |
| wrk / valgrind | $WRK_V / $VG_V |
| load average at the start | $LOAD_START (1, 5, 15 min) |
EOF
)

if [ -n "$RESULTS" ]; then
  mkdir -p "$(dirname "$RESULTS")"
  if [ ! -f "$RESULTS" ]; then
    cat > "$RESULTS" <<'EOF'
# Reliability

How crm holds up outside the happy path: fuzzing of every parser of outside input, load and
soak under a mixed read/write load with memory, file descriptors and latency watched, valgrind,
hostile clients, crashes, full and read-only disks and a locked database. Each section is
written by its own command (`make soak`, `make fuzz`, ...) and replaced only by it; the crashes
and fixes found are listed with their regression tests.
EOF
  fi
  printf '%s\n' "$SECTION" > "$W/section.md"
  # Replace "## Load and soak" up to the next "## " heading, or append it.
  awk -v sec="$W/section.md" '
    function emit() { while ((getline l < sec) > 0) print l; close(sec); done = 1 }
    /^## / { if (skip) { skip = 0; print "" } }
    /^## Load and soak[[:space:]]*$/ { skip = 1; emit(); next }
    !skip { print }
    END { if (!done) { print ""; emit() } }
  ' "$RESULTS" > "$W/results.md"
  cat "$W/results.md" > "$RESULTS"
  say "wrote the Load and soak section of $RESULTS"
fi

if [ "${#FAILS[@]}" != 0 ]; then
  say "FAILED:"; printf '  %s\n' "${FAILS[@]}" >&2
  exit 1
fi
say "passed"
