#!/bin/sh
# make bench: every benchmark, one table on stdout and in bench/results.csv.
# Each figure: kasane's value, the baseline measured in the same run, their ratio.
# Benchmarks whose feature is not built yet are listed as missing.
set -u
: "${BUILD:=build-bench}" "${KASANE:=$BUILD/kasane}"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RES="$ROOT/bench/results.csv"
export KASANE BUILD ROOT
echo "figure,value,unit,baseline,baseline_value,ratio,runs,spread,note" > "$RES"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" | tee "$ROOT/bench/machine.txt"
for b in "$ROOT"/bench/bench_*.sh; do
    [ -f "$b" ] || continue
    echo "== $(basename "$b")" >&2
    sh "$b" >> "$RES" || echo "$(basename "$b" .sh),,,,,,,,FAILED" >> "$RES"
done
# Figures the issues name whose benchmark does not exist yet.
for f in dataset_read collector_cpu_vs_sadc collector_rss pcap_pps_vs_tcpdump planner_10k_vms \
         vbp_quality sim_events_vs_heap report_render tui_cpu_vs_top import_planetlab plan_risk_sweep; do
    grep -q "^$f" "$RES" || echo "$f,,,,,,,,missing: not built yet" >> "$RES"
done
column -s, -t < "$RES"
