# SPDX-License-Identifier: GPL-2.0-or-later
#
# The make bench chart, drawn by bench/report (which writes the data file
# and passes datafile, out, ttl, sub, nrows). One row per path:
#   "label" MB/s min max  srvCPU min max  cliCPU min max  group
# group 0 = ktls-bench (memory to socket, no HTTP), 1 = HTTPS file fetch.
# Top: throughput, median bar with min-max whiskers. Bottom: CPU seconds
# per GiB moved, sending side (server) and receiving side (client). The
# median is written on each bar: plain TCP dwarfs the encrypted paths.

set terminal pngcairo size (nrows < 8 ? 900 : 110 * nrows + 100), 900 \
	font "DejaVu Sans,10"
set output out
set multiplot layout 2,1 title ttl . "\n" . sub font ",12"

set style fill solid 0.8 border -1
set grid ytics
set xtics rotate by 30 right nomirror font ",9"
set xrange [-0.6:nrows - 0.4]
set key top right

set ylabel "MB/s (higher is better)"
set yrange [0:*]
set bmargin 6
plot datafile using 0:2:(0.7):($11 == 0 ? 0x4477aa : 0xee7733) \
		with boxes lc rgb variable notitle, \
	'' using 0:2:3:4 with yerrorbars lc rgb "black" pt 7 ps 0 notitle, \
	'' using 0:2:(sprintf("%.1f", $2)) with labels offset 1.8,0.6 \
		font ",8" notitle, \
	'' using 0:(NaN):xtic(1) notitle, \
	NaN with boxes lc rgb "#4477aa" title "ktls-bench (socket to socket)", \
	NaN with boxes lc rgb "#ee7733" title "HTTPS file to curl"

set ylabel "CPU s per GiB (lower is better)"
plot datafile using ($0 - 0.18):5:(0.35) with boxes lc rgb "#228833" \
		title "server / sending side", \
	'' using ($0 - 0.18):5:6:7 with yerrorbars lc rgb "black" pt 7 ps 0 \
		notitle, \
	'' using ($0 + 0.18):8:(0.35) with boxes lc rgb "#aa3377" \
		title "client / receiving side", \
	'' using ($0 + 0.18):8:9:10 with yerrorbars lc rgb "black" pt 7 ps 0 \
		notitle, \
	'' using ($0 - 0.18):5:(sprintf("%.0f", $5)) with labels \
		offset 0,0.6 font ",7" notitle, \
	'' using 0:(NaN):xtic(1) notitle

unset multiplot
