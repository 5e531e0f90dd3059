# The benchmark tools, included by the top Makefile (`include bench/bench.mk`)
# or used alone: make -f Makefile -f bench/bench.mk build/bench/gen.
# gen links the core without the faces (cli, api, http): it writes records
# through rec_create() exactly as the API does.

BENCH_OBJ := $(filter build/obj/util/% build/obj/store/% build/obj/core/%,$(OBJ)) \
             $(filter-out %/web.o,$(GENOBJ))

build/bench/gen: bench/gen.c $(BENCH_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -o $@ bench/gen.c $(BENCH_OBJ) $(LDLIBS)

# `make bench-pg`: the same suite on PostgreSQL (one crm serve, then two
# behind nginx), in a throwaway cluster under bench/data/pg; see bench/run.sh.
.PHONY: bench-pg
bench-pg: build/crm
	BENCH_DB=pg bench/run.sh

# `make bench-import`: crm import of a generated CSV (1,000,000 contacts by
# default, BENCH_IMPORT_ROWS) beside sqlite3's .import; see bench/import.sh.
.PHONY: bench-import
bench-import: build/crm
	bench/import.sh

# `make bench-import-fair`: single creates through the API while crm serve
# imports BENCH_FAIR_ROWS contacts (100,000 by default); median, p99 and the
# longest wait; see bench/import_fair.mjs.
.PHONY: bench-import-fair
bench-import-fair: build/crm
	node bench/import_fair.mjs

# `make bench-reports`: every ready report and a three-level designer report
# timed on the benchmark data, as admin and as a manager, beside sqlite3's
# plain GROUP BYs on the same file; see bench/reports.sh.
.PHONY: bench-reports
bench-reports: build/crm
	bench/reports.sh
