# Fault injection end to end (docs/reliability.md, "Fault injection"): every write of
# gen, import, plan, report, sim and collect fails in turn with ENOSPC (KASANE_FAULT=
# enospc@N after counting the writes with KASANE_FAULT=count), allocations fail in plan
# and report (oom@N), reads fail in plan (eio-read@N) or come back short (short-read@N).
# Each failure must exit 1 (out of memory: abort) naming the file and the cause, leave
# no *.tmp.* file, and leave every output file either as it was before the run or
# whole as a good run writes it; the collector keeps whole rows and what it had.
. "$(dirname "$0")/lib.sh"
P="$FIX/plan" R="$FIX/report/basic" PROC="$FIX/proc/steal-rising"
CAT="$P/catalog.csv"
NOSPC="cannot write: No space left on device"

# The "previous version" of every file: a good run's file with a line added, so a file
# the failed run left alone is told apart from one it wrote whole.
mark() { find "$1" -type f | while read -r f; do echo "# previous version" >>"$f"; done; }

# sums DIR: "md5  ./path" of every file under DIR, sorted by path. summary.csv and
# manifest.csv are summed without plan's elapsed_s line (the run's own time), the command
# line in manifest.csv (it names the -o directory) and summary.csv's hash in the manifest
# (it changes with elapsed_s). One md5sum for all other files: a sweep checks a directory
# hundreds of times, and a cmp per file was most of this test's time.
drop='^elapsed_s,|^command,|^summary.csv,'
sums() {
    (cd "$1" && {
        find . -type f ! -name summary.csv ! -name manifest.csv -exec md5sum {} +
        find . -type f \( -name summary.csv -o -name manifest.csv \) | while read -r f; do
            echo "$(grep -vE "$drop" "$f" | md5sum | cut -c1-32)  $f"
        done
    }) | sort -k2
}
# same_dir A B: the same files, each the same
same_dir() { [ "$(sums "$1")" = "$(sums "$2")" ]; }
# whole_or_old REFSUMS OLDSUMS OUT: no temporary file under OUT, no file of OLD gone, and
# every file equal to REF's (written whole) or OLD's (untouched), REF and OLD given by
# their sums. Prints what is wrong.
whole_or_old() {
    find "$3" -name '*.tmp.*' | sed 's/^/temporary file left: /'
    sums "$3" | awk 'FILENAME == ARGV[1] { ref[$2] = $1; next }
                     FILENAME == ARGV[2] { old[$2] = $1; next }
                     { out[$2] = 1; if ($1 != ref[$2] && $1 != old[$2]) print "corrupt: " $2 }
                     END { for (f in old) if (!(f in out)) print "gone: " f }' "$1" "$2" -
}

# The count printed at exit by KASANE_FAULT=count: writes, allocations or reads.
count_of() { # WHAT CMD...
    what=$1; shift
    KASANE_FAULT=count "$@" 2>&1 >/dev/null |
        sed -n "s/.*KASANE_FAULT=count: \([0-9]*\) allocations, \([0-9]*\) writes, \([0-9]*\) reads.*/\1 \2 \3/p" |
        awk -v w="$what" '{ print w == "alloc" ? $1 : w == "write" ? $2 : $3 }'
}

# sweep NAME MODE STEP REF OLD OUT PATTERN CMD...: run CMD (writing into OUT, a fresh
# copy of OLD each time) with MODE@N for N = 1, 1+STEP, ... up to the count of that
# kind; each run must fail with PATTERN on stderr (exit 1; oom: any non-zero exit)
# and leave OUT whole_or_old. MODE@(count+1) must change nothing: the count is exact.
sweep() {
    name=$1 mode=$2 step=$3 ref=$4 old=$5 out=$6 pat=$7; shift 7
    case $mode in oom) kind=alloc ;; enospc) kind=write ;; *) kind=read ;; esac
    rm -rf "$out" && cp -a "$old" "$out"
    total=$(count_of $kind "$@")
    sums "$ref" >"$T/.ref.sums" && sums "$old" >"$T/.old.sums"
    bad="" runs=0
    for n in $(seq 1 "$step" "${total:-0}"); do
        rm -rf "$out" && cp -a "$old" "$out"
        # the inner shell reports an abort into .ferr, not onto the test's output
        KASANE_FAULT=$mode@$n sh -c '"$@"; exit $?' _ "$@" >/dev/null 2>"$T/.ferr"
        rc=$?
        runs=$((runs + 1))
        if [ $mode = oom ]; then [ $rc -ne 0 ]; else [ $rc -eq 1 ]; fi || bad="$bad n=$n:exit$rc"
        grep -qE -- "$pat" "$T/.ferr" || bad="$bad n=$n:stderr($(head -c 200 "$T/.ferr"))"
        w=$(whole_or_old "$T/.ref.sums" "$T/.old.sums" "$out" | head -3 | tr '\n' ' ')
        [ -z "$w" ] || bad="$bad n=$n:$w"
    done
    rm -rf "$out" && cp -a "$old" "$out"
    KASANE_FAULT=$mode@$((${total:-0} + 1)) "$@" >/dev/null 2>&1 || bad="$bad beyond-the-end:exit$?"
    same_dir "$ref" "$out" || bad="$bad beyond-the-end:differs"
    if [ "${total:-0}" -ge 2 ] && [ -z "$bad" ]; then
        ok "$name: $mode at $runs of $total ${kind}s: clear error, no corrupt file"
    else
        notok "$name: $mode ($runs of ${total:-?} ${kind}s):$(echo "$bad" | head -c 600)"
    fi
}

# Reference (good) runs, and previous versions of their outputs.
"$KASANE" gen --servers 3 --days 1 --step 600 --seed 5 -o "$T/gen.ref" -q
"$KASANE" gen --servers 3 --days 1 --step 600 --seed 5 --flows --compress -o "$T/genz.ref" -q
"$KASANE" import planetlab "$FIX/import/planetlab/20110303" -o "$T/imp.ref" >/dev/null 2>&1
"$KASANE" plan "$P/small" --catalog "$CAT" -o "$T/plan.ref" >/dev/null
PATH=/nonexistent "$KASANE" report "$R/dataset" --plan "$R/plan" -o "$T/rep.ref" >/dev/null 2>&1
mkdir -p "$T/sim.ref" && "$KASANE" sim "$FIX/sim/mm1.ini" --replications 3 -o "$T/sim.ref/s.csv" >/dev/null 2>&1
for d in gen genz imp plan rep sim; do cp -a "$T/$d.ref" "$T/$d.old" && mark "$T/$d.old"; done
check "reference runs wrote their files" test -s "$T/gen.ref/samples.csv" -a -s "$T/imp.ref/samples.csv" \
    -a -s "$T/plan.ref/placement.csv" -a -s "$T/rep.ref/index.html" -a -s "$T/sim.ref/s.csv"

# A counting run writes the same bytes as a run without the layer (the fault stream
# of an atomic file is another stdio path).
KASANE_FAULT=count "$KASANE" plan "$P/small" --catalog "$CAT" -o "$T/plan.count" >/dev/null 2>&1
check "KASANE_FAULT=count: same plan as without it" same_dir "$T/plan.ref" "$T/plan.count"
expect_exit "a bad KASANE_FAULT is refused" 2 "KASANE_FAULT='oom@0': expected" \
    env KASANE_FAULT=oom@0 "$KASANE" plan "$P/small" --catalog "$CAT" -o "$T/x"
expect_exit "ENOSPC names the file" 1 "^kasane plan: $T/p1/[a-z_]+\.csv: $NOSPC" \
    env KASANE_FAULT=enospc@1 "$KASANE" plan "$P/small" --catalog "$CAT" -o "$T/p1"

# ENOSPC at every write of each command.
sweep "gen" enospc 1 "$T/gen.ref" "$T/gen.old" "$T/g" "$T/g/[a-z_]+\.csv: $NOSPC" \
    "$KASANE" gen --servers 3 --days 1 --step 600 --seed 5 --force -o "$T/g" -q
# compressed as it is generated: a write of a .zst stream fails the same way
sweep "gen --compress" enospc 1 "$T/genz.ref" "$T/genz.old" "$T/gz" "$T/gz/[a-z_]+\.csv(\.zst)?: $NOSPC" \
    "$KASANE" gen --servers 3 --days 1 --step 600 --seed 5 --flows --compress --force -o "$T/gz" -q
# (its first write is the temporary record file, named on failure)
sweep "import planetlab" enospc 1 "$T/imp.ref" "$T/imp.old" "$T/i" "$T/i/(\.import-[a-zA-Z0-9]+|[a-z_]+\.csv): $NOSPC" \
    "$KASANE" import planetlab "$FIX/import/planetlab/20110303" --force -o "$T/i"
sweep "plan" enospc 1 "$T/plan.ref" "$T/plan.old" "$T/p" "$T/p/[a-z_]+\.csv: $NOSPC" \
    "$KASANE" plan "$P/small" --catalog "$CAT" -o "$T/p"
sweep "report (no gnuplot)" enospc 1 "$T/rep.ref" "$T/rep.old" "$T/r" "$T/r/[a-z_/0-9]+\.(csv|html|gp): $NOSPC" \
    env PATH=/nonexistent "$KASANE" report "$R/dataset" --plan "$R/plan" -o "$T/r"
sweep "sim" enospc 1 "$T/sim.ref" "$T/sim.old" "$T/s" "$T/s/s\.csv: $NOSPC" \
    "$KASANE" sim "$FIX/sim/mm1.ini" --replications 3 -o "$T/s/s.csv"
# With gnuplot, the first write (a chart script) fails the same way.
expect_exit "report with gnuplot: ENOSPC names the file" 1 "$T/rg/charts/[a-z_0-9]+\.gp: $NOSPC" \
    env KASANE_FAULT=enospc@1 "$KASANE" report "$R/dataset" --plan "$R/plan" -o "$T/rg"
# (the report is staged beside $T/rg: a failed run leaves no $T/rg at all)
check "report with gnuplot: no temporary file" sh -c '[ -z "$(find "$1" -name "*.tmp.*" 2>/dev/null)" ]' _ "$T/rg"

# Out of memory: about 60 points spread over every allocation of plan and report.
na=$(count_of alloc "$KASANE" plan "$P/small" --catalog "$CAT" -o "$T/x")
sweep "plan" oom $((na / 60 + 1)) "$T/plan.ref" "$T/plan.old" "$T/p" "out of memory .*injected" \
    "$KASANE" plan "$P/small" --catalog "$CAT" -o "$T/p"
na=$(count_of alloc env PATH=/nonexistent "$KASANE" report "$R/dataset" --plan "$R/plan" -o "$T/x")
sweep "report" oom $((na / 60 + 1)) "$T/rep.ref" "$T/rep.old" "$T/r" "out of memory .*injected" \
    env PATH=/nonexistent "$KASANE" report "$R/dataset" --plan "$R/plan" -o "$T/r"

# Reads: each read of plan's inputs fails in turn; short reads change nothing.
# (the first read is the old plan's manifest.csv: may it be replaced?)
sweep "plan" eio-read 1 "$T/plan.ref" "$T/plan.old" "$T/p" "($FIX/plan/[a-z/.]+csv|$T/p/manifest\.csv):[0-9]+: read error: Input/output error" \
    "$KASANE" plan "$P/small" --catalog "$CAT" -o "$T/p"
for n in 1 7; do
    KASANE_FAULT=short-read@$n "$KASANE" plan "$P/small" --catalog "$CAT" -o "$T/short$n" >/dev/null
    check "short-read@$n: same plan" same_dir "$T/plan.ref" "$T/short$n"
done
# The importers read with stdio (ks_fopen_read): a failed read is an error naming the
# file and line, never the end of the trace; short reads change nothing.
sweep "import planetlab" eio-read 1 "$T/imp.ref" "$T/imp.old" "$T/ie" \
    "20110303/[^:]+:[0-9]+: read error: Input/output error" \
    "$KASANE" import planetlab "$FIX/import/planetlab/20110303" --force -o "$T/ie"
"$KASANE" import sar "$FIX/import/sar/two_hosts.txt" -o "$T/sar.ref" >/dev/null 2>&1
cp -a "$T/sar.ref" "$T/sar.old" && mark "$T/sar.old"
sweep "import sar (sadf -d text)" eio-read 1 "$T/sar.ref" "$T/sar.old" "$T/se" \
    "two_hosts.txt:[0-9]+: read error: Input/output error" \
    "$KASANE" import sar "$FIX/import/sar/two_hosts.txt" --force -o "$T/se"
for n in 1 7; do
    KASANE_FAULT=short-read@$n "$KASANE" import planetlab "$FIX/import/planetlab/20110303" \
        -o "$T/ishort$n" >/dev/null 2>&1
    check "short-read@$n: same import" same_dir "$T/imp.ref" "$T/ishort$n"
done

# The collector: a full disk drops rows (warned, exit 0) or, before the first row,
# stops with exit 1; rows already written stay, whole, as a good run wrote them.
seq3="$PROC/1,$PROC/2,$PROC/3"
col() { "$KASANE" collect --root-seq "$seq3" -i 0.01 -n 2 -o "$@"; }
col "$T/c.ref" 2>/dev/null
# prefix_of A B: file A (if any) is B's first bytes
prefix_of() { [ ! -e "$1" ] || cmp -s -n "$(stat -c %s "$1")" "$1" "$2"; }
nw=$(count_of write col "$T/cx")
bad=""
for n in $(seq 1 "${nw:-0}"); do
    rm -rf "$T/c"
    KASANE_FAULT=enospc@$n col "$T/c" >/dev/null 2>"$T/.ferr"
    rc=$?
    case $rc in
    0) # a dropped samples row is warned (a cores row is best effort, not warned)
        cmp -s "$T/c/samples.csv" "$T/c.ref/samples.csv" ||
        grep -q "$T/c/samples.csv: no space left on device: row dropped" "$T/.ferr" ||
        bad="$bad n=$n:exit0-no-warning" ;;
    1) grep -qE "$T/c/[a-z]+\.csv: (cannot write|cannot write the header): No space left on device" "$T/.ferr" ||
        bad="$bad n=$n:stderr($(head -c 200 "$T/.ferr"))" ;;
    *) bad="$bad n=$n:exit$rc" ;;
    esac
    for f in samples.csv cores.csv; do prefix_of "$T/c/$f" "$T/c.ref/$f" || bad="$bad n=$n:$f"; done
    [ ! -e "$T/c/inventory.csv" ] || cmp -s "$T/c/inventory.csv" "$T/c.ref/inventory.csv" || bad="$bad n=$n:inventory"
    [ -z "$(find "$T/c" -name '*.tmp.*' 2>/dev/null)" ] || bad="$bad n=$n:tmp"
done
if [ "${nw:-0}" -ge 3 ] && [ -z "$bad" ]; then
    ok "collect: enospc at each of $nw writes: whole rows, a prefix of a good run's"
else
    notok "collect: enospc ($nw writes):$bad"
fi
# Appending to a dataset: what was collected before is never lost or rewritten.
bad=""
for n in 1 2 3 4 5; do
    rm -rf "$T/ca" && cp -a "$T/c.ref" "$T/ca"
    KASANE_FAULT=enospc@$n col "$T/ca" >/dev/null 2>"$T/.ferr"
    for f in samples.csv cores.csv inventory.csv; do
        prefix_of "$T/c.ref/$f" "$T/ca/$f" || bad="$bad n=$n:$f"
    done
    tail -c 1 "$T/ca/samples.csv" | od -c | grep -q '\\n' || bad="$bad n=$n:torn-row"
    [ -z "$(find "$T/ca" -name '*.tmp.*')" ] || bad="$bad n=$n:tmp"
done
check "collect append under ENOSPC: earlier rows kept byte for byte${bad:+ ($bad)}" test -z "$bad"
