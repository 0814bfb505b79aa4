#!/bin/sh
# make fuzz: build every tests/fuzz/fuzz_*.c harness with clang's libFuzzer + ASan/UBSan
# against all library sources, then run each for FUZZ_SECONDS, seeded from
# tests/fuzz/corpus/<harness>/ and tests/fuzz/regress/<harness>/. New crashes are left
# in build-fuzz/crash-<harness>-*; copy them into tests/fuzz/regress/<harness>/ once
# fixed (make check then runs them through tests/unit/test_fuzz_regress.c).
#   FUZZ_SECONDS=N   seconds per harness (default 60)
#   FUZZ_ONLY=NAME   run one harness (e.g. fuzz_proc)
# build-fuzz/summary.csv gets harness,seconds,runs,execs_per_s,corpus,crashes per run.
set -eu
cd "$(dirname "$0")/.."
: "${FUZZ_SECONDS:=60}" "${FUZZ_ONLY:=}"
B=build-fuzz
mkdir -p "$B/obj"
# The Makefile's libraries (PKGS and PKGS_DLOPEN), linked directly: a harness may reach
# any of them. Kept in step with the Makefile by reading its lists.
pkgs=$(sed -n 's/^PKGS\(_DLOPEN\)\{0,1\} := //p' Makefile | tr '\n' ' ')
CFL="-std=c11 -g -O1 -I. -D_GNU_SOURCE -DKASANE_VERSION=\"fuzz\" -fsanitize=fuzzer-no-link,address,undefined $(pkg-config --cflags $pkgs)"
LIBS="$(pkg-config --libs $pkgs) -lcsv -lm -lpthread -ldl"
# Generated sources the Makefile builds (the CPU rating table as a C string; the sonames
# of the libraries loaded on use, core/ks_dl.h).
make --no-print-directory -s BUILD="$B" "$B/gen/cpu_ratings.inc" "$B/gen/ks_sonames.h"
CFL="$CFL -I$B/gen"
# An object is rebuilt when its source or any header is newer (headers are few).
newest_h=$(ls -t core/*.h collect/*.h model/*.h simulate/*.h report/*.h "$B/gen/ks_sonames.h" 2>/dev/null | head -1)
objs=""
for src in core/*.c collect/*.c model/*.c simulate/*.c report/*.c; do
    [ -f "$src" ] || continue
    o="$B/obj/$(echo "$src" | tr / _).o"
    if [ ! "$o" -nt "$src" ] || [ ! "$o" -nt "$newest_h" ]; then
        clang $CFL -c "$src" -o "$o"
    fi
    objs="$objs $o"
done
# One FUZZ_ONLY run adds its line to the last full run's summary.
[ -n "$FUZZ_ONLY" ] && [ -f "$B/summary.csv" ] ||
    echo "harness,seconds,runs,execs_per_s,corpus,crashes" > "$B/summary.csv"
total=0
for h in tests/fuzz/fuzz_*.c; do
    name=$(basename "$h" .c)
    [ -z "$FUZZ_ONLY" ] || [ "$FUZZ_ONLY" = "$name" ] || continue
    clang $CFL -fsanitize=fuzzer "$h" $objs $LIBS -o "$B/$name"
    corpus="$B/corpus-$name"
    mkdir -p "$corpus"
    for seed in tests/fuzz/corpus/"$name"/* tests/fuzz/regress/"$name"/*; do
        [ -f "$seed" ] && cp "$seed" "$corpus/"
    done
    echo "== $name: ${FUZZ_SECONDS}s"
    # -timeout: an input taking 10 s is a hang worth keeping as a crash.
    if ! "$B/$name" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -rss_limit_mb=2048 \
        -timeout=10 -print_final_stats=1 -artifact_prefix="$B/crash-$name-" "$corpus" \
        2>"$B/$name.log"; then
        echo "$name,$FUZZ_SECONDS,,,,1" >> "$B/summary.csv"
        echo "CRASH in $name: see $B/$name.log"; tail -30 "$B/$name.log"; exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/$name.log")
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$B/$name.log")
    echo "$name,$FUZZ_SECONDS,$runs,$eps,$(ls "$corpus" | wc -l),0" >> "$B/summary.csv"
    echo "$name: $runs runs, $eps/s, corpus $(ls "$corpus" | wc -l) inputs, no crash"
    total=$((total + 1))
done
echo "fuzz: $total harnesses ran ${FUZZ_SECONDS}s each without a crash"
