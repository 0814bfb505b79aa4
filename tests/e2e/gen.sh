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
