# make deb end to end (issue 22): build the packages kasane and kasane-collect once, in
# a copy of the source tree, lintian at the default level, dpkg -i, the installed
# collector writes a short dataset, the installed kasane plans it with a catalog found
# by name in the installed data directory and reports it, the installed units verify,
# then dpkg --purge leaves nothing behind. Needs root (dpkg -i) and dpkg-buildpackage.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then echo "skip - deb.sh installs packages with dpkg -i, which needs root (running as $(id -un))"; exit 0; fi
command -v dpkg-buildpackage >/dev/null 2>&1 ||
    { echo "skip - deb.sh needs dpkg-buildpackage (apt-get install dpkg-dev; make deps)"; exit 0; }
for p in kasane kasane-collect; do
    if dpkg -s "$p" >/dev/null 2>&1; then
        notok "package $p is installed already: this test would replace and purge it"; exit 0
    fi
done
for tool in dh lintian systemd-analyze man; do
    command -v "$tool" >/dev/null 2>&1 || { notok "deb.sh needs $tool (make deps TIERS=test)"; exit 0; }
done
cleanup() {
    dpkg --purge kasane kasane-collect >/dev/null 2>&1
    rm -rf "$T"
}
trap cleanup EXIT

# ---- build, once, in a copy of the tree (dpkg-buildpackage cleans and writes ../) ------
mkdir -p "$T/pkg/src"
if git -C "$KASANE_ROOT" rev-parse >/dev/null 2>&1; then
    (cd "$KASANE_ROOT" && git ls-files -co --exclude-standard | tar -cf - -T -) | tar -xf - -C "$T/pkg/src"
else
    (cd "$KASANE_ROOT" && tar -cf - --exclude='./build*' --exclude=./out --exclude=./kasane .) |
        tar -xf - -C "$T/pkg/src"
fi
start=$(date +%s)
(cd "$T/pkg/src" && DEB_BUILD_OPTIONS="noddebs nocheck parallel=2" \
    dpkg-buildpackage -b -us -uc -j2) >"$T/build.log" 2>&1
rc=$?
echo "# dpkg-buildpackage: exit $rc in $(($(date +%s) - start)) s"
check "dpkg-buildpackage -b: exit 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || { tail -n 30 "$T/build.log"; exit 0; }
K=$(ls "$T"/pkg/kasane_*.deb 2>/dev/null | head -1)
KC=$(ls "$T"/pkg/kasane-collect_*.deb 2>/dev/null | head -1)
check "two binary packages: kasane and kasane-collect" [ -f "$K" -a -f "$KC" ]

lintian "$K" "$KC" >"$T/lintian" 2>"$T/lintian.err"
check "lintian at the default level: nothing to say ($(head -c 300 "$T/lintian"))" [ ! -s "$T/lintian" ]

dpkg-deb -c "$KC" | awk '{print $6}' | grep -v '/$' >"$T/kc.files"
check "kasane-collect holds the collector, its units, man page and docs alone" \
    sh -c "! grep -Ev '^\./(usr/)?lib/systemd/system/kasane-collect@?\.service$|^\./usr/bin/kasane-collect$|^\./usr/share/man/man1/kasane-collect\.1\.gz$|^\./usr/share/doc/kasane-collect/' '$T/kc.files'"
check "kasane-collect ships both units" [ "$(grep -c 'systemd/system/kasane-collect' "$T/kc.files")" -eq 2 ]
check "kasane holds no unit and no collector binary" \
    sh -c "! dpkg-deb -c '$K' | grep -E 'systemd/system|bin/kasane-collect'"

# ---- install --------------------------------------------------------------------------
dpkg -i "$K" "$KC" >"$T/dpkg.log" 2>&1
rc=$?
check "dpkg -i kasane kasane-collect: exit 0 ($(tail -c 300 "$T/dpkg.log"))" [ "$rc" -eq 0 ]
check "installed: /usr/bin/kasane and /usr/share/kasane/catalog/current.csv" \
    [ -x /usr/bin/kasane -a -f /usr/share/kasane/catalog/current.csv ]
check "installed units are not enabled" \
    sh -c '! ls /etc/systemd/system/*.wants/kasane-collect* >/dev/null 2>&1'

# The collector: the small binary where this tree builds it, else kasane collect.
if [ -x /usr/bin/kasane-collect ]; then
    COL=/usr/bin/kasane-collect
else
    echo "# /usr/bin/kasane-collect is not built by this tree yet: the installed 'kasane collect' writes the dataset"
    COL="/usr/bin/kasane collect"
fi
mkdir -p "$T/work"
cd "$T/work" || exit 1
$COL -i 0.5 -n 6 --no-papi -o "$T/ds" 2>"$T/col.err"
rc=$?
check "installed collector ($COL): exit 0 ($(head -c 200 "$T/col.err"))" [ "$rc" -eq 0 ]
check "dataset: 6 sample rows" [ "$(grep -vc '^time,' "$T/ds/samples.csv")" -eq 6 ]

# --catalog current: no file of that name here, so the installed data directory's.
env -u KASANE_DATADIR /usr/bin/kasane plan "$T/ds" --catalog current --storage-catalog storage \
    -o "$T/plan" >"$T/plan.out" 2>"$T/plan.err"
rc=$?
check "installed kasane plan --catalog current: exit 0 ($(head -c 300 "$T/plan.err"))" [ "$rc" -eq 0 ]
check "plan: one host of a model of /usr/share/kasane/catalog/current.csv" sh -c "
    m=\$(awk -F, 'NR == 2 {print \$2}' '$T/plan/hosts.csv');
    [ -n \"\$m\" ] && cut -d, -f1 /usr/share/kasane/catalog/current.csv | grep -qxF \"\$m\""
env -u KASANE_DATADIR /usr/bin/kasane plan "$T/ds" --catalog no-such-catalog -o "$T/p2" \
    >/dev/null 2>"$T/p2.err"
rc=$?
check "an unknown name: exit 1 listing the installed catalogs" sh -c \
    "[ $rc -eq 1 ] && grep -q '/usr/share/kasane/catalog holds: 2008, current' '$T/p2.err'"
/usr/bin/kasane report "$T/ds" --plan "$T/plan" -o "$T/rep" >"$T/rep.out" 2>"$T/rep.err"
rc=$?
check "installed kasane report: exit 0, index.html ($(head -c 200 "$T/rep.err"))" \
    sh -c "[ $rc -eq 0 ] && grep -q '</html>' '$T/rep/index.html'"

# ---- what came with the packages ------------------------------------------------------
man --warnings kasane-plan >"$T/man.out" 2>"$T/man.err"
check "man kasane-plan: renders without warnings ($(head -c 200 "$T/man.err"))" \
    sh -c "[ ! -s '$T/man.err' ] && grep -q -- '--catalog' '$T/man.out'"
unit=$(dpkg -L kasane-collect | grep 'systemd/system/kasane-collect.service$')
if [ -x /usr/bin/kasane-collect ]; then
    systemd-analyze verify "$unit" >"$T/verify" 2>&1
    rc=$?
    check "systemd-analyze verify on the installed unit ($(head -c 300 "$T/verify"))" [ "$rc" -eq 0 ]
fi

# ---- remove ---------------------------------------------------------------------------
dpkg -L kasane kasane-collect | grep -v '^/\.$' >"$T/files"
dpkg --purge kasane kasane-collect >"$T/purge.log" 2>&1
rc=$?
check "dpkg --purge: exit 0" [ "$rc" -eq 0 ]
check "dpkg knows neither package any more" sh -c '! dpkg -L kasane >/dev/null 2>&1 && ! dpkg -L kasane-collect >/dev/null 2>&1'
left=$(while read -r f; do
    case $f in /usr | /usr/* | /lib | /lib/*) ;; *) continue ;; esac
    [ -f "$f" ] && echo "$f"
done <"$T/files")
check "no file of either package left ($(echo "$left" | head -3 | tr '\n' ' '))" [ -z "$left" ]
check "no /usr/share/kasane, /usr/share/doc/kasane*, units or links" sh -c \
    '! ls -d /usr/share/kasane /usr/share/doc/kasane /usr/share/doc/kasane-collect \
        /lib/systemd/system/kasane-collect* /usr/lib/systemd/system/kasane-collect* \
        /etc/systemd/system/*/kasane-collect* 2>/dev/null | grep -q .'
