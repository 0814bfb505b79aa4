#!/bin/sh
# kasane sim: results file and summary, reproducibility, bad configurations, usage.
. "$(dirname "$0")/lib.sh"
F="$FIX/sim"

check "sim --help" sh -c '"$KASANE" sim --help | grep -q "usage: kasane sim CONFIG"'

"$KASANE" sim "$F/mm1.ini" --replications 30 -o "$T/mm1.csv" > "$T/mm1.out" 2>&1
check "sim mm1 runs" test -s "$T/mm1.csv"
check "sim summary reports events and events/s" grep -Eq "events: [0-9]+ processed in .* M events/s" "$T/mm1.out"
check "sim results header has the issue's columns" sh -c 'head -1 "$1" | grep -q "^workload,mode,replications,completed,throughput_per_s,.*lat_mean_us,lat_mean_ci95_us,lat_p50_us,.*lat_p99_us,.*iotlb_hit_pct,exits_per_op,host_cycles_per_op"' _ "$T/mm1.csv"
# M/M/1 (800/s, 1 ms): W = 5000 us within the 95% interval, widened 1.5x for margin.
check "sim mm1 mean latency near 5 ms" awk -F, 'NR == 2 { d = $8 - 5000; if (d < 0) d = -d; exit !(d <= 1.5 * $9 && $2 == "native" && $3 == 30) }' "$T/mm1.csv"

"$KASANE" sim "$F/host.ini" --threads 1 -o "$T/h1.csv" > /dev/null 2>&1
"$KASANE" sim "$F/host.ini" --threads 3 -o "$T/h3.csv" > /dev/null 2>&1
check "sim results identical whatever the thread count" cmp -s "$T/h1.csv" "$T/h3.csv"
check "sim host has three workloads with modes" sh -c 'cut -d, -f2 "$1" | tail -n +2 | tr "\n" " " | grep -q "virtio emulated sriov"' _ "$T/h1.csv"
"$KASANE" sim "$F/host.ini" --seed 99 -o "$T/h99.csv" > /dev/null 2>&1
check "sim --seed changes the sample path" sh -c '! cmp -s "$1" "$2"' _ "$T/h1.csv" "$T/h99.csv"

expect_exit "sim unknown key" 1 "bad_key.ini:3: \[sim\] colour: unknown key" "$KASANE" sim "$F/bad_key.ini" -o "$T/x.csv"
expect_exit "sim unknown section" 1 "bad_section.ini:4: \[disk d\] kind: unknown section" "$KASANE" sim "$F/bad_section.ini" -o "$T/x.csv"
expect_exit "sim unknown distribution" 1 "bad_dist.ini:3: \[device d\] service: unknown distribution 'weibull'" "$KASANE" sim "$F/bad_dist.ini" -o "$T/x.csv"
expect_exit "sim negative rate" 1 "bad_rate.ini:5: \[workload w\] arrival: .*rate must be positive" "$KASANE" sim "$F/bad_rate.ini" -o "$T/x.csv"
expect_exit "sim unknown device" 1 "bad_device.ini:5: \[workload w\] device: unknown device 'nvme9'" "$KASANE" sim "$F/bad_device.ini" -o "$T/x.csv"
expect_exit "sim missing config file" 1 "nope.ini" "$KASANE" sim "$T/nope.ini" -o "$T/x.csv"
check "sim writes nothing on bad input" test ! -e "$T/x.csv"
expect_exit "sim without -o" 2 "-o RESULTS.csv is required" "$KASANE" sim "$F/mm1.ini"
expect_exit "sim bad --threads" 2 "--threads" "$KASANE" sim "$F/mm1.ini" --threads 0 -o "$T/x.csv"
expect_exit "sim --plan without --host" 2 "--plan needs --host" "$KASANE" sim --plan "$T" -o "$T/x.csv"
