#!/bin/sh
# Collector overhead (issue 6): CPU time per sample of `kasane collect` against
# sysstat's sadc in the same run (both at 1 s, side by side, N samples; sadc with
# -S DISK, what Debian's sa1 runs), and peak resident memory (VmHWM) of each.
# Also kasane's steady-state cost per sample at -i 0.01 (no start-up amortized).
# Prints CSV: figure,value,unit,baseline,baseline_value,ratio,runs,spread,note
set -u
: "${KASANE:=build-bench/kasane}"
N=${BENCH_COLLECT_SAMPLES:-30}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 - "$KASANE" "$N" "$T" <<'PY'
import os, subprocess, sys, time
kasane, n, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0

def run_side_by_side():
    sadc = subprocess.Popen(["/usr/lib/sysstat/sadc", "-S", "DISK", "1", str(n + 1), tmp + "/sa"])
    kas = subprocess.Popen([kasane, "collect", "-i", "1", "-n", str(n), "-o", tmp + "/ds"],
                           stderr=subprocess.DEVNULL)
    time.sleep(n - 0.6)  # both still running: read their peak RSS
    hwm = (hwm_kib(kas.pid), hwm_kib(sadc.pid))
    ru = {}
    for p in (kas, sadc):
        _, status, r = os.wait4(p.pid, 0)
        ru[p.pid] = r.ru_utime + r.ru_stime
    return ru[kas.pid] / n, ru[sadc.pid] / n, hwm

k_cpu, s_cpu, (k_hwm, s_hwm) = run_side_by_side()
print("collector_cpu_vs_sadc,%.4f,ms/sample,sadc -S DISK,%.4f,%.3f,1,,%d samples at 1 s side by side (start-up included); target ratio <= 1.0"
      % (k_cpu * 1e3, s_cpu * 1e3, k_cpu / s_cpu, n))
print("collector_rss,%.2f,MiB,sadc -S DISK,%.2f,%.3f,1,,peak resident (VmHWM); target < 4 MiB"
      % (k_hwm / 1024, s_hwm / 1024, k_hwm / s_hwm))

# Steady state: many samples, start-up amortized away.
m = 1000
p = subprocess.Popen([kasane, "collect", "-i", "0.01", "-n", str(m), "-o", tmp + "/ds2"],
                     stderr=subprocess.DEVNULL)
_, _, r = os.wait4(p.pid, 0)
print("collector_cpu_steady,%.4f,ms/sample,,,,1,,kasane alone at -i 0.01 for %d samples"
      % ((r.ru_utime + r.ru_stime) / m * 1e3, m))
PY
