# kasane plan over several datasets at once (issue 10): one collected on this machine,
# one imported (PlanetLab sample), one generated, planned together; plus the storage
# step of plan (issue 14) and its bad input.
. "$(dirname "$0")/lib.sh"
CAT="$KASANE_ROOT/datasets/catalog/current.csv"
now=$(date +%s)
start=$((now / 300 * 300 - 86400))
"$KASANE" collect -i 0.2 -n 3 -o "$T/collected" --entity probe-host >/dev/null 2>&1
check "collected dataset" test -s "$T/collected/samples.csv"
"$KASANE" import planetlab "$KASANE_ROOT/datasets/public/planetlab/20110303" --start "$start" \
    --cloudsim-types -q -o "$T/imported" >/dev/null 2>&1
check "imported dataset" test -s "$T/imported/samples.csv"
"$KASANE" gen --servers 6 --days 1 --step 300 --seed 7 --start "$start" -q -o "$T/generated" \
    >/dev/null 2>&1
check "generated dataset" test -s "$T/generated/samples.csv"

"$KASANE" plan "$T/collected" "$T/imported" "$T/generated" --catalog "$CAT" --ha 0 \
    -o "$T/plan" > "$T/plan.out" 2>&1
check "plan of three merged datasets exits 0" test -s "$T/plan/placement.csv"
# every entity of the three inventories is placed exactly once
cat "$T/collected/inventory.csv" "$T/imported/inventory.csv" "$T/generated/inventory.csv" |
    awk -F, '$1 != "entity" {print $1}' | sort > "$T/want"
awk -F, 'NR > 1 {print $1}' "$T/plan/placement.csv" | sort > "$T/got"
check "placement holds every merged entity once" cmp -s "$T/want" "$T/got"
sources=$(awk -F, '$1 == "sources" {print $2}' "$T/plan/summary.csv")
check "summary counts all sources ($sources)" test "$sources" -eq "$(wc -l < "$T/want")"

# the same directory of datasets given as one argument
mkdir "$T/fleet" && cp -r "$T/collected" "$T/imported" "$T/generated" "$T/fleet/"
"$KASANE" plan "$T/fleet" --catalog "$CAT" --ha 0 -o "$T/plan2" > /dev/null 2>&1
awk -F, 'NR > 1 {print $1}' "$T/plan2/placement.csv" | sort > "$T/got2"
check "a directory of datasets plans the same sources" cmp -s "$T/want" "$T/got2"

# an entity in two datasets is a clear error naming both
cp -r "$T/generated" "$T/dup"
expect_exit "entity clash across datasets" 1 "is in both .*generated.* and .*dup" \
    "$KASANE" plan "$T/generated" "$T/dup" --catalog "$CAT" -o "$T/plan3"

# storage sizing inside plan
"$KASANE" plan "$T/generated" --catalog "$CAT" --storage-catalog "$KASANE_ROOT/datasets/storage" \
    --rpo-min 15 -o "$T/plan4" > "$T/plan4.out" 2>&1
check "plan --storage-catalog writes storage.csv" test -s "$T/plan4/storage.csv"
check "storage sim configs written" test -s "$T/plan4/storage_sim_p95.ini"
check "storage rows in policy.csv" grep -q '^storage_rpo_min,15' "$T/plan4/policy.csv"
check "storage line in the summary" grep -q 'storage: .* IOPS' "$T/plan4.out"
expect_exit "unknown storage key" 1 "storage: .*unknown key 'frobs'" \
    "$KASANE" plan "$T/generated" --catalog "$CAT" --storage-catalog "$KASANE_ROOT/datasets/storage" \
    --storage frobs=1 -o "$T/plan5"
check "nothing written after a storage policy error" test ! -e "$T/plan5"

# kasane import prometheus: bad input through the real binary (the live path against a
# real Prometheus is tests/unit/test_prom_e2e.c and tests/e2e/prom_cli.sh)
expect_exit "prometheus unreachable" 1 "Prometheus unreachable" \
    "$KASANE" import prometheus http://127.0.0.1:9 --start now-1h --end now --step 60 -o "$T/p"
expect_exit "prometheus bad step" 2 "--step 'x'" \
    "$KASANE" import prometheus http://127.0.0.1:9 --start now-1h --end now --step x -o "$T/p"
expect_exit "prometheus missing options" 2 "needs --start" \
    "$KASANE" import prometheus http://127.0.0.1:9 -o "$T/p"

# kasane report over the same merged datasets (issue 10), and refused with only one
"$KASANE" report "$T/collected" "$T/imported" "$T/generated" --plan "$T/plan" -o "$T/rep" \
    > "$T/rep.out" 2>&1
check "report of three merged datasets" test -s "$T/rep/index.html"
check "report places every merged source" \
    test "$(awk -F, 'NR > 1' "$T/rep/tables/placement.csv" 2>/dev/null | wc -l)" -eq "$(wc -l < "$T/want")"
expect_exit "report with one dataset of a merged plan" 1 "another dataset|not in|match" \
    "$KASANE" report "$T/generated" --plan "$T/plan" -o "$T/rep2"
