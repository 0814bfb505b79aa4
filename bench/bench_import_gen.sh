#!/bin/sh
# gen_1000x14d: kasane gen --servers 1000 --days 14 --step 300 (4,032,000 rows, about
# 360 MB of samples.csv), median of 3 runs. Baseline: the issue's bar, "a few seconds",
# taken as 5 s. Prints one CSV line in bench/run.sh's format.
set -u
: "${KASANE:=build-bench/kasane}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
times=""
for run in 1 2 3; do
    t0=$(date +%s.%N)
    "$KASANE" gen --servers 1000 --days 14 --step 300 --seed 1 -o "$tmp/out" -q || exit 1
    t1=$(date +%s.%N)
    times="$times $(echo "$t1 - $t0" | bc -l)"
    bytes=$(stat -c %s "$tmp/out/samples.csv")
    rm -rf "$tmp/out"
done
echo "$times" | tr ' ' '\n' | grep . | sort -n | awk -v bytes="$bytes" '
    { t[NR] = $1 }
    END { med = t[2]; printf "gen_1000x14d,%.3f,s,issue bar,5,%.3f,3,%.3f,4032000 rows %.0f MB (%.0f rows/s)\n",
          med, med / 5, t[3] - t[1], bytes / 1e6, 4032000 / med }'
