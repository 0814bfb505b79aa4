# kasane top on this host with the collector's optional sources: VMs from libvirt's
# test driver (test:///default runs domain "test": 2 vCPUs), a libvirt URI that cannot
# connect, the Counters screen's reason on a machine without a PMU (reference.md),
# --no-papi, and flows from a live capture on a veth pair into a network namespace of
# this test (never loopback), recorded into flows.csv after the capture dropped root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/top.inc"
TOP="$KASANE top -i 0.5"

# --- libvirt -------------------------------------------------------------------------
start lv --libvirt test:///default
wait_for "live  " >/dev/null
check "libvirt: 2 shows one VM" key_wait 2 "VMS  1, sorted by cpu"
check "libvirt: domain test with its 2 vCPUs" wait_row 5 '^test  *2  *[0-9.]*  *[0-9]'
check "libvirt: the host's own lines stay on the overview" key_wait 1 "all"
stop
start lvbad --libvirt test:///no/such/file.xml
wait_for "live  " >/dev/null
check "libvirt URI that cannot connect: the VMs screen says why" \
    key_wait 2 "source libvirt unavailable: libvirt: cannot connect to 'test:///no/such/file.xml'"
check "libvirt URI that cannot connect: the host is still monitored" key_wait 1 "cpu0  ["
stop
start novm
wait_for "live  " >/dev/null
check "no --libvirt: the VMs screen says how to get them" key_wait 2 "give --libvirt URI"
check "no --pcap: the Flows screen says how to get them" key_wait 3 "give --pcap IFACE"
# reference.md: this machine has no PMU, so PAPI refuses and the screen must say so;
# on a machine with one, IPC is shown instead. Either is asserted, never skipped.
tm send-keys -t "$name" 4
if grep -q "^flags.* arch_perfmon" /proc/cpuinfo && [ -z "$(grep -l hypervisor /proc/cpuinfo)" ]; then
    check "counters: IPC shown on a machine with a PMU" wait_for "IPC (instructions per cycle)  "
else
    check "counters: no PMU here, the reason from the collector's PAPI source" \
        wait_for "why: source papi unavailable: papi: no PMU"
fi
stop
start nopapi --no-papi
wait_for "live  " >/dev/null
check "--no-papi: the Counters screen says they are off" key_wait 4 "hardware counters are off (--no-papi)"
stop
expect_exit "--pcap with --replay is refused" 2 "for live mode" \
    "$KASANE" top --replay "$FIX/top/basic" --pcap eth0
expect_exit "--user without --pcap is refused" 2 "--user goes with --pcap" "$KASANE" top --user nobody

# --- pcap ----------------------------------------------------------------------------
for tool in iperf3 ip; do
    command -v "$tool" >/dev/null 2>&1 || { notok "top --pcap test needs $tool"; exit 0; }
done
need_root "top --pcap test (a network namespace)" || exit 0
NS="kasane-top-$$"
VH="kt$$h"
VN="kt$$n"
NET="10.215.$(($$ % 200 + 20))"
. "$(dirname "$0")/pcap_netns.inc"
trap 'tm kill-server 2>/dev/null; netns_down' EXIT
netns_up
check "veth pair into a test namespace" [ $? -eq 0 ]
netns_iperf_server
name="pcap-$$"
tm new-session -d -x 120 -y 40 -s "$name" \
    "exec $KASANE top -i 0.5 --no-papi --pcap $VH --record $T/rec"
wait_for "live  " >/dev/null
top_pid=$(tm display -p -t "$name" '#{pane_pid}')
iperf3 -c "$NET.2" -p 5201 -B "$NET.1" -b 50M -t 3 >/dev/null 2>&1 &
client=$!
PIDS="$PIDS $client"
tm send-keys -t "$name" 3
check "pcap: the iperf3 stream is the top talker" \
    wait_row 5 "^$NET.1 *$NET.2 *tcp *5201 "
check "pcap: protocols summed under the talkers" wait_for "tcp"
uid_now=$(awk '/^Uid:/ {print $2 "," $3 "," $4}' "/proc/$top_pid/status")
check "pcap: root dropped to nobody once capturing ($uid_now)" \
    [ "$uid_now" = "$(id -u nobody),$(id -u nobody),$(id -u nobody)" ]
wait "$client"
tm send-keys -t "$name" q
i=0; while [ -d "/proc/$top_pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "pcap: flows.csv recorded after the drop (opened before it, as collect does)" \
    awk -F, -v a="$NET.1" -v b="$NET.2" '$3 == a && $4 == b && $5 == "tcp" {n++} END {exit !n}' "$T/rec/flows.csv"
check "pcap: samples.csv carries the capture's protocol columns" \
    awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "pcap_tcp_KiBps") k = i; next}
        k && $k > 0 {n++} END {exit !n}' "$T/rec/samples.csv"
