# kasane collect --pcap-file on the checked-in capture (tests/fixtures/pcap/mixed.pcap):
# packets and bytes per protocol, the size histogram and flows.csv against tcpdump's
# own reading of the same file. Needs no root and no network.
. "$(dirname "$0")/lib.sh"
P="$FIX/pcap/mixed.pcap"
command -v tcpdump >/dev/null 2>&1 || { notok "pcap_file test needs tcpdump"; exit 0; }

"$KASANE" collect --pcap-file "$P" -i 0.1 -n 1 --no-papi --sources pcap -o "$T/ds" 2>"$T/err"
check "collect --pcap-file mixed.pcap: exit 0" [ $? -eq 0 ]
S="$T/ds/samples.csv"
# value of column $1 times interval_s (x 1024 for KiBps), rounded: a count again
count() { awk -F, -v c="$1" -v m="$2" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == c) k = i; next}
    {printf "%.0f", $k * $3 * m}' "$S"; }
# tcpdump's packets and wire bytes for a filter (-e prints "length N" of the frame first)
td_pkts() { tcpdump -r "$P" -n "$@" 2>/dev/null | wc -l; }
td_bytes() { tcpdump -r "$P" -n -e "$@" 2>/dev/null |
    awk 'match($0, /, length [0-9]+/) {s += substr($0, RSTART + 9, RLENGTH - 9)} END {print s + 0}'; }

all_p=$(td_pkts) all_b=$(td_bytes)
sum_p=0 sum_b=0
for c in tcp udp icmp; do
    # BPF's icmp6 only looks at the fixed header's next-header; kasane walks extension
    # headers, so ICMPv6 behind a hop-by-hop header (MLD reports) is ICMP too.
    f=$c; [ "$c" = icmp ] && f="icmp or icmp6 or (ip6 and ip6[6] == 0 and ip6[40] == 58)"
    wp=$(td_pkts "$f") wb=$(td_bytes "$f")
    fx=$(awk -F, -v p="$c" 'NR > 1 && $5 == p {s += $7} END {print s + 0}' "$T/ds/flows.csv")
    check "flows.csv: $c bytes $fx = tcpdump's $wb exactly" [ "$fx" = "$wb" ]
    gp=$(count "pcap_${c}_pps" 1) gb=$(count "pcap_${c}_KiBps" 1024)
    # bytes come back from a rate and an interval_s both rounded to 0.001: 0.5% at
    # -i 0.1 (flows.csv, below, has the exact integers)
    check "$c: $gp packets = tcpdump's $wp (> 0)" test "$gp" = "$wp" -a "$wp" -gt 0
    check "$c: $gb bytes = tcpdump's $wb within the rounding of the row (0.5%)" \
        awk -v a="$gb" -v b="$wb" 'BEGIN {d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b * 0.005 + 1)}'
    sum_p=$((sum_p + wp)) sum_b=$((sum_b + wb))
done
op=$(count pcap_other_pps 1) ob=$(count pcap_other_KiBps 1024)
check "other (ARP, ...): $op packets = the rest of tcpdump's ($((all_p - sum_p)))" \
    test "$op" = "$((all_p - sum_p))"
ff=$(awk -F, 'NR > 1 && $5 == "other" {s += $7} END {print s + 0}' "$T/ds/flows.csv")
check "flows.csv: non-IP frames $ff bytes = tcpdump's 'not ip and not ip6' $(td_bytes 'not ip and not ip6')" \
    [ "$ff" = "$(td_bytes 'not ip and not ip6')" ]
h=0
for b in 64 128 256 512 1024 1518 big; do h=$((h + $(count "pcap_len_${b}_pps" 1))); done
check "the size histogram holds every packet ($h of $all_p)" [ "$h" = "$all_p" ]
big=$(count pcap_len_big_pps 1)
wbig=$(tcpdump -r "$P" -n 'greater 1519' 2>/dev/null | wc -l)
check "frames over 1518 bytes (GSO super-frames): $big = tcpdump's $wbig (> 0)" test "$big" = "$wbig" -a "$wbig" -gt 0
fb=$(awk -F, 'NR > 1 {s += $7} END {print s + 0}' "$T/ds/flows.csv")
check "flows.csv bytes sum to every byte ($fb of $all_b)" [ "$fb" = "$all_b" ]
tf=$(awk -F, '$3 == "10.216.1.1" && $4 == "10.216.1.2" && $5 == "tcp" && $6 == 5201 {s += $7} END {print s + 0}' "$T/ds/flows.csv")
wt=$(td_bytes 'src 10.216.1.1 and dst 10.216.1.2 and tcp dst port 5201')
check "flow 10.216.1.1 -> 10.216.1.2 tcp/5201: $tf bytes = tcpdump's $wt" [ "$tf" = "$wt" ]
"$KASANE" collect --pcap-file "$P" --top-flows 2 -i 0.1 -n 1 --no-papi --sources pcap -o "$T/top2" 2>/dev/null
n=$(tail -n +2 "$T/top2/flows.csv" | wc -l)
rest=$(awk -F, '$3 == "*" && $4 == "*" && $5 == "*"' "$T/top2/flows.csv" | wc -l)
fb2=$(awk -F, 'NR > 1 {s += $7} END {print s + 0}' "$T/top2/flows.csv")
check "--top-flows 2: 2 flows + 1 summed rest, bytes still all there ($n rows, $fb2 bytes)" \
    test "$n" = 3 -a "$rest" = 1 -a "$fb2" = "$all_b"
