# Issue 18 item 1: names that try to make gnuplot run commands. PlanetLab traces whose
# file names carry the payloads (a newline then !cmd, system(), backquotes, $(...),
# '; !cmd, @macro, a name equal to the data-block terminator) and a catalog model with
# quotes and backquotes are imported, planned and reported with the real gnuplot; no
# canary file may appear anywhere, every chart must be drawn, every SVG must be XML.
. "$(dirname "$0")/lib.sh"
if ! command -v gnuplot >/dev/null; then
    notok "gnuplot is not installed (make deps): the gnuplot path cannot be tested"
    exit 0
fi
W="$T/work" # the current directory of every command: relative canaries land under $T
mkdir -p "$W/safe" "$W/ctl"
series() { awk 'BEGIN { for (i = 1; i <= 288; i++) print int(10 + 30 * sin(i / 20) ^ 2) }'; }
# Names a dataset reader accepts whatever it thinks of control characters.
for n in 'system("touch CANARY_sys")' '`touch CANARY_bq`' '$(touch CANARY_dollar)' \
    "'; !touch CANARY_quote" "'quoted" "a''b" '@ARG0' 'EOD' 'a\' '"; !touch CANARY_dq' \
    'x<y&z' "vm' . system('touch CANARY_cat') . '"; do
    series >"$W/safe/$n"
done
# Names with a newline or CR then a shell escape: refusing them on import is right too.
for n in 'vm
!touch CANARY_nl
' 'vm
EOD
!touch CANARY_eod' 'vm!touch CANARY_cr'; do
    series >"$W/ctl/$n"
done
printf '%s\n' 'model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core' \
    "\"m'!x\`touch CANARY_model\`\",1,4,1,2600,64,8,10,1,5000,100,250,1" >"$W/cat.csv"

no_canary() { [ -z "$(find "$T" -name 'CANARY*' | head -1)" ]; }
# run NAME DIR: import, plan, report; checks the canaries and the charts.
run() {
    name=$1 in=$2
    (cd "$W" && "$KASANE" import planetlab "$in" --start 1299110400 --vm-MHz 2000 \
        --vm-mem-MiB 1024 -q -o "$W/ds_$name") >"$T/imp_$name" 2>&1
    rc=$?
    if [ "$name" = ctl ] && [ "$rc" -eq 1 ]; then # refused at import: the right outcome too
        check "$name: refused names are named in the error" grep -q "line\|name\|entity" "$T/imp_$name"
        check "$name: no canary after the refused import" no_canary
        return
    fi
    check "$name: hostile names imported" [ "$rc" -eq 0 ]
    (cd "$W" && "$KASANE" plan "ds_$name" --catalog cat.csv -o "plan_$name") >/dev/null 2>&1
    check "$name: planned" [ -s "$W/plan_$name/placement.csv" ]
    (cd "$W" && "$KASANE" report "ds_$name" --plan "plan_$name" -o "rep_$name") >"$T/rep_$name" 2>&1
    check "$name: reported" [ $? -eq 0 ]
    check "$name: no canary file anywhere" no_canary
    check "$name: every chart drawn" grep -qE "([0-9]+) of \\1 charts drawn" "$T/rep_$name"
    check "$name: gnuplot logged no error" [ ! -s "$W/rep_$name/charts/gnuplot.log" ]
    check "$name: every SVG is well-formed XML" xmllint --noout "$W/rep_$name/charts/"*.svg
    check "$name: the page is well-formed" tidy -errors -q "$W/rep_$name/index.html"
}
run safe safe
run ctl ctl
H="$W/rep_safe/charts/estate_heatmap.svg"
# The names are drawn as text: gnuplot's SVG escapes < and &, a leading quote is U+2019.
for want in 'system("touch CANARY_sys")' '`touch CANARY_bq`' '$(touch CANARY_dollar)' \
    '’; !touch CANARY_quote' '’quoted' "a'’b" '@ARG0' '>EOD<' 'x&lt;y&amp;z' \
    "vm' . system('touch CANARY_cat') . '"; do
    check "name drawn as text: $want" grep -qF -- "$want" "$H"
done
check "model name drawn in the host chart titles" grep -qF "m'!x\`touch CANARY_model\`" \
    "$W/rep_safe/charts/host_1.svg"
if [ -d "$W/rep_ctl" ]; then
    check "newline names drawn on one line" grep -qF "vm�!touch CANARY_nl�" "$W/rep_ctl/charts/estate_heatmap.svg"
fi
# Every script kasane wrote passes the checker's rules as gnuplot itself runs them: a
# script loaded alone exits 0 (gnuplot FILE stops at the first error).
for gp in "$W/rep_safe/charts/"*.gp; do
    (cd "$W/rep_safe" && gnuplot "$gp") >/dev/null 2>&1
    check "$(basename "$gp") runs alone without error" [ $? -eq 0 ]
done
check "no canary at the end" no_canary
# A chart that fails is named on stderr, not only counted (here gnuplot fails them all).
mkdir -p "$T/badgp"
printf '#!/bin/sh\ncat >/dev/null\nexit 1\n' >"$T/badgp/gnuplot"
chmod +x "$T/badgp/gnuplot"
(cd "$W" && PATH="$T/badgp:/usr/bin:/bin" "$KASANE" report ds_safe --plan plan_safe -o rep_bad) \
    >/dev/null 2>"$T/err_bad"
check "failed charts are named on stderr" grep -q "chart(s) failed: see .*gnuplot.log (.*host_1" "$T/err_bad"
