#!/usr/bin/env bash
# The import benchmark (`make bench-import`): BENCH_IMPORT_ROWS contacts
# (default 1,000,000) as one CSV, imported with `crm import` (full
# validation through the record engine: the dry run, then the run in mode
# all), beside sqlite3's own `.import` of the same file into a plain table,
# in the same run on the same machine. Writes the figures and the machine
# to the import section of bench/RESULTS.md (other sections are kept).
#
# Knobs: BENCH_IMPORT_ROWS=1000000, BENCH_RESULTS=bench/RESULTS.md,
# BENCH_KEEP=1 keeps the scratch folder.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${BENCH_IMPORT_ROWS:-1000000}
RESULTS=${BENCH_RESULTS:-bench/RESULTS.md}
BIN=${CRM_BIN:-build/crm}
DIR=$(mktemp -d /tmp/crm-bench-import.XXXXXX)
trap '[ "${BENCH_KEEP:-}" = 1 ] || rm -rf "$DIR"' EXIT
say() { printf '%s\n' "$*" >&2; }

say "generating $ROWS contacts in $DIR/contacts.csv"
awk -v n="$ROWS" 'BEGIN {
  split("Anna Björn Chloé Dmitri Elena François Giulia Hana Ivan Jürgen Kenji Léa Mateo Nadia Olga Pavel", f, " ");
  split("Kowalska Müller Martin Иванова Петров 山田 佐藤 García López Rossi Nowak Schmidt Dubois Smith Brown Lee", l, " ");
  print "First name,Last name,E-mail,Phone,Position,Notes";
  for (i = 1; i <= n; i++) {
    a = f[(i % 16) + 1]; b = l[(int(i / 16) % 16) + 1];
    printf "%s,%s,user%d@bench.example,+1 555 %07d,Manager %d,\"Imported, row %d\"\n", a, b, i, i, i % 50, i;
  }
}' > "$DIR/contacts.csv"
SIZE=$(du -h "$DIR/contacts.csv" | cut -f1)

export CRM_ADMIN_PASSWORD='saffron lighthouse quill 27'
"$BIN" init --db "$DIR/crm.db" --admin-email bench@example.com >/dev/null 2>&1

now() { date +%s.%N; }
say "sqlite3 .import into a plain table"
T0=$(now)
sqlite3 "$DIR/plain.db" <<SQL
CREATE TABLE contacts (first_name TEXT, last_name TEXT, email TEXT, phone TEXT, position TEXT, notes TEXT);
.mode csv
.import --skip 1 $DIR/contacts.csv contacts
SQL
T1=$(now)
SQLITE_S=$(echo "$T1 - $T0" | bc -l)
PLAIN=$(sqlite3 "$DIR/plain.db" 'SELECT COUNT(*) FROM contacts')

# The second reference: the same .import, then the two FTS5 indexes a
# contact carries in crm (trigram for substrings, words with prefixes),
# built in bulk over the search text crm builds for a contact (names,
# email, phone and its digits, both orders of the names: record.c
# search_text and contacts.c contact_search_extra). This is the floor of
# any import that keeps search whole: no per-row work at all.
say "sqlite3 .import plus crm's two FTS5 search indexes, built in bulk"
T0=$(now)
sqlite3 "$DIR/fts.db" <<SQL
CREATE TABLE stage (first_name TEXT, last_name TEXT, email TEXT, phone TEXT, position TEXT, notes TEXT);
.mode csv
.import --skip 1 $DIR/contacts.csv stage
CREATE TABLE contacts (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT,
  phone TEXT, position TEXT, notes TEXT, search_text TEXT);
INSERT INTO contacts (first_name, last_name, email, phone, position, notes, search_text)
  SELECT *, first_name || ' ' || last_name || ' ' || email || ' ' || phone || ' ' ||
    replace(replace(phone, '+', ''), ' ', '') || ' ' || last_name || first_name || ' ' ||
    first_name || last_name FROM stage;
CREATE VIRTUAL TABLE contacts_tri USING fts5(search_text, content='contacts',
  content_rowid='id', tokenize='trigram');
CREATE VIRTUAL TABLE contacts_words USING fts5(search_text, content='contacts',
  content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2');
INSERT INTO contacts_tri (rowid, search_text) SELECT id, search_text FROM contacts;
INSERT INTO contacts_words (rowid, search_text) SELECT id, search_text FROM contacts;
SQL
T1=$(now)
FTS_S=$(echo "$T1 - $T0" | bc -l)

say "crm import --dry-run"
T0=$(now)
"$BIN" import "$DIR/contacts.csv" --db "$DIR/crm.db" --entity contacts --dry-run \
  --max-upload 1G --as bench@example.com > "$DIR/dry.out" 2> "$DIR/dry.err" ||
  { cat "$DIR/dry.err" >&2; exit 1; }
T1=$(now)
DRY_S=$(echo "$T1 - $T0" | bc -l)

say "crm import (dry run, then the run)"
T0=$(now)
"$BIN" import "$DIR/contacts.csv" --db "$DIR/crm.db" --entity contacts \
  --max-upload 1G --as bench@example.com > "$DIR/run.out" 2> "$DIR/run.err" ||
  { cat "$DIR/run.err" >&2; exit 1; }
T1=$(now)
RUN_S=$(echo "$T1 - $T0" | bc -l)
CREATED=$(sqlite3 "$DIR/crm.db" 'SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL')
AUDIT=$(sqlite3 "$DIR/crm.db" "SELECT COUNT(*) FROM audit_log WHERE action = 'record.create'")
cat "$DIR/run.out" >&2

rate() { echo "$1 / $2" | bc -l | xargs printf '%.0f'; }
SQLITE_RATE=$(rate "$PLAIN" "$SQLITE_S")
DRY_RATE=$(rate "$ROWS" "$DRY_S")
RUN_RATE=$(rate "$CREATED" "$RUN_S")
FTS_RATE=$(rate "$PLAIN" "$FTS_S")
RATIO=$(echo "100 * $RUN_RATE / $SQLITE_RATE" | bc -l | xargs printf '%.1f')
FTS_RATIO=$(echo "100 * $RUN_RATE / $FTS_RATE" | bc -l | xargs printf '%.1f')
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
NCPU=$(nproc)
MEM=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
LOAD=$(cut -d' ' -f1 /proc/loadavg)
WHEN=$(date -u +%Y-%m-%dT%H:%MZ)

SECTION=$(cat <<MD
<!-- bench:import begin: written by bench/import.sh; a run replaces everything down to the end marker -->
## Import (\`make bench-import\`)

$ROWS contacts in one CSV ($SIZE: first and last name in Latin, Cyrillic and Japanese, an
email, a phone, a position, a quoted note with a comma), on $WHEN, $CPU, $NCPU CPUs, $MEM,
load average $LOAD at the end (the machine is shared; the figures are noisy).

| what | seconds | rows/s |
| --- | ---: | ---: |
| sqlite3 \`.import\` into a plain table (no checks, no indexes) | $(printf '%.1f' "$SQLITE_S") | $SQLITE_RATE |
| sqlite3 \`.import\`, then crm's two FTS5 search indexes built in bulk | $(printf '%.1f' "$FTS_S") | $FTS_RATE |
| \`crm import --dry-run\`: read, parse every cell by type, check | $(printf '%.1f' "$DRY_S") | $DRY_RATE |
| \`crm import\`: the dry run, then the run through the record engine | $(printf '%.1f' "$RUN_S") | $RUN_RATE |

crm import wrote $CREATED contacts and $AUDIT \`record.create\` audit entries:
**$RATIO %** of sqlite3's plain rate (the target is 50 %), **$FTS_RATIO %** of sqlite3
with the same search indexes.
<!-- bench:import end -->
MD
)
if [ -f "$RESULTS" ] && grep -q 'bench:import begin' "$RESULTS"; then
  awk -v s="$SECTION" '/bench:import begin/ { print s; skip = 1; next } /bench:import end/ { skip = 0; next } !skip' \
    "$RESULTS" > "$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
else
  printf '\n%s\n' "$SECTION" >> "$RESULTS"
fi
printf '%s\n' "$SECTION"
