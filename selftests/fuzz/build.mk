# SPDX-License-Identifier: GPL-2.0-or-later
#
# libFuzzer targets (make fuzz, never make check): each is built with clang
# -fsanitize=fuzzer,address,undefined from the product's own sources, also
# compiled with clang and the same sanitizers into build/fuzz/obj/, and
# run by selftests/fuzz/run from its committed seed corpus
# selftests/fuzz/corpus/NAME. See selftests/README.md.
#
# This file is read before userspace/lib/build.mk: it names the sources
# itself rather than use that file's lists.

FUZZ_CC		:= clang
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS	:= -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) \
		   -fsanitize=fuzzer-no-link $(KTLS_CFLAGS) -U_FORTIFY_SOURCE
FUZZ_OBJ	:= $(BUILD)/fuzz/obj
FUZZ_LIB_A	:= $(BUILD)/fuzz/libktls.a
FUZZ_LIB_OBJS	:= $(patsubst %.c,$(FUZZ_OBJ)/%.o,$(sort $(wildcard userspace/lib/*.c)))
FUZZ_KTLSD	:= $(addprefix $(FUZZ_OBJ)/userspace/ktlsd/,config.o handshake.o \
		   job.o client.o handback.o slot.o reply.o \
		   keep.o log.o request.o worker.o config_kernel.o kjob.o \
		   keyring.o upcall.o) $(FUZZ_OBJ)/tools/common/sni_spec.o
FUZZ_SERVE	:= $(addprefix $(FUZZ_OBJ)/tools/ktls-serve/,http.o path.o \
		   range.o mime.o)

FUZZERS := ktlsd-request ktlsd-jobs ktlsd-config daemon-reply feed serve-http
FUZZ_BINS := $(addprefix $(BUILD)/fuzz/,$(FUZZERS))

$(FUZZ_OBJ)/%.o: %.c $(WOLFSSL_DEPS)
	$(quiet) CLANG $@
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(KTLS_DEP_CFLAGS) -Iselftests/fuzz \
		-Itools/ktls-serve $(EXTRA_CFLAGS_userspace/ktlsd/) \
		$(FUZZ_EXTRA) -MMD -MP -c -o $@ $<

# ktlsd-request.c is also the host unit test: without main() here.
$(FUZZ_OBJ)/selftests/fuzz/ktlsd-request.o: FUZZ_EXTRA := -DKTLSD_LIBFUZZER

$(FUZZ_LIB_A): $(FUZZ_LIB_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# One link line for all: the target's objects, then what they pull in.
FUZZ_LINK = $(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@

$(BUILD)/fuzz/ktlsd-request: $(FUZZ_OBJ)/selftests/fuzz/ktlsd-request.o \
		$(FUZZ_OBJ)/userspace/ktlsd/request.o
	$(quiet) LD $@
	$(Q)$(FUZZ_LINK) $^

$(BUILD)/fuzz/ktlsd-jobs: $(FUZZ_OBJ)/selftests/fuzz/ktlsd-jobs.o \
		$(FUZZ_KTLSD) $(FUZZ_LIB_A)
	$(quiet) LD $@
	$(Q)$(FUZZ_LINK) $^ $(KTLS_DEP_LIBS) $(KTLSD_LIBS) -lpthread

$(BUILD)/fuzz/ktlsd-config: $(FUZZ_OBJ)/selftests/fuzz/ktlsd-config.o \
		$(FUZZ_OBJ)/userspace/ktlsd/config.o \
		$(FUZZ_OBJ)/userspace/ktlsd/config_kernel.o \
		$(FUZZ_OBJ)/userspace/ktlsd/log.o \
		$(FUZZ_OBJ)/tools/common/sni_spec.o $(FUZZ_LIB_A)
	$(quiet) LD $@
	$(Q)$(FUZZ_LINK) -Wl,--wrap=ktls_ctx_new $^ $(KTLS_DEP_LIBS) -lpthread

$(BUILD)/fuzz/daemon-reply: $(FUZZ_OBJ)/selftests/fuzz/daemon-reply.o \
		$(FUZZ_LIB_A)
	$(quiet) LD $@
	$(Q)$(FUZZ_LINK) $^ $(KTLS_DEP_LIBS) -lpthread

# The kernel's part is played by the target: record I/O and the kTLS
# socket options are redirected to it at link time (feed.c says how).
FUZZ_FEED_WRAP := -Wl,--wrap=ktls_fd_recv_record,--wrap=ktls_fd_send_record \
		  -Wl,--wrap=setsockopt,--wrap=__ktls_feed

$(BUILD)/fuzz/feed: $(FUZZ_OBJ)/selftests/fuzz/feed.o $(FUZZ_LIB_A)
	$(quiet) LD $@
	$(Q)$(FUZZ_LINK) $(FUZZ_FEED_WRAP) $^ $(KTLS_DEP_LIBS) -lpthread

$(BUILD)/fuzz/serve-http: $(FUZZ_OBJ)/selftests/fuzz/serve-http.o \
		$(FUZZ_SERVE)
	$(quiet) LD $@
	$(Q)$(FUZZ_LINK) $^

.PHONY: fuzz-build
fuzz-build: $(FUZZ_BINS)

# The request decoder also runs in make check, as a host unit test without
# libFuzzer: main() in ktlsd-request.c mutates the seeds itself.
KTLSD_FUZZ_SRCS := selftests/fuzz/ktlsd-request.c userspace/ktlsd/request.c
HOST_TESTS += $(BUILD)/selftests/unit/ktlsd-request

$(BUILD)/selftests/unit/ktlsd-request: $(KTLSD_FUZZ_SRCS) \
		userspace/ktlsd/ktlsd.h include/ktls/ktlsd.h
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O1 -g $(KTLS_CFLAGS) $(FUZZ_SAN) -o $@ $(KTLSD_FUZZ_SRCS)
