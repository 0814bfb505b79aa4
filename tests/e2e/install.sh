# make install / make uninstall with DESTDIR (issue 22): binary, data directory, man
# pages (man --warnings clean), bash completion (commands, options, catalog names),
# units and examples; the installed binary finds a shipped catalog by name through
# KASANE_DATADIR; uninstall removes every file install wrote.
# DATADIR is the one the build under test was compiled with ($BUILD/gen/datadir.stamp),
# so make installs that build as it is and compiles nothing (a SAN build too: its
# leak check is off for the --help runs that make the man pages).
. "$(dirname "$0")/lib.sh"
B=$(cd "${BUILD:-$KASANE_ROOT/build}" && pwd)
for tool in make help2man man bash; do
    command -v "$tool" >/dev/null 2>&1 || { notok "install.sh needs $tool (make deps)"; exit 0; }
done
[ -f "$B/gen/datadir.stamp" ] || { notok "no $B/gen/datadir.stamp: build with make first"; exit 0; }
DD=$(cat "$B/gen/datadir.stamp")
S="$T/stage"
ASAN_OPTIONS=detect_leaks=0 make -s -C "$KASANE_ROOT" install BUILD="$B" DESTDIR="$S" PREFIX=/opt/k DATADIR="$DD" \
    UNITDIR=/opt/k/lib/systemd/system >"$T/install.log" 2>&1
rc=$?
check "make install DESTDIR PREFIX: exit 0 ($(tail -c 300 "$T/install.log"))" [ "$rc" -eq 0 ]
check "no object compiled by install" sh -c "! grep -q '  CC ' '$T/install.log'"
check "binary installed" [ -x "$S/opt/k/bin/kasane" ]
check "data: catalogs, storage, licences, sim configs, CPU ratings" sh -c "
    for f in catalog/current.csv catalog/2008.csv storage/drives.csv licences/hyperv-2008-datacenter.csv \
        sim/modes.ini cpu/ratings.csv public/planetlab/LICENSE-Apache-2.0.txt; do
        [ -f '$S$DD/'\$f ] || exit 1; done"
check "data: the research-only Bitbrains sample is not installed" [ ! -e "$S$DD/public/bitbrains" ]
check "LICENSE, README and docs installed" [ -f "$S/opt/k/share/doc/kasane/LICENSE" -a -f "$S/opt/k/share/doc/kasane/collect.md" ]
check "units and examples installed" [ -f "$S/opt/k/lib/systemd/system/kasane-collect.service" -a \
    -f "$S/opt/k/lib/systemd/system/kasane-collect@.service" -a -f "$S/opt/k/share/doc/kasane/examples/pcap.conf" ]
check "units name the installed binary" grep -q '^ExecStart=/opt/k/bin/kasane-collect ' \
    "$S/opt/k/lib/systemd/system/kasane-collect.service"

# ---- the installed binary, its data found by name -------------------------------------
"$KASANE" gen --servers 4 --days 1 --step 3600 --seed 7 -o "$T/ds" >/dev/null 2>&1
mkdir -p "$T/elsewhere"
(cd "$T/elsewhere" && KASANE_DATADIR="$S$DD" "$S/opt/k/bin/kasane" plan "$T/ds" --catalog 2008 \
    --licences windows-2008-enterprise -o "$T/plan" >"$T/plan.out" 2>"$T/plan.err")
rc=$?
check "installed kasane plan --catalog 2008 via KASANE_DATADIR: exit 0 ($(head -c 200 "$T/plan.err"))" [ "$rc" -eq 0 ]
check "the plan's hosts are models of the 2008 catalog" sh -c "
    m=\$(awk -F, 'NR == 2 {print \$2}' '$T/plan/hosts.csv');
    [ -n \"\$m\" ] && cut -d, -f1 '$KASANE_ROOT/datasets/catalog/2008.csv' | grep -qxF \"\$m\""
(cd "$T/elsewhere" && KASANE_DATADIR="$S$DD" "$S/opt/k/bin/kasane" sim modes --replications 1 \
    -o "$T/sim.csv" >/dev/null 2>"$T/sim.err")
rc=$?
check "kasane sim modes: the shipped sim/modes.ini by name ($(head -c 200 "$T/sim.err"))" [ "$rc" -eq 0 -a -s "$T/sim.csv" ]
(cd "$T/elsewhere" && KASANE_DATADIR="$S$DD" "$S/opt/k/bin/kasane" plan "$T/ds" --catalog curent \
    -o "$T/p2" >/dev/null 2>"$T/p2.err")
rc=$?
check "a misspelt name: exit 1, the names there are listed" sh -c \
    "[ $rc -eq 1 ] && grep -q 'curent: no such file, nor a shipped catalog' '$T/p2.err' && grep -q 'catalog holds: 2008, current' '$T/p2.err'"
# A file of that name where the user is wins over the shipped one (paths work as before).
cp "$KASANE_ROOT/datasets/catalog/current.csv" "$T/elsewhere/2008"
(cd "$T/elsewhere" && KASANE_DATADIR="$S$DD" "$S/opt/k/bin/kasane" plan "$T/ds" --catalog 2008 \
    -o "$T/p3" >/dev/null 2>&1)
check "a file named like a shipped catalog is read as the file" sh -c "
    m=\$(awk -F, 'NR == 2 {print \$2}' '$T/p3/hosts.csv');
    [ -n \"\$m\" ] && cut -d, -f1 '$KASANE_ROOT/datasets/catalog/current.csv' | grep -qxF \"\$m\""

# ---- man pages ------------------------------------------------------------------------
n=0 bad=""
for p in "$S"/opt/k/share/man/man1/*.1; do
    n=$((n + 1))
    LC_ALL=C.UTF-8 man --warnings -l "$p" >/dev/null 2>"$T/man.err"
    [ -s "$T/man.err" ] && bad="$bad $(basename "$p"): $(head -c 100 "$T/man.err")"
done
check "8 man pages: kasane(1) and one per command" [ "$n" -eq 8 -a -f "$S/opt/k/share/man/man1/kasane-plan.1" ]
check "man --warnings: every page clean ($bad)" [ -z "$bad" ]
printf '.TH X 1\n.SH NAME\nx \\- y\n.BOGUS\n' >"$T/bad.1"
LC_ALL=C.UTF-8 man --warnings -l "$T/bad.1" >/dev/null 2>"$T/bad.err"
check "man --warnings catches a bad page (an undefined macro)" [ -s "$T/bad.err" ]
check "kasane-plan(1) documents --catalog by name and KASANE_DATADIR" sh -c "
    LC_ALL=C.UTF-8 MANWIDTH=200 man -l '$S/opt/k/share/man/man1/kasane-plan.1' 2>/dev/null |
        grep -q 'shipped catalog' && grep -q KASANE_DATADIR '$S/opt/k/share/man/man1/kasane-plan.1'"

# ---- bash completion ------------------------------------------------------------------
comp() { # WORDS...: the completions bash offers for the last word
    KASANE_DATADIR="$S$DD" PATH="$S/opt/k/bin:$PATH" bash -c '
        . "$0"; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _kasane
        printf "%s\n" "${COMPREPLY[@]}"' "$S/opt/k/share/bash-completion/completions/kasane" "$@"
}
check "completion: commands (kasane pl -> plan)" [ "$(comp kasane pl)" = plan ]
check "completion: options (kasane plan --cat -> --catalog)" [ "$(comp kasane plan --cat)" = --catalog ]
mkdir -p "$T/empty"
names=$(cd "$T/empty" && comp kasane plan --catalog '' | sort | tr '\n' ' ')
check "completion: catalog names (--catalog <TAB> -> $names)" [ "$names" = "2008 current " ]
check "completion: kasane-collect is completed as kasane collect" \
    [ "$(readlink "$S/opt/k/share/bash-completion/completions/kasane-collect")" = kasane ]
sims=$(cd "$T/empty" && comp kasane sim mo)
check "completion: sim configs by name (kasane sim mo -> $sims)" [ "$sims" = modes ]

# ---- uninstall ------------------------------------------------------------------------
make -s -C "$KASANE_ROOT" uninstall BUILD="$B" DESTDIR="$S" PREFIX=/opt/k DATADIR="$DD" \
    UNITDIR=/opt/k/lib/systemd/system >"$T/un.log" 2>&1
rc=$?
check "make uninstall: exit 0" [ "$rc" -eq 0 ]
left=$(find "$S" ! -type d | head -5)
check "make uninstall: no file or link left ($left)" [ -z "$left" ]
