#!/bin/sh
# Render an HTML file to PNG with headless Chromium, as a person would see it, or
# print it to PDF (OUT ending in .pdf: the page's own @page rules, no header/footer).
#   scripts/screenshot.sh PAGE.html OUT.png|OUT.pdf [WIDTH,HEIGHT]
# No network (file:// only, background networking, sync and updates off), a throwaway
# profile removed afterwards, a time limit. Prints the PNG's pixel standard deviation
# (0 = one flat colour, i.e. blank) via ImageMagick when `convert` is present.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 PAGE.html OUT.png [WIDTH,HEIGHT]" >&2; exit 2; }
page=$1 out=$2 size=${3:-1280,4000}
case "$page" in /*) ;; *) page="$(pwd)/$page" ;; esac
[ -f "$page" ] || { echo "$0: $page: no such file" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "$0: chromium not found (apt-get install chromium)" >&2; exit 1; }
prof=$(mktemp -d)
trap 'rm -rf "$prof"' EXIT
timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$prof" --window-size="$size" \
    $(case "$out" in *.pdf) echo "--no-pdf-header-footer --print-to-pdf=$out" ;;
                     *) echo "--screenshot=$out" ;; esac) \
    "file://$page" >/dev/null 2>&1 || true
[ -s "$out" ] || { echo "$0: chromium wrote nothing to $out" >&2; exit 1; }
case "$out" in *.pdf) exit 0 ;; esac
if command -v convert >/dev/null 2>&1; then
    convert "$out" -format "%[fx:standard_deviation]\n" info:
fi
