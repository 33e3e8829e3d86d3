# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-stat: per-connection kTLS state (sock_diag) and /proc/net/tls_stat.
# It shares sock_diag parsing with libktls (userspace/lib/sockdiag.c,
# taken from the static archive; userspace/lib/build.mk is read after
# this file: name the archive).

KTLS_STAT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard tools/ktls-stat/*.c)))

EXTRA_CFLAGS_tools/ktls-stat/ := -Iuserspace/lib -Itools/common

PROGRAMS += $(BUILD)/bin/ktls-stat
MANPAGES += tools/ktls-stat/ktls-stat.8

$(BUILD)/bin/ktls-stat: $(KTLS_STAT_OBJS) $(BUILD)/lib/libktls-tools.a \
			$(BUILD)/lib/libktls.a
	$(quiet) LD $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(KTLS_LDFLAGS) -o $@ $(KTLS_STAT_OBJS) \
		$(BUILD)/lib/libktls-tools.a $(BUILD)/lib/libktls.a
