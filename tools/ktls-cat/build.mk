# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-cat: netcat over kernel TLS, linked statically against libktls.
# (userspace/lib/build.mk is read after this file: name the archive.)

KTLS_CAT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard tools/ktls-cat/*.c)))

PROGRAMS += $(BUILD)/bin/ktls-cat
MANPAGES += tools/ktls-cat/ktls-cat.1

EXTRA_CFLAGS_tools/ktls-cat/ := -Itools/common

$(BUILD)/bin/ktls-cat: $(KTLS_CAT_OBJS) $(BUILD)/lib/libktls-tools.a \
		       $(BUILD)/lib/libktls.a
	$(quiet) LD $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(KTLS_LDFLAGS) -o $@ $(KTLS_CAT_OBJS) \
		$(BUILD)/lib/libktls-tools.a $(BUILD)/lib/libktls.a \
		$(KTLS_DEP_LIBS) -lpthread
