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

# --plan: the VMs of one host of a plan, workloads from their p95 rates.
P="$F/plan"
"$KASANE" sim --plan "$P" --host h1 --dataset "$P/dataset" "$P/base.ini" -o "$T/p1.csv" > "$T/p1.out" 2>&1
check "sim --plan h1 keeps up" grep -q "host h1: keeps up" "$T/p1.out"
tail -n +2 "$T/p1.csv" > "$T/p1.rows"
# --dataset takes datasets the way plan does (issue 19): a directory of dataset
# directories typed with a trailing slash, and --dataset repeated, give the same run.
mkdir -p "$T/room/a" "$T/room/b"
for f in inventory samples; do
    awk -F, 'NR == 1 || $0 ~ /^web1,|,web1,/' "$P/dataset/$f.csv" > "$T/room/a/$f.csv"
    awk -F, 'NR == 1 || $0 !~ /^web1,|,web1,/' "$P/dataset/$f.csv" > "$T/room/b/$f.csv"
done
"$KASANE" sim --plan "$P" --host h1 --dataset "$T/room/" "$P/base.ini" -o "$T/room.csv" \
    > /dev/null 2>&1
check "sim --dataset ROOM/ (a directory of datasets): the same results" cmp -s "$T/room.csv" "$T/p1.csv"
"$KASANE" sim --plan "$P" --host h1 --dataset "$T/room/a" --dataset "$T/room/b" "$P/base.ini" \
    -o "$T/room2.csv" > /dev/null 2>&1
check "sim --dataset A --dataset B: the same results" cmp -s "$T/room2.csv" "$T/p1.csv"
expect_exit "sim --dataset: an entity in two datasets names both" 1 \
    "'web1' is in both .*/room/a and .*/room/a[:]" \
    "$KASANE" sim --plan "$P" --host h1 --dataset "$T/room/a" --dataset "$T/room/" -o "$T/x.csv"
mkdir -p "$T/room3/c/inventory.csv"
"$KASANE" sim --plan "$P" --host h1 --dataset "$T/room3/" -o "$T/x.csv" > /dev/null 2> "$T/room3.err"
check "sim --dataset DIR/: messages name paths without a doubled slash" \
    sh -c 'grep -q "room3/c/inventory.csv" "$1" && ! grep -q "//" "$1"' _ "$T/room3.err"
check "sim --plan h1 has disk and net workloads per VM" sh -c 'cut -d, -f1 "$1" | tail -n +2 | tr "\n" " " | grep -q "web1-disk web1-net db1-disk db1-net app1-disk app1-net"' _ "$T/p1.csv"
# db1: p95 of read+write IOPS over 4000, 4400, 4800 x 2 = 4800; 64000 KiB/s / 4000 = 16 KiB.
check "sim --plan db1 rate and size from p95" awk -F, '$1 == "db1-disk" { found = 1; ok = ($7 == 4800) } END { exit !(found && ok) }' "$T/p1.csv"
"$KASANE" sim --plan "$P" --host h2 --dataset "$P/dataset" "$P/base.ini" -o "$T/p2.csv" > "$T/p2.out" 2>&1
check "sim --plan h2 (1.2 Mpps on 10 GbE) does not keep up" sh -c 'grep -q "host h2: DOES NOT keep up" "$1" && grep -q ",no$" "$2"' _ "$T/p2.out" "$T/p2.csv"
"$KASANE" sim --plan "$P" --host h1 --dataset "$P/dataset" --stat peak "$P/base.ini" -o "$T/pk.csv" > /dev/null 2>&1
check "sim --plan --stat peak takes the maximum" awk -F, '$1 == "db1-disk" { exit !($7 == 4800) } $1 == "web1-net" { if ($7 != 36000) exit 1 }' "$T/pk.csv"
# --modes: the same workloads with every VM in each mode in turn, one results file
expect_exit "--modes: an unknown mode names it" 2 "'kvm' is not native" \
    "$KASANE" sim --plan "$P" --host h1 --dataset "$P/dataset" --modes virtio,kvm -o "$T/x.csv"
expect_exit "--modes: a mode given twice" 2 "'virtio' is given twice" \
    "$KASANE" sim --plan "$P" --host h1 --dataset "$P/dataset" --modes virtio,virtio -o "$T/x.csv"
expect_exit "--modes with --storage is a usage error" 2 "not --storage" \
    "$KASANE" sim --plan "$P" --storage --modes virtio -o "$T/x.csv"
"$KASANE" sim --plan "$P" --host h1 --dataset "$P/dataset" "$P/base.ini" --modes virtio,emulated \
    -o "$T/pm.csv" > "$T/pm.out" 2>&1
nwl=$(($(wc -l < "$T/p1.csv") - 1))
check "--modes: every workload once per mode ($nwl x 2 rows)" sh -c \
    "[ \$(awk -F, '\$2 == \"virtio\"' '$T/pm.csv' | wc -l) -eq $nwl ] && [ \$(awk -F, '\$2 == \"emulated\"' '$T/pm.csv' | wc -l) -eq $nwl ]"
check "--modes: the virtio rows equal the single-mode run's" sh -c \
    "awk -F, '\$2 == \"virtio\"' '$T/pm.csv' | cmp -s - '$T/p1.rows'"
# host MHz for I/O per mode from the CSV (throughput x cycles per I/O), by awk
mhz() { awk -F, -v m="$1" 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
        $2 == m {s += $c["throughput_per_s"] * $c["host_cycles_per_op"]} END {printf "%.1f", s / 1e6}' "$T/pm.csv"; }
ev=$(mhz emulated) vv=$(mhz virtio)
check "--modes: emulated costs more host CPU than virtio ($ev vs $vv MHz)" \
    awk -v a="$ev" -v b="$vv" 'BEGIN {exit !(a > b && b > 0)}'
check "--modes: the comparison prints each mode's host MHz as the CSV gives it" sh -c \
    "grep -qE '^virtio +yes \\([0-9]+/[0-9]+\\) +[0-9.]+ +$vv ' '$T/pm.out' && grep -qE '^emulated +yes \\([0-9]+/[0-9]+\\) +[0-9.]+ +$ev ' '$T/pm.out'"
# A plan that sized a shared array: the host's disk is that array (its drives' service
# time with data-sheet tails), not the constant-time default SSD
cp -r "$P" "$T/pa"
cat > "$T/pa/storage_sim_p95.ini" <<'EOF'
[device array]
kind = ssd
servers = 6
service = lognormal:median=110us,p999=300us
write_service = lognormal:median=52us,p999=800us
[vm estate]
vcpus = 1
[workload reads]
vm = estate
device = array
arrival = poisson:100/s
EOF
"$KASANE" sim --plan "$T/pa" --host h1 --dataset "$P/dataset" -o "$T/pa.csv" > "$T/pa.out" 2>&1
check "plan with an array: the summary says the disk is the plan's array" \
    grep -q "note: device disk is the plan's shared array ($T/pa/storage_sim_p95.ini)" "$T/pa.out"
check "plan with an array: disk p99 above p50 (the drives' tails), p50 near 110 us" \
    awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
             $1 == "web1-disk" {ok = $c["lat_p99_us"] > 1.5 * $c["lat_p50_us"] && $c["lat_p50_us"] > 90 && $c["lat_p50_us"] < 200}
             END {exit !ok}' "$T/pa.csv"
printf '[device array]\nkind = tape\n' > "$T/pa/storage_sim_p95.ini"
expect_exit "plan with a broken storage_sim_p95.ini: exit 1 naming file and line" 1 \
    "storage_sim_p95.ini:2" "$KASANE" sim --plan "$T/pa" --host h1 --dataset "$P/dataset" -o "$T/x.csv"
check "plan without an array: the default disk is constant and says so" \
    grep -q "note: device disk has a constant service time" "$T/p1.out"
expect_exit "sim --plan unknown host" 1 "no entity is placed on 'h9'" "$KASANE" sim --plan "$P" --host h9 --dataset "$P/dataset" -o "$T/x.csv"
mkdir -p "$T/badplan" && cp "$P/placement_bad.csv" "$T/badplan/placement.csv"
expect_exit "sim --plan entity missing from dataset" 1 "placement.csv:3: entity: 'ghost9' is not in the dataset" "$KASANE" sim --plan "$T/badplan" --host h1 --dataset "$P/dataset" -o "$T/x.csv"
expect_exit "sim config is a directory" 1 "is a directory" "$KASANE" sim "$F" -o "$T/x.csv"
printf '[sim]\nduration_s = 2\n' > "$T/nowl.ini"
expect_exit "sim config without workloads" 1 "nowl.ini: no \[workload NAME\] section" "$KASANE" sim "$T/nowl.ini" -o "$T/x.csv"
# A precision target sized from a first stage can end short: the summary says so and
# how many replications the final interval asks for (n (h / g)^2, g = P / (1 + P)).
printf '[sim]\nduration_s = 5\nwarmup_s = 1\nmax_replications = 2000\n[device d]\nservers = 1\nservice = exp:1ms\n[workload w]\ndevice = d\narrival = poisson:900/s\n' > "$T/p.ini"
for s in 1 2 3 4 5 6; do
    "$KASANE" sim "$T/p.ini" --seed $s --precision 5% --threads 1 -o "$T/p$s.csv" | grep '^precision:'
done > "$T/prec.out"
check "precision: every run says met or NOT met with its count and half-width" \
    test "$(grep -cE '^precision: target 5% of every mean \(95%\): (met|NOT met) with [0-9]+ replications \(widest half-width [0-9.]+%' "$T/prec.out")" -eq 6
check "precision NOT met: the count the final interval asks for, above the count run" awk '
    /NOT met/ { n++; match($0, /with [0-9]+ rep/); r = substr($0, RSTART + 5, RLENGTH - 9) + 0
                match($0, /half-width [0-9.]+%/); h = substr($0, RSTART + 11, RLENGTH - 12) / 100
                match($0, /about [0-9]+ rep/); m = substr($0, RSTART + 6, RLENGTH - 10) + 0
                g = 0.05 / 1.05; want = r * h * h / (g * g)
                if (!(m > r && m >= want && m < want + 1)) bad++ }
    END { exit !(n > 0 && bad == 0) }' "$T/prec.out"
