# kasane collect on the fake /proc + /sys trees of tests/fixtures/proc: exact values.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/poll.inc"
P="$FIX/proc"

# seq SCENARIO: the --root-seq argument (every snapshot, in order)
seq_of() { ls -d "$P/$1"/[0-9]* | sort -t/ -k1 | awk '{printf "%s%s", (NR>1?",":""), $0}'; }
# collect SCENARIO: rows = snapshots - 1, into $T/SCENARIO
collect() {
    n=$(ls -d "$P/$1"/[0-9]* | wc -l)
    "$KASANE" collect --root-seq "$(seq_of "$1")" -i 0.01 -n $((n - 1)) -o "$T/$1" 2>"$T/$1.err"
}
# col FILE NAME: the values of column NAME (header looked up by name), one per line
col() { awk -F, -v c="$2" 'NR==1 {for (i=1;i<=NF;i++) if ($i==c) k=i; next} {print $k}' "$1"; }
# expect SCENARIO COLUMN "v1 v2 ...": the column's values over the rows
expect() {
    got=$(col "$T/$1/samples.csv" "$2" | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$3" ]; then ok "$1 $2 = $3"; else notok "$1 $2: got '$got', want '$3'"; fi
}
inv() { # inv SCENARIO COLUMN VALUE
    got=$(python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(r[0][sys.argv[2]])' \
          "$T/$1/inventory.csv" "$2")
    if [ "$got" = "$3" ]; then ok "$1 inventory $2 = $3"; else notok "$1 inventory $2: got '$got', want '$3'"; fi
}

for s in steal-rising kvm-guest xen-guest two-socket-host counter-wrap disk-rereg nic-removed cpu-offlined; do
    check "$s: collect exits 0" collect "$s"
done

expect steal-rising time "1700001010 1700001020"
expect steal-rising interval_s "10 10"
expect steal-rising cpu_pct "60 70"
expect steal-rising cpu_steal_pct "20 40"
expect steal-rising cpu_MHz "2400 2800"
inv steal-rising kind vm
inv steal-rising hypervisor kvm

expect kvm-guest cpu_pct 65
expect kvm-guest cpu_user_pct 40
expect kvm-guest cpu_guest_pct 10
expect kvm-guest cpu_MHz 3374.927
expect kvm-guest net_rx_KiBps 100
expect kvm-guest net_tx_pps 50
expect kvm-guest mem_used_MiB 2048
expect kvm-guest swap_used_MiB 512
expect kvm-guest mem_pgin_KiBps 1024
inv kvm-guest nic_Mbps ""
inv kvm-guest nics "eth0:?"
inv kvm-guest hypervisor kvm
inv kvm-guest cpu_model "AMD EPYC (family 23 model 49)"
inv two-socket-host cpu_model "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"

expect xen-guest cpu_steal_pct 10
expect xen-guest disk_read_iops 5
expect xen-guest disk_read_KiBps 20
expect xen-guest disk_write_iops 15
expect xen-guest disk_write_KiBps 120
expect xen-guest disk_await_ms 0.5
expect xen-guest disk_util_pct 2
inv xen-guest hypervisor xen
inv xen-guest kind vm
inv xen-guest hv_evidence "sys_hypervisor=xen dmi=HVM domU"
inv xen-guest os "CentOS Linux 7 (Core)"

expect two-socket-host cpu_pct 40
expect two-socket-host cpu_iowait_pct 10
expect two-socket-host cpu_MHz 9600
expect two-socket-host disk_read_iops 300
expect two-socket-host disk_read_KiBps 4896
expect two-socket-host disk_write_KiBps 1024
expect two-socket-host disk_await_ms 2.257
expect two-socket-host disk_util_pct 60
expect two-socket-host net_rx_KiBps 1010
expect two-socket-host net_tx_KiBps 510
expect two-socket-host net_rx_err_ps 0.1
expect two-socket-host net_rx_drop_ps 0.2
inv two-socket-host kind host
inv two-socket-host sockets 2
inv two-socket-host cores 4
inv two-socket-host threads 8
inv two-socket-host core_MHz 3000
inv two-socket-host nic_count 2
inv two-socket-host nic_Mbps 20000
inv two-socket-host disk_count 2
inv two-socket-host disks "nvme0n1:894GiB:ssd sda:932GiB:hdd"

expect counter-wrap net_rx_KiBps 1000
expect counter-wrap net_rx_pps 1000
expect counter-wrap net_tx_KiBps 100
expect counter-wrap disk_util_pct 50
expect counter-wrap events "disk_wrap:sda;nic_wrap:eth0"

expect disk-rereg disk_read_iops "20 30"
expect disk-rereg disk_read_KiBps "204.8 307.2"
expect disk-rereg disk_await_ms "2 1.667"
expect disk-rereg events "disk_rereg:sdb "

expect nic-removed net_rx_KiBps "150 100"
expect nic-removed net_tx_KiBps "250 200"
expect nic-removed net_tx_err_ps "0.5 0.5"
expect nic-removed events " nic_gone:eth1"

expect cpu-offlined cpu_pct 50
expect cpu-offlined cpu_online 3
expect cpu-offlined cpu_MHz 3600
expect cpu-offlined events "cpu_offline:3"
inv cpu-offlined core_MHz 2400
check "cpu-offlined: cores.csv marks cpu3 offline with empty rates" \
    grep -qx '1700001010,off1,3,0,,,,,,' "$T/cpu-offlined/cores.csv"
check "cpu-offlined: cores.csv has 3 online rows at 50%" \
    sh -c "[ \$(grep -c ',1,50,50,0,0,0,0\$' '$T/cpu-offlined/cores.csv') -eq 3 ]"

# Every row belongs to an entity of the inventory.
check "every samples row names an inventory entity" sh -c \
    "for d in '$T'/*/; do [ -f \"\$d/samples.csv\" ] || continue; python3 - \"\$d\" <<'PY' || exit 1
import csv, sys
d = sys.argv[1]
inv = {r['entity'] for r in csv.DictReader(open(d + '/inventory.csv'))}
rows = list(csv.DictReader(open(d + '/samples.csv')))
assert rows and all(r['entity'] in inv for r in rows)
PY
done"

# A tree without /proc/stat is bad input: exit 1 with a message naming it.
mkdir -p "$T/empty"
expect_exit "a tree with nothing readable is exit 1" 1 "no source can read" \
    "$KASANE" collect --root "$T/empty" -n 1 -i 0.01 -o "$T/emptyds"

# --dm counts device-mapper disks too (dm-0 adds 999.9 r/s in two-socket-host).
"$KASANE" collect --root-seq "$(seq_of two-socket-host)" --dm -i 0.01 -n 1 -o "$T/dm" 2>/dev/null
got=$(col "$T/dm/samples.csv" disk_read_iops)
if [ "$got" = "1299.9" ]; then ok "--dm: dm-0 in the totals"; else notok "--dm: got '$got', want 1299.9"; fi

# A live --root whose subtrees a test replaces between samples (how top is tested):
# the root fd stays, renamed-in subtrees are seen, the tree's uptime gives the rate.
L="$T/live"
mkdir -p "$L" && cp -r "$P/steal-rising/1/." "$L/"
# The baseline must read tree 1, row 1 (1 s later) tree 2, row 2 tree 3. A loaded
# machine starts collect a second late, so the swaps follow the collector, not the
# clock: tree 2 goes in 0.3 s after collect says it starts its loop (the baseline is
# its first step), tree 3 as soon as row 1 is written.
"$KASANE" collect --root "$L" -i 1 -n 2 -o "$T/liveds" 2>"$T/live.err" &
pid=$!
swap() { cp -r "$P/steal-rising/$1/proc" "$L/proc.new" && mv "$L/proc" "$L/proc.old" &&
         mv "$L/proc.new" "$L/proc" && rm -rf "$L/proc.old"; }
poll 30 grep -q "every 1 s into" "$T/live.err"
sleep 0.3; swap 2
poll 30 sh -c "[ \$(wc -l < '$T/liveds/samples.csv') -ge 2 ]"
swap 3
wait "$pid"
expect liveds cpu_pct "60 70"
expect liveds cpu_steal_pct "20 40"
