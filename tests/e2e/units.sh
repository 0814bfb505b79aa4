# The systemd units of the collector (dist/systemd, issue 22): systemd-analyze verify
# clean for kasane-collect.service, an instance of kasane-collect@.service and the unit
# with the pcap drop-in (dist/examples/pcap.conf), and the hardening the issue asks for.
# The units name /usr/bin/kasane-collect: verified copies name the binary under test.
. "$(dirname "$0")/lib.sh"
command -v systemd-analyze >/dev/null 2>&1 || { notok "units.sh needs systemd-analyze (systemd)"; exit 0; }
D="$KASANE_ROOT/dist/systemd"
U="$T/units"
mkdir -p "$U/kasane-collect.service.d" "$T/man/man1"
# The small collector where the build has it, else kasane collect (the same options).
if [ -x "${BUILD:-build}/kasane-collect" ]; then COL=$(cd "${BUILD:-build}" && pwd)/kasane-collect
else COL="$KASANE collect"; fi
for u in kasane-collect.service kasane-collect@.service; do
    sed "s|/usr/bin/kasane-collect|$COL|" "$D/$u" >"$U/$u"
done
cp "$U/kasane-collect@.service" "$U/kasane-collect@fast.service"
# Documentation=man:kasane-collect(1) is checked too: the page, generated as make does.
V=$("$KASANE" --version | awk '{print $2}')
ASAN_OPTIONS=detect_leaks=0 "$KASANE_ROOT/scripts/man.sh" "$KASANE" collect "$V" /usr/share/kasane \
    "$T/man/man1/kasane-collect.1"
export MANPATH="$T/man"

verify() { # NAME UNIT: systemd-analyze verify exits 0 and says nothing
    systemd-analyze verify "$2" >"$T/v.out" 2>&1
    rc=$?
    check "$1 ($(head -c 300 "$T/v.out"))" [ "$rc" -eq 0 -a ! -s "$T/v.out" ]
}
verify "verify kasane-collect.service" "$U/kasane-collect.service"
verify "verify kasane-collect@fast.service (template instance)" "$U/kasane-collect@fast.service"
cp "$KASANE_ROOT/dist/examples/pcap.conf" "$U/kasane-collect.service.d/pcap.conf"
verify "verify kasane-collect.service with the pcap drop-in" "$U/kasane-collect.service"
rm -r "$U/kasane-collect.service.d"

# The check can fail: a misspelt value is refused.
sed 's/^ProtectSystem=strict/ProtectSystem=strickt/' "$U/kasane-collect.service" >"$U/bad.service"
systemd-analyze verify "$U/bad.service" >"$T/bad.out" 2>&1
check "verify reports a bad value (ProtectSystem=strickt)" grep -q "strickt" "$T/bad.out"

for u in kasane-collect.service kasane-collect@.service; do
    f="$D/$u"
    check "$u: DynamicUser, StateDirectory=kasane" sh -c "grep -qx 'DynamicUser=yes' '$f' && grep -qx 'StateDirectory=kasane' '$f'"
    check "$u: ExecReload sends SIGHUP" grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$f"
    check "$u: ProtectSystem=strict, NoNewPrivileges" sh -c "grep -qx 'ProtectSystem=strict' '$f' && grep -qx 'NoNewPrivileges=yes' '$f'"
    check "$u: no capability without pcap" sh -c "grep -qx 'CapabilityBoundingSet=' '$f' && [ \$(grep -c '^CapabilityBoundingSet' '$f') -eq 1 ]"
    check "$u: runs /usr/bin/kasane-collect into /var/lib/kasane" grep -q '^ExecStart=/usr/bin/kasane-collect .* -o /var/lib/kasane/%[Hi]$' "$f"
done
check "pcap drop-in: CAP_NET_RAW and CAP_NET_ADMIN, nothing more" \
    sh -c "[ \"\$(grep '^CapabilityBoundingSet=' '$KASANE_ROOT/dist/examples/pcap.conf')\" = 'CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN' ]"
