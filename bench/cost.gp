# SPDX-License-Identifier: GPL-2.0-or-later
#
# The cost mode's chart (make bench COST=1), drawn by bench/report, which
# writes the data file and passes datafile, out, ttl, sub (the model's
# caveat), names (the servers, space-separated) and nrows. One row per
# case (per GiB, per request of each size, per new connection):
#   "label" r1 min1 max1  r2 min2 max2 ...
# r = a server's median server instructions over nginx user space's in the
# same run, min and max its repetitions' extremes over the same median.
# Grouped bars, one colour per server; the line at 1 is nginx user space.

nser = words(names)
set terminal pngcairo size (nrows < 6 ? 900 : 110 * nrows + 250), 750 \
	font "DejaVu Sans,10"
set output out
set title ttl . "\n" . sub font ",10"
set style data histogram
set style histogram errorbars gap 1.5 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set xtics rotate by 20 right nomirror font ",9"
set ylabel "x nginx (OpenSSL user space) instructions (lower is cheaper)"
set yrange [0:*]
set key below horizontal
set bmargin 9
plot for [i=1:nser] datafile using (column(3 * i - 1)):(column(3 * i)):\
	(column(3 * i + 1)):xtic(1) title word(names, i), \
	1 with lines lc rgb "black" dt 2 notitle
