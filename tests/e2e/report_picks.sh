# A plan with more hosts than the report charts (24) gets charts for the hosts a reader
# needs: the riskiest in the backtest (risk_hosts.csv, up to 8), those carrying members
# of placement rules (up to 8), the busiest for the rest; each chart says why. The
# expected picks are recomputed here from the plan's own files, not from the report's
# table. 200 servers x 2 days from kasane gen, planned on a small host model (28 hosts)
# with two rules, trained on the first day and tested on the second.
. "$(dirname "$0")/lib.sh"
"$KASANE" gen --servers 200 --days 2 --seed 3 -o "$T/ds" >/dev/null 2>"$T/gerr"
printf '%s\n' 'model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core' \
    'small,1,12,1,2600,24,6,1,1,2000,50,150,1.0' > "$T/catalog.csv"
printf '%s\n' 'rule,type,members,target' 'web-spread,anti-affinity,web01;web02;web03,' \
    'file-pair,affinity,file01;file02,' > "$T/rules.csv"
"$KASANE" plan "$T/ds" --catalog "$T/catalog.csv" --rules "$T/rules.csv" --headroom 0 \
    --train 2008-03-24..2008-03-24 --test 2008-03-25..2008-03-25 -o "$T/plan" >/dev/null 2>"$T/perr"
withvm=$(awk -F, 'NR > 1 { h[$2] = 1 } END { print length(h) }' "$T/plan/placement.csv")
check "the plan has more hosts with VMs than the report charts ($withvm > 24)" [ "$withvm" -gt 24 ]
"$KASANE" report "$T/ds" --plan "$T/plan" -o "$T/rep" >/dev/null 2>"$T/rerr"
check "kasane report exits 0" [ $? -eq 0 -a -s "$T/rep/index.html" ]
# charted host names: each host_N.gp's title starts with the host's name
for gp in "$T/rep/charts/"host_*.gp; do
    sed -n "s/^set title '\([^ ]*\) .*/\1/p" "$gp"
done | sort > "$T/charted"
check "24 host charts ($(wc -l < "$T/charted"))" [ "$(wc -l < "$T/charted")" -eq 24 ]
# riskiest: hosts with overloaded steps in the backtest, most first; all of them when
# there are at most 8, else every one above the 8th's count
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["over_steps"] > 0 { print $c["over_steps"], $1 }' \
    "$T/plan/risk_hosts.csv" | sort -k1,1nr > "$T/risky"
cut=$(awk 'NR == 8 { print $1 }' "$T/risky")
awk -v cut="${cut:-0}" 'NR <= 8 && $1 > cut || cut == 0 { print $2 }' "$T/risky" | sort > "$T/want_risky"
check "the backtest has overloaded hosts to pick ($(wc -l < "$T/risky"))" [ -s "$T/want_risky" ]
check "every one of the riskiest hosts is charted" sh -c "[ -z \"\$(comm -23 '$T/want_risky' '$T/charted')\" ]"
# ruled: the hosts of the rules' members, from placement.csv
for m in web01 web02 web03 file01 file02; do
    awk -F, -v m="$m" '$1 == m { print $2 }' "$T/plan/placement.csv"
done | sort -u > "$T/want_ruled"
check "every host carrying a rule member is charted ($(tr '\n' ' ' < "$T/want_ruled"))" \
    sh -c "[ -s '$T/want_ruled' ] && [ -z \"\$(comm -23 '$T/want_ruled' '$T/charted')\" ]"
# busiest: the highest recomputed CPU peak of tables/hosts.csv
busiest=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["vms"] > 0 && $c["cpu_peak_pct_report"] + 0 > m { m = $c["cpu_peak_pct_report"] + 0; h = $1 } END { print h }' \
    "$T/rep/tables/hosts.csv")
check "the busiest host ($busiest) is charted" grep -qx "$busiest" "$T/charted"
# each chart says why: in its title and in the page's caption
check "tables/host_charts.csv lists the 24 picks" [ "$(wc -l < "$T/rep/tables/host_charts.csv")" -eq 25 ]
check "every chart title says why it was picked" sh -c "for f in '$T/rep/charts/'host_*.gp; do
    grep -Eq \"^set title '.*\\): (busiest|riskiest|rules)\" \"\$f\" || exit 1; done"
check "every caption says why" [ "$(grep -c '<figcaption>Stacked CPU demand of one host, charted for: ' "$T/rep/index.html")" -eq 24 ]
h=$(head -1 "$T/want_risky")
n=$(sed -n "s/^set title '$h .*riskiest #\([0-9]*\).*/\1/p" "$T/rep/charts/"host_*.gp)
check "a riskiest host's chart gives its rank ($h: #$n)" [ -n "$n" ]
h=$(head -1 "$T/want_ruled")
chart=$(awk -F, -v h="$h" '$1 == h { print $2 }' "$T/rep/tables/host_charts.csv")
awk -v id="id=\"chart-$chart\"" 'index($0, id) { on = 1 } on && /<figcaption>/ { print; exit }' \
    "$T/rep/index.html" > "$T/cap"
check "a ruled host's caption names its rule ($h, $chart)" \
    grep -Eq 'members of placement rules \([a-z; -]*(web-spread|file-pair)' "$T/cap"
check "the page is well-formed" tidy -errors -q "$T/rep/index.html"
# A plan of record made on all the data: its backtest placed the VMs on other hosts of
# the same names, so none is picked as riskiest (the busiest fill those places).
"$KASANE" plan "$T/ds" --catalog "$T/catalog.csv" --rules "$T/rules.csv" --headroom 0 --final-on-all \
    --train 2008-03-24..2008-03-24 --test 2008-03-25..2008-03-25 -o "$T/plan_all" >/dev/null 2>"$T/perr2"
"$KASANE" report "$T/ds" --plan "$T/plan_all" -o "$T/rep_all" >/dev/null 2>"$T/rerr2"
check "--final-on-all: 24 picks, none as riskiest" sh -c "[ \$(wc -l < '$T/rep_all/tables/host_charts.csv') -eq 25 ] &&
    ! awk -F, 'NR > 1' '$T/rep_all/tables/host_charts.csv' | grep -q riskiest"
