# The report's "Traffic between hosts" section: flows.csv endpoints mapped to entities
# (inventory ips, or entity names) and to the plan's hosts, a flow seen from both ends
# counted once; without flows.csv a one-line note; a bad byte count names file/line.
. "$(dirname "$0")/lib.sh"
F="$FIX/report/basic"

mkdir -p "$T/ds"
cp "$F/dataset/samples.csv" "$T/ds/"
awk -F, -v OFS=, 'NR == 1 {print $0, "ips"; next}
    {ip = $1 == "web01" ? "10.0.0.1" : $1 == "db01" ? "10.0.0.2 fd00::2" : $1 == "web03" ? "10.0.0.3" : ""; print $0, ip}' \
    "$F/dataset/inventory.csv" >"$T/ds/inventory.csv"
cat >"$T/ds/flows.csv" <<'CSV'
time,entity,src,dst,proto,dport,bytes,packets
1000,web01,10.0.0.1,10.0.0.2,tcp,5432,1000,10
1000,web01,10.0.0.1,10.0.0.3,tcp,443,300,3
1000,web01,10.0.0.1,8.8.8.8,udp,53,100,1
1000,db01,10.0.0.2,10.0.0.1,tcp,40000,500,5
1000,db01,10.0.0.1,10.0.0.2,tcp,5432,1000,10
1010,web01,10.0.0.1,10.0.0.2,tcp,5432,250000,100
CSV
"$KASANE" report "$T/ds" --plan "$F/plan" -o "$T/rep" >/dev/null 2>"$T/err"
check "report with flows.csv runs" [ $? -eq 0 ]
H="$T/rep/index.html"
check "section flows present" grep -q '<section id="flows">' "$H"
m=$(tail -n +2 "$T/rep/tables/traffic_matrix.csv" | cut -d, -f1-3 | tr '\n' ' ')
check "traffic matrix: host01->host01 251500, host01->host02 300, host01->outside 100 ($m)" \
    [ "$m" = "host01,host01,251500 host01,host02,300 host01,outside,100 " ]
# rows at 1000 and 1010: 10-s steps, so 20 s covered; 251500 B x 8 / 20 s = 0.1006 Mbit/s
check "avg_Mbps over the capture's span (0.101)" \
    sh -c "sed -n 2p '$T/rep/tables/traffic_matrix.csv' | grep -q ',0.101\$'"
check "top talkers: web01->db01 first with 251000 bytes" \
    sh -c "sed -n 2p '$T/rep/tables/top_talkers.csv' | grep -q '^web01,db01,251000,'"
check "the page says 99.8% stays inside a host" grep -q "99.8%" "$H"

"$KASANE" report "$F/dataset" --plan "$F/plan" -o "$T/rep2" >/dev/null 2>&1
check "without flows.csv: a one-line note" grep -q "The dataset has no flows.csv" "$T/rep2/index.html"

sed -i '3s/,300,/,lots,/' "$T/ds/flows.csv"
expect_exit "a bad byte count: exit 1 naming file and line" 1 "flows.csv.*(line )?3" \
    "$KASANE" report "$T/ds" --plan "$F/plan" -o "$T/rep3"
