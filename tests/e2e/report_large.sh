# A report of a large estate (above RPT_SMALL_ESTATE = 60 servers) aggregates: the
# estate heatmap shows nine percentile bands, not a row per server, and each band is
# recomputed here from the dataset; the placement and hosts tables show 50 rows inline
# with a link to their CSV, which keeps every row; at most 24 host charts, the busiest.
# 80 servers x 1 day from kasane gen, planned by kasane plan.
. "$(dirname "$0")/lib.sh"
"$KASANE" gen --servers 80 --days 1 --seed 3 -o "$T/ds" >/dev/null 2>"$T/gerr"
"$KASANE" plan "$T/ds" --catalog "$FIX/report/catalog.csv" -o "$T/plan" >/dev/null 2>"$T/perr"
check "kasane plan planned 80 servers" [ -s "$T/plan/placement.csv" ]
"$KASANE" report "$T/ds" --plan "$T/plan" -o "$T/rep" >/dev/null 2>"$T/rerr"
check "kasane report exits 0 on 80 servers" [ $? -eq 0 -a -s "$T/rep/index.html" ]
gp="$T/rep/charts/estate_heatmap.gp"
rows=$(awk '/^\$data << EOD/ { on = 1; next } /^EOD/ { on = 0 } on' "$gp" | wc -l)
check "the heatmap has 9 percentile bands, not 80 rows (got $rows)" [ "$rows" -eq 9 ]
check "the bands are labelled max ... min" grep -q "set ytics font ',10' ('max' 0, 'p99' 1, 'p95' 2, 'p90' 3, 'p75' 4, 'p50' 5, 'p25' 6, 'p10' 7, 'min' 8)" "$gp"
# The max and p50 bands' first column against the samples of the first step: one day
# at 300 s is 288 steps, under the 500 columns, so a column is one step.
awk '/^\$data << EOD/ { getline; print $1; exit }' "$gp" > "$T/band_max"
awk '/^\$data << EOD/ { getline; getline; getline; getline; getline; getline; print $1; exit }' "$gp" > "$T/band_p50"
t1=$(awk -F, 'NR == 2 { print $1; exit }' "$T/ds/samples.csv")
awk -F, -v t="$t1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cpu_pct") c = i; next }
    $1 == t { v[++n] = $c + 0 } END {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j] < v[j-1]; j--) { x = v[j]; v[j] = v[j-1]; v[j-1] = x }
        k = int(n * 0.5); if (k < n * 0.5) k++
        printf "%s %s\n", v[n], v[k] }' "$T/ds/samples.csv" > "$T/want"
check "the max and p50 bands of the first window match the samples ($(cat "$T/want"))" sh -c "
    awk -v a=\"\$(cat '$T/band_max')\" -v b=\"\$(cat '$T/band_p50')\" '{ exit !((a - \$1) ^ 2 < 1e-6 && (b - \$2) ^ 2 < 1e-6) }' '$T/want'"
check "the placement table shows 50 of 80 rows inline" grep -q "50 of 80 rows shown" "$T/rep/index.html"
check "and links its CSV" grep -q '<a href="tables/placement.csv">' "$T/rep/index.html"
check "tables/placement.csv keeps every server" [ "$(wc -l < "$T/rep/tables/placement.csv")" -eq 81 ]
n=$(ls "$T/rep/charts/" | grep -c '^host_.*\.svg$')
check "at most 24 host charts ($n)" [ "$n" -le 24 -a "$n" -ge 1 ]
check "every chart drawn" sh -c "! grep -q 'chart(s) failed' '$T/rerr'"
check "the large-estate page is well-formed" tidy -errors -q "$T/rep/index.html"
