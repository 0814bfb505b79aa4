#!/bin/sh
# CPU normalization (issue 19): the same busy series on a 2 x 32-core Xeon Gold 6338 with
# SMT and on a 2 x 2-core Xeon 5150 must be planned in the ratio of what those CPUs do,
# by the built-in rating table. The estate of 5150s is made as many times larger as the
# table and the SMT rule (docs/model.md) say a 6338 does more than a 5150 at that busy
# share: both estates must then need the same hosts, within one. Without normalization
# the 5150 estate would need half as many or twice as many (the ratings differ by ~2x).
# Also: an unknown CPU is planned on a stated assumption and named; inventory cpu_perf
# wins over the table; a bad rating table or cpu_perf is an error naming file and line.
. "$(dirname "$0")/lib.sh"

# cat PERF: a catalog of one host model, SMT off so its capacity is plain, with a
# perf_per_core of PERF (sized below so that about 15 of the 6338s fit at their peak:
# whole sources then waste less than a host in all).
cat_of() {
    printf '%s\n%s\n' \
        'model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core' \
        "Big,4,128,1,3000,8192,8,25,2,50000,300,900,$1" >"$T/cat.csv"
}
cat_of 2

# dataset DIR CPU_MODEL CORES THREADS MHZ COUNT: COUNT identical servers; 24 hourly steps
# with cpu_pct 10..37 (a busy share at most half the threads: the SMT rule is linear
# there), cpu_MHz = cpu_pct x threads x MHz as every collector writes it.
dataset() {
    mkdir -p "$1"
    awk -F'|' -v m="$2" -v c="$3" -v th="$4" -v mhz="$5" -v n="$6" -v d="$1" 'BEGIN {
        inv = d "/inventory.csv"; smp = d "/samples.csv"
        print "entity,kind,cpu_model,sockets,cores,threads,core_MHz,mem_MiB" > inv
        for (i = 1; i <= n; i++) printf "s%04d,physical,%s,2,%d,%d,%d,4096\n", i, m, c, th, mhz > inv
        print "time,entity,interval_s,cpu_pct,cpu_MHz,mem_used_MiB,mem_total_MiB" > smp
        for (t = 0; t < 24; t++) {
            p = 10 + 27 * (t % 12) / 11
            for (i = 1; i <= n; i++)
                printf "%d,s%04d,3600,%.6f,%.6f,512,4096\n", 1700003600 + 3600 * t, i, p, p / 100 * th * mhz > smp
        }
    }'
}
plan() { "$KASANE" plan "$1" --catalog "$T/cat.csv" --ha 1 -o "$2" >"$2.out" 2>"$2.err"; }
val() { grep "^$1," "$2/summary.csv" | cut -d, -f2; }
col() { awk -F, -v e="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
                                     $1 == e { print $k }' "$1/cpu_ratings.csv"; }

NA=150
dataset "$T/gold" 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz' 64 128 2000 $NA
dataset "$T/probe" 'Intel(R) Xeon(R) CPU            5150  @ 2.66GHz' 4 4 2666 1
check "probe plan of the Gold 6338 estate" plan "$T/gold" "$T/pg"
check "plan of one 5150" plan "$T/probe" "$T/pp"
check "Gold 6338 rated by the table" [ "$(col "$T/pg" s0001 rated_as)" = "Intel Xeon Gold 6338" ]
check "5150 rated by the table" [ "$(col "$T/pp" s0001 rated_as)" = "Intel Xeon 5150" ]
check "cpu_ratings.csv says where: table, with the figure's source" \
    sh -c '[ "$1" = table ] && [ -n "$2" ]' _ "$(col "$T/pg" s0001 rating)" "$(col "$T/pg" s0001 source)"
RA=$(col "$T/pg" s0001 cpu_perf); RB=$(col "$T/pp" s0001 cpu_perf)
Y=$(grep '^smt-yield,' "$T/pg/policy.csv" | cut -d, -f2)
echo "# ratings: Gold 6338 $RA, 5150 $RB; smt-yield $Y"
check "the two CPUs are rated differently" awk -v a="$RA" -v b="$RB" 'BEGIN { exit !(a > 0 && b > 0 && a != b) }'
# At the peak (37% of the threads) the 6338 has 47.36 of its 64 cores busy; the 5150 1.48
# of its 4: the same work in the catalog's unit per source is rating x busy cores x MHz.
# Host: capacity after 10% hypervisor share and 20% headroom holds 15.5 of them.
cat_of "$(awk -v a="$RA" 'BEGIN { printf "%.6f", a * 47.36 * 2000 * 15.5 / (4 * 128 * 3000 * 0.9 * 0.8) }')"
check "plan of the Gold 6338 estate" plan "$T/gold" "$T/pg"
NB=$(awk -v a="$RA" -v b="$RB" -v n=$NA 'BEGIN { printf "%d", n * (a * 47.36 * 2000) / (b * 1.48 * 2666) + 0.5 }')
dataset "$T/old" 'Intel(R) Xeon(R) CPU            5150  @ 2.66GHz' 4 4 2666 "$NB"
check "plan of $NB Xeon 5150s" plan "$T/old" "$T/po"
HA=$(val hosts "$T/pg"); HB=$(val hosts "$T/po")
echo "# $NA Gold 6338 -> $HA hosts; $NB Xeon 5150 -> $HB hosts"
check "both estates need the same hosts within one ($HA vs $HB)" \
    awk -v a="$HA" -v b="$HB" 'BEGIN { d = a - b; exit !(a >= 4 && (d < 0 ? -d : d) <= 1) }'
# Unnormalized, the planner would see raw MHz: 128 x 2000 vs 4 x 2666 per busy share, and
# the 5150 estate would need RB/RA x ... as many: show the check above could fail.
RAW=$(awk -v na=$NA -v nb="$NB" 'BEGIN { printf "%.2f", (nb * 4 * 2666) / (na * 128 * 2000) }')
echo "# unnormalized the 5150 estate would weigh $RAW x the 6338 estate"
check "unnormalized the two would differ by more than a host's worth" \
    awk -v r="$RAW" -v h="$HA" 'BEGIN { d = r * h - h; exit !((d < 0 ? -d : d) > 1.5) }'

# SMT: above half the threads, busy threads beyond the cores add smt-yield of a core.
dataset "$T/full" 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz' 64 128 2000 1
sed -i 's/,[0-9.]*,[0-9.]*,512,4096$/,100,256000,512,4096/' "$T/full/samples.csv"
check "plan of a 100% busy Gold 6338" plan "$T/full" "$T/pf"
# host01 carries it: its peak is that work over the usable capacity (after the 10%
# hypervisor share): 4 x 128 x 3000 x perf_per_core x 0.9.
PEAK=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cpu_peak_pct") k = i } $1 == "host01" { print $k }' "$T/pf/hosts.csv")
CP=$(tail -n 1 "$T/cat.csv" | awk -F, '{ print $NF }')
WANT=$(awk -v a="$RA" -v y="$Y" -v cp="$CP" 'BEGIN { printf "%.4f", a * 64 * (1 + y) * 2000 / (4 * 128 * 3000 * cp * 0.9) * 100 }')
echo "# fully busy Gold 6338: host peak $PEAK%, cores x (1 + smt-yield) gives $WANT%"
check "a fully busy SMT source is its cores x (1 + smt-yield), not its threads" \
    awk -v p="$PEAK" -v w="$WANT" 'BEGIN { d = p - w; exit !(w > 0 && (d < 0 ? -d : d) < 0.01 * w) }'

# An unknown CPU: planned on the stated assumption, named on stderr, counted.
dataset "$T/odd" 'Mystery Chip 9000' 4 4 3000 3
check "plan with an unknown CPU exits 0" plan "$T/odd" "$T/pu"
check "stderr names the sources on the assumed rating" grep -q "3 sources planned on an assumed CPU rating of 1 .*'s0001'" "$T/pu.err"
check "summary.csv counts them" [ "$(val cpu_assumed_sources "$T/pu")" = 3 ]
check "cpu_ratings.csv marks them assumed" [ "$(col "$T/pu" s0002 rating)" = assumed ]
"$KASANE" plan "$T/odd" --catalog "$T/cat.csv" --cpu-perf-assumed 2.5 -o "$T/pu2" >/dev/null 2>&1
check "--cpu-perf-assumed is the rating they get" [ "$(col "$T/pu2" s0003 cpu_perf)" = 2.5 ]

# inventory cpu_perf wins over the table.
dataset "$T/given" 'Intel Xeon 5150' 4 4 2666 2
awk -F, -v OFS=, 'NR == 1 { print $0, "cpu_perf"; next } { print $0, (NR == 2 ? "1.75" : "") }' \
    "$T/given/inventory.csv" >"$T/inv" && mv "$T/inv" "$T/given/inventory.csv"
check "plan with inventory cpu_perf" plan "$T/given" "$T/pgv"
check "cpu_perf given: rating 'inventory' 1.75" \
    sh -c '[ "$1" = inventory ] && [ "$2" = 1.75 ]' _ "$(col "$T/pgv" s0001 rating)" "$(col "$T/pgv" s0001 cpu_perf)"
check "the other still from the table" [ "$(col "$T/pgv" s0002 rating)" = table ]

# Bad input: file, line and column.
sed -i 's/,1.75$/,-3/' "$T/given/inventory.csv"
expect_exit "a negative cpu_perf: inventory line and column" 1 "inventory.csv:2: entity 's0001': column 'cpu_perf'" \
    "$KASANE" plan "$T/given" --catalog "$T/cat.csv" -o "$T/pbad"
printf 'cpu,perf_per_core,source\nIntel Xeon 5150,zero,x\n' >"$T/bad.csv"
expect_exit "a bad --cpu-ratings file: file, line and column" 1 "bad.csv:2: column 'perf_per_core'" \
    "$KASANE" plan "$T/odd" --catalog "$T/cat.csv" --cpu-ratings "$T/bad.csv" -o "$T/pbad2"
expect_exit "--smt-yield out of range" 2 "smt-yield" \
    "$KASANE" plan "$T/odd" --catalog "$T/cat.csv" --smt-yield 3 -o "$T/pbad3"

# The report says which rating each CPU got and from where, and flags the assumed ones.
"$KASANE" report "$T/odd" --plan "$T/pu" -o "$T/ru" >/dev/null 2>&1
check "report: the CPU ratings table groups the 3 unknown sources" \
    grep -q '^Mystery Chip 9000,3,1,assumed,' "$T/ru/tables/cpu_ratings.csv"
check "report: the assumed rating is called out" grep -qF "<b>3 source(s) were planned on an assumed CPU rating</b>" "$T/ru/index.html"
"$KASANE" report "$T/gold" --plan "$T/pg" -o "$T/rg" >/dev/null 2>&1
check "report: a table rating names its CPU and figure" \
    awk -F, -v n=$NA '$1 ~ /Gold 6338/ && $2 == n && $4 == "table" && $5 == "Intel Xeon Gold 6338" && $6 != "" { f = 1 } END { exit !f }' "$T/rg/tables/cpu_ratings.csv"
check "report: no assumed-rating warning when every CPU is known" sh -c '! grep -q "planned on an assumed CPU rating" "$1"' _ "$T/rg/index.html"
