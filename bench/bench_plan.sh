#!/bin/sh
# Planner speed (issue 3): 10,000 VMs x 2,016 steps (a week at 5 minutes) x 2 resources
# packed, N+1 checked by failing hosts and every host-step re-checked, in < 60 s on one
# core; then the scaling with VMs and with steps. Synthetic, seeded estate (bench/plan_scale.c).
# CSV lines: figure,value,unit,baseline,baseline_value,ratio,runs,spread,note
set -u
: "${BUILD:=build-bench}"
P="$BUILD/bench/plan_scale"
[ -x "$P" ] || { echo "planner_10k_vms,,,,,,,,missing: $P not built"; exit 0; }
one() { # vms steps -> "vms steps hosts lb ffd greedy ha_ok pack_s total_s"
    taskset -c 0 "$P" "$1" "$2" 2>/dev/null || "$P" "$1" "$2"
}
set -- $(one 10000 2016)
echo "planner_10k_vms,$9,s,bar,60,$(echo "$9" | awk '{printf "%.3f", $1/60}'),1,,hosts $3 lower bound $4 ffd $5 greedy $6 ha_ok $7; pack only $8 s"
echo "planner_10k_vms_hosts,$3,hosts,ffd,$5,$(echo "$3 $5" | awk '{printf "%.4f", $1/$2}'),1,,lower bound $4"
for v in 1000 2500 5000; do
    set -- $(one "$v" 2016)
    echo "planner_scale_vms_$v,$8,s,,,,1,,$1 VMs x $2 steps: hosts $3 lb $4 (pack time; total with generation $9 s)"
done
for t in 288 1008 4032; do
    set -- $(one 2500 "$t")
    echo "planner_scale_steps_$t,$8,s,,,,1,,$1 VMs x $2 steps: hosts $3 lb $4 (pack time; total with generation $9 s)"
done
