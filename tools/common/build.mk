# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers shared by the command-line tools and ktlsd (options, usage
# errors, the sni_cert syntax, JSON output), as a static archive each
# links; they add -Itools/common to find the headers.

KTLS_TOOLS_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard tools/common/*.c)))

$(BUILD)/lib/libktls-tools.a: $(KTLS_TOOLS_OBJS)
	$(quiet) AR $@
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# The shared parsers as a host unit test (ASan, UBSan)
TOOLS_CLI_UNIT := $(BUILD)/selftests/unit/tools-cli
HOST_TESTS += $(TOOLS_CLI_UNIT)

$(TOOLS_CLI_UNIT): selftests/unit/tools_cli.c tools/common/cli.c \
		   tools/common/cli.h tools/common/sni_spec.c \
		   tools/common/sni_spec.h $(KTLSKIT_CACHE)/src/6.1/.done
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all $(KTLS_CFLAGS) -U_FORTIFY_SOURCE \
		-Wno-missing-prototypes -Itools/common -I$(KSFT_INC) -o $@ \
		selftests/unit/tools_cli.c tools/common/cli.c \
		tools/common/sni_spec.c
