# kasane collect as a long-running process: signals, reopen, rotation, deadlines,
# full disk, usage errors. Real binary, real /proc, short intervals.
. "$(dirname "$0")/lib.sh"

# whole FILE: every line has the header's field count and the file ends with a newline
whole() {
    [ -s "$1" ] && [ "$(tail -c1 "$1" | od -An -c | tr -d ' ')" = '\n' ] &&
        awk -F, 'NR==1 {n=NF} NF!=n {bad=1} END {exit bad}' "$1"
}
rows() { echo $(( $(wc -l < "$1") - 1 )); }

# SIGTERM after ~2 s at -i 0.2: exit 0, only whole rows, at least 7 of them.
"$KASANE" collect -i 0.2 -o "$T/term" 2>"$T/term.err" &
pid=$!
sleep 2.1
kill -TERM "$pid"
wait "$pid"; rc=$?
check "SIGTERM: exit 0" [ "$rc" -eq 0 ]
check "SIGTERM: whole rows only (samples.csv)" whole "$T/term/samples.csv"
check "SIGTERM: whole rows only (cores.csv)" whole "$T/term/cores.csv"
nrows=$(rows "$T/term/samples.csv")
check "SIGTERM: no clamped or stepped times in a normal run" sh -c "! grep -qE 'time_clamped|clock_step' '$T/term/samples.csv'"
check "SIGTERM: at least 7 rows after 2 s at 0.2 s (got $nrows)" [ "$nrows" -ge 7 ]

# SIGINT behaves the same.
"$KASANE" collect -i 0.1 -o "$T/int" 2>/dev/null &
pid=$!
sleep 0.5
kill -INT "$pid"
wait "$pid"; rc=$?
check "SIGINT: exit 0 with whole rows" sh -c "[ $rc -eq 0 ] && [ \$(wc -l < '$T/int/samples.csv') -ge 2 ]"

# SIGHUP: logrotate moves the files away, HUP makes collect start new ones.
"$KASANE" collect -i 0.1 -o "$T/hup" 2>/dev/null &
pid=$!
sleep 0.6
mv "$T/hup/samples.csv" "$T/hup/samples.csv.1"
mv "$T/hup/cores.csv" "$T/hup/cores.csv.1"
kill -HUP "$pid"
sleep 0.6
kill -TERM "$pid"
wait "$pid"; rc=$?
check "SIGHUP: process still ran and exited 0" [ "$rc" -eq 0 ]
check "SIGHUP: rotated file kept whole rows" whole "$T/hup/samples.csv.1"
check "SIGHUP: a new samples.csv with a header and rows" sh -c \
    "head -1 '$T/hup/samples.csv' | grep -q '^time,entity,interval_s' && [ \$(wc -l < '$T/hup/samples.csv') -ge 3 ]"
check "SIGHUP: new file whole" whole "$T/hup/samples.csv"
check "SIGHUP: no row lost or repeated across the two files" sh -c \
    "tail -n +2 '$T/hup/samples.csv.1' '$T/hup/samples.csv' | grep -v '^==>' | grep . | cut -d, -f1 | sort | uniq -d | grep -q . && exit 1; exit 0"

# logrotate copytruncate: the file is copied and emptied in place, no signal sent.
"$KASANE" collect -i 0.1 --no-cores -o "$T/ct" 2>/dev/null &
pid=$!
sleep 0.5
cp "$T/ct/samples.csv" "$T/ct/samples.csv.1" && : > "$T/ct/samples.csv"
sleep 0.5
kill -TERM "$pid"; wait "$pid"
check "copytruncate: the emptied file gets its header back, whole rows" sh -c \
    "head -1 '$T/ct/samples.csv' | grep -q '^time,entity' && [ \$(wc -l < '$T/ct/samples.csv') -ge 3 ]"
check "copytruncate: whole rows only" whole "$T/ct/samples.csv"

# -n COUNT and absolute deadlines: 10 rows at 0.1 s span 0.9 s between first and last.
"$KASANE" collect -i 0.1 -n 10 -o "$T/n" 2>/dev/null
check "-n 10 gives 10 rows" [ "$(rows "$T/n/samples.csv")" -eq 10 ]
# On a loaded machine a late wake-up may skip a deadline: rows then sit two steps
# apart, but always on the grid start + k * 0.1 s (no drift), and interval_s says so.
check "rows on the 0.1 s grid of absolute deadlines (+- 20 ms)" awk -F, \
    'NR==2 {t0=$1} NR>2 {k=($1-t0)/0.1; d=(k-int(k+0.5))*0.1; if (d<0) d=-d; if (d>0.02) bad=1} END {exit bad}' \
    "$T/n/samples.csv"
check "interval_s is the measured interval (a multiple of 0.1 +- 0.03)" awk -F, \
    'NR>1 {k=$3/0.1; d=(k-int(k+0.5))*0.1; if (d<0) d=-d; if (d>0.03 || $3<0.07) bad=1} END {exit bad}' \
    "$T/n/samples.csv"

# -d DURATION with a suffix; appending keeps the earlier rows.
"$KASANE" collect -i 0.25 -d 0.02m -o "$T/n" 2>/dev/null
check "-d 0.02m (1.2 s) at 0.25 s appends 4 rows" [ "$(rows "$T/n/samples.csv")" -eq 14 ]

# --rotate SIZE: several files, each with a header, no row lost.
"$KASANE" collect -i 0.02 -n 30 --no-cores --rotate 1k -o "$T/rot" 2>/dev/null
check "--rotate 1k: several files, 30 rows in all" sh -c \
    "cd '$T/rot' && [ \$(ls samples*.csv | wc -l) -ge 3 ] && [ \$(cat samples*.csv | grep -vc '^time,') -eq 30 ]"

# Appending to a samples.csv with another header is refused, and the file is untouched.
mkdir -p "$T/other" && printf 'time,entity,interval_s,cpu_pct\n1,a,10,5\n' > "$T/other/samples.csv"
cp "$T/other/samples.csv" "$T/other.orig"
expect_exit "foreign header: exit 1 naming file and line" 1 "samples.csv:1: header differs" \
    "$KASANE" collect -i 0.01 -n 1 -o "$T/other"
check "foreign samples.csv left untouched" cmp -s "$T/other/samples.csv" "$T/other.orig"

# Usage errors exit 2; --help exits 0.
expect_exit "-n with -d is a usage error" 2 "exclude" "$KASANE" collect -n 3 -d 10
expect_exit "-i 0 is a usage error" 2 "interval" "$KASANE" collect -i 0
expect_exit "bad duration suffix" 2 "duration" "$KASANE" collect -d 5x
expect_exit "bad --rotate" 2 "rotate" "$KASANE" collect --rotate weekly
expect_exit "stray argument" 2 "unexpected" "$KASANE" collect foo
help_ok() { "$KASANE" collect --help | grep -q -- "--rotate SIZE|daily"; }
check "--help" help_ok

# A full disk: a 64 KiB tmpfs filled mid-run. Collection goes on, says so once, and
# the first row after space returns records the gap. Needs root for mount.
if [ "$(id -u)" -eq 0 ] && mkdir -p "$T/small" && mount -t tmpfs -o size=64k kasane-test "$T/small" 2>/dev/null; then
    # tmpfs allocates 4 KiB pages: 1.2 s of 0.02 s rows (~10 KiB) overflows the
    # last page samples.csv holds, so writes really fail.
    "$KASANE" collect -i 0.02 --no-cores -o "$T/small/ds" 2>"$T/full.err" &
    pid=$!
    sleep 0.4
    dd if=/dev/zero of="$T/small/filler" bs=4k 2>/dev/null
    sleep 1.2
    rm -f "$T/small/filler"
    sleep 0.4
    kill -TERM "$pid"; wait "$pid"; rc=$?
    check "full disk: exit 0 after recovering" [ "$rc" -eq 0 ]
    check "full disk: reported on stderr" grep -q "no space left" "$T/full.err"
    check "full disk: only whole rows" whole "$T/small/ds/samples.csv"
    check "full disk: a later row records the gap (gap_s > 0, event)" sh -c \
        "grep -q 'gap:[0-9]*_rows_lost' '$T/small/ds/samples.csv'"
    umount "$T/small"
else
    notok "full disk test needs root and a tmpfs mount"
fi

# Unprivileged: everything collect reads is world-readable.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
    check "runs as nobody (2 rows to stdout)" sh -c \
        "[ \$(su nobody -s /bin/sh -c '\"$KASANE\" collect -i 0.05 -n 2' 2>/dev/null | wc -l) -eq 3 ]"
fi

# A missed interval (the process stopped for ~0.45 s) is skipped, not caught up in a
# burst: one row says the long real interval, and rows stay on the 0.1 s grid.
"$KASANE" collect -i 0.1 --no-cores -o "$T/miss" 2>/dev/null &
pid=$!
sleep 0.5; kill -STOP "$pid"; sleep 0.45; kill -CONT "$pid"; sleep 0.5
kill -TERM "$pid"; wait "$pid"
check "missed deadlines: one row with interval_s >= 0.4" awk -F, \
    'NR>1 && $3 >= 0.4 {n++} END {exit !(n == 1)}' "$T/miss/samples.csv"
check "missed deadlines: no burst (no interval_s < 0.05)" awk -F, \
    'NR>1 && $3 < 0.05 {bad=1} END {exit bad}' "$T/miss/samples.csv"
check "missed deadlines: rows stay on the 0.1 s grid (+- 20 ms)" awk -F, \
    'NR==2 {t0=$1} NR>2 {k=($1-t0)/0.1; d=(k-int(k+0.5))*0.1; if (d<0) d=-d; if (d>0.02) bad=1} END {exit bad}' \
    "$T/miss/samples.csv"
