# Windows Performance Monitor logs end to end (issue 19 item 6): a typeperf CSV imports
# (one entity per \\HOST, UTC from the header's bias), plans on the shipped catalog and
# reports; a log without the counters planning needs, or not a PDH-CSV log at all, is
# refused naming the file and the missing part.
. "$(dirname "$0")/lib.sh"
P="$FIX/import/perfmon"
CAT="$KASANE_ROOT/datasets/catalog/current.csv"

check "perfmon is listed by import --help" sh -c "'$KASANE' import --help | grep -q '^  perfmon '"
"$KASANE" import perfmon "$P/WEB01_typeperf.csv" --mem-MiB 16384 --core-MHz 3400 --cores 4 \
    --cpu-model "Intel(R) Xeon(R) E-2224 CPU @ 3.40GHz" -o "$T/web" >"$T/web.out" 2>&1
check "perfmon: one entity per host, a gap for the row of blanks" \
    grep -q "WEB01 .* 29 rows   96.7% coverage 5 stars, 1 gaps" "$T/web.out"
check "perfmon: local time + bias is UTC (09:00 W. Europe = 08:00 UTC)" \
    grep -q "time span: 2026-12-01 08:00:00 UTC" "$T/web.out"
check "perfmon: threads from the Processor(N) instances, options in the inventory" \
    grep -q '^WEB01,physical,WEB01,Intel(R) Xeon(R) E-2224 CPU @ 3.40GHz,,4,4,3400,16384,' "$T/web/inventory.csv"
check "perfmon: cpu_MHz = % x threads x clock, memory used = --mem-MiB - Available" \
    grep -q '^1796112000.347,WEB01,60,25,3400,,10240,16384,' "$T/web/samples.csv"
"$KASANE" plan "$T/web" --catalog "$CAT" -o "$T/plan" >"$T/plan.out" 2>&1
check "perfmon: plan works from the samples" grep -q "1 sources -> .*planned by time series" "$T/plan.out"
"$KASANE" report "$T/web" --plan "$T/plan" -o "$T/rep" >/dev/null 2>&1
check "perfmon: report is written" test -s "$T/rep/index.html"

# Several logs and hosts at once; a directory skips what is not a PDH log.
mkdir -p "$T/logs" && cp "$P/two_hosts_relog.csv" "$P/typeperf_stdout.csv" "$T/logs/" &&
    echo "not a log" >"$T/logs/notes.txt"
"$KASANE" import perfmon "$T/logs" --core-MHz 2600 --threads 4 --mem-MiB 8192 -o "$T/logs.ds" >"$T/logs.out" 2>&1
check "perfmon: three hosts from two logs, a text file skipped and counted" sh -c \
    "grep -q 'imported perfmon into .*: 3 entities' '$T/logs.out' && grep -q 'skipped: 1 files' '$T/logs.out'"
check "perfmon: a host without Available MBytes is measured by Committed Bytes, and says so" \
    grep -q '^FS01,.*memory used = Committed Bytes' "$T/logs.ds/inventory.csv"

# Bad input: exit 1, the file and the missing part named; options of other formats named.
expect_exit "perfmon: no % Processor Time counter" 1 "no_cpu.csv:1: host 'DB02': missing counter" \
    "$KASANE" import perfmon "$FIX/import/perfmon_bad/no_cpu.csv" -o "$T/x"
expect_exit "perfmon: Available MBytes without the installed memory" 1 "needs --mem-MiB" \
    "$KASANE" import perfmon "$FIX/import/perfmon_bad/avail_no_total.csv" -o "$T/x"
# A counter no server reaches (1e300 bytes/s): refused, as samples.csv would refuse it.
sed '3s/"409600.000000"/"1e300"/' "$P/WEB01_typeperf.csv" > "$T/huge.csv"
expect_exit "perfmon: 1e300 read bytes/s refused naming file, line, entity, time and metric" 1 \
    "huge.csv:3: entity 'WEB01' at time [0-9]+: disk_read_KiBps = 9.7656.e\+296 is outside 0-1e\+12" \
    "$KASANE" import perfmon "$T/huge.csv" --mem-MiB 16384 --core-MHz 3400 --cores 4 -o "$T/x"
check "  ... and nothing written" test ! -e "$T/x"
expect_exit "perfmon: a header that is not PDH-CSV 4.0" 1 "two_hosts.txt:1: first cell .* not a Performance Monitor CSV log" \
    "$KASANE" import perfmon "$FIX/import/sar/two_hosts.txt" -o "$T/x"
expect_exit "perfmon: --sadf is sar's" 2 "--sadf does not apply to format perfmon" \
    "$KASANE" import perfmon "$P/WEB01_typeperf.csv" --sadf /bin/true -o "$T/x"
expect_exit "perfmon: a bad --mem-MiB value" 2 "--mem-MiB: 'lots' is not a number" \
    "$KASANE" import perfmon "$P/WEB01_typeperf.csv" --mem-MiB lots -o "$T/x"
