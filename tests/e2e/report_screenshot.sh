# The fixture report looked at as a person would: headless Chromium renders index.html
# to PNG (scripts/screenshot.sh) and the picture must not be blank (pixel standard
# deviation well above that of an empty page, which is measured too).
. "$(dirname "$0")/lib.sh"
F="$FIX/report/basic"
S="$KASANE_ROOT/scripts/screenshot.sh"
"$KASANE" report "$F/dataset" --plan "$F/plan" --sim "$F/sim.csv" -o "$T/rep" >/dev/null 2>&1
check "fixture report written" [ -s "$T/rep/index.html" ]
sd=$(sh "$S" "$T/rep/index.html" "$T/shot.png" 1280,4000 2>"$T/shot.err")
check "chromium rendered the report to PNG" sh -c "file '$T/shot.png' | grep -q 'PNG image data, 1280 x 4000'"
check "the rendering is not blank (stddev $sd > 0.08)" awk -v s="$sd" 'BEGIN { exit !(s > 0.08) }'
printf '<!DOCTYPE html><html lang="en"><head><title>blank</title></head><body></body></html>\n' > "$T/blank.html"
sd0=$(sh "$S" "$T/blank.html" "$T/blank.png" 1280,800 2>/dev/null)
check "the blank check can fail: an empty page scores $sd0" awk -v s="$sd0" 'BEGIN { exit !(s < 0.01) }'
# Printed: A4 pages (595 x 842 pt), and every section starts a page of its own.
sh "$S" "$T/rep/index.html" "$T/rep.pdf" >/dev/null 2>&1
check "printed to PDF" [ -s "$T/rep.pdf" ]
grep -a -o '/MediaBox *\[[^]]*\]' "$T/rep.pdf" > "$T/boxes"
pages=$(grep -c '\[0 0 59[45][.0-9]* 841[.0-9]*\]' "$T/boxes")
other=$(grep -v -c '\[0 0 59[45][.0-9]* 841[.0-9]*\]' "$T/boxes")
check "every printed page is A4 ($pages pages, $other others)" [ "$pages" -gt 0 -a "$other" -eq 0 ]
check "each of the 9 sections starts a page" [ "$pages" -ge 9 ]
if [ -n "${KS_SAVE_SCREENSHOT:-}" ]; then cp "$T/shot.png" "$KS_SAVE_SCREENSHOT"; fi
