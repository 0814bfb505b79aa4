#!/bin/sh
# make fuzz: build every tests/fuzz/fuzz_*.c harness with clang's libFuzzer + ASan/UBSan
# against all library sources, then run each for FUZZ_SECONDS, seeded from
# tests/fuzz/corpus/<harness>/ (and tests/fixtures). New crashes are left in
# build-fuzz/crash-<harness>-*; copy them into tests/fuzz/regress/<harness>/ once fixed.
set -eu
cd "$(dirname "$0")/.."
: "${FUZZ_SECONDS:=60}"
B=build-fuzz
mkdir -p "$B/obj"
CFL="-std=c11 -g -O1 -I. -D_GNU_SOURCE -DKASANE_VERSION=\"fuzz\" -fsanitize=fuzzer-no-link,address,undefined $(pkg-config --cflags libpcap papi ncursesw inih gsl libvirt)"
LIBS="$(pkg-config --libs libpcap papi ncursesw inih gsl libvirt) -lcsv -lglpk -lm -lpthread"
objs=""
for src in core/*.c collect/*.c model/*.c simulate/*.c report/*.c; do
    [ -f "$src" ] || continue
    o="$B/obj/$(echo "$src" | tr / _).o"
    [ "$o" -nt "$src" ] || clang $CFL -c "$src" -o "$o"
    objs="$objs $o"
done
total=0
for h in tests/fuzz/fuzz_*.c; do
    name=$(basename "$h" .c)
    clang $CFL -fsanitize=fuzzer "$h" $objs $LIBS -o "$B/$name"
    corpus="$B/corpus-$name"
    mkdir -p "$corpus"
    for seed in tests/fuzz/corpus/"$name"/* tests/fuzz/regress/"$name"/*; do
        [ -f "$seed" ] && cp "$seed" "$corpus/"
    done
    echo "== $name: ${FUZZ_SECONDS}s"
    "$B/$name" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -rss_limit_mb=6144 \
        -artifact_prefix="$B/crash-$name-" "$corpus" 2>"$B/$name.log" || {
        echo "CRASH in $name: see $B/$name.log"; tail -30 "$B/$name.log"; exit 1; }
    grep -E '^Done [0-9]+ runs' "$B/$name.log" | tail -1
    total=$((total + 1))
done
echo "fuzz: $total harnesses ran ${FUZZ_SECONDS}s each without a crash"
