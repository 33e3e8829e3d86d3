# SPDX-License-Identifier: GPL-2.0-or-later
#
# libktls: build/lib/libktls.a, build/lib/libktls.so.1 and its pkg-config
# file. Only the symbols libktls.map names are exported. The version must
# agree with KTLS_VERSION_* in include/ktls/ktls.h (selftests/unit/abi.sh);
# the soname follows the major version.

KTLS_LIB_VERSION := 1.0.0
KTLS_LIB_SONAME	:= libktls.so.$(firstword $(subst ., ,$(KTLS_LIB_VERSION)))
KTLS_LIB_SRCS	:= $(sort $(wildcard userspace/lib/*.c))
KTLS_LIB_OBJS	:= $(KTLS_LIB_SRCS:%.c=$(BUILD)/%.o)
KTLS_LIB_A	:= $(BUILD)/lib/libktls.a
KTLS_LIB_SO	:= $(BUILD)/lib/libktls.so.$(KTLS_LIB_VERSION)
KTLS_LIB_PC	:= $(BUILD)/lib/pkgconfig/libktls.pc
# our wolfSSL is inside libktls; Debian's is a library of its own
KTLS_PC_REQUIRES := $(if $(WOLFSSL_PREFIX),,wolfssl )liburing

MANPAGES += userspace/lib/ktls-policy.7
KTLS_DEP_CFLAGS	:= $(WOLFSSL_CFLAGS) $(shell pkg-config --cflags liburing 2>/dev/null)
KTLS_DEP_LIBS	:= $(WOLFSSL_LIBS) $(or $(shell pkg-config --libs liburing \
		     2>/dev/null),-luring)

EXTRA_CFLAGS_userspace/lib/ := -fPIC -fvisibility=hidden $(KTLS_DEP_CFLAGS)

LIBRARIES += $(KTLS_LIB_A) $(KTLS_LIB_SO) $(BUILD)/lib/$(KTLS_LIB_SONAME) \
	     $(BUILD)/lib/libktls.so $(KTLS_LIB_PC)

$(KTLS_LIB_A): $(KTLS_LIB_OBJS)
	$(quiet) AR $@
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(KTLS_LIB_SO): $(KTLS_LIB_OBJS) userspace/lib/libktls.map
	$(quiet) LD $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(KTLS_LDFLAGS) -shared \
		-Wl,-soname,$(KTLS_LIB_SONAME) \
		-Wl,--version-script,userspace/lib/libktls.map \
		-o $@ $(KTLS_LIB_OBJS) $(KTLS_DEP_LIBS)

$(BUILD)/lib/$(KTLS_LIB_SONAME) $(BUILD)/lib/libktls.so: $(KTLS_LIB_SO)
	$(Q)ln -sf $(notdir $<) $@

$(KTLS_LIB_PC): userspace/lib/libktls.pc.in userspace/lib/build.mk
	$(quiet) GEN $@
	@mkdir -p $(dir $@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(KTLS_LIB_VERSION)|' \
		-e 's|@REQUIRES@|$(KTLS_PC_REQUIRES)|' \
		$< > $@

# Host unit tests of the library, each compiled from the sources with
# AddressSanitizer and UBSan:
#   ktls-reasons    reasons, cipher mapping, handshakes up to setsockopt
#   ktls-policy     the certificate policy: every case of the test PKI's
#                   manifest, mutual TLS identity, anonymous mode
#   ktls-consumers  what the kernel's handshake upcall needs: TLS 1.3 PSK,
#                   DER identities per session, optional client
#                   certificates, no tickets, IP literals (against openssl)
#   ktls-alloc      allocations that fail (strdup wrapped at link time)
#   ktls-daemon     the daemon client against a fake ktlsd: reply version
#                   check, sized requests, daemon sessions' failures
#   ktls-txcharge   every send path charges the key's record limit alike
KTLS_LIB_UNIT := $(BUILD)/selftests/unit/ktls-reasons
KTLS_POLICY_UNIT := $(BUILD)/selftests/unit/ktls-policy
KTLS_CONSUMERS_UNIT := $(BUILD)/selftests/unit/ktls-consumers
KTLS_ALLOC_UNIT := $(BUILD)/selftests/unit/ktls-alloc
KTLS_DAEMON_UNIT := $(BUILD)/selftests/unit/ktls-daemon
KTLS_TXCHARGE_UNIT := $(BUILD)/selftests/unit/ktls-txcharge
KTLS_UNITS := $(KTLS_LIB_UNIT) $(KTLS_POLICY_UNIT) $(KTLS_CONSUMERS_UNIT) \
	      $(KTLS_ALLOC_UNIT) $(KTLS_DAEMON_UNIT) $(KTLS_TXCHARGE_UNIT)
HOST_TESTS += $(KTLS_UNITS)

$(KTLS_UNITS): $(BUILD)/selftests/unit/ktls-%: selftests/unit/ktls_%.c \
		$(KTLS_LIB_SRCS) $(wildcard userspace/lib/*.h) userspace/lib/build.mk \
		$(KTLSKIT_CACHE)/src/6.1/.done $(WOLFSSL_DEPS)
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all $(KTLS_CFLAGS) -U_FORTIFY_SOURCE \
		-Wno-missing-prototypes $(KTLS_DEP_CFLAGS) -I$(KSFT_INC) \
		-DUNIT_PKI='"$(abspath $(BUILD))/unit-pki/$(notdir $@)"' \
		-o $@ $< $(filter selftests/lib/%.c,$^) $(KTLS_LIB_SRCS) \
		$(KTLS_DEP_LIBS) -lpthread $(UNIT_LDFLAGS)

$(KTLS_ALLOC_UNIT): UNIT_LDFLAGS := -Wl,--wrap=strdup

# The thread-safety contract under ThreadSanitizer (which excludes ASan)
KTLS_THREADS_UNIT := $(BUILD)/selftests/unit/ktls-threads
HOST_TESTS += $(KTLS_THREADS_UNIT)

$(KTLS_THREADS_UNIT): selftests/unit/ktls_threads.c $(KTLS_LIB_SRCS) \
		$(wildcard userspace/lib/*.h) $(KTLSKIT_CACHE)/src/6.1/.done \
		$(WOLFSSL_DEPS)
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O1 -g -fsanitize=thread -fno-omit-frame-pointer \
		$(KTLS_CFLAGS) -U_FORTIFY_SOURCE -Wno-missing-prototypes \
		$(KTLS_DEP_CFLAGS) -I$(KSFT_INC) -o $@ $< $(KTLS_LIB_SRCS) \
		$(KTLS_DEP_LIBS) -lpthread

# OpenSSL as the peer (shared with the VM tests)
$(KTLS_CONSUMERS_UNIT): selftests/lib/ossl_peer.c selftests/lib/ossl_peer.h
