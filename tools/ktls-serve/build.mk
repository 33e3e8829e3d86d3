# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-serve: the HTTPS file server, linked statically against libktls
# (userspace/lib/build.mk is read after this file: name the archive), and
# its host unit test of the pure HTTP parts (parser, ranges, paths, types),
# built with AddressSanitizer and UBSan.

KTLS_SERVE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard tools/ktls-serve/*.c)))
KTLS_SERVE_PURE := tools/ktls-serve/http.c tools/ktls-serve/range.c \
		   tools/ktls-serve/path.c tools/ktls-serve/mime.c
KTLS_SERVE_UNIT := $(BUILD)/selftests/unit/serve-http

PROGRAMS += $(BUILD)/bin/ktls-serve
MANPAGES += tools/ktls-serve/ktls-serve.1
HOST_TESTS += $(KTLS_SERVE_UNIT)

EXTRA_CFLAGS_tools/ktls-serve/ := -Itools/common

$(BUILD)/bin/ktls-serve: $(KTLS_SERVE_OBJS) $(BUILD)/lib/libktls-tools.a \
			 $(BUILD)/lib/libktls.a
	$(quiet) LD $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(KTLS_LDFLAGS) -o $@ $(KTLS_SERVE_OBJS) \
		$(BUILD)/lib/libktls-tools.a $(BUILD)/lib/libktls.a \
		$(KTLS_DEP_LIBS) -lpthread

$(KTLS_SERVE_UNIT): selftests/unit/serve_http.c $(KTLS_SERVE_PURE) \
		    tools/ktls-serve/serve.h $(KTLSKIT_CACHE)/src/6.1/.done
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all $(KTLS_CFLAGS) -U_FORTIFY_SOURCE -Wno-missing-prototypes \
		-Itools/ktls-serve -I$(KSFT_INC) -o $@ \
		selftests/unit/serve_http.c $(KTLS_SERVE_PURE)
