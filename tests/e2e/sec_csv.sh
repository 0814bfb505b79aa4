# Issue 18 item 10: names that a spreadsheet would run as formulas (=HYPERLINK(...),
# -web, @SUM(A1), +1x) or that start with ' are written to plan and report CSVs with a
# ' prefix (OWASP), numbers are not, and kasane's own readers strip the prefix again:
# report and sim still join the placement to the dataset by the original names.
. "$(dirname "$0")/lib.sh"
W="$T/in"
mkdir -p "$W"
series() { awk 'BEGIN { for (i = 1; i <= 288; i++) print int(10 + 30 * sin(i / 20) ^ 2) }'; }
for n in '=HYPERLINK("http:x","y")' '-web' "'quoted" '+1x' '@SUM(A1)' 'plain'; do
    series >"$W/$n"
done
printf '%s\n' 'model,sockets,cores_per_socket,threads_per_core,core_MHz,mem_GiB,nic_ports,nic_Gbps,rack_U,price,watts_idle,watts_max,perf_per_core' \
    '=cmd|calc,1,4,1,2600,64,8,10,1,5000,100,250,1' >"$T/cat.csv"
"$KASANE" import planetlab "$W" --start 1299110400 --vm-MHz 2000 --vm-mem-MiB 1024 -q \
    -o "$T/ds" >/dev/null 2>&1
check "dataset keeps the names as they are" grep -q '^-web,vm,' "$T/ds/inventory.csv"
"$KASANE" plan "$T/ds" --catalog "$T/cat.csv" -o "$T/plan" >/dev/null 2>&1
check "planned" [ -s "$T/plan/placement.csv" ]
P="$T/plan/placement.csv"
check "placement: =HYPERLINK prefixed" grep -qF "\"'=HYPERLINK(\"\"http:x\"\",\"\"y\"\")\",host" "$P"
check "placement: -web prefixed" grep -q "^'-web,host" "$P"
check "placement: a leading ' is doubled" grep -q "^''quoted,host" "$P"
check "placement: +1x and @SUM prefixed" sh -c "grep -q \"^'+1x,host\" '$P' && grep -q \"^'@SUM(A1),host\" '$P'"
check "placement: plain names unchanged" grep -q "^plain,host" "$P"
check "placement: the model name prefixed" grep -q ",'=cmd|calc\$" "$P"
check "no cell of a plan file starts a formula" sh -c \
    "! cat '$T/plan/'*.csv | tr ',' '\n' | grep -E '^\"?[=@+]' | grep -vE '^\\+[0-9.e+-]+\$'"
check "hosts.csv: numbers are not prefixed" sh -c "! grep -q \"'[0-9-]\" '$T/plan/hosts.csv'"

"$KASANE" report "$T/ds" --plan "$T/plan" -o "$T/rep" >"$T/rep.out" 2>&1
check "report joins the prefixed placement to the dataset" [ $? -eq 0 -a -s "$T/rep/index.html" ]
RP="$T/rep/tables/placement.csv"
check "report placement table: -web prefixed" grep -q "^'-web," "$RP"
check "report placement table: =HYPERLINK prefixed" grep -qF "\"'=HYPERLINK(" "$RP"
check "report placement table: every entity once" [ "$(tail -n +2 "$RP" | wc -l)" -eq 6 ]
check "report tables: no cell starts a formula" sh -c \
    "! cat '$T/rep/tables/'*.csv | tr ',' '\n' | grep -E '^\"?[=@]'"
check "the page shows the names without the prefix" grep -q ">-web<" "$T/rep/index.html"

# sim --plan: the sim fixture with web1 renamed =web1 in the dataset and, prefixed as
# kasane writes it, in placement.csv.
S="$FIX/sim/plan"
mkdir -p "$T/sp/dataset"
cp "$S/hosts.csv" "$S/base.ini" "$T/sp/"
sed 's/^web1,/'"'"'=web1,/' "$S/placement.csv" >"$T/sp/placement.csv"
for f in inventory.csv samples.csv; do sed 's/\bweb1\b/=web1/' "$S/dataset/$f" >"$T/sp/dataset/$f"; done
"$KASANE" sim --plan "$T/sp" --host h1 --dataset "$T/sp/dataset" "$T/sp/base.ini" -o "$T/sp.csv" >"$T/sp.out" 2>&1
check "sim joins the prefixed placement to the dataset" grep -q "^'=web1-disk," "$T/sp.csv"
check "sim results: no cell starts a formula" sh -c \
    "! tr ',' '\n' <'$T/sp.csv' | grep -E '^\"?[=@+]' | grep -vE '^\+[0-9.e+-]+\$'"
"$KASANE" report "$T/ds" --plan "$T/plan" --sim "$T/sp.csv" -o "$T/rep2" >"$T/rep2.out" 2>&1
check "report reads the prefixed sim results" [ $? -eq 0 -a -s "$T/rep2/index.html" ]
check "the page shows the sim workload without the prefix" grep -q ">=web1-disk" "$T/rep2/index.html"
check "the page never shows the prefix" sh -c "! grep -q \"'=web1-disk\" '$T/rep2/index.html'"
