# kasane collect with PAPI on this machine: the default hardware events either count
# (a PMU: ipc filled) or the degraded path says so once and notes why (a VM hiding
# its PMU); software events go through the same read path and give rates.
. "$(dirname "$0")/lib.sh"

"$KASANE" collect -i 0.2 -n 2 --sources cpu,papi -o "$T/ds" 2>"$T/err"
check "collect with PAPI by default: exit 0" [ $? -eq 0 ]
ipc=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "ipc") k = i; next} {print $k}' "$T/ds/samples.csv" | tr '\n' ' ')
if grep -q "no PMU" "$T/err"; then
    check "degraded: said once on stderr" [ "$(grep -c "no PMU" "$T/err")" -eq 1 ]
    check "degraded: inventory notes the reason" grep -q "papi: no PMU: hypervisor hides counters" "$T/ds/inventory.csv"
    check "degraded: ipc left empty ($ipc)" [ "$ipc" = "  " ]
    check "degraded: the host's rows still written" [ "$(wc -l <"$T/ds/samples.csv")" -eq 3 ]
else
    check "PMU present: ipc filled ($ipc)" [ -n "$(echo "$ipc" | tr -d ' ')" ]
fi
"$KASANE" collect -i 0.3 -n 2 --sources cpu,papi --papi-events perf::TASK-CLOCK,perf::CONTEXT-SWITCHES \
    -o "$T/sw" 2>/dev/null
check "software events: exit 0" [ $? -eq 0 ]
check "software events: task-clock near CPUs x 1e9 ns/s, context switches > 0" \
    awk -F, -v n="$(nproc)" 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
    {t = $c["papi_ev1_ps"]; s = $c["papi_ev2_ps"]; if (!(t > n * 0.8e9 && t < n * 1.2e9 && s > 0)) bad = 1; rows++}
    END {exit !(rows == 2 && !bad)}' "$T/sw/samples.csv"
"$KASANE" collect -i 0.1 -n 1 --no-papi -o "$T/np" 2>"$T/np.err"
check "--no-papi: no PAPI line on stderr" [ "$(grep -c papi "$T/np.err")" -eq 0 ]
check "--no-papi: no PAPI note in the inventory" [ "$(grep -c papi "$T/np/inventory.csv")" -eq 0 ]
