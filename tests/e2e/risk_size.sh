#!/bin/sh
# Issue 20 item 1 on real data: --size-for-risk on PlanetLab VMs present on both
# 2011-03-03 and 2011-03-06, sized on the first day, replayed on the second, beside the
# headroom sweep 0:40:5 (issue 20's acceptance). The overload shares are recounted with
# the independent awk replay, not taken from the planner; the margins are checked
# against each host's own numbers.
. "$(dirname "$0")/lib.sh"
planetlab_both_days || exit 0
printf 'model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core\npl4,1,4,1,2600,64,8,10,1,5000,100,250,1\n' >"$T/cat.csv"
P="--catalog $T/cat.csv --ha 0 --hv-cpu-pct 0 --hv-mem-MiB 0 --seed 7 --effort 0.1"
W="--train 2011-03-03..2011-03-03 --test 2011-03-06..2011-03-06"
kv() { awk -F, -v k="$2" '$1 == k { print $2 }' "$1"; }
replay() { # PLAN_DIR -> "cpu_share mem_share worst_pct"
    awk -F, -v from=1299369600 -v to=1299456000 -f "$FIX/risk/replay.awk" \
        -v ratings="$1/cpu_ratings.csv" -v smt="$(kv "$1/policy.csv" smt-yield)" \
        "$1/placement.csv" "$1/hosts.csv" "$T/ds/inventory.csv" "$T/ds/samples.csv"
}

expect_exit "--size-for-risk with --final-on-all is a usage error" 2 "final-on-all" \
    "$KASANE" plan "$T/ds" $P $W --size-for-risk --final-on-all -o "$T/bad"
"$KASANE" plan "$T/ds" $P $W --size-for-risk --sweep headroom=0:40:5 -o "$T/ps" >"$T/out"
check "size for risk runs" [ $? -eq 0 ]
R="$T/ps/risk.csv"
check "risk.csv says so" [ "$(kv "$R" size_for_risk)" = yes ]
check "the margins replace the headroom (policy.csv headroom 0)" [ "$(kv "$T/ps/policy.csv" headroom)" = 0 ]
check "held-back part is the last quarter of 03-03" \
    [ "$(kv "$R" holdout_window)" = "2011-03-03T18:00Z..2011-03-04T00:00Z" ]
check "the margins were validated on the held-back part" [ "$(kv "$R" holdout_meets_target)" = yes ]
check "memory (CloudSim allocation, constant) gets no margin" awk -F, \
    'NR > 1 && $7 != 0 { bad = 1 } END { exit bad }' "$T/ps/risk_margins.csv"
# The tail (the sum's percentile over shifted alignments, the measured one included) is
# never below the training peak (usable capacity 4 x 2,600 MHz), and spiky hosts keep a
# margin above it.
check "every host's cpu tail is at or above its training peak" awk -F, '
    NR > 1 && $10 + 0.01 < $4 / 100 * 10400 { bad = 1 } END { exit bad }' "$T/ps/risk_margins.csv"
check "some host keeps a cpu margin" awk -F, 'NR > 1 && $3 > 0 { n++ } END { exit !n }' \
    "$T/ps/risk_margins.csv"
hosts=$(kv "$T/ps/summary.csv" hosts)
check "one margin row per host ($hosts)" [ "$(($(wc -l <"$T/ps/risk_margins.csv") - 1))" -eq "$hosts" ]
# A host's peak plus its margin fits its capacity, except on the hosts risk.csv counts
# as short (the re-packing settles on shares of the previous hosts), which miss by a
# few points at most; the peak is the one hosts.csv reports from the training window.
short=$(awk -F, 'NR > 1 && $5 > 100.01 { n++ } END { print n + 0 }' "$T/ps/risk_margins.csv")
check "hosts over capacity with their margin: $short, as risk.csv counts" \
    [ "$short" = "$(kv "$R" hosts_margin_short)" ]
check "margins are >= 0 and short hosts miss by < 5 points" awk -F, \
    'NR > 1 && ($5 > 105 || $3 < 0) { bad = 1 } END { exit bad }' "$T/ps/risk_margins.csv"
check "margin peaks are hosts.csv's cpu peaks" awk -F, '
    FNR == 1 { f++; for (i = 1; i <= NF; i++) c[f, $i] = i; next }
    f == 1 { p[$(c[1, "host"])] = $(c[1, "cpu_peak_pct"]); next }
    { d = p[$1] - $(c[2, "cpu_peak_pct"]); if (d > 0.1 || d < -0.1) bad = 1 }
    END { exit bad }' "$T/ps/hosts.csv" "$T/ps/risk_margins.csv"

set -- $(replay "$T/ps")
cpu=$(kv "$R" overload_cpu_pct) mem=$(kv "$R" overload_mem_pct)
check "cpu share matches the recomputation ($cpu vs $1)" awk "BEGIN { d = $cpu - $1; exit !(d < 1e-3 && d > -1e-3) }"
check "mem share matches the recomputation ($mem vs $2)" awk "BEGIN { d = $mem - $2; exit !(d < 1e-3 && d > -1e-3) }"
sized=$1
t=$(kv "$R" target_pct)
check "sized for risk meets the $t% target on 03-06 (recounted: $sized%)" \
    awk "BEGIN { exit !($sized <= $t) }"
adv=$(kv "$R" advice_hosts)
check "with no more hosts than the sweep's advice ($hosts vs $adv, $(kv "$R" advice_setting))" \
    [ "$hosts" -le "$adv" ]
# The sweep's headroom 0 row (risk_planetlab.sh recounts that plan's share).
set -- $(awk -F, '$1 == "headroom=0" { print $2, $4 }' "$T/ps/risk_sweep.csv")
check "sized for risk overloads less than no headroom on 03-06 ($sized% vs $2%)" \
    awk "BEGIN { exit !($sized < $2 / 4) }"
check "and takes more hosts than it ($hosts vs $1)" [ "$hosts" -gt "$1" ]
check "stdout says how it was sized" grep -q "sized for risk: each host keeps" "$T/out"
# The report's Risk section sets the plan beside the advice and says how they compare.
"$KASANE" report "$T/ds" --plan "$T/ps" -o "$T/rep" >/dev/null 2>&1
check "report runs" [ -s "$T/rep/index.html" ]
if [ "$hosts" -lt "$adv" ]; then says="meets the target with $((adv - hosts)) fewer host"
else says="meets the target with as many hosts as the sweep"; fi
check "the report says how it compares with the advice: '$says'" grep -q "$says" \
    "$T/rep/index.html"
