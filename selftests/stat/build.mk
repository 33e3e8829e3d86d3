# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-stat tests are the scripts selftests/stat/*.sh; ktls-keys makes the
# known kTLS connections they look at. It is built one folder down so the
# runner, which runs every executable in build/selftests/<area>/, does not
# take it for a test, and listed in VM_TESTS only so `make tests` builds it.

KTLS_KEYS := $(BUILD)/selftests/stat/bin/ktls-keys
VM_TESTS += $(KTLS_KEYS)

$(KTLS_KEYS): $(BUILD)/selftests/stat/ktls-keys.o
	$(quiet) LD $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(KTLS_LDFLAGS) -o $@ $<
