#!/bin/sh
# Soak test of kasane collect: run it for a long time (default 1 h at 1 s) with size
# rotation and a SIGHUP every ROTATE_EVERY seconds (logrotate moving samples.csv away),
# then check what a week-long run must guarantee:
#   - every file holds whole rows under its header, times strictly increase across
#     files, no row is lost or repeated (rows ~= duration / interval)
#   - interval_s stays near the interval (absolute deadlines: no drift; the last row's
#     time - first row's time = (rows - 1) * interval within 1 interval)
#   - resident memory does not grow (VmRSS at the end <= at 1 minute + 256 KiB)
#   - open file descriptors do not grow (count at the end == count at 1 minute)
#   scripts/soak.sh [DURATION_S] [INTERVAL_S] [DIR]
# DURATION_S may also come from SOAK_SECONDS. With SOAK_LOAD=1 (the default) stress-ng
# keeps the machine busy meanwhile (CPU at 50% on every core, a 64 MiB memory thrasher
# and a sync() loop), so late wake-ups are exercised too. ROTATE_SIZE (default 1M) is
# the --rotate size. docs/reliability.md
# records the 10-minute run at -i 0.05 with ROTATE_EVERY=30.
set -u
: "${KASANE:=$(cd "$(dirname "$0")/.." && pwd)/build/kasane}"
DUR=${1:-${SOAK_SECONDS:-3600}}
IV=${2:-1}
DIR=${3:-$(mktemp -d)/soak}
mkdir -p "$(dirname "$DIR")"
ROTATE_EVERY=${ROTATE_EVERY:-300}
spid=
if [ "${SOAK_LOAD:-1}" = 1 ] && command -v stress-ng >/dev/null; then
    stress-ng --cpu 0 --cpu-load 50 --vm 1 --vm-bytes 64M --io 1 \
        --timeout "$((DUR + 60))" --quiet &
    spid=$!
fi
"$KASANE" collect -i "$IV" -d "$DUR" --rotate "${ROTATE_SIZE:-1M}" -o "$DIR" 2>"$DIR.err" &
pid=$!
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null; }
fds() { ls "/proc/$pid/fd" 2>/dev/null | wc -l; }
sleep 60
rss0=$(rss)
rss1=$rss0
fd0=$(fds)
fd1=$fd0
t=60
while kill -0 "$pid" 2>/dev/null && [ "$t" -lt "$DUR" ]; do
    sleep "$ROTATE_EVERY"
    t=$((t + ROTATE_EVERY))
    [ -f "$DIR/samples.csv" ] && mv "$DIR/samples.csv" "$DIR/samples.hup.$t.csv"
    r=$(rss); [ -n "$r" ] && rss1=$r  # the last reading while it ran
    n=$(fds); [ "$n" -gt 0 ] && fd1=$n
    kill -HUP "$pid" 2>/dev/null
done
wait "$pid"; rc=$?
[ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
echo "exit status $rc; RSS at 1 min ${rss0:-?} KiB, at the end ${rss1:-?} KiB; fds ${fd0:-?} -> ${fd1:-?}"
python3 - "$DIR" "$IV" "$DUR" "${rss0:-0}" "${rss1:-0}" "${fd0:-0}" "${fd1:-0}" "$rc" <<'PY'
import csv, glob, os, sys
d, iv, dur, rss0, rss1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
fd0, fd1, rc = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
rows, bad = [], []
for f in glob.glob(os.path.join(d, "samples*.csv")):
    data = open(f).read()
    if data and not data.endswith("\n"):
        bad.append("%s: torn last row" % f)
    r = list(csv.reader(data.splitlines()))
    if not r or r[0][0] != "time":
        bad.append("%s: no header" % f)
        continue
    rows += [(float(x[0]), float(x[2])) for x in r[1:] if len(x) == len(r[0])]
    bad += ["%s:%d: %d fields" % (f, i + 2, len(x)) for i, x in enumerate(r[1:]) if len(x) != len(r[0])]
rows.sort()
times = [t for t, _ in rows]
if len(set(times)) != len(times):
    bad.append("repeated rows")
want = int(dur / iv)
# Within 1% (and never stricter than 2 rows): a loaded machine may make the collector
# skip one late deadline now and then (col_run.c folds it into the next row).
if abs(len(rows) - want) > max(2, want // 100):
    bad.append("%d rows, expected %d" % (len(rows), want))
# No drift: deadlines are absolute, so the last row comes (want - 1) steps after the
# first, whatever the rows between (a row after a skipped late deadline covers two).
span = times[-1] - times[0] if rows else 0
if rows and abs(span - (want - 1) * iv) > iv:
    bad.append("drift: span %.3f s, expected %.3f s" % (span, (want - 1) * iv))
# Coverage: the intervals of the rows add up to the whole run (no time unaccounted).
covered = sum(x for _, x in rows)
if abs(covered - dur) > 0.01 * dur:
    bad.append("rows cover %.3f s of %.0f s" % (covered, dur))
late = [x for _, x in rows if abs(x - iv) > 0.5 * iv]
if len(late) > len(rows) // 100:
    bad.append("%d intervals off by more than half an interval" % len(late))
if rss1 > rss0 + 256:
    bad.append("RSS grew from %d to %d KiB" % (rss0, rss1))
if fd1 > fd0:
    bad.append("file descriptors grew from %d to %d" % (fd0, fd1))
if rc != 0:
    bad.append("collect exited with %d" % rc)
print("%d rows (expected %d, %.2f%% short), covering %.3f s of %.0f s, in %d files; %s" % (
    len(rows), want, 100.0 * (want - len(rows)) / want, covered, dur, len(glob.glob(os.path.join(d, "samples*.csv"))),
                                   "OK" if not bad else "FAILED: " + "; ".join(bad[:10])))
sys.exit(1 if bad else 0)
PY
