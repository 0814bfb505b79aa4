# kasane plan + report: the cost comparison of a demo-sized estate (60 servers of the
# demo room, one day). The cost lines, the totals and the break-even month are recomputed
# here from the policy figures in summary.csv and the rows of tco.csv, not read back from
# the planner's own totals; the report must show the table by line, the per-year table,
# the break-even month and every cost figure with its source. Bad cost keys fail naming
# the key (and the file and line from a policy file).
. "$(dirname "$0")/lib.sh"
ROOT=${KASANE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
CAT="$ROOT/datasets/catalog/2008.csv"
P="$T/plan"

"$KASANE" gen --servers 60 --days 1 --step 300 --seed 2008 --profile mix -o "$T/ds" >/dev/null
check "plan of the demo-sized estate" sh -c '"$KASANE" plan "$1" --catalog "$2" -o "$3" > "$4"' \
    _ "$T/ds" "$CAT" "$P" "$T/out"
S="$P/summary.csv"
val() { grep "^$1," "$S" | cut -d, -f2; }

keys="capex opex_per_year status_quo_opex_per_year savings_per_year payback_months total_cost"
for side in status_quo consolidated; do
    for l in power support hardware licences rack admin; do keys="$keys ${side}_${l}_total"; done
    keys="$keys ${side}_total"
done
keys="$keys savings_total migration_cost breakeven_month source_price source_life_years support_pct warranty_years os_per_server admin_hours admin_hour_price migration_hours"
check "summary has every cost key" sh -c 'for k in $2; do grep -q "^$k,[0-9.]" "$1" || { echo "missing $k"; exit 1; }; done' _ "$S" "$keys"
check "tco.csv: years 0..5 of both sides" test "$(tail -n +2 "$P/tco.csv" | wc -l)" -eq 12
check "human summary states the totals" grep -q "over 5 years: status quo" "$T/out"

# Lines that follow from the policy figures alone (5 years, default policy).
NSRC=$(val sources)
# close A B: equal to the cent (both sides are rounded to cents somewhere).
close() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.051) }'; }
check "status quo refresh = servers x price / life x years" close "$(val status_quo_hardware_total)" \
    "$(awk -v n="$NSRC" -v p="$(val source_price)" -v l="$(val source_life_years)" 'BEGIN { printf "%.2f", n * p / l * 5 }')"
check "status quo admin = servers x hours x price x years" close "$(val status_quo_admin_total)" \
    "$(awk -v n="$NSRC" -v h="$(val admin_hours)" -v p="$(val admin_hour_price)" 'BEGIN { printf "%.2f", n * h * p * 5 }')"
check "licences: guests keep the servers' OS cost" close "$(val status_quo_licences_total)" "$(val consolidated_licences_total)"
check "host support only after the warranty" close "$(val consolidated_support_total)" \
    "$(awk -v c="$(val capex_hosts)" -v s="$(val support_pct)" -v w="$(val warranty_years)" 'BEGIN { printf "%.2f", c * s / 100 * (5 - w) }')"
check "migration = servers x hours x price" close "$(val migration_cost)" \
    "$(awk -v n="$NSRC" -v h="$(val migration_hours)" -v p="$(val admin_hour_price)" 'BEGIN { printf "%.2f", n * h * p }')"

# Totals and break-even from tco.csv's rows (independent of the planner's sums).
sums=$(awk -F, 'NR > 1 { t[$2] += $3 + $4 + $5 + $6 + $7 + $8 } END { printf "%.2f %.2f", t["status_quo"], t["consolidated"] }' "$P/tco.csv")
check "status quo total = sum of its rows" close "$(val status_quo_total)" "${sums% *}"
check "consolidated total = sum of its rows" close "$(val consolidated_total)" "${sums#* }"
check "consolidated total = capex + migration + running" close "$(val consolidated_total)" \
    "$(awk -v c="$(val capex)" -v m="$(val migration_cost)" -v o="$(val opex_per_year)" 'BEGIN { printf "%.2f", c + m + o * 5 }')"
pb=$(awk -F, 'NR > 1 { row = $3 + $4 + $5 + $6 + $7 + $8; if ($2 == "status_quo") sq[$1] = row; else pl[$1] = row }
    END { gap = pl[0] - sq[0]; for (y = 1; y <= 5; y++) { s = sq[y] - pl[y];
          if (s >= gap) { printf "%.4f", (y - 1 + gap / s) * 12; exit } gap -= s } print "nan" }' "$P/tco.csv")
check "payback_months ($(val payback_months)) = crossing of the cumulative rows ($pb)" close "$(val payback_months)" "$pb"
check "breakeven_month = the month it falls in" test "$(val breakeven_month)" -eq "$(awk -v p="$pb" 'BEGIN { m = int(p); if (m < p) m++; print m }')"

# The report: table by line, per-year table, break-even month, cost figures and sources.
"$KASANE" report "$T/ds" --plan "$P" -o "$T/rep" >/dev/null
H="$T/rep/index.html"
sed -n '/<section id="cost"/,/<\/section>/p' "$H" > "$T/cost.html"
check "report: cost table by line" grep -q '<td>Hardware: refresh / purchase</td>' "$T/cost.html"
check "report: per-year table of both sides" sh -c "grep -c '<td>consolidated</td>' '$T/cost.html' | grep -qx 6"
check "report: break-even month" grep -q "Break-even: <strong>month $(val breakeven_month)</strong>" "$T/cost.html"
check "report: tables/cost_lines.csv and tco.csv" test -s "$T/rep/tables/cost_lines.csv" -a -s "$T/rep/tables/tco.csv"
# tco.csv cells are in cents, so the report's sums may differ from the model's by a cent.
tot=$(grep '^Total,' "$T/rep/tables/cost_lines.csv")
check "report: cost_lines total row = status quo total" close "$(echo "$tot" | cut -d, -f2)" "$(val status_quo_total)"
check "report: cost_lines total row = consolidated total" close "$(echo "$tot" | cut -d, -f3)" "$(val consolidated_total)"
check "report: cost chart by line" test -s "$T/rep/charts/cost_lines.svg"
sed -n '/<section id="assumptions"/,/<\/section>/p' "$H" > "$T/assume.html"
check "report: assumptions list the cost figures" grep -q "<h3>Cost figures</h3>" "$T/assume.html"
check "report: unverified figures are marked" sh -c "grep -c '(unverified, assumption)' '$T/assume.html' | awk '{ exit !(\$1 >= 5) }'"
check "report: sourced figures name their source" grep -q "Uptime Institute" "$T/assume.html"
check "report: well-formed HTML" sh -c "tidy -errors -q '$H' 2>&1 | grep -c 'Error:' | grep -qx 0"

# Shared storage is sized apart (storage.csv): the report says so and moves break-even
# by its capex and yearly cost, recomputed here from tables/cost.csv.
"$KASANE" plan "$T/ds" --catalog "$CAT" --storage-catalog "$ROOT/datasets/storage" -o "$T/st" >/dev/null
"$KASANE" report "$T/ds" --plan "$T/st" -o "$T/rep_st" >/dev/null
sv() { grep "^$1," "$T/st/storage.csv" | cut -d, -f2; }
want=$(awk -F, -v c="$(sv capex_storage)" -v o="$(sv opex_storage_per_year)" 'NR > 1 { sq[$1] = $2; pl[$1] = $3 + c + o * $1; n = $1 }
    END { gap = pl[0] - sq[0]; for (y = 1; y <= n; y++) { s = (sq[y] - sq[y-1]) - (pl[y] - pl[y-1]);
          if (s >= gap) { m = (y - 1 + gap / s) * 12; r = int(m); if (r < m) r++; print r; exit } gap -= s } print "never" }' "$T/rep_st/tables/cost.csv")
check "report: storage left out is noted, break-even with it in month $want" \
    grep -q "Not included above: the shared storage array.*break-even falls in month $want\." "$T/rep_st/index.html"
check "report: no storage note without storage" sh -c "! grep -q 'Not included above' '$H'"

# Changing a figure moves its line, and only the lines that use it.
"$KASANE" plan "$T/ds" --catalog "$CAT" --source-life-years 0 -o "$T/nolife" >/dev/null
check "no refresh: status quo hardware line is 0" sh -c "grep -qx 'status_quo_hardware_total,0' '$T/nolife/summary.csv'"
check "no refresh: the status quo's support covers every server" close \
    "$(grep '^status_quo_support_total,' "$T/nolife/summary.csv" | cut -d, -f2)" \
    "$(awk -v n="$NSRC" -v p="$(val source_price)" -v s="$(val support_pct)" 'BEGIN { printf "%.2f", n * p * s / 100 * 5 }')"

# Bad cost figures.
expect_exit "bad flag value names the key" 2 "support-pct '101'" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --support-pct 101 -o "$T/x"
printf '[cost]\nsource-price = 5000\nwarranty-years = soon\n' > "$T/bad.ini"
expect_exit "bad policy file value names file, line and key" 1 "bad.ini:3: warranty-years 'soon'" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --policy "$T/bad.ini" -o "$T/x"
printf 'watts-per-server = 5\n' > "$T/unknown.ini"
expect_exit "unknown key in a policy file" 1 "unknown.ini:1: unknown policy key 'watts-per-server'" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --policy "$T/unknown.ini" -o "$T/x"
# edited by hand on purpose: without its manifest.csv, as docs/formats.md says
rm "$T/ds/manifest.csv"
sed -i '1s/$/,watts_idle,watts_max/; 2s/$/,90,lots/; 3,$s/$/,,/' "$T/ds/inventory.csv"
expect_exit "bad watts in the inventory names entity and column" 1 "watts_max 'lots'" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" -o "$T/x"
