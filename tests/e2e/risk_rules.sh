#!/bin/sh
# Placement rules with backtests, sweeps and rolling folds (issues 12 + 13), through the
# CLI: the plan made on the training window keeps every hard rule (placement.csv checked
# by tests/fixtures/rules/check_placement.awk, which shares no code with the planner);
# the overloads risk.csv reports are those of that placement (recomputed here with awk
# from placement.csv, hosts.csv and samples.csv); a rule naming a server without a
# sample in a window is skipped (or kept for its other members) there and every output
# says so; a bad rules file fails with file, line and field before anything is planned.
. "$(dirname "$0")/lib.sh"
CAT="$KASANE_ROOT/datasets/catalog/2008.csv"
CHECK="$FIX/rules/check_placement.awk"
kv() { awk -F, -v k="$2" '$1 == k { print $2 }' "$1"; }

# Three weeks of 24 servers; legacy08 is commissioned in the third week: it has no
# sample in the training window (weeks 1-2) nor in either rolling fold's (week 1, 2).
"$KASANE" gen --servers 24 --days 21 --step 900 --seed 12 -q -o "$T/ds" >/dev/null 2>&1
t0=$(awk -F, 'NR == 2 { print $1 - $3; exit }' "$T/ds/samples.csv")
split=$((t0 + 14 * 86400))
# an edit by hand on purpose: the manifest goes (docs/formats.md "manifest.csv")
awk -F, -v s="$split" 'NR == 1 || $2 != "legacy08" || $1 > s' "$T/ds/samples.csv" >"$T/s" &&
    mv "$T/s" "$T/ds/samples.csv" && rm "$T/ds/manifest.csv"
check "legacy08 has samples in the third week only" [ "$(awk -F, -v s="$split" \
    '$2 == "legacy08" && $1 <= s' "$T/ds/samples.csv" | wc -l)" -eq 0 ]

cat >"$T/kept.csv" <<'EOF'
rule,type,members,target,weight
dc-apart,anti-affinity,file01;file02,,
web-app,affinity,web01;app01,,
dmz,zone,web01;web02;app01;web03,dmz,
lic,pin,db01,host01,
fax,exclude,legacy01,,
EOF
cp "$T/kept.csv" "$T/rules.csv"
cat >>"$T/rules.csv" <<'EOF'
late-apart,anti-affinity,legacy08;db02,,
late-three,anti-affinity,legacy08;file03;file04,,
EOF
# Packed tight (no headroom, the 95th percentile) so that the test week overloads some
# host-steps: the recomputation below then checks figures that are not all 0.
P="--catalog $CAT --effort 0.1 --seed 3"
"$KASANE" plan "$T/ds" $P --headroom 0 --percentile 95 --rules "$T/rules.csv" \
    --sweep headroom=0:20:10 --rolling -o "$T/p" >"$T/out" 2>"$T/err"
check "rules + backtest + sweep + rolling: exit 0 ($(head -c 200 "$T/err"))" [ $? -eq 0 ]

# ---- the placement keeps the rules -----------------------------------------------------
awk -F, -f "$CHECK" "$T/kept.csv" "$T/p/placement.csv" >"$T/check.out"
check "every hard rule holds in placement.csv: $(head -1 "$T/check.out")" \
    grep -q "checked 5 rules" "$T/check.out"
host() { awk -F, -v e="$1" '$1 == e { print $2 }' "$T/p/placement.csv"; }
check "late-three kept for its members there: file03 ($(host file03)) apart from file04" \
    [ "$(host file03)" != "$(host file04)" ]
check "legacy08 is not placed" [ "$(host legacy08)" = "-" ]
check "legacy08 listed missing from the training window" \
    grep -q '^legacy08,train$' "$T/p/risk_missing.csv"
check "the excluded legacy01 is not listed missing" sh -c "! grep -q '^legacy01,' '$T/p/risk_missing.csv'"

# ---- skipped and narrowed rules are said so --------------------------------------------
check "rules.csv: late-apart skipped" grep -q '^late-apart,anti-affinity,.*,skipped,.*training window' "$T/p/rules.csv"
check "rules.csv: late-three honoured without legacy08" \
    grep -q '^late-three,.*,yes,.*kept without legacy08' "$T/p/rules.csv"
check "stdout names the skipped rule" grep -q "training window: late-apart skipped: no sample of legacy08" "$T/out"
for w in train "fold 1" "fold 2"; do
    check "risk_rules.csv, $w: late-apart skipped, late-three narrowed" sh -c "
        grep -q '^$w,late-apart,anti-affinity,skipped,legacy08\$' '$T/p/risk_rules.csv' &&
        grep -q '^$w,late-three,anti-affinity,narrowed,legacy08\$' '$T/p/risk_rules.csv'"
done
check "risk_rules.csv: nothing else" [ "$(wc -l <"$T/p/risk_rules.csv")" -eq 7 ]
check "risk.csv: 7 rules, 1 skipped, 1 narrowed, 1 kept physical" [ \
    "$(kv "$T/p/risk.csv" rules),$(kv "$T/p/risk.csv" rules_skipped_train),$(kv "$T/p/risk.csv" rules_narrowed_train),$(kv "$T/p/risk.csv" kept_physical)" = "7,1,1,1" ]
check "risk_rolling.csv: two folds planned, 1 rule skipped in each" \
    [ "$(awk -F, 'NR > 1 && $4 != "" && $9 == 1' "$T/p/risk_rolling.csv" | wc -l)" -eq 2 ]

# ---- the overloads are those of this placement: recomputed from the data ---------------
# Per host and step of the test window (the last week), the sum of cpu_MHz and
# mem_used_MiB of its servers against hosts.csv's capacity (tests/fixtures/risk).
replay() { # PLAN_DIR -> "cpu_share mem_share worst_pct"
    awk -F, -v from=$((t0 + 14 * 86400)) -v to=$((t0 + 21 * 86400)) -f "$FIX/risk/replay.awk" \
        -v ratings="$1/cpu_ratings.csv" -v smt="$(awk -F, '$1 == "smt-yield" { print $2 }' "$1/policy.csv")" \
        "$1/placement.csv" "$1/hosts.csv" "$T/ds/inventory.csv" "$T/ds/samples.csv"
}
near() { awk -v a="$1" -v b="$2" -v e="$3" 'BEGIN { d = a - b; exit !(d <= e && d >= -e) }'; }
set -- $(replay "$T/p")
check "the test week overloads some CPU host-steps (recomputed: $1%)" awk "BEGIN { exit !($1 > 0) }"
check "cpu overload share recomputed ($(kv "$T/p/risk.csv" overload_cpu_pct) vs $1)" \
    near "$(kv "$T/p/risk.csv" overload_cpu_pct)" "$1" 1e-3
check "mem overload share recomputed ($(kv "$T/p/risk.csv" overload_mem_pct) vs $2)" \
    near "$(kv "$T/p/risk.csv" overload_mem_pct)" "$2" 1e-3
check "worst load recomputed ($(kv "$T/p/risk.csv" worst_pct) vs $3)" \
    near "$(kv "$T/p/risk.csv" worst_pct)" "$3" 1e-2
# The sweep plans with the rules too: its headroom=0 row is this plan.
row=$(awk -F, '$1 == "headroom=0"' "$T/p/risk_sweep.csv")
check "sweep row headroom=0 is the plan ($row)" [ "$(echo "$row" | cut -d, -f2,4)" = \
    "$(kv "$T/p/summary.csv" hosts),$(kv "$T/p/risk.csv" overload_cpu_pct)" ]
check "every sweep setting planned" [ "$(awk -F, 'NR > 1 && $2 == ""' "$T/p/risk_sweep.csv" | wc -l)" -eq 0 ]

# ---- the report ---------------------------------------------------------------------------
"$KASANE" report "$T/ds" --plan "$T/p" -o "$T/r" >/dev/null 2>&1
H="$T/r/index.html"
check "report: the Risk section says the rules were kept" grep -q "kept the 7 placement rules" "$H"
check "report: the skipped rules' table" grep -q '^fold 2,late-apart,' "$T/r/tables/risk_rules.csv"
check "report: Placement rules section" grep -q 'id="rules"' "$H"

# ---- bad rules files: exit 1 naming file, line and field, nothing planned ----------------
printf 'rule,type,members,target,weight\nok,exclude,legacy01,,\nglue,colocate,web01;web02,,\n' >"$T/bad.csv"
expect_exit "bad rule type with a backtest: file, line, field" 1 \
    "bad.csv:3: column 'type': unknown rule type 'colocate'" \
    "$KASANE" plan "$T/ds" $P --rules "$T/bad.csv" --backtest -o "$T/x"
check "nothing written" [ ! -e "$T/x/placement.csv" ]
printf 'rule,type,members,target,weight\npair,soft-affinity,web01;web02,,heavy\n' >"$T/bad2.csv"
expect_exit "bad weight with a sweep: file, line, field" 1 \
    "bad2.csv:2: rule 'pair': column 'weight': 'heavy' is not a number" \
    "$KASANE" plan "$T/ds" $P --rules "$T/bad2.csv" --sweep headroom=0:20:10 -o "$T/x"
printf 'rule,type,members,target,weight\nghost,anti-affinity,web01;nosuch9,,\n' >"$T/bad3.csv"
expect_exit "unknown entity with a backtest" 1 "bad3.csv:2: rule 'ghost': unknown entity 'nosuch9'" \
    "$KASANE" plan "$T/ds" $P --rules "$T/bad3.csv" --backtest -o "$T/x"
