# Shared helpers for end-to-end tests (sourced). Each check prints "ok - NAME" or
# "not ok - NAME"; tests/run.sh counts them. $KASANE is the binary under test,
# $KASANE_ROOT the source tree. T is a scratch directory removed at exit.
set -u
: "${KASANE_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${KASANE:=$KASANE_ROOT/build/kasane}"
T=$(mktemp -d)
FIX="$KASANE_ROOT/tests/fixtures"
SHARED="$KASANE_ROOT/../shared"

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
# skip REASON: a case that cannot run here (it needs root, a user, a mount); tests/run.sh
# counts it apart from passes and failures and prints the reason. Only for what the
# environment withholds, never for a failure.
skip() { echo "skip - $*"; }
# need_root WHAT: 0 when running as root, else a skip naming WHAT and 1
need_root() { [ "$(id -u)" -eq 0 ] && return 0; skip "$1 needs root (running as $(id -un))"; return 1; }
# stage_for_other_user: a directory under /tmp that any user can enter (0755, made with
# mktemp -d), holding a copy of $KASANE, printed; for cases that drop privileges: the
# clone may live where others cannot go (/root/kasane, a 0700 mktemp), so the dropped
# user could not even start the binary there. Removed at exit with $T (a script that sets
# its own EXIT trap removes $T itself and stages nothing).
stage_for_other_user() {
    d=$(mktemp -d /tmp/kasane-stage.XXXXXX) && chmod 755 "$d" && cp "$KASANE" "$d/" &&
        chmod 755 "$d/$(basename "$KASANE")" && echo "$d" >>"$T/.staged" && echo "$d"
}
trap 'if [ -f "$T/.staged" ]; then xargs rm -rf <"$T/.staged"; fi; rm -rf "$T"' EXIT
# check NAME COMMAND...: passes when COMMAND exits 0
check() { n=$1; shift; if "$@"; then ok "$n"; else notok "$n"; fi; }
# expect_exit NAME CODE PATTERN COMMAND...: exit status CODE and stderr matching PATTERN
expect_exit() {
    n=$1 code=$2 pat=$3; shift 3
    "$@" >"$T/.out" 2>"$T/.err"; rc=$?
    if [ "$rc" -eq "$code" ] && grep -qE -- "$pat" "$T/.err"; then ok "$n"
    else notok "$n (exit $rc, want $code; stderr: $(head -c 300 "$T/.err"))"; fi
}
