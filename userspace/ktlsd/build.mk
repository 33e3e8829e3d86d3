# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktlsd: the handshake daemon, linked statically against libktls.
# (userspace/lib/build.mk is read after this file: name the archive.)

KTLSD_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard userspace/ktlsd/*.c)))

# the kernel's handshake upcall: netlink (libnl-genl) and keys (keyutils)
KTLSD_LIBS := $(shell pkg-config --libs libnl-genl-3.0 libkeyutils)
EXTRA_CFLAGS_userspace/ktlsd/ := $(shell pkg-config --cflags libnl-genl-3.0) \
				 -Itools/common

PROGRAMS += $(BUILD)/bin/ktlsd
MANPAGES += userspace/ktlsd/ktlsd.8 userspace/ktlsd/ktlsd.conf.5

# the command line and sni_cert's syntax: tools/common, shared with the tools
$(BUILD)/bin/ktlsd: $(KTLSD_OBJS) $(BUILD)/lib/libktls-tools.a \
		    $(BUILD)/lib/libktls.a
	$(quiet) LD $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(KTLS_LDFLAGS) -o $@ $(KTLSD_OBJS) \
		$(BUILD)/lib/libktls-tools.a $(BUILD)/lib/libktls.a $(KTLS_DEP_LIBS) $(KTLSD_LIBS) -lpthread

# The reply encoder alone, as a host unit test (ASan, UBSan)
KTLSD_REPLY_UNIT := $(BUILD)/selftests/unit/ktlsd-reply
HOST_TESTS += $(KTLSD_REPLY_UNIT)

$(KTLSD_REPLY_UNIT): selftests/unit/ktlsd_reply.c userspace/ktlsd/reply.c \
		userspace/ktlsd/ktlsd.h include/ktls/ktlsd.h \
		$(KTLSKIT_CACHE)/src/6.1/.done
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all $(KTLS_CFLAGS) -U_FORTIFY_SOURCE \
		-Wno-missing-prototypes -I$(KSFT_INC) -o $@ \
		selftests/unit/ktlsd_reply.c userspace/ktlsd/reply.c
