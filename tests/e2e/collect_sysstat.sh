# kasane collect against sysstat's sadc on this machine, side by side for 10 s under
# CPU load (stress-ng), direct disk writes (fio) and network traffic (iperf3 over a
# veth pair into a network namespace this test creates: never loopback, never an
# outside address). Averages must agree: 5 CPU points, 10% for disk and network.
# Needs root (netns, veth); everything started here is stopped by PID and removed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/poll.inc"

SADC=/usr/lib/sysstat/sadc
NS="kasane-col-$$"
VH="kc$$h"   # host end of the veth pair (interface names: at most 15 bytes)
VN="kc$$n"   # namespace end
NET="10.213.$(( $$ % 200 + 20 ))"
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null   # takes the namespace end of the veth with it
    ip link del "$VH" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

for tool in "$SADC" stress-ng fio iperf3 ip sadf; do
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "$tool" ]; then
        notok "sysstat comparison needs $tool"; exit 0
    fi
done
need_root "sysstat comparison (a network namespace)" || exit 0

ip netns add "$NS" &&
    ip link add "$VH" type veth peer name "$VN" &&
    ip link set "$VN" netns "$NS" &&
    ip addr add "$NET.1/30" dev "$VH" && ip link set "$VH" up &&
    ip netns exec "$NS" ip addr add "$NET.2/30" dev "$VN" &&
    ip netns exec "$NS" ip link set "$VN" up
check "veth pair into a test namespace" [ $? -eq 0 ]

ip netns exec "$NS" iperf3 -s -B "$NET.2" -p 5201 >/dev/null 2>&1 &
PIDS="$PIDS $!"
listening() { ip netns exec "$NS" ss -Hltn "sport = :5201" | grep -q .; }
poll 30 listening
# Load for 16 s (stopped at exit); measurement starts after 1 s so every interval sees
# steady load, and a loaded machine's slow starts still end inside it.
iperf3 -c "$NET.2" -p 5201 -B "$NET.1" -b 200M -t 16 >/dev/null 2>&1 &
PIDS="$PIDS $!"
stress-ng --cpu 1 --cpu-load 60 --timeout 16s >/dev/null 2>&1 &
PIDS="$PIDS $!"
fio --name=w --filename="$T/fio.dat" --rw=write --bs=64k --direct=1 --size=64M \
    --time_based --runtime=16 --rate=16m --ioengine=psync >/dev/null 2>&1 &
PIDS="$PIDS $!"
sleep 1
# Flush what earlier tests left dirty: a writeback burst of tens of MB landing in the
# tenth of a second between kasane's and sadc's windows moved their averages apart by
# more than 10% (CI: 53.5 vs 59.7 MB/s while fio wrote 16); fio's direct writes are then
# most of what both see.
sync

# kasane first, sadc as soon as kasane starts its loop: the two take their baselines
# together although kasane may take a second to start on a loaded machine.
"$KASANE" collect -i 1 -n 10 -o "$T/ds" 2>"$T/collect.err" &
kp=$!
poll 30 grep -q "every 1 s into" "$T/collect.err"
"$SADC" -S DISK 1 11 "$T/sa" &
sp=$!
wait "$sp"; src=$?
wait "$kp"; krc=$?
check "sadc ran" [ "$src" -eq 0 ]
check "kasane collect -i 1 -n 10 ran" [ "$krc" -eq 0 ]

# kasane averages over its 10 rows, by column name
kavg() { awk -F, -v c="$1" 'NR==1 {for (i=1;i<=NF;i++) if ($i==c) k=i; next} {s+=$k; n++} END {printf "%.3f", s/n}' "$T/ds/samples.csv"; }
# sadf averages: FIELD of the rows matched by the awk condition COND, summed per
# timestamp (several devices), then averaged over timestamps
savg() { # savg ACTIVITY FIELD COND
    sadf -d -U "$T/sa" -- $1 | awk -F';' -v f="$2" "!/^#/ && ($3) {s[\$3]+=\$f} END {for (t in s) {x+=s[t]; n++} printf \"%.3f\", x/n}"
}
# close A B TOL KIND: |A-B| <= TOL points (KIND=abs) or TOL * max(A,B) (KIND=rel)
close() { awk -v a="$1" -v b="$2" -v t="$3" -v k="$4" 'BEGIN {d=a-b; if (d<0) d=-d; m=(a>b?a:b); exit !(k=="abs" ? d<=t : d<=t*m)}'; }

k_cpu=$(kavg cpu_pct)
s_cpu=$(sadf -d -U "$T/sa" -- -u | awk -F';' '!/^#/ {s+=100-$10-$8; n++} END {printf "%.3f", s/n}')
check "CPU busy %: kasane $k_cpu vs sadc $s_cpu (within 5 points)" close "$k_cpu" "$s_cpu" 5 abs

k_dw=$(kavg disk_write_KiBps)
s_dw=$(savg "-d -p" 7 '$4 !~ /^(loop|ram|zram|dm-|md)/')
check "disk write KiB/s: kasane $k_dw vs sadc $s_dw (within 10%)" close "$k_dw" "$s_dw" 0.10 rel
check "disk writes really happened (sadc > 8000 KiB/s)" awk -v v="$s_dw" 'BEGIN {exit !(v > 8000)}'

k_tx=$(kavg net_tx_KiBps)
s_tx=$(savg "-n DEV" 8 '$4 != "lo"')
check "net tx KiB/s: kasane $k_tx vs sadc $s_tx (within 10%)" close "$k_tx" "$s_tx" 0.10 rel
k_rx=$(kavg net_rx_pps)
s_rx=$(savg "-n DEV" 5 '$4 != "lo"')
check "net rx packets/s: kasane $k_rx vs sadc $s_rx (within 10%)" close "$k_rx" "$s_rx" 0.10 rel
check "traffic really crossed the veth (> 10000 KiB/s)" awk -v v="$s_tx" 'BEGIN {exit !(v > 10000)}'
