# kasane report chart: 'cost_horizon'
reset
set terminal svg size 800,420 font 'DejaVu Sans,12' noenhanced background rgb 'white'
set output 'charts/cost_horizon.svg'
set encoding utf8
set title 'Cumulative cost' font ',14'
set border 3 lc rgb '#555555'
set tics nomirror textcolor rgb '#333333'
set grid ytics lc rgb '#d0d0d0' lw 1 dt 1
set key below center horizontal Left reverse noautotitle samplen 2 spacing 1.1 width 2
$data << EOD
0 0 89.16
1 41.5 98.96
2 83 108.76
EOD
set xlabel 'years'
set ylabel 'cost (thousands)'
set yrange [0:*]
set arrow 1 from first 2.8125, graph 0 to first 2.8125, graph 1 nohead lw 1.5 dt 3 lc rgb '#555555'
set label 1 'payback: 33.8 months' at first 2.8125, graph 0.95 offset 0.5,0 textcolor rgb '#333333'
plot $data using 1:2 with linespoints lw 2.5 pt 7 ps 0.8 lc rgb '#4e79a7' title 'status quo', $data using 1:3 with linespoints lw 2.5 pt 7 ps 0.8 lc rgb '#f28e2b' title 'consolidated'
set terminal pngcairo size 800,420 font 'DejaVu Sans,10' noenhanced background rgb 'white'
set output 'charts/cost_horizon.png'
replot
unset output
undefine $data
