# kasane plan on hostile catalogs and demands (issue 18 items 2, 3, 7): a demand no host
# can carry fails at once naming the entity (it hung for minutes), catalog numbers out of
# range fail naming file, line and column (1e308 crashed, 4.9 cores became 4), the other
# files plan reads (licences, storage catalog, rules weights) likewise, an affinity group
# too big for the small models makes those ineligible instead of aborting the plan, and
# overcommit ratios of 0, negative, NaN or inf are refused.
. "$(dirname "$0")/lib.sh"
CAT="$KASANE_ROOT/datasets/catalog/2008.csv"
# Hang guard: the fixed planner answers in well under a second.
TO=20

"$KASANE" gen --servers 10 --days 2 --seed 1 --flows -q -o "$T/ds" >/dev/null 2>&1
check "generated estate" test -s "$T/ds/samples.csv"

# set_sample COLUMN VALUE DIR: copy of the dataset with one sample of web01 (its 30th
# row) set to VALUE.
set_sample() {
    rm -rf "$3" && mkdir -p "$3" && cp "$T/ds/inventory.csv" "$3/"
    awk -F, -v col="$1" -v val="$2" 'BEGIN {OFS = ","}
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) k = i }
        NR > 1 && $2 == "web01" && ++n == 30 { $k = val } { print }' \
        "$T/ds/samples.csv" > "$3/samples.csv"
}

# ---- item 2: demand that no catalog model can carry ------------------------------------
# Values below the reader's ceilings (core/ks_dataset.c) reach the planner, which must
# refuse them at once; values above (1e15, 1e308) are refused by the reader, naming the
# file, line and column.
for spec in "cpu_MHz 1e8 CPU" "mem_used_MiB 1e11 memory" "net_rx_KiBps 1e11 network" \
    "net_tx_KiBps 9e11 network"; do
    set -- $spec
    set_sample "$1" "$2" "$T/h"
    expect_exit "$1 = $2 fails at once naming entity, resource and model" 1 \
        "/h: entity 'web01': $3 demand .* at time [0-9]+ is more than the largest host model \
can carry \('[^']+': [0-9]+ " \
        timeout "$TO" "$KASANE" plan "$T/h" --catalog "$CAT" -o "$T/ph"
done
for spec in cpu_MHz:1e15 cpu_MHz:1e308 mem_used_MiB:1e15 mem_used_MiB:1e308 \
    net_rx_KiBps:1e15 net_tx_KiBps:1e308 disk_read_iops:1e308 disk_write_KiBps:1e13; do
    set_sample "${spec%%:*}" "${spec#*:}" "$T/h"
    expect_exit "${spec%%:*} = ${spec#*:} refused by the reader naming file, line, column" 1 \
        "/h/samples.csv:[0-9]+: column [0-9]+ \(${spec%%:*}\): '${spec#*:}' is above" \
        timeout "$TO" "$KASANE" plan "$T/h" --catalog "$CAT" -o "$T/ph"
done
# Under a percentile policy too: the spike is one step of 576.
set_sample mem_used_MiB 1e11 "$T/h"
expect_exit "one 1e15 step at --percentile 95 fails at once" 1 "entity 'web01': memory demand" \
    timeout "$TO" "$KASANE" plan "$T/h" --catalog "$CAT" --percentile 95 -o "$T/ph"
check "no plan left behind" test ! -e "$T/ph"
# Planning by allocation: the inventory's mem_MiB.
mkdir -p "$T/inv" && awk -F, 'BEGIN {OFS = ","} NR == 1 { for (i = 1; i <= NF; i++)
    if ($i == "mem_MiB") k = i } NR == 2 { $k = "1e15" } { print }' \
    "$T/ds/inventory.csv" > "$T/inv/inventory.csv"
expect_exit "inventory mem_MiB 1e15 fails at once" 1 "memory demand 1e\+15 MiB \(inventory.csv" \
    timeout "$TO" "$KASANE" plan "$T/inv" --catalog "$CAT" -o "$T/ph"

# ---- item 3: catalog numbers out of range ---------------------------------------------
# bad_catalog COLUMN VALUE: the 2008 catalog with COLUMN set to VALUE on every row.
bad_catalog() {
    awk -F, -v col="$1" -v val="$2" 'BEGIN {OFS = ","}
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) k = i; print; next }
        { $k = val; print }' "$CAT" > "$T/cat.csv"
}
for spec in "price 1e308" "watts_max 1e308" "rack_U 1e308" "sockets 1e308" "nic_ports 1e308" \
    "cores_per_socket 4.9" "sockets 0" "nic_ports -1" "price 1e10" "watts_idle 1e7" \
    "threads_per_core 1e308" "core_MHz 1e308" "mem_GiB 1e308"; do
    set -- $spec
    bad_catalog "$1" "$2"
    expect_exit "catalog $1 = $2 refused naming file, line and column" 1 \
        "cat.csv:2: column '$1'" \
        timeout "$TO" "$KASANE" plan "$T/ds" --catalog "$T/cat.csv" -o "$T/ph"
done
bad_catalog min_sockets 1.5
expect_exit "catalog min_sockets 1.5 refused" 1 "cat.csv:2: column 'min_sockets'" \
    "$KASANE" plan "$T/ds" --catalog "$T/cat.csv" -o "$T/ph"
bad_catalog socket_price 1e308
expect_exit "catalog socket_price 1e308 refused" 1 "cat.csv:2: column 'socket_price'" \
    "$KASANE" plan "$T/ds" --catalog "$T/cat.csv" -o "$T/ph"

# The other files plan reads.
printf 'rule,kind,unit_price\nos,per_socket,1e308\n' > "$T/lic.csv"
expect_exit "licence unit_price 1e308 refused" 1 "lic.csv:2: column 'unit_price'" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --licences "$T/lic.csv" -o "$T/ph"
printf 'rule,kind,unit_price,min_cores_per_cpu\nos,per_core,100,8.5\n' > "$T/lic.csv"
expect_exit "licence min_cores_per_cpu 8.5 refused" 1 "lic.csv:2: column 'min_cores_per_cpu'" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --licences "$T/lic.csv" -o "$T/ph"
printf 'role,min_ports,sized\nmanagement,2.5,0\nvm_network,2,1\n' > "$T/ports.csv"
expect_exit "ports min_ports 2.5 refused" 1 "ports.csv:2: column 'min_ports'" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --ports-file "$T/ports.csv" -o "$T/ph"
printf 'rule,type,members,target,weight\ntalk,soft-affinity,web01;web02,,1e308\n' > "$T/w.csv"
expect_exit "rules weight 1e308 refused" 1 "w.csv:2: .*column 'weight'" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --rules "$T/w.csv" -o "$T/ph"
cp -r "$KASANE_ROOT/datasets/storage" "$T/st"
awk -F, 'BEGIN {OFS = ","} NR == 2 { $6 = "1e308" } { print }' \
    "$KASANE_ROOT/datasets/storage/drives.csv" > "$T/st/drives.csv"
expect_exit "storage drive price 1e308 refused" 1 "drives.csv:2: column 'price'" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --storage-catalog "$T/st" -o "$T/ph"

# ---- item 7: an affinity group too big for the small models ---------------------------
# app01+app02+db01+batch01 need ~21 GHz together: more than any 2-socket model of 2008.
printf 'rule,type,members,target,weight\nbig,affinity,app01;app02;db01;batch01,,\n' > "$T/aff.csv"
"$KASANE" plan "$T/ds" --catalog "$CAT" --rules "$T/aff.csv" -o "$T/pa" >"$T/pa.out" 2>&1
check "affinity group too big for small models: still planned" test -s "$T/pa/placement.csv"
check "the small models are ineligible naming the rule" \
    grep -q "not eligible: Dell PowerEdge 2950 III, 2 socket(s): affinity rule 'big' (.*aff.csv:2)" \
    "$T/pa.out"
check "models.csv gives the same reason" grep -q "affinity rule 'big'" "$T/pa/models.csv"
check "the group shares one host" sh -c 'awk -F, "\$1 ~ /^(app01|app02|db01|batch01)\$/ {print \$2}" \
    "$1" | sort -u | wc -l | grep -qx 1' _ "$T/pa/placement.csv"

# ---- item 7: overcommit ratios --------------------------------------------------------
for v in 0 -1 nan inf; do
    expect_exit "--cpu-overcommit $v refused naming the flag" 2 "--cpu-overcommit '$v'" \
        "$KASANE" plan "$T/ds" --catalog "$CAT" --cpu-overcommit "$v" -o "$T/ph"
done
printf '[plan]\nmem-overcommit = 0\n' > "$T/pol.ini"
expect_exit "policy mem-overcommit = 0 refused naming file, line and key" 1 \
    "pol.ini:2: mem-overcommit '0'" \
    "$KASANE" plan "$T/ds" --catalog "$CAT" --policy "$T/pol.ini" -o "$T/ph"
