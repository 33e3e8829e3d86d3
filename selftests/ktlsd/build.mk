# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktlsd tests are the scripts selftests/ktlsd/*.sh; ktlsd-client is the
# application they drive, built one folder down so the runner, which runs
# every executable in build/selftests/<area>/, does not take it for a test.
# It is listed in VM_TESTS only so that `make tests` builds it.

KTLSD_CLIENT := $(BUILD)/selftests/ktlsd/bin/ktlsd-client
VM_TESTS += $(KTLSD_CLIENT)

$(KTLSD_CLIENT): $(BUILD)/selftests/ktlsd/ktlsd-client.o $(BUILD)/lib/libktls.a
	$(quiet) LD $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(KTLS_LDFLAGS) -o $@ $< \
		$(BUILD)/lib/libktls.a $(KTLS_DEP_LIBS) -lpthread
