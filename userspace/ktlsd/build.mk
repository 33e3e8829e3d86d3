# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktlsd: the handshake daemon, linked statically against libktls.
# (userspace/lib/build.mk is read after this file: name the archive.)

KTLSD_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard userspace/ktlsd/*.c)))

# the kernel's handshake upcall: netlink (libnl-genl) and keys (keyutils)
KTLSD_LIBS := $(shell pkg-config --libs libnl-genl-3.0 libkeyutils)
EXTRA_CFLAGS_userspace/ktlsd/ := $(shell pkg-config --cflags libnl-genl-3.0)

PROGRAMS += $(BUILD)/bin/ktlsd
MANPAGES += userspace/ktlsd/ktlsd.8 userspace/ktlsd/ktlsd.conf.5

$(BUILD)/bin/ktlsd: $(KTLSD_OBJS) $(BUILD)/lib/libktls.a
	$(quiet) LD $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(KTLS_LDFLAGS) -o $@ $(KTLSD_OBJS) \
		$(BUILD)/lib/libktls.a $(KTLS_DEP_LIBS) $(KTLSD_LIBS) -lpthread
