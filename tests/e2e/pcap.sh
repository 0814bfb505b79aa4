# kasane collect --pcap against iperf3's own report, on a veth pair into a network
# namespace this test creates (never loopback, never an outside address): TCP at
# 1 Gbit/s and UDP at 50 Mbit/s, per-protocol bytes within 5% of iperf3 --json, flows
# naming the endpoints, zero kernel drops, the privilege drop (the running
# collector's uid from /proc), the non-root path, and --pcap-file against tcpdump's
# own count of the same capture. Needs root; everything started is stopped by PID.
. "$(dirname "$0")/lib.sh"

NS="kasane-pcap-$$"
VH="kp$$h" # host end of the veth pair (interface names: at most 15 bytes)
VN="kp$$n" # namespace end
NET="10.214.$(($$ % 200 + 20))"
. "$(dirname "$0")/pcap_netns.inc"
. "$(dirname "$0")/poll.inc"
trap netns_down EXIT

for tool in iperf3 ip tcpdump jq setpriv; do
    command -v "$tool" >/dev/null 2>&1 || { notok "pcap test needs $tool"; exit 0; }
done
need_root "pcap test (a network namespace)" || exit 0

netns_up
check "veth pair into a test namespace" [ $? -eq 0 ]
netns_iperf_server

# ---- live capture: TCP at 1 Gbit/s, then UDP at 50 Mbit/s -----------------------------
# -d is only a bound: the run is ended with SIGTERM once the traffic is over and one
# more 0.5 s sample has been taken, so a machine slow to start the collector or iperf3
# cannot push the traffic past the end of the capture.
"$KASANE" collect --pcap "$VH" --user nobody -i 0.5 -d 120 --sources pcap --no-papi \
    -o "$T/ds" 2>"$T/collect.err" &
kp=$!
PIDS="$PIDS $kp"
# The collector drops its privileges after the baseline sample, so once its uid is
# nobody's the capture runs and the traffic can start (waited for: a loaded machine
# takes a second to get there; a collector that never drops fails the check).
nobody3="$(id -u nobody),$(id -u nobody),$(id -u nobody)"
uids() { awk '/^Uid:/ {print $2 "," $3 "," $4}' "/proc/$kp/status" 2>/dev/null; }
dropped() { [ "$(uids)" = "$nobody3" ]; }
poll 30 dropped
uid_now=$(uids)
check "privileges dropped after open: uid,euid,suid = nobody's ($uid_now)" \
    [ "$uid_now" = "$nobody3" ]
iperf3 -c "$NET.2" -p 5201 -B "$NET.1" -b 1G -t 2 --json >"$T/tcp.json" 2>/dev/null
iperf3 -c "$NET.2" -p 5201 -B "$NET.1" -u -b 50M -t 2 --json >"$T/udp.json" 2>/dev/null
sleep 1.2
kill -TERM "$kp"
wait "$kp"
check "collect --pcap ended by SIGTERM after the traffic (exit 0)" [ $? -eq 0 ]

# Column sums over the rows, by name: bytes = KiBps x interval x 1024.
col_bytes() {
    awk -F, -v c="$1" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == c) k = i; next}
        {s += $k * $3 * 1024} END {printf "%.0f", s}' "$T/ds/samples.csv"
}
col_sum() {
    awk -F, -v c="$1" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == c) k = i; next}
        {s += $k} END {printf "%.0f", s}' "$T/ds/samples.csv"
}
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN {d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b * p / 100)}'; }

tcp_iperf=$(jq '.end.sum_sent.bytes' "$T/tcp.json")
udp_iperf=$(jq '.end.sum.bytes' "$T/udp.json")
tcp_pcap=$(col_bytes pcap_tcp_KiBps)
udp_pcap=$(col_bytes pcap_udp_KiBps)
echo "# tcp: iperf3 $tcp_iperf B, pcap $tcp_pcap B; udp: iperf3 $udp_iperf B, pcap $udp_pcap B"
check "TCP bytes within 5% of iperf3 ($tcp_pcap vs $tcp_iperf)" within "$tcp_pcap" "$tcp_iperf" 5
check "UDP bytes within 5% of iperf3 ($udp_pcap vs $udp_iperf)" within "$udp_pcap" "$udp_iperf" 5
drops=$(col_sum pcap_drops)
check "zero kernel drops at 1 Gbit/s (pcap_drops sum $drops)" [ "$drops" = 0 ]
rate=$(jq '.end.sum_sent.bits_per_second' "$T/tcp.json")
check "iperf3 really reached ~1 Gbit/s ($rate)" awk -v r="$rate" 'BEGIN {exit !(r > 0.9e9)}'
flow() { awk -F, -v s="$1" -v d="$2" -v p="$3" -v o="$4" \
    '$3 == s && $4 == d && $5 == p && $6 == o {b += $7} END {printf "%.0f", b}' "$T/ds/flows.csv"; }
check "flows.csv header" [ "$(head -1 "$T/ds/flows.csv")" = "time,entity,src,dst,proto,dport,bytes,packets" ]
tf=$(flow "$NET.1" "$NET.2" tcp 5201)
check "flows.csv: TCP $NET.1 -> $NET.2:5201 carries the iperf3 bytes ($tf)" within "$tf" "$tcp_iperf" 5
uf=$(flow "$NET.1" "$NET.2" udp 5201)
check "flows.csv: UDP $NET.1 -> $NET.2:5201 carries the iperf3 bytes ($uf)" within "$uf" "$udp_iperf" 5
up_iperf=$(jq '.end.sum.packets' "$T/udp.json")
up_pcap=$(awk -F, -v s="$NET.1" -v d="$NET.2" '$3 == s && $4 == d && $5 == "udp" {n += $8} END {print n + 0}' "$T/ds/flows.csv")
check "UDP datagrams: flows.csv $up_pcap vs iperf3 $up_iperf (1%)" within "$up_pcap" "$up_iperf" 1

# ---- without permission: a one-line message, collection goes on ------------------------
# The binary is staged where nobody can reach it (the clone may sit in /root).
mkdir -p "$T/np" && chmod 777 "$T/np" && chmod 755 "$T"
st=$(stage_for_other_user)
setpriv --reuid=nobody --regid=nogroup --clear-groups "$st/$(basename "$KASANE")" collect \
    --pcap "$VH" -i 0.2 -n 2 --no-papi --sources cpu,pcap -o "$T/np/ds" 2>"$T/np.err"
rc=$?
rm -rf "$st"
check "non-root --pcap: exit 0" [ "$rc" -eq 0 ]
check "non-root --pcap: one clear line on stderr" grep -q "no permission to capture" "$T/np.err"
check "non-root --pcap: rows still written" [ "$(wc -l <"$T/np/ds/samples.csv")" -eq 3 ]
check "non-root --pcap: inventory notes say why" grep -q "pcap unavailable.*no permission" "$T/np/ds/inventory.csv"

# ---- a capture file: exact counts against tcpdump's reading of the same file -----------
tcpdump -i "$VH" -w "$T/cap.pcap" -U -n >/dev/null 2>"$T/tcpdump.err" &
tp=$!
PIDS="$PIDS $tp"
poll 30 grep -q "listening on" "$T/tcpdump.err"
# datagrams to a closed port: ICMP port unreachable comes back
python3 -c "import socket,time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3): s.sendto(b'x', ('$NET.2', 9)); time.sleep(0.05)"
iperf3 -c "$NET.2" -p 5201 -B "$NET.1" -u -b 1M -t 1 >/dev/null 2>&1
# the checks compare kasane with tcpdump on the same file; this wait only makes sure the
# file holds every kind (-U writes each packet as it comes)
poll 10 sh -c "tcpdump -r '$T/cap.pcap' -n icmp 2>/dev/null | grep -q ."
kill -INT "$tp"; wait "$tp" 2>/dev/null
"$KASANE" collect --pcap-file "$T/cap.pcap" -i 0.1 -n 1 --no-papi --sources pcap -o "$T/off" 2>/dev/null
check "collect --pcap-file: exit 0" [ $? -eq 0 ]
for p in tcp udp icmp; do
    f=$p; [ "$p" = icmp ] && f="icmp or icmp6"
    want=$(tcpdump -r "$T/cap.pcap" -n "$f" 2>/dev/null | wc -l)
    got=$(awk -F, -v c="pcap_${p}_pps" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == c) k = i; next}
        {printf "%.0f", $k * $3}' "$T/off/samples.csv")
    check "--pcap-file: $p packets = tcpdump's ($got vs $want, > 0)" test "$got" = "$want" -a "$want" -gt 0
done
all=$(tcpdump -r "$T/cap.pcap" -n 2>/dev/null | wc -l)
fl=$(awk -F, 'NR > 1 {n += $8} END {print n + 0}' "$T/off/flows.csv")
check "--pcap-file: flows.csv packets sum to every packet ($fl vs $all)" [ "$fl" = "$all" ]
expect_exit "--pcap-file of a non-capture: exit 1 naming the file" 1 "samples.csv: not a capture" \
    "$KASANE" collect --pcap-file "$T/ds/samples.csv" -n 1 --no-papi --sources pcap -o "$T/bad"
expect_exit "--bpf that does not compile: exit 1" 1 "bpf" \
    "$KASANE" collect --pcap-file "$T/cap.pcap" --bpf "no such filter (" -n 1 --no-papi -o "$T/bad2"
expect_exit "--user that does not exist: exit 1 naming it" 1 "--user 'no-such-kasane-user'" \
    "$KASANE" collect --pcap-file "$T/cap.pcap" --user no-such-kasane-user -n 1 --no-papi -o "$T/bad3"
expect_exit "--pcap with --pcap-file: usage error" 2 "exclude" \
    "$KASANE" collect --pcap "$VH" --pcap-file "$T/cap.pcap" -n 1
