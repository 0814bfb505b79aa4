# Issue 10 end to end with the real binaries: prometheus-node-exporter and
# `kasane collect --listen` are scraped every second by a real Prometheus (temporary
# data directory, 127.0.0.1 only); `kasane import prometheus` reads them back through
# the HTTP API; values are checked against node_exporter's own /metrics and kasane's
# own dataset. Every process started here is stopped by its PID.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/poll.inc"
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; for p in $pids; do wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
free_port() { # a port nobody listens on, from a range unlikely to be in use
    p=$(( 20000 + ($$ * 7 + $1 * 131) % 20000 ))
    while ss -ltn | awk '{print $4}' | grep -q ":$p\$"; do p=$((p + 1)); done
    echo "$p"
}
PN=$(free_port 1); PP=$(free_port 2)
[ "$PP" = "$PN" ] && PP=$((PP + 1))
prometheus-node-exporter --web.listen-address=127.0.0.1:$PN --collector.disable-defaults \
    --collector.cpu --collector.meminfo --collector.diskstats --collector.netdev \
    --collector.uname > "$T/ne.log" 2>&1 &
pids="$pids $!"
"$KASANE" collect -i 1 -d 120 --listen 127.0.0.1:0 --entity kasane-probe -o "$T/own" \
    > /dev/null 2> "$T/collect.log" &
kpid=$!
pids="$pids $kpid"
# the port, once collect has said it (a loaded machine starts it seconds late)
poll 30 grep -q "(port [0-9]*)" "$T/collect.log"
PK=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$T/collect.log")
check "collect --listen reports its port" test -n "$PK"
cat > "$T/prom.yml" <<EOC
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: node
    static_configs: [{targets: ['127.0.0.1:$PN']}]
  - job_name: kasane
    static_configs: [{targets: ['127.0.0.1:$PK']}]
EOC
prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
    --web.listen-address=127.0.0.1:$PP > "$T/prom.log" 2>&1 &
pids="$pids $!"
URL=http://127.0.0.1:$PP
# wait (at most 40 s) until both targets have been scraped a few times
i=0; n=0
while [ $i -lt 80 ]; do
    n=$(curl -s "$URL/api/v1/query?query=count_over_time(up%5B1m%5D)" |
        grep -o '"value":\[[^]]*"[0-9]*"\]' | grep -o '"[0-9]*"\]' | tr -dc '0-9\n' |
        awk '$1 >= 6 {c++} END {print c + 0}')
    [ "$n" -ge 2 ] && break
    sleep 0.5; i=$((i + 1))
done
check "prometheus scraped node_exporter and kasane (targets with 6+ scrapes: $n)" test "$n" -ge 2
"$KASANE" import prometheus "$URL" --start now-6s --end now --step 1s --scrape 1s -q \
    -o "$T/imp" > "$T/imp.out" 2>&1
check "import prometheus exits 0" test -s "$T/imp/samples.csv"
check "imported the node_exporter entity" grep -q "^127.0.0.1:$PN," "$T/imp/inventory.csv"
check "imported kasane's own entity" grep -q "^kasane-probe," "$T/imp/inventory.csv"
# node_exporter's MemTotal, exact, against the imported inventory and mem_total_MiB
mt=$(curl -s "http://127.0.0.1:$PN/metrics" | awk '/^node_memory_MemTotal_bytes/ {printf "%.0f", $2 / 1048576}')
col() { awk -F, -v c="$1" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == c) k = i; next} {print $1 "," $2 "," $k}' "$2"; }
got=$(col mem_total_MiB "$T/imp/samples.csv" | awk -F, -v e="127.0.0.1:$PN" '$2 == e && $3 != "" {printf "%.0f", $3; exit}')
check "mem_total_MiB equals node_exporter's MemTotal ($got vs $mt MiB)" test "$got" = "$mt"
# kasane's exported memory comes back within the range kasane itself recorded
lo=$(col mem_used_MiB "$T/own/samples.csv" | awk -F, 'NR == 1 || $3 < m {m = $3} END {print m * 0.99}')
hi=$(col mem_used_MiB "$T/own/samples.csv" | awk -F, '$3 > m {m = $3} END {print m * 1.01}')
bad=$(col mem_used_MiB "$T/imp/samples.csv" | awk -F, -v lo="$lo" -v hi="$hi" \
    '$2 == "kasane-probe" && $3 != "" {n++; if ($3 < lo || $3 > hi) b++} END {print (n ? b + 0 : -1)}')
check "kasane-probe memory round-trips through Prometheus (rows out of range: $bad)" test "$bad" -eq 0
kill -TERM "$kpid"; wait "$kpid"; krc=$?
check "collect --listen stops cleanly on SIGTERM" test "$krc" -eq 0
