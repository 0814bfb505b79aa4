#!/bin/sh
# Plan risk (issue 12): a 9-point headroom sweep (0-40%, step 5) with a backtest at each
# setting, on 1,000 generated servers x 2 weeks at 5-minute steps (train on the first
# week, test on the second), in < 60 s. Ten plans in all (the base plan + 9 settings),
# each at --effort 0.2 of the search's automatic budget; the figure is the wall time
# of the whole `kasane plan` run, data reading included (median of 3).
# CSV lines: figure,value,unit,baseline,baseline_value,ratio,runs,spread,note
set -u
: "${KASANE:=build/kasane}" "${ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
[ -x "$KASANE" ] || { echo "plan_risk_sweep,,,,,,,,missing: $KASANE not built"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$KASANE" gen --servers 1000 --days 14 --step 300 --seed 12 --profile mix -q -o "$T/ds" || {
    echo "plan_risk_sweep,,,,,,,,FAILED: gen"; exit 0; }
CAT="$ROOT/datasets/catalog/2008.csv"
run() {
    s=$(date +%s.%N)
    "$KASANE" plan "$T/ds" --catalog "$CAT" --model "Dell PowerEdge R900" --effort 0.2 \
        --sweep headroom=0:40:5 -o "$T/p" >"$T/out" 2>&1 || { echo FAILED; return; }
    e=$(date +%s.%N)
    echo "$s $e" | awk '{ printf "%.2f\n", $2 - $1 }'
}
a=$(run); b=$(run); c=$(run)
case "$a$b$c" in *FAILED*) echo "plan_risk_sweep,,,,,,,,FAILED: $(tail -1 "$T/out")"; exit 0 ;; esac
med=$(printf '%s\n%s\n%s\n' "$a" "$b" "$c" | sort -n | sed -n 2p)
spread=$(printf '%s\n%s\n%s\n' "$a" "$b" "$c" | sort -n | awk 'NR == 1 { lo = $1 } END { print $1 - lo }')
adv=$(awk -F, '$1 == "advice_setting" { s = $2 } $1 == "advice_hosts" { h = $2 } END { print h " hosts at " s }' "$T/p/risk.csv")
echo "plan_risk_sweep,$med,s,bar,60,$(echo "$med" | awk '{printf "%.3f", $1/60}'),3,$spread,1000 VMs x 4032 steps; 9 settings + base planned and backtested; advice $adv"
