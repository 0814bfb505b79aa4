# kasane: one non-recursive Makefile.
#
# Every folder in MODULES becomes one static library (build/lib<folder>.a) from the
# .c files it holds; cli/ links them into ./kasane. Unit tests are tests/unit/test_*.c,
# one cmocka program each. Adding a source file needs no edit here.
#
#   make            build ./kasane
#   make deps       apt-get install the missing Debian packages of the runtime and build
#                   tiers (idempotent; scripts/deps.sh; `make deps TIERS="runtime build
#                   test"` for all three). No package of these two tiers ships a daemon.
#   make check      deps incl. the test tier + build + every test (SAN=1:
#                   AddressSanitizer + UBSan build, float-cast-overflow included)
#   make demo       deps (runtime, build) + build + a full assessment of the bundled demo
#                   server room
#   make bench      optimized build + every benchmark, table in bench/results.csv
#   make fuzz       libFuzzer harnesses, FUZZ_SECONDS each
#   make install    PREFIX=/usr/local DESTDIR=: binaries, data (DATADIR), man pages,
#                   bash completion, systemd units, examples; make uninstall removes them
#   make deb        Debian packages kasane and kasane-collect in ../ (debian/)
#   make format     clang-format every source file
#   make clean

.DEFAULT_GOAL := all
VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
# The shipped data (datasets/ less the demo and the research-only trace) is installed
# into DATADIR and compiled in as the place names are looked up (core/ks_data.h);
# $KASANE_DATADIR overrides it at run time.
DATADIR ?= $(PREFIX)/share/kasane
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/kasane
COMPDIR ?= $(PREFIX)/share/bash-completion/completions
# Units go where systemd's own are for PREFIX=/usr (/lib/systemd/system on Debian 12,
# /usr/lib/systemd/system on 13), else under PREFIX (/usr/local/lib/systemd/system is
# on systemd's search path too).
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),$(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system),$(PREFIX)/lib/systemd/system)
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
PKGS := ncursesw inih
# Compiled against but not linked: core/, collect/ and simulate/ dlopen them on first use
# (core/ks_dl.h; linked, libvirt and friends put ~70 shared libraries and 20 MiB of
# resident memory into every run, and even the five small ones below cost `kasane
# collect` 0.6 MiB of its peak). Their sonames are read from the files this build would
# link (NAME:LIB, -lLIB) into $(BUILD)/gen/ks_sonames.h by scripts/sonames.sh, never
# written by hand.
# libxxhash: XXH3 for the manifests of output directories (core/ks_manifest.h).
# libzstd: compressed dataset files, samples.csv.zst and the like (core/ks_zst.h).
# expat, minizip: xlsx workbooks (RVTools exports, collect/col_xlsx.h); both small (zlib).
# jansson: Prometheus answers (collect/col_prom_client.c).
PKGS_DLOPEN := libvirt libcurl papi libpcap gsl jansson libxxhash expat minizip libzstd
DL_SONAMES := LIBVIRT:virt LIBCURL:curl PAPI:papi PCAP:pcap GSL:gsl CSV:csv \
              JANSSON:jansson XXHASH:xxhash EXPAT:expat MINIZIP:minizip ZSTD:zstd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(PKGS_DLOPEN) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Unit tests may call a deferred library directly (test_pcap writes its capture file
# with pcap_dump): they link it; the collector's own code still dlopens it.
# cmocka is the unit tests' alone (test tier): kasane itself builds without it.
TEST_LIBS = $(shell pkg-config --libs libpcap cmocka 2>/dev/null)
TEST_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
$(BUILD)/obj/tests/%.o: CFLAGS += $(TEST_CFLAGS)

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

# DATADIR compiled into core/ks_data.o; the stamp changes (and the object is rebuilt)
# only when DATADIR does, e.g. a build for PREFIX=/usr after one for /usr/local.
$(BUILD)/gen/datadir.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
$(BUILD)/obj/core/ks_data.o: $(BUILD)/gen/datadir.stamp
$(BUILD)/obj/core/ks_data.o: CPPFLAGS += -DKASANE_DATADIR='"$(DATADIR)"'
FORCE:

# Keep objects of test and bench programs (they are intermediates otherwise).
.SECONDARY:

.PHONY: all deps check tests demo bench fuzz install uninstall man deb format clean FORCE

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

TIERS ?= runtime build
deps:
	@scripts/deps.sh $(TIERS)

# The check and demo targets run deps first, then re-enter make so that pkg-config
# sees the packages deps just installed.
check:
	@scripts/deps.sh runtime build test
	@$(MAKE) --no-print-directory tests SAN=$(SAN)
	@KASANE=$(CURDIR)/$(BUILD)/kasane BUILD=$(CURDIR)/$(BUILD) tests/run.sh

demo:
	@scripts/deps.sh runtime build
	@$(MAKE) --no-print-directory kasane
	@scripts/demo.sh

bench:
	@scripts/deps.sh runtime build test
	@$(MAKE) --no-print-directory BUILD=build-bench OPT="-O2 -g -DNDEBUG" build-bench/kasane build-bench/kasane-collect $(BENCH_SRC:bench/%.c=build-bench/bench/%)
	@KASANE=$(CURDIR)/build-bench/kasane BUILD=$(CURDIR)/build-bench bench/run.sh

FUZZ_SECONDS ?= 60
fuzz:
	@scripts/deps.sh runtime build test
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# ---- make install / uninstall / deb -----------------------------------------------------
# Shipped data: every datasets/ folder but demo/ (make demo generates it) and
# public/bitbrains (research-use terms: not for redistribution in a package; it stays
# in the source tree for the importer's tests). Each keeps its README and licence.
DATA_DIRS := catalog cpu licences ports rules sim storage public/planetlab
DATA_FILES := $(foreach d,$(DATA_DIRS),$(shell find datasets/$(d) -type f 2>/dev/null))
# kasane(1) and one page per command, generated from --help by help2man (scripts/man.sh).
# kasane-collect(1) documents `kasane collect` and the small collector binary alike.
COMMANDS := collect import gen plan sim report top
MAN_PAGES := $(BUILD)/man/kasane.1 $(COMMANDS:%=$(BUILD)/man/kasane-%.1)
UNITS := dist/systemd/kasane-collect.service dist/systemd/kasane-collect@.service
EXAMPLES := $(wildcard dist/examples/*)

man: $(MAN_PAGES)

$(BUILD)/man/kasane.1: $(BUILD)/kasane scripts/man.sh
	@mkdir -p $(@D)
	$(Q)scripts/man.sh $(BUILD)/kasane '' $(VERSION) '$(DATADIR)' $@

$(BUILD)/man/kasane-%.1: $(BUILD)/kasane scripts/man.sh
	@mkdir -p $(@D)
	$(Q)scripts/man.sh $(BUILD)/kasane $* $(VERSION) '$(DATADIR)' $@

# Paths in the units and the completion script follow BINDIR and DATADIR.
SUBST = sed -e 's|/usr/bin/kasane|$(BINDIR)/kasane|g' -e 's|@DATADIR@|$(DATADIR)|g'

install: $(BUILD)/kasane $(MAN_PAGES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(COMPDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DATADIR)
	install -m 755 $(BUILD)/kasane $(DESTDIR)$(BINDIR)/kasane
	if [ -f $(BUILD)/kasane-collect ]; then \
		install -m 755 $(BUILD)/kasane-collect $(DESTDIR)$(BINDIR)/kasane-collect; fi
	for f in $(DATA_FILES); do \
		install -D -m 644 "$$f" "$(DESTDIR)$(DATADIR)/$${f#datasets/}" || exit 1; done
	install -m 644 README.md LICENSE docs/*.md $(DESTDIR)$(DOCDIR)/
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	$(SUBST) dist/bash-completion/kasane >$(DESTDIR)$(COMPDIR)/kasane
	chmod 644 $(DESTDIR)$(COMPDIR)/kasane
	ln -sf kasane $(DESTDIR)$(COMPDIR)/kasane-collect
	for u in $(UNITS); do $(SUBST) "$$u" >"$(DESTDIR)$(UNITDIR)/$${u##*/}" && \
		chmod 644 "$(DESTDIR)$(UNITDIR)/$${u##*/}" || exit 1; done
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/

# Removes exactly what install put there (the shared bin/, man/ ... folders stay).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kasane $(DESTDIR)$(BINDIR)/kasane-collect \
		$(DESTDIR)$(COMPDIR)/kasane $(DESTDIR)$(COMPDIR)/kasane-collect \
		$(MAN_PAGES:$(BUILD)/man/%=$(DESTDIR)$(MANDIR)/man1/%) \
		$(UNITS:dist/systemd/%=$(DESTDIR)$(UNITDIR)/%)
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

# Debian packages kasane and kasane-collect (debian/), written to DEBDIR (default the
# parent directory, as dpkg-buildpackage does). Needs the build tier (debhelper).
DEBDIR ?= ..
deb:
	@scripts/deps.sh runtime build
	dpkg-buildpackage -b -us -uc -j$(or $(JOBS),2)
	@if [ "$(DEBDIR)" != ".." ]; then mv ../kasane_$(VERSION)-*_*.deb \
		../kasane-collect_$(VERSION)-*_*.deb "$(DEBDIR)/"; fi

format:
	clang-format -i $(wildcard */*.c */*.h tests/*/*.c tests/*/*.h)

clean:
	rm -rf build build-san build-bench build-fuzz kasane kasane-collect

-include $(ALL_OBJ:.o=.d) $(TEST_SRC:tests/unit/%.c=$(BUILD)/obj/tests/unit/%.d)
