# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktlsd tests are the scripts selftests/ktlsd/*.sh; ktlsd-client and
# ktlsd-session are the applications they drive, built one folder down so
# the runner, which runs every executable in build/selftests/<area>/, does
# not take them for tests. They are listed in VM_TESTS only so that
# `make tests` builds them. ktlsd-session is a daemon-mode session through
# libktls's public calls, stepped from a poll() loop (session.sh).

KTLSD_CLIENT := $(BUILD)/selftests/ktlsd/bin/ktlsd-client
KTLSD_SESSION := $(BUILD)/selftests/ktlsd/bin/ktlsd-session
VM_TESTS += $(KTLSD_CLIENT) $(KTLSD_SESSION)

$(KTLSD_CLIENT) $(KTLSD_SESSION): $(BUILD)/selftests/ktlsd/bin/%: \
		$(BUILD)/selftests/ktlsd/%.o $(BUILD)/lib/libktls.a
	$(quiet) LD $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(KTLS_LDFLAGS) -o $@ $< \
		$(BUILD)/lib/libktls.a $(KTLS_DEP_LIBS) -lpthread
