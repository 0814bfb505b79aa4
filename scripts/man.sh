#!/bin/sh
# Write a man page from a command's --help with help2man (Makefile: make man, install).
#   scripts/man.sh KASANE COMMAND VERSION DATADIR OUT.1
# COMMAND empty: kasane(1), the command list; else kasane-COMMAND(1) from
# `kasane COMMAND --help`. The NAME line comes from kasane's own command list, so a
# page never disagrees with `kasane --help`; FILES, ENVIRONMENT and SEE ALSO are added.
set -eu
k=$1 cmd=$2 version=$3 datadir=$4 out=$5
inc=$(mktemp)
trap 'rm -f "$inc"' EXIT
# help2man runs "PROG --help"; both pages' programs are kasane and a word.
if [ -z "$cmd" ]; then
    name="kasane"
    what="server-consolidation capacity planning: measure, plan, simulate, report"
    prog="$k"
else
    name="kasane-$cmd"
    what=$("$k" --help | awk -v c="$cmd" '$1 == c { $1 = ""; sub(/^ +/, ""); print; exit }')
    [ -n "$what" ] || { echo "man.sh: '$cmd' is not in kasane --help" >&2; exit 1; }
    prog="$k $cmd"
fi
see=""
for c in collect import gen plan sim report top; do
    [ "$c" = "$cmd" ] || see="$see${see:+, }\\fBkasane\\-$c\\fR(1)"
done
[ -z "$cmd" ] || see="\\fBkasane\\fR(1), $see"
{
    printf '[NAME]\n%s \\- %s\n' "$(echo "$name" | sed 's/-/\\-/g')" "$(echo "$what" | sed 's/-/\\-/g')"
    if [ "$cmd" = collect ]; then
        cat <<'TXT'
[DESCRIPTION]
.B kasane\-collect
(the small collector of package kasane\-collect) and
.B kasane collect
take the same options. The units kasane\-collect.service and
kasane\-collect@.service run it under systemd (/usr/share/doc/kasane/collect.md).
TXT
    fi
    cat <<TXT
[FILES]
.TP
.I $datadir
shipped data: host catalogs (catalog/), storage catalog (storage/), licence rules
(licences/), port files (ports/), simulator configurations (sim/), CPU ratings (cpu/).
An option naming such a file also takes its name, e.g. \\fB\\-\\-catalog current\\fR.
[ENVIRONMENT]
.TP
.B KASANE_DATADIR
the data directory instead of $datadir.
.TP
.B NO_COLOR
\\fBkasane top\\fR draws without colours.
[REPORTING BUGS]
Documentation: /usr/share/doc/kasane (README.md, docs/*.md in the source tree).
[SEE ALSO]
$see
TXT
} >"$inc"
help2man --no-info --version-string="$version" --include="$inc" \
    --section=1 --output="$out.tmp" "$prog"
# help2man names the program after its executable; the page is kasane-COMMAND.
mv "$out.tmp" "$out"
