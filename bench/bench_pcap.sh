#!/bin/sh
# Capture throughput (issue 9): kasane collect --pcap against `tcpdump -w /dev/null`
# on the same traffic in the same run. Small UDP datagrams (iperf3 -u -l 64) over a
# veth pair into a test network namespace, at rising offered rates; both capture the
# host end at once. Figures: the highest packet rate each handled without a kernel
# drop (ratio, target >= 1.0), and CPU seconds per million packets of each.
# Needs root; everything started is stopped by PID and the namespace deleted.
# Prints CSV: figure,value,unit,baseline,baseline_value,ratio,runs,spread,note
set -u
: "${KASANE:=build-bench/kasane}"
RATES=${BENCH_PCAP_RATES:-"50000 100000 200000 400000"}
SECS=${BENCH_PCAP_SECONDS:-5}
T=$(mktemp -d)
NS="kasane-bp-$$"
VH="kb$$h"
VN="kb$$n"
NET="10.215.$(($$ % 200 + 20))"
. "$(dirname "$0")/../tests/e2e/pcap_netns.inc"
trap netns_down EXIT
if [ "$(id -u)" -ne 0 ]; then
    echo "pcap_max_pps_no_drop,,pps,tcpdump -w /dev/null,,,0,,skipped: needs root for a network namespace"
    exit 0
fi
netns_up || exit 1
netns_iperf_server

# CPU seconds (user + system) of each capture: GNU time's -f "%U %S".
best_k=0 best_t=0 k_cpu=0 t_cpu=0 k_pk=0 t_pk=0 any_drop=0
for r in $RATES; do
    /usr/bin/time -f "%U %S" -o "$T/k.time" "$KASANE" collect --pcap "$VH" -i 1 -d $((SECS + 2)) \
        --no-papi --sources pcap -o "$T/ds$r" 2>/dev/null &
    kp=$!
    /usr/bin/time -f "%U %S" -o "$T/t.time" tcpdump -i "$VH" -w /dev/null -n 2>"$T/td$r" &
    tp=$!
    sleep 1
    iperf3 -c "$NET.2" -p 5201 -B "$NET.1" -u -l 64 -b $((r * 64 * 8)) -t "$SECS" >/dev/null 2>&1
    sleep 0.5
    kill -INT "$(pgrep -P "$tp" tcpdump || echo "$tp")" 2>/dev/null
    wait "$tp" 2>/dev/null
    wait "$kp" 2>/dev/null
    k_drop=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "pcap_drops") k = i; next} {s += $k} END {print s + 0}' "$T/ds$r/samples.csv")
    k_pkts=$(awk -F, 'NR > 1 {s += $8} END {print s + 0}' "$T/ds$r/flows.csv")
    t_drop=$(awk '/dropped by kernel/ {print $1}' "$T/td$r")
    t_pkts=$(awk '/received by filter/ {print $1}' "$T/td$r")
    k_pps=$((k_pkts / SECS)) t_pps=$((t_pkts / SECS))
    echo "# offered $r pps: kasane $k_pps pps seen, $k_drop dropped; tcpdump $t_pps pps, ${t_drop:-?} dropped" >&2
    [ "$k_drop" = 0 ] && [ "${t_drop:-1}" = 0 ] || any_drop=1
    [ "$k_drop" = 0 ] && [ "$k_pps" -gt "$best_k" ] && best_k=$k_pps
    [ "${t_drop:-1}" = 0 ] && [ "$t_pps" -gt "$best_t" ] && best_t=$t_pps
    # The times are time(1)'s last line: a process ended by a signal gets a line
    # "Command terminated by signal N" before it (that broke the CSV line once).
    k_cpu=$(tail -n 1 "$T/k.time" | awk -v a="$k_cpu" '{print a + $1 + $2}')
    t_cpu=$(tail -n 1 "$T/t.time" | awk -v a="$t_cpu" '{print a + $1 + $2}')
    k_pk=$((k_pk + k_pkts)) t_pk=$((t_pk + t_pkts))
done
awk -v k="$best_k" -v t="$best_t" -v rates="$RATES" -v d="$any_drop" 'BEGIN {
    why = d ? "" : " (neither dropped at any rate: the figure is the traffic generator'"'"'s limit)"
    printf "pcap_max_pps_no_drop,%d,pps,tcpdump -w /dev/null,%d,%.3f,1,,highest rate seen without a kernel drop; offered %s pps of 64-byte UDP over a veth%s; target ratio >= 1.0\n",
        k, t, (t > 0 ? k / t : 0), rates, why }'
awk -v kc="$k_cpu" -v tc="$t_cpu" -v kp="$k_pk" -v tp="$t_pk" 'BEGIN {
    a = kp > 0 ? kc / kp * 1e6 : 0; b = tp > 0 ? tc / tp * 1e6 : 0
    printf "pcap_cpu_per_mpkt,%.3f,s,tcpdump -w /dev/null,%.3f,%.3f,1,,CPU seconds per million packets captured (kasane: whole collector incl. start-up); lower is better\n",
        a, b, (b > 0 ? a / b : 0) }'
