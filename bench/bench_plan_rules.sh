#!/bin/sh
# Plans with placement rules at fleet scale (issue 20): 1,000 generated servers x 14 days
# at 5-minute steps with 11 rules of every type (bench/rules_gen.sh: three anti-affinity
# groups, two affinity groups, a soft affinity, two zones, two pin sets, an exclude) in
# < 30 s on one core (taskset -c 0), every rule costed (a re-plan, reusing the plan's
# packing of each zone the rule leaves unchanged, or a bound); the baseline, measured
# in the same run, is the plan of the same data without rules (the ratio says what the
# rules add). Also 200 servers x 7 days. Wall time of the whole `kasane plan` run, data
# reading included; the CPU seconds go in the note (the machine is shared).
# CSV lines: figure,value,unit,baseline,baseline_value,ratio,runs,spread,note
set -u
: "${KASANE:=build/kasane}" "${ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
[ -x "$KASANE" ] || { echo "plan_rules_1000x14,,,,,,,,missing: $KASANE not built"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CAT="$ROOT/datasets/catalog/current.csv"
one_core() { taskset -c 0 "$@" 2>/dev/null || "$@"; }
# plan NAME ARGS... -> "wall cpu" of one plan run, its output in $T/NAME
plan() {
    n=$1; shift
    one_core /usr/bin/time -f "%e %U %S" -o "$T/$n.time" "$KASANE" plan "$@" \
        --catalog "$CAT" -o "$T/$n" >"$T/$n.out" 2>&1 || return 1
    awk '{ printf "%s %.1f", $1, $2 + $3 }' "$T/$n.time"
}
case_() { # SERVERS DAYS BAR FIGURE
    "$KASANE" gen --servers "$1" --days "$2" --step 300 --seed 7 -q -o "$T/ds$1" || {
        echo "$4,,,,,,,,FAILED: gen"; return; }
    sh "$ROOT/bench/rules_gen.sh" "$1" > "$T/rules$1.csv"
    b=$(plan base$1 "$T/ds$1") || { echo "$4,,,,,,,,FAILED: $(tail -1 "$T/base$1.out")"; return; }
    r=$(plan rules$1 "$T/ds$1" --rules "$T/rules$1.csv") || {
        echo "$4,,,,,,,,FAILED: $(tail -1 "$T/rules$1.out")"; return; }
    set -- "$1" "$2" "$3" "$4" $b $r
    hosts=$(awk -F, '$1 == "hosts" {print $2}' "$T/rules$1/summary.csv")
    kept=$(awk -F, 'NR > 1 && $6 == "yes"' "$T/rules$1/rules.csv" | wc -l)
    echo "$4,$7,s,no rules,$5,$(echo "$7 $5" | awk '{printf "%.2f", $1/$2}'),1,,$1 servers x $2 days one core: $8 CPU s (no rules $6)${3:+; bar $3 s}; $hosts hosts; $kept of 11 rules honoured; each costed (re-plan or bound); load $(cut -d' ' -f1 /proc/loadavg)"
}
case_ 200 7 "" plan_rules_200x7
case_ 1000 14 30 plan_rules_1000x14
