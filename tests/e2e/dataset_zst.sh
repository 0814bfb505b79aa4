# Compressed datasets (issue 23): gen --compress writes samples.csv.zst and flows.csv.zst
# under the manifest; plan reads them as the plain files (same plan); a directory with
# both spellings, a corrupt or a truncated .zst is an error naming the file.
. "$(dirname "$0")/lib.sh"
CAT="$KASANE_ROOT/datasets/catalog/current.csv"
"$KASANE" gen --servers 12 --days 2 --seed 5 --flows -o "$T/p" -q
"$KASANE" gen --servers 12 --days 2 --seed 5 --flows --compress -o "$T/z" -q
check "--compress: samples.csv.zst and flows.csv.zst, no plain ones" sh -c \
    "[ -f '$T/z/samples.csv.zst' ] && [ -f '$T/z/flows.csv.zst' ] && [ ! -e '$T/z/samples.csv' ] && [ ! -e '$T/z/flows.csv' ]"
check "the manifest lists the .zst files" grep -q '^samples.csv.zst,' "$T/z/manifest.csv"
check "zstd -d gives back the plain samples.csv byte for byte" sh -c \
    "zstd -dcq '$T/z/samples.csv.zst' | cmp -s - '$T/p/samples.csv'"
"$KASANE" plan "$T/p" --catalog "$CAT" -o "$T/plan_p" >/dev/null 2>&1
"$KASANE" plan "$T/z" --catalog "$CAT" -o "$T/plan_z" >/dev/null 2>&1
check "plan of the compressed dataset: same placement" cmp -s "$T/plan_p/placement.csv" "$T/plan_z/placement.csv"
check "plan of the compressed dataset: same hosts" cmp -s "$T/plan_p/hosts.csv" "$T/plan_z/hosts.csv"

# Hand-made directories (no manifest: the files themselves are checked).
mk() { rm -rf "$T/$1"; mkdir "$T/$1"; cp "$T/p/inventory.csv" "$T/$1/"; }
mk both; cp "$T/p/samples.csv" "$T/both/"; cp "$T/z/samples.csv.zst" "$T/both/"
expect_exit "samples.csv and samples.csv.zst: an error naming both" 1 \
    "samples.csv and $T/both/samples.csv.zst: both present" "$KASANE" plan "$T/both" --catalog "$CAT" -o "$T/o1"
mk trunc; head -c 2000 "$T/z/samples.csv.zst" > "$T/trunc/samples.csv.zst"
expect_exit "a truncated .zst: an error naming the file" 1 \
    "trunc/samples.csv.zst: truncated zstd data" "$KASANE" plan "$T/trunc" --catalog "$CAT" -o "$T/o2"
mk bad; cp "$T/z/samples.csv.zst" "$T/bad/"
# one byte flipped past the frame header: zstd's checksum or block decoding refuses it
printf '\377' | dd of="$T/bad/samples.csv.zst" bs=1 seek=3000 conv=notrunc 2>/dev/null
expect_exit "a corrupt .zst: an error naming the file" 1 \
    "bad/samples.csv.zst: corrupt zstd data" "$KASANE" plan "$T/bad" --catalog "$CAT" -o "$T/o3"
mk notz; printf 'time,entity\n' > "$T/notz/samples.csv.zst"
expect_exit "a text file named .zst: an error naming the file" 1 \
    "notz/samples.csv.zst: corrupt zstd data" "$KASANE" plan "$T/notz" --catalog "$CAT" -o "$T/o4"
mk bad2
awk -F, -v OFS=, 'NR == 3 {$2 = "nobody"} {print}' "$T/p/samples.csv" | zstd -qc > "$T/bad2/samples.csv.zst"
expect_exit "an error inside a .zst names its line" 1 \
    "bad2/samples.csv.zst:3: column 2 .entity.: unknown entity .nobody." "$KASANE" plan "$T/bad2" --catalog "$CAT" -o "$T/o5"
# A zstd bomb: 1 GB of one line in about 30 KB. The reader stops decompressing inside
# the line (core/ks_zst.c: a CSV reader refuses it whatever follows) instead of holding
# the gigabyte (it aborted out of memory under a 1 GB address-space limit).
mk bomb; cp "$T/p/inventory.csv" "$T/bomb/"
{ head -1 "$T/p/samples.csv"; head -c 1000000000 /dev/zero; } | zstd -q -3 >"$T/bomb/samples.csv.zst"
check "the bomb is small ($(wc -c <"$T/bomb/samples.csv.zst") bytes)" \
    [ "$(wc -c <"$T/bomb/samples.csv.zst")" -lt 200000 ]
expect_exit "a 1 GB line in a .zst: an error naming file and line" 1 \
    "bomb/samples.csv.zst:2: row longer than 1048576 bytes" \
    /usr/bin/time -f %M -o "$T/bomb.rss" "$KASANE" plan "$T/bomb" --catalog "$CAT" -o "$T/o6"
rss=$(tail -1 "$T/bomb.rss")
check "  ... without holding it: peak RSS $rss KiB < 400 MiB" [ "$rss" -lt 409600 ]

# import --compress: the same rows as a plain import.
I="$KASANE_ROOT/tests/fixtures/import"
"$KASANE" import planetlab "$I/planetlab/20110303" -o "$T/ip" -q
"$KASANE" import planetlab "$I/planetlab/20110303" --compress -o "$T/iz" -q
check "import --compress: samples.csv.zst, the plain file's bytes" sh -c \
    "[ ! -e '$T/iz/samples.csv' ] && zstd -dcq '$T/iz/samples.csv.zst' | cmp -s - '$T/ip/samples.csv'"

# collect --rotate --compress: each rotated file compressed, no row lost.
"$KASANE" collect -i 0.02 -n 30 --no-cores --rotate 1k --compress -o "$T/rot" 2>/dev/null
check "collect --rotate 1k --compress: rotated files are .csv.zst, 30 rows in all" sh -c \
    "cd '$T/rot' && [ \$(ls samples.*.csv.zst | wc -l) -ge 2 ] && ! ls samples.*Z.csv 2>/dev/null &&
     [ \$( (zstd -dcq samples.*.csv.zst; cat samples.csv) | grep -vc '^time,') -eq 30 ]"
