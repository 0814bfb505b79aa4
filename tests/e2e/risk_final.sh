#!/bin/sh
# kasane plan --final-on-all (docs/risk.md): the backtest measures the method on a plan
# made from the training window, and the plan of record is made on all the data with
# the same policy and rules. A generated room where one server starts in the second
# week: the training plan cannot place it, the plan of record does; the risk files are
# the same bytes as without the flag; summary.csv and the report name the whole grid.
. "$(dirname "$0")/lib.sh"
CAT="$KASANE_ROOT/datasets/catalog/2008.csv"
"$KASANE" gen --servers 12 --days 14 --step 900 --seed 5 --profile mix -q -o "$T/g"
kv() { awk -F, -v k="$2" '$1 == k { print $2 }' "$1"; }
utc() { date -u -d "@$1" +%Y-%m-%dT%H:%MZ; }
# The data's span as the planner's windows count it: first interval's start, last end.
set -- $(awk -F, 'NR > 1 { s = $1 - $3; if (lo == "" || s < lo) lo = s; if ($1 > hi) hi = $1 }
    END { printf "%d %d\n", lo, hi }' "$T/g/samples.csv")
lo=$1 hi=$2 split=$(($2 - 7 * 86400))
# LATE has no sample before the last week (the default split's test week).
LATE=$(awk -F, 'NR == 4 { print $1 }' "$T/g/inventory.csv")
OTHER=$(awk -F, 'NR == 5 { print $1 }' "$T/g/inventory.csv")
mkdir "$T/ds"
cp "$T/g/inventory.csv" "$T/ds/"
awk -F, -v l="$LATE" -v s="$split" 'NR == 1 || $2 != l || $1 > s' "$T/g/samples.csv" \
    >"$T/ds/samples.csv"
check "$LATE starts in the second week" [ "$(awk -F, -v l="$LATE" '$2 == l' "$T/ds/samples.csv" | wc -l)" -eq 672 ]
printf 'rule,type,members,target,weight\nlate-apart,anti-affinity,%s;%s,,\n' "$LATE" "$OTHER" >"$T/rules.csv"
P="--catalog $CAT --effort 0.1 --seed 3 --rules $T/rules.csv"
R="--backtest --sweep headroom=10:30:10"

"$KASANE" plan "$T/ds" $P $R -o "$T/p0" >"$T/out0"
check "backtest without the flag: planned" [ $? -eq 0 ]
"$KASANE" plan "$T/ds" $P $R --final-on-all -o "$T/p1" >"$T/out1"
check "backtest with --final-on-all: planned" [ $? -eq 0 ]
"$KASANE" plan "$T/ds" $P -o "$T/pp" >/dev/null
check "plain plan (no risk flag): planned" [ $? -eq 0 ]

# The training window's plan cannot place LATE; the plan of record on all data does.
check "without the flag $LATE is not placed" grep -q "^$LATE,-," "$T/p0/placement.csv"
check "without the flag risk_missing.csv lists $LATE (train)" grep -qx "$LATE,train" "$T/p0/risk_missing.csv"
check "with the flag $LATE is placed on a host" \
    awk -F, -v l="$LATE" '$1 == l && $2 ~ /^host[0-9]+$/ { f = 1 } END { exit !f }' "$T/p1/placement.csv"
check "with the flag every entity is placed" awk -F, 'NR > 1 && $2 == "-" { bad = 1 } END { exit bad }' "$T/p1/placement.csv"
# Same policy and rules on the same data: the plan of record is the plain plan.
for f in placement.csv hosts.csv rules.csv; do
    check "plan of record's $f = the plain plan's" cmp -s "$T/p1/$f" "$T/pp/$f"
done
check "the rule naming $LATE: skipped in the training window, honoured on all the data" \
    [ "$(awk -F, -v r=late-apart '$1 == r { print $6 }' "$T/p0/rules.csv"),$(awk -F, -v r=late-apart '$1 == r { print $6 }' "$T/p1/rules.csv")" = "skipped,yes" ]
check "$LATE and $OTHER on different hosts" [ "$(grep "^$LATE," "$T/p1/placement.csv" | cut -d, -f2)" != "$(grep "^$OTHER," "$T/p1/placement.csv" | cut -d, -f2)" ]

# The backtest is unchanged, byte for byte.
for f in risk.csv risk_hosts.csv risk_missing.csv risk_sweep.csv risk_rules.csv; do
    check "$f is the same bytes with and without the flag" cmp -s "$T/p0/$f" "$T/p1/$f"
done

# summary.csv names the window of the plan of record.
win="$(utc "$lo")..$(utc "$hi")"
check "summary: plan made on all data ($win)" \
    [ "$(kv "$T/p1/summary.csv" plan_made_on),$(kv "$T/p1/summary.csv" plan_window)" = "all,$win" ]
check "summary without the flag: plan made on the training window" \
    [ "$(kv "$T/p0/summary.csv" plan_made_on),$(kv "$T/p0/summary.csv" plan_window)" = "train,$(kv "$T/p0/summary.csv" risk_train)" ]
check "summary: the training window is the default split's" \
    [ "$(kv "$T/p1/summary.csv" risk_train)" = "$(utc "$lo")..$(utc "$split")" ]
h0=$(kv "$T/p0/summary.csv" hosts) h1=$(kv "$T/p1/summary.csv" hosts)
check "summary: risk_train_hosts is the backtest's plan ($h0 hosts)" \
    [ "$(kv "$T/p1/summary.csv" risk_train_hosts),$(kv "$T/p1/risk.csv" hosts)" = "$h0,$h0" ]
check "summary: hosts of the plan of record = the plain plan's ($h1)" [ "$h1" = "$(kv "$T/pp/summary.csv" hosts)" ]

# stdout states both, and the advice next to the policy kept.
check "stdout: the plan of record's window and hosts" \
    grep -qF "plan of record: made on all the data, $win (14.0 days): $h1 hosts" "$T/out1"
check "stdout: the backtest's plan and windows" \
    grep -qF "risk of the method: a plan made the same way on $(kv "$T/p1/risk.csv" train_window) ($h0 hosts), replayed on $(kv "$T/p1/risk.csv" test_window)" "$T/out1"
check "stdout: the policy given is kept, the advice printed" \
    grep -q "the plan of record keeps the policy given (headroom=20 percentile=100, $h1 hosts" "$T/out1"
check "stdout without the flag: as before" grep -q "^  risk: planned on " "$T/out0"

# The report checks the plan of record on the whole grid and words Risk for it.
hosts_ok() {
    awk -F, -v n="$2" 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
        {k++; if ($c["check"] != "ok") bad = 1} END {exit !(k == n && !bad)}' "$1/tables/hosts.csv"
}
sec() { awk -v s="<section id=\"$2\">" 'index($0, s) {p = 1} p; p && /<\/section>/ {exit}' "$1/index.html"; }
"$KASANE" report "$T/ds" --plan "$T/p1" -o "$T/r1" >/dev/null 2>&1
check "report of the plan on all data renders" [ -s "$T/r1/index.html" ]
check "report: every host of the plan of record 'ok' on the whole grid" hosts_ok "$T/r1" "$h1"
sec "$T/r1" plan >"$T/plan1"
check "report: the plan section checks the whole grid" grep -q "the whole grid, all 14 days of data ($win)" "$T/plan1"
check "report: the plan section does not name the training window" sh -c "! grep -q 'training window $(kv "$T/p1/risk.csv" train_window)' '$T/plan1'"
sec "$T/r1" risk >"$T/risk1"
check "report: Risk says the plan of record was made on all 14 days" \
    grep -q "The plan of record was made on all 14 days of data ($win). The method was backtested" "$T/risk1"
check "report: Risk names the backtest's plan ($h0 hosts)" grep -q "only ($h0 hosts) was replayed" "$T/risk1"
sec "$T/r1" summary >"$T/sum1"
check "report: executive summary words the backtest as the method's" \
    grep -q "The plan of record was made on all 14 days.*The method was backtested on data it was not made from" "$T/sum1"
"$KASANE" report "$T/ds" --plan "$T/p0" -o "$T/r0" >/dev/null 2>&1
check "report without the flag: every host 'ok' on the training window" hosts_ok "$T/r0" "$h0"
check "report without the flag: the plan section names the training window" \
    grep -q "the backtest's training window $(kv "$T/p0/risk.csv" train_window)" "$T/r0/index.html"
check "report without the flag: Risk keeps its wording" grep -q "The plan was made from the training window" "$T/r0/index.html"

# Growth: the plan of record packs all the data grown as the training plan's was.
"$KASANE" plan "$T/ds" $P --backtest --growth 10 --final-on-all -o "$T/pg" >/dev/null
check "growth + --final-on-all: planned, $LATE placed" \
    awk -F, -v l="$LATE" '$1 == l && $2 ~ /^host[0-9]+$/ { f = 1 } END { exit !f }' "$T/pg/placement.csv"
"$KASANE" report "$T/ds" --plan "$T/pg" -o "$T/rg" >/dev/null 2>&1
check "growth: the report's plan section grows demand by 1.1^5 = 1.61" grep -q "multiplied by 1.61 as the plan grew it" "$T/rg/index.html"
check "growth: every host 'ok' on the whole grid" hosts_ok "$T/rg" "$(kv "$T/pg/summary.csv" hosts)"

# Usage: the flag alone is no backtest.
expect_exit "--final-on-all without a risk option: usage error" 2 "final-on-all needs a backtest" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --final-on-all -o "$T/x"
check "no plan directory written by the usage error" [ ! -e "$T/x" ]
check "--help documents --final-on-all" sh -c "'$KASANE' plan --help | grep -q -- '--final-on-all'"
