#!/bin/sh
# README.md's "typical assessment" block, run as written on this machine (issue 19).
# The block is read from README.md, not copied here, so this test fails as soon as the
# README says something that does not work. Substituted, and nothing else:
#   - `kasane` is $KASANE (a symlink first on PATH);
#   - every server of the block's `for h in ...` list is this machine in a UTS namespace
#     of its own (unshare --uts) named like the server, so `$(hostname)` and the
#     collector's entity are the server's name; their file systems are one tree under
#     $T: "/var/" reads "$T/var/" (the servers' names differ, so their directories do);
#   - `-d 14d` reads `-d ${KASANE_README_SECONDS}s` (default 30: 3 samples at `-i 10`);
#   - rsync's remote shell is $RSYNC_RSH, a shim that runs the "remote" side here;
#   - the workstation is a scratch directory whose datasets/ links to the source tree's.
# Every server but the last runs the block's collect command (all at once); the last
# one runs the block's import sar command on an sa file that sadc records in its
# namespace over the same period, beside a sarDD text report as Debian's sa2 leaves it.
# Then the rest of the block runs as one sh -e script: gather, rules, plan, sim, report.
. "$(dirname "$0")/lib.sh"
SECONDS_RUN=${KASANE_README_SECONDS:-30}
SADC=/usr/lib/sysstat/sadc
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# The fenced block after "A typical assessment", and its parts.
awk '/^A typical assessment/ { on = 1; next }
    on && /^```/ { if (body) exit; body = 1; next }
    body' "$KASANE_ROOT/README.md" >"$T/block"
collect=$(grep -m1 '^kasane collect ' "$T/block")
import=$(grep -m1 '^kasane import sar ' "$T/block")
hosts=$(sed -n 's/^for h in \(.*\); do .*/\1/p' "$T/block")
import_at=$(grep -n -m1 '^kasane import sar ' "$T/block" | cut -d: -f1)
if [ -z "$collect" ] || [ -z "$import" ] || [ -z "$hosts" ]; then
    notok "README block has a collect line, an import sar line and a 'for h in' list"
    exit 0
fi
ok "README block has a collect line, an import sar line and a 'for h in' list ($hosts)"
set -- $hosts
[ $# -ge 2 ] || { notok "at least two servers in the 'for h in' list"; exit 0; }
for tool in unshare rsync sadf; do
    command -v "$tool" >/dev/null || { notok "$tool is needed (make deps)"; exit 0; }
done
if ! unshare --uts true 2>/dev/null || [ ! -x "$SADC" ]; then
    notok "unshare --uts (as root) and $SADC are needed"
    exit 0
fi

# The substitutions of the header, applied to every line taken from the block.
subst() { sed -e "s|/var/|$T/var/|g" -e "s|-d 14d|-d ${SECONDS_RUN}s|g"; }
collect=$(echo "$collect" | subst)
import=$(echo "$import" | subst)
awk -v from="$import_at" 'NR > from' "$T/block" | subst >"$T/workstation.sh"
mkdir -p "$T/bin" "$T/ws" "$T/var/log/sysstat"
ln -s "$KASANE" "$T/bin/kasane"
ln -s "$KASANE_ROOT/datasets" "$T/ws/datasets"
printf '#!/bin/sh\n# ssh HOST COMMAND...: every server is this machine\nshift\nexec sh -c "$*"\n' \
    >"$T/bin/ssh-here"
chmod +x "$T/bin/ssh-here"
PATH="$T/bin:$PATH" RSYNC_RSH="$T/bin/ssh-here"
export PATH RSYNC_RSH

# has_row FILE COLUMN VALUE: a row of CSV FILE has VALUE in COLUMN (named by the header)
has_row() {
    awk -F, -v c="$2" -v v="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
        k && $k == v { f = 1 } END { exit !f }' "$1"
}
# as_server NAME COMMAND: COMMAND (one command, exec-ed so that its pid is ours to kill)
# in a UTS namespace whose host name is NAME
as_server() { unshare --uts sh -c 'hostname "$1" && eval "exec $2"' _ "$1" "$2"; }

last=$(eval "echo \${$#}")
interval=$(echo "$collect" | sed -n 's/.* -i \([0-9.]*\) .*/\1/p')
sa="$T/var/log/sysstat/sa$(date +%d)"
for h in "$@"; do
    if [ "$h" = "$last" ]; then
        as_server "$h" "$SADC -S DISK ${interval:-10} $((SECONDS_RUN / ${interval:-10} + 1)) $sa" \
            >"$T/sadc.log" 2>&1 &
    else
        as_server "$h" "$collect" >"$T/collect.$h.log" 2>&1 &
    fi
    PIDS="$PIDS $!"
done
for p in $PIDS; do wait "$p"; done
PIDS=""
sar -A -f "$sa" >"${sa%/*}/sar$(date +%d)" 2>/dev/null # what Debian's sa2 writes beside it

for h in "$@"; do
    [ "$h" = "$last" ] && continue
    check "collect on server $h: a dataset of its own rows (entity $h)" awk -F, -v h="$h" \
        'NR > 1 && $2 == h { n++ } NR > 1 && $2 != h { bad = 1 } END { exit !(n >= 2 && !bad) }' \
        "$T/var/lib/kasane/$h/samples.csv"
done
as_server "$last" "$import" >"$T/import.log" 2>&1
rc=$?
check "import sar on server $last: exit 0 (the glob leaves sarDD out)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/import.log" | tail -n 5
check "import sar on server $last: entity $last" \
    has_row "$T/var/lib/kasane/$last/inventory.csv" entity "$last"

# The workstation part: one script, stopping at the first command that fails.
(cd "$T/ws" && sh -ex "$T/workstation.sh") >"$T/ws.log" 2>&1
rc=$?
check "the workstation part of the block runs as written (exit $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/ws.log" | tail -n 25

W="$T/ws"
for h in "$@"; do
    check "room/$h gathered by rsync" test -s "$W/room/$h/inventory.csv"
done
check "the plan has hosts" awk -F, 'NR > 1 { n++ } END { exit !(n >= 1) }' "$W/plan/hosts.csv"
host=$(sed -n 's/.* --host \([^ ]*\) .*/\1/p' "$T/workstation.sh")
check "the README's --host $host is a host of the plan" has_row "$W/plan/hosts.csv" host "$host"
for h in "$@"; do
    check "plan places server $h" has_row "$W/plan/placement.csv" entity "$h"
done
# every anti-affinity rule of the rules file the block wrote: members on distinct hosts
check "the rules file's anti-affinity rules hold in placement.csv" awk -F, '
    NR == FNR { if ($2 == "anti-affinity") { n = split($3, m, ";"); for (i = 1; i <= n; i++)
                    rule[m[i]] = $1 }; next }
    FNR > 1 && ($1 in rule) { k = rule[$1] SUBSEP $2; if (k in seen) bad = 1; seen[k] = 1; c++ }
    END { exit !(c >= 2 && !bad) }' "$W/rules.csv" "$W/plan/placement.csv"
modes=$(sed -n 's/.* --modes \([^ ]*\) .*/\1/p' "$T/workstation.sh")
for m in $(echo "$modes" | tr , ' '); do
    check "sim.csv has rows for mode $m" has_row "$W/sim.csv" mode "$m"
done
check "report/index.html written" test -s "$W/report/index.html"
for h in "$@"; do
    check "the report names server $h" grep -q "$h" "$W/report/index.html"
done
