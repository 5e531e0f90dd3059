# crm: one binary, build/crm. `make run` and `make check` are the two
# commands of the README; everything else here serves them.

CC       ?= cc
PKGS      = libmicrohttpd jansson sqlite3 libsodium libpq liboath libqrencode \
            libcbor libcrypto pwquality libzstd libcurl libzip expat xlsxwriter \
            libcmark pangocairo cairo-pdf gmime-3.0
CFLAGS   ?= -O2 -g
WARN      = -std=c17 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wpointer-arith -Wvla -Wformat=2
CPPFLAGS += -D_GNU_SOURCE -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lpthread -lm

SRC      := $(sort $(wildcard src/*/*.c))
LIBSRC   := $(filter-out src/cli/main.c,$(SRC))
OBJ      := $(SRC:src/%.c=build/obj/%.o)
LIBOBJ   := $(LIBSRC:src/%.c=build/obj/%.o)
ASANOBJ  := $(SRC:src/%.c=build/asan/obj/%.o)
GENOBJ   := build/obj/gen/sqlite_migrations.o build/obj/gen/pg_migrations.o \
            build/obj/gen/web.o
ASANGEN  := $(GENOBJ:build/obj/%=build/asan/obj/%)
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/tests/%)
WEB_SRC  := $(shell find web/src web/index.html web/package.json web/vite.config.ts 2>/dev/null)

.PHONY: all run check deps web asan unit bench soak clean fmt
all: build/crm

build/crm: $(OBJ) $(GENOBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

build/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

build/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -o $@ $<

build/gen/%_migrations.c: build/tools/embed $(wildcard src/store/migrations/*/*.sql)
	@mkdir -p $(dir $@)
	build/tools/embed $@ $*_migration src/store/migrations/$*

# The web UI: built with Vite when web/ exists, gzipped, then embedded.
build/web.stamp: $(WEB_SRC)
	@mkdir -p build
	rm -rf build/web
	if [ -f web/package.json ]; then \
	  (cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build) && \
	  cp -r web/dist build/web && \
	  find build/web -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' -o -name '*.json' \) \
	    -exec gzip -9 -n -k {} \; ; \
	else mkdir -p build/web; fi
	touch $@

build/gen/web.c: build/tools/embed build/web.stamp
	@mkdir -p $(dir $@)
	build/tools/embed $@ web build/web

web: build/web.stamp

# The same program with AddressSanitizer and UndefinedBehaviorSanitizer.
asan: build/asan/crm
build/asan/crm: $(ASANOBJ) $(ASANGEN)
	$(CC) $(SANFLAGS) -g -o $@ $^ $(LDLIBS)

build/asan/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(SANFLAGS) -O1 -g -c -o $@ $<

build/asan/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(SANFLAGS) -O1 -g -c -o $@ $<

# C unit tests (cmocka), each linked with the program minus main().
# libical reads the iCalendar feed back in its test only; the server
# writes the format itself. The process engine's test sets the clock:
# every call of time_now_ms from the program's objects goes to its own
# (tests/unit/process_fixture.h), and the schedule trigger's test too.
WRAP_CLOCK := -Wl,--wrap=time_now_ms
# The delivery's test acts in the middle of a render (tests/unit/test_report_deliver.c).
WRAP_RENDER := -Wl,--wrap=report_write_file
# What a unit test links besides the program's objects ($*: its name).
UNIT_LIBS = $(LDLIBS) $(shell pkg-config --libs cmocka 2>/dev/null) \
	  $(if $(filter test_ical,$*),$(shell pkg-config --libs libical 2>/dev/null)) \
	  $(if $(filter test_process_run test_process_sched,$*),$(WRAP_CLOCK)) \
	  $(if $(filter test_report_deliver,$*),$(WRAP_CLOCK) $(WRAP_RENDER))
unit: $(UNIT_BIN)
build/tests/%: tests/unit/%.c $(LIBOBJ) $(GENOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -Wno-missing-prototypes -o $@ $^ \
	  $(UNIT_LIBS)

# A unit test with ASan and UBSan: make build/asan/tests/test_X.
build/asan/tests/%: tests/unit/%.c $(filter-out build/asan/obj/cli/main.o,$(ASANOBJ)) $(ASANGEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(SANFLAGS) -O1 -g -Wno-missing-prototypes \
	  -o $@ $^ $(UNIT_LIBS)

deps:
	scripts/deps.sh

run:
	scripts/run.sh

check:
	scripts/check.sh

bench: build/crm
	bench/run.sh

# Long reliability runs (figures in bench/RELIABILITY.md): make soak, make fuzz.
soak: build/crm
	reliability/soak.sh

fmt:
	clang-format -i $(SRC) $(wildcard src/*/*.h) tools/*.c

clean:
	rm -rf build

include bench/bench.mk
include fuzz/fuzz.mk
