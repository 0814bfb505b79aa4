# The report's traffic section over several datasets: the basic room split in two
# (front end and back end, collected on different hosts), each with its own flows.csv.
# Every dataset's flows count; a flow captured at both ends (one end in each dataset)
# counts once, from its source's capture. Expected totals are recomputed here with awk
# from the fixtures, independently of the C code.
. "$(dirname "$0")/lib.sh"
F="$FIX/report/basic"
FL="$FIX/report_flows"

# split the inventory and samples by entity; ips from ips.csv
split_ds() { # DIR ENTITY-REGEX
    mkdir -p "$1"
    awk -F, -v OFS=, -v re="$2" 'NR == FNR { ip[$1] = $2; next }
        FNR == 1 { print $0, "ips"; next } $1 ~ re { print $0, ip[$1] }' \
        "$FL/ips.csv" "$F/dataset/inventory.csv" >"$1/inventory.csv"
    awk -F, -v re="$2" 'NR == 1 || $2 ~ re' "$F/dataset/samples.csv" >"$1/samples.csv"
}
split_ds "$T/front" '^(web|app)'
split_ds "$T/back" '^(db|batch|idle)'
cp "$FL/front_flows.csv" "$T/front/flows.csv"
cp "$FL/back_flows.csv" "$T/back/flows.csv"

# expect DIR...: the flows.csv rows that count, as "src_entity,dst_entity,src_host,
# dst_host,bytes" lines (address -> entity by ips or name, else outside; entity -> host by
# placement.csv; a row counts when its capturer is the source or the source captured
# nothing), then summed per entity pair (pairs) and per host pair (hosts).
expect() {
    for d in "$@"; do [ -e "$d/flows.csv" ] && tail -n +2 "$d/flows.csv"; done >"$T/rows"
    for d in "$@"; do tail -n +2 "$d/inventory.csv"; done >"$T/inv"
    awk -F, 'FILENAME ~ /inv$/ { own[$1] = $1; n = split($NF, a, " ");
                                 for (i = 1; i <= n; i++) own[a[i]] = $1; next }
        FILENAME ~ /placement/ { if (FNR > 1 && $2 != "-") host[$1] = $2; next }
        FILENAME ~ /rows$/ && pass == 0 { cap[$2] = 1; next }
        { s = ($3 in own) ? own[$3] : "outside"; t = ($4 in own) ? own[$4] : "outside"
          if (s != $2 && (s in cap)) next
          hs = (s in host) ? host[s] : s; ht = (t in host) ? host[t] : t
          pb[s "," t] += $7; hb[hs "," ht] += $7 }
        END { for (k in pb) print k "," pb[k] > "'"$T"'/pairs"
              for (k in hb) print k "," hb[k] > "'"$T"'/hosts" }' \
        "$T/inv" "$F/plan/placement.csv" "$T/rows" pass=1 "$T/rows"
    sort -o "$T/pairs" "$T/pairs"
    sort -o "$T/hosts" "$T/hosts"
}
got() { tail -n +2 "$1" | cut -d, -f1-3 | sort; } # src,dst,bytes of a report table

"$KASANE" report "$T/front" "$T/back" --plan "$F/plan" -o "$T/rep" >/dev/null 2>"$T/err"
check "report over two datasets with flows runs" [ $? -eq 0 ]
expect "$T/front" "$T/back"
check "top talkers: every counted pair of both datasets with its byte total" \
    sh -c "[ \"\$(cat '$T/pairs')\" = \"$(got "$T/rep/tables/top_talkers.csv")\" ]"
check "traffic matrix: host pairs with the byte totals of both datasets" \
    sh -c "[ \"\$(cat '$T/hosts')\" = \"$(got "$T/rep/tables/traffic_matrix.csv")\" ]"
# talkers from each side: every entity that captured in front/ or in back/ is a source
# in top talkers (each captured at least one flow it sent)
for side in front back; do
    caps=$(tail -n +2 "$T/$side/flows.csv" | cut -d, -f2 | sort -u | tr '\n' ' ')
    miss=$(for e in $caps; do grep -q "^$e," "$T/rep/tables/top_talkers.csv" || echo "$e"; done)
    check "talkers captured in $side/ ($caps) are all in top talkers" [ -z "$miss" ]
done
# web01 -> db01 is in both captures (sender web01 in front/, receiver db01 in back/)
w2d=$(awk -F, '$2 == "web01" && $3 == "10.0.0.1" && $4 == "10.0.1.1" { s += $7 } END { print s }' \
    "$T/front/flows.csv")
check "a flow captured at both ends counts once: web01->db01 = web01's view ($w2d)" \
    grep -q "^web01,db01,$w2d," "$T/rep/tables/top_talkers.csv"
rows_of() { echo $(($(wc -l <"$1") - 1)); }
src=$(tail -n +2 "$T/rep/tables/flow_sources.csv" | tr '\n' ' ')
check "flow_sources: each dataset with its row count ($src)" \
    [ "$src" = "$T/front,$(rows_of "$T/front/flows.csv") $T/back,$(rows_of "$T/back/flows.csv") " ]
check "the page says which datasets contributed flows" \
    grep -q "2 of 2 have flows.csv" "$T/rep/index.html"
# The same two datasets as one directory of datasets (one argument): same totals.
mkdir "$T/fleet" && cp -r "$T/front" "$T/back" "$T/fleet/"
"$KASANE" report "$T/fleet" --plan "$F/plan" -o "$T/repf" >/dev/null 2>&1
check "a directory of datasets: the same top talkers" \
    cmp -s "$T/rep/tables/top_talkers.csv" "$T/repf/tables/top_talkers.csv"
check "a directory of datasets: both in flow_sources" \
    [ "$(tail -n +2 "$T/repf/tables/flow_sources.csv" | cut -d, -f1 | tr '\n' ' ')" = "$T/fleet/back $T/fleet/front " ]
check "tidy finds no HTML error" sh -c "tidy -q -errors '$T/rep/index.html' >/dev/null 2>&1; [ \$? -lt 2 ]"

# The first dataset without flows.csv (the case that used to hide every flow): the
# second one's flows are all there, and a receiver's view now counts (its source no
# longer captures).
mv "$T/front/flows.csv" "$T/front_flows.csv"
"$KASANE" report "$T/front" "$T/back" --plan "$F/plan" -o "$T/rep2" >/dev/null 2>&1
check "first dataset without flows.csv: report runs" [ -s "$T/rep2/tables/top_talkers.csv" ]
expect "$T/front" "$T/back"
check "first dataset without flows.csv: the second's pairs and totals" \
    sh -c "[ \"\$(cat '$T/pairs')\" = \"$(got "$T/rep2/tables/top_talkers.csv")\" ]"
check "flow_sources: front/ has no flows.csv (empty row count)" \
    grep -qx "$T/front," "$T/rep2/tables/flow_sources.csv"
check "the page says 1 of 2" grep -q "1 of 2 have flows.csv" "$T/rep2/index.html"

# Neither has flows.csv: the note says so for all of them.
mv "$T/back/flows.csv" "$T/back_flows.csv"
"$KASANE" report "$T/front" "$T/back" --plan "$F/plan" -o "$T/rep3" >/dev/null 2>&1
check "no flows anywhere: one note" grep -q "None of the datasets has flows.csv" "$T/rep3/index.html"

# A capturing entity in both datasets' flows.csv: refused, as merge refuses an entity
# in two datasets, naming both.
mv "$T/front_flows.csv" "$T/front/flows.csv"
mv "$T/back_flows.csv" "$T/back/flows.csv"
echo "1000,probe9,10.0.9.9,10.0.0.1,tcp,22,10,1" >>"$T/front/flows.csv"
echo "1060,probe9,10.0.9.9,10.0.1.1,tcp,22,10,1" >>"$T/back/flows.csv"
line=$(wc -l <"$T/back/flows.csv")
expect_exit "one capturer in two datasets: exit 1 naming both" 1 \
    "back/flows.csv:$line: entity 'probe9' also captured flows in .*front" \
    "$KASANE" report "$T/front" "$T/back" --plan "$F/plan" -o "$T/rep4"

# The same room as one dataset (inventories, samples and flows concatenated): no
# flow_sources table, and the same totals as the two datasets together.
sed -i '$d' "$T/front/flows.csv"
sed -i '$d' "$T/back/flows.csv"
mkdir "$T/one"
split_ds "$T/one" '.'
cat "$T/front/flows.csv" >"$T/one/flows.csv"
tail -n +2 "$T/back/flows.csv" >>"$T/one/flows.csv"
"$KASANE" report "$T/one" --plan "$F/plan" -o "$T/rep5" >/dev/null 2>&1
check "one dataset: no flow_sources table, no sources sentence" sh -c \
    "[ -s '$T/rep5/tables/top_talkers.csv' ] && [ ! -e '$T/rep5/tables/flow_sources.csv' ] &&
     ! grep -q 'have flows.csv' '$T/rep5/index.html'"
check "one dataset: the same traffic matrix as the two datasets" \
    cmp -s "$T/rep/tables/traffic_matrix.csv" "$T/rep5/tables/traffic_matrix.csv"
