# Shared helpers for end-to-end tests (sourced). Each check prints "ok - NAME" or
# "not ok - NAME"; tests/run.sh counts them. $KASANE is the binary under test,
# $KASANE_ROOT the source tree. T is a scratch directory removed at exit.
set -u
: "${KASANE_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${KASANE:=$KASANE_ROOT/build/kasane}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FIX="$KASANE_ROOT/tests/fixtures"
SHARED="$KASANE_ROOT/../shared"

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
# check NAME COMMAND...: passes when COMMAND exits 0
check() { n=$1; shift; if "$@"; then ok "$n"; else notok "$n"; fi; }
# expect_exit NAME CODE PATTERN COMMAND...: exit status CODE and stderr matching PATTERN
expect_exit() {
    n=$1 code=$2 pat=$3; shift 3
    "$@" >"$T/.out" 2>"$T/.err"; rc=$?
    if [ "$rc" -eq "$code" ] && grep -qE -- "$pat" "$T/.err"; then ok "$n"
    else notok "$n (exit $rc, want $code; stderr: $(head -c 300 "$T/.err"))"; fi
}
