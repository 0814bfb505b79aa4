# kasane report chart: 'peak_sizing'
reset
set terminal svg size 800,420 font 'DejaVu Sans,12' noenhanced background rgb 'white'
set output 'charts/peak_sizing.svg'
set encoding utf8
set title 'Peak sizing' font ',14'
set border 3 lc rgb '#555555'
set tics nomirror textcolor rgb '#333333'
set grid ytics lc rgb '#d0d0d0' lw 1 dt 1
set key below center horizontal Left reverse noautotitle samplen 2 spacing 1.1 width 2
$data << EOD
"host01" 74.5 113.2
"host02" 74.4 98.1
EOD
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border rgb '#ffffff'
set boxwidth 0.9
set xtics rotate by 30 right font ',10'
set xrange [-0.6:1.6]
set ylabel '% of capacity'
set yrange [0:*]
plot $data using 2:xtic(1) lc rgb '#4e79a7' title 'peak of the sum', $data using 3 lc rgb '#f28e2b' title 'sum of the peaks', 100 with lines lw 2 dt 2 lc rgb '#b2182b' title 'usable capacity'
set terminal pngcairo size 800,420 font 'DejaVu Sans,10' noenhanced background rgb 'white'
set output 'charts/peak_sizing.png'
replot
unset output
undefine $data
