#!/bin/sh
# Soak test of kasane collect: run it for a long time (default 1 h at 1 s) with size
# rotation and a SIGHUP every ROTATE_EVERY seconds (logrotate moving samples.csv away),
# then check what a week-long run must guarantee:
#   - every file holds whole rows under its header, times strictly increase across
#     files, no row is lost or repeated (rows ~= duration / interval)
#   - interval_s stays near the interval (absolute deadlines: no drift; the last row's
#     time - first row's time = (rows - 1) * interval within 1 interval)
#   - resident memory does not grow (VmRSS at the end <= at 1 minute + 256 KiB)
#   scripts/soak.sh [DURATION_S] [INTERVAL_S] [DIR]
set -u
: "${KASANE:=$(cd "$(dirname "$0")/.." && pwd)/build/kasane}"
DUR=${1:-3600}
IV=${2:-1}
DIR=${3:-$(mktemp -d)/soak}
mkdir -p "$(dirname "$DIR")"
ROTATE_EVERY=${ROTATE_EVERY:-300}
"$KASANE" collect -i "$IV" -d "$DUR" --rotate 1M -o "$DIR" 2>"$DIR.err" &
pid=$!
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null; }
sleep 60
rss0=$(rss)
rss1=$rss0
t=60
while kill -0 "$pid" 2>/dev/null && [ "$t" -lt "$DUR" ]; do
    sleep "$ROTATE_EVERY"
    t=$((t + ROTATE_EVERY))
    [ -f "$DIR/samples.csv" ] && mv "$DIR/samples.csv" "$DIR/samples.hup.$t.csv"
    r=$(rss); [ -n "$r" ] && rss1=$r  # the last reading while it ran
    kill -HUP "$pid" 2>/dev/null
done
wait "$pid"; rc=$?
echo "exit status $rc; RSS at 1 min ${rss0:-?} KiB, at the end ${rss1:-?} KiB"
python3 - "$DIR" "$IV" "$DUR" "${rss0:-0}" "${rss1:-0}" <<'PY'
import csv, glob, os, sys
d, iv, dur, rss0, rss1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
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
if abs(len(rows) - want) > 2:
    bad.append("%d rows, expected %d" % (len(rows), want))
if rows and abs((times[-1] - times[0]) - (len(rows) - 1) * iv) > iv:
    bad.append("drift: span %.3f s for %d rows" % (times[-1] - times[0], len(rows)))
late = [x for _, x in rows if abs(x - iv) > 0.5 * iv]
if len(late) > len(rows) // 100:
    bad.append("%d intervals off by more than half an interval" % len(late))
if rss1 > rss0 + 256:
    bad.append("RSS grew from %d to %d KiB" % (rss0, rss1))
print("%d rows in %d files; %s" % (len(rows), len(glob.glob(os.path.join(d, "samples*.csv"))),
                                   "OK" if not bad else "FAILED: " + "; ".join(bad[:10])))
sys.exit(1 if bad else 0)
PY
