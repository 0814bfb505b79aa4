#!/bin/sh
# import_planetlab: kasane import planetlab on the three PlanetLab days shipped with
# CloudSim (3,011 files, 867,168 rows; /work/shared/datasets/planetlab). The archives are
# extracted to a temporary directory first; only the import is timed (median of 3 runs).
# Baseline: the issue's bar, 5 s. Prints one CSV line in bench/run.sh's format.
set -u
: "${KASANE:=build-bench/kasane}" "${ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
PL="${PLANETLAB:-$ROOT/../shared/datasets/planetlab}"
[ -d "$PL" ] || PL=/work/shared/datasets/planetlab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for a in "$PL"/2011*.tar.gz; do tar xzf "$a" -C "$tmp" || exit 1; done
files=$(find "$tmp" -type f | wc -l)
times=""
for run in 1 2 3; do
    rm -rf "$tmp/out"
    t0=$(date +%s.%N)
    "$KASANE" import planetlab "$tmp"/2011* --cloudsim-types -o "$tmp/out" -q || exit 1
    t1=$(date +%s.%N)
    times="$times $(echo "$t1 - $t0" | bc -l)"
done
rows=$(($(wc -l <"$tmp/out/samples.csv") - 1))
echo "$times" | tr ' ' '\n' | grep . | sort -n | awk -v files="$files" -v rows="$rows" '
    { t[NR] = $1 }
    END { med = t[2]; printf "import_planetlab,%.3f,s,issue bar,5,%.3f,3,%.3f,%d files %d rows (%.0f rows/s)\n",
          med, med / 5, t[3] - t[1], files, rows, rows / med }'
# Peak memory of one more run (bounded memory: the baseline is the size of the
# samples.csv it writes, what an import holding every row as text would need at least).
if [ -x /usr/bin/time ]; then
    rm -rf "$tmp/out"
    rss=$(/usr/bin/time -f %M "$KASANE" import planetlab "$tmp"/2011* --cloudsim-types -o "$tmp/out" -q 2>&1 >/dev/null | tail -1)
    csv=$(stat -c %s "$tmp/out/samples.csv")
    awk -v rss="$rss" -v csv="$csv" 'BEGIN { printf "import_planetlab_rss,%.1f,MiB,samples.csv size,%.1f,%.3f,1,0,peak RSS of the 3-day import\n",
        rss / 1024, csv / 1048576, rss * 1024 / csv }'
fi
