# SPDX-License-Identifier: GPL-2.0-or-later
#
# libktls tests run in the VM: C programs with the kselftest harness
# (build/selftests/lib/NAME) plus the interop scripts (*.sh).

KTLS_LIBTEST_NAMES := handoff datapath posthandshake early-fin alerts \
	rx-install psk
KTLS_LIBTEST_BINS := $(KTLS_LIBTEST_NAMES:%=$(BUILD)/selftests/lib/%)
EXTRA_CFLAGS_selftests/lib/ = -I$(KSFT_INC) -Itools/common -Wno-missing-prototypes \
	-Wno-shadow

VM_TESTS += $(KTLS_LIBTEST_BINS)

$(KTLS_LIBTEST_BINS): $(BUILD)/selftests/lib/%: $(BUILD)/selftests/lib/%.o \
		$(BUILD)/selftests/lib/pair.o $(BUILD)/selftests/lib/ossl_peer.o \
		$(BUILD)/lib/libktls-tools.a $(BUILD)/lib/libktls.a
	$(quiet) LD $@
	$(Q)$(CC) $(CFLAGS) $(KTLS_LDFLAGS) -o $@ $< \
		$(BUILD)/selftests/lib/pair.o $(BUILD)/selftests/lib/ossl_peer.o \
		$(BUILD)/lib/libktls-tools.a $(BUILD)/lib/libktls.a \
		$(KTLS_DEP_LIBS) -lpthread
