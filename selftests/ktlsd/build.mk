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

# The request decoder, fuzzed: a short run on the host in make check
# (HOST_TESTS, under ASan and UBSan), ten million executions of the
# libFuzzer build in make fuzz.
KTLSD_FUZZ_SRCS := selftests/ktlsd/fuzz-request.c userspace/ktlsd/request.c
KTLSD_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_TESTS += $(BUILD)/selftests/unit/ktlsd-request

$(BUILD)/selftests/unit/ktlsd-request: $(KTLSD_FUZZ_SRCS) userspace/ktlsd/ktlsd.h \
		include/ktls/ktlsd.h
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O1 -g $(KTLS_CFLAGS) $(KTLSD_SAN) -o $@ $(KTLSD_FUZZ_SRCS)

KTLSD_FUZZER := $(BUILD)/fuzz/ktlsd-request
KTLSD_FUZZ_RUNS ?= 10000000

.PHONY: fuzz
fuzz: $(KTLSD_FUZZER) $(BUILD)/selftests/unit/ktlsd-request
	$(Q)mkdir -p $(BUILD)/fuzz/ktlsd-request.corpus
	$(Q)$(BUILD)/selftests/unit/ktlsd-request --seeds \
		$(BUILD)/fuzz/ktlsd-request.corpus
	$(Q)$(KTLSD_FUZZER) -runs=$(KTLSD_FUZZ_RUNS) -max_len=8192 \
		$(BUILD)/fuzz/ktlsd-request.corpus

$(KTLSD_FUZZER): $(KTLSD_FUZZ_SRCS) userspace/ktlsd/ktlsd.h include/ktls/ktlsd.h
	$(quiet) CLANG $@
	@mkdir -p $(dir $@)
	$(Q)clang -O1 -g $(KTLS_CFLAGS) -DKTLSD_LIBFUZZER \
		-fsanitize=fuzzer,address,undefined -o $@ $(KTLSD_FUZZ_SRCS)
