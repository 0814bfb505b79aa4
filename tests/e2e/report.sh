# kasane report end to end on the hand-made fixture (tests/fixtures/report/README.md):
# well-formed HTML with every section, every chart as SVG and PNG, summary numbers equal
# to the plan's summary.csv, a report without gnuplot, and bad input.
. "$(dirname "$0")/lib.sh"
F="$FIX/report"
DS="$F/basic/dataset" PLAN="$F/basic/plan"
R="$T/rep"

check "report --help" sh -c '"$KASANE" report --help | grep -q "usage: kasane report"'
expect_exit "report without --plan is a usage error" 2 "missing --plan" "$KASANE" report "$DS" -o "$R"
expect_exit "report without -o is a usage error" 2 "missing -o" "$KASANE" report "$DS" --plan "$PLAN"
expect_exit "report without dataset is a usage error" 2 "missing DATASET" "$KASANE" report --plan "$PLAN" -o "$R"

"$KASANE" report "$DS" --plan "$PLAN" --sim "$F/basic/sim.csv" -o "$R" >"$T/out" 2>"$T/err"
check "report runs" [ $? -eq 0 ]
check "report prints the index path" grep -q "report: $R/index.html" "$T/out"
H="$R/index.html"
# The NIC card: the busiest host's ports used (ports.csv's largest total), of the model's
want_ports=$(awk -F, 'NR > 1 && $NF > m {m = $NF} END {print m}' "$PLAN/ports.csv")
check "NIC card: $want_ports ports used at most, of the model's 6" \
    grep -q "NIC ports per host</div><div class=\"value\">$want_ports</div><div class=\"detail\">used at most, of <span class=\"num\" data-key=\"nic_ports\" data-value=\"6\">" "$H"

# tidy 5.6 knows HTML5 and inline SVG; its warnings (none expected) are style advice,
# its errors mean a browser would have to guess: only errors fail the test.
check "index.html is well-formed (tidy -errors)" tidy -errors -q "$H"
for s in summary assumptions estate plan licences ports cost io placement; do
    check "section $s present" grep -q "<section id=\"$s\">" "$H"
done
check "sections in the issue's order" sh -c "grep -o '<section id=\"[a-z]*\"' '$H' | tr -d '\n' |
    grep -q 'summary.*assumptions.*estate.*plan.*licences.*ports.*cost.*io.*placement'"
check "self-contained: no script, no stylesheet link, no remote src or href" \
    sh -c "! grep -Eiq '<script|<link|src=\"(https?:)?//|href=\"(https?:)?//' '$H'"
check "print rules for A4" sh -c "grep -q '@media print' '$H' && grep -q 'size:A4' '$H' && grep -q 'break-before:page' '$H'"

# Every chart script produced an SVG and a PNG, and the SVG is inlined in the page.
nch=0 bad=""
for gp in "$R"/charts/*.gp; do
    c=$(basename "$gp" .gp); nch=$((nch + 1))
    [ -s "$R/charts/$c.svg" ] && [ -s "$R/charts/$c.png" ] || bad="$bad $c"
    grep -q "id=\"chart-$c\"" "$H" || bad="$bad $c(not-inlined)"
    file "$R/charts/$c.png" | grep -q "PNG image" || bad="$bad $c(png)"
done
check "every chart exists as SVG and PNG and is inlined ($nch charts;$bad)" [ "$nch" -ge 7 -a -z "$bad" ]
check "charts drawn: heatmap, peak sizing, 2 hosts, cost, sim latency, sim cpu" sh -c "
    for c in estate_heatmap peak_sizing host_1 host_2 cost_horizon sim_latency sim_cpu; do
        [ -s '$R/charts/'\$c.svg ] || exit 1; done"
check "inline SVG count equals chart count" [ "$(grep -c '<svg role="img"' "$H")" -eq "$nch" ]
check "chart ids unique in the page" sh -c "[ -z \"\$(grep -o \"id='[^']*'\" '$H' | sort | uniq -d)\" ]"

# Tables: one CSV per table of the page, readable back (header + rows).
for t in summary policy models coverage top_consumers idle_servers hosts licences ports cost sim placement; do
    check "table $t.csv written" [ -s "$R/tables/$t.csv" ]
done
check "placement table has every entity" [ "$(($(wc -l < "$R/tables/placement.csv") - 1))" -eq 10 ]
check "coverage rates app01 3 stars (40.6% present)" grep -q "^app01,vm,40.6,3$" "$R/tables/coverage.csv"
# The page lists only servers with gaps: as many rows as coverage.csv has below 100%.
gaps=$(awk -F, 'NR > 1 && $3 < 100' "$R/tables/coverage.csv" | wc -l)
check "coverage: the page lists the $gaps servers with gaps, not the full ones" \
    sh -c "grep -q '$gaps of [0-9]* servers have gaps in their data' '$H' &&
        [ \$(sed -n '/<h3>Data coverage/,/<\/table>/p' '$H' | grep -c '<tr><td>') -eq $gaps ]"
check "idle servers are idle01 and idle02" sh -c "cut -d, -f1 '$R/tables/idle_servers.csv' | sort | tr '\n' ' ' | grep -qx 'entity idle01 idle02 '"
check "recomputed host peaks agree with the plan" sh -c "! grep -q differs '$R/tables/hosts.csv'"

# Executive summary numbers against summary.csv: every tagged number's data-value is
# the summary.csv value, and its displayed text is that value rounded (its magnitude
# for class "num abs", where the prose words the sign: "Costs 1,234 more").
awk '/<section id="summary">/,/<\/section>/' "$H" |
    grep -o 'class="num[^"]*" data-key="[^"]*" data-value="[^"]*">[^<]*' |
    sed 's/class="num\( abs\)*" data-key="\([^"]*\)" data-value="\([^"]*\)">\(.*\)/\2 \3 \4 \1/' > "$T/sum_html"
awk -F, 'NR > 1 { print $1, $2 }' "$PLAN/summary.csv" > "$T/sum_csv"
check "executive summary tags the headline numbers" sh -c "for k in sources hosts consolidation_ratio lower_bound_hosts gap_pct capex savings_per_year payback_months; do grep -q \"^\$k \" '$T/sum_html' || exit 1; done"
check "executive summary numbers equal summary.csv" awk '
    NR == FNR { want[$1] = $2; next }
    { if (!($1 in want) || want[$1] + 0 != $2 + 0) { print "mismatch", $1, $2, want[$1]; bad = 1 }
      txt = $3; gsub(/,/, "", txt); d = index(txt, ".") ? length(txt) - index(txt, ".") : 0
      w = want[$1]; if ($4 == "abs" && w < 0) w = -w
      diff = txt - w; if (diff < 0) diff = -diff
      if (diff > 0.5 * 10 ^ -d + 1e-9) { print "shown", $1, $3, "for", want[$1]; bad = 1 } }
    END { exit bad }' "$T/sum_csv" "$T/sum_html"

# Without gnuplot: tables and a visible note with the install command, still exit 0.
mkdir -p "$T/nognuplot"
PATH="$T/nognuplot" "$KASANE" report "$DS" --plan "$PLAN" -o "$T/rep2" >"$T/out2" 2>"$T/err2"
check "report without gnuplot still renders" [ $? -eq 0 -a -s "$T/rep2/index.html" ]
check "without gnuplot: stderr says how to install it" grep -q "apt-get install gnuplot-nox" "$T/err2"
check "without gnuplot: a note per chart in the page" [ "$(grep -c 'class="nochart"' "$T/rep2/index.html")" -ge 5 ]
check "without gnuplot: the note names the package" grep -q "apt-get install gnuplot-nox" "$T/rep2/index.html"
check "without gnuplot: no chart files, tables written" sh -c "! ls '$T/rep2/charts/'*.svg >/dev/null 2>&1 && [ -s '$T/rep2/tables/hosts.csv' ]"
check "without gnuplot: still well-formed" tidy -errors -q "$T/rep2/index.html"
check "without --sim: the I/O section says how to add it" grep -q "with --sim RESULTS.csv" "$T/rep2/index.html"

# Bad input.
expect_exit "plan from another dataset is refused" 1 "placement.csv:2: column 'entity': 'mail01' is not in dataset.*another dataset" \
    "$KASANE" report "$DS" --plan "$F/foreign_plan" -o "$T/rep3"
check "refused plan writes no report" [ ! -e "$T/rep3/index.html" ]
expect_exit "missing plan directory" 1 "no such plan directory" "$KASANE" report "$DS" --plan "$T/nope" -o "$T/rep3"
"$KASANE" report "$DS" --plan "$PLAN" --sim "$F/sim_unknown_cols.csv" -o "$T/rep4" >/dev/null 2>&1
check "sim results with unknown columns are tolerated" [ $? -eq 0 ]
check "unknown sim columns are shown" sh -c "grep -q \"with a comma, quoted\" '$T/rep4/index.html' && head -1 '$T/rep4/tables/sim.csv' | grep -q operator_note"
# Results of sim --modes: one comparison row per (mode, kind of I/O), summed by awk here
cat > "$T/modes.csv" <<'EOF'
workload,mode,throughput_per_s,lat_mean_us,lat_p99_us,exits_per_op,host_cycles_per_op,keeps_up
a-disk,virtio,100,80,90,2,20000,yes
b-disk,virtio,300,60,70,2,20000,yes
a-net,virtio,1000,3,4,1,5000,yes
a-disk,emulated,100,90,95,6,60000,yes
b-disk,emulated,280,70,300,6,60000,no
a-net,emulated,900,12,15,5,30000,yes
EOF
"$KASANE" report "$DS" --plan "$PLAN" --sim "$T/modes.csv" -o "$T/repm" >/dev/null 2>&1
M="$T/repm/tables/sim_modes.csv"
check "sim --modes results: a comparison table, one row per mode and kind of I/O" \
    test "$(cut -d, -f1,2 "$M" | tr '\n' ' ')" = "mode,io virtio,disk virtio,net emulated,disk emulated,net "
want=$(awk -F, 'NR > 1 {split($1, w, "-"); k = $2 "," w[2]; n[k]++; ok[k] += ($8 != "no"); t[k] += $3; l[k] += $3 * $4
                        if ($5 > p[k]) p[k] = $5; h[k] += $3 * $7; e[k] += $3 * $6}
       function r(x, d) {return int(x * d + 0.5) / d}  # rounded as in the table
       END {for (k in n) printf "%s,%d,%d of %d,%g,%g,%g,%g,%g\n", k, n[k], ok[k], n[k], r(t[k], 10),
                                r(l[k] / t[k], 100), r(p[k], 100), r(h[k] / 1e6, 10), e[k]}' \
    "$T/modes.csv" | sort)
got=$(tail -n +2 "$M" | sort)
check "sim --modes results: counts, kept up, sums, weighted means, worst p99, host MHz" test "$got" = "$want"
check "sim --modes results: the page says how many modes" grep -q "in each of 2 modes" "$T/repm/index.html"
check "sim --modes results: host CPU per mode charted" test -s "$T/repm/charts/sim_cpu.svg"
printf 'workload,lat_p99_us\nrandread,12\nseq,fast\n' > "$T/badsim.csv"
expect_exit "sim results with a bad number name line and column" 1 "badsim.csv:3: column 'lat_p99_us': 'fast' is not a number" \
    "$KASANE" report "$DS" --plan "$PLAN" --sim "$T/badsim.csv" -o "$T/rep5"

# An inventory-only dataset (no samples.csv, plan by allocation) still reports.
mkdir -p "$T/inv"
cp "$DS/inventory.csv" "$T/inv/"
cp -r "$PLAN" "$T/invplan"
sed -i 's/^planned_by,.*/planned_by,allocation/' "$T/invplan/summary.csv"
"$KASANE" report "$T/inv" --plan "$T/invplan" -o "$T/rep6" >/dev/null 2>&1
check "inventory-only dataset reports" [ $? -eq 0 -a -s "$T/rep6/index.html" ]
check "inventory-only: says so, still well-formed" sh -c "grep -q 'inventory only' '$T/rep6/index.html' && tidy -errors -q '$T/rep6/index.html'"
# A server kept physical (host "-") is in the placement table and on no host.
cp -r "$PLAN" "$T/physplan"
sed -i 's/^idle01,host01,R660-2S$/idle01,-,physical/' "$T/physplan/placement.csv"
"$KASANE" report "$DS" --plan "$T/physplan" -o "$T/rep7" >/dev/null 2>&1
check "a server kept physical is placed on no host" sh -c "grep -q '^idle01,physical,-,physical,' '$T/rep7/tables/placement.csv' && grep -q '^host01,R660-2S,2,24,4,' '$T/rep7/tables/hosts.csv'"

# A gnuplot that fails (reads everything, draws nothing, exits 1): the report still
# renders and says which charts failed and where gnuplot's messages are.
mkdir -p "$T/badgp"
printf '#!/bin/sh\ncat >/dev/null\necho "fake gnuplot: failing on purpose" >&2\nexit 1\n' > "$T/badgp/gnuplot"
chmod +x "$T/badgp/gnuplot"
PATH="$T/badgp:/usr/bin:/bin" "$KASANE" report "$DS" --plan "$PLAN" -o "$T/rep8" >/dev/null 2>"$T/err8"
check "failing gnuplot: report still renders" [ $? -eq 0 -a -s "$T/rep8/index.html" ]
check "failing gnuplot: stderr counts the failed charts" grep -q "chart(s) failed: see .*gnuplot.log" "$T/err8"
check "failing gnuplot: the page points to the log" grep -q "gnuplot failed on this chart" "$T/rep8/index.html"
check "failing gnuplot: its messages are in the log" grep -q "failing on purpose" "$T/rep8/charts/gnuplot.log"

# A report directory with a quote and a space in its name, parents created.
"$KASANE" report "$DS" --plan "$PLAN" -o "$T/it's a dir/new/rep" >/dev/null 2>&1
check "quoted path with missing parents: charts drawn" [ -s "$T/it's a dir/new/rep/charts/host_1.svg" ]
expect_exit "unwritable report directory" 1 "cannot create directory" "$KASANE" report "$DS" --plan "$PLAN" -o /proc/kasane/rep
check "licences: socket and core totals summed from hosts.csv" grep -q "3 hosts populate 6 sockets with 72 cores in total" "$H"
check "ports: NIC ports used summed from ports.csv" sh -c "grep -A1 'NIC ports used' '$H' | grep -q '>18<'"
# Payback after the horizon is said in words, not only by a line that never crosses.
cp -r "$PLAN" "$T/lateplan"
sed -i 's/^payback_months,.*/payback_months,133.5/' "$T/lateplan/summary.csv"
"$KASANE" report "$DS" --plan "$T/lateplan" -o "$T/rep9" >/dev/null 2>&1
check "payback after the horizon is noted" grep -q "payback falls after the cost horizon" "$T/rep9/index.html"
check "payback within the horizon is not" sh -c "! grep -q 'payback falls after' '$H'"
