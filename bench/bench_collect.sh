#!/bin/sh
# Collector overhead (issue 6): CPU time per sample of `kasane collect` against
# sysstat's sadc in the same run (both at 1 s, side by side, N samples; sadc with
# -S DISK, what Debian's sa1 runs), and peak resident memory (VmHWM) of each.
# Also kasane's steady-state cost per sample at -i 0.01 (no start-up amortized).
# kasane-collect (issue 22), in the same side-by-side run: CPU per sample and peak RSS
# against sadc's, shared libraries mapped once started (/proc/PID/maps), stripped binary
# size (what a package ships; Debian's sadc is stripped) and start-up time (--version,
# median of 21, against sadc -V).
# Prints CSV: figure,value,unit,baseline,baseline_value,ratio,runs,spread,note
set -u
: "${KASANE:=build-bench/kasane}"
: "${KASANE_COLLECT:=$(dirname "$KASANE")/kasane-collect}"
N=${BENCH_COLLECT_SAMPLES:-30}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 - "$KASANE" "$N" "$T" "$KASANE_COLLECT" <<'PY'
import os, statistics, subprocess, sys, time
kasane, n, tmp, kc = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
SADC = "/usr/lib/sysstat/sadc"

def libs_mapped(pid):
    """Distinct shared objects (the dynamic loader included) mapped by pid."""
    seen = set()
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            base = os.path.basename(path)
            if ".so" in base:
                seen.add(base)
    return len(seen)

def hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0

def run_side_by_side():
    sadc = subprocess.Popen([SADC, "-S", "DISK", "1", str(n + 1), tmp + "/sa"])
    kas = subprocess.Popen([kasane, "collect", "-i", "1", "-n", str(n), "-o", tmp + "/ds"],
                           stderr=subprocess.DEVNULL)
    kcp = subprocess.Popen([kc, "-i", "1", "-n", str(n), "-o", tmp + "/dsc"],
                           stderr=subprocess.DEVNULL)
    time.sleep(1.5)  # started, first sample taken: what each has mapped
    libs = (libs_mapped(kcp.pid), libs_mapped(sadc.pid))
    time.sleep(n - 2.1)  # all still running: read their peak RSS
    hwm = (hwm_kib(kas.pid), hwm_kib(sadc.pid), hwm_kib(kcp.pid))
    ru = {}
    for p in (kas, sadc, kcp):
        _, status, r = os.wait4(p.pid, 0)
        ru[p.pid] = r.ru_utime + r.ru_stime
    return ru[kas.pid] / n, ru[sadc.pid] / n, ru[kcp.pid] / n, hwm, libs

def startup_ms(argv):
    """Median wall time of 21 runs of argv, and the spread (max - min), in ms."""
    t = []
    for _ in range(21):
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(t), max(t) - min(t)

k_cpu, s_cpu, c_cpu, (k_hwm, s_hwm, c_hwm), (c_libs, s_libs) = run_side_by_side()
print("collector_cpu_vs_sadc,%.4f,ms/sample,sadc -S DISK,%.4f,%.3f,1,,%d samples at 1 s side by side (start-up included); target ratio <= 1.0"
      % (k_cpu * 1e3, s_cpu * 1e3, k_cpu / s_cpu, n))
print("collector_rss,%.2f,MiB,sadc -S DISK,%.2f,%.3f,1,,peak resident (VmHWM); target < 4 MiB"
      % (k_hwm / 1024, s_hwm / 1024, k_hwm / s_hwm))

print("collect_bin_cpu_vs_sadc,%.4f,ms/sample,sadc -S DISK,%.4f,%.3f,1,,kasane-collect; %d samples at 1 s side by side (start-up included); target ratio <= 1.0"
      % (c_cpu * 1e3, s_cpu * 1e3, c_cpu / s_cpu, n))
print("collect_bin_rss,%.2f,MiB,sadc -S DISK,%.2f,%.3f,1,,kasane-collect peak resident (VmHWM); target ratio <= 1.0"
      % (c_hwm / 1024, s_hwm / 1024, c_hwm / s_hwm))
print("collect_bin_libs_at_start,%d,shared objects,sadc -S DISK,%d,%.3f,1,,mapped once started (/proc/PID/maps; the dynamic loader counted)"
      % (c_libs, s_libs, c_libs / s_libs))
subprocess.run(["strip", "-o", tmp + "/kc.stripped", kc], check=True)
c_size, s_size = os.path.getsize(tmp + "/kc.stripped"), os.path.getsize(SADC)
print("collect_bin_size,%.1f,KiB,sadc,%.1f,%.3f,1,,kasane-collect stripped (strip -o; the build keeps -g) against Debian's stripped sadc"
      % (c_size / 1024, s_size / 1024, c_size / s_size))
c_st, c_sp = startup_ms([kc, "--version"])
s_st, s_sp = startup_ms([SADC, "-V"])
print("collect_bin_startup,%.2f,ms,sadc -V,%.2f,%.3f,21,%.2f,kasane-collect --version: exec to exit (median wall time; load counts)"
      % (c_st, s_st, c_st / s_st, c_sp))

# Steady state: many samples, start-up amortized away.
m = 1000
p = subprocess.Popen([kasane, "collect", "-i", "0.01", "-n", str(m), "-o", tmp + "/ds2"],
                     stderr=subprocess.DEVNULL)
_, _, r = os.wait4(p.pid, 0)
print("collector_cpu_steady,%.4f,ms/sample,,,,1,,kasane alone at -i 0.01 for %d samples"
      % ((r.ru_utime + r.ru_stime) / m * 1e3, m))
PY
