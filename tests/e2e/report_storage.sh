#!/bin/sh
# The report's "Storage, backup and DR" section on a plan written by mdl_storage_write
# (tests/fixtures/report_storage/README.md): placed after the cost section, charts drawn,
# every figure and tagged number equal to storage.csv, a plan without storage, bad files.
. "$(dirname "$0")/lib.sh"
F="$FIX/report_storage/basic"
DS="$F/dataset" PLAN="$F/plan"
R="$T/rep"

"$KASANE" report "$DS" --plan "$PLAN" -o "$R" >"$T/out" 2>"$T/err"
check "report with storage runs" [ $? -eq 0 ]
H="$R/index.html"
check "index.html is well-formed (tidy -errors)" tidy -errors -q "$H"
check "storage section after cost, before the I/O path" sh -c "grep -o '<section id=\"[a-z]*\"' '$H' | tr -d '\n' |
    grep -q 'summary.*cost\"<section id=\"storage\"<section id=\"io\".*placement'"
check "storage section is titled" grep -qE '<h2>[0-9]+\. Storage, backup and DR</h2>' "$H"
for c in storage_iops storage_throughput storage_wan; do
    check "chart $c drawn (SVG, PNG) and inlined" sh -c "[ -s '$R/charts/$c.svg' ] && [ -s '$R/charts/$c.png' ] && grep -q 'id=\"chart-$c\"' '$H'"
done
for t in storage storage_demand storage_array storage_capacity storage_backup storage_dr storage_options storage_wan; do
    check "table $t.csv written" [ -s "$R/tables/$t.csv" ]
done

# Every figure table row quotes storage.csv's value for its key, character for character.
cat "$R"/tables/storage_demand.csv "$R"/tables/storage_array.csv "$R"/tables/storage_capacity.csv \
    "$R"/tables/storage_backup.csv "$R"/tables/storage_dr.csv | grep -v '^figure,' > "$T/figs"
check "figure tables: $(wc -l < "$T/figs") rows, every value equals storage.csv" awk -F, '
    NR == FNR { v[$1] = $2; next }
    { key = $NF; val = $(NF - 2); if (!(key in v) || v[key] != val) { print "mismatch", key, val; bad = 1 } n++ }
    END { exit bad || n < 60 }' "$PLAN/storage.csv" "$T/figs"

# Tagged numbers in the section: data-value is storage.csv's text, the shown text that
# value rounded to the digits shown.
awk '/<section id="storage">/,/<\/section>/' "$H" |
    grep -o 'data-key="[^"]*" data-value="[^"]*">[^<]*' |
    sed 's/data-key="\([^"]*\)" data-value="\([^"]*\)">\(.*\)/\1 \2 \3/' > "$T/tags"
check "section tags the headline numbers" sh -c "for k in iops_p95 iops_peak frontend_iops_needed usable_GiB capacity_needed_GiB backup_GiB backup_window_h dr_bandwidth_Mbps dr_capex total_cost_storage; do grep -q \"^\$k \" '$T/tags' || exit 1; done"
check "$(wc -l < "$T/tags") tagged numbers equal storage.csv" awk -F'[, ]' '
    NR == FNR { want[$1] = $2; next }
    { if (!($1 in want) || want[$1] != $2) { print "mismatch", $1, $2, want[$1]; bad = 1 }
      txt = $3; for (i = 4; i <= NF; i++) txt = txt $i
      d = index(txt, ".") ? length(txt) - index(txt, ".") : 0
      diff = txt - want[$1]; if (diff < 0) diff = -diff
      if (diff > 0.5 * 10 ^ -d + 1e-9) { print "shown", $1, txt, "for", want[$1]; bad = 1 } }
    END { exit bad }' "$PLAN/storage.csv" "$T/tags"
check "chosen array and runner-ups named as in storage.csv" sh -c "
    for k in array_config runner_up_1 runner_up_2 dr_array_config; do
        v=\$(grep \"^\$k,\" '$PLAN/storage.csv' | cut -d, -f2-); grep -qF \"\$v\" '$H' || exit 1; done"
check "options: rank 1 is the chosen one at total_cost_storage" sh -c "
    awk -F, 'NR == 2 { print \$NF, \$(NF - 3) }' '$R/tables/storage_options.csv' |
    grep -qx \"1 \$(grep '^total_cost_storage,' '$PLAN/storage.csv' | cut -d, -f2)\""
check "options: every primary row listed" [ "$(($(wc -l < "$R/tables/storage_options.csv") - 1))" -eq "$(grep -c '^primary,' "$PLAN/storage_options.csv")" ]
check "WAN bytes: full > incremental > source-side dedup" awk -F, 'NR > 1 { b[NR] = $2 } END { exit !(b[2] > b[3] && b[3] > b[4]) }' "$R/tables/storage_wan.csv"

# The array's latency check: kasane sim --storage results given with --sim land in the
# section, as the simulator wrote them.
check "without --sim: the section says how to get the latency check" grep -q "run kasane sim --plan PLAN_DIR --storage -o PLAN_DIR/storage_sim.csv" "$H"
"$KASANE" sim --plan "$PLAN" --storage --replications 2 -o "$T/st.csv" >/dev/null 2>&1
"$KASANE" report "$DS" --plan "$PLAN" --sim "$T/st.csv" -o "$T/rep5" >/dev/null 2>&1
check "with sim --storage results: storage_latency.csv has p95 and peak rows" sh -c "
    [ \"\$(tail -n +2 '$T/rep5/tables/storage_latency.csv' | cut -d, -f1,2 | tr '\n' ' ')\" = 'p95,reads p95,writes peak,reads peak,writes ' ]"
check "storage_latency p99 equals the sim results" sh -c "
    awk -F, 'NR == FNR { if (FNR == 1) for (i = 1; i <= NF; i++) c[\$i] = i; else want[\$1 \",\" \$2] = \$c[\"lat_p99_us\"]; next }
        FNR == 1 { for (i = 1; i <= NF; i++) d[\$i] = i; next }
        { if (want[\$1 \",\" \$2] != \$d[\"lat_p99_us\"]) bad = 1; n++ } END { exit bad || n != 4 }' '$T/st.csv' '$T/rep5/tables/storage_latency.csv'"
check "with sim --storage results: still well-formed" tidy -errors -q "$T/rep5/index.html"
# The same results as PLAN/storage_sim.csv, while --sim carries the host simulation.
cp -r "$PLAN" "$T/simplan" && cp "$T/st.csv" "$T/simplan/storage_sim.csv"
"$KASANE" report "$DS" --plan "$T/simplan" --sim "$FIX/report/basic/sim.csv" -o "$T/rep6" >/dev/null 2>&1
check "PLAN/storage_sim.csv: latency check shown beside the host simulation" sh -c "
    cmp -s '$T/rep5/tables/storage_latency.csv' '$T/rep6/tables/storage_latency.csv' && [ -s '$T/rep6/tables/sim.csv' ] &&
    grep -q 'storage_sim.csv of the plan directory' '$T/rep6/index.html'"
cut -d, -f2- "$T/st.csv" > "$T/simplan/storage_sim.csv"
expect_exit "PLAN/storage_sim.csv without a load column" 1 "simplan/storage_sim.csv:1: missing column 'load'" \
    "$KASANE" report "$DS" --plan "$T/simplan" -o "$T/rep7"

# No storage sizing: a one-line note, no storage tables, the rest of the report intact.
"$KASANE" report "$DS" --plan "$F/plan_nostorage" -o "$T/rep2" >/dev/null 2>&1
check "plan without storage: report runs and says so" sh -c "[ \$? -eq 0 ] && grep -q 'This plan has no storage sizing (no storage.csv' '$T/rep2/index.html'"
check "plan without storage: no storage tables, still well-formed" sh -c "! ls '$T/rep2/tables/storage'* >/dev/null 2>&1 && tidy -errors -q '$T/rep2/index.html'"

# Bad storage files: exit 1, file, line and field named, no report written.
cp -r "$PLAN" "$T/bad"
sed -i 's/^dr_bandwidth_Mbps,.*/dr_bandwidth_Mbps,fast/' "$T/bad/storage.csv"
expect_exit "storage.csv with a word for a number" 1 "bad/storage.csv:[0-9]+: key 'dr_bandwidth_Mbps': 'fast' is not a number" \
    "$KASANE" report "$DS" --plan "$T/bad" -o "$T/rep3"
check "bad storage.csv writes no report" [ ! -e "$T/rep3/index.html" ]
cp -r "$PLAN" "$T/bad2"
sed -i '3s/^\([0-9]*\),[^,]*,/\1,,/' "$T/bad2/storage_series.csv"
expect_exit "storage_series.csv with an empty cell" 1 "bad2/storage_series.csv:3: column 'read_iops' is empty" \
    "$KASANE" report "$DS" --plan "$T/bad2" -o "$T/rep4"

# A full backup longer than a night is a finding: the note appears only then, with the
# throughput that would fit 8 hours (window x MB/s / 8, computed here).
g=$(awk -F, '$1 == "growth_pct_per_year" {print $2}' "$PLAN/storage.csv")
y=$(awk -F, '$1 == "years" {print $2}' "$PLAN/storage.csv")
check "backup prose: sized for the data at the horizon ($g% a year for $y years)" \
    grep -q "for the data at the end of the horizon (grown <span class=\"num\" data-key=\"growth_pct_per_year\" data-value=\"$g\">$g</span>% a year for <span class=\"num\" data-key=\"years\" data-value=\"$y\">$y</span> years)" "$R/index.html"
check "a 4-hour full backup gets no window note" sh -c "! grep -q 'does not fit an 8-hour night' '$R/index.html'"
cp -r "$PLAN" "$T/slow"
sed -i 's/^backup_MBps,.*/backup_MBps,125/; s/^backup_window_h,.*/backup_window_h,15.833/' "$T/slow/storage.csv"
"$KASANE" report "$DS" --plan "$T/slow" -o "$T/rep5" >/dev/null 2>&1
need=$(awk 'BEGIN {printf "%.0f", 125 * 15.833 / 8}')
check "a 15.8-hour full backup: the note says so and asks for $need MB/s" \
    grep -q "A full backup of the data at the horizon takes 15.8 h at 125 MB/s: it does not fit an 8-hour night. It needs about $need MB/s" "$T/rep5/index.html"
