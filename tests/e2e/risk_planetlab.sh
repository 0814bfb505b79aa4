#!/bin/sh
# Issue 12 acceptance on real data: PlanetLab VMs present on both 2011-03-03 and
# 2011-03-06, planned on the first day, replayed on the second. Every overload share
# the planner reports is recomputed here with awk from placement.csv, hosts.csv,
# inventory.csv and samples.csv, not taken from the planner.
. "$(dirname "$0")/lib.sh"
planetlab_both_days || exit 0
check "558 VMs on both days" [ "$(wc -l <"$T/common")" -eq 558 ]
check "some names have spaces" grep -q ' ' "$T/common"
printf 'model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core\npl4,1,4,1,2600,64,8,10,1,5000,100,250,1\n' >"$T/cat.csv"

# The host model carries its whole capacity (no hypervisor overhead, no spare), so the
# only margin is the headroom being swept. --effort keeps the eight plans short.
P="--catalog $T/cat.csv --ha 0 --hv-cpu-pct 0 --hv-mem-MiB 0 --seed 7 --effort 0.1"
W="--train 2011-03-03..2011-03-03 --test 2011-03-06..2011-03-06"
"$KASANE" plan "$T/ds" $P $W --headroom 0 --sweep headroom=0:35:5 --risk-target 0 \
    -o "$T/p0" >"$T/out0"
check "plan + sweep runs" [ $? -eq 0 ]
for f in risk.csv risk_hosts.csv risk_sweep.csv risk_missing.csv; do
    check "$f written" [ -s "$T/p0/$f" ]
done
kv() { awk -F, -v k="$2" '$1 == k { print $2 }' "$1"; }

# Independent replay: per host and step, sum cpu_MHz of its VMs over 03-06 (UTC), and
# memory from the inventory's allocation (PlanetLab has no memory samples); count
# host-steps over the hosts.csv capacity.
replay() { # PLAN_DIR -> "cpu_share mem_share worst_pct"
    awk -F, -v from=1299369600 -v to=1299456000 -f "$FIX/risk/replay.awk" \
        -v ratings="$1/cpu_ratings.csv" -v smt="$(awk -F, '$1 == "smt-yield" { print $2 }' "$1/policy.csv")" \
        "$1/placement.csv" "$1/hosts.csv" "$T/ds/inventory.csv" "$T/ds/samples.csv"
}
set -- $(replay "$T/p0")
cpu=$(kv "$T/p0/risk.csv" overload_cpu_pct) mem=$(kv "$T/p0/risk.csv" overload_mem_pct)
worst=$(kv "$T/p0/risk.csv" worst_pct)
check "headroom 0 overloads some host-steps on 03-06 (recomputed: $1%)" awk "BEGIN { exit !($1 > 0) }"
check "cpu share matches the recomputation ($cpu vs $1)" awk "BEGIN { d = $cpu - $1; exit !(d < 1e-3 && d > -1e-3) }"
check "mem share matches the recomputation ($mem vs $2)" awk "BEGIN { d = $mem - $2; exit !(d < 1e-3 && d > -1e-3) }"
check "worst load matches the recomputation ($worst vs $3)" awk "BEGIN { d = $worst - $3; exit !(d < 1e-2 && d > -1e-2) }"
check "no entity missing from either day" [ "$(kv "$T/p0/risk.csv" missing_from_test)" = 0 ]

# The advice: the smallest host count whose share is 0 (target 0); replanned at that
# headroom alone, the recomputed share on 03-06 is 0 as well.
adv=$(kv "$T/p0/summary.csv" risk_advice_setting)
hosts=$(kv "$T/p0/summary.csv" risk_advice_hosts)
check "advice found ($adv, $hosts hosts)" [ -n "$adv" ]
check "advice is the fewest hosts within target in risk_sweep.csv" awk -F, -v h="$hosts" '
    NR > 1 && $8 == 1 && $2 < h { bad = 1 } END { exit bad }' "$T/p0/risk_sweep.csv"
hr=${adv#headroom=}
check "replan at $adv" "$KASANE" plan "$T/ds" $P $W --headroom "$hr" -o "$T/p1" >/dev/null
set -- $(replay "$T/p1")
check "at $adv the recomputed test-window overload is 0 ($1% cpu, $2% mem)" awk "BEGIN { exit !($1 == 0 && $2 == 0) }"
check "its host count is the advised one" [ "$(kv "$T/p1/summary.csv" hosts)" = "$hosts" ]
check "stdout names the advice" grep -q "advice: $hosts hosts" "$T/out0"
