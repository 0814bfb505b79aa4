#!/bin/sh
# Plan risk (issue 12): a 9-point headroom sweep (0-40%, step 5) with a backtest at each
# setting, on 1,000 generated servers x 2 weeks at 5-minute steps (train on the first
# week, test on the second), in < 60 s. Ten plans in all (the base plan + 9 settings),
# each at --effort 0.03 of the search's automatic budget (the search dominates: ~60% of
# the CPU in perf; the per-plan sorts and grid builds most of the rest); the figure is
# the wall time of the whole `kasane plan` run, data reading included, one run (a run
# is 10 plans already); the CPU seconds go in the note, as wall time on a shared
# machine depends on its load.
# CSV lines: figure,value,unit,baseline,baseline_value,ratio,runs,spread,note
set -u
: "${KASANE:=build/kasane}" "${ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
[ -x "$KASANE" ] || { echo "plan_risk_sweep,,,,,,,,missing: $KASANE not built"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$KASANE" gen --servers 1000 --days 14 --step 300 --seed 12 --profile mix -q -o "$T/ds" || {
    echo "plan_risk_sweep,,,,,,,,FAILED: gen"; exit 0; }
CAT="$ROOT/datasets/catalog/2008.csv"
/usr/bin/time -f "%e %U %S" -o "$T/time" "$KASANE" plan "$T/ds" --catalog "$CAT" \
    --model "Dell PowerEdge R900" --effort 0.03 --sweep headroom=0:40:5 -o "$T/p" >"$T/out" 2>&1 || {
    echo "plan_risk_sweep,,,,,,,,FAILED: $(tail -1 "$T/out")"; exit 0; }
set -- $(tail -1 "$T/time")
med=$1 cpu=$(echo "$2 $3" | awk '{ printf "%.1f", $1 + $2 }') spread=
adv=$(awk -F, '$1 == "advice_setting" { s = $2 } $1 == "advice_hosts" { h = $2 } END { print h " hosts at " s }' "$T/p/risk.csv")
echo "plan_risk_sweep,$med,s,bar,60,$(echo "$med" | awk '{printf "%.3f", $1/60}'),1,$spread,1000 VMs x 4032 steps; 9 settings + base planned and backtested; $cpu CPU s; load $(cut -d' ' -f1 /proc/loadavg); advice $adv"
