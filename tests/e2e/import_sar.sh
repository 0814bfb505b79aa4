# kasane import sar on real sysstat data recorded here: sadc samples this machine every
# second while stress-ng loads one CPU and fio writes with O_DIRECT; the import must
# match what sadf itself reports, row by row (CPU, disk, network), and see the load.
. "$(dirname "$0")/lib.sh"
SADC=/usr/lib/sysstat/sadc
if [ ! -x "$SADC" ] || ! command -v sadf >/dev/null || ! command -v stress-ng >/dev/null ||
    ! command -v fio >/dev/null; then
    notok "sysstat, stress-ng and fio are needed (make deps)"
    exit 0
fi

# 9 records = 8 one-second intervals; the load starts after the first.
"$SADC" -S DISK 1 9 "$T/sa" &
sadc_pid=$!
sleep 1.5
stress-ng --cpu 1 --timeout 4s --quiet >/dev/null 2>&1 &
stress_pid=$!
fio --name=kasane-e2e --filename="$T/fio.dat" --rw=write --bs=64k --size=32m --direct=1 \
    --ioengine=psync --time_based --runtime=4 >/dev/null 2>&1 &
fio_pid=$!
wait "$sadc_pid" "$stress_pid" "$fio_pid"

check "import a saDD file recorded by sadc" \
    "$KASANE" import sar "$T/sa" --core-MHz 2600 -o "$T/ds" -q
check "samples.csv and inventory.csv written" test -s "$T/ds/samples.csv" -a -s "$T/ds/inventory.csv"

# column NAME of samples.csv as "time value" lines
col() {
    awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
        { print $1, $c }' "$T/ds/samples.csv"
}
# compare two "time value" files: same times, values within 0.006
same_series() {
    awk 'NR == FNR { want[$1] = $2; n++; next }
        { if (!($1 in want)) { print "extra time " $1; bad = 1; next }
          d = $2 - want[$1]; if (d < 0) d = -d
          if (d > 0.006) { print "time " $1 ": " $2 " != " want[$1]; bad = 1 }
          seen++ }
        END { if (seen != n) { print seen " rows, sadf has " n; bad = 1 } exit bad }' "$1" "$2"
}

sadf -d -U "$T/sa" -- -u ALL | awk -F';' '/^#/ { for (i = 1; i <= NF; i++) {
        if ($i == "%idle") idle = i; if ($i == "%iowait") io = i }; next }
    { printf "%s %.2f\n", $3, 100 - $idle - $io }' >"$T/cpu.want"
col cpu_pct >"$T/cpu.got"
check "cpu_pct = 100 - %idle - %iowait, row by row" same_series "$T/cpu.want" "$T/cpu.got"
check "8 rows, one per interval" test "$(wc -l <"$T/cpu.got")" -eq 8
check "the stress-ng load is visible (a row >= 40% of 2 CPUs)" \
    awk '$2 >= 40 { f = 1 } END { exit !f }' "$T/cpu.got"

# whole disks: names without a trailing partition number, no dm-/md/loop devices
sadf -d -U "$T/sa" -- -d | awk -F';' '/^#/ { for (i = 1; i <= NF; i++) {
        if ($i == "DEV") d = i; if ($i == "wkB/s") w = i; if ($i == "rkB/s") r = i }; next }
    $d !~ /[0-9]$/ && $d !~ /^(dm-|md|loop|ram|sr|zram)/ { W[$3] += $w; R[$3] += $r }
    END { for (t in W) printf "%s %.2f %.2f\n", t, W[t], R[t] }' | sort >"$T/disk.all"
awk '{ print $1, $2 }' "$T/disk.all" >"$T/dw.want"
awk '{ print $1, $3 }' "$T/disk.all" >"$T/dr.want"
col disk_write_KiBps >"$T/dw.got"
col disk_read_KiBps >"$T/dr.got"
check "disk_write_KiBps = sum of wkB/s over whole disks" same_series "$T/dw.want" "$T/dw.got"
check "disk_read_KiBps = sum of rkB/s over whole disks" same_series "$T/dr.want" "$T/dr.got"
check "the fio writes are visible (a row >= 1000 KiB/s written)" \
    awk '$2 >= 1000 { f = 1 } END { exit !f }' "$T/dw.got"

sadf -d -U "$T/sa" -- -n DEV | awk -F';' '/^#/ { for (i = 1; i <= NF; i++) {
        if ($i == "IFACE") d = i; if ($i == "rxkB/s") r = i; if ($i == "txkB/s") x = i;
        if ($i == "rxpck/s") p = i }; next }
    $d != "lo" { R[$3] += $r; X[$3] += $x; P[$3] += $p }
    END { for (t in R) printf "%s %.2f %.2f %.2f\n", t, R[t], X[t], P[t] }' | sort >"$T/net.all"
awk '{ print $1, $2 }' "$T/net.all" >"$T/rx.want"
awk '{ print $1, $3 }' "$T/net.all" >"$T/tx.want"
awk '{ print $1, $4 }' "$T/net.all" >"$T/rp.want"
col net_rx_KiBps >"$T/rx.got"
col net_tx_KiBps >"$T/tx.got"
col net_rx_pps >"$T/rp.got"
check "net_rx_KiBps = sum of rxkB/s without lo" same_series "$T/rx.want" "$T/rx.got"
check "net_tx_KiBps = sum of txkB/s without lo" same_series "$T/tx.want" "$T/tx.got"
check "net_rx_pps = sum of rxpck/s without lo" same_series "$T/rp.want" "$T/rp.got"

# inventory: CPU count from sadf -H, cpu_MHz = cpu_pct / 100 x CPUs x --core-MHz
ncpu=$(sadf -H "$T/sa" | sed -n 's/.*(\([0-9]*\) CPU).*/\1/p')
check "threads = the CPU count sadf reports ($ncpu)" \
    awk -F, -v n="$ncpu" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "threads") c = i; next }
        { exit !($c == n) }' "$T/ds/inventory.csv"
check "cpu_MHz = cpu_pct / 100 x CPUs x core MHz" \
    awk -F, -v n="$ncpu" 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "cpu_pct") p = i
        if ($i == "cpu_MHz") m = i }; next }
        { d = $m - $p * n * 2600 / 100; if (d < 0) d = -d; if (d > 0.001) bad = 1 }
        END { exit bad }' "$T/ds/samples.csv"

# the same data as sadf -d text imports to the same samples
sadf -d -U "$T/sa" -- -u ALL -r ALL -d -b -n DEV >"$T/sa.txt"
"$KASANE" import sar "$T/sa.txt" --core-MHz 2600 -o "$T/ds2" -q
# (cpu_MHz, column 5, is left out: text without -P ALL rows has no CPU count)
cut -d, -f1-4,6- "$T/ds/samples.csv" >"$T/bin.cut"
cut -d, -f1-4,6- "$T/ds2/samples.csv" >"$T/txt.cut"
check "sadf -d text gives the same samples as the binary file" cmp -s "$T/bin.cut" "$T/txt.cut"

# --- clock speed and CPU model: options, else this machine, else a warning ----------------
# The file is this machine's (sadc wrote it here): without options, the import reads the
# CPU the way collect does, so both write the same cpu_model, cores, sockets and core_MHz.
"$KASANE" collect -i 0.05 -n 1 -o "$T/me" >/dev/null 2>&1
# inv DIR COLUMN: the first inventory row's value of COLUMN
inv() {
    python3 -c 'import csv,sys; print(list(csv.DictReader(open(sys.argv[1])))[0][sys.argv[2]])' \
        "$1/inventory.csv" "$2"
}
"$KASANE" import sar "$T/sa" -o "$T/local" >"$T/local.out" 2>"$T/local.err"
check "without options: the import succeeds" test -s "$T/local/samples.csv"
for c in cpu_model cores sockets core_MHz; do
    want=$(inv "$T/me" "$c")
    check "without options: $c from this machine, as collect writes it ('$want')" \
        [ -n "$want" -a "$(inv "$T/local" "$c")" = "$want" ]
done
check "without options: no warning (nothing is missing)" [ ! -s "$T/local.err" ]
check "without options: the notes say the host is this machine" \
    sh -c "grep -q \"the file's host is this machine\" '$T/local/inventory.csv'"
mhz=$(inv "$T/me" core_MHz)
check "without options: cpu_MHz = cpu_pct / 100 x CPUs x this machine's MHz ($mhz)" \
    awk -F, -v n="$ncpu" -v mhz="$mhz" 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "cpu_pct") p = i
        if ($i == "cpu_MHz") m = i }; next }
        { d = $m - $p * n * mhz / 100; if (d < 0) d = -d; if (d > 0.001) bad = 1 }
        END { exit bad || NR < 2 }' "$T/local/samples.csv"
check "--core-MHz wins over this machine's clock" sh -c "[ \"\$(python3 -c 'import csv,sys; print(list(csv.DictReader(open(sys.argv[1])))[0][\"core_MHz\"])' '$T/ds/inventory.csv')\" = 2600 ]"
"$KASANE" import sar "$T/sa" --cpu-model 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz' -q -o "$T/model"
check "--cpu-model wins over this machine's model" \
    [ "$(inv "$T/model" cpu_model)" = "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz" ]
check "... while the clock still comes from this machine" [ "$(inv "$T/model" core_MHz)" = "$mhz" ]

# Another machine's data (the same rows under another host name): nothing to read here.
sadf -d -U "$T/sa" -- -u ALL -P ALL -r ALL -d -b -n DEV | sed 's/^[^#;][^;]*;/otherhost;/' \
    >"$T/other.txt"
"$KASANE" import sar "$T/other.txt" -o "$T/other" >"$T/other.out" 2>"$T/other.err"
check "another host, no options: the import still succeeds" [ $? -eq 0 ]
check "... warns on stderr that the clock is missing, naming --core-MHz" \
    grep -q "warning: host 'otherhost': sar records no clock speed.*give --core-MHz N" "$T/other.err"
check "... and the model, naming --cpu-model" \
    grep -q "warning: host 'otherhost': CPU model unknown.*give --cpu-model TEXT" "$T/other.err"
check "... core_MHz and cpu_model empty, not this machine's" \
    [ -z "$(inv "$T/other" core_MHz)" -a -z "$(inv "$T/other" cpu_model)" ]
expect_exit "plan of it: the error names --core-MHz" 1 "entity 'otherhost'.*--core-MHz N" \
    "$KASANE" plan "$T/other" --catalog "$KASANE_ROOT/datasets/catalog/current.csv" -o "$T/otherplan"
"$KASANE" import sar "$T/other.txt" --core-MHz 2600 --cpu-model 'Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz' \
    -o "$T/other2" >/dev/null 2>"$T/other2.err"
check "another host with --core-MHz and --cpu-model: no warning" [ ! -s "$T/other2.err" ]
check "... both in the inventory" \
    [ "$(inv "$T/other2" core_MHz)" = 2600 -a "$(inv "$T/other2" cpu_model)" = "Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz" ]
check "... and plan sizes it" sh -c "'$KASANE' plan '$T/other2' \
    --catalog '$KASANE_ROOT/datasets/catalog/current.csv' -o '$T/other2plan' >/dev/null"
sed 's/^[^#;][^;]*;/otherhost;/' "$T/sa.txt" >"$T/nocount.txt"
"$KASANE" import sar "$T/nocount.txt" --core-MHz 2600 -o "$T/nocount" >/dev/null 2>"$T/nocount.err"
check "another host's text without -P ALL rows: the warning says the CPU count is unknown and how to get it" \
    grep -q "CPU count unknown, so cpu_MHz is left empty.*-P ALL" "$T/nocount.err"
# This machine's name but 64 CPUs (-P ALL rows up to CPU 63): not this machine's CPU.
sadf -d -U "$T/sa" -- -u ALL -P ALL | awk -F';' 'BEGIN { OFS = ";" } { print } $4 == "0" { $4 = 63; print }' \
    >"$T/big.txt"
"$KASANE" import sar "$T/big.txt" -o "$T/big" >/dev/null 2>"$T/big.err"
check "this host name with 64 CPUs: threads 64, this machine's CPU not used" \
    [ "$(inv "$T/big" threads)" = 64 -a -z "$(inv "$T/big" core_MHz)" ]
check "... the notes say why" grep -q "it has $ncpu CPUs and the file 64" "$T/big/inventory.csv"
check "... and the warning names --core-MHz" grep -q "give --core-MHz N" "$T/big.err"
expect_exit "--cpu-model with a control character is a usage error" 2 "control character" \
    "$KASANE" import sar "$T/sa" --cpu-model "$(printf 'Xeon\033[2J')" -o "$T/bad"
expect_exit "--cpu-model does not apply to bitbrains" 2 "does not apply to format bitbrains" \
    "$KASANE" import bitbrains "$T/sa.txt" --cpu-model X -o "$T/bad"

# --- older sysstat file formats ----------------------------------------------------------
# A current file whose header claims the previous format (0x2173, sysstat 10.3.1-11.6):
# sadf refuses it and sadf -c cannot convert it (the rest is not that format). The error
# quotes both instead of the old misdiagnosis "holds no CPU activity".
cp "$T/sa" "$T/old"
printf '\163' | dd of="$T/old" bs=1 seek=2 conv=notrunc 2>/dev/null
expect_exit "an older format sadf cannot read: the error quotes sadf and names the file" 1 \
    "$T/old: written by an older sysstat \(sadf: .*cannot read the format of this file \(0x2173\)\) and 'sadf -c' could not convert it" \
    "$KASANE" import sar "$T/old" -o "$T/oldds"
check "... not 'holds no CPU activity'" sh -c "! grep -q 'no CPU activity' '$T/.err'"
check "... and no temporary file is left" sh -c "[ -z \"\$(find '$T' -name '*sar-converted*')\" ]"
# A real file of the previous format (tests/fixtures/import/sar/old_2173.sa, written by
# gen_old.py to sysstat's 0x2173 layout: 2 CPUs at 50% and 10%, four 60 s intervals):
# converted with sadf -c and imported; the summary says so.
OLD="$FIX/import/sar/old_2173.sa"
sum_before=$(md5sum <"$OLD")
"$KASANE" import sar "$OLD" --core-MHz 2000 --cpu-model X -o "$T/conv" >"$T/conv.out" 2>"$T/conv.err"
check "a 0x2173 (sysstat 11.6) file imports" [ $? -eq 0 ]
check "... the summary notes the conversion" \
    grep -q "old_2173.sa: file format 0x2173 of sysstat 11.6.1, converted with sadf -c" "$T/conv.out"
check "... cpu_pct 30 (cpu0 50%, cpu1 10%) in all 4 intervals, 60 s apart" sh -c \
    "[ \"\$(cut -d, -f1,3,4 '$T/conv/samples.csv' | tail -n +2 | tr '\n' ' ')\" = \
'1262347260,60,30 1262347320,60,30 1262347380,60,30 1262347440,60,30 ' ]"
check "... threads 2 from the converted file's header" [ "$(inv "$T/conv" threads)" = 2 ]
check "... the input is left as it was" [ "$(md5sum <"$OLD")" = "$sum_before" ]
check "... and no temporary file is left" sh -c "[ -z \"\$(find '$T' -name '*sar-converted*')\" ]"
