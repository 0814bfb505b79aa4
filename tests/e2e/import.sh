# kasane import from the command line: help, usage errors (exit 2), bad input naming
# file:line (exit 1), skips counted in the summary, inventory-only datasets.
. "$(dirname "$0")/lib.sh"
I="$FIX/import"
check "import --help lists the formats" sh -c "'$KASANE' import --help | grep -q planetlab"
expect_exit "no format is a usage error" 2 "missing FORMAT" "$KASANE" import
expect_exit "unknown format is a usage error" 2 "unknown format 'csv'" "$KASANE" import csv x -o "$T/x"
expect_exit "missing -o is a usage error" 2 "missing -o" "$KASANE" import planetlab "$I/planetlab/20110303"
expect_exit "planetlab option with bitbrains is a usage error" 2 "does not apply to format bitbrains" \
    "$KASANE" import bitbrains "$I/bitbrains" --vm-MHz 2000 -o "$T/x"
expect_exit "--cloudsim-types with --vm-MHz is a usage error" 2 "exclude each other" \
    "$KASANE" import planetlab "$I/planetlab/20110303" --cloudsim-types --vm-MHz 1 -o "$T/x"
expect_exit "a non-number option value is a usage error" 2 "--start: 'soon'" \
    "$KASANE" import planetlab "$I/planetlab/20110303" --start soon -o "$T/x"
expect_exit "missing input file is bad input" 1 "nonexistent: No such file" \
    "$KASANE" import bitbrains "$T/nonexistent" -o "$T/x"
expect_exit "wrong separator names file and line" 1 "bad_comma.csv:1: not a GWA-T-12 header" \
    "$KASANE" import bitbrains "$I/bitbrains_bad/bad_comma.csv" -o "$T/x"
expect_exit "negative value names file, line and field" 1 \
    "bad_negative.csv:3: field 'Disk write throughput \[KB/s\]'" \
    "$KASANE" import bitbrains "$I/bitbrains_bad/bad_negative.csv" -o "$T/x"
# A value samples.csv would refuse (1e300 KB/s read): the file and line are named too.
mkdir -p "$T/bbhuge"
sed '3s/;\t200;/;\t1e300;/' "$I/bitbrains/vm7.csv" > "$T/bbhuge/vm7.csv"
expect_exit "bitbrains: 1e300 KB/s refused naming file, line, entity and metric" 1 \
    "vm7.csv:3: entity 'vm7' at time [0-9]+: disk_read_KiBps = 1e\\+300 is outside 0-1e\\+12" \
    "$KASANE" import bitbrains "$T/bbhuge" -o "$T/x"
check "  ... and nothing written" test ! -e "$T/x"
expect_exit "planetlab without a start time says how to give one" 1 "pass --start EPOCH" \
    "$KASANE" import planetlab "$I/planetlab_bad/truncated" -o "$T/x"

"$KASANE" import planetlab "$I/planetlab/20110303" --vm-MHz 2000 --vm-mem-MiB 1024 -o "$T/pl" >"$T/pl.out" 2>&1
check "summary counts the skipped files" grep -q "skipped: 3 files" "$T/pl.out"
check "summary names a skipped file" grep -q "README.txt: skipped" "$T/pl.out"
check "summary rates coverage with stars" grep -q "66.7% coverage 4 stars" "$T/pl.out"
check "file names with spaces become entities" grep -q "^vm b with space,vm," "$T/pl/inventory.csv"
check "options may follow the inputs" \
    "$KASANE" import planetlab "$I/planetlab/20110303" -o "$T/pl2" --cloudsim-types -q

# a directory holding another dataset: replaced only with --force (docs/cli.md)
mkdir -p "$T/rv" && echo "stale" >"$T/rv/samples.csv"
"$KASANE" import rvtools "$I/rvtools/vInfo_v3.csv" --force -o "$T/rv" >"$T/rv.out" 2>&1
check "rvtools: inventory only, a stale samples.csv is removed" test ! -e "$T/rv/samples.csv"
check "rvtools: summary says planning is by allocation" grep -q "by allocation" "$T/rv.out"
check "rvtools: template and repeated VM counted" grep -q "skipped: 0 files, 1 rows, 1 duplicates" "$T/rv.out"
check "quiet import prints nothing" sh -c \
    "[ -z \"\$('$KASANE' import rvtools '$I/rvtools/vInfo_v3.csv' -o '$T/rv3' -q 2>&1)\" ]"
mkdir -p "$T/empty"
expect_exit "a directory with no data is bad input" 1 "no planetlab data found" \
    "$KASANE" import planetlab "$T/empty" --start 0 -o "$T/x"

# The progress line: on a terminal (script(1) gives a pty; shown from the start here
# instead of after 1 s), not on a pipe
# (the importer reports every 256 files: 300 one-day traces of 288 values)
mkdir -p "$T/many/20110303"
awk 'BEGIN {for (f = 1; f <= 300; f++) {p = sprintf("'"$T"'/many/20110303/vm%03d", f)
            for (i = 0; i < 288; i++) print (f + i) % 90 > p; close(p)}}'
KASANE_PROGRESS_AFTER_S=0 script -qec "'$KASANE' import planetlab '$T/many/20110303' -o '$T/ptty'" \
    "$T/typescript" >/dev/null 2>&1
check "progress on a terminal: files and rows read" sh -c \
    "tr '\\r' '\\n' < '$T/typescript' | grep -q 'kasane import: [0-9]* s: [0-9]* files, [0-9]* rows read'"
KASANE_PROGRESS_AFTER_S=0 "$KASANE" import planetlab "$T/many/20110303" -o "$T/pnotty" \
    >/dev/null 2>"$T/pnotty.err"
check "no progress on a pipe" sh -c "! grep -q 'rows read' '$T/pnotty.err'"
