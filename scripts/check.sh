#!/usr/bin/env bash
# `make check`: every test, from a clean clone. Stages:
#   1. C unit tests (cmocka)
#   2. API tests over real HTTP against build/crm
#   3. the same API tests against build/asan/crm (ASan + UBSan); any
#      sanitizer report fails the stage
#   4. reliability tests: kill -9 during writes, imports and backups, full and
#      read-only disks
#   5. the API tests again on PostgreSQL (a throwaway cluster from
#      scripts/pg.sh), with the multi-server and restart tests of tests/pg/
#   6. browser tests (playwright-core driving Debian's chromium)
#   7. every libFuzzer harness for a bounded number of executions
# Ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
mkdir -p test-artifacts
PASS=0
FAIL=0

stage() { printf '\n=== %s ===\n' "$*"; }

# Adds the counts of a node --test TAP log ("# pass N", "# fail N",
# "# cancelled N"). A cancelled test is one whose file ended before it
# finished (its server died, a promise never settled): it did not pass, so
# it counts as a failure.
count_tap() {
  local p f c
  p=$(grep -E '^# pass [0-9]+' "$1" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$1" | tail -1 | awk '{print $3}')
  c=$(grep -E '^# cancelled [0-9]+' "$1" | tail -1 | awk '{print $3}')
  if [ -z "$p" ] && [ -z "$f" ]; then
    echo "check: no test results in $1 (the runner failed to start)"
    FAIL=$((FAIL + 1)); return
  fi
  if [ "${c:-0}" -gt 0 ]; then
    echo "check: $c cancelled in $1 (counted as failed)"
  fi
  PASS=$((PASS + ${p:-0})); FAIL=$((FAIL + ${f:-0} + ${c:-0}))
}

scripts/deps.sh || { echo "check: installing dependencies failed"; echo "0 passed, 1 failed"; exit 1; }

stage "build"
if ! make -j"$(nproc)" build/crm build/asan/crm unit; then
  echo "0 passed, 1 failed"; exit 1
fi

stage "C unit tests"
for t in build/tests/test_*; do
  [ -x "$t" ] || continue
  out=$("$t" 2>&1); rc=$?
  echo "$out"
  p=$(echo "$out" | grep -oE '\[  PASSED  \] [0-9]+' | awk '{s+=$4} END {print s+0}')
  f=$(echo "$out" | grep -oE '\[  FAILED  \] [0-9]+' | awk '{s+=$4} END {print s+0}')
  PASS=$((PASS + ${p:-0})); FAIL=$((FAIL + ${f:-0}))
  if [ $rc -ne 0 ] && [ "$f" = 0 ]; then FAIL=$((FAIL + 1)); echo "check: $t crashed"; fi
done

if ls tests/api/*.test.mjs >/dev/null 2>&1; then
  stage "API tests"
  node --test --test-reporter=tap --test-concurrency=2 tests/api/ 2>&1 | tee test-artifacts/api.tap | grep -E '^(not ok|# (pass|fail|cancelled))' 
  count_tap test-artifacts/api.tap

  stage "API tests under AddressSanitizer and UndefinedBehaviorSanitizer"
  rm -rf test-artifacts/sanitizer && mkdir -p test-artifacts/sanitizer
  CRM_BIN=build/asan/crm \
  ASAN_OPTIONS="log_path=$ROOT/test-artifacts/sanitizer/asan:detect_leaks=1:abort_on_error=0" \
  UBSAN_OPTIONS="log_path=$ROOT/test-artifacts/sanitizer/ubsan:print_stacktrace=1:halt_on_error=1" \
    node --test --test-reporter=tap --test-concurrency=2 tests/api/ 2>&1 | tee test-artifacts/api-asan.tap | grep -E '^(not ok|# (pass|fail|cancelled))'
  count_tap test-artifacts/api-asan.tap
  if ls test-artifacts/sanitizer/* >/dev/null 2>&1; then
    echo "check: sanitizer reports:"; head -50 test-artifacts/sanitizer/*
    FAIL=$((FAIL + 1))
  else
    echo "no sanitizer reports"
  fi
fi

if ls tests/reliability/*.test.mjs >/dev/null 2>&1; then
  stage "reliability tests (crashes, faults)"
  node --test --test-reporter=tap --test-concurrency=1 tests/reliability/ 2>&1 | tee test-artifacts/reliability.tap | grep -E '^(not ok|# (pass|fail|cancelled))'
  count_tap test-artifacts/reliability.tap
fi

if ls tests/api/*.test.mjs >/dev/null 2>&1; then
  stage "API tests on PostgreSQL"
  # A throwaway cluster in its own folder on a free port, stopped whatever happens.
  PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/crm-check-pg.XXXXXX")
  pg_done() {
    [ -n "${PGDIR:-}" ] || return 0
    scripts/pg.sh stop "$PGDIR" >/dev/null 2>&1 || true
    cp "$PGDIR/postgres.log" test-artifacts/postgres.log 2>/dev/null || true
    rm -rf "$PGDIR"; PGDIR=
  }
  trap pg_done EXIT
  if PGURI=$(scripts/pg.sh start "$PGDIR" 2>test-artifacts/pg-start.log); then
    echo "PostgreSQL: $PGURI"
    PG_TESTS=(tests/api/)
    ls tests/pg/*.test.mjs >/dev/null 2>&1 && PG_TESTS+=(tests/pg/)
    CRM_TEST_PG=$PGURI \
      node --test --test-reporter=tap --test-concurrency=2 "${PG_TESTS[@]}" 2>&1 | tee test-artifacts/api-pg.tap | grep -E '^(not ok|# (pass|fail|cancelled))'
    count_tap test-artifacts/api-pg.tap
  else
    cat test-artifacts/pg-start.log
    echo "check: the throwaway PostgreSQL did not start"
    FAIL=$((FAIL + 1))
  fi
  pg_done
fi

if ls tests/browser/*.test.mjs >/dev/null 2>&1; then
  stage "browser tests (chromium)"
  node --test --test-reporter=tap --test-concurrency=1 tests/browser/ 2>&1 | tee test-artifacts/browser.tap | grep -E '^(not ok|# (pass|fail|cancelled))'
  count_tap test-artifacts/browser.tap
fi

stage "fuzzing (libFuzzer + ASan + UBSan, bounded runs)"
fuzz/run.sh --short 2>&1 | tee test-artifacts/fuzz.log | grep -E '^fuzz:'
fsum=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed' test-artifacts/fuzz.log | tail -1)
if [ -z "$fsum" ]; then
  echo "check: fuzz/run.sh gave no result"; FAIL=$((FAIL + 1))
else
  PASS=$((PASS + $(echo "$fsum" | awk '{print $2}')))
  FAIL=$((FAIL + $(echo "$fsum" | awk '{print $4}')))
fi

echo
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
