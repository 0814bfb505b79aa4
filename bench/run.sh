#!/bin/sh
# make bench: every benchmark, one table on stdout and in bench/results.csv.
# Each figure: kasane's value, the baseline measured in the same run, their ratio, how
# many runs the value is the median of and their spread. Benchmarks whose feature is
# not built yet are listed as missing; a script that fails or prints a malformed line
# is listed as FAILED (never dropped). bench/machine.txt names the machine and its
# load; bench/timings.csv says how long each script took (the whole must stay under
# 15 minutes on the 2-core machine of shared/reference.md).
#   BENCH_ONLY=NAME      run only bench/bench_NAME.sh (the missing list still prints)
#   BENCH_TIMEOUT=S      stop a script after S seconds (default 480) and mark it FAILED
#   VBP_STRIDE=N         bench_plan_vbp packs every N-th Panigrahy instance (default 10;
#                        1 = all 1,200, about 40 minutes here)
set -u
: "${BUILD:=build-bench}" "${KASANE:=$BUILD/kasane}" "${BENCH_ONLY:=}" "${BENCH_TIMEOUT:=480}"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RES="$ROOT/bench/results.csv"
TIM="$ROOT/bench/timings.csv"
: "${VBP_STRIDE:=10}"
export KASANE BUILD ROOT VBP_STRIDE
HDR="figure,value,unit,baseline,baseline_value,ratio,runs,spread,note"
echo "$HDR" > "$RES"
echo "script,seconds,status" > "$TIM"
{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "kernel: $(uname -sr); date: $(date -u +%Y-%m-%dT%H:%M:%SZ); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$ROOT/bench/machine.txt"
t_all=$(date +%s)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for b in "$ROOT"/bench/bench_*.sh; do
    [ -f "$b" ] || continue
    name=$(basename "$b" .sh)
    [ -z "$BENCH_ONLY" ] || [ "bench_$BENCH_ONLY" = "$name" ] || continue
    echo "== $name" >&2
    t0=$(date +%s)
    timeout "$BENCH_TIMEOUT" sh "$b" > "$out"
    rc=$?
    dt=$(($(date +%s) - t0))
    # Keep well-formed lines (9 fields, a figure name); anything else is a failure.
    bad=$(awk -F, 'NF != 9 || $1 !~ /^[a-z][a-z0-9_]*$/' "$out" | wc -l)
    awk -F, 'NF == 9 && $1 ~ /^[a-z][a-z0-9_]*$/' "$out" >> "$RES"
    if [ "$rc" -ne 0 ] || [ "$bad" -ne 0 ] || [ ! -s "$out" ]; then
        echo "$name,,,,,,,,FAILED: exit $rc after ${dt}s; $bad malformed lines" >> "$RES"
        echo "$name,$dt,failed (exit $rc)" >> "$TIM"
    else
        echo "$name,$dt,ok" >> "$TIM"
    fi
    echo "   ${dt}s" >&2
done
# Figures the issues name whose benchmark does not exist (yet).
for f in dataset_read collector_cpu_vs_sadc collector_rss collect_bin_cpu_vs_sadc collect_bin_rss \
         collect_bin_size collect_bin_libs_at_start collect_bin_startup pcap_max_pps_no_drop planner_10k_vms \
         vbp_quality sim_events_vs_heap report_render tui_cpu_vs_top import_planetlab plan_risk_sweep; do
    grep -q "^$f," "$RES" || echo "$f,,,,,,,,missing: not built yet (or its script FAILED above)" >> "$RES"
done
echo "total,$(($(date +%s) - t_all)),all scripts" >> "$TIM"
# One aligned table (column(1) would merge the empty fields).
awk -F, 'NR > 1 {
    val = $2 == "" ? "-" : $2 " " $3
    base = $4 == "" ? "-" : $4 ($5 == "" ? "" : " = " $5)
    printf "%-30s %-22s %-34s %-8s %-4s %-12s %s\n", $1, val, base, ($6 == "" ? "-" : $6),
        ($7 == "" ? "-" : $7), ($8 == "" ? "-" : $8), $9
}' "$RES" | sed '1i figure                         value                  baseline                           ratio    runs spread       note'
echo "$(awk -F, '$1 == "total" {print $2}' "$TIM") s in all; results in bench/results.csv, times in bench/timings.csv"
