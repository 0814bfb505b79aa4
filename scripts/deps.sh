#!/bin/sh
# Install the Debian packages kasane needs that are not installed yet.
# Idempotent and silent when nothing is missing. Run as root (or with sudo present).
set -e
# libvirt0, libcurl4, libpapi7.0, libpcap0.8 and libgsl27 are dlopened at run time
# (collect/col_dl.h), not linked: named here so that they stay installed whatever
# happens to the -dev packages. locales: localedef and the de_DE source, for
# tests/e2e/locale.sh (a decimal-comma locale compiled in the test).
PKGS="build-essential pkg-config libcsv-dev libcmocka-dev libinih-dev libgsl-dev
libpcap-dev libpapi-dev papi-tools libncurses-dev libvirt-dev
libvirt-clients libvirt-daemon gnuplot-nox sysstat fio iperf3 stress-ng tmux tidy
iproute2 clang libclang-rt-14-dev valgrind tcpdump libjansson-dev
libcurl4-openssl-dev libxxhash-dev libvirt0 libcurl4 libpapi7.0 libpcap0.8 libgsl27 chromium
imagemagick procps curl prometheus prometheus-node-exporter rsync locales
libexpat1-dev libminizip-dev zip nginx-light libzstd-dev libzstd1"
missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "kasane deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
