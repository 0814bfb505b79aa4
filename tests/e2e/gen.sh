# kasane gen from the command line: help, usage errors, byte-identical output for a
# seed, and the demo server room command of datasets/demo/README.md.
. "$(dirname "$0")/lib.sh"
check "gen --help documents --seed" sh -c "'$KASANE' gen --help | grep -q -- --seed"
expect_exit "missing -o is a usage error" 2 "missing -o" "$KASANE" gen --servers 2
expect_exit "zero servers is a usage error" 2 "servers" "$KASANE" gen --servers 0 -o "$T/x"
expect_exit "unknown profile is a usage error" 2 "profile 'cloud'" "$KASANE" gen --profile cloud -o "$T/x"
expect_exit "stray argument is a usage error" 2 "unexpected argument" "$KASANE" gen extra -o "$T/x"
expect_exit "a step longer than the span is a usage error" 2 "step" \
    "$KASANE" gen --days 0.001 --step 300 -o "$T/x"

"$KASANE" gen --servers 7 --days 1 --step 600 --seed 99 -o "$T/a" -q
"$KASANE" gen --servers 7 --days 1 --step 600 --seed 99 -o "$T/b" -q
check "same seed: byte-identical samples.csv" cmp -s "$T/a/samples.csv" "$T/b/samples.csv"
check "same seed: byte-identical inventory.csv" cmp -s "$T/a/inventory.csv" "$T/b/inventory.csv"
check "7 servers x 144 steps" test "$(($(wc -l <"$T/a/samples.csv") - 1))" -eq 1008
check "one role for every server with --profile web" sh -c \
    "'$KASANE' gen --servers 3 --days 1 --profile web -o '$T/w' -q && [ \$(grep -c ',web\$' '$T/w/inventory.csv') -eq 3 ]"

# The demo room, with the exact command documented for make demo.
cmd=$(sed -n 's/^    kasane gen \(.*\) -o out\/demo\/dataset$/\1/p' "$KASANE_ROOT/datasets/demo/README.md")
check "datasets/demo/README.md holds the gen command" test -n "$cmd"
# shellcheck disable=SC2086
"$KASANE" gen $cmd -o "$T/demo" -q
check "demo room: 60 servers" test "$(($(wc -l <"$T/demo/inventory.csv") - 1))" -eq 60
check "demo room: 14 days at 5 minutes" test "$(($(wc -l <"$T/demo/samples.csv") - 1))" -eq $((60 * 4032))

# --flows: who talks to whom, hourly, consistent with the samples' transmit rates.
check "without --flows: no flows.csv and no ips column" sh -c \
    "[ ! -e '$T/a/flows.csv' ] && ! head -1 '$T/a/inventory.csv' | grep -q ips"
"$KASANE" gen --servers 25 --days 2 --step 300 --seed 7 --flows -o "$T/f" -q
"$KASANE" gen --servers 25 --days 2 --step 300 --seed 7 --flows -o "$T/f2" -q
"$KASANE" gen --servers 25 --days 2 --step 300 --seed 7 -o "$T/f0" -q
F="$T/f/flows.csv"
check "--flows: flows.csv in collect's format" \
    test "$(head -1 "$F")" = "time,entity,src,dst,proto,dport,bytes,packets"
check "--flows: same seed, byte-identical flows.csv" cmp -s "$F" "$T/f2/flows.csv"
check "--flows: samples.csv unchanged by --flows" cmp -s "$T/f/samples.csv" "$T/f0/samples.csv"
# inventory: entity -> address and app group, by column name
awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
         {print $c["entity"], $c["ips"], $c["role"], (c["app_group"] && $c["app_group"] != "" ? $c["app_group"] : "-")}' \
    "$T/f/inventory.csv" > "$T/f.inv"
check "--flows: one distinct address per server" \
    test "$(awk '{print $2}' "$T/f.inv" | sort -u | grep -c '^10\.')" -eq 25
# each server's flows sum to its transmitted bytes (tx_KiBps x interval x 1024), to 0.01%
awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "net_tx_KiBps") k = i; next}
         {tx[$2] += $k * $3 * 1024} END {for (e in tx) print e, tx[e]}' "$T/f/samples.csv" | sort > "$T/f.tx"
awk -F, 'NR > 1 {b[$2] += $7} END {for (e in b) print e, b[e]}' "$F" | sort > "$T/f.fl"
check "--flows: every server's flow bytes = its transmitted bytes (0.01%)" sh -c \
    "join '$T/f.tx' '$T/f.fl' | awk '{d = \$2 - \$3; if (d < 0) d = -d; if (!(\$2 > 0) || d > \$2 * 1e-4) bad++; n++}
         END {exit !(n == 25 && bad == 0)}'"
# tiers: web -> app on 8080 and app -> db on 1433 stay inside their application group
awk 'NR == FNR {ip[$2] = $1; role[$1] = $3; grp[$1] = $4; next}
     FNR > 1 {split($0, f, ","); d = ip[f[4]]
              if (f[6] == 8080) { n8++; if (role[f[2]] != "web" || role[d] != "app" || grp[d] != grp[f[2]]) bad++ }
              if (f[6] == 1433 && role[f[2]] == "app") { n14++; if (role[d] != "db" || grp[d] != grp[f[2]]) bad++ }}
     END {exit !(n8 > 0 && n14 > 0 && bad == 0)}' "$T/f.inv" "$F"
check "--flows: web -> app (8080) and app -> db (1433) inside each application group" [ $? -eq 0 ]
check "--flows: backups leave at night only (windows ending 23:00-03:00 UTC)" \
    awk -F, 'NR > 1 && $4 == "198.51.100.10" {n++; h = int(($1 % 86400) / 3600); if (h > 3 && h < 23) bad++}
             END {exit !(n > 0 && bad == 0)}' "$F"
check "--flows: hourly windows" awk -F, 'NR > 1 && $1 % 3600 != 0 {bad++} END {exit bad > 0}' "$F"
# the planner weighs a soft-affinity group by these flows
printf 'rule,type,members,target,weight\napp1,soft-affinity,web01;web02;app01;app02;db01,,\n' > "$T/soft.csv"
"$KASANE" plan "$T/f" --catalog "$KASANE_ROOT/datasets/catalog/current.csv" --rules "$T/soft.csv" \
    -o "$T/fp" >/dev/null 2>&1
check "--flows: a soft-affinity rule is weighted by the generated flows" \
    grep -q ' (flows.csv) across hosts' "$T/fp/rules.csv"
# Two generating threads (the default with two CPUs) write what one writes: an odd
# count of servers, flows windows, a last window cut short, and compressed.
for t in 1 2 3; do
    KASANE_GEN_THREADS=$t "$KASANE" gen --servers 13 --days 1.05 --step 700 --seed 3 --flows \
        -o "$T/th$t" -q
    KASANE_GEN_THREADS=$t "$KASANE" gen --servers 9 --days 0.5 --seed 3 --compress -o "$T/tz$t" -q
done
for t in 2 3; do
    check "KASANE_GEN_THREADS=$t: samples.csv and flows.csv as with one thread" sh -c \
        "cmp -s '$T/th1/samples.csv' '$T/th$t/samples.csv' && cmp -s '$T/th1/flows.csv' '$T/th$t/flows.csv'"
    check "KASANE_GEN_THREADS=$t: samples.csv.zst as with one thread" \
        cmp -s "$T/tz1/samples.csv.zst" "$T/tz$t/samples.csv.zst"
done
check "a cut-short last window: 13 servers x 129 steps" \
    test "$(($(wc -l <"$T/th1/samples.csv") - 1))" -eq $((13 * 129))
"$KASANE" gen --servers 2 --days 1 -q -o "$T/new/parents/ds"
check "gen -o makes missing parent directories" test -s "$T/new/parents/ds/samples.csv"
