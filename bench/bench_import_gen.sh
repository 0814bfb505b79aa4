#!/bin/sh
# gen_1000x14d: kasane gen --servers 1000 --days 14 --step 300 (4,032,000 rows, about
# 360 MB of samples.csv), median of 3 runs. Baseline: the issue's bar, "a few seconds",
# taken as 5 s. gen_1000x14d_flows: the same with --flows (hourly flows.csv, about
# 50 MB more), against the run without it in this script. Prints CSV lines in
# bench/run.sh's format.
set -u
: "${KASANE:=build-bench/kasane}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# median_of_3 [GEN OPTIONS]: prints "median spread bytes"
median_of_3() {
    times=""
    for run in 1 2 3; do
        t0=$(date +%s.%N)
        "$KASANE" gen --servers 1000 --days 14 --step 300 --seed 1 "$@" -o "$tmp/out" -q || exit 1
        t1=$(date +%s.%N)
        times="$times $(echo "$t1 - $t0" | bc -l)"
        bytes=$(cat "$tmp/out"/*.csv | wc -c)
        rm -rf "$tmp/out"
    done
    echo "$times" | tr ' ' '\n' | grep . | sort -n |
        awk -v b="$bytes" '{ t[NR] = $1 } END { printf "%.3f %.3f %s\n", t[2], t[3] - t[1], b }'
}
set -- $(median_of_3)
plain=$1 plain_spread=$2 plain_bytes=$3
set -- $(median_of_3 --flows)
flows=$1 flows_spread=$2 flows_bytes=$3
awk -v med="$plain" -v sp="$plain_spread" -v b="$plain_bytes" 'BEGIN {
    printf "gen_1000x14d,%.3f,s,issue bar,5,%.3f,3,%.3f,4032000 rows %.0f MB (%.0f rows/s)\n",
        med, med / 5, sp, b / 1e6, 4032000 / med }'
awk -v med="$flows" -v sp="$flows_spread" -v b="$flows_bytes" -v base="$plain" -v bb="$plain_bytes" 'BEGIN {
    printf "gen_1000x14d_flows,%.3f,s,gen without --flows,%.3f,%.3f,3,%.3f,%.0f MB in all (%.0f MB of flows.csv)\n",
        med, base, med / base, sp, b / 1e6, (b - bb) / 1e6 }'
