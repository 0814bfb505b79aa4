#!/bin/sh
# Issue 12 on the generated demo room (2 weeks): the default split (train on the first
# week, test on the last), a headroom sweep, rolling folds, growth; the advice in the
# report's executive summary and its Risk section; and bad input.
. "$(dirname "$0")/lib.sh"
CAT="$KASANE_ROOT/datasets/catalog/2008.csv"
"$KASANE" gen --servers 60 --days 14 --step 300 --seed 2008 --profile mix -q -o "$T/ds"
P="--catalog $CAT --effort 0.1 --seed 3"
"$KASANE" plan "$T/ds" $P --sweep headroom=0:40:10 --rolling --growth 10 -o "$T/p" >"$T/out"
check "default split: plan + sweep + rolling + growth" [ $? -eq 0 ]
kv() { awk -F, -v k="$2" '$1 == k { print $2 }' "$1"; }
check "trained on the first week" [ "$(kv "$T/p/risk.csv" train_window)" = "2008-03-24T00:00Z..2008-03-31T00:00Z" ]
check "tested on the last week" [ "$(kv "$T/p/risk.csv" test_window)" = "2008-03-31T00:00Z..2008-04-07T00:00Z" ]
check "2016 test steps" [ "$(kv "$T/p/risk.csv" test_steps)" = 2016 ]
check "five sweep rows" [ "$(wc -l <"$T/p/risk_sweep.csv")" -eq 6 ]
check "one rolling fold in two weeks" [ "$(wc -l <"$T/p/risk_rolling.csv")" -eq 2 ]
common0=$(kv "$T/p/risk.csv" common_entities)
hold=$(kv "$T/p/risk.csv" holds_months)
check "growth: months the plan holds ($hold)" [ -n "$hold" ]
check "summary.csv has the advice" grep -q '^risk_advice_hosts,[0-9]' "$T/p/summary.csv"
adv=$(kv "$T/p/summary.csv" risk_advice_hosts)
# Rows within the target never have fewer hosts than the advice.
check "advice is the fewest hosts within target" awk -F, -v h="$adv" '
    NR > 1 && $8 == 1 && $2 < h { bad = 1 } END { exit bad }' "$T/p/risk_sweep.csv"

"$KASANE" report "$T/ds" --plan "$T/p" -o "$T/r" >/dev/null 2>&1
check "report renders" [ -s "$T/r/index.html" ]
H="$T/r/index.html"
check "advice sentence in the executive summary" sh -c "awk '/<section id=\"summary\">/,/<\/section>/' '$H' |
    grep -q 'data-key=\"risk_advice_hosts\" data-value=\"$adv\"'"
check "Risk section after The plan" sh -c "grep -o '<section id=\"[a-z]*\"' '$H' | tr -d '\n' | grep -q 'plan.*risk.*licences'"
check "sweep chart drawn" [ -s "$T/r/charts/risk_sweep.svg" ]
check "per-host overload table" [ -s "$T/r/tables/risk_hosts.csv" ]
check "tidy finds no HTML error" sh -c "tidy -q -errors '$H' >/dev/null 2>&1; [ \$? -lt 2 ]"
# The plan was made from the first week, its demand grown by 10% a year over the
# horizon: the report checks each host on that week with that growth (the second week
# is the Risk section's replay), so its own sums agree with the plan's.
check "plan section: every host's recomputed peak agrees with the plan's (training window)" \
    awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next} {n++; if ($c["check"] != "ok") bad = 1}
        END {exit !(n > 0 && !bad)}' "$T/r/tables/hosts.csv"
check "per-host table: the worst moment as a UTC time in the test week (the windows' format), not UNIX seconds" \
    awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
        $c["worst_time"] != "" {n++; if ($c["worst_time"] !~ /^2008-0(3-31|4-0[1-7])T[0-9][0-9]:[0-9][0-9]Z$/) bad = 1}
        END {exit !(n > 0 && !bad)}' "$T/r/tables/risk_hosts.csv"
check "plan section names the training window" grep -q "training window 2008-03-24T00:00Z..2008-03-31T00:00Z" "$H"
check "plan section says demand was grown (1.1^5 = 1.61)" grep -q "multiplied by 1.61 as the plan grew it" "$H"

# The same run with --final-on-all: the backtest, sweep and folds unchanged byte for
# byte; the plan of record is made on both weeks (grown alike) and the report checks it
# there; the advice stays in the executive summary beside the policy kept.
"$KASANE" plan "$T/ds" $P --sweep headroom=0:40:10 --rolling --growth 10 --final-on-all -o "$T/pf" >"$T/outf"
check "--final-on-all: plan + sweep + rolling + growth" [ $? -eq 0 ]
for f in risk.csv risk_hosts.csv risk_sweep.csv risk_rolling.csv risk_missing.csv; do
    check "--final-on-all: $f unchanged" cmp -s "$T/p/$f" "$T/pf/$f"
done
check "--final-on-all: summary says the plan of record saw both weeks" \
    [ "$(kv "$T/pf/summary.csv" plan_made_on),$(kv "$T/pf/summary.csv" plan_window)" = "all,2008-03-24T00:00Z..2008-04-07T00:00Z" ]
check "--final-on-all: the advice is printed, the policy given kept" \
    sh -c "grep -q 'advice: $adv hosts' '$T/outf' && grep -q 'the plan of record keeps the policy given (headroom=20 ' '$T/outf'"
"$KASANE" report "$T/ds" --plan "$T/pf" -o "$T/rf" >/dev/null 2>&1
check "--final-on-all: advice sentence in the executive summary" sh -c "awk '/<section id=\"summary\">/,/<\/section>/' '$T/rf/index.html' |
    grep -q 'data-key=\"risk_advice_hosts\" data-value=\"$adv\"'"
check "--final-on-all: plan section: every host's recomputed peak agrees with the plan's (whole grid)" \
    awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next} {n++; if ($c["check"] != "ok") bad = 1}
        END {exit !(n > 0 && !bad)}' "$T/rf/tables/hosts.csv"
check "--final-on-all: plan section names the whole grid, demand grown by 1.61" \
    sh -c "grep -q 'the whole grid, all 14 days of data' '$T/rf/index.html' && grep -q 'multiplied by 1.61 as the plan grew it' '$T/rf/index.html'"
check "--final-on-all: tidy finds no HTML error" sh -c "tidy -q -errors '$T/rf/index.html' >/dev/null 2>&1; [ \$? -lt 2 ]"

# A plan without risk: stale risk files are removed and the section is one note.
"$KASANE" plan "$T/ds" $P -o "$T/p" >/dev/null
check "plain plan removes stale risk files" [ ! -e "$T/p/risk.csv" ]
"$KASANE" report "$T/ds" --plan "$T/p" -o "$T/r2" >/dev/null 2>&1
check "no risk files: one-line note" grep -q "No backtest in this plan directory" "$T/r2/index.html"
check "no backtest: the plan section covers the whole dataset" sh -c "! grep -q 'training window' '$T/r2/index.html'"
echo "risk_train,2008-13-01..2008-03-31" >>"$T/p/summary.csv" && rm "$T/p/manifest.csv" # a hand edit
expect_exit "a malformed risk_train in summary.csv names the file and key" 1 "summary.csv: key 'risk_train'" \
    "$KASANE" report "$T/ds" --plan "$T/p" -o "$T/r3"

# Bad input (exit 1) and malformed flags (exit 2).
D="$FIX/risk/disjoint"
expect_exit "windows outside the data" 1 "holds no sample" \
    "$KASANE" plan "$T/ds" $P --train 2020-01-01..2020-01-07 --test 2020-01-08..2020-01-09 -o "$T/x"
expect_exit "test window with no common entity" 1 "no entity in common" \
    "$KASANE" plan "$D" $P --train 2020-01-01..2020-01-01 --test 2020-01-02..2020-01-02 -o "$T/x"
expect_exit "sweep with no valid setting" 1 "no valid setting" \
    "$KASANE" plan "$T/ds" $P --sweep headroom=96:120:5 -o "$T/x"
expect_exit "default split on 2 days" 1 "needs 14" \
    "$KASANE" plan "$D" $P --backtest -o "$T/x"
expect_exit "malformed sweep" 2 "FROM:TO:STEP" "$KASANE" plan "$T/ds" $P --sweep headroom=0:40 -o "$T/x"
expect_exit "unknown sweep key" 2 "headroom=FROM:TO:STEP" "$KASANE" plan "$T/ds" $P --sweep ha=0:2:1 -o "$T/x"
expect_exit "malformed window" 2 "not YYYY-MM-DD" "$KASANE" plan "$T/ds" $P --train 2011-13-01..2011-13-02 --test 1..2 -o "$T/x"
expect_exit "window ending before it starts" 2 "TO is not after FROM" "$KASANE" plan "$T/ds" $P --test 2011-03-06..2011-03-01 -o "$T/x"
expect_exit "bad risk target" 2 "risk-target" "$KASANE" plan "$T/ds" $P --risk-target lots -o "$T/x"
# Placement rules with a backtest (refused before rules re-bound by name to each
# window): the excluded server stays physical, is neither replayed nor missing, and
# risk.csv counts the rules. tests/e2e/risk_rules.sh covers the rest.
X=$(awk -F, 'NR == 2 { print $1 }' "$T/ds/inventory.csv")
printf 'rule,type,members,target,weight\nkeep,exclude,%s,,\n' "$X" >"$T/rules.csv"
"$KASANE" plan "$T/ds" $P --rules "$T/rules.csv" --backtest -o "$T/pr" >"$T/outr"
check "rules with a backtest: planned" [ $? -eq 0 ]
check "the excluded $X stays physical" grep -q "^$X,-,physical\$" "$T/pr/placement.csv"
check "risk.csv: 1 rule, 1 entity kept physical" \
    [ "$(kv "$T/pr/risk.csv" rules),$(kv "$T/pr/risk.csv" kept_physical)" = "1,1" ]
check "the excluded $X is not listed missing" sh -c "! grep -q '^$X,' '$T/pr/risk_missing.csv'"
check "and not replayed ($common0 - 1 common entities)" \
    [ "$(kv "$T/pr/risk.csv" common_entities)" -eq $((common0 - 1)) ]
