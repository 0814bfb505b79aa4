# kasane plan --rules with pin sets (a pin whose target lists several hosts, docs/rules.md):
# on generated estates every member lands on a host of its set (checked by
# tests/fixtures/rules/check_placement.awk, which shares no code with the planner),
# rules.csv and the report say which host each member got and whether a failover keeps
# the set; a set too small for its members and bad targets fail naming file:line.
. "$(dirname "$0")/lib.sh"
CAT="$KASANE_ROOT/datasets/catalog/2008.csv"
CHECK="$FIX/rules/check_placement.awk"
holds() { awk -F, -f "$CHECK" "$1" "$2" > "$T/check.out"; } # RULES PLACEMENT
# the host of entity $1 in placement.csv of plan $2
on() { awk -F, -v e="$1" '$1 == e {print $2}' "$2/placement.csv"; }

# ---- several estates, overlapping sets, a one-host pin inside a set's hosts -----------
for seed in 13 21 34; do
    "$KASANE" gen --servers 40 --days 2 --step 900 --seed $seed -q -o "$T/ds$seed" >/dev/null 2>&1
    cat > "$T/r$seed.csv" <<'EOF'
rule,type,members,target,weight
lic-db,pin,db01;db02;db03,host01;host02,
lic-app,pin,app02;app03;file03,host03;host02,
one,pin,app04,host03,
dc-apart,anti-affinity,legacy01;legacy02;legacy03,,
EOF
    "$KASANE" plan "$T/ds$seed" --catalog "$CAT" --rules "$T/r$seed.csv" -o "$T/p$seed" \
        >"$T/p$seed.out" 2>&1
    check "seed $seed: plan with pin sets exits 0" test -s "$T/p$seed/placement.csv"
    check "seed $seed: every member on a host of its set (independent check)" \
        holds "$T/r$seed.csv" "$T/p$seed/placement.csv"
    check "seed $seed: rules.csv says yes for every rule" \
        test "$(awk -F, 'NR > 1 && $6 != "yes"' "$T/p$seed/rules.csv" | wc -l)" -eq 0
    said=0
    for e in db01 db02 db03 app02 app03 file03; do
        grep -q "$e on $(on $e "$T/p$seed")" "$T/p$seed/rules.csv" && said=$((said + 1))
    done
    check "seed $seed: rules.csv names the host each member got ($said of 6)" test $said -eq 6
done
# The checker sees a member moved out of its set: db01 onto a host outside host01;host02.
awk -F, -v OFS=, '$1 == "db01" {$2 = "host04"} {print}' "$T/p13/placement.csv" > "$T/moved.csv"
if holds "$T/r13.csv" "$T/moved.csv"; then notok "the checker finds a member outside its set"
else ok "the checker finds a member outside its set"; fi
check "failover verdict for each set in rules.csv" \
    test "$(grep -cE '^lic-(db|app),.*(failover keeps the set|NOT kept after host[0-9]+ fails: the set)' \
        "$T/p13/rules.csv")" -eq 2
"$KASANE" plan "$T/ds13" --catalog "$CAT" --ha 0 --rules "$T/r13.csv" -o "$T/pn" >/dev/null 2>&1
check "without HA no failover verdict" sh -c "! grep -q 'failover' '$T/pn/rules.csv'"

# report: its own check agrees (pin sets read from the target column)
"$KASANE" report "$T/ds13" --plan "$T/p13" -o "$T/r" >/dev/null 2>&1
check "report's own check: every hard rule holds" \
    test "$(awk -F, 'NR > 1 && $NF != "yes"' "$T/r/tables/rules.csv" | wc -l)" -eq 0
cp -r "$T/p13" "$T/pt" && cp "$T/moved.csv" "$T/pt/placement.csv" && rm "$T/pt/manifest.csv" # a hand edit
"$KASANE" report "$T/ds13" --plan "$T/pt" -o "$T/rt" >/dev/null 2>&1
check "report's own check finds db01 outside its set" grep -q '^lic-db,.*,no$' "$T/rt/tables/rules.csv"

# ---- a set too small for its members: every host model refused, saying why -----------
printf 'rule,type,members,target,weight\nsmall,pin,%s,host01;host02,\n' \
    "$(awk -F, 'NR > 1 {print $1}' "$T/ds13/inventory.csv" | paste -sd';')" > "$T/small.csv"
expect_exit "all 40 servers pinned to two hosts: no host model can keep it" 1 \
    "pin 'small': its members need (at least )?[0-9]+ hosts of this model, more than the 2 of its target host01;host02" \
    "$KASANE" plan "$T/ds13" --catalog "$CAT" --rules "$T/small.csv" -o "$T/psmall"

# ---- bad targets: file, line and column, exit 1, nothing written ----------------------
cat > "$T/bad.csv" <<'EOF'
rule,type,members,target,weight
a,pin,db01,host01;rack7,
b,pin,db02,host01;;host02,
c,pin,db03,host02;host02,
d,pin,app01,host01;host02,
e,pin,app01,host02;host03,
EOF
expect_exit "a set item that is not hostNN" 1 \
    "bad.csv:2: column 'target': pin 'a': 'rack7' in 'host01;rack7' is not a plan host" \
    "$KASANE" plan "$T/ds13" --catalog "$CAT" --rules "$T/bad.csv" -o "$T/pbad"
for pat in "bad.csv:3: column 'target': pin 'b': an empty item" \
           "bad.csv:4: column 'target': pin 'c': host02 is listed twice" \
           "bad.csv:6: pin 'e': 'app01' is already pinned to host01;host02 \(line 5\)"; do
    check "reported together: $pat" grep -qE "$pat" "$T/.err"
done
check "nothing written for bad targets" test ! -e "$T/pbad"
