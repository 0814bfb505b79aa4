# Locale: every command reads and writes '.' decimals whatever the locale (docs/formats.md
# "Locale"). The same work runs twice, under LC_ALL=C and under LC_ALL=de_DE.UTF-8 (a
# decimal-comma locale, compiled here with localedef so the test never depends on the
# machine's locales): gen -> import sar (a real sa file recorded with sadc) -> plan ->
# report, then top --record on fake /proc trees with collect appending to the same
# dataset, and a plan of that. Every output file must be the same bytes under both.
# Each run works in its own directory with the same relative paths, so the command
# lines recorded in manifests are the same too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/top.inc"
SADC=/usr/lib/sysstat/sadc
if [ ! -x "$SADC" ] || ! command -v sadf >/dev/null || ! command -v localedef >/dev/null ||
    [ ! -f /usr/share/i18n/locales/de_DE ]; then
    notok "sysstat and the locales package (localedef, de_DE source) are needed (make deps)"
    exit 0
fi
CAT="$KASANE_ROOT/datasets/catalog/current.csv"
P="$FIX/proc"
seq_of() { ls -d "$P/$1"/[0-9]* | sort | awk '{printf "%s%s", (NR>1?",":""), $0}'; }

# de_DE.UTF-8 into $T/loc. localedef exits 1 on mere warnings, so the check below, not
# its status, decides whether the locale works.
mkdir -p "$T/loc"
localedef -i de_DE -f UTF-8 "$T/loc/de_DE.UTF-8" >/dev/null 2>&1
export LOCPATH="$T/loc"
got=$(LC_ALL=de_DE.UTF-8 /usr/bin/printf '%.1f' 1.5 2>&1)
check "the test's de_DE.UTF-8 is active: printf '%.1f' 1.5 prints 1,5 (got '$got')" \
    [ "$got" = "1,5" ]
# ... and sadf, as a child that inherited it, would print decimal commas
"$SADC" -S DISK 1 3 "$T/sa"
check "the test's locale reaches sadf: it prints decimal commas under de_DE" \
    sh -c "LC_ALL=de_DE.UTF-8 sadf -d -U '$T/sa' -- -u | grep -q '[0-9],[0-9]'"

# chain DIR LOCALE: everything, under LC_ALL=LOCALE, in $T/DIR. gen and sar data are
# planned apart: gen's days are in 2008, the sa file's seconds are now (one plan of both
# would span 18 years at a 1 s step).
chain() {
    mkdir -p "$T/$1" && cd "$T/$1" || return 1
    cp "$T/sa" sa
    export LC_ALL="$2"
    "$KASANE" gen --servers 6 --days 1 --step 300 --seed 42 -q -o gen &&
        "$KASANE" plan gen --catalog "$CAT" -o gen.plan >gen.plan.out &&
        "$KASANE" report gen --plan gen.plan -o gen.report >gen.report.out &&
        "$KASANE" import sar sa -o sar >sar.out 2>sar.err &&
        "$KASANE" plan sar --catalog "$CAT" -o sar.plan >sar.plan.out &&
        "$KASANE" report sar --plan sar.plan -o sar.report >sar.report.out
    rc=$?
    unset LC_ALL
    cd "$T" || return 1
    return $rc
}
check "C: gen -> plan -> report, import sar -> plan -> report" chain c C
check "de_DE.UTF-8: the same" chain de de_DE.UTF-8
check "de_DE: import sar read this machine's clock (cpu_MHz filled)" \
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cpu_MHz") c = i; next }
        $c == "" { bad = 1 } END { exit bad || NR < 2 }' "$T/de/sar/samples.csv"

# top --record in a terminal (tmux) on a KVM guest's fake trees, then collect appends
# another machine's rows to the same dataset, then a plan of it: under each locale
record() {
    name="rec-$1-$$"
    tm new-session -d -x 120 -y 40 -s "$name" \
        "sh -c 'cd $T/$1 && LC_ALL=$2 LOCPATH=$LOCPATH $KASANE top --root-seq $(seq_of kvm-guest) -i 0.2 -n 1 --record rec; echo EXIT=\$?; sleep 60'"
    wait_for "EXIT=0" && stop &&
        (cd "$T/$1" && LC_ALL=$2 "$KASANE" collect --root-seq "$(seq_of steal-rising)" -i 0.01 \
            -n 2 -o rec 2>collect.err) &&
        (cd "$T/$1" && LC_ALL=$2 "$KASANE" plan rec --catalog "$CAT" -o recplan >recplan.out)
}
check "C: top --record, collect appends, plan" record c C
check "de_DE.UTF-8: top --record, collect appends, plan" record de de_DE.UTF-8
# A decimal comma would split a value into two fields: every row has the header's count,
# and top's row (kvm1: cpu_MHz 3374.927) has a decimal point, so the check is not vacuous.
check "de_DE: rows of the recorded samples.csv have the header's field count" \
    awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad || NR != 4 }' "$T/de/rec/samples.csv"
check "de_DE: top's row has its decimal point (cpu_MHz 3374.927)" \
    grep -q '^[0-9]*,kvm1,.*,3374\.927,' "$T/de/rec/samples.csv"

# Files that may differ, and why: collect.lock holds the collector's pid; summary.csv's
# elapsed_s is the plan's run time (its line is left out of the comparison); the
# report's gnuplot processes run in parallel and share charts/gnuplot.log, so its lines
# are compared as a sorted set; the manifests' hashes of those two files are left out
# with them. Nothing else may differ by a byte.
cd "$T/c" && find . -type f ! -name sa ! -name collect.lock | sort >"$T/files.c"
cd "$T/de" && find . -type f ! -name sa ! -name collect.lock | sort >"$T/files.de"
cd "$T"
check "the same files under both locales ($(wc -l <"$T/files.c") files)" cmp -s "$T/files.c" "$T/files.de"
# same FILE: byte-identical, but for those lines
same() {
    case "$1" in
    */summary.csv) skip='^elapsed_s,' ;;
    */manifest.csv) skip='summary\.csv,|gnuplot\.log,' ;;
    */gnuplot.log) skip='^$' ;;
    *) cmp -s "$T/c/$1" "$T/de/$1"; return ;;
    esac
    grep -Ev "$skip" "$T/c/$1" | sort >"$T/.a"
    grep -Ev "$skip" "$T/de/$1" | sort >"$T/.b"
    cmp -s "$T/.a" "$T/.b"
}
diffs="" n=0
while read -r f; do
    same "$f" || diffs="$diffs $f"
    n=$((n + 1))
done <"$T/files.c"
check "all $n outputs byte-identical under de_DE.UTF-8 and C${diffs:+ (differ:$diffs)}" [ -z "$diffs" ]
check "... the sar dataset, plan and report among them" \
    test -s "$T/de/sar/samples.csv" -a -s "$T/de/sar.plan/placement.csv" -a -s "$T/de/sar.report/index.html"
