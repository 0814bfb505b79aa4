# kasane report chart: 'storage_wan'
reset
set terminal svg size 800,420 font 'DejaVu Sans,12' noenhanced background rgb 'white'
set output 'charts/storage_wan.svg'
set encoding utf8
set title 'Backup traffic over the WAN per night' font ',14'
set border 3 lc rgb '#555555'
set tics nomirror textcolor rgb '#333333'
set grid ytics lc rgb '#d0d0d0' lw 1 dt 1
set key below center horizontal Left reverse noautotitle samplen 2 spacing 1.1 width 2
$data << EOD
"full copy" 931.3225746154785
"incremental" 93.13225746154785
"source-side dedup" 18.62645149230957
EOD
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border rgb '#ffffff'
set boxwidth 0.9
set xtics rotate by 30 right font ',10'
set xrange [-0.6:2.6]
set ylabel 'GiB per night'
set yrange [0:*]
plot $data using 2:xtic(1) lc rgb '#4e79a7' title 'GiB over the WAN per night'
set terminal pngcairo size 800,420 font 'DejaVu Sans,10' noenhanced background rgb 'white'
set output 'charts/storage_wan.png'
replot
unset output
undefine $data
