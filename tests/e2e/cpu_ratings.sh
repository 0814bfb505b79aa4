# datasets/cpu/ratings.csv, the per-core CPU rating table (datasets/cpu/README.md):
# every perf_per_core is recomputed from the row's own raw columns and the stated
# constants (datasets/cpu/constants.csv) to 0.5%, the Xeon E5450 row is the 1.000 anchor,
# every CPU named by a host catalog and by `kasane gen` has a row under the documented
# name matching, no two rows have the same matching key, and every row says where its
# figure comes from. Pure awk over the files: no binary needed.
. "$(dirname "$0")/lib.sh"
# aw PROGRAM ARGS...: awk with the shared functions below (mawk takes no -e)
aw() { printf '%s\n' "$1" > "$T/prog.awk"; shift; awk -f "$T/lib.awk" -f "$T/prog.awk" "$@"; }
CPU="$KASANE_ROOT/datasets/cpu"
R="$CPU/ratings.csv"
K="$CPU/constants.csv"

# Shared awk: a quote-aware CSV splitter and the name normalization and matching rule
# that the planner applies to /proc/cpuinfo, RVTools and WMI strings (README "Matching").
cat > "$T/lib.awk" <<'EOF'
function csv(line, f,   n, i, c, q, cur) {
    n = 0; cur = ""; q = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (c == "\"") { q = !q; continue }
        if (c == "," && !q) { f[++n] = cur; cur = ""; continue }
        cur = cur c
    }
    f[++n] = cur
    return n
}
# lowercase; (r) (tm) and the registered/trademark signs, parentheses and commas become
# spaces; everything from "@" on goes; vendor and marketing tokens are dropped.
function norm(s,   t, n, i, out, tok) {
    s = tolower(s)
    i = index(s, "@"); if (i) s = substr(s, 1, i - 1)
    gsub(/\(r\)|\(tm\)|\302\256|\342\204\242|[(),]/, " ", s)
    n = split(s, t, /[ \t]+/); out = ""
    for (i = 1; i <= n; i++) {
        tok = t[i]
        if (tok == "" || tok == "intel" || tok == "amd" || tok == "cpu" || tok == "processor" ||
            tok == "genuine" || tok ~ /^(dual|quad|six|eight|[0-9]+)-core$/)
            continue
        out = out (out == "" ? "" : " ") tok
    }
    return out
}
# 1 when the key's tokens occur contiguously in the source's and the token after them
# (if any) is not a version "v<digit>".
function matches(key, src,   k, s, nk, ns, i, j) {
    nk = split(key, k, " "); ns = split(src, s, " ")
    for (i = 1; i + nk - 1 <= ns; i++) {
        for (j = 1; j <= nk && s[i + j - 1] == k[j]; j++) ;
        if (j > nk && (i + nk > ns || s[i + nk] !~ /^v[0-9]/)) return 1
    }
    return 0
}
# the best (longest) matching row key for a source string, "" when none
function lookup(src,   i, best, bn, n, t) {
    src = norm(src); best = ""; bn = 0
    for (i = 1; i <= nkeys; i++)
        if (matches(keys[i], src) && (n = split(keys[i], t, " ")) > bn) { best = keys[i]; bn = n }
    return best
}
function loadkeys(file,   l, f) {
    while ((getline l < file) > 0)
        if (l !~ /^cpu,/) { csv(l, f); keys[++nkeys] = norm(f[1]); row[norm(f[1])] = f[1]; pp[norm(f[1])] = f[10] }
    close(file)
}
EOF

check "ratings.csv header is the documented one" test "$(head -1 "$R")" = \
    "cpu,vendor,year,cores,threads_per_core,base_MHz,benchmark,result,chips,perf_per_core,source"
check "constants.csv header is name,value,source" test "$(head -1 "$K")" = "name,value,source"

# perf_per_core = result * bridge(benchmark) / (chips * cores * base GHz * SMT factor),
# divided by the same for the E5450 row; SMT factor 1 + smt_yield when 2 threads/core.
aw '
BEGIN { while ((getline l < K) > 0) { csv(l, f); val[f[1]] = f[2] } smt = val["smt_yield"] }
FNR == 1 { next }
{ n = csv($0, f)
  if (n != 11) { printf "bad %s: %d fields\n", FILENAME ":" FNR, n; bad++; next }
  for (i = 3; i <= 10; i++) if (i != 7 && f[i] !~ /^[0-9]+(\.[0-9]+)?$/) { printf "bad %s: field %d %s\n", FNR, i, f[i]; bad++ }
  b = val["bridge:" f[7]]
  if (b == "") { printf "line %d: no bridge for benchmark %s\n", FNR, f[7]; bad++; next }
  raw[FNR] = f[8] * b / (f[9] * f[4] * f[6] / 1000 * (f[5] >= 2 ? 1 + smt : 1))
  ppc[FNR] = f[10]; name[FNR] = f[1]; if (f[1] == "Intel Xeon E5450") ref = raw[FNR] }
END { if (!ref) { print "no Intel Xeon E5450 row"; exit 1 }
  for (i in raw) { want = raw[i] / ref
    if (ppc[i] < want * 0.995 || ppc[i] > want * 1.005) {
      printf "line %d %s: perf_per_core %s, its raw columns give %.3f\n", i, name[i], ppc[i], want; bad++ } }
  exit bad > 0 }' -v K="$K" "$R" > "$T/recompute.out" 2>&1
check "every perf_per_core recomputes from its raw columns and constants.csv to 0.5% ($(head -3 "$T/recompute.out" | tr '\n' ' '))" \
    test ! -s "$T/recompute.out"

check "the Xeon E5450 row is 1.000" test \
    "$(aw '{ csv($0, f); if (f[1] == "Intel Xeon E5450") print f[10] }' "$R")" = "1.000"

# Each bridge:<benchmark> constant equals the product of the factors it names.
aw '
{ csv($0, f); val[f[1]] = f[2]; src[f[1]] = f[3] }
END { for (k in val) if (k ~ /^bridge:/ && src[k] ~ /^= /) {
        s = substr(src[k], 3); n = split(s, t, / \* /); p = 1
        for (i = 1; i <= n; i++) { if (val[t[i]] == "") { print k ": unknown factor " t[i]; bad++ } p *= val[t[i]] }
        if (val[k] + 0 < p * 0.995 || val[k] + 0 > p * 1.005) { printf "%s = %s, its factors give %.8f\n", k, val[k], p; bad++ } }
      exit bad > 0 }' "$K" > "$T/bridge.out" 2>&1
check "each derived bridge equals the product of its stated factors ($(head -2 "$T/bridge.out" | tr '\n' ' '))" \
    test ! -s "$T/bridge.out"

aw 'FNR > 1 { csv($0, f); k = norm(f[1]); if (k in seen) print k; seen[k] = 1 }' \
    "$R" > "$T/dups.out"
check "no two rows share a matching key ($(tr '\n' ' ' < "$T/dups.out"))" test ! -s "$T/dups.out"

aw 'FNR > 1 { csv($0, f); if (f[11] !~ /[a-z]/) print FNR ": " f[1] }' "$R" > "$T/nosrc.out"
check "every row names its source ($(tr '\n' ' ' < "$T/nosrc.out"))" test ! -s "$T/nosrc.out"

aw 'FNR > 1 { csv($0, f); if (f[11] ~ /^estimate:/ && f[11] !~ /scaled by clock/) print f[1] }' \
    "$R" > "$T/est.out"
check "estimate rows say what they are scaled from ($(tr '\n' ' ' < "$T/est.out"))" test ! -s "$T/est.out"

# Every catalog row's CPU (named in its source column) finds a row whose perf_per_core the
# catalog uses, and every CPU of `kasane gen` (collect/col_gen.c's table) finds its row.
for cat in "$KASANE_ROOT"/datasets/catalog/*.csv; do
    aw 'BEGIN { loadkeys(R) }
        FNR > 1 { csv($0, f); k = lookup(f[16])
                  if (k == "") print f[1] ": no row"
                  else if (f[13] + 0 != pp[k] + 0) print f[1] ": perf_per_core " f[13] ", " row[k] " has " pp[k] }' \
        -v R="$R" "$cat" > "$T/cat.out"
    check "every CPU of catalog $(basename "$cat") has a rating row and its perf_per_core ($(tr '\n' ' ' < "$T/cat.out"))" \
        test ! -s "$T/cat.out"
done
grep -o '{"\(Intel\|AMD\) [^"]*"' "$KASANE_ROOT/collect/col_gen.c" | tr -d '{"' > "$T/gen.txt"
check "col_gen.c's CPU table is found ($(wc -l < "$T/gen.txt") CPUs)" test "$(wc -l < "$T/gen.txt")" -ge 10
aw 'BEGIN { loadkeys(R) } { if (row[lookup($0)] != $0) print $0 " -> " row[lookup($0)] }' \
    -v R="$R" "$T/gen.txt" > "$T/gen.out"
check "every CPU of kasane gen finds its own row ($(tr '\n' ' ' < "$T/gen.out"))" test ! -s "$T/gen.out"

# The matching rule on the strings the collectors see.
cat > "$T/probe.txt" <<'EOF'
Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz|Intel Xeon E5-2690 v4
Dual-Core AMD Opteron(tm) Processor 2218|AMD Opteron 2218
Intel(R) Xeon(R) CPU           E5450  @ 3.00GHz|Intel Xeon E5450
Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz|Intel Xeon Gold 6338
AMD EPYC 7543 32-Core Processor|AMD EPYC 7543
AMD EPYC (family 26 model 2)|AMD EPYC family 26
AMD EPYC (family 25 model 1)|AMD EPYC family 25
Quad-Core AMD Opteron(tm) Processor 2356|AMD Opteron 2356
Intel® Xeon® CPU 5160 @ 3.00GHz|Intel Xeon 5160
Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz|
Intel(R) Xeon(R) CPU E5-2620 0 @ 2.00GHz|Intel Xeon E5-2620
AMD EPYC 75F3 32-Core Processor|
EOF
aw 'BEGIN { loadkeys(R) } { split($0, p, "|"); got = row[lookup(p[1])]; if (got != p[2]) print p[1] " -> \"" got "\", want \"" p[2] "\"" }' \
    -v R="$R" "$T/probe.txt" > "$T/probe.out"
check "cpuinfo/RVTools/WMI strings match the documented rows, a v3 does not match its v-less row ($(head -3 "$T/probe.out" | tr '\n' ' '))" \
    test ! -s "$T/probe.out"

# The checks above can fail: a row whose perf_per_core is off by 1% is caught.
sed 's/^\(Intel Xeon 5160,.*,\)0\.999,/\11.010,/' "$R" > "$T/bad.csv"
aw '
BEGIN { while ((getline l < K) > 0) { csv(l, f); val[f[1]] = f[2] } smt = val["smt_yield"] }
FNR > 1 { csv($0, f); r = f[8] * val["bridge:" f[7]] / (f[9] * f[4] * f[6] / 1000 * (f[5] >= 2 ? 1 + smt : 1))
          raw[FNR] = r; p[FNR] = f[10]; if (f[1] == "Intel Xeon E5450") ref = r }
END { for (i in raw) if (p[i] < raw[i] / ref * 0.995 || p[i] > raw[i] / ref * 1.005) bad++; print bad + 0 }' \
    -v K="$K" "$T/bad.csv" > "$T/neg.out"
check "a perf_per_core edited by 1% is detected" test "$(cat "$T/neg.out")" = 1
