# kasane plan --rules (issue 13) on generated estates: every hard rule holds in
# placement.csv (checked by tests/fixtures/rules/check_placement.awk, which shares no
# code with the planner), zones get their own hosts, ports and bounds, anti-affinity
# raises the bound, soft affinity cuts cross-host traffic of a flows.csv, every rule's
# cost is in summary.csv, rules.csv and the report; bad rules files fail naming file:line.
. "$(dirname "$0")/lib.sh"
CAT="$KASANE_ROOT/datasets/catalog/2008.csv"
CHECK="$FIX/rules/check_placement.awk"
sumkey() { awk -F, -v k="$1" '$1 == k {print $2}' "$2/summary.csv"; }
holds() { awk -F, -f "$CHECK" "$1" "$2" > "$T/check.out"; } # RULES PLACEMENT

"$KASANE" gen --servers 40 --days 2 --step 900 --seed 13 -q -o "$T/ds" >/dev/null 2>&1
check "generated estate" test -s "$T/ds/samples.csv"

# ---- every hard rule type, two zones (DMZ, internal), on one estate -------------------
cat > "$T/rules.csv" <<'EOF'
rule,type,members,target,weight
dc-apart,anti-affinity,legacy01;legacy02;legacy03,,
web-cache,affinity,web01;app01,,
dmz,zone,web01;web02;app01;web03;web04;web05;web06;host01,dmz,
internal,zone,db01;db02;db03;app02;app03;host03,internal,
lic-db,pin,db01,host02,
lic-db2,pin,db02,host03,
fax,exclude,legacy12;legacy13,,
EOF
"$KASANE" plan "$T/ds" --catalog "$CAT" --rules "$T/rules.csv" -o "$T/p" >"$T/p.out" 2>&1
check "plan with rules exits 0" test -s "$T/p/placement.csv"
check "every hard rule holds in placement.csv (independent check)" \
    holds "$T/rules.csv" "$T/p/placement.csv"
# Progress on a terminal (script(1) gives the plan a pty; shown from the start here
# instead of after 1 s), and none on a pipe: the summary alone
KASANE_PROGRESS_AFTER_S=0 script -qec "'$KASANE' plan '$T/ds' --catalog '$CAT' --rules '$T/rules.csv' -o '$T/ptty'" \
    "$T/typescript" >/dev/null 2>&1
check "progress on a terminal: the host models and the rule re-plans" sh -c \
    "tr '\r' '\n' < '$T/typescript' | grep -q 'kasane plan: [0-9]* s: host model 1 of ' &&
     tr '\r' '\n' < '$T/typescript' | grep -q 'kasane plan: [0-9]* s: rule costs: [0-9]* of [0-9]* re-plans'"
check "progress on a terminal: the same plan as without it" cmp -s "$T/p/placement.csv" "$T/ptty/placement.csv"
KASANE_PROGRESS_AFTER_S=0 "$KASANE" plan "$T/ds" --catalog "$CAT" --rules "$T/rules.csv" -o "$T/pnotty" \
    >/dev/null 2>"$T/pnotty.err"
check "no progress on a pipe: stderr empty" test ! -s "$T/pnotty.err"
"$KASANE" plan "$T/ds" --catalog "$CAT" -o "$T/p0" >/dev/null 2>&1
if holds "$T/rules.csv" "$T/p0/placement.csv"; then
    notok "the checker finds violations in a plan made without the rules"
else ok "the checker finds violations in a plan made without the rules"; fi
check "excluded entities: host -, host_model physical" \
    test "$(grep -cE '^legacy1[23],-,physical$' "$T/p/placement.csv")" -eq 2
check "summary counts the excluded ones out of the sources" \
    test "$(sumkey sources "$T/p")" -eq 38
check "rules.csv: every hard rule honoured" \
    test "$(awk -F, 'NR > 1 && $6 != "yes"' "$T/p/rules.csv" | wc -l)" -eq 0
# zones: separate host pools (checked above), ports and bounds per zone
dmz_hosts=$(awk -F, '$1 == "dmz" {print $3}' "$T/p/zones.csv")
check "zones.csv has dmz, internal and the rest" \
    test "$(awk -F, 'NR > 1' "$T/p/zones.csv" | wc -l)" -eq 3
check "dmz hosts in zones.csv match placement.csv ($dmz_hosts)" test "$dmz_hosts" -eq \
    "$(awk -F, 'NR == FNR { if ($2 == "zone" && $4 == "dmz") n = split($3, m, ";"); next }
       { for (i = 1; i <= n; i++) if ($1 == m[i]) h[$2] = 1 }
       END { for (k in h) c++; print c + 1 }' "$T/rules.csv" "$T/p/placement.csv")"
check "per-zone lower bounds sum to lower_bound_hosts" test "$(sumkey lower_bound_hosts "$T/p")" \
    -eq "$(awk -F, 'NR > 1 {s += $5} END {print s}' "$T/p/zones.csv")"
check "per-zone switch ports sum to switch_ports" test "$(sumkey switch_ports "$T/p")" \
    -eq "$(awk -F, 'NR > 1 {s += $6} END {print s}' "$T/p/zones.csv")"
check "summary has per-zone keys" grep -q '^zone_dmz_switch_ports,' "$T/p/summary.csv"
# the cost of each rule: hosts with and without
check "summary: rules and rules_cost_hosts" \
    test "$(sumkey rules "$T/p")" = 7 -a -n "$(sumkey rules_cost_hosts "$T/p")"
check "rules_cost_hosts = hosts - hosts_without_rules" test "$(sumkey rules_cost_hosts "$T/p")" \
    -eq $(( $(sumkey hosts "$T/p") - $(sumkey hosts_without_rules "$T/p") ))
check "rules.csv: hosts_without and cost_hosts for every rule" \
    test "$(awk -F, 'NR > 1 && $8 != "" && $9 == $7 - $8' "$T/p/rules.csv" | wc -l)" -eq 7
check "zones cost hosts (separate pools)" \
    awk -F, '$1 == "dmz" && $9 > 0 {f = 1} END {exit !f}' "$T/p/rules.csv"
check "anti-affinity notes say whether it survives a failover (every host failed)" \
    grep -qE '^dc-apart,.*(kept after the failure of any one host|NOT kept after host[0-9]+ fails)' \
    "$T/p/rules.csv"
check "zones.csv and summary say whether the rules survive failover" \
    sh -c "head -1 '$T/p/zones.csv' | grep -q failover_keeps_rules && \
           grep -qE '^rules_kept_after_failover,(yes|no)$' '$T/p/summary.csv'"
check "plan output says how many rules held" grep -q "rules: 7 of 7 honoured" "$T/p.out"

# report: a Placement rules section with the costs; without rules.csv a one-line note
"$KASANE" report "$T/ds" --plan "$T/p" -o "$T/r" >/dev/null 2>&1
check "report has the Placement rules section" grep -q 'id="rules"' "$T/r/index.html"
check "executive summary says the excluded servers stay physical" \
    grep -q 'Besides these, <span class="num" data-key="excluded_entities" data-value="2">2</span> server(s) stay physical' "$T/r/index.html"
check "effective policy shows settings as given (power-price 0.1032, not rounded to 0.1)" \
    grep -q '<td>power-price</td><td class="n">0.1032</td>' "$T/r/index.html"
check "report shows each rule's cost" grep -q 'lic-db' "$T/r/tables/rules.csv"
check "report's own check agrees on every hard rule" \
    test "$(awk -F, 'NR > 1 && $2 != "soft-affinity" && $NF != "yes"' "$T/r/tables/rules.csv" | wc -l)" -eq 0
# a placement edited by hand (legacy02 moved onto legacy01's host): the report sees it
cp -r "$T/p" "$T/pt" && rm "$T/pt/manifest.csv" # edited by hand below, on purpose
h1=$(awk -F, '$1 == "legacy01" {print $2}' "$T/p/placement.csv")
awk -F, -v OFS=, -v h="$h1" '$1 == "legacy02" {$2 = h} {print}' "$T/p/placement.csv" > "$T/pt/placement.csv"
"$KASANE" report "$T/ds" --plan "$T/pt" -o "$T/rt" >/dev/null 2>&1
check "report's own check finds the broken anti-affinity" \
    grep -q '^dc-apart,.*,no$' "$T/rt/tables/rules.csv"
"$KASANE" report "$T/ds" --plan "$T/p0" -o "$T/r0" >/dev/null 2>&1
check "report without rules: a note" grep -q 'planned without placement rules' "$T/r0/index.html"

# ---- anti-affinity larger than the hosts raises the bound --------------------------------
printf 'rule,type,members,target,weight\nspread,anti-affinity,%s,,\n' \
    "$(seq -f 'legacy%02g' 1 12 | paste -sd';')" > "$T/anti.csv"
"$KASANE" plan "$T/ds" --catalog "$CAT" --ha 0 --rules "$T/anti.csv" -o "$T/pa" >/dev/null 2>&1
check "12-member anti-affinity: lower bound >= 12" test "$(sumkey lower_bound_hosts "$T/pa")" -ge 12
check "12-member anti-affinity holds" holds "$T/anti.csv" "$T/pa/placement.csv"

# ---- soft affinity and flows.csv ------------------------------------------------------
# Flows by IP: the inventory's `ips` column (space-separated, as collect writes it) maps
# its second address 10.0.0.N to an entity; groups of four legacy/file servers talk
# among themselves, plus some background traffic.
awk -F, -v OFS=, 'NR == 1 {print $0, "ips"; next} {print $0, "192.168.9." NR " 10.0.0." NR}' \
    "$T/ds/inventory.csv" > "$T/inv" && mv "$T/inv" "$T/ds/inventory.csv" &&
    rm -f "$T/ds/manifest.csv" # the dataset is edited by hand from here on
awk -F, 'NR > 1 {print "10.0.0." NR, $1}' "$T/ds/inventory.csv" > "$T/ips"
{
    echo "time,entity,src,dst,proto,dport,bytes,packets"
    g=0
    for grp in "legacy01 legacy05 legacy09 file01" "legacy02 legacy06 legacy10 file02" \
               "legacy03 legacy07 legacy11 file03"; do
        g=$((g + 1))
        for a in $grp; do for b in $grp; do
            [ "$a" \< "$b" ] || continue
            ip=$(awk -v e="$a" '$2 == e {print $1}' "$T/ips")
            echo "1206317700,$a,$ip,$b,tcp,445,$((g * 1000000)),900"
        done; done
    done
    echo "1206317700,web01,web01,legacy04,tcp,80,5000,10"
} > "$T/ds/flows.csv"
cat > "$T/soft.csv" <<'EOF'
rule,type,members,target,weight
g1,soft-affinity,legacy01;legacy05;legacy09;file01,,
g2,soft-affinity,legacy02;legacy06;legacy10;file02,,
g3,soft-affinity,legacy03;legacy07;legacy11;file03,,
EOF
"$KASANE" plan "$T/ds" --catalog "$CAT" --rules "$T/soft.csv" -o "$T/ps" >/dev/null 2>&1
"$KASANE" plan "$T/ds" --catalog "$CAT" -o "$T/pn" >/dev/null 2>&1
# cross-host bytes from placement.csv and flows.csv, by awk (no planner code)
cross() { # PLAN [PORT]: bytes between entities on different hosts (of flows to PORT)
    awk -F'[ ,]' -v port="${2:-}" 'FILENAME == ARGV[1] { ip[$1] = $2; next }
             FILENAME == ARGV[2] { if (FNR > 1) h[$1] = $2; next }
             FNR > 1 && (port == "" || $6 == port) {
                       s = ($3 in ip) ? ip[$3] : $3; d = ($4 in ip) ? ip[$4] : $4
                       if (h[s] != h[d]) x += $7 }
             END { print x + 0 }' "$T/ips" "$1/placement.csv" "$T/ds/flows.csv"
}
with=$(cross "$T/ps"); without=$(cross "$T/pn")
check "soft affinity cuts cross-host bytes by half or more ($without -> $with)" \
    test "$((with * 2))" -le "$without" -a "$without" -gt 0
check "soft affinity costs no host" test "$(sumkey hosts "$T/ps")" -le "$(sumkey hosts "$T/pn")"
check "soft weights come from flows.csv" grep -q ' (flows.csv) across hosts' "$T/ps/rules.csv"
check "summary: soft_affinity_cross_bytes matches the placement's group traffic" \
    test "$(sumkey soft_affinity_cross_bytes "$T/ps")" = "$(cross "$T/ps" 445)"
check "summary: soft_affinity_total_bytes is all group traffic" \
    test "$(sumkey soft_affinity_total_bytes "$T/ps")" = \
    "$(awk -F, '$6 == 445 {s += $7} END {print s}' "$T/ds/flows.csv")"

# ---- bad input: every problem together, file:line each, nothing written -------------------
cat > "$T/bad.csv" <<'EOF'
rule,type,members,target,weight
a,anti-affinity,legacy01;nosuch01,,
b,colocate,legacy02;legacy03,,
z1,zone,web01;web02,dmz,
z2,zone,web02,internal,
p1,pin,db01,host01,
p2,pin,db02,host01,
anti-pinned,anti-affinity,db01;db02,,
z3,zone,db01,dmz,
EOF
expect_exit "bad rules: unknown entity named with file:line" 1 "bad.csv:2: .*unknown entity 'nosuch01'" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --rules "$T/bad.csv" -o "$T/pbad"
for pat in "bad.csv:3: .*unknown rule type 'colocate'" "bad.csv:5: .*'web02' is already in zone 'dmz' \(line 4\)" \
           "bad.csv:8: anti-affinity 'anti-pinned'.*more members than allowed hosts" \
           "bad.csv:7: pin 'p2': host01 is in zone dmz \(pin 'p1', line 6\), outside the zone \(none\)"; do
    check "reported together: $pat" grep -qE "$pat" "$T/.err"
done
check "nothing written for bad rules" test ! -e "$T/pbad"
printf 'rule,type,members,target,weight\np,pin,db01,host02,\nz,zone,db01,dmz,\nq,pin,db03,host02,\n' > "$T/pz.csv"
expect_exit "pin to a host outside the entity's zone" 1 \
    "pz.csv:4: pin 'q': host02 is in zone dmz" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --rules "$T/pz.csv" -o "$T/pbad"
printf 'rule,type,members,target,weight\nz,zone,web01;host01,dmz,\np,pin,db01,host01,\ny,zone,db02;host01,lan,\n' > "$T/ph.csv"
expect_exit "pin to a host the zone rules give another zone" 1 \
    "ph.csv:3: pin 'p': host01 is in zone dmz \(zone 'z', line 2\), outside the zone \(none\)" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --rules "$T/ph.csv" -o "$T/pbad"
check "a host named for two zones, reported with it" \
    grep -q "ph.csv:4: zone 'y': host01 is already in zone 'dmz' (line 2)" "$T/.err"
printf 'rule,type,members,target,weight\nall,affinity,%s,,\n' \
    "$(awk -F, 'NR > 1 {print $1}' "$T/ds/inventory.csv" | paste -sd';')" > "$T/big.csv"
expect_exit "affinity group larger than any host" 1 \
    "big.csv:2: affinity 'all': its members together need .* more than any host" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --rules "$T/big.csv" -o "$T/pbad"
check "nothing written for a group too big" test ! -e "$T/pbad"
expect_exit "missing rules file" 1 "nosuch.csv" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --rules "$T/nosuch.csv" -o "$T/pbad"
