# kasane plan + report: the status quo by kind of source (issue 19). A hand-written
# estate of one physical server and six VMs on two hypervisor hosts (inventory column
# `host`, as the libvirt collector writes it): the status quo pays for three boxes, the
# two hosts once each, not a box per VM. The same estate with three VMs whose host is
# unknown: no hardware for them, and plan and report say how many. The summary card
# words a negative saving as a cost. Expected figures are recomputed here from the
# policy figures in summary.csv.
. "$(dirname "$0")/lib.sh"
CAT="$KASANE_ROOT/datasets/catalog/2008.csv"

mkdir -p "$T/ds"
{
    echo "entity,kind,hostname,cpu_model,sockets,cores,threads,core_MHz,mem_MiB,nic_count,nic_Mbps,disk_count,hypervisor,os,notes,host,watts_idle,watts_max"
    echo "hv1,host,hv1,Xeon E5450,2,8,8,3000,65536,4,1000,2,kvm,,,,300,500"
    echo "hv2,host,hv2,Xeon E5450,2,8,8,3000,65536,4,1000,2,kvm,,,,,"
    echo "db01,physical,db01,Xeon 5160,1,2,2,3000,8192,2,1000,2,none,,,,,"
    for i in 1 2 3; do echo "vm0$i,vm,vm0$i,,,2,2,3000,4096,1,1000,1,kvm,,,hv1,,"; done
    for i in 4 5 6; do echo "vm0$i,vm,vm0$i,,,1,1,3000,2048,1,1000,1,kvm,,,hv2,,"; done
} > "$T/ds/inventory.csv"

"$KASANE" plan "$T/ds" --catalog "$CAT" -o "$T/p" > "$T/out" 2>&1
check "plan of VMs on two hosts" test -s "$T/p/summary.csv"
S="$T/p/summary.csv"
val() { grep "^$1," "$2" | cut -d, -f2; }
# close A B: equal to the cent.
close() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.051) }'; }
check "basis: 1 physical, 6 VMs on 2 hosts, none without" test \
    "$(val status_quo_physical "$S") $(val status_quo_vms "$S") $(val status_quo_hosts "$S") $(val status_quo_vms_no_host "$S")" = "1 6 2 0"
Y=$(val years "$S")
check "refresh: 3 boxes (2 hosts once + 1 server), not 7" close "$(val status_quo_hardware_total "$S")" \
    "$(awk -v p="$(val source_price "$S")" -v l="$(val source_life_years "$S")" -v y="$Y" 'BEGIN { printf "%.2f", 3 * p / l * y }')"
check "admin: 3 boxes" close "$(val status_quo_admin_total "$S")" \
    "$(awk -v h="$(val admin_hours "$S")" -v p="$(val admin_hour_price "$S")" -v y="$Y" 'BEGIN { printf "%.2f", 3 * h * p * y }')"
check "licences: the server's OS + each VM's guest OS" close "$(val status_quo_licences_total "$S")" \
    "$(awk -v s="$(val os_per_server "$S")" -v g="$(val os_per_guest "$S")" -v y="$Y" 'BEGIN { printf "%.2f", (s + 6 * g) * y }')"
# No samples: every box idle; hv1 at its own 300 W, hv2 and db01 at the policy's.
check "power: hv1 at its own idle watts, hv2 and db01 at the policy's" close "$(val status_quo_power_total "$S")" \
    "$(awk -v w="$(val source_watts_idle "$S")" -v pue="$(val pue "$S")" -v pr="$(val power_price_per_kWh "$S")" -v y="$Y" \
        'BEGIN { printf "%.2f", (300 + 2 * w) * 8760 / 1000 * pue * pr * y }')"
check "plan says what the status quo counts" grep -q "status quo: 1 physical server(s), 2 host(s) shared by 6 VM(s)$" "$T/out"

# The saving here is negative (new hosts bought to replace two): the card says "Costs".
sav=$(val savings_total "$S")
check "this estate costs more to consolidate ($sav)" awk -v s="$sav" 'BEGIN { exit !(s < 0) }'
check "plan's summary says costs ... more" grep -q "): costs [0-9]* more$" "$T/out"
"$KASANE" report "$T/ds" --plan "$T/p" -o "$T/r" > /dev/null 2>&1
H="$T/r/index.html"
sed -n '/<section id="summary">/,/<\/section>/p' "$H" > "$T/sum.html"
# |savings_total| rounded and grouped in thousands, as the page shows money
shown=$(awk -v s="$sav" 'BEGIN { s = s < 0 ? -s : s; x = sprintf("%.0f", s); o = "";
    while (length(x) > 3) { o = "," substr(x, length(x) - 2) o; x = substr(x, 1, length(x) - 3) } print x o }')
check "card headlines the horizon: Costs $shown more" grep -q \
    "<div class=\"label\">Over <span class=\"num\" data-key=\"years\" data-value=\"$Y\">$Y</span> years</div><div class=\"value\">Costs <span class=\"num abs\" data-key=\"savings_total\" data-value=\"$sav\">$shown</span> more</div>" "$T/sum.html"
check "the summary shows no money with a minus sign" sh -c "! grep -q '\">-[0-9]' '$T/sum.html'"
per=$(val savings_per_year "$S")
word=$(awk -v s="$per" 'BEGIN { print (s < 0 ? "more" : "less") }')
check "card's yearly figure worded by its own sign ($per: $word)" grep -q \
    "running cost <span class=\"num abs\" data-key=\"savings_per_year\" data-value=\"$per\">[0-9,]*</span> a year $word than today's" "$T/sum.html"
sed -n '/<section id="cost"/,/<\/section>/p' "$H" > "$T/cost.html"
check "cost section: the consolidation costs ... more" grep -q "the consolidation <strong>costs <span class=\"num abs\" data-key=\"savings_total\" data-value=\"$sav\">$shown</span> more</strong>" "$T/cost.html"
check "cost section: hosts counted once" grep -q "2</span> hypervisor host(s) under <span class=\"num\" data-key=\"status_quo_vms\" data-value=\"6\">6</span> VM(s)" "$T/cost.html"
check "report: well-formed HTML" sh -c "tidy -errors -q '$H' 2>&1 | grep -c 'Error:' | grep -qx 0"

# vm04..vm06 lose their host (empty column): hv2 drops out, they cost no hardware, and
# plan and report say how many.
sed -i 's/,hv2,,$/,,,/' "$T/ds/inventory.csv"
"$KASANE" plan "$T/ds" --catalog "$CAT" -o "$T/nohost" > "$T/out2" 2>&1
N="$T/nohost/summary.csv"
check "no host: 3 VMs counted, 1 host left" test \
    "$(val status_quo_vms "$N") $(val status_quo_hosts "$N") $(val status_quo_vms_no_host "$N")" = "3 1 3"
check "no host: refresh of 2 boxes, not a box per VM" close "$(val status_quo_hardware_total "$N")" \
    "$(awk -v p="$(val source_price "$N")" -v l="$(val source_life_years "$N")" -v y="$Y" 'BEGIN { printf "%.2f", 2 * p / l * y }')"
check "no host: their guest OS stays" close "$(val status_quo_licences_total "$N")" "$(val status_quo_licences_total "$S")"
check "no host: plan says how many" grep -q "3 VM(s) with no known host cost no hardware" "$T/out2"
"$KASANE" report "$T/ds" --plan "$T/nohost" -o "$T/r2" > /dev/null 2>&1
check "no host: the summary says how many" sh -c "sed -n '/<section id=\"summary\">/,/<\/section>/p' '$T/r2/index.html' | grep -q 'data-value=\"3\">3</span> VM(s) have no known host'"
check "no host: the cost section says how many" sh -c "sed -n '/<section id=\"cost\"/,/<\/section>/p' '$T/r2/index.html' | grep -q 'data-value=\"3\">3</span> VM(s) have no known host'"
