# RVTools end to end (issue 19 item 5): a directory of CSV tabs, the same export as an
# .xlsx workbook and a German ';'/decimal-comma export each import, plan by allocation
# on the shipped catalog and report; hostile workbooks and missing parts are refused
# naming the file and the part.
. "$(dirname "$0")/lib.sh"
I="$FIX/import"
CAT="$KASANE_ROOT/datasets/catalog/current.csv"
R4="$I/rvtools4"

# ---- the directory of CSV tabs -> plan -> report
"$KASANE" import rvtools "$R4" --core-MHz 2400 -o "$T/dir" >"$T/dir.out" 2>&1
check "rvtools: a directory of tabs imports" grep -q "imported rvtools into .*: 9 entities" "$T/dir.out"
check "rvtools: a VM name under two vCenters is kept twice" sh -c \
    "grep -q '^web01@vc1.example.com,vm,' '$T/dir/inventory.csv' && grep -q '^web01@vc2.example.com,vm,' '$T/dir/inventory.csv'"
check "rvtools: a VM gets its host's CPU model and clock" \
    grep -q '^db01,vm,db01.example.com,Intel(R) Xeon(R) CPU E5-2650 v4 @ 2.20GHz,2,8,8,2200,' "$T/dir/inventory.csv"
check "rvtools: ESX hosts are kind host rows" \
    grep -q '^esx01.example.com,host,esx01.example.com,Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz,2,64,128,1995,1048063,' "$T/dir/inventory.csv"
check "rvtools: --core-MHz fills a VM whose host has no vHost row" \
    grep -q '^app01,vm,.*,4,4,4,2400,16384,.*clock from --core-MHz' "$T/dir/inventory.csv"
"$KASANE" plan "$T/dir" --catalog "$CAT" -o "$T/plan" >"$T/plan.out" 2>&1
check "rvtools: plan works by allocation" grep -q "6 sources -> .*planned by allocation" "$T/plan.out"
check "rvtools: every VM is placed, no ESX host is a source" sh -c \
    "[ \$(grep -c ',host[0-9][0-9]*,' '$T/plan/placement.csv') -eq 6 ] && ! grep -q '^esx[0-9]*\.example\.com,host[0-9]' '$T/plan/placement.csv'"
"$KASANE" report "$T/dir" --plan "$T/plan" -o "$T/rep" >"$T/rep.out" 2>&1
check "rvtools: report is written" test -s "$T/rep/index.html"

# ---- without a clock for app01, plan names the VM and the missing column
"$KASANE" import rvtools "$R4" -o "$T/noclock" >"$T/noclock.out" 2>&1
check "rvtools: the summary says which VMs have no clock" grep -q "1 VMs have no clock speed" "$T/noclock.out"
expect_exit "rvtools: plan without a clock names the VM and core_MHz" 1 "app01.*core_MHz" \
    "$KASANE" plan "$T/noclock" --catalog "$CAT" -o "$T/x"

# ---- the same export as a workbook: the same bytes
"$KASANE_ROOT/tests/fixtures/import/mkxlsx.sh" "$T/RVTools_export_all.xlsx" "$R4/RVTools_tabvInfo.csv" \
    "$R4/RVTools_tabvCPU.csv" "$R4/RVTools_tabvMemory.csv" "$R4/RVTools_tabvHost.csv"
"$KASANE" import rvtools "$T/RVTools_export_all.xlsx" --core-MHz 2400 -o "$T/book" -q
check "rvtools: an xlsx workbook imports to the same inventory as its CSV tabs" \
    cmp -s "$T/book/inventory.csv" "$T/dir/inventory.csv"
mkdir -p "$T/bookdir" && cp "$T/RVTools_export_all.xlsx" "$T/bookdir/" && echo notes >"$T/bookdir/README.txt"
"$KASANE" import rvtools "$T/bookdir" --core-MHz 2400 -o "$T/book2" >"$T/book2.out" 2>&1
check "rvtools: a workbook inside a directory, unrelated files skipped and counted" sh -c \
    "cmp -s '$T/book2/inventory.csv' '$T/dir/inventory.csv' && grep -q 'skipped: 1 files' '$T/book2.out'"

# ---- a German export: ';', decimal commas, WAHR/FALSCH -> plan -> report
"$KASANE" import rvtools "$I/rvtools_de" -o "$T/de" -q
check "rvtools: German decimal commas read as decimals" grep -q ',153600.75,' "$T/de/inventory.csv"
"$KASANE" plan "$T/de" --catalog "$CAT" -o "$T/deplan" >"$T/deplan.out" 2>&1 &&
    "$KASANE" report "$T/de" --plan "$T/deplan" -o "$T/derep" >/dev/null 2>&1
check "rvtools: a German export plans and reports" sh -c \
    "grep -q '2 sources' '$T/deplan.out' && test -s '$T/derep/index.html'"

# ---- options: --core-MHz is taken, an option another format owns is named
check "rvtools: --cpu-model is taken" "$KASANE" import rvtools "$R4" --cpu-model "Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz" \
    --core-MHz 2800 -o "$T/opt" -q
expect_exit "an option a format does not take is named with the format" 2 \
    "--step does not apply to format rvtools \(it takes --core-MHz, --cpu-model\)" \
    "$KASANE" import rvtools "$R4" --step 60 -o "$T/x"

# ---- hostile and incomplete workbooks: the file and the missing part are named
mk() { # mk NAME: a workbook from the files under $T/parts/NAME
    (cd "$T/parts/$1" && zip -q -X -r "$T/$1.xlsx" .)
}
part() { # part NAME PATH TEXT
    mkdir -p "$(dirname "$T/parts/$1/$2")" && printf '%s\n' "$3" >"$T/parts/$1/$2"
}
WB='<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="vInfo" sheetId="1" r:id="rId1"/></sheets></workbook>'
RELS='<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'
sheet() { # sheet NAME SHEETXML: a one-sheet workbook with an empty shared-string table
    part "$1" xl/workbook.xml "$WB"
    part "$1" xl/_rels/workbook.xml.rels "$RELS"
    part "$1" xl/sharedStrings.xml '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>VM</t></si><si><t>CPUs</t></si><si><t>Memory</t></si></sst>'
    part "$1" xl/worksheets/sheet1.xml "$2"
    mk "$1"
}
part nowb docProps/app.xml '<Properties/>' && mk nowb
expect_exit "rvtools: a zip without xl/workbook.xml" 1 "nowb.xlsx: not an xlsx workbook: a zip archive without xl/workbook.xml" \
    "$KASANE" import rvtools "$T/nowb.xlsx" -o "$T/x"
"$KASANE_ROOT/tests/fixtures/import/mkxlsx.sh" "$T/hostonly.xlsx" "$R4/RVTools_tabvHost.csv"
expect_exit "rvtools: a workbook without a vInfo sheet" 1 "hostonly.xlsx: no sheet 'vInfo' \(sheets: vHost\)" \
    "$KASANE" import rvtools "$T/hostonly.xlsx" -o "$T/x"
head -c 3000 "$T/RVTools_export_all.xlsx" >"$T/cut.xlsx"
expect_exit "rvtools: a workbook cut off" 1 "cut.xlsx: not an xlsx workbook: not a zip archive \(or cut off" \
    "$KASANE" import rvtools "$T/cut.xlsx" -o "$T/x"
sheet doctype '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>'
expect_exit "rvtools: a document type declaration is refused" 1 \
    "doctype.xlsx\[vInfo\]: xl/worksheets/sheet1.xml:1: document type declaration refused" \
    "$KASANE" import rvtools "$T/doctype.xlsx" -o "$T/x"
sheet sst '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>999</v></c></row></sheetData></worksheet>'
expect_exit "rvtools: a shared-string index past the table" 1 "sst.xlsx\[vInfo\]: .*row 1: shared string '999' is not one of the 3" \
    "$KASANE" import rvtools "$T/sst.xlsx" -o "$T/x"
sheet ref '<worksheet><sheetData><row r="1"><c r="ZZZZ1" t="s"><v>0</v></c></row></sheetData></worksheet>'
expect_exit "rvtools: a cell past column XFD" 1 "ref.xlsx\[vInfo\]: .*cell reference 'ZZZZ1' is not a column" \
    "$KASANE" import rvtools "$T/ref.xlsx" -o "$T/x"
sheet nocpus '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>web01</t></is></c><c r="B2"><v>4096</v></c></row></sheetData></worksheet>'
expect_exit "rvtools: a vInfo sheet without CPUs names the sheet and the column" 1 \
    "nocpus.xlsx\[vInfo\]:1: missing column 'CPUs'" "$KASANE" import rvtools "$T/nocpus.xlsx" -o "$T/x"
sheet ctrl "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c></row><row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>web&#9;01</t></is></c><c r=\"B2\"><v>2</v></c><c r=\"C2\"><v>4096</v></c></row></sheetData></worksheet>"
expect_exit "rvtools: a control character in a VM name is refused" 1 \
    "ctrl.xlsx\[vInfo\]:2: field 'VM': .* holds a control character" "$KASANE" import rvtools "$T/ctrl.xlsx" -o "$T/x"
sheet badxml '<worksheet><sheetData><row r="1"><c r="A1"></row></sheetData></worksheet>'
expect_exit "rvtools: malformed XML names the part and line" 1 "badxml.xlsx\[vInfo\]: xl/worksheets/sheet1.xml:1: XML error: mismatched tag" \
    "$KASANE" import rvtools "$T/badxml.xlsx" -o "$T/x"
