# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-bench: throughput and handshake benchmark, linked statically against
# libktls, and against OpenSSL for the user-space reference path.

KTLS_BENCH_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard tools/ktls-bench/*.c)))
KTLS_BENCH_LIBS := $(shell pkg-config --libs libssl libcrypto 2>/dev/null \
		     || echo -lssl -lcrypto)

PROGRAMS += $(BUILD)/bin/ktls-bench
MANPAGES += tools/ktls-bench/ktls-bench.1

EXTRA_CFLAGS_tools/ktls-bench/ := -Itools/common

$(BUILD)/bin/ktls-bench: $(KTLS_BENCH_OBJS) $(BUILD)/lib/libktls-tools.a \
			 $(BUILD)/lib/libktls.a
	$(quiet) LD $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(KTLS_LDFLAGS) -o $@ $(KTLS_BENCH_OBJS) \
		$(BUILD)/lib/libktls-tools.a $(BUILD)/lib/libktls.a \
		$(KTLS_DEP_LIBS) $(KTLS_BENCH_LIBS) \
		-lpthread -lm
