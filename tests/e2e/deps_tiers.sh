# Dependency tiers (scripts/deps.sh, issue 22): every entry of every tier resolves to a
# Debian package here; what make demo installs (runtime + build, with everything they
# depend on) ships no daemon; the test tier's services are neither enabled nor running.
. "$(dirname "$0")/lib.sh"
command -v apt-cache >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1 ||
    { echo "skip - deps_tiers.sh needs apt-cache and dpkg-query (a Debian system)"; exit 0; }
D="$KASANE_ROOT/scripts/deps.sh"

for t in runtime build test; do
    "$D" "$t" --list >"$T/$t" 2>"$T/$t.err"
    rc=$?
    n=$(wc -l <"$T/$t")
    check "deps.sh $t --list: every entry resolves ($n packages; $(head -c 200 "$T/$t.err"))" \
        [ "$rc" -eq 0 -a "$n" -gt 5 ]
done
"$D" bogus >/dev/null 2>&1
check "deps.sh with an unknown tier: usage error, exit 2" [ $? -eq 2 ]

# Units started at boot (a .service or .socket wanted by a target) and their packages,
# "package unit" per line, found once: timers of system maintenance (man-db, dpkg) are
# no daemons.
for u in /lib/systemd/system/*.service /lib/systemd/system/*.socket \
    /usr/lib/systemd/system/*.service /usr/lib/systemd/system/*.socket; do
    [ -f "$u" ] && grep -qE '^WantedBy=.*(multi-user|sockets|default|graphical)\.target' "$u" &&
        echo "$u"
done | sort -u >"$T/boot.units"
# shellcheck disable=SC2046
[ -s "$T/boot.units" ] && dpkg-query -S $(cat "$T/boot.units") 2>/dev/null |
    sed 's/:[a-z0-9]*: /: /; s|: .*/| |' | sort -u >"$T/boot.pkgs"
touch "$T/boot.pkgs"
# daemons FILE: the "package unit" lines of the installed dependency closure of FILE's
# packages.
daemons() {
    # shellcheck disable=SC2046
    apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts \
        --no-breaks --no-replaces --no-enhances $(cat "$1") 2>/dev/null | grep -v '^ ' |
        sort -u >"$T/closure"
    awk 'NR == FNR {in_[$1] = 1; next} ($1 in in_)' "$T/closure" "$T/boot.pkgs"
}
cat "$T/runtime" "$T/build" >"$T/demo"
daemons "$T/demo" >"$T/demo.daemons"
check "make demo's packages and their dependencies ship no daemon ($(tr '\n' ' ' <"$T/demo.daemons" | head -c 300))" \
    [ ! -s "$T/demo.daemons" ]
daemons "$T/test" >"$T/test.daemons"
check "the same check finds the test tier's daemons (prometheus: $(grep -c . "$T/test.daemons") units)" \
    grep -q '^prometheus prometheus.service$' "$T/test.daemons"

# After make check's deps: no unit of the test tier enabled, none of its daemons running.
if command -v systemctl >/dev/null 2>&1; then
    en=$(cut -d' ' -f2 "$T/test.daemons" | sort -u | while read -r u; do
        [ "$(systemctl is-enabled "$u" 2>/dev/null)" = enabled ] && echo "$u"; done)
    check "no unit of the test tier enabled ($(echo $en))" [ -z "$en" ]
fi
run=""
for d in prometheus prometheus-node-exporter nginx sadc iperf3 libvirtd; do
    pgrep -x "$d" >/dev/null 2>&1 || continue
    # A test of this run may have one of its own on a loopback port: only a daemon whose
    # parent is init (started at boot or by a package) counts.
    for pid in $(pgrep -x "$d"); do
        [ "$(ps -o ppid= -p "$pid" | tr -d ' ')" = 1 ] && run="$run $d($pid)"
    done
done
check "no test-tier daemon running as a service ($run)" [ -z "$run" ]
