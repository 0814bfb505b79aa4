#!/bin/sh
# SSD latency tails from data-sheet figures, end to end: kasane plan with a catalog whose
# only drive is the bundled S4500-class row (typical R/W 110/52 us, QoS 99.9% 300/800 us)
# writes a lognormal service into storage_sim_*.ini, and kasane sim --storage reports
# p50 near the typical latency and p99 > p50 at low load. A drive without a 99.9% figure
# stays constant and the output says so. Bad p999 values are refused by file, line, field.
. "$(dirname "$0")/lib.sh"
S="$KASANE_ROOT/datasets/storage"

# A catalog of the bundled one with drives.csv cut to the header and one named row.
one_drive() {
    mkdir -p "$T/$1"
    cp "$S/raid.csv" "$S/shelves.csv" "$S/controllers.csv" "$T/$1/"
    awk -F, -v n="$2" 'NR == 1 || $1 == n' "$S/drives.csv" > "$T/$1/drives.csv"
}
one_drive sata ssd-sata-1.92tb
one_drive sas ssd-sas-1.92tb
check "the bundled catalog has the S4500-class row" [ "$(wc -l < "$T/sata/drives.csv")" -eq 2 ]

"$KASANE" gen --servers 6 --days 1 --step 300 --seed 3 --profile mix -o "$T/ds" > /dev/null 2>&1
for c in sata sas; do
    "$KASANE" plan "$T/ds" --catalog "$KASANE_ROOT/datasets/catalog/2008.csv" \
        --storage-catalog "$T/$c" -o "$T/plan_$c" > "$T/plan_$c.out" 2>&1
    check "plan with the $c catalog writes the storage configs" [ -s "$T/plan_$c/storage_sim_p95.ini" ]
done
check "storage config: lognormal services through typical and 99.9% figures" sh -c '
    grep -qx "service = lognormal:median=110us,p999=300us" "$1" &&
    grep -qx "write_service = lognormal:median=52us,p999=800us" "$1" &&
    grep -q "^# service: reads lognormal, typical 110 us, 99.9% 300 us; writes lognormal" "$1"' \
    _ "$T/plan_sata/storage_sim_p95.ini"
check "storage config: a drive without a 99.9% figure stays constant, and says so" sh -c '
    grep -qx "service = det:120us" "$1" && grep -q "^# service: reads constant 120 us (no 99.9% figure" "$1"' \
    _ "$T/plan_sas/storage_sim_p95.ini"

# Column of a results CSV by name, for the row whose first two fields are load,workload.
col() { awk -F, -v k="$2" -v w="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) c = i; next }
    $1 "," $2 == w { print $c }' "$1"; }

"$KASANE" sim --plan "$T/plan_sata" --storage --stat p95 --replications 4 -o "$T/sata.csv" > "$T/sata.out" 2>&1
check "sim --storage on the S4500-class plan runs" [ $? -eq 0 -a -s "$T/sata.csv" ]
rp50=$(col "$T/sata.csv" lat_p50_us p95,reads)
rp99=$(col "$T/sata.csv" lat_p99_us p95,reads)
rp999=$(col "$T/sata.csv" lat_p999_us p95,reads)
util=$(col "$T/sata.csv" device_util_pct p95,reads)
echo "# S4500-class array at p95 load: reads p50 $rp50 us, p99 $rp99 us, p99.9 $rp999 us; array $util% busy"
check "low load (array under 5% busy: $util%)" awk -v u="$util" 'BEGIN { exit !(u < 5) }'
check "reads p50 within 3% of the typical 110 us ($rp50)" awk -v x="$rp50" 'BEGIN { exit !(x > 106.7 && x < 113.3) }'
check "reads p99 > p50 at low load ($rp99 > $rp50)" awk -v a="$rp99" -v b="$rp50" 'BEGIN { exit !(a > 1.5 * b) }'
check "reads p99.9 within 10% of the QoS 300 us ($rp999)" awk -v x="$rp999" 'BEGIN { exit !(x > 270 && x < 330) }'
check "the storage verdict shows the tail" grep -Eq "^storage at p95 load: keeps up; reads p50 1[01][0-9]\.[0-9] us, p99 [2-9][0-9]{2}\.[0-9] us" "$T/sata.out"
check "no constant-service note for a drive with QoS figures" sh -c '! grep -q "constant service time" "$1"' _ "$T/sata.out"

"$KASANE" sim --plan "$T/plan_sas" --storage --stat p95 --replications 2 -o "$T/sas.csv" > "$T/sas.out" 2>&1
sp50=$(col "$T/sas.csv" lat_p50_us p95,reads)
sp99=$(col "$T/sas.csv" lat_p99_us p95,reads)
check "constant-service drive: reads p50 = p99 at low load ($sp50 = $sp99)" [ -n "$sp50" -a "$sp50" = "$sp99" ]
check "constant-service drive: the output says so" grep -q "^note: device array has a constant service time" "$T/sas.out"

# Figures that do not apply print "-", never "nan"; the CSV leaves them empty.
check "table: iotlb% is '-' with the IOMMU off, no nan anywhere" sh -c '
    grep -Eq "^reads +native .* - +0\.00 +0 +yes$" "$1" && ! grep -qi "nan" "$1"' _ "$T/sata.out"
check "CSV: iotlb_hit_pct empty with the IOMMU off" [ -z "$(col "$T/sata.csv" iotlb_hit_pct p95,reads)" ]

# A bad p999 in drives.csv stops the plan, naming file, line and field.
bad() {
    mkdir -p "$T/bad_$1" && cp "$T/sata/"*.csv "$T/bad_$1/"
    awk -F, -v OFS=, -v v="$3" -v f="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == f) c = i }
        NR == 2 { $c = v } { print }' "$T/sata/drives.csv" > "$T/bad_$1/drives.csv"
    expect_exit "drives.csv with $1 $2 is refused: $4" 1 "bad_$1/drives.csv:2: column '$2': $4" \
        "$KASANE" plan "$T/ds" --catalog "$KASANE_ROOT/datasets/catalog/2008.csv" \
        --storage-catalog "$T/bad_$1" -o "$T/plan_bad"
}
bad negative read_p999_us -300 "-300 must be > 0"
bad below write_p999_us 40 "40 is below 'write_us' 52"
bad nan read_p999_us x300 "'x300' is not a number"
