# libFuzzer harnesses (fuzz/fuzz_*.c), included by the top Makefile or used
# alone: make -f Makefile -f fuzz/fuzz.mk fuzz-build. The program's sources
# are compiled again with clang, coverage instrumentation, ASan and UBSan
# into build/fuzz/obj; cli/ (argv and main) takes no outside input the
# harnesses feed and stays out.
#
#   make fuzz        every harness for FUZZ_SECONDS (300) each; figures go to
#                    bench/RELIABILITY.md
#   make fuzz-short  every harness for a bounded number of runs (the test
#                    command's form)

FUZZ_CC      ?= clang
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_CFLAGS   = -O1 -g $(FUZZ_SAN)
FUZZ_SRC     := $(filter-out src/cli/%,$(SRC))
# Helpers the harnesses share: every fuzz/*.c that is not a harness.
FUZZ_HELPERS := $(filter-out fuzz/fuzz_%.c,$(wildcard fuzz/*.c))
FUZZ_OBJ     := $(FUZZ_SRC:src/%.c=build/fuzz/obj/%.o) \
                $(GENOBJ:build/obj/%=build/fuzz/obj/%) \
                $(FUZZ_HELPERS:fuzz/%.c=build/fuzz/obj/fuzz/%.o)
FUZZ_HARNESS := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN     := $(FUZZ_HARNESS:fuzz/%.c=build/fuzz/%)

.PHONY: fuzz fuzz-short fuzz-build
fuzz-build: $(FUZZ_BIN)

fuzz:
	fuzz/run.sh

fuzz-short:
	fuzz/run.sh --short

build/fuzz/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(filter-out -Werror,$(WARN)) -Wno-format-nonliteral \
	  $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

# Generated tables of embedded files: data only, no instrumentation needed.
build/fuzz/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -O1 -c -o $@ $<

build/fuzz/obj/fuzz/%.o: fuzz/%.c $(wildcard fuzz/*.h) $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(WARN) $(FUZZ_CFLAGS) -Ifuzz \
	  -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/fuzz_%: fuzz/fuzz_%.c $(wildcard fuzz/*.h) $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(WARN) $(FUZZ_CFLAGS) -Ifuzz -fsanitize=fuzzer \
	  -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

# Kept after the build (make would delete them as intermediates of the
# pattern rules above, and rebuild them all next time).
.SECONDARY: $(FUZZ_OBJ)
