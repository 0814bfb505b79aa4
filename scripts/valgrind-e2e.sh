#!/bin/sh
# Run the end-to-end tests with every kasane invocation under valgrind memcheck.
# A memory error or a definite leak makes that kasane exit 99, so the e2e check
# around it fails. Usage: scripts/valgrind-e2e.sh [PATTERN]   (after make)
# VG_EXCLUDE lists e2e scripts (names without .sh) left out because they are timing
# tests that valgrind's 20-50x slowdown breaks, not memory tests; the default is the
# list docs/reliability.md explains. VG_EXCLUDE= runs them all.
set -eu
cd "$(dirname "$0")/.."
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# valgrind by absolute path: some tests run kasane with a PATH without it (no gnuplot).
VG=$(command -v valgrind)
cat > "$W/kasane" <<EOW
#!/bin/sh
exec $VG -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --trace-children=no "$(pwd)/build/kasane" "\$@"
EOW
chmod +x "$W/kasane"
: "${VG_EXCLUDE=collect_signals}"
rc=0 pass=0 fail=0
for t in tests/e2e/*.sh; do
    name=$(basename "$t" .sh)
    [ "$name" = lib ] && continue
    case "$name" in *"${1:-}"*) ;; *) continue ;; esac
    case " $VG_EXCLUDE " in *" $name "*) echo "skip e2e/$name.sh (timing test, VG_EXCLUDE)"; continue ;; esac
    KASANE="$W/kasane" BUILD=build-none tests/run.sh "$name.sh" > "$W/out" 2>&1 || rc=1
    sed '$d' "$W/out" # one line per script, the failures' details; no per-script total
    pass=$((pass + $(sed -n '$s/ passed.*//p' "$W/out")))
    fail=$((fail + $(sed -n '$s/.* passed, \([0-9]*\) failed.*/\1/p' "$W/out")))
done
echo "$pass passed, $fail failed (under valgrind)"
[ "$fail" -eq 0 ] && [ "$rc" -eq 0 ]
