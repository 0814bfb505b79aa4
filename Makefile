# kasane: one non-recursive Makefile.
#
# Every folder in MODULES becomes one static library (build/lib<folder>.a) from the
# .c files it holds; cli/ links them into ./kasane. Unit tests are tests/unit/test_*.c,
# one cmocka program each. Adding a source file needs no edit here.
#
#   make            build ./kasane
#   make deps       apt-get install the Debian packages that are missing (idempotent)
#   make check      deps + build + every test (SAN=1: AddressSanitizer + UBSan build,
#                   float-cast-overflow included)
#   make demo       deps + build + a full assessment of the bundled demo server room
#   make bench      optimized build + every benchmark, table in bench/results.csv
#   make fuzz       libFuzzer harnesses, FUZZ_SECONDS each
#   make install    PREFIX=/usr/local DESTDIR=
#   make format     clang-format every source file
#   make clean

.DEFAULT_GOAL := all
VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
SAN ?= 0
V ?= 0
Q := $(if $(filter 1,$(V)),,@)
WERROR ?= 1
OPT ?= -O2 -g

ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined,float-cast-overflow
OPT := -O1 -g
else
BUILD ?= build
SANFLAGS :=
endif

CC ?= cc
# Libraries with a pkg-config file; libcsv has none (shared/reference.md).
# libxxhash: XXH3 for the manifests of output directories (core/ks_manifest.h).
# libzstd: compressed dataset files, samples.csv.zst and the like (core/ks_zst.h).
# expat, minizip: xlsx workbooks (RVTools exports, collect/col_xlsx.h); both small (zlib).
PKGS := ncursesw cmocka inih jansson libxxhash expat minizip libzstd
# Compiled against but not linked: collect/ and simulate/ dlopen them on first use
# (core/ks_dl.h; linked, they put ~70 shared libraries and 20 MiB of resident memory into
# every run). Their sonames are read from the files this build would link (NAME:LIB,
# -lLIB) into $(BUILD)/gen/ks_sonames.h by scripts/sonames.sh, never written by hand.
PKGS_DLOPEN := libvirt libcurl papi libpcap gsl
DL_SONAMES := LIBVIRT:virt LIBCURL:curl PAPI:papi PCAP:pcap GSL:gsl CSV:csv
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(PKGS_DLOPEN) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Unit tests may call a deferred library directly (test_pcap writes its capture file
# with pcap_dump): they link it; the collector's own code still dlopens it.
TEST_LIBS = $(shell pkg-config --libs libpcap 2>/dev/null)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla
ifeq ($(WERROR),1)
WARN += -Werror
endif

CPPFLAGS += -I. -I$(BUILD)/gen -D_GNU_SOURCE -DKASANE_VERSION=\"$(VERSION)\" -MMD -MP
# Sections per function and object: kasane-collect's link drops what it never calls
# (--gc-sections), and with it the references to libraries it does not link.
CFLAGS += -std=c11 $(OPT) $(WARN) $(SANFLAGS) $(PKG_CFLAGS) -ffunction-sections -fdata-sections
LDFLAGS += $(SANFLAGS)
LDLIBS += $(PKG_LIBS) -lcsv -lm -lpthread
# kasane-collect links libc alone (and libm, libpthread: parts of libc since glibc 2.34;
# libdl for older ones): --as-needed drops whichever the code does not call, so
# `readelf -d` lists only what it must have (tests/e2e/collect_binary.sh). --gc-sections
# drops the dataset reader and manifest hashing that libcore.a's objects hold beside
# what the collector calls (they would need libcsv and libxxhash); libcsv itself is
# loaded on use (its own build of core/ks_csv.c: only to read an existing manifest.csv).
COLLECT_LDLIBS := -Wl,--gc-sections -Wl,--as-needed -lm -lpthread -ldl

# Dependency order matters for static linking: users before what they use.
MODULES := tui report simulate model collect core
LIBS := $(foreach m,$(MODULES),$(BUILD)/lib$(m).a)

define module_rules
$(1)_SRC := $$(wildcard $(1)/*.c)
$(1)_OBJ := $$($(1)_SRC:%.c=$(BUILD)/obj/%.o)
$(BUILD)/lib$(1).a: $$($(1)_OBJ)
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(Q)$$(AR) rcs $$@ $$^
ALL_OBJ += $$($(1)_OBJ)
endef
$(foreach m,$(MODULES),$(eval $(call module_rules,$(m))))

# cli/kasane_collect.c is the other program's main: kasane-collect, `kasane collect`
# with only what the collector needs (libcollect and libcore, no other library).
CLI_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out cli/kasane_collect.c,$(wildcard cli/*.c)))
COLLECT_BIN_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,cli/kasane_collect.c cli/cmd_collect.c cli/cli_util.c) \
	$(BUILD)/obj-dl/core/ks_csv.o
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
ALL_OBJ += $(CLI_OBJ) $(BUILD)/obj/cli/kasane_collect.o $(BUILD)/obj-dl/core/ks_csv.o

# Sonames of the libraries loaded on use (core/ks_dl.h), for the files that name them.
$(BUILD)/gen/ks_sonames.h: scripts/sonames.sh Makefile
	@mkdir -p $(@D)
	$(Q)scripts/sonames.sh "$(CC)" $(DL_SONAMES) >$@.tmp && mv $@.tmp $@
DL_USERS := $(patsubst %.c,$(BUILD)/obj/%.o,$(shell grep -l '"ks_sonames.h"' */*.c tests/unit/*.c))
$(DL_USERS): $(BUILD)/gen/ks_sonames.h

# The CPU rating table (datasets/cpu/ratings.csv) is built into the binary as a C string,
# so an installed kasane plans without its data files (model/mdl_cpu.h).
$(BUILD)/gen/cpu_ratings.inc: datasets/cpu/ratings.csv
	@mkdir -p $(@D)
	$(Q)sed -e 's/\r$$//' -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/"/' -e 's/$$/\\n",/' $< >$@
$(BUILD)/obj/model/mdl_cpu.o: $(BUILD)/gen/cpu_ratings.inc
$(BUILD)/obj/model/mdl_cpu.o: CPPFLAGS += -I$(BUILD)/gen

# Keep objects of test and bench programs (they are intermediates otherwise).
.SECONDARY:

.PHONY: all deps check tests demo bench fuzz install format clean

all: kasane kasane-collect

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# kasane-collect's CSV reader: libcsv loaded on use (core/ks_csv.c, KS_CSV_DLOPEN); linked
# first, it is the one the linker takes instead of libcore.a's.
$(BUILD)/obj-dl/core/ks_csv.o: core/ks_csv.c $(BUILD)/gen/ks_sonames.h
	@mkdir -p $(@D)
	@echo "  CC      $< (libcsv loaded on use)"
	$(Q)$(CC) $(CPPFLAGS) -DKS_CSV_DLOPEN $(CFLAGS) -c $< -o $@

$(BUILD)/kasane: $(CLI_OBJ) $(LIBS)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBS) $(LDLIBS)

kasane: $(BUILD)/kasane
	@cp $< $@

$(BUILD)/kasane-collect: $(COLLECT_BIN_OBJ) $(BUILD)/libcollect.a $(BUILD)/libcore.a
	$(Q)$(CC) $(LDFLAGS) -o $@ $(COLLECT_BIN_OBJ) $(BUILD)/libcollect.a $(BUILD)/libcore.a \
		$(COLLECT_LDLIBS)

kasane-collect: $(BUILD)/kasane-collect
	@cp $< $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS) $(TEST_LIBS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS)

tests: $(BUILD)/kasane $(BUILD)/kasane-collect $(TEST_BIN)

deps:
	@scripts/deps.sh

# The check and demo targets run deps first, then re-enter make so that pkg-config
# sees the packages deps just installed.
check:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory tests SAN=$(SAN)
	@KASANE=$(CURDIR)/$(BUILD)/kasane BUILD=$(CURDIR)/$(BUILD) tests/run.sh

demo:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory kasane
	@scripts/demo.sh

bench:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-bench OPT="-O2 -g -DNDEBUG" build-bench/kasane build-bench/kasane-collect $(BENCH_SRC:bench/%.c=build-bench/bench/%)
	@KASANE=$(CURDIR)/build-bench/kasane BUILD=$(CURDIR)/build-bench bench/run.sh

FUZZ_SECONDS ?= 60
fuzz:
	@scripts/deps.sh
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

install: kasane
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/doc/kasane
	install -m 755 kasane $(DESTDIR)$(PREFIX)/bin/kasane
	install -m 644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/kasane/
	if [ -f docs/kasane.1 ]; then install -d $(DESTDIR)$(PREFIX)/share/man/man1 && \
		install -m 644 docs/kasane.1 $(DESTDIR)$(PREFIX)/share/man/man1/; fi

format:
	clang-format -i $(wildcard */*.c */*.h tests/*/*.c tests/*/*.h)

clean:
	rm -rf build build-san build-bench build-fuzz kasane kasane-collect

-include $(ALL_OBJ:.o=.d) $(TEST_SRC:tests/unit/%.c=$(BUILD)/obj/tests/unit/%.d)
