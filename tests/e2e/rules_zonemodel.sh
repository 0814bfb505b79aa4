# kasane plan --rules with a zone on its own host model (rules column `model`,
# docs/rules.md): the DMZ on a 2-socket model, the rest on the 4-socket one the plan is
# given; hosts.csv, placement.csv, zones.csv and summary.csv name the models; capex_hosts
# is the catalog's price summed over hosts.csv; an unknown model is exit 1 with file:line.
. "$(dirname "$0")/lib.sh"
CAT="$KASANE_ROOT/datasets/catalog/2008.csv"
"$KASANE" gen --servers 40 --days 2 --step 900 --seed 13 -q -o "$T/ds" >/dev/null 2>&1
cat > "$T/r.csv" <<'R'
rule,type,members,target,weight,model
dmz,zone,web01;web02;web03;web04;web05;web06,dmz,,Dell PowerEdge 2950 III
R
"$KASANE" plan "$T/ds" --catalog "$CAT" --model "Dell PowerEdge R900" --rules "$T/r.csv" \
    -o "$T/p" >"$T/p.out" 2>&1
check "plan with a zone model exits 0" test -s "$T/p/hosts.csv"
sumkey() { awk -F, -v k="$1" '$1 == k {print $2}' "$T/p/summary.csv"; }
check "stdout counts hosts by model, as hosts.csv has them" grep -q \
    "hosts by model (a zone runs its own): $(grep -c ',Dell PowerEdge R900,' "$T/p/hosts.csv") x Dell PowerEdge R900, $(grep -c ',Dell PowerEdge 2950 III,' "$T/p/hosts.csv") x Dell PowerEdge 2950 III" "$T/p.out"
dmz=$(sumkey zone_dmz_hosts)
check "hosts.csv: the dmz's $dmz hosts are 2950 III, the others R900" test \
    "$(grep -c ',Dell PowerEdge 2950 III,' "$T/p/hosts.csv"),$(grep -c ',Dell PowerEdge R900,' "$T/p/hosts.csv")" \
    = "$dmz,$(sumkey zone_unzoned_hosts)"
check "summary: zone_dmz_model and zone_unzoned_model" test \
    "$(sumkey zone_dmz_model)/$(sumkey zone_unzoned_model)" = "Dell PowerEdge 2950 III/Dell PowerEdge R900"
check "zones.csv: host_model per zone" grep -q '^dmz,.*,Dell PowerEdge 2950 III$' "$T/p/zones.csv"
check "placement.csv: web01 on a 2950 III" grep -q '^web01,host[0-9]*,Dell PowerEdge 2950 III$' "$T/p/placement.csv"
want=$(awk -F, 'NR == FNR { if (FNR > 1) price[$1] = $10; next }
                FNR > 1 { s += price[$2] } END { print s }' "$CAT" "$T/p/hosts.csv")
check "capex_hosts = catalog prices summed over hosts.csv ($want)" test "$(sumkey capex_hosts)" = "$want"
printf 'rule,type,members,target,weight,model\ndmz,zone,web01,dmz,,Nosuch 9000\n' > "$T/bad.csv"
expect_exit "unknown zone model: file, line and column" 1 \
    "bad.csv:2: column 'model': zone dmz: no host model 'Nosuch 9000' in the catalog" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --rules "$T/bad.csv" -o "$T/pbad"
check "nothing written for an unknown model" test ! -e "$T/pbad"
