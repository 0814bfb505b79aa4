#!/bin/sh
# kasane sim --plan PLAN --storage: the plan's storage_sim_p95.ini and storage_sim_peak.ini
# (written by mdl_storage_write: tests/fixtures/report_storage/README.md) run as they are.
. "$(dirname "$0")/lib.sh"
P="$FIX/report_storage/basic/plan"

check "sim --help names --storage" sh -c '"$KASANE" sim --help | grep -q -- "--storage"'

"$KASANE" sim --plan "$P" --storage -o "$T/st.csv" > "$T/st.out" 2>&1
check "sim --storage runs" [ $? -eq 0 -a -s "$T/st.csv" ]
check "sim --storage results have a load column first" sh -c 'head -1 "$1" | grep -q "^load,workload,mode,"' _ "$T/st.csv"
check "sim --storage: p95 and peak result sets, reads and writes each" sh -c '
    [ "$(tail -n +2 "$1" | cut -d, -f1,2 | tr "\n" " ")" = "p95,reads p95,writes peak,reads peak,writes " ]' _ "$T/st.csv"
check "sim --storage says whether the array keeps up at p95 and at peak, with latency percentiles" sh -c '
    grep -Eq "^storage at p95 load: keeps up; reads p50 [0-9.]+ us, p99 [0-9.]+ us, writes p50 [0-9.]+ us, p99 [0-9.]+ us; array [0-9.]+% busy$" "$1" &&
    grep -Eq "^storage at peak load: keeps up; reads p50 .* p99 [0-9.]+ us; array [0-9.]+% busy$" "$1"' _ "$T/st.out"
# The offered rates are the configs' own arrival rates: the plan's files run as they are.
for load in p95 peak; do
    want=$(awk -F'poisson:' '/^arrival/ { sub(/\/s.*/, "", $2); printf "%s ", $2 }' "$P/storage_sim_$load.ini")
    got=$(awk -F, -v l=$load 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "offered_per_s") c = i; next }
        $1 == l { printf "%s ", $c }' "$T/st.csv")
    check "sim --storage $load offered rates equal the plan's config ($want)" [ "$want" = "$got" ]
done
# Same results as running the config directly (same seed, same replications).
"$KASANE" sim "$P/storage_sim_p95.ini" -o "$T/direct.csv" > /dev/null 2>&1
check "sim --storage p95 rows equal a direct run of storage_sim_p95.ini" sh -c '
    awk -F, "\$1 == \"p95\"" "$1" | cut -d, -f2- > "$3"; tail -n +2 "$2" | cmp -s - "$3"' _ "$T/st.csv" "$T/direct.csv" "$T/p95rows"

"$KASANE" sim --plan "$P" --storage --stat peak -o "$T/pk.csv" > "$T/pk.out" 2>&1
check "sim --storage --stat peak runs the peak config only" sh -c '
    [ "$(tail -n +2 "$1" | cut -d, -f1 | sort -u)" = peak ] && ! grep -q "at p95 load" "$2"' _ "$T/pk.csv" "$T/pk.out"

# An array pushed ten times past its plan does not keep up, and says so.
cp -r "$P" "$T/hot"
awk -F'poisson:' '/^arrival/ { sub(/\/s.*/, "", $2); print "arrival = poisson:" $2 * 10 "/s"; next } { print }' \
    "$P/storage_sim_p95.ini" > "$T/hot/storage_sim_p95.ini"
"$KASANE" sim --plan "$T/hot" --storage --stat p95 --replications 2 -o "$T/hot.csv" > "$T/hot.out" 2>&1
check "sim --storage at 10x the load: DOES NOT keep up" sh -c 'grep -q "^storage at p95 load: DOES NOT keep up" "$1" && grep -q ",no$" "$2"' _ "$T/hot.out" "$T/hot.csv"

expect_exit "sim --storage on a plan without storage sizing names the file" 1 \
    "plan_nostorage/storage_sim_p95.ini: .*the plan has no storage sizing" \
    "$KASANE" sim --plan "$FIX/report_storage/basic/plan_nostorage" --storage -o "$T/x.csv"
check "sim --storage without storage writes nothing" test ! -e "$T/x.csv"
mkdir -p "$T/half" && cp "$P/storage_sim_p95.ini" "$T/half/"
expect_exit "sim --storage with only the p95 config names the missing peak file" 1 "half/storage_sim_peak.ini" \
    "$KASANE" sim --plan "$T/half" --storage -o "$T/x.csv"
check "sim --storage missing peak config runs nothing, writes nothing" test ! -e "$T/x.csv"
expect_exit "sim --storage with --host is a usage error" 2 "--storage goes with --plan alone" \
    "$KASANE" sim --plan "$P" --storage --host h1 -o "$T/x.csv"
expect_exit "sim --storage without --plan is a usage error" 2 "--storage goes with --plan alone" \
    "$KASANE" sim --storage -o "$T/x.csv"
expect_exit "sim --storage --stat bad" 2 "--stat: 'p50' is not p95 or peak" \
    "$KASANE" sim --plan "$P" --storage --stat p50 -o "$T/x.csv"
