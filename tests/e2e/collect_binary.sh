# kasane-collect: the collector alone (cli/kasane_collect.c). It needs nothing beyond
# libc and libm (readelf -d), writes the same dataset as `kasane collect` from the same
# sources (byte for byte on the fixture trees, whose clocks are fixed), runs from a copy
# in another directory with an empty environment, and keeps the optional libraries out
# of its memory. Also here: cores.csv by run length, --textfile, --listen's default port.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/poll.inc"
KC=${KASANE_COLLECT:-$(dirname "$KASANE")/kasane-collect}
P="$FIX/proc"

# NEEDED entries: libc and libm only (libm: floor, pow and the like of the rates, on
# glibc; libpthread and libdl are in libc since 2.34).
# A sanitizer build (make check SAN=1) links the ASan and UBSan runtimes as well: they
# are left out of the comparison and noted.
needed_all=$(LC_ALL=C readelf -d "$KC" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
needed=$(echo "$needed_all" | tr ' ' '\n' | grep -vE '^lib(asan|ubsan)\.so' | tr '\n' ' ')
san=$(echo "$needed_all" | grep -qE 'lib(asan|ubsan)\.so' && echo 1 || echo 0)
check "kasane-collect NEEDS only libc and libm (got: $needed_all)" \
    sh -c "[ -n '$needed' ] && ! echo '$needed' | tr ' ' '\n' | grep -v '^$' | grep -qvE '^lib[cm]\.so\.6$'"
check "kasane NEEDS more (libcsv: the comparison above means something)" \
    sh -c "readelf -d '$KASANE' | grep -q 'libcsv'"

# The same dataset from the same sources: every fixture scenario through both binaries.
seq_of() { ls -d "$P/$1"/[0-9]* | sort | paste -sd, -; }
for s in steal-rising two-socket-host counter-wrap disk-rereg cpu-offlined; do
    n=$(( $(ls -d "$P/$s"/[0-9]* | wc -l) - 1 ))
    "$KASANE" collect --root-seq "$(seq_of "$s")" -i 0.01 -n "$n" --entity e1 -o "$T/a-$s" 2>/dev/null
    "$KC" --root-seq "$(seq_of "$s")" -i 0.01 -n "$n" --entity e1 -o "$T/b-$s" 2>/dev/null
    for f in samples.csv cores.csv inventory.csv; do
        check "$s: $f identical from kasane collect and kasane-collect ($(wc -l <"$T/a-$s/$f") lines)" \
            cmp -s "$T/a-$s/$f" "$T/b-$s/$f"
    done
done
check "headers and row counts match on the real /proc too" sh -c "
    '$KASANE' collect -i 0.05 -n 3 --no-papi -o '$T/real-a' 2>/dev/null &&
    '$KC' collect -i 0.05 -n 3 --no-papi -o '$T/real-b' 2>/dev/null &&
    [ \"\$(head -1 '$T/real-a/samples.csv')\" = \"\$(head -1 '$T/real-b/samples.csv')\" ] &&
    [ \$(wc -l <'$T/real-a/samples.csv') -eq \$(wc -l <'$T/real-b/samples.csv') ] &&
    [ \$(wc -l <'$T/real-a/cores.csv') -eq \$(wc -l <'$T/real-b/cores.csv') ]"

# Copied elsewhere and run with an empty environment (no PATH, no LD_LIBRARY_PATH).
mkdir "$T/copy" && cp "$KC" "$T/copy/kc"
check "a copy runs with env -i: 2 rows to stdout" \
    sh -c "[ \$(env -i '$T/copy/kc' -i 0.05 -n 2 --no-papi 2>/dev/null | wc -l) -eq 3 ]"
check "--version" sh -c "'$KC' --version | grep -q '^kasane-collect [0-9]'"
check "--help is collect's" sh -c "'$KC' --help | grep -q -- '--per-core'"

# Running, it maps no library it does not need (libcsv is loaded only to read an
# existing manifest.csv; PAPI not at all in this guest without hardware events).
"$KC" -i 0.2 -n 10 -o "$T/maps" 2>/dev/null &
pid=$!
poll 30 sh -c "[ -s '$T/maps/samples.csv' ] && [ \$(wc -l <'$T/maps/samples.csv') -ge 2 ]"
libs=$(grep -o '/[^ ]*\.so[.0-9]*$' "/proc/$pid/maps" 2>/dev/null | sort -u | xargs -n1 basename | tr '\n' ' ')
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
if [ "$san" = 1 ]; then
    skip "libraries mapped while running: a sanitizer build maps its runtimes (got: $libs)"
else
check "running: only libc, libm and the loader mapped (got: $libs)" \
    sh -c "[ -n '$libs' ] && ! echo '$libs' | tr ' ' '\n' | grep -v '^$' | grep -qvE '^(libc|libm|ld-linux-x86-64|ld-linux-aarch64|ld-linux)[-.]so[.0-9]*$|^ld-linux.*\.so\.[0-9]$'"
fi

# An existing dataset written whole (manifest.csv) is refused as by kasane, through
# libcsv loaded on use; without libcsv the refusal names the library and its package.
"$KASANE" gen --servers 1 --days 1 --step 3600 --seed 1 -o "$T/gen" >/dev/null 2>&1
expect_exit "a dataset kasane wrote whole is refused (manifest read via libcsv loaded on use)" 1 \
    "holds a dataset that kasane wrote whole" "$KC" -n 1 -o "$T/gen"
expect_exit "libcsv missing: the refusal names the soname tried and the package" 1 \
    "manifest.csv: cannot read it: cannot load $T/no/libcsv.so.3 \(Debian package libcsv" \
    env KASANE_CSV_SO="$T/no/libcsv.so.3" "$KC" -n 1 -o "$T/gen"

# cores.csv (a row per CPU per interval: ~23 MB a day at 64 threads, 10 s) is written
# for runs bounded under a day, not for longer or open-ended ones unless --per-core.
"$KC" -i 0.05 -n 2 --no-papi -o "$T/short" 2>/dev/null
check "cores.csv: written for a short bounded run" test -s "$T/short/cores.csv"
"$KC" -i 0.05 -n 2 --no-papi --no-cores -o "$T/nocores" 2>/dev/null
check "cores.csv: not with --no-cores" test ! -e "$T/nocores/cores.csv"
# -n 2000000 at 0.05 s is 27.8 h planned: stopped after two rows, no cores.csv
"$KC" -i 0.05 -n 2000000 --no-papi -o "$T/long" 2>/dev/null &
pid=$!
poll 30 sh -c "[ \$(wc -l <'$T/long/samples.csv' 2>/dev/null || echo 0) -ge 3 ]"
kill -TERM "$pid"; wait "$pid"
check "cores.csv: not for a run planned over a day (-n x -i >= 24 h)" test ! -e "$T/long/cores.csv"
"$KC" -i 0.05 --no-papi -o "$T/open" 2>/dev/null &
pid=$!
poll 30 sh -c "[ \$(wc -l <'$T/open/samples.csv' 2>/dev/null || echo 0) -ge 3 ]"
kill -TERM "$pid"; wait "$pid"
check "cores.csv: not for an open-ended run (a service)" test ! -e "$T/open/cores.csv"
"$KC" -i 0.05 -d 2d --per-core --no-papi -o "$T/perc" 2>/dev/null &
pid=$!
poll 30 sh -c "[ \$(wc -l <'$T/perc/cores.csv' 2>/dev/null || echo 0) -ge 2 ]"
kill -TERM "$pid"; wait "$pid"
check "cores.csv: --per-core turns it on for a 2-day run" test -s "$T/perc/cores.csv"

# --textfile DIR: DIR/kasane.prom for node_exporter, rewritten whole every interval.
mkdir "$T/tf"
# A busy loop on one core while it samples: on an idle machine three 0.05 s intervals of
# /proc/stat (100 ticks a second) can hold no busy tick at all, and the counter check
# below would fail for want of load, not for a wrong counter.
sh -c 'while :; do :; done' & busy=$!
"$KC" -i 0.05 -n 4 --no-papi --textfile "$T/tf" -o "$T/tfds" 2>"$T/tf.err"
kill "$busy"; wait "$busy" 2>/dev/null
check "--textfile: kasane.prom written, nothing else left in the directory" \
    sh -c "[ \"\$(ls -A '$T/tf')\" = kasane.prom ]"
check "--textfile: build_info, gauges and counters" sh -c "
    grep -q '^kasane_build_info{version=\"[0-9.]*\"} 1$' '$T/tf/kasane.prom' &&
    grep -q '^# TYPE kasane_cpu_busy_seconds_total counter$' '$T/tf/kasane.prom' &&
    grep -q '^kasane_cpu_busy_ratio{' '$T/tf/kasane.prom'"
check "--textfile: the counter is the gauges times the intervals (cpu busy seconds > 0)" \
    awk '/^kasane_cpu_busy_seconds_total\{/ {v = $2} END {exit !(v > 0)}' "$T/tf/kasane.prom"
expect_exit "--textfile: a directory that is not there is refused" 1 \
    "--textfile $T/none: not a directory" "$KC" -n 1 --textfile "$T/none"

# --listen with an address alone takes the default port 10187 (docs/collect.md).
"$KC" -i 0.05 -n 1 --no-papi --listen 127.0.0.1 >/dev/null 2>"$T/listen.err"
check "--listen 127.0.0.1: port 10187 (said on stderr, or the bind error names it)" \
    grep -q "127.0.0.1:10187" "$T/listen.err"
