# libvirt, libcurl, PAPI, libpcap and GSL are loaded on first use (core/ks_dl.h),
# not linked: the binary does not list them, and a library that cannot be loaded
# degrades like a missing feature (a source unavailable; import prometheus and sim,
# which cannot work without theirs, exit 1). KASANE_LIBVIRT_SO, KASANE_LIBCURL_SO,
# KASANE_PAPI_SO, KASANE_PCAP_SO and KASANE_GSL_SO are the test hooks that replace the
# sonames (a missing file, a library without the symbols, the real library's path).
# So are xxHash, zstd, expat, minizip and jansson (KASANE_XXHASH_SO, ..._ZSTD_SO,
# ..._EXPAT_SO, ..._MINIZIP_SO, ..._JANSSON_SO): only the commands that need them load
# them, and `kasane collect` runs without any of them.
. "$(dirname "$0")/lib.sh"

ldd "$KASANE" > "$T/ldd"
check "ldd lists neither libvirt nor libcurl (nor what they pull: gnutls, xml2)" \
    sh -c "! grep -qE 'libvirt|libcurl|libgnutls|libxml2' '$T/ldd'"

# collect --libvirt with the library missing: host rows, a note, exit 0 (as for a URI
# that cannot connect).
KASANE_LIBVIRT_SO="$T/no/libvirt.so.0" "$KASANE" collect -i 0.2 -n 2 --no-papi \
    --sources cpu,libvirt --libvirt test:///default --entity hv1 -o "$T/nolib" 2>"$T/nolib.err"
check "libvirt missing: exit 0" [ $? -eq 0 ]
check "libvirt missing: stderr names the file, the package and dlerror's reason" \
    grep -q "libvirt: cannot load $T/no/libvirt.so.0 (Debian package libvirt0): .*cannot open shared object file" "$T/nolib.err"
check "libvirt missing: host rows only" \
    [ "$(cut -d, -f2 "$T/nolib/samples.csv" | sort -u | tr '\n' ' ')" = "entity hv1 " ]
check "libvirt missing: the inventory notes say why" \
    grep -q "source libvirt unavailable: libvirt: cannot load" "$T/nolib/inventory.csv"

# A library that loads but is not libvirt: the first missing symbol is named.
KASANE_LIBVIRT_SO=libm.so.6 "$KASANE" collect -i 0.2 -n 1 --no-papi --sources cpu,libvirt \
    --libvirt test:///default -o "$T/wrong" 2>"$T/wrong.err"
check "not libvirt: exit 0" [ $? -eq 0 ]
check "not libvirt: the missing symbol is named" \
    grep -q "libvirt: libm.so.6 lacks virSetErrorFunc" "$T/wrong.err"

# The hook given the real library's path: VM rows again (the hook itself works).
so=$(ldconfig -p | awk '$1 == "libvirt.so.0" {print $NF; exit}')
KASANE_LIBVIRT_SO="$so" "$KASANE" collect -i 0.2 -n 2 --no-papi --sources cpu,libvirt \
    --libvirt test:///default --entity hv1 -o "$T/path" 2>/dev/null
check "KASANE_LIBVIRT_SO=$so: domain test has rows" \
    grep -q "^[^,]*,test," "$T/path/samples.csv"

# import prometheus with libcurl missing: exit 1, a clear line, nothing written.
expect_exit "libcurl missing: import prometheus exits 1 naming the library" 1 \
    "cannot load $T/no/libcurl.so.4 \(Debian package libcurl4\): .*cannot open shared object file" \
    env KASANE_LIBCURL_SO="$T/no/libcurl.so.4" "$KASANE" import prometheus http://127.0.0.1:9 \
    --start now-1h --end now --step 60 -o "$T/prom"
check "libcurl missing: no output directory" test ! -e "$T/prom"

# PAPI (libpapi.so.7.0, which pulls libpfm4) is loaded by the papi source's open, not
# linked: a missing library makes the source unavailable, the run goes on, and software
# events still count through perf_event_open.
check "ldd lists neither libpapi nor libpfm" sh -c "! grep -qE 'libpapi|libpfm' '$T/ldd'"
KASANE_PAPI_SO="$T/no/libpapi.so.7.0" "$KASANE" collect -i 0.2 -n 2 --sources cpu,papi \
    -o "$T/nopapi" 2>"$T/nopapi.err"
check "libpapi missing: exit 0" [ $? -eq 0 ]
check "libpapi missing: stderr names the file, the package and dlerror's reason" \
    grep -q "source papi unavailable: papi: cannot load $T/no/libpapi.so.7.0 (Debian package libpapi7.0): .*cannot open shared object file" "$T/nopapi.err"
check "libpapi missing: cpu rows still written" \
    [ "$(tail -n +2 "$T/nopapi/samples.csv" | wc -l)" -eq 2 ]
# System-wide counting (every CPU, every process) needs root or CAP_PERFMON unless
# kernel.perf_event_paranoid <= 0 (Debian's default is 2 or 3).
if [ "$(id -u)" -ne 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 3)" -gt 0 ]; then
    skip "libpapi missing, software events: system-wide perf counting needs root (running as $(id -un), perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null))"
else
    KASANE_PAPI_SO="$T/no/libpapi.so.7.0" "$KASANE" collect -i 0.3 -n 2 --sources cpu,papi \
        --papi-events perf::TASK-CLOCK -o "$T/nopapi_sw" 2>/dev/null
    check "libpapi missing: software events still counted (papi_ev1_ps filled)" \
        awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
                 {if (!($c["papi_ev1_ps"] > 0)) bad = 1; rows++} END {exit bad || rows != 2}' \
        "$T/nopapi_sw/samples.csv"
fi
so=$(ldconfig -p | awk '$1 == "libpapi.so.7.0" {print $NF; exit}')
KASANE_PAPI_SO="$so" "$KASANE" collect -i 0.2 -n 2 --sources cpu,papi -o "$T/papi" \
    2>"$T/papi.err"
# loaded: PAPI itself decides (ipc filled with a PMU, its own reason without one)
papi_verdict() {
    ! grep -q "cannot load" "$T/papi.err" && { grep -q "papi: no PMU" "$T/papi.err" ||
        awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "ipc") c = i; next}
                 !c || $c == "" {bad = 1} END {exit bad}' "$T/papi/samples.csv"; }
}
check "KASANE_PAPI_SO=$so: PAPI's own verdict (ipc, or its no-PMU reason)" papi_verdict

# Without hardware events in the kernel (this KVM guest) PAPI could count nothing: it is
# not even loaded, so the collector stays small; with them it is loaded and mapped.
"$KASANE" collect -i 0.5 -n 3 --sources cpu,papi -o "$T/probe" 2>"$T/probe.err" &
pid=$!
sleep 0.7
grep -c 'libpapi\|libpfm' "/proc/$pid/maps" > "$T/probe.maps" 2>/dev/null
wait $pid
if grep -q "the kernel counts no hardware event" "$T/probe.err"; then
    check "no hardware events: PAPI not mapped into the collector" [ "$(cat "$T/probe.maps")" = 0 ]
    check "no hardware events: the note still says no PMU" \
        grep -q "source papi unavailable: papi: no PMU: .*PAPI not loaded" "$T/probe/inventory.csv"
else
    check "hardware events: PAPI loaded and mapped" [ "$(cat "$T/probe.maps")" -gt 0 ]
fi

# libpcap (and the D-Bus, systemd, gcrypt and compression libraries it links) is loaded
# by the pcap source's open: missing, the source is unavailable and the run goes on.
check "ldd lists neither libpcap nor its D-Bus/systemd/gcrypt chain" \
    sh -c "! grep -qE 'libpcap|libdbus|libsystemd|libgcrypt' '$T/ldd'"
PCAPF="$KASANE_ROOT/tests/fixtures/pcap/mixed.pcap"
KASANE_PCAP_SO="$T/no/libpcap.so.0.8" "$KASANE" collect -i 0.2 -n 2 --no-papi \
    --sources cpu,pcap --pcap-file "$PCAPF" -o "$T/nopcap" 2>"$T/nopcap.err"
check "libpcap missing: exit 0" [ $? -eq 0 ]
check "libpcap missing: stderr names the file, the package and dlerror's reason" \
    grep -q "source pcap unavailable: pcap: cannot load $T/no/libpcap.so.0.8 (Debian package libpcap0.8): .*cannot open shared object file" "$T/nopcap.err"
check "libpcap missing: cpu rows written, no flows" sh -c \
    "[ \$(tail -n +2 '$T/nopcap/samples.csv' | wc -l) -eq 2 ] && [ \$(tail -n +2 '$T/nopcap/flows.csv' | wc -l) -eq 0 ]"
so=$(ldconfig -p | awk '$1 == "libpcap.so.0.8" {print $NF; exit}')
KASANE_PCAP_SO="$so" "$KASANE" collect -i 0.2 -n 2 --no-papi --sources cpu,pcap \
    --pcap-file "$PCAPF" -o "$T/pcap" 2>/dev/null
check "KASANE_PCAP_SO=$so: the capture file's flows are read" \
    [ "$(tail -n +2 "$T/pcap/flows.csv" | wc -l)" -gt 0 ]

# GSL (libgsl.so.27 + libgslcblas.so.0) is loaded for sim's t quantile: missing, sim
# cannot give confidence intervals and exits 1 before simulating, naming the library.
check "ldd lists neither libgsl nor libgslcblas" sh -c "! grep -q 'libgsl' '$T/ldd'"
SIMF="$KASANE_ROOT/tests/fixtures/sim/mm1.ini"
expect_exit "libgsl missing: sim exits 1 naming the file, the package and dlerror's reason" 1 \
    "sim: confidence intervals need GSL: cannot load $T/no/libgsl.so.27 \(Debian package libgsl27\): .*cannot open shared object file" \
    env KASANE_GSL_SO="$T/no/libgsl.so.27" "$KASANE" sim "$SIMF" --replications 3 -o "$T/nogsl.csv"
check "libgsl missing: no result file" test ! -e "$T/nogsl.csv"
so=$(ldconfig -p | awk '$1 == "libgsl.so.27" {print $NF; exit}')
KASANE_GSL_SO="$so" "$KASANE" sim "$SIMF" --replications 3 -o "$T/gsl.csv" >/dev/null 2>&1
check "KASANE_GSL_SO=$so: the throughput interval is a positive number" \
    awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
             {if (!($c["throughput_ci95_per_s"] > 0)) bad = 1; rows++} END {exit bad || !rows}' \
    "$T/gsl.csv"

# The five small libraries only some commands need.
check "ldd lists none of xxhash, zstd, expat, minizip, jansson" \
    sh -c "! grep -qE 'libxxhash|libzstd|libexpat|libminizip|libjansson' '$T/ldd'"
NO="$T/no"
env KASANE_XXHASH_SO="$NO/x.so" KASANE_ZSTD_SO="$NO/z.so" KASANE_EXPAT_SO="$NO/e.so" \
    KASANE_MINIZIP_SO="$NO/m.so" KASANE_JANSSON_SO="$NO/j.so" \
    "$KASANE" collect -i 0.2 -n 2 --no-papi -o "$T/small" 2>/dev/null
check "collect needs none of the five: exit 0" [ $? -eq 0 ]
check "collect needs none of the five: samples written" [ "$(tail -n +2 "$T/small/samples.csv" | wc -l)" -gt 0 ]
expect_exit "libxxhash missing: gen exits 1 naming the package" 1 \
    "cannot load $NO/libxxhash.so.0 \\(Debian package libxxhash0\\)" \
    env KASANE_XXHASH_SO="$NO/libxxhash.so.0" "$KASANE" gen --servers 2 --days 1 -q -o "$T/gx"
check "libxxhash missing: no dataset left" test ! -e "$T/gx"
"$KASANE" gen --servers 2 --days 1 --compress -q -o "$T/gz"
check "gen --compress with libzstd found" test -f "$T/gz/samples.csv.zst"
expect_exit "libzstd missing: plan of a compressed dataset exits 1 naming file and package" 1 \
    "$T/gz/samples.csv.zst: cannot read or write zstd files: cannot load $NO/libzstd.so.1 \\(Debian package libzstd1\\)" \
    env KASANE_ZSTD_SO="$NO/libzstd.so.1" "$KASANE" plan "$T/gz" \
    --catalog "$KASANE_ROOT/datasets/catalog/2008.csv" -o "$T/pz"
check "libzstd missing: no plan left" test ! -e "$T/pz"
XLSX="$KASANE_ROOT/tests/fixtures/import/rvtools4_xlsx/RVTools_export_all.xlsx"
expect_exit "libexpat missing: xlsx import exits 1 naming workbook and package" 1 \
    "RVTools_export_all.xlsx: cannot read xlsx workbooks: cannot load $NO/libexpat.so.1 \\(Debian package libexpat1\\)" \
    env KASANE_EXPAT_SO="$NO/libexpat.so.1" "$KASANE" import rvtools "$XLSX" -o "$T/rx"
expect_exit "a minizip without its symbols: xlsx import exits 1 naming the symbol" 1 \
    "cannot read xlsx workbooks: libm.so.6 lacks unzClose" \
    env KASANE_MINIZIP_SO=libm.so.6 "$KASANE" import rvtools "$XLSX" -o "$T/rm"
"$KASANE" import rvtools "$XLSX" -o "$T/rok" 2>/dev/null
check "expat and minizip found: the workbook imports" [ "$(tail -n +2 "$T/rok/inventory.csv" | wc -l)" -gt 0 ]
expect_exit "libjansson missing: import prometheus exits 1 naming the package" 1 \
    "cannot load $NO/libjansson.so.4 \\(Debian package libjansson4\\)" \
    env KASANE_JANSSON_SO="$NO/libjansson.so.4" "$KASANE" import prometheus http://127.0.0.1:9 \
    --start now-1h --end now --step 60 -o "$T/pj"
