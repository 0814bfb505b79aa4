#!/bin/sh
# make demo: a full assessment of the bundled demo server room, end to end.
# Each step runs only once the command exists in this build; the chain grows to
# gen -> plan -> sim -> report. Output goes to out/demo/.
set -e
cd "$(dirname "$0")/.."
K=./kasane
OUT=out/demo
mkdir -p "$OUT"
echo "kasane demo: output in $OUT/"
if [ -f datasets/demo/inventory.csv ]; then
    DS=datasets/demo
    echo "  dataset: $DS ($(($(wc -l < $DS/inventory.csv) - 1)) servers)"
else
    echo "  the demo server room (datasets/demo) is not built yet (issue 4)"
    exit 0
fi
