# kasane report chart: 'estate_heatmap'
reset
set terminal svg size 1000,260 font 'DejaVu Sans,12' noenhanced background rgb 'white'
set output 'charts/estate_heatmap.svg'
set encoding utf8
set title 'CPU of every server' font ',14'
set border 3 lc rgb '#555555'
set tics nomirror textcolor rgb '#333333'
set grid ytics lc rgb '#d0d0d0' lw 1 dt 1
set key below center horizontal Left reverse noautotitle samplen 2 spacing 1.1 width 2
$data << EOD
10 20 NaN
95 0 5
50 60 70
EOD
set xdata time
set timefmt '%s'
set format x "%d %b\n%H:%M"
set xtics 21600
set xrange [1767225600:1767236400]
set xlabel 'time (UTC)'
set yrange [2.5:-0.5]
set grid noytics
set object 1 rectangle from graph 0,0 to graph 1,1 behind fillcolor rgb '#d9d9d9' fillstyle solid noborder
set ytics font ',10' ('db''01' 0, 'web_02' 1, 'idle03' 2)
set ylabel 'server (busiest first)'
set cbrange [0:100]
set cblabel 'CPU utilization (%)'
set key off
set palette defined (0 '#ffffcc', 0.25 '#fed976', 0.5 '#fd8d3c', 0.75 '#e31a1c', 1 '#800026')
plot $data matrix using (1767229200 + $1*3600 - 1800):2:3 with image
set terminal pngcairo size 1000,260 font 'DejaVu Sans,10' noenhanced background rgb 'white'
set output 'charts/estate_heatmap.png'
replot
unset output
undefine $data
