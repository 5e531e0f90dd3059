#!/usr/bin/env bash
# `make bench`: the benchmark suite. Builds what it needs, generates the data
# once into bench/data/ (reused while present), serves a scratch copy with
# `crm serve --threads 2`, measures it with wrk next to nginx serving a static
# JSON file of the same size as one contact, prints a table and writes it,
# with the machine, to bench/RESULTS.md.
#
# Only loopback is used. Everything started here is stopped on exit.
#
# Knobs (environment):
#   BENCH_COMPANIES=100000 BENCH_CONTACTS=1000000  data size (a new size is
#                                     generated alongside; rm -rf bench/data
#                                     to regenerate after changing gen.c)
#   BENCH_DURATION=10   seconds per wrk run (after a 2 s warm-up)
#   BENCH_CONNECTIONS=32 BENCH_WRK_THREADS=2 BENCH_SERVER_THREADS=2
#   BENCH_PORT=18080 BENCH_NGINX_PORT=18081
#   BENCH_RESULTS=bench/RESULTS.md    where the report goes
#   BENCH_KEEP=1        keep the scratch database and logs afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

COMPANIES=${BENCH_COMPANIES:-100000}
CONTACTS=${BENCH_CONTACTS:-1000000}
DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNECTIONS:-32}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
SRV_THREADS=${BENCH_SERVER_THREADS:-2}
PORT=${BENCH_PORT:-18080}
NGINX_PORT=${BENCH_NGINX_PORT:-18081}
RESULTS=${BENCH_RESULTS:-bench/RESULTS.md}
DATA=$ROOT/bench/data
CRM=$ROOT/build/crm
GEN=$ROOT/build/bench/gen
TAG=${COMPANIES}x${CONTACTS}
PRISTINE=$DATA/crm-$TAG.db
TOKEN_FILE=$DATA/crm-$TAG.token
RUNDB=$DATA/run.db
NGX=$DATA/nginx
ADMIN=admin@bench.example
BASE=http://127.0.0.1:$PORT
export BENCH_WRK_DIR=$ROOT/bench/wrk BENCH_COMPANIES=$COMPANIES BENCH_CONTACTS=$CONTACTS

SERVER_PID=
NGINX_PID=

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NGINX_PID" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-0}" != 1 ]; then
    rm -f "$RUNDB" "$RUNDB-wal" "$RUNDB-shm" "$DATA/serve.log" "$NGX/access.log" \
      "$DATA/deep.json" "$DATA/q.json"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in wrk nginx curl sqlite3; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install wrk nginx-light curl sqlite3)"
done

# Is something already listening on this loopback port?
port_busy() { { exec 9<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null && { exec 9<&- 9>&-; return 0; }; return 1; }
port_busy "$PORT" && die "port $PORT is taken; set BENCH_PORT"
port_busy "$NGINX_PORT" && die "port $NGINX_PORT is taken; set BENCH_NGINX_PORT"

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

say "copying the data to a scratch database"
rm -f "$RUNDB" "$RUNDB-wal" "$RUNDB-shm"
cp "$PRISTINE" "$RUNDB"
DB_MB=$(( $(stat -c %s "$RUNDB") / 1048576 ))

# ---- the server, and its ready time ----
now_us() { local t=${EPOCHREALTIME//[.,]/}; echo "$t"; }

say "starting crm serve (--threads $SRV_THREADS)"
t0=$(now_us)
"$CRM" serve --db "$RUNDB" --listen "127.0.0.1:$PORT" --threads "$SRV_THREADS" 2>"$DATA/serve.log" &
SERVER_PID=$!
READY_MS=
while :; do
  if { exec 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null; then
    printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    line=
    read -r -t 2 line <&3 || true
    exec 3<&- 3>&-
    case $line in
      *" 200 "*) READY_MS=$(( ($(now_us) - t0) / 1000 )); break ;;
    esac
  fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA/serve.log" >&2; die "crm serve exited"; }
  [ $(( $(now_us) - t0 )) -lt 15000000 ] || die "crm serve not ready after 15 s"
  sleep 0.001
done
say "ready in $READY_MS ms (exec to the first 200 on /healthz)"

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
hwm_mb() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
RSS_START=$(rss_mb)

api() { curl -sS -o "$1" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$2"; }

# ---- nginx with a static contact-sized JSON file ----
mkdir -p "$NGX/www" "$NGX/tmp"
code=$(api "$NGX/www/contact.json" "/api/v1/contacts/1") || true
[ "$code" = 200 ] || die "GET /api/v1/contacts/1 answered $code"
STATIC_BYTES=$(stat -c %s "$NGX/www/contact.json")
NGINX_USER=
[ "$(id -u)" = 0 ] && NGINX_USER="user root;"
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
    }
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
# at the middle of the list (found with one keyset seek in SQLite).
DEEP_PATH=
mid=$(sqlite3 "$RUNDB" "SELECT id || char(10) || last_name FROM contacts WHERE deleted_at IS NULL ORDER BY last_name, id LIMIT 1 OFFSET $((CONTACTS / 2))" 2>/dev/null || true)
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
  [ "$code" = 200 ] || die "GET $1 answered $code"
}
check "/api/v1/contacts/$((CONTACTS / 2))"
check "/api/v1/contacts?sort=last_name&limit=50"
check "/api/v1/search?limit=20&q=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2"
check "/api/v1/contacts?q=M%C3%BCller"

# ---- measurements ----
declare -a NAMES RPS P50 P99 ERRS RSS CPU_US
# CPU time (user + system, clock ticks) of a process and its children's
# threads: the server, or nginx's master and workers.
cpu_ticks() {
  local total=0 pid t
  for pid in "$@"; do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))
run_wrk() {	# name script url [env...]; RUN_C / RUN_T override connections / threads
  local name=$1 script=$2 url=$3 out line pids c0 c1 n
  local conns=${RUN_C:-$CONNS} threads=${RUN_T:-$WRK_THREADS}
  shift 3
  say "wrk: $name"
  if [ "$url" = "${url#"$BASE"}" ]; then
    pids="$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')"
  else
    pids=$SERVER_PID
  fi
  env "$@" timeout $((DURATION + 40)) wrk -t"$threads" -c"$conns" -d2s -s "bench/wrk/$script" "$url" >/dev/null 2>&1 || true
  # shellcheck disable=SC2086
  c0=$(cpu_ticks $pids)
  out=$(env "$@" timeout $((DURATION + 40)) wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency \
    -s "bench/wrk/$script" "$url" 2>&1) || true
  # shellcheck disable=SC2086
  c1=$(cpu_ticks $pids)
  line=$(printf '%s\n' "$out" | grep '^BENCH ' | tail -n 1)
  [ -n "$line" ] || { printf '%s\n' "$out" >&2; die "wrk gave no result for $name"; }
  field() { printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  n=$(field requests)
  NAMES+=("$name")
  RPS+=("$(field rps)")
  P50+=("$(field p50_ms)")
  P99+=("$(field p99_ms)")
  ERRS+=("$(( $(field non2xx) + $(field socket_errors) ))")
  CPU_US+=("$(( n > 0 ? (c1 - c0) * TICK_US / n : 0 ))")
  if [ "$url" = "${url#"$BASE"}" ]; then RSS+=("-"); else RSS+=("$(rss_mb)"); fi
  say "  $(field rps) req/s, p50 $(field p50_ms) ms, p99 $(field p99_ms) ms, errors ${ERRS[-1]}, ${CPU_US[-1]} µs CPU/request"
}

run_wrk "nginx: static JSON ($STATIC_BYTES B)" plain.lua "http://127.0.0.1:$NGINX_PORT/contact.json" CRM_TOKEN=
run_wrk "GET /contacts/{id}, random id" get_by_id.lua "$BASE/"
run_wrk "GET /contacts?sort=last_name&limit=50" plain.lua "$BASE/api/v1/contacts?sort=last_name&limit=50"
if [ -n "$DEEP_PATH" ]; then
  run_wrk "same, page at the middle via cursor" plain.lua "$BASE$DEEP_PATH"
fi
run_wrk "GET /search?q=… (26 queries, 7 scripts)" search.lua "$BASE/" "BENCH_SEARCH_PREFIX=/api/v1/search?limit=20&q="
RUN_T=1 RUN_C=2 run_wrk "same, light load (2 connections)" search.lua "$BASE/" "BENCH_SEARCH_PREFIX=/api/v1/search?limit=20&q="
run_wrk "GET /contacts?q=… (same queries)" search.lua "$BASE/" "BENCH_SEARCH_PREFIX=/api/v1/contacts?q="
run_wrk "POST /contacts (create)" create.lua "$BASE/"
RSS_END=$(rss_mb)
RSS_PEAK=$(hwm_mb)

# ---- each search query alone: median of 5 sequential requests ----
say "timing each search query alone"
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
QROWS=()
for q in "${QUERIES[@]}"; do
  e=$(urlenc "$q")
  read -r s_ms s_hits < <(median5 "/api/v1/search?limit=20&q=$e")
  read -r l_ms l_hits < <(median5 "/api/v1/contacts?q=$e")
  QROWS+=("| \`$q\` | $s_ms | $s_hits | $l_ms | $l_hits |")
done

# ---- report ----
ratio=$(awk -v a="${RPS[1]}" -v b="${RPS[0]}" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }')
cpu_ratio=$(awk -v a="${CPU_US[1]}" -v b="${CPU_US[0]}" 'BEGIN { printf "%.0f", (a > 0 ? 100 * b / a : 0) }')
search_p99='' search_p99_light=''
for i in "${!NAMES[@]}"; do
  case ${NAMES[$i]} in
    "GET /search"*) search_p99=${P99[$i]} ;;
    "same, light load"*) search_p99_light=${P99[$i]} ;;
  esac
done
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { ok = dir == "min" ? v + 0 >= t + 0 : v + 0 < t + 0; print ok ? "met" : "**missed**" }'; }

TABLE=$(
  printf '| test | req/s | p50 ms | p99 ms | errors | server CPU µs/req | server RSS after, MB |\n'
  printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
  for i in "${!NAMES[@]}"; do
    printf '| %s | %.0f | %.2f | %.2f | %s | %s | %s |\n' "${NAMES[$i]}" "${RPS[$i]}" "${P50[$i]}" "${P99[$i]}" "${ERRS[$i]}" "${CPU_US[$i]}" "${RSS[$i]}"
  done
)
TARGETS=$(
  printf '| figure | target | measured | |\n| --- | --- | ---: | --- |\n'
  printf '| GET by id vs nginx (req/s) | ≥ 40 %% | %s %% | %s |\n' "$ratio" "$(verdict "$ratio" 40 min)"
  printf '| same, by CPU per request (nginx µs ÷ crm µs) | ≥ 40 %% | %s %% | %s |\n' "$cpu_ratio" "$(verdict "$cpu_ratio" 40 min)"
  printf '| search p99 at %s contacts, %s connections | < 20 ms | %s ms | %s |\n' "$CONTACTS" "$CONNS" "$search_p99" "$(verdict "$search_p99" 20 max)"
  printf '| search p99 at %s contacts, 2 connections | < 20 ms | %s ms | %s |\n' "$CONTACTS" "$search_p99_light" "$(verdict "$search_p99_light" 20 max)"
  printf '| server RSS (peak) | < 100 MB | %s MB | %s |\n' "$RSS_PEAK" "$(verdict "$RSS_PEAK" 100 max)"
  printf '| ready (exec to first 200) | < 200 ms | %s ms | %s |\n' "$READY_MS" "$(verdict "$READY_MS" 200 max)"
)

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
RAM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
SQLITE_V=$(pkg-config --modversion sqlite3 2>/dev/null || sqlite3 --version | cut -d' ' -f1)
CC_V=$(${CC:-cc} --version | head -n 1)
MHD_V=$(pkg-config --modversion libmicrohttpd 2>/dev/null || echo "?")
NGINX_V=$(nginx -v 2>&1 | sed 's/^nginx version: //')
WRK_V=$({ wrk -v 2>&1 || true; } | head -n 1 | cut -d' ' -f2)

printf '\n%s\n\n%s\n\nready %s ms; RSS at start %s MB, after the runs %s MB, peak %s MB\n' \
  "$TABLE" "$TARGETS" "$READY_MS" "$RSS_START" "$RSS_END" "$RSS_PEAK"

tmp=$RESULTS.tmp
cat > "$tmp" <<EOF
# Benchmark results

Written by \`make bench\` (bench/run.sh); every run overwrites this file.

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
- *RSS*: the server's resident memory (VmRSS) after each run, and the peak (VmHWM).
- *ready*: from starting \`crm serve\` to the first 200 on \`/healthz\`, on the big database.

**Targets.** GET by id at least 40 % of nginx's rate; search p99 under 20 ms at 1M
contacts; server RSS under 100 MB; ready under 200 ms.

## Results

$(date -u '+%Y-%m-%d %H:%M UTC'), commit $GIT_V.

$TABLE

$TARGETS

Server RSS: $RSS_START MB at start, $RSS_END MB after all runs, $RSS_PEAK MB peak.
Ready: $READY_MS ms.

## Each search query alone

Median of 5 sequential requests (curl, one connection at a time), in ms; hits on the
first page (search: limit 20, contacts list: limit 50).

| query | /search ms | hits | /contacts?q= ms | hits |
| --- | ---: | ---: | ---: | ---: |
$(printf '%s\n' "${QROWS[@]}")

## Machine and data

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
EOF
mv "$tmp" "$RESULTS"
say "wrote $RESULTS"
