# Issue 18 items 5 and 9: a collector that drops privileges (--pcap as root) keeps
# rotating and reopening its files, and one dataset directory takes one collector.
# Real binary, real capture on loopback (root), everything started is stopped by PID.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/poll.inc"

PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
rows_ge() { [ -f "$1" ] && [ $(($(wc -l < "$1") - 1)) -ge "$2" ]; }
has_rows() { head -1 "$1" 2>/dev/null | grep -q '^time,entity' && rows_ge "$1" "$2"; }
owner() { stat -c %U:%a "$1"; }
alive() { kill -0 "$1" 2>/dev/null; }
rotated() { ls "$1"/samples.2*.csv >/dev/null 2>&1; }

# ---- item 9: two collectors into one directory ----------------------------------------
"$KASANE" collect -i 0.1 --no-cores -o "$T/one" 2>"$T/one.err" &
p1=$!
PIDS="$PIDS $p1"
poll 30 rows_ge "$T/one/samples.csv" 2
expect_exit "a second collector into the same directory: exit 1 naming the first's pid" 1 \
    "$T/one is being written by another collector \\(pid $p1\\)" \
    "$KASANE" collect -i 0.05 -n 3 --entity intruder -o "$T/one"
check "the refused collector wrote nothing (no row, no inventory row)" \
    sh -c "! grep -q intruder '$T/one/samples.csv' '$T/one/inventory.csv'"
expect_exit "top --record into a directory being collected: refused the same way" 1 \
    "being written by another collector \\(pid $p1\\)" "$KASANE" top --record "$T/one"
kill -TERM "$p1"
wait "$p1"
check "the first collector ends normally (exit 0)" [ $? -eq 0 ]
"$KASANE" collect -i 0.05 -n 2 --no-cores -o "$T/one" 2>"$T/again.err"
check "once it has ended, the directory takes a collector again (lock file left, no lock)" \
    sh -c "[ $? -eq 0 ] && [ -f '$T/one/collect.lock' ]"

# ---- item 5: rotation and reopen after the privilege drop -----------------------------
need_root "the privilege-drop tests (--user nobody)" || exit 0
if ! id nobody >/dev/null 2>&1; then
    skip "the privilege-drop tests: no user nobody on this system"
    exit 0
fi
nob=$(id -un nobody)
# $T is mktemp's, 0700: nobody may not search it. The collector reaches its directory
# through a descriptor opened before the drop, so this works all the same.
check "the dataset's parent is closed to nobody (0700)" [ "$(stat -c %a "$T")" = 700 ]
"$KASANE" collect --pcap lo --user nobody --sources cpu,pcap --no-papi -i 0.1 --rotate 2k \
    --per-core -o "$T/cap/ds" 2>"$T/cap.err" &
kp=$!
PIDS="$PIDS $kp"
uid_is_nobody() { [ "$(awk '/^Uid:/ {print $3}' "/proc/$kp/status" 2>/dev/null)" = "$(id -u nobody)" ]; }
poll 30 uid_is_nobody
check "--pcap as root: the collector runs as nobody" uid_is_nobody
check "--pcap: the dataset directory was handed to nobody ($(owner "$T/cap/ds"))" \
    [ "$(owner "$T/cap/ds")" = "$nob:755" ]
poll 30 rotated "$T/cap/ds"
check "--rotate 2k with --pcap really rotates after the drop" rotated "$T/cap/ds"
poll 30 has_rows "$T/cap/ds/samples.csv" 2
mv "$T/cap/ds/samples.csv" "$T/cap/ds/samples.csv.1"
mv "$T/cap/ds/cores.csv" "$T/cap/ds/cores.csv.1"
kill -HUP "$kp"
poll 30 has_rows "$T/cap/ds/samples.csv" 3
check "logrotate move + SIGHUP after the drop: a new samples.csv with rows" \
    has_rows "$T/cap/ds/samples.csv" 3
check "... and a new cores.csv" rows_ge "$T/cap/ds/cores.csv" 1
check "... the collector still runs" alive "$kp"
check "new files belong to nobody, mode 644 ($(owner "$T/cap/ds/samples.csv"))" \
    [ "$(owner "$T/cap/ds/samples.csv")" = "$nob:644" ]
kill -TERM "$kp"
wait "$kp"
check "ended by SIGTERM: exit 0" [ $? -eq 0 ]
check "no permission error, no failed rotation on stderr" \
    sh -c "! grep -Eiq 'denied|cannot rotate|rotation failed' '$T/cap.err'"
all_rows=$(cat "$T"/cap/ds/samples*.csv* | grep -vc '^time,')
uniq_rows=$(cat "$T"/cap/ds/samples*.csv* | grep -v '^time,' | cut -d, -f1 | sort -u | wc -l)
check "no row lost or repeated across rotations ($all_rows rows, $uniq_rows times)" \
    [ "$all_rows" -eq "$uniq_rows" ]
check "every file of the run belongs to nobody" \
    sh -c "[ -z \"\$(find '$T/cap/ds' ! -user nobody)\" ]"

# A second run appends to the handed-over directory (its files are nobody's already).
"$KASANE" collect --pcap lo --sources cpu,pcap --no-papi -i 0.05 -n 2 -o "$T/cap/ds" 2>"$T/cap2.err"
check "a second --pcap run appends to it (exit 0)" [ $? -eq 0 ]

# Messages name the directory given, not the descriptor path it is reached by.
mkdir -p "$T/hdr" && printf 'time,entity,interval_s,cpu_pct\n1,a,10,5\n' > "$T/hdr/samples.csv"
expect_exit "after the drop, an error names the file as given" 1 "^kasane collect: $T/hdr/samples.csv:1: header differs" \
    "$KASANE" collect --pcap lo --sources cpu,pcap --no-papi -n 1 -o "$T/hdr"

# Only a directory of kasane's own is handed over; a refusal changes nothing.
mkdir -p "$T/foreign" && echo keep > "$T/foreign/notes.txt"
expect_exit "a directory with other files is not handed over: exit 1 naming the file" 1 \
    "notes.txt' is not a dataset file" \
    "$KASANE" collect --pcap lo --sources cpu,pcap --no-papi -i 0.05 -n 1 -o "$T/foreign"
check "... and left as it was (root's, no dataset files)" sh -c \
    "[ \"\$(stat -c %U '$T/foreign' '$T/foreign/notes.txt' | sort -u)\" = root ] && [ \$(ls '$T/foreign' | wc -l) -eq 1 ]"
mkdir -p "$T/hostile" && : > "$T/hostile/$(printf 'x\n$(id)\033[2J')"
expect_exit "a hostile file name is shown without its control bytes" 1 "'x\\?\\\$\\(id\\)\\?\\[2J'" \
    "$KASANE" collect --pcap lo --sources cpu,pcap --no-papi -n 1 -o "$T/hostile"
check "... on one line" [ "$(wc -l < "$T/.err")" -eq 1 ]
echo secret > "$T/outside" && mkdir -p "$T/linked" && ln "$T/outside" "$T/linked/samples.csv"
expect_exit "a hard link among the dataset files is refused" 1 "more than one hard link" \
    "$KASANE" collect --pcap lo --sources cpu,pcap --no-papi -n 1 -o "$T/linked"
check "... and the file it points at stays root's" [ "$(stat -c %U "$T/outside")" = root ]
mkdir -p "$T/sym" && ln -s "$T/outside" "$T/sym/samples.csv"
expect_exit "a symbolic link among the dataset files is refused" 1 "is not a regular file" \
    "$KASANE" collect --pcap lo --sources cpu,pcap --no-papi -n 1 -o "$T/sym"
mkdir -p "$T/third" && chown daemon "$T/third"
expect_exit "a directory of a third user is not taken from them" 1 "belongs to uid $(id -u daemon)" \
    "$KASANE" collect --pcap lo --sources cpu,pcap --no-papi -n 1 -o "$T/third"
check "... and stays theirs" [ "$(stat -c %U "$T/third")" = daemon ]

# Without privileges to drop, a symbolic link in place of samples.csv is never followed.
mkdir -p "$T/plain" && ln -s "$T/outside" "$T/plain/samples.csv"
expect_exit "collect never writes through a symbolic link (exit 1)" 1 "samples.csv: cannot open" \
    "$KASANE" collect -i 0.05 -n 1 -o "$T/plain"
check "... the file it points at is untouched" [ "$(cat "$T/outside")" = secret ]
