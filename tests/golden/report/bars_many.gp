# kasane report chart: 'peak_sizing'
reset
set terminal svg size 1000,420 font 'DejaVu Sans,12' noenhanced background rgb 'white'
set output 'charts/peak_sizing.svg'
set encoding utf8
set title 'Peak sizing' font ',14'
set border 3 lc rgb '#555555'
set tics nomirror textcolor rgb '#333333'
set grid ytics lc rgb '#d0d0d0' lw 1 dt 1
set key below center horizontal Left reverse noautotitle samplen 2 spacing 1.1 width 2
$data << EOD
"h" 100 120
"h" 99 119
"h" 98 118
"h" 97 117
"h" 96 116
"h" 95 115
"h" 94 114
"h" 93 113
"h" 92 112
"h" 91 111
"h" 90 110
"h" 89 109
"h" 88 108
"h" 87 107
"h" 86 106
"h" 85 105
"h" 84 104
"h" 83 103
"h" 82 102
"h" 81 101
"h" 80 100
"h" 79 99
"h" 78 98
"h" 77 97
"h" 76 96
"h" 75 95
"h" 74 94
"h" 73 93
"h" 72 92
"h" 71 91
"h" 70 90
EOD
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 noborder
set boxwidth 0.9
unset xtics
set xlabel '31 hosts'
set xrange [-0.6:30.6]
set ylabel '%'
set yrange [0:*]
plot $data using 2 lc rgb '#4e79a7' title 'peak of the sum', $data using 3 lc rgb '#f28e2b' title 'sum of the peaks', 100 with lines lw 2 dt 2 lc rgb '#b2182b' title 'usable capacity'
set terminal pngcairo size 1000,420 font 'DejaVu Sans,10' noenhanced background rgb 'white'
set output 'charts/peak_sizing.png'
replot
unset output
undefine $data
