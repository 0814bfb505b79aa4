#!/bin/sh
# Install the Debian packages of the named tiers that are not installed yet.
#   scripts/deps.sh [runtime] [build] [test] [--list]   (no tier: runtime build)
# Idempotent and silent when nothing is missing. Run as root (or with sudo present).
# --list prints the resolved package names of the tiers and installs nothing.
#
# Tiers (issue 22):
#   runtime  what the installed binaries use: linked libraries, the libraries loaded on
#            use (libvirt0, libcurl, libpapi, libpcap, libgsl: dlopened, so named here to
#            stay installed whatever happens to the -dev packages) and gnuplot for the
#            report's charts. No daemon among them.
#   build    compiler, -dev packages, and what `make deb` and the man pages need.
#   test     the tools the tests drive (fio, stress-ng, prometheus, nginx, chromium...).
#            Several ship a service (prometheus, prometheus-node-exporter, nginx,
#            sysstat, iperf3, rsync): installing them never starts or enables one (a
#            policy-rc.d that refuses every start while apt-get runs, then each unit
#            they ship is disabled and stopped). Tests start what they need themselves,
#            on loopback ports of their own, and stop it.
#
# An entry "a|b" is one need met by either name: Debian 13 renamed libraries in the
# 64-bit time_t transition (libcurl4t64, libpcap0.8t64, ...) and moved on (libgsl28).
# An alternative already installed meets it; otherwise the first one apt knows is used.
set -e

RUNTIME="libcsv3 libinih1 libjansson4 libxxhash0 libncursesw6 libexpat1
libminizip1|libminizip1t64 libzstd1 libvirt0 libcurl4|libcurl4t64
libpapi7.0|libpapi7.1t64|libpapi7.1 libpcap0.8|libpcap0.8t64 libgsl27|libgsl28
gnuplot-nox procps"
# debhelper, help2man: `make deb` and the man pages (make install) - no daemon.
BUILD_PKGS="build-essential pkg-config libcsv-dev libinih-dev libgsl-dev
libpcap-dev libpapi-dev libncurses-dev libvirt-dev libjansson-dev libcurl4-openssl-dev
libxxhash-dev libexpat1-dev libminizip-dev libzstd-dev help2man debhelper"
# libcmocka-dev: the unit tests alone link it. zstd, time: the zstd and GNU time
# programs (tests/e2e/dataset_zst.sh writes .zst files by hand and takes peak RSS). libclang-rt-dev: libFuzzer of the default
# clang (make fuzz). locales: localedef and the de_DE source for tests/e2e/locale.sh.
# lintian, man-db, systemd, bash-completion: the package, man page, unit and completion
# checks (tests/e2e/deb.sh, install.sh, units.sh).
TEST_PKGS="libcmocka-dev clang libclang-rt-dev|libclang-rt-14-dev valgrind tidy sysstat fio iperf3
stress-ng tmux iproute2 tcpdump papi-tools chromium imagemagick curl
prometheus prometheus-node-exporter nginx-light rsync locales zip lintian man-db
systemd bash-completion zstd time"

list=0 tiers=""
for a in "$@"; do
    case $a in
    runtime | build | test) tiers="$tiers $a" ;;
    --list) list=1 ;;
    *) echo "usage: scripts/deps.sh [runtime] [build] [test] [--list]" >&2; exit 2 ;;
    esac
done
[ -n "$tiers" ] || tiers="runtime build"
want=""
for t in $tiers; do
    case $t in
    runtime) want="$want $RUNTIME" ;;
    build) want="$want $BUILD_PKGS" ;;
    test) want="$want $TEST_PKGS" ;;
    esac
done

# Installed packages, " name " each (one dpkg-query for all; arch qualifiers dropped).
INSTALLED=" $(dpkg-query -W -f='${db:Status-Status} ${Package}\n' 2>/dev/null |
    awk '$1 == "installed" {sub(/:.*/, "", $2); printf "%s ", $2}')"
installed() { case $INSTALLED in *" $1 "*) return 0 ;; esac; return 1; }
# has_candidate NAME: apt can install NAME (a real package with a version to install)
has_candidate() {
    c=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
    [ -n "$c" ] && [ "$c" != "(none)" ]
}
# first_installed ENTRY: the alternative already installed, if any
first_installed() {
    for p in $(echo "$1" | tr '|' ' '); do installed "$p" && { echo "$p"; return 0; }; done
    return 1
}

missing=""
for e in $want; do
    if p=$(first_installed "$e"); then
        [ "$list" -eq 0 ] || echo "$p"
    else
        missing="$missing $e"
    fi
done
[ -n "$missing" ] || exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
[ "$list" -eq 1 ] || $SUDO apt-get update -qq >&2
pkgs=""
for e in $missing; do
    pick=""
    for p in $(echo "$e" | tr '|' ' '); do
        if has_candidate "$p"; then pick=$p; break; fi
    done
    if [ -z "$pick" ]; then
        echo "kasane deps: no installable package for '$e' (apt-get update? Debian 12 or 13?)" >&2
        exit 1
    fi
    pkgs="$pkgs $pick"
done
if [ "$list" -eq 1 ]; then
    printf '%s\n' $pkgs
    exit 0
fi
echo "kasane deps: installing$pkgs" >&2

# Packages that ship a service: refuse every start while apt-get runs (invoke-rc.d asks
# /usr/sbin/policy-rc.d; 101 = action not allowed), then disable and stop the units they
# ship, so that a test machine is left with no daemon enabled or running.
installed_list() {
    dpkg-query -W -f='${db:Status-Status} ${Package}\n' | awk '$1 == "installed" {print $2}' | sort
}
before=$(mktemp)
installed_list >"$before"
rcd=/usr/sbin/policy-rc.d
saved=""
if [ -e "$rcd" ]; then saved=$(mktemp) && $SUDO cp -p "$rcd" "$saved"; fi
restore() {
    if [ -n "$saved" ]; then $SUDO cp -p "$saved" "$rcd" && rm -f "$saved"
    else $SUDO rm -f "$rcd"; fi
    rm -f "$before"
}
trap restore EXIT
printf '#!/bin/sh\n# kasane deps.sh: no service starts during apt-get install\nexit 101\n' |
    $SUDO tee "$rcd" >/dev/null
$SUDO chmod 755 "$rcd"
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $pkgs >&2

# Every package this run brought in, dependencies too (nginx-light's unit is in
# nginx-common), less systemd's own packages, whose units are the system itself.
new=$(installed_list | comm -13 "$before" - | grep -Ev '^(systemd|dbus|libpam-systemd|udev)' || true)
restore
trap - EXIT
units=$(for p in $new; do dpkg-query -L "$p" 2>/dev/null; done |
    grep -E '^/(usr/)?lib/systemd/system/[^/]+\.(service|socket|timer)$' |
    grep -v '@\.' | sed 's|.*/||' | sort -u)
if [ -n "$units" ] && command -v systemctl >/dev/null 2>&1; then
    echo "kasane deps: disabling (and stopping) the units of new packages:" $units >&2
    # --now fails where systemd is not running (a container): disable alone then.
    # shellcheck disable=SC2086
    $SUDO systemctl disable --now $units >/dev/null 2>&1 ||
        $SUDO systemctl disable $units >/dev/null 2>&1 || true
fi
