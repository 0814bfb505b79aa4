# kasane report chart: 'risk_sweep'
reset
set terminal svg size 800,420 font 'DejaVu Sans,12' noenhanced background rgb 'white'
set output 'charts/risk_sweep.svg'
set encoding utf8
set title 'Hosts against ''risk''' font ',14'
set border 3 lc rgb '#555555'
set tics nomirror textcolor rgb '#333333'
set grid ytics lc rgb '#d0d0d0' lw 1 dt 1
set key below center horizontal Left reverse noautotitle samplen 2
$data << EOD
10 1.15 0 "headroom=0"
11 0.16 0 "headroom=10"
13 0 NaN "headroom=20"
EOD
set xlabel 'hosts in the plan'
set ylabel 'host-steps over capacity in the test window (%)'
set yrange [0:*]
set offsets 0.5, 0.5, 0, 0
set xtics 1
set format x '%.0f'
set object 1 circle at first 13, first 0 size char 1.2 front fillstyle empty border lc rgb '#b2182b' lw 2
plot $data using 1:2 with linespoints lw 2.5 pt 7 ps 0.8 lc rgb '#4e79a7' title 'CPU', $data using 1:3 with linespoints lw 2.5 pt 5 ps 0.8 lc rgb '#f28e2b' title 'memory', $data using 1:2:4 with labels offset char 0,1 font ',9' textcolor rgb '#555555' notitle, 0.1 with lines lw 2 dt 2 lc rgb '#b2182b' title 'target 0.1%'
set terminal pngcairo size 800,420 font 'DejaVu Sans,10' noenhanced background rgb 'white'
set output 'charts/risk_sweep.png'
replot
unset output
undefine $data
