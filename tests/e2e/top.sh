# kasane top in a real terminal (tmux helpers in top.inc): replay of fixture datasets,
# every screen and key, resize, monochrome, live on fake /proc + /sys trees, recording.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/top.inc"
BASIC="$FIX/top/basic"
CAT="$FIX/top/catalog.csv"
# A long interval, so that the replay never advances on its own during a test.
TOP="$KASANE top -i 60"

# --- replay: numbers at their places ---------------------------------------------------
start replay --replay "$BASIC"
check "replay: header names host and hypervisor" wait_for "kasane top  srv01.example  kvm host  elapsed 00:01:00  60s samples, step every 60s"
check "replay: header on the first line" wait_row 1 'kasane top'
check "replay: position and time on the tab line" \
    wait_row 2 'replay 1/5  2026-01-01 00:01:00Z  x1'
check "replay: CPU all line (busy 20, steal 1.5)" wait_row 4 '^all   \[.* 20.0% st   1.5%'
check "replay: memory line" wait_row 6 '^mem   \[.*8192/32768 MiB 25.0%'
screen
check "replay: disk row in place" wait_row 9 '^all disks         10.0      20.0      100.0      200.0      1.25     5.0 *$'
check "replay: NIC row in place" wait_row 11 '^all NICs          300.0      400.0      30.0      40.0        -        - *$'
check "replay: key hints on the last line" wait_row 40 'q quit'

# --- replay keys -----------------------------------------------------------------------
check "right steps forward" key_wait Right "replay 2/5  2026-01-01 00:02:00Z"
check "step shows the next sample" wait_row 4 ' 40.0% st   2.5%'
check "left steps back" key_wait Left "replay 1/5"
check "G goes to the end" key_wait G "replay 5/5  2026-01-01 00:05:00Z"
check "end sample shown" wait_row 9 '^all disks         50.0     100.0      500.0     1000.0'
check "g goes to the start" key_wait g "replay 1/5"
check "] doubles the speed" key_wait ']' "x2"
check "[ halves it" key_wait '[' "  x1"
check "p pauses" key_wait p "PAUSED"
check "space resumes" key_wait Space "resumed"
check "PAUSED is gone after resuming" sh -c "! grep -q PAUSED '$T/screen'"
check "+ lengthens the interval" key_wait + "step every 120s"
check "- shortens it" key_wait - "step every 60s"
check "r in a replay says recording is live-only" key_wait r "recording is for live mode"

# --- screens ---------------------------------------------------------------------------
check "2 shows VMs sorted by cpu" key_wait 2 "VMS  2, sorted by cpu"
screen
check "VMs: vm-db (70%) above vm-web (15%) at the first sample" \
    wait_row 5 '^vm-db                         4    70.0       6000'
check "s sorts VMs by memory" key_wait s "sorted by mem"
check "3 shows flows" key_wait 3 "TOP TALKERS"
check "flows: merged tcp/443 flow first" \
    wait_row 5 '^10.0.0.5             10.0.0.9             tcp      443       3072.0       2200'
check "4 shows counters and why they are missing" key_wait 4 "why: no PMU: hypervisor hides counters (inventory notes)"
check "5 shows fit, asking for a catalog" key_wait 5 "Give --catalog FILE --model NAME"
check "Tab wraps to the overview" key_wait Tab "HISTORY (newest right)"
key_wait 3 "TOP TALKERS" >/dev/null
check "1 shows the overview" key_wait 1 "all disks"
check "h shows help" key_wait h "kasane top - keys"
tm send-keys -t "$name" x
check "any key closes help" wait_gone "kasane top - keys"
check "? shows help too" key_wait '?' "kasane top - keys"
tm send-keys -t "$name" x

# --- resize ----------------------------------------------------------------------------
tm resize-window -t "$name" -x 60 -y 20
check "60x20 shows the too-small message" wait_for "Terminal too small: 60x20."
check "and what it needs" wait_for "kasane top needs at least 80x24."
tm resize-window -t "$name" -x 120 -y 40
check "back to 120x40 redraws the screen" wait_for "all NICs"

# --- q -----------------------------------------------------------------------------------
tm send-keys -t "$name" q
check "q exits 0" wait_for "EXIT=0"
wait_for "icanon" >/dev/null
check "q restores the terminal (canonical mode and echo back on)" \
    sh -c "grep -q '^icanon echo' '$T/screen'"
check "q leaves the alternate screen (no monitor left on it)" sh -c "! grep -q 'kasane top  srv01' '$T/screen'"
stop

# Hourly flows (gen --flows) replayed at 5-minute steps: between two hours the screen
# shows the latest hour that has flows, and says which
"$KASANE" gen --servers 10 --days 1 --flows -q -o "$T/hourly"
start hourly "--replay $T/hourly --entity web01"
wait_for "replay " >/dev/null
tm send-keys -t "$name" p g 3
check "hourly flows: none before the first hour" wait_for "no flows of web01 in this interval"
for k in 1 2 3 4 5 6 7 8 9 10 11 12; do tm send-keys -t "$name" Right; done
check "hourly flows: at 01:05 the hour ending 01:00" \
    wait_for "TOP TALKERS  interval ending 2008-03-24 01:00:00Z, sorted by bytes"
check "hourly flows: web01 calls the app tier on 8080" wait_for " tcp     8080 "
stop

# --- playing: the replay advances on its own, p stops it --------------------------------
name="play-$$"
tm new-session -d -x 120 -y 40 -s "$name" "$KASANE top -i 0.2 --replay $BASIC; sleep 60"
check "playing reaches the last sample" wait_for "replay 5/5"
check "and says so" wait_for "end of replay (g: back to the start)"
tm send-keys -t "$name" p g
check "g while paused goes to the start" wait_for "replay 1/5"
sleep 1; screen
check "paused: no step in a second at -i 0.2" sh -c "grep -q 'replay 1/5' '$T/screen'"
tm send-keys -t "$name" p
check "resumed: it plays again" wait_for "replay 3/5"
stop

# --- fit with a catalog ------------------------------------------------------------------
start fit --replay "$BASIC" --catalog "$CAT" --model M1
wait_for "kasane top" >/dev/null
tm send-keys -t "$name" G 5
check "fit: CPU p95 76% and peak 80% of M1" wait_for "p95  76.0% peak  80.0%"
check "fit: memory p95 60% and peak 62.5%" wait_for "p95  60.0% peak  62.5%"
check "fit: capacity spelled out" wait_for "model M1: 1 x 8 cores x 2000 MHz x perf 1 = 16000 MHz, 32 GiB = 32768 MiB"
tm send-keys -t "$name" g
check "fit: back at the start only one sample counts" wait_for "p95  20.0% peak  20.0%"
stop

# --- scrolling, sorting, monochrome --------------------------------------------------------
name="scroll-$$"
tm new-session -d -x 120 -y 40 -s "$name" "$TOP --replay $FIX/top/manyvms; sleep 60"
wait_for "kasane top" >/dev/null
tm send-keys -t "$name" 2
check "VMs: 40 listed, highest CPU first" wait_for "vm40                          2    40.0"
check "VMs: the lowest is below the screen" sh -c "! grep -q '^vm01 ' '$T/screen'"
tm send-keys -t "$name" NPage
check "PgDn scrolls to the end of the list" wait_for "vm01                          2     1.0"
tm send-keys -t "$name" Up
check "Up scrolls back one line" wait_for "vm36                          2    36.0"
check "Up: vm01 off the bottom again" wait_gone "vm01                          2     1.0"
tm send-keys -t "$name" PPage
check "PgUp scrolls back to the top" wait_for "vm40                          2    40.0"
tm send-keys -t "$name" Down Down
check "Down scrolls: two more VMs at the bottom" wait_for "vm04                          2     4.0"
check "Down: the table's title stays in place" wait_row 3 '^VMS  40, sorted by cpu'
check "Down: the column header too" wait_row 4 '^VM  .*vCPUs'
check "Down: the list starts two VMs later" wait_row 5 '^vm38 '
tm send-keys -t "$name" Home
check "Home returns to the top" wait_for "vm40                          2    40.0"
tm send-keys -t "$name" s s s s
check "s cycles to sorting by name" wait_for "sorted by name"
check "sorting by name starts at the top again, vm01 first" wait_row 5 '^vm01 '
stop
name="mono-$$"
tm new-session -d -x 120 -y 40 -s "$name" "env TERM=vt100 $TOP --replay $BASIC; sleep 60"
check "monochrome (TERM=vt100): bar parts named by character" wait_for "| user  # system  * iowait  ! steal"
check "monochrome: the CPU bar is drawn with its parts' characters" \
    wait_row 4 '^all   \[|||*!!* *\]'
stop
name="color-$$"
# exec: the pane's process is kasane itself, so the signal below reaches it, not a shell
tm new-session -d -x 120 -y 40 -s "$name" "exec $TOP --replay $BASIC"
wait_for "kasane top" >/dev/null
tm capture-pane -e -p -t "$name" > "$T/escapes"
check "colour terminal: user part in green, steal in magenta" \
    sh -c "grep -q '\[32m' '$T/escapes' && grep -q '\[35m' '$T/escapes'"
name_pid=$(tm display -p -t "$name" '#{pane_pid}')
# alive PID: running and not a zombie. The stat file is read once: tmux can reap the
# zombie between a test for the file and a read of it, and a failed read is "gone"
# (reading twice made a process that had just exited count as still running).
alive() {
    st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$(echo "${st##*) }" | cut -c1)" != Z ]
}
# gone PID: the process has exited (a zombie not yet reaped by tmux counts), 30 s at
# most: it wakes at least once a second (get_wch times out), far inside the 60 s
# refresh, so a signal it ignored would still fail this
gone() {
    i=0
    while [ $i -lt 300 ]; do
        alive "$1" || return 0
        sleep 0.1; i=$((i + 1))
    done
    echo "#   still running: $(cat "/proc/$1/stat" 2>/dev/null)" >&2
    return 1
}
kill -TERM "$name_pid"
check "SIGTERM ends it" gone "$name_pid"
stop

# --- live: the collector's sampler on fake /proc + /sys trees ----------------------------
P="$FIX/proc"
seq_of() { ls -d "$P/$1"/[0-9]* | sort | awk '{printf "%s%s", (NR>1?",":""), $0}'; }
# live NAME SCENARIO ARGS...: kasane top on the scenario's trees, one per refresh. The
# trees carry their own clock (10 s apart), so the rates are exact whatever the pace;
# after the last tree no time passes and the screen keeps the last rates.
live() {
    name="$1-$$" sc=$2; shift 2
    tm new-session -d -x 120 -y 40 -s "$name" \
        "sh -c '$KASANE top --root-seq $(seq_of "$sc") $*; echo EXIT=\$?; sleep 60'"
}
live steal steal-rising -i 2
check "live: baseline first, waiting for an interval" wait_for "live  waiting for the first interval"
check "live: first interval: per-core lines appear" wait_for "cpu0  ["
check "live: first interval rates on the all line" wait_row 6 '^all   \[.* 60.0% st  20.0%'
check "live: second interval: busy 70%, steal 40%" wait_for " 70.0% st  40.0%"
check "live: host name and hypervisor from the tree's inventory" wait_for "kasane top  guest1  kvm guest"
check "live: time of the sample on the tab line" wait_for "live  2023-11-14 22:30:20Z"
check "live: memory and swap from meminfo" wait_for "] 512/2048 MiB 25.0%"
check "live: r without --record says how" key_wait r "give --record DATASET to record"
check "live: replay keys are refused" key_wait Right "that key steps a replay"
check "live: counters say why they are missing" key_wait 4 "why: inside a kvm guest the hypervisor hides the PMU"
check "live: VMs say where they would come from" key_wait 2 "no VMs: give --libvirt URI"
tm send-keys -t "$name" q
check "live: q exits 0" wait_for "EXIT=0"
stop
# Plain --root: one directory whose proc is a symlink the test repoints between
# refreshes with one rename (mv -T), so a refresh sees the old tree or the new one,
# never none; the sampler's root fd stays valid. The tree's own uptime clock makes the
# rates exact whenever the refresh happens.
L="$T/liveroot"
mkdir -p "$L" && cp -r "$P/steal-rising/1/." "$L/" && mv "$L/proc" "$L/proc.1" && ln -s proc.1 "$L/proc"
swap() { cp -r "$P/steal-rising/$1/proc" "$L/proc.$1" && ln -s "proc.$1" "$L/proc.lnk" &&
         mv -T "$L/proc.lnk" "$L/proc"; }
name="root-$$"
tm new-session -d -x 120 -y 40 -s "$name" "$KASANE top -i 1 --root $L; sleep 60"
wait_for "live  waiting for the first interval" >/dev/null
swap 2
check "--root: rates computed from the replaced snapshot (60% busy, 20% steal)" \
    wait_for " 60.0% st  20.0%"
swap 3
check "--root: and from the next one (70%, 40%)" wait_for " 70.0% st  40.0%"
check "--root: the CPU sparkline has the newest point" wait_row 15 '^cpu .* 70.0 %'
stop
live xen xen-guest -i 0.5
check "live: xen guest disk rates as iostat computes them" \
    wait_for "xvda               5.0      15.0       20.0      120.0      0.50     2.0"
check "live: the partition is not listed" sh -c "! grep -q '^xvda1' '$T/screen'"
check "live: xen guest header" wait_for "xen guest"
stop
live kvm kvm-guest -i 0.5
check "live: NIC rates (eth0 rx 100 KiB/s)" wait_for "eth0              100.0       50.0     100.0      50.0"
check "live: loopback listed but marked as outside the totals" wait_for "* not in the totals"
stop

# --- live recording: the same files as collect --------------------------------------------
live rec steal-rising -i 1 -n 3 --record "$T/rec"
check "record: REC shown while recording" wait_for " REC"
check "record: -n 3 ends the run with exit 0" wait_for "EXIT=0"
stop
"$KASANE" collect --root-seq "$(seq_of steal-rising)" -i 0.01 -n 2 -o "$T/col" 2>/dev/null
for f in inventory.csv samples.csv cores.csv; do
    check "record: $f byte-identical to collect's" cmp -s "$T/rec/$f" "$T/col/$f"
done
check "record: two rows recorded (the baseline gives none)" sh -c "[ \$(wc -l < '$T/rec/samples.csv') -eq 3 ]"
start replayrec --replay "$T/rec"
check "record -> replay: per-core lines come back from cores.csv" wait_for "cpu1  ["
check "record -> replay: the first recorded interval" wait_for "replay 1/2  2023-11-14 22:30:10Z"
check "record -> replay: busy and steal as recorded" wait_row 4 '^cpu0  \[.* 60.0% st  20.0%'
stop
live rec2 steal-rising -i 1 --record "$T/rec2"
wait_for " REC" >/dev/null
check "record: r stops recording" key_wait r "recording off"
check "record: REC gone" sh -c "! grep -q ' REC' '$T/screen'"
check "record: r starts again" key_wait r "recording on"
stop
expect_exit "record: a dataset with another header is refused" 1 "samples.csv" \
    sh -c "mkdir -p '$T/bad' && echo 'time,entity,x' > '$T/bad/samples.csv' && \"$KASANE\" top --root '$P/kvm-guest/1' --record '$T/bad' </dev/null"

# --- command line ------------------------------------------------------------------------
expect_exit "live on a missing root names it" 1 "nonexistent" "$KASANE" top --root /nonexistent/root
expect_exit "--catalog needs --model" 2 "go together" "$KASANE" top --replay "$BASIC" --catalog "$CAT"
expect_exit "--replay and --record exclude each other" 2 "cannot be combined" "$KASANE" top --replay "$BASIC" --record "$T/x"
expect_exit "bad interval" 2 "-i: 'abc'" "$KASANE" top -i abc --replay "$BASIC"
expect_exit "no terminal" 2 "needs a terminal" "$KASANE" top --replay "$BASIC" </dev/null
expect_exit "unknown entity names the file" 1 "inventory.csv: no entity 'nosuch'" "$KASANE" top --replay "$BASIC" --entity nosuch
expect_exit "unknown model names the catalog" 1 "catalog.csv: no host model 'X9'" "$KASANE" top --replay "$BASIC" --catalog "$CAT" --model X9
expect_exit "missing dataset" 1 "no such dataset directory" "$KASANE" top --replay "$T/none"
check "--help" sh -c "\"$KASANE\" top --help | grep -q 'usage: kasane top'"
