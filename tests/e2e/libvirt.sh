# kasane collect --libvirt against libvirt's test driver (test:///default: domain
# "test" running) and a URI that cannot connect (host collection goes on).
. "$(dirname "$0")/lib.sh"

"$KASANE" collect -i 0.2 -n 2 --no-papi --sources cpu,libvirt --libvirt test:///default \
    --entity hv1 -o "$T/ds" 2>"$T/err"
check "collect --libvirt test:///default: exit 0" [ $? -eq 0 ]
check "one row per interval for the host and for domain test" \
    [ "$(cut -d, -f2 "$T/ds/samples.csv" | sort | uniq -c | awk '{print $2 ":" $1}' | tr '\n' ' ')" = "entity:1 hv1:2 test:2 " ]
vm=$(awk -F, '$1 == "test"' "$T/ds/inventory.csv")
check "inventory row: test is a vm with 2 vCPUs and 8192 MiB on hv1 ($vm)" \
    awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
        $1 == "test" {ok = $c["kind"] == "vm" && $c["host"] == "hv1" && $c["threads"] == 2 && $c["mem_MiB"] == 8192}
        END {exit !ok}' "$T/ds/inventory.csv"
check "VM rows carry cpu_pct and memory" awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
    $2 == "test" {n++; if ($c["cpu_pct"] == "" || $c["mem_total_MiB"] != 2048 || $c["vm_rss_MiB"] != 1024) bad = 1}
    END {exit !(n == 2 && !bad)}' "$T/ds/samples.csv"

"$KASANE" collect -i 0.2 -n 2 --no-papi --sources cpu,libvirt --libvirt test:///no/such/file.xml \
    -o "$T/bad" 2>"$T/bad.err"
check "a URI that cannot connect: exit 0" [ $? -eq 0 ]
check "a URI that cannot connect: a clear line on stderr" \
    grep -q "libvirt: cannot connect to 'test:///no/such/file.xml'" "$T/bad.err"
check "a URI that cannot connect: host rows still written" [ "$(wc -l <"$T/bad/samples.csv")" -eq 3 ]
check "a URI that cannot connect: the inventory notes say why" \
    grep -q "source libvirt unavailable: libvirt: cannot connect" "$T/bad/inventory.csv"
