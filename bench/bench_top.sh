#!/bin/sh
# bench_top: CPU time per refresh of `kasane top` at a 1 s interval against
# `top -b -d 1` on the same machine, in the same run, side by side.
#
# kasane top runs full-screen in a private tmux server (120x40, the size of the e2e
# tests), top in batch mode into /dev/null, both at 1 s. The CPU time of each process
# is read after the first refresh and again REFRESHES refreshes later; the difference
# is the cost of those refreshes. CPU time: /proc/PID/sched sum_exec_runtime (ms,
# exact), else utime + stime of /proc/PID/stat (10 ms ticks: too coarse for one
# refresh, so both are reported). Repeated ROUNDS times; value and baseline are
# totals over all rounds divided by the refreshes, spread is the min-max of the
# per-round ratios. Prints one CSV line (bench/run.sh format).
#
# Mode: live (`kasane top --root /`) when this build has the live feed, else a replay
# of a generated 1-sample-per-second dataset that changes on every refresh.
set -u
: "${KASANE:=build-bench/kasane}" "${ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
REFRESHES=${REFRESHES:-10}
ROUNDS=${ROUNDS:-3}
T=$(mktemp -d)
SOCK="kasane-bench-top-$$"
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT
# The server exits with its last session; an idle one keeps it up between rounds.
tm new-session -d -s keep "sleep 600"
TCK=$(getconf CLK_TCK)

# A dataset of one host and 20 VMs, 1 s steps, values moving every step.
gen_dataset() {
    d=$1
    mkdir -p "$d"
    {
        echo "entity,kind,hostname,cpu_model,sockets,cores,threads,core_MHz,mem_MiB,nic_count,nic_Mbps,disk_count,hypervisor,os,notes"
        echo "h1,host,h1,,2,8,16,2400,65536,2,,2,kvm,,"
        i=1; while [ $i -le 20 ]; do echo "vm$i,vm,vm$i,,,,2,2400,4096,1,,1,kvm,,"; i=$((i + 1)); done
    } > "$d/inventory.csv"
    awk 'BEGIN {
        print "time,entity,interval_s,cpu_pct,cpu_MHz,cpu_steal_pct,mem_used_MiB,mem_total_MiB," \
              "disk_read_KiBps,disk_write_KiBps,disk_read_iops,disk_write_iops,disk_await_ms," \
              "disk_util_pct,net_rx_KiBps,net_tx_KiBps,net_rx_pps,net_tx_pps,ipc"
        for (s = 1; s <= 3600; s++) {
            t = 1767225600 + s
            printf "%d,h1,1,%d,,%d,%d,65536,%d,%d,%d,%d,1.5,%d,%d,%d,%d,%d,\n", t, s % 100,
                   s % 7, 30000 + s % 5000, s % 900, s % 700, s % 90, s % 70, s % 100,
                   s % 1000, s % 800, s % 100, s % 80
            for (v = 1; v <= 20; v++)
                printf "%d,vm%d,1,%d,,,%d,4096,1,2,,,,,3,4,,,\n", t, v, (s + v) % 100, 1000 + v
        }
    }' > "$d/samples.csv"
}

if "$KASANE" top --help | grep -q -- '--root DIR .*live'; then
    MODE=live
    ARGS="--root /"
else
    MODE=replay
    gen_dataset "$T/ds"
    ARGS="--replay $T/ds"
fi

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# CPU milliseconds of a process: the scheduler's exact sum_exec_runtime where the
# kernel exposes /proc/PID/sched (a 1 s refresh costs well under one 10 ms tick),
# else utime + stime.
cpu_ms() {
    if grep -q '^se.sum_exec_runtime' "/proc/$1/sched" 2>/dev/null; then
        awk '/^se.sum_exec_runtime/ { print $3 }' "/proc/$1/sched"
    else
        awk -v tck="$TCK" '{ print ($14 + $15) * 1000 / tck }' "/proc/$1/stat"
    fi
}

k_total=0 t_total=0 km_total=0 tm_total=0 ratios=""
r=0
while [ $r -lt "$ROUNDS" ]; do
    tm new-session -d -x 120 -y 40 -s "k$r" "exec $KASANE top -i 1 $ARGS"
    top -b -d 1 > /dev/null &
    tpid=$!
    kpid=$(tm display -p -t "k$r" '#{pane_pid}')
    # Start-up (reading a dataset, top's first full scan) is not a refresh: count from
    # half a second after the first refresh to half a second after the last one.
    sleep 1.5
    k0=$(cpu_ticks "$kpid") t0=$(cpu_ticks "$tpid")
    km0=$(cpu_ms "$kpid") tm0=$(cpu_ms "$tpid")
    sleep "$REFRESHES"
    k=$(( $(cpu_ticks "$kpid") - k0 )) t=$(( $(cpu_ticks "$tpid") - t0 ))
    km=$(awk -v a="$km0" -v b="$(cpu_ms "$kpid")" 'BEGIN { print b - a }')
    tms=$(awk -v a="$tm0" -v b="$(cpu_ms "$tpid")" 'BEGIN { print b - a }')
    tm send-keys -t "k$r" q
    kill "$tpid"; wait "$tpid" 2>/dev/null
    tm kill-session -t "k$r" 2>/dev/null
    k_total=$((k_total + k)) t_total=$((t_total + t))
    km_total=$(awk -v a="$km_total" -v b="$km" 'BEGIN { print a + b }')
    tm_total=$(awk -v a="$tm_total" -v b="$tms" 'BEGIN { print a + b }')
    ratios="$ratios $(awk -v k="$km" -v t="$tms" 'BEGIN { if (t > 0) printf "%.3f", k / t; else print "nan" }')"
    r=$((r + 1))
done
frames=$(( REFRESHES * ROUNDS ))
awk -v k="$k_total" -v t="$t_total" -v km="$km_total" -v tm="$tm_total" -v f="$frames" \
    -v rs="$ratios" -v n="$ROUNDS" -v mode="$MODE" -v refr="$REFRESHES" 'BEGIN {
    kms = km / f; tms = tm / f
    nr = split(rs, a, " "); lo = ""; hi = ""
    for (i = 1; i <= nr; i++) if (a[i] != "nan") {
        if (lo == "" || a[i] + 0 < lo) lo = a[i] + 0
        if (hi == "" || a[i] + 0 > hi) hi = a[i] + 0
    }
    printf "tui_cpu_vs_top,%.3f,ms CPU/refresh,top -b -d 1,%.3f,%s,%d,%s,%s at 1 s in tmux 120x40; %d refreshes per round; sched sum_exec_runtime (utime+stime: %d vs %d ticks)\n",
        kms, tms, (tm > 0 ? sprintf("%.3f", km / tm) : ""), n, (lo == "" ? "" : lo "-" hi), mode, refr, k, t
}'
