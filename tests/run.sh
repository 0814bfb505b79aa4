#!/bin/sh
# kasane test runner: every cmocka program under $BUILD/tests, then every end-to-end
# script under tests/e2e (which drive the real binary, $KASANE). Counts individual
# test cases: cmocka's "[       OK ]" / "[  FAILED  ]" lines and the e2e scripts'
# "ok - " / "not ok - " lines. A program that dies without reporting counts as a
# failure. "skip - REASON" lines (tests/e2e/lib.sh: a case the environment does not
# allow, e.g. one that needs root) are counted apart, their reasons listed. Ends with
# the summary line "N passed, N failed, N skipped".
#   tests/run.sh [PATTERN]   run only programs / scripts whose name contains PATTERN
set -u
: "${BUILD:=build}" "${KASANE:=$BUILD/kasane}"
export KASANE BUILD
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export KASANE_ROOT="$ROOT"
pat=${1:-}
pass=0 fail=0 skipped=0 failed_names=""
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

run_one() { # name, command...
    name=$1; shift
    out="$log/out"
    start=$(date +%s)
    "$@" >"$out" 2>&1
    rc=$?
    p=$(grep -cE '^\[       OK \]|^ok - ' "$out")
    f=$(grep -cE '^\[  FAILED  \] [^0-9]|^not ok - ' "$out")
    s=$(grep -c '^skip - ' "$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    pass=$((pass + p)); fail=$((fail + f)); skipped=$((skipped + s))
    grep '^skip - ' "$out" | sed "s|^skip - |    skipped ($name): |" >>"$log/skips"
    dur=$(( $(date +%s) - start ))
    if [ "$f" -ne 0 ]; then
        failed_names="$failed_names $name"
        echo "FAIL $name ($p passed, $f failed, ${dur}s, exit $rc)"
        grep -E '^\[  (FAILED|ERROR)|^not ok|rror|ssert' "$out" | head -40 | sed 's/^/    /'
        # what the program said just before its first failure (a command's stderr)
        grep -m1 -B8 -E '^\[  FAILED  \] [^0-9]|^not ok - ' "$out" | sed 's/^/    > /'
        tail -n 15 "$out" | sed 's/^/    | /'
    else
        sk=""; [ "$s" -gt 0 ] && sk=", $s skipped"
        echo "ok   $name ($p passed$sk, ${dur}s)"
    fi
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    case "$(basename "$t")" in *"$pat"*) ;; *) continue ;; esac
    run_one "$(basename "$t")" "$t"
done
for t in "$ROOT"/tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    case "$(basename "$t")" in lib.sh) continue ;; *"$pat"*) ;; *) continue ;; esac
    run_one "e2e/$(basename "$t")" sh "$t"
done
[ -n "$failed_names" ] && echo "failed:$failed_names"
[ -s "$log/skips" ] && cat "$log/skips"
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
