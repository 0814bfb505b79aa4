# kasane report chart: 'host_1'
reset
set terminal svg size 640,400 font 'DejaVu Sans,12' noenhanced background rgb 'white'
set output 'charts/host_1.svg'
set encoding utf8
set title 'host01: CPU demand' font ',14'
set border 3 lc rgb '#555555'
set tics nomirror textcolor rgb '#333333'
set grid ytics lc rgb '#d0d0d0' lw 1 dt 1
set key below center horizontal Left reverse noautotitle samplen 2 spacing 1.1 width 2
$data << EOD
1767229200 10 15
1767232800 12 12
1767236400 11 18
1767240000 9 17
EOD
set xdata time
set timefmt '%s'
set format x "%d %b\n%H:%M"
set xtics 21600
set xrange [1767229200:1767240000]
set xlabel 'time (UTC)'
set ylabel 'CPU demand (GHz)'
set yrange [0:*]
set style fill solid 0.85 noborder
plot $data using 1:(0):2 with filledcurves lc rgb '#4e79a7' title 'db01', $data using 1:2:3 with filledcurves lc rgb '#f28e2b' title '3 other VMs', 56.16 with lines lw 2 dt 1 lc rgb '#222222' title 'usable capacity', 44.928 with lines lw 2 dt 2 lc rgb '#b2182b' title 'planning limit'
set terminal pngcairo size 640,400 font 'DejaVu Sans,10' noenhanced background rgb 'white'
set output 'charts/host_1.png'
replot
unset output
undefine $data
