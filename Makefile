# vbadmin - one non-recursive makefile.
#   make            build ./vbadmin and backends/pgvector/vb_pgvector.so
#   make run        install missing packages (apt), build, open the console on the embedded default
#   make test       install test needs, build with ASan+UBSan under build/asan (and vbadmin with
#                   TSan under build/tsan for the console scenarios), run every test
#   make bench      benchmarks against peers (docs/benchmarks.md)
#   make check-layers   fail when an include crosses a layer
#   make fuzz       libFuzzer targets of tests/fuzz/ with clang, FUZZ_SECONDS (600) each (docs/fuzzing.md)
#   make install PREFIX=/usr/local DESTDIR=
SHELL := /bin/bash
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
PLUGINDIR = $(PREFIX)/lib/vbadmin
MANDIR = $(PREFIX)/share/man/man1
VERSION = 0.1.0

SAN ?=
ifeq ($(SAN),fuzz)
# libFuzzer build (make fuzz): clang instruments the product code for coverage + ASan + UBSan
BUILD ?= build/fuzz
OUT ?= build/fuzz
CC = clang
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT ?= -O1 -g
else ifeq ($(SAN),thread)
# ThreadSanitizer build of vbadmin (make test runs the console scenarios under it)
BUILD ?= build/tsan
OUT ?= build/tsan
SANFLAGS = -fsanitize=thread -fno-omit-frame-pointer
OPT ?= -O1 -g
else ifeq ($(SAN),1)
BUILD ?= build/asan
OUT ?= build/asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT ?= -O1 -g
else
BUILD ?= build/release
OUT ?= .
SANFLAGS =
OPT ?= -O2 -g
endif

CC ?= cc
PKGS = ncursesw libpq yaml-0.1 sqlite3 libcurl jansson json-c libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs ncursesw yaml-0.1 sqlite3 libcurl jansson json-c libcrypto 2>/dev/null) -lreadline
PQ_LIBS := $(shell pkg-config --libs libpq 2>/dev/null)
WARN = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
ifeq ($(SAN),fuzz)
WARN += -Wno-error # gcc builds enforce the warnings; a clang-only one must not stop fuzzing
endif
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE -fPIC $(OPT) $(WARN) $(SANFLAGS) $(PKG_CFLAGS) \
	-DVB_PLUGINDIR='"$(PLUGINDIR)"' -DVBADMIN_VERSION='"$(VERSION)"' $(CFLAGS)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)

# Sources by layer.  New files are picked up by wildcard: add a .c, not a makefile line.
BACKEND_COMMON_SRC := $(filter-out backends/registry.c,$(wildcard backends/*.c))
CORE_SRC := $(wildcard backends/*.c backends/embedded/*.c backends/lancedb/*.c backends/contract/*.c engine/*.c config/*.c kb/*.c ddl/*.c)
CLI_SRC := $(filter-out cli/main.c,$(wildcard cli/*.c))
TUI_SRC := $(wildcard tui/*.c)
PGV_SRC := $(wildcard backends/pgvector/*.c)
SAMPLE_SRC := $(wildcard tests/plugins/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
# C tests that need a server (PostgreSQL sandbox, loopback embeddings server): run by tests/run-all.sh
INTEG_C_SRC := $(wildcard tests/integration/c/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
CORE_OBJ := $(call obj,$(CORE_SRC))
TUI_OBJ := $(call obj,$(TUI_SRC))
CLI_OBJ := $(call obj,$(CLI_SRC))
PGV_OBJ := $(call obj,$(PGV_SRC) $(BACKEND_COMMON_SRC))
SAMPLE_OBJ := $(call obj,$(SAMPLE_SRC) $(BACKEND_COMMON_SRC))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
INTEG_C_BIN := $(patsubst tests/integration/c/%.c,$(BUILD)/tests/integration/%,$(INTEG_C_SRC))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzzers/%,$(FUZZ_SRC))

VBADMIN := $(OUT)/vbadmin
PGV_SO := $(OUT)/backends/pgvector/vb_pgvector.so
SAMPLE_SO := $(BUILD)/tests/plugins/vb_sample.so

.PHONY: all run test test-build bench check-layers install clean deps deps-test docs fuzz fuzz-build fuzz-hostile
all: $(VBADMIN) $(PGV_SO)

V ?= 0
ifeq ($(V),0)
Q = @
msg = @printf '  %-6s %s\n' $(1) $(2);
else
Q =
msg =
endif

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(VBADMIN): $(call obj,cli/main.c) $(CLI_OBJ) $(TUI_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) -ldl -lm -lpthread

$(PGV_SO): $(PGV_OBJ)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)$(CC) $(LDFLAGS_ALL) -shared -o $@ $^ $(PQ_LIBS) -lm

$(SAMPLE_SO): $(SAMPLE_OBJ)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)$(CC) $(LDFLAGS_ALL) -shared -o $@ $^ -lm

# Each C test links only the modules it tests and what they call, named below as test_X_SRC
# (a test without a line links nothing but itself and fails to link: add its line).  Never a
# front end.
T_UTIL := $(BACKEND_COMMON_SRC)
T_DDL := $(wildcard ddl/*.c) $(T_UTIL)
T_CONFIG := $(wildcard config/*.c) $(T_UTIL)
T_EMBEDDED := $(wildcard backends/embedded/*.c) $(T_DDL)
T_KB := $(wildcard kb/*.c) $(T_CONFIG) $(T_DDL)
test_advice_SRC := engine/advice.c $(T_UTIL)
test_config_SRC := $(T_CONFIG)
test_config_stores_SRC := $(T_CONFIG)
test_fuzz_config_SRC := $(T_CONFIG)
test_fuzz_merge_SRC := $(T_CONFIG)
test_fuzz_env_SRC := $(T_CONFIG)
test_ddl_SRC := $(T_DDL)
test_fuzz_ddl_SRC := $(T_DDL)
test_filter_SRC := $(T_UTIL)
test_fuzz_filter_SRC := $(T_EMBEDDED)
test_emb_index_SRC := $(T_EMBEDDED)
test_embedded_SRC := $(T_EMBEDDED)
test_registry_SRC := backends/registry.c $(T_EMBEDDED) $(wildcard backends/lancedb/*.c)
test_lance_wire_SRC := backends/lancedb/lance_wire.c $(T_UTIL)
test_vb_float_SRC := $(T_UTIL)
test_migrate_state_SRC := engine/migrate_state.c $(T_UTIL)
test_text_clip_SRC := $(T_UTIL)
test_semantic_SRC := $(T_KB)
test_fuzz_semantic_SRC := $(T_KB)
test_table_context_SRC := $(T_KB)
test_steps_SRC := $(CORE_SRC)
test_smoke_SRC := $(CORE_SRC)
test_cli_getopt_SRC := $(CLI_SRC) $(CORE_SRC)
test_embed_SRC := $(T_KB)
test_embed_guard_SRC := $(T_KB)
test_embed_json_SRC := kb/embed_answer.c kb/embed_json.c $(T_UTIL)
test_fuzz_embed_json_SRC := kb/embed_answer.c $(T_UTIL)
test_pgvector_SRC := $(T_DDL)

.SECONDEXPANSION:
$(BUILD)/tests/%: tests/unit/%.c $$(call obj,$$(sort $$($$*_SRC)))
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)$(CC) $(CFLAGS_ALL) -Itests -MMD -MP -MF $@.d -o $@ $< $(filter %.o,$^) $(PKG_LIBS) -ldl -lm -lpthread

$(BUILD)/tests/integration/%: tests/integration/c/%.c $$(call obj,$$(sort $$($$*_SRC)))
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)$(CC) $(CFLAGS_ALL) -Itests -MMD -MP -MF $@.d -o $@ $< $(filter %.o,$^) $(PKG_LIBS) -ldl -lm -lpthread

$(BUILD)/fuzzers/%: tests/fuzz/%.c tests/fuzz/fuzz_common.h $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(CORE_OBJ) $(PKG_LIBS) -ldl -lm -lpthread

deps:
	@scripts/install-deps.sh

deps-test:
	@scripts/install-deps.sh --test

run: deps
	@$(MAKE) --no-print-directory all
	./vbadmin

test-build: $(VBADMIN) $(PGV_SO) $(SAMPLE_SO) $(UNIT_BIN) $(INTEG_C_BIN)

# the builds of `make test` use every core (CI has 2); the tests themselves run one after another
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

test: deps-test
	@scripts/check-layers.sh
	@# the optimised build `make run` makes: -O2 warns (maybe-uninitialized) where ASan builds do not
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@$(MAKE) --no-print-directory -j$(JOBS) SAN=1 test-build
	@$(MAKE) --no-print-directory -j$(JOBS) SAN=thread build/tsan/vbadmin
	@tests/run-all.sh build/asan

FUZZ_SECONDS ?= 600
FUZZ_JOBS ?= 1
fuzz-build: $(FUZZ_BIN)

fuzz:
	@$(MAKE) --no-print-directory SAN=fuzz fuzz-build
	@FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# the hostile-input targets of issue 14: agent.yml merges/aliases and .env
fuzz-hostile:
	@$(MAKE) --no-print-directory fuzz FUZZ_TARGETS="merge env config"

check-layers:
	@scripts/check-layers.sh

# Bench drivers (bench/*.c, one program each), built only by `make bench`.
BENCH_BIN := $(patsubst bench/%.c,$(OUT)/bench/bin/%,$(wildcard bench/*.c))
$(OUT)/bench/bin/%: bench/%.c bench/bench.h bench/bench_store.h $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)$(CC) $(CFLAGS_ALL) -o $@ $< $(CORE_OBJ) $(PKG_LIBS) $(PQ_LIBS) -ldl -lm -lpthread

# bench needs the test packages too (PostgreSQL sandbox, psycopg2, numpy): install them first
bench: deps-test
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@OUT=$(OUT) bench/run.sh

docs:
	@scripts/gen-docs.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PLUGINDIR)
	install -m 0755 $(VBADMIN) $(DESTDIR)$(BINDIR)/vbadmin
	install -m 0755 $(PGV_SO) $(DESTDIR)$(PLUGINDIR)/vb_pgvector.so
	install -d $(DESTDIR)$(MANDIR)
	install -m 0644 docs/vbadmin.1 $(DESTDIR)$(MANDIR)/vbadmin.1
	install -d $(DESTDIR)$(PLUGINDIR)/lancedb
	install -m 0644 backends/lancedb/helper/*.mjs backends/lancedb/helper/package*.json $(DESTDIR)$(PLUGINDIR)/lancedb/
	if [ -d backends/lancedb/helper/node_modules ]; then cp -R backends/lancedb/helper/node_modules $(DESTDIR)$(PLUGINDIR)/lancedb/; fi

clean:
	rm -rf build vbadmin backends/pgvector/vb_pgvector.so

# header dependencies of objects and of the test programs (compiled and linked in one step)
-include $(shell find $(BUILD)/obj $(BUILD)/tests -name '*.d' 2>/dev/null)
