# kasane collect as a long-running process: signals, reopen, rotation, deadlines,
# full disk, usage errors. Real binary, real /proc, short intervals.
# Nothing here sleeps a fixed time and hopes: every step waits (poll, bound 30 s) for
# what it needs (rows written, a message on stderr), so a loaded machine, where the
# collector takes a second to start, passes the same checks (load 8-11 measured: the
# first row came 0.5-1.2 s after start, once 0.5 s was assumed).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/poll.inc"

# whole FILE: every line has the header's field count and the file ends with a newline
whole() {
    [ -s "$1" ] && [ "$(tail -c1 "$1" | od -An -c | tr -d ' ')" = '\n' ] &&
        awk -F, 'NR==1 {n=NF} NF!=n {bad=1} END {exit bad}' "$1"
}
rows() { echo $(( $(wc -l < "$1") - 1 )); }
# rows_ge FILE N: FILE exists with at least N rows after its header
rows_ge() { [ -f "$1" ] && [ "$(rows "$1")" -ge "$2" ]; }
# has_rows FILE N: FILE starts with the samples header and has at least N rows
has_rows() { head -1 "$1" 2>/dev/null | grep -q '^time,entity' && rows_ge "$1" "$2"; }
# on_grid FILE IV: rows on the grid of absolute deadlines start + k * IV, and interval_s
# the measured interval. Rows are never early (a deadline is waited for), so the grid's
# phase is the earliest row's; a row may be late by up to what the collector accepts
# (col_run.c: it skips a deadline it wakes more than max(10% of IV, 50 ms) after) plus
# 15 ms for the reads before the row's clock; a row after a skipped deadline (interval_s
# over 1.5 IV) may be later still. interval_s = the time between rows (+-10 ms: both
# are written to the ms), and never shorter than IV minus that lateness (no burst).
on_grid() {
    awk -F, -v iv="$2" 'BEGIN { n = 0 } NR > 1 { t[n] = $1; v[n] = $3; n++ }
        END { tol = (0.1 * iv > 0.05 ? 0.1 * iv : 0.05) + 0.015
              for (j = 0; j < n; j++) { k = (t[j] - t[0]) / iv; d[j] = (k - int(k + 0.5)) * iv
                                        if (j == 0 || d[j] < mn) mn = d[j] }
              for (j = 0; j < n; j++) {
                  if (d[j] - mn > tol && !(v[j] > 1.5 * iv)) { print "row " j + 1 " late by " d[j] - mn; bad = 1 }
                  if (v[j] < iv - tol) { print "row " j + 1 " interval " v[j]; bad = 1 }
                  x = j ? v[j] - (t[j] - t[j - 1]) : 0; if (x < 0) x = -x
                  if (x > 0.01) { print "row " j + 1 " interval_s " v[j] " != " t[j] - t[j - 1]; bad = 1 } }
              exit bad }' "$1"
}

# SIGTERM once 7 rows are written at -i 0.2 (~1.4 s unloaded): exit 0, only whole
# rows, at least 7 of them (fewer: the collector stalled for 30 s).
"$KASANE" collect -i 0.2 --per-core -o "$T/term" 2>"$T/term.err" &
pid=$!
poll 30 rows_ge "$T/term/samples.csv" 7
kill -TERM "$pid"
wait "$pid"; rc=$?
check "SIGTERM: exit 0" [ "$rc" -eq 0 ]
check "SIGTERM: whole rows only (samples.csv)" whole "$T/term/samples.csv"
check "SIGTERM: whole rows only (cores.csv)" whole "$T/term/cores.csv"
nrows=$(rows "$T/term/samples.csv")
check "SIGTERM: no clamped or stepped times in a normal run" sh -c "! grep -qE 'time_clamped|clock_step' '$T/term/samples.csv'"
check "SIGTERM: at least 7 rows at 0.2 s (got $nrows)" [ "$nrows" -ge 7 ]
check "SIGTERM: rows every 0.2 s on the grid (a skipped step shows in interval_s)" \
    on_grid "$T/term/samples.csv" 0.2

# SIGINT behaves the same (sent once a row shows the collector is running: before
# that it may not have blocked the signal yet, and would die of it).
"$KASANE" collect -i 0.1 -o "$T/int" 2>/dev/null &
pid=$!
poll 30 rows_ge "$T/int/samples.csv" 1
kill -INT "$pid"
wait "$pid"; rc=$?
check "SIGINT: exit 0 with whole rows" sh -c "[ $rc -eq 0 ] && [ \$(wc -l < '$T/int/samples.csv') -ge 2 ]"

# SIGHUP: logrotate moves the files away, HUP makes collect start new ones.
"$KASANE" collect -i 0.1 --per-core -o "$T/hup" 2>/dev/null &
pid=$!
poll 30 rows_ge "$T/hup/samples.csv" 2
mv "$T/hup/samples.csv" "$T/hup/samples.csv.1"
mv "$T/hup/cores.csv" "$T/hup/cores.csv.1"
kill -HUP "$pid"
poll 30 has_rows "$T/hup/samples.csv" 2
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
poll 30 rows_ge "$T/ct/samples.csv" 2
cp "$T/ct/samples.csv" "$T/ct/samples.csv.1" && : > "$T/ct/samples.csv"
poll 30 has_rows "$T/ct/samples.csv" 2
kill -TERM "$pid"; wait "$pid"
check "copytruncate: the emptied file gets its header back, whole rows" sh -c \
    "head -1 '$T/ct/samples.csv' | grep -q '^time,entity' && [ \$(wc -l < '$T/ct/samples.csv') -ge 3 ]"
check "copytruncate: whole rows only" whole "$T/ct/samples.csv"

# -n COUNT and absolute deadlines: 10 rows at 0.25 s. On a loaded machine a late
# wake-up may skip a deadline: rows then sit two steps apart, but always on the grid
# start + k * 0.25 s (no drift), and interval_s says so. (At 0.1 s the 65 ms a row may
# be late would be more than half the step: no grid left to check.)
"$KASANE" collect -i 0.25 -n 10 -o "$T/n" 2>/dev/null
check "-n 10 gives 10 rows" [ "$(rows "$T/n/samples.csv")" -eq 10 ]
check "rows on the 0.25 s grid of absolute deadlines, interval_s measured" \
    on_grid "$T/n/samples.csv" 0.25

# -d DURATION with a suffix; appending keeps the earlier rows. 1.2 s at 0.25 s holds
# the deadlines 0.25, 0.5, 0.75 and 1.0: 4 rows, or 3 when a late wake-up skipped one
# (interval_s then spans two steps), so the steps the rows cover are counted.
"$KASANE" collect -i 0.25 -d 0.02m -o "$T/n" 2>/dev/null
steps=$(awk -F, 'NR > 11 { s += int($3 / 0.25 + 0.5) } END { print s + 0 }' "$T/n/samples.csv")
check "-d 0.02m (1.2 s) at 0.25 s appends rows covering 4 steps ($steps, $(($(rows "$T/n/samples.csv") - 10)) rows)" \
    [ "$steps" -eq 4 ]

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
if ! need_root "full disk test (a tmpfs mount)"; then
    :
elif mkdir -p "$T/small" && mount -t tmpfs -o size=64k kasane-test "$T/small" 2>/dev/null; then
    # tmpfs allocates 4 KiB pages: 1.2 s of 0.02 s rows (~10 KiB) overflows the
    # last page samples.csv holds, so writes really fail.
    "$KASANE" collect -i 0.02 --no-cores -o "$T/small/ds" 2>"$T/full.err" &
    pid=$!
    poll 30 rows_ge "$T/small/ds/samples.csv" 1
    dd if=/dev/zero of="$T/small/filler" bs=4k 2>/dev/null
    poll 30 grep -q "no space left" "$T/full.err"
    rm -f "$T/small/filler"
    poll 30 grep -q 'gap:[0-9]*_rows_lost' "$T/small/ds/samples.csv"
    kill -TERM "$pid"; wait "$pid"; rc=$?
    check "full disk: exit 0 after recovering" [ "$rc" -eq 0 ]
    check "full disk: reported on stderr" grep -q "no space left" "$T/full.err"
    check "full disk: only whole rows" whole "$T/small/ds/samples.csv"
    check "full disk: a later row records the gap (gap_s > 0, event)" sh -c \
        "grep -q 'gap:[0-9]*_rows_lost' '$T/small/ds/samples.csv'"
    umount "$T/small"
else
    notok "full disk test: root, yet the tmpfs mount failed"
fi

# Unprivileged: everything collect reads is world-readable. The binary is staged where
# nobody can reach it: the clone may sit in /root or a 0700 directory.
if ! need_root "running the collector as nobody (su)"; then
    :
elif ! id nobody >/dev/null 2>&1; then
    skip "running the collector as nobody: no user nobody on this system"
else
    st=$(stage_for_other_user)
    check "runs as nobody, from a copy nobody can reach (2 rows to stdout)" sh -c \
        "[ \$(su nobody -s /bin/sh -c 'cd / && \"$st/$(basename "$KASANE")\" collect -i 0.05 -n 2' 2>/dev/null | wc -l) -eq 3 ]"
    rm -rf "$st"
fi

# Missed intervals (the process stopped for >= 1.1 s, over 4 steps of 0.25 s) are
# skipped, not caught up in a burst: one row says the long real interval, and rows stay
# on the 0.25 s grid. A late wake-up of a loaded machine skips one step (0.5 s), never 4.
long_then() { awk -F, 'NR > 1 && $3 >= 1.0 {l = 1; next} l {n++} END {exit !(n >= 2)}' "$1"; }
"$KASANE" collect -i 0.25 --no-cores -o "$T/miss" 2>/dev/null &
pid=$!
poll 30 rows_ge "$T/miss/samples.csv" 2
kill -STOP "$pid"; sleep 1.1; kill -CONT "$pid"
poll 30 long_then "$T/miss/samples.csv"
kill -TERM "$pid"; wait "$pid"
check "missed deadlines: one row with interval_s >= 1.0" awk -F, \
    'NR>1 && $3 >= 1.0 {n++} END {exit !(n == 1)}' "$T/miss/samples.csv"
check "missed deadlines: no burst, rows on the 0.25 s grid, interval_s measured" \
    on_grid "$T/miss/samples.csv" 0.25
