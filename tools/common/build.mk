# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers shared by the command-line tools (JSON output), as a static
# archive each tool links; tools add -Itools/common to find the headers.

KTLS_TOOLS_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard tools/common/*.c)))

$(BUILD)/lib/libktls-tools.a: $(KTLS_TOOLS_OBJS)
	$(quiet) AR $@
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
