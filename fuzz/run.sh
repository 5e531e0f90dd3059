#!/usr/bin/env bash
# The libFuzzer harnesses of fuzz/: builds them (clang, ASan, UBSan) and runs
# each over its seed corpus in fuzz/corpus/<harness>/.
#
#   fuzz/run.sh [HARNESS...]          long form (make fuzz): FUZZ_SECONDS (300)
#                                     each; the figures replace the generated
#                                     part of the "Fuzzing" section of
#                                     bench/RELIABILITY.md
#   fuzz/run.sh --short [HARNESS...]  short form (the test command): FUZZ_RUNS
#                                     (3000) executions each; prints
#                                     "fuzz: NAME passed|FAILED ..." per harness
#                                     and "fuzz: N passed, M failed" last
#
# Exits non-zero when a harness crashed (or did not build). Inputs that
# crash are kept in build/fuzz/crashes/; reproduce one with
# build/fuzz/HARNESS FILE. The long form keeps what it learns in
# build/fuzz/corpus/HARNESS and starts from there next time; the seeds in
# fuzz/corpus/ are never written.
set -uo pipefail
cd "$(dirname "$0")/.."

SHORT=0
if [ "${1:-}" = "--short" ]; then SHORT=1; shift; fi
FUZZ_SECONDS=${FUZZ_SECONDS:-300}
FUZZ_RUNS=${FUZZ_RUNS:-3000}

HARNESSES=("$@")
if [ ${#HARNESSES[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.c; do HARNESSES+=("$(basename "$f" .c)"); done
fi

# The top Makefile may include fuzz/fuzz.mk already; otherwise add it here.
MAKEFILES=(-f Makefile)
grep -q '^include fuzz/fuzz.mk' Makefile || MAKEFILES+=(-f fuzz/fuzz.mk)
mkdir -p build/fuzz/crashes build/fuzz/logs
if ! make -s "${MAKEFILES[@]}" -j"$(nproc)" fuzz-build >build/fuzz/logs/build.log 2>&1; then
  cat build/fuzz/logs/build.log
  echo "fuzz: the harnesses did not build"
  echo "fuzz: 0 passed, ${#HARNESSES[@]} failed"
  exit 1
fi

# LeakSanitizer's known third-party leaks (tests/lsan.supp: fontconfig's
# configuration, parsed once when a report's PDF first lays out text).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}

PASS=0
FAIL=0
ROWS=()
for h in "${HARNESSES[@]}"; do
  bin=build/fuzz/$h
  seeds=fuzz/corpus/$h
  log=build/fuzz/logs/$h.log
  # The short form's own log: a long run may be writing the other.
  [ $SHORT -eq 1 ] && log=build/fuzz/logs/$h.short.log
  if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
    echo "fuzz: $h FAILED (no binary $bin or no seeds in $seeds)"
    FAIL=$((FAIL + 1)); continue
  fi
  if [ $SHORT -eq 1 ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/crm-fuzz-$h.XXXXXX")
    limit=(-runs="$FUZZ_RUNS")
  else
    work=build/fuzz/corpus/$h
    mkdir -p "$work"
    limit=(-max_total_time="$FUZZ_SECONDS")
  fi
  # -close_fd_mask=2: the server's access log would drown the report
  # (sanitizer reports and fz_fail() messages still come through).
  "$bin" "${limit[@]}" -close_fd_mask=2 -timeout=30 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="build/fuzz/crashes/$h-" \
    "$work" "$seeds" >"$log" 2>&1
  rc=$?
  [ $SHORT -eq 1 ] && rm -rf "$work"
  # -a: a log shows the crashing input, which may hold any byte (grep
  # would otherwise answer "binary file matches" and lose the figures).
  runs=$(grep -aoE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  eps=$(grep -aoE '^stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  cov=$(grep -aoE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  ft=$(grep -aoE 'ft: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  corp=$(grep -aoE 'corp: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  secs=$(grep -aoE '^Done [0-9]+ runs in [0-9]+ second' "$log" | awk '{print $5}' | tail -1)
  crash=$(grep -aoE "build/fuzz/crashes/$h-[a-z]+-[0-9a-f]+" "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    PASS=$((PASS + 1))
    echo "fuzz: $h passed (${runs:-?} runs, ${eps:-?} exec/s, cov: ${cov:-?}, ft: ${ft:-?})"
    result="none"
  else
    FAIL=$((FAIL + 1))
    echo "fuzz: $h FAILED (exit $rc; input ${crash:-not saved}; log $log)"
    grep -aE -A12 '^==[0-9]+==ERROR|runtime error|^fuzz|deadly signal' "$log" | head -40
    result="crash: \`${crash:-see $log}\`"
  fi
  ROWS+=("| $h | $(date -u +%Y-%m-%d) $(git rev-parse --short HEAD 2>/dev/null || echo '?') | ${secs:-?} | ${runs:-?} | ${eps:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | $result |")
done

echo "fuzz: $PASS passed, $FAIL failed"

if [ $SHORT -eq 0 ]; then
  # Only the generated part of our own section is rewritten; the rest of
  # the file (other sections, the list of findings) is left as it is.
  report=bench/RELIABILITY.md
  gen=$(mktemp)
  {
    echo "<!-- fuzz:begin (written by fuzz/run.sh; edits here are lost) -->"
    echo "The latest long run of each harness ($(nproc) cores, clang $(clang -dumpversion), one harness at a time)."
    echo
    echo "| harness | run (UTC date, commit) | seconds | executions | exec/s | cov | ft | corpus | crashes |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo "<!-- fuzz:end -->"
  } >"$gen"
  python3 - "$report" "$gen" <<'PY'
import os, re, sys
path, gen = sys.argv[1], open(sys.argv[2]).read().rstrip("\n")
intro = ("# Reliability\n\nWhat the reliability suite (issue 6) shows about the server: "
         "fuzzing, load and soak, hostile clients, crash safety. Each section is kept by "
         "the tool that measures it; findings are listed with their fixes.\n")
section = ("## Fuzzing\n\nlibFuzzer harnesses in `fuzz/` (clang, AddressSanitizer and "
           "UndefinedBehaviorSanitizer), one per parser of outside input, each started from "
           "its seed corpus in `fuzz/corpus/`. `make fuzz` runs each for FUZZ_SECONDS and "
           "rewrites the table below; `fuzz/run.sh --short` runs each for a bounded number "
           "of executions in the test command. *cov* counts the code edges reached, *ft* the "
           "features (edges with hit counts) libFuzzer uses to keep inputs.\n\n"
           + gen + "\n\n### Findings\n\nNone yet.\n")
text = open(path).read() if os.path.exists(path) else intro
if "<!-- fuzz:begin" in text:
    # Rows of harnesses not run this time stay as they were.
    old = re.search(r"<!-- fuzz:begin.*?<!-- fuzz:end -->", text, flags=re.S).group(0)
    rows = {}
    for line in old.splitlines() + gen.splitlines():
        m = re.match(r"^\| (fuzz_\w+) \|", line)
        if m:
            rows[m.group(1)] = line
    head = [l for l in gen.splitlines() if not re.match(r"^\| fuzz_", l) and "fuzz:end" not in l]
    gen = "\n".join(head + [rows[k] for k in sorted(rows)] + ["<!-- fuzz:end -->"])
    text = re.sub(r"<!-- fuzz:begin.*?<!-- fuzz:end -->", lambda m: gen, text, flags=re.S)
elif re.search(r"^## Fuzzing\s*$", text, flags=re.M):
    text = re.sub(r"^(## Fuzzing\s*\n)", lambda m: m.group(1) + "\n" + gen + "\n", text, count=1, flags=re.M)
else:
    text = text.rstrip("\n") + "\n\n" + section
open(path, "w").write(text)
PY
  rm -f "$gen"
  echo "fuzz: figures written to $report"
fi

[ $FAIL -eq 0 ]
