# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktlsd.conf as shipped: the example's [global] section as it is, its
# profiles commented out (they name a certificate and key that do not exist
# until the administrator makes them).
!p && /^\[profile / {
	p = 1
	print "# No profile yet: ktlsd refuses to start until one names a"
	print "# certificate and key that exist (see ktlsd.conf(5)). Examples:"
	print "#"
}
p && /^[^#]/ { $0 = "# " $0 }
{ print }
