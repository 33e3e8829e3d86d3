# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel's own kTLS selftest (tools/testing/selftests/net/tls.c), built
# from Debian's linux-source of each series with that series' uapi
# <linux/tls.h>. Both use the 6.12 kselftest harness, whose test filters let
# selftests/kernel/tls.sh run the suite in parallel shards (6.1's harness
# has none); tls.c includes "../kselftest_harness.h" relative to itself, so
# it is compiled from a copy in the build folder. selftests/kernel/tls.sh
# picks the binary that matches the booted kernel (sid takes 6.12's).

KERNEL_TLS_SERIES := 6.1 6.12
KERNEL_TLS_BINS := $(foreach s,$(KERNEL_TLS_SERIES),$(BUILD)/kernel-selftests/tls-$(s))
VM_TESTS += $(KERNEL_TLS_BINS)

$(BUILD)/kernel-selftests/tls-%: selftests/kernel/tls-compat.h
	$(quiet) CC $@
	$(Q)src=$$(tools/vm/fetch-source $*) && \
	harness=$$(tools/vm/fetch-source 6.12)/tools/testing/selftests && \
	dir=$(BUILD)/kernel-selftests/$* && \
	mkdir -p $$dir/net $$dir/uapi/linux && \
	cp $$src/include/uapi/linux/tls.h $$dir/uapi/linux/ && \
	cp $$src/tools/testing/selftests/net/tls.c $$dir/net/ && \
	$(CC) -O2 -g -D_GNU_SOURCE -w \
		-include selftests/kernel/tls-compat.h \
		-I$$dir/uapi -I$$harness/net -I$$harness \
		-o $@ $$dir/net/tls.c -lpthread
