# Output directories (issue 18 items 4 and 6, docs/cli.md "Output directories"): gen
# and import never replace a dataset unasked; every directory a command writes is
# staged beside its destination and swapped in whole with a manifest.csv; a failed run
# leaves the old directory as it was and no staging directory; plan, report, sim and
# top refuse a directory whose files no longer match its manifest.
. "$(dirname "$0")/lib.sh"
P="$FIX/plan" CAT="$FIX/plan/catalog.csv" PL="$FIX/import/planetlab/20110303"
cd "$T" || exit 1

# no_staging: nothing named .*.staging.* (or .old) left anywhere under $T
no_staging() { [ -z "$(find "$T" -name '.*.staging.*')" ]; }
# snap DIR: every file with its checksum, for "left as it was"
snap() { (cd "$1" && find . -type f -exec md5sum {} + | sort); }
# kept DIR SNAPFILE: DIR as it was when SNAPFILE was taken
kept() { snap "$1" | cmp -s - "$2"; }

# --- gen and import never replace a dataset unasked (item 4) ------------------------
"$KASANE" gen --servers 4 --days 1 --flows -o ds -q
check "gen writes a manifest.csv listing its files" \
    grep -q '^flows.csv,[0-9]*,[0-9a-f]\{16\}$' ds/manifest.csv
snap ds >ds.snap
expect_exit "gen into a non-empty dataset: refused, says --force" 1 \
    "^kasane gen: ds: directory is not empty .*--force replaces it" \
    "$KASANE" gen --servers 2 --days 1 -o ds -q
check "gen refused: dataset unchanged" kept ds ds.snap
"$KASANE" gen --servers 2 --days 1 --force -o ds -q
check "gen --force replaces: no stale flows.csv from the earlier run" test ! -e ds/flows.csv
check "gen --force: the new dataset reads back whole" sh -c \
    '"$1" plan ds --catalog "$2" -o p.gen >/dev/null' _ "$KASANE" "$CAT"
expect_exit "import into a non-empty dataset: refused, says --force and --append" 1 \
    "^kasane import: ds: directory is not empty .*--append adds" \
    "$KASANE" import planetlab "$PL" -o ds
expect_exit "import --force and --append together: usage error" 2 "exclude each other" \
    "$KASANE" import planetlab "$PL" --force --append -o ds

# --- import --append ---------------------------------------------------------------
"$KASANE" import planetlab "$PL" --cloudsim-types -o pl >/dev/null 2>&1
rows0=$(wc -l <pl/samples.csv)
snap pl >pl.snap
expect_exit "append with overlapping times: refused, naming entity and both ranges" 1 \
    "entity 'vm[A-Za-z ]+': the new rows \(2011-03-03 [0-9:]+ UTC \.\. .*\) overlap the rows already in pl \(2011-03-03" \
    "$KASANE" import planetlab "$PL" --cloudsim-types --append -o pl
check "append refused: dataset unchanged" kept pl pl.snap
"$KASANE" import planetlab "$PL" --cloudsim-types --append --start 1299283200 -o pl >/dev/null 2>&1
rows1=$(wc -l <pl/samples.csv)
check "append of a later day: both days' rows, one header ($rows0 -> $rows1)" \
    test "$rows1" -eq $((2 * rows0 - 1))
check "append: samples sorted by time" sh -c \
    'tail -n +2 pl/samples.csv | cut -d, -f1 | sort -c -n'
check "append: the merged dataset has a manifest and reads back" sh -c \
    'grep -q "^samples.csv," pl/manifest.csv && "$1" plan pl --catalog "$2" -o p.pl >/dev/null' \
    _ "$KASANE" "$CAT"
cp -a "$P/small" coll # a dataset without a manifest, as collect writes one
"$KASANE" import planetlab "$PL" --append -o coll >/dev/null 2>&1
check "append to a dataset without manifest (collect's): both entity sets" sh -c \
    'grep -q "^srv00," coll/inventory.csv && grep -q "^vmA," coll/inventory.csv && test -s coll/manifest.csv'

# --- plan: a failed run leaves the old plan whole; a re-plan keeps nothing old --------
"$KASANE" plan "$P/small" --catalog "$CAT" -o plan --storage-catalog "$KASANE_ROOT/datasets/storage" >/dev/null
check "plan with storage sizing wrote storage files" sh -c 'ls plan | grep -q "^storage"'
snap plan >plan.snap
expect_exit "plan that cannot carry a server fails" 1 "more than the largest host model can carry" \
    "$KASANE" plan "$P/small" --catalog "$P/catalog-tiny.csv" -o plan
check "failed plan (catalog): old plan whole" kept plan plan.snap
expect_exit "plan under a full disk (3rd write) fails naming the file in plan/" 1 \
    "^kasane plan: plan/[a-z_]+\.csv: cannot write: No space left on device" \
    env KASANE_FAULT=enospc@3 "$KASANE" plan "$P/small" --catalog "$CAT" -o plan
check "failed plan (ENOSPC): old plan whole" kept plan plan.snap
check "failed plan (ENOSPC): report still reads the old plan" sh -c \
    'PATH=/nonexistent "$1" report "$2" --plan plan -o rep.s >/dev/null 2>&1' _ "$KASANE" "$P/small"
check "no staging directory after the failures" no_staging
"$KASANE" plan "$P/small" --catalog "$CAT" -o plan >/dev/null
check "re-plan without storage: the earlier storage files are gone" sh -c '! ls plan | grep -q "^storage"'
mkdir mine && echo keep >mine/notes.txt
expect_exit "plan into a directory kasane did not write: refused, says --force" 1 \
    "^kasane plan: mine: directory is not empty \(notes.txt\) and has no manifest.csv.*--force" \
    "$KASANE" plan "$P/small" --catalog "$CAT" -o mine
check "refused: the directory kept" grep -q keep mine/notes.txt
expect_exit "plan into a dataset kasane wrote: refused" 1 "^kasane plan: ds: holds a dataset" \
    "$KASANE" plan "$P/small" --catalog "$CAT" -o ds
expect_exit "plan -o . : refused even with --force" 1 "current directory or one of its parents" \
    "$KASANE" plan "$P/small" --catalog "$CAT" --force -o .

# --- report: a re-run leaves no chart or table of the earlier report -----------------
PATH=/nonexistent "$KASANE" report "$P/small" --plan plan -o rep >/dev/null 2>&1
PATH=/nonexistent "$KASANE" plan "$P/small" --catalog "$CAT" -o plan --storage-catalog "$KASANE_ROOT/datasets/storage" >/dev/null
PATH=/nonexistent "$KASANE" report "$P/small" --plan plan -o rep.st >/dev/null 2>&1
check "report of a plan with storage has storage charts" sh -c 'ls rep.st/charts | grep -q storage'
PATH=/nonexistent "$KASANE" report "$P/small" --plan plan -o rep >/dev/null 2>&1
"$KASANE" plan "$P/small" --catalog "$CAT" -o plan >/dev/null
PATH=/nonexistent "$KASANE" report "$P/small" --plan plan -o rep >/dev/null 2>&1
check "re-report from a plan without storage: no storage chart or table left" sh -c \
    '! find rep -name "*storage*" | grep -q . && test -s rep/index.html'
check "the report has a manifest" grep -q '^index.html,' rep/manifest.csv

# --- readers refuse a directory changed after kasane wrote it ------------------------
"$KASANE" gen --servers 4 --days 1 --force -o ds -q
"$KASANE" plan ds --catalog "$CAT" -o pds >/dev/null
cp -a ds ds.edit && echo "9999999999,gen000,300" >>ds.edit/samples.csv
expect_exit "plan: an edited samples.csv is refused, naming file and sizes" 1 \
    "^kasane plan: ds.edit/samples.csv: size [0-9]+ differs from manifest.csv's [0-9]+ \(the directory was changed after kasane wrote it" \
    "$KASANE" plan ds.edit --catalog "$CAT" -o p.x
cp -a ds ds.flow && cp "$KASANE_ROOT/tests/fixtures/report/basic/dataset/inventory.csv" ds.flow/flows.csv 2>/dev/null ||
    echo "time,entity,src,dst,proto,dport,bytes,packets" >ds.flow/flows.csv
expect_exit "plan: a file dropped in later is refused" 1 "ds.flow/flows.csv: not listed in manifest.csv" \
    "$KASANE" plan ds.flow --catalog "$CAT" -o p.x
cp -a pds pds.edit && sed -i '2s/^./Z/' pds.edit/hosts.csv # same size, other bytes
expect_exit "report: an edited plan file is refused" 1 \
    "^kasane report: pds.edit/hosts.csv: content differs from manifest.csv \(xxh3_64 [0-9a-f]{16}, listed [0-9a-f]{16}\)" \
    "$KASANE" report ds --plan pds.edit -o r.x
host=$(sed -n 2p pds/hosts.csv | cut -d, -f1)
expect_exit "sim --plan: an edited plan file is refused" 1 "pds.edit/hosts.csv: content differs" \
    "$KASANE" sim --plan pds.edit --host "$host" --dataset ds -o s.csv
expect_exit "sim --plan: an edited dataset is refused" 1 "ds.edit/samples.csv: size" \
    "$KASANE" sim --plan pds --host "$host" --dataset ds.edit -o s.csv
expect_exit "top --replay: an edited dataset is refused (before the terminal)" 1 \
    "^kasane top: ds.edit/samples.csv: size" \
    "$KASANE" top --replay ds.edit
expect_exit "top --replay: the dataset as written passes the check" 2 "needs a terminal" \
    "$KASANE" top --replay ds
check "no output written by the refused commands" sh -c '! ls -d p.x r.x s.csv 2>/dev/null | grep -q .'

# --- collect appends: never into a directory kasane wrote whole ----------------------
PROC="$FIX/proc/steal-rising"
expect_exit "collect into a dataset with a manifest: refused" 1 \
    "^kasane collect: ds: holds a dataset that kasane wrote whole .*remove ds/manifest.csv" \
    "$KASANE" collect --root-seq "$PROC/1,$PROC/2" -i 0.01 -n 1 -o ds

# --- signals: a killed run leaves neither staging nor a changed destination ----------
mkfifo fifo
snap pl >pl.snap
"$KASANE" import sar fifo --force -o pl >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 100 ] && [ -z "$(find "$T" -maxdepth 1 -name '.pl.staging.*')" ]; do
    sleep 0.05; i=$((i + 1))
done
check "import blocked on its input has a staging directory" test $i -lt 100
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM: import dies of the signal (exit $rc)" test $rc -eq 143
check "SIGTERM: no staging directory left" no_staging
check "SIGTERM: the dataset unchanged" kept pl pl.snap
check "no staging directory anywhere at the end" no_staging
