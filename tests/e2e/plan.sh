# kasane plan: benchmark instances (Falkenauer u120, a Panigrahy subset), the plan
# directory of a small dataset checked from its own rows, policy files, bad input.
. "$(dirname "$0")/lib.sh"
[ -d "$SHARED/datasets" ] || SHARED=/work/shared
P="$FIX/plan"

check "help" sh -c '"$KASANE" plan --help | grep -q "usage: kasane plan"'
expect_exit "missing catalog is a usage error" 2 "missing --catalog" "$KASANE" plan "$P/small" -o "$T/x"
expect_exit "bad headroom is a usage error" 2 "headroom 'lots'" \
    "$KASANE" plan "$P/small" --catalog "$P/catalog.csv" --headroom lots -o "$T/x"

# ---- Falkenauer u120: OR-Library -> .vbp, FFD regression and the search ----------------
mkdir -p "$T/u120"
awk -v d="$T/u120" 'NR==1{next} NF==1 {name=$1; getline; cap=$1; n=$2; f=d "/" name ".vbp";
    print "1\n" cap "\n" n > f; for(i=0;i<n;i++){getline; print $1, 1 > f}; close(f)}' \
    "$SHARED/datasets/falkenauer/binpack1.txt"
for f in "$T"/u120/*.vbp; do "$KASANE" plan --vbp "$f" --packer ffd; done > "$T/ffd.txt"
for f in "$T"/u120/*.vbp; do "$KASANE" plan --vbp "$f"; done > "$T/search.txt"
ffd=$(awk '{s+=$2} END {print s}' "$T/ffd.txt")
srch=$(awk '{s+=$2} END {print s}' "$T/search.txt")
opt=$(awk '/u120/ {s+=$3} END {print s}' "$SHARED/datasets/falkenauer/Bounds.txt")
check "u120: 20 instances packed" test "$(wc -l < "$T/search.txt")" -eq 20
check "u120: FFD totals 995 (got $ffd)" test "$ffd" -eq 995
check "u120: search <= 985 (got $srch, optimum $opt)" test "$srch" -le 985
check "u120: never below the optimum" test "$srch" -ge "$opt"

# --assign: item,bin rows; every bin within capacity, recomputed here.
f="$T/u120/u120_00.vbp"
"$KASANE" plan --vbp "$f" --assign "$T/a.csv" > "$T/a.out"
bins=$(awk '{print $2}' "$T/a.out")
check "assign: one row per item" test "$(tail -n +2 "$T/a.csv" | wc -l)" -eq 120
check "assign: bins within capacity" awk -v b="$bins" 'FNR==NR { if (FNR>3) w[FNR-4]=$1; next }
    FNR>1 { split($0, a, ","); s[a[2]] += w[a[1]]; if (a[2] >= b) bad=1 }
    END { for (k in s) if (s[k] > 150) bad=1; exit bad }' "$f" "$T/a.csv"
check "vbp: same seed, same bins" sh -c '"$KASANE" plan --vbp "$1" --seed 3 --assign "$2/s1.csv" >/dev/null &&
    "$KASANE" plan --vbp "$1" --seed 3 --assign "$2/s2.csv" >/dev/null && cmp -s "$2/s1.csv" "$2/s2.csv"' _ "$f" "$T"

# ---- Panigrahy: every 60th instance with a known optimum (the full set: bench) --------
mkdir -p "$T/pan"
tar xzf "$SHARED/datasets/vbp/Panigrahy_instances.tar.gz" -C "$T/pan"
awk -F'\t' 'NR>1 && $3 != -1 && (++n % 60) == 0 {print $1, $3}' \
    "$SHARED/datasets/vbp/Panigrahy_summary_known.csv" | while read -r name o; do
    set -- $("$KASANE" plan --vbp "$T/pan/Panigrahy_instances_multidim/${name%%_*}/$name.vbp")
    echo "$name $o $2 ${10}"
done > "$T/pan.txt"
check "panigrahy subset: 20 instances" test "$(wc -l < "$T/pan.txt")" -eq 20
check "panigrahy subset: <= 1.5% over the optima ($(awk '{o+=$2; k+=$3} END {printf "%.2f%%", (k-o)/o*100}' "$T/pan.txt"))" \
    awk '{o+=$2; k+=$3} END {exit !((k-o)/o*100 <= 1.5)}' "$T/pan.txt"
check "panigrahy subset: each < 2 s of CPU" awk '$4 >= 2 {bad=1} END {exit bad}' "$T/pan.txt"
check "panigrahy subset: never below an optimum" awk '$3 < $2 {bad=1} END {exit bad}' "$T/pan.txt"

# ---- A dataset: exact capacity, checked from the rows --------------------------------
"$KASANE" plan "$P/small" --catalog "$P/catalog.csv" --percentile 100 --headroom 0 --ha 0 \
    --hv-cpu-pct 0 --hv-mem-MiB 0 -o "$T/plan" > "$T/plan.out" 2> "$T/plan.err"
check "plan: exit 0" test $? -eq 0
check "plan: human summary" grep -q "sources ->" "$T/plan.out"
for f in placement hosts summary models licences ports policy; do
    check "plan: $f.csv written" test -s "$T/plan/$f.csv"
done
check "plan: hosts.csv header" sh -c 'head -1 "$1" | grep -qx "host,host_model,sockets,cores,vms,cpu_capacity_MHz,mem_capacity_MiB,cpu_peak_pct,cpu_p95_pct,mem_peak_pct,mem_p95_pct,net_peak_Mbps,net_p95_Mbps,nic_ports,ha_spare"' _ "$T/plan/hosts.csv"
check "plan: summary keys in contract order" sh -c 'cut -d, -f1 "$1" | tr "\n" " " | grep -q "^key dataset sources hosts ha_spares host_model consolidation_ratio lower_bound_hosts gap_pct peak_sizing_hosts peak_sizing_basis percentile headroom_pct cpu_overcommit mem_overcommit hv_cpu_pct hv_mem_MiB step_s steps sockets cores nic_ports switch_ports port_template capex capex_hosts capex_licences capex_switch_ports opex_per_year status_quo_opex_per_year savings_per_year payback_months years power_price_per_kWh pue ha_verified planned_by nan_gaps_entities seed packer elapsed_s"' _ "$T/plan/summary.csv"
check "plan: every entity once" test "$(tail -n +2 "$T/plan/placement.csv" | cut -d, -f1 | sort -u | wc -l)" -eq 9
check "plan: the hypervisor host is not a source" grep -q "^hv1,-,physical$" "$T/plan/placement.csv"
check "plan: NaN gap flagged" grep -q "^nan_gaps_entities,1$" "$T/plan/summary.csv"
check "plan: r1u (4 ports) not eligible" grep -q "^r1u,.*nic_ports 4 < template 5" "$T/plan/models.csv"
# Capacity of r2: 2 x 4 x 3000 MHz, 32 GiB; sums per host and time from samples.csv.
check "plan: every host-step within capacity" awk -F, '
    FNR==NR { if (FNR>1) h[$1]=$2; next }
    FNR==1 { for (i=1;i<=NF;i++) c[$i]=i; next }
    { k=h[$2] SUBSEP $1; cpu[k]+=$(c["cpu_MHz"]); mem[k]+=$(c["mem_used_MiB"]) }
    END { for (k in cpu) if (cpu[k] > 24000 || mem[k] > 32768) bad=1; exit bad }' \
    "$T/plan/placement.csv" "$P/small/samples.csv"
check "plan: repeatable" sh -c '"$KASANE" plan "$1" --catalog "$2" --ha 0 -o "$3/p1" >/dev/null &&
    "$KASANE" plan "$1" --catalog "$2" --ha 0 -o "$3/p2" >/dev/null &&
    cmp -s "$3/p1/placement.csv" "$3/p2/placement.csv"' _ "$P/small" "$P/catalog.csv" "$T"

# ---- Policy file, flags over it; ports; licences -------------------------------------
"$KASANE" plan "$P/small" --effort 0.1 --catalog "$P/catalog.csv" --policy "$P/policy.ini" -o "$T/pol1" >/dev/null
"$KASANE" plan "$P/small" --effort 0.1 --catalog "$P/catalog.csv" --policy "$P/policy.ini" --headroom 10 \
    --ports vsphere --licences "$KASANE_ROOT/datasets/licences/windows-2008-enterprise.csv" \
    -o "$T/pol2" >/dev/null
check "policy file applies" grep -q "^headroom,50$" "$T/pol1/policy.csv"
check "policy file: ha 0" grep -q "^ha_spares,0$" "$T/pol1/summary.csv"
check "flag overrides the file" grep -q "^headroom,10$" "$T/pol2/policy.csv"
check "vsphere template: 6 ports per host" awk -F, 'NR>1 && $6 < 6 {bad=1} END {exit bad}' "$T/pol2/ports.csv"
check "licences: one guest licence per 4 VMs" grep -q "^Windows Server 2008 Enterprise,per_guests," "$T/pol2/licences.csv"
"$KASANE" plan "$P/small" --effort 0.1 --catalog "$P/catalog.csv" --ports-file "$KASANE_ROOT/datasets/ports/kvm.csv" \
    -o "$T/kvm" >/dev/null
check "ports file: kvm needs 6" awk -F, 'NR>1 && $6 < 6 {bad=1} END {exit bad}' "$T/kvm/ports.csv"
check "HA spare checked" grep -q "^ha_verified,yes$" "$T/kvm/summary.csv"
"$KASANE" plan "$P/inventory-only" --catalog "$P/catalog.csv" -o "$T/inv" >/dev/null
check "inventory-only: planned by allocation" grep -q "^planned_by,allocation$" "$T/inv/summary.csv"

# ---- Bad input ------------------------------------------------------------------------
expect_exit "catalog missing a column" 1 "catalog-missing-column.csv:1: missing column 'nic_ports'" \
    "$KASANE" plan "$P/small" --catalog "$P/catalog-missing-column.csv" -o "$T/bad"
expect_exit "zero-capacity model" 1 "catalog-zero.csv:3: column 'core_MHz' is 0" \
    "$KASANE" plan "$P/small" --catalog "$P/catalog-zero.csv" -o "$T/bad"
expect_exit "VM larger than every model" 1 "entity 'srv0[0-7]': CPU demand [0-9.]+ MHz .* \('tiny': 1000 MHz\)" \
    "$KASANE" plan "$P/small" --catalog "$P/catalog-tiny.csv" --hv-mem-MiB 0 -o "$T/bad"
mkdir -p "$T/empty" && head -1 "$P/small/inventory.csv" > "$T/empty/inventory.csv"
expect_exit "empty dataset" 1 "empty" "$KASANE" plan "$T/empty" --catalog "$P/catalog.csv" -o "$T/bad"
expect_exit "unknown model" 1 "no host model 'nope'" \
    "$KASANE" plan "$P/small" --catalog "$P/catalog.csv" --model nope -o "$T/bad"
printf '1\n10\n1\n11 1\n' > "$T/big.vbp"
expect_exit "vbp item over capacity" 1 "big.vbp:4: weight 11" "$KASANE" plan --vbp "$T/big.vbp"
check "no plan left behind on error" test ! -e "$T/bad/placement.csv"

# Peak sizing counts the same HA spares as the plan: one more host per spare asked for
pk() { "$KASANE" plan "$P/small" --catalog "$P/catalog.csv" --ha "$1" -o "$T/pk$1" >/dev/null 2>&1
       awk -F, '$1 == "peak_sizing_hosts" {print $2}' "$T/pk$1/summary.csv"; }
p0=$(pk 0) p1=$(pk 1)
check "peak sizing includes the HA spares ($p0 with --ha 0, $p1 with --ha 1)" \
    test -n "$p0" -a "$p1" = "$((p0 + 1))"
