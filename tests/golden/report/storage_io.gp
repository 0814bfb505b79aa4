# kasane report chart: 'storage_io'
reset
set terminal svg size 640,400 font 'DejaVu Sans,12' noenhanced background rgb 'white'
set output 'charts/storage_io.svg'
set encoding utf8
set title 'Summed disk throughput' font ',14'
set border 3 lc rgb '#555555'
set tics nomirror textcolor rgb '#333333'
set grid ytics lc rgb '#d0d0d0' lw 1 dt 1
set key below center horizontal Left reverse noautotitle samplen 2 spacing 1.1 width 2
$data << EOD
1767226500 2 3
1767227400 1 1.5
1767228300 3 5
1767229200 0.5 1
EOD
set xdata time
set timefmt '%s'
set format x "%d %b\n%H:%M"
set xtics 21600
set xrange [1767226500:1767229200]
set xlabel 'time (UTC)'
set ylabel 'MiB/s'
set yrange [0:*]
set style fill solid 0.85 noborder
plot $data using 1:(0):2 with filledcurves lc rgb '#4e79a7' title 'read', $data using 1:2:3 with filledcurves lc rgb '#f28e2b' title 'write', 5 with lines lw 2 dt 1 lc rgb '#222222' title 'peak of the sum', 4.5 with lines lw 2 dt 2 lc rgb '#b2182b' title 'p95 of the sum'
set terminal pngcairo size 640,400 font 'DejaVu Sans,10' noenhanced background rgb 'white'
set output 'charts/storage_io.png'
replot
unset output
undefine $data
