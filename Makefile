# SPDX-License-Identifier: GPL-2.0-or-later
#
# One build for ktlskit: user space (library, daemon, tools, tests) and
# every kernel module under kmod/.
#
#   make                 user space, and modules if kernel headers are found
#   make KDIR=DIR        modules against the kernel headers in DIR
#   make V=1             show full commands
#   make check           the test suite (checkpatch, host unit tests, then VMs)
#   make run             the main job (see README.md)
#   make bench           benchmark matrix and nginx comparison in a VM,
#                        results in bench/results/ (KERNEL=6.1|6.12|sid,
#                        QUICK=1 for a small run into build/bench/,
#                        NATIVE=1: only the native handshake table;
#                        COST=1: instruction counts per GiB, request and
#                        connection in an --icount VM, KTLS_SERVE="n=path"
#                        adds another ktls-serve build)
#   make install         library, headers, libktls.pc, programs, man pages,
#                        the systemd unit and (if none) the example config;
#                        PREFIX=/usr/local DESTDIR= LIBDIR=$(PREFIX)/lib
#                        BINDIR SBINDIR INCLUDEDIR MANDIR SYSCONFDIR
#                        SYSTEMDUNITDIR (see README.md)
#   make uninstall       removes what install put (not a changed config)
#   make deb             the Debian packages (dpkg-buildpackage -b in a copy
#                        of the tree), into build/debs/KEY/ (see debian/)
#   make style           checkpatch over our C (also the first step of check)
#   make fuzz            every libFuzzer target in selftests/fuzz/ for a
#                        fixed count (FUZZ_RUNS=200000, FUZZ_TARGETS=...)
#
# Each component has a build.mk in its folder that adds to the lists below;
# see selftests/README.md for how tests are found.

# Kept as plain variables so build.mk files can append.
BUILD		:= build
PROGRAMS	:=
LIBRARIES	:=
HOST_TESTS	:=
VM_TESTS	:=
MANPAGES	:=

# Where make install puts things (DESTDIR is prepended to each).
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
MANDIR		?= $(PREFIX)/share/man
SYSCONFDIR	?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
SYSTEMDUNITDIR	?= $(PREFIX)/lib/systemd/system
KTLSKIT_CACHE	?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/ktlskit

CC		?= cc
CFLAGS		?= -O2 -g
KTLS_CFLAGS	:= -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
		   -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
		   -fno-strict-aliasing -fstack-protector-strong \
		   -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -Iinclude
KTLS_LDFLAGS	:= -Wl,-z,relro,-z,now

ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-8s %s\n'
MAKEFLAGS += --no-print-directory
endif

# wolfSSL: by default ours, built by scripts/wolfssl from Debian's source
# package with assembly, middlebox compatibility and the TLS 1.3 secret
# callback, and linked statically into libktls; WOLFSSL=system uses
# Debian's libwolfssl as installed (slower, no TLS 1.3 key log, and
# libktls then writes the compatibility change_cipher_spec itself).
WOLFSSL		?= ktlskit
ifeq ($(WOLFSSL),system)
WOLFSSL_CFLAGS	:= $(shell pkg-config --cflags wolfssl 2>/dev/null)
WOLFSSL_LIBS	:= $(or $(shell pkg-config --libs wolfssl 2>/dev/null),-lwolfssl)
WOLFSSL_STAMP	:=
WOLFSSL_ID	:= system
else ifeq ($(WOLFSSL),ktlskit)
WOLFSSL_PREFIX	:= $(shell scripts/wolfssl --prefix)
WOLFSSL_STAMP	:= $(WOLFSSL_PREFIX)/.done
WOLFSSL_CFLAGS	:= -I$(WOLFSSL_PREFIX)/include
WOLFSSL_LIBS	:= $(WOLFSSL_PREFIX)/lib/libwolfssl.a -lm -lpthread
WOLFSSL_ID	:= $(WOLFSSL_PREFIX)
else
$(error WOLFSSL must be ktlskit (the default) or system)
endif

# Every object is rebuilt when the wolfSSL it is built against changes:
# $(BUILD)/wolfssl.id names it and is rewritten only when it differs.
WOLFSSL_ID_FILE	:= $(BUILD)/wolfssl.id
$(shell mkdir -p $(BUILD); [ "$$(cat $(WOLFSSL_ID_FILE) 2>/dev/null)" = \
	'$(WOLFSSL_ID)' ] || echo '$(WOLFSSL_ID)' > $(WOLFSSL_ID_FILE))
WOLFSSL_DEPS	:= $(WOLFSSL_ID_FILE) $(WOLFSSL_STAMP)

$(WOLFSSL_STAMP):
	$(Q)scripts/wolfssl >/dev/null

# The module's headers: the running kernel's, else the newest Debian headers
# tools/vm unpacked into the cache.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard $(KTLSKIT_CACHE)/kernels/*/headers))))
KMODS := $(wildcard kmod/*/Kbuild)

.PHONY: all userspace tests host-tests modules modules_clean check run bench style \
	fuzz clean help install uninstall deb
all: userspace modules

include $(sort $(wildcard userspace/*/build.mk tools/*/build.mk \
	selftests/build.mk selftests/*/build.mk))
# libktls(3), the overview, and a page per call or family of calls
MANPAGES += $(sort $(wildcard userspace/lib/man3/*.3))
# after the others: its rules name what they build
include examples/build.mk

# The kselftest harness for our own tests, from Debian's linux-source 6.1
# (tools/vm/fetch-source extracts it into the cache on first use).
KSFT_DIR	 = $(KTLSKIT_CACHE)/src/6.1
KSFT_INC	 = $(KSFT_DIR)/tools/testing/selftests

$(KSFT_DIR)/.done:
	$(Q)tools/vm/fetch-source 6.1 >/dev/null

userspace: $(LIBRARIES) $(PROGRAMS)
tests: userspace $(HOST_TESTS) $(VM_TESTS)
host-tests: $(HOST_TESTS)

$(BUILD)/%.o: %.c $(WOLFSSL_DEPS)
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(KTLS_CFLAGS) $(EXTRA_CFLAGS_$(dir $<)) \
		-MMD -MP -c -o $@ $<

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

ifeq ($(KMODS),)
modules:
	@:
else ifeq ($(KDIR),)
modules:
	@echo "  SKIP     modules: no kernel headers (make KDIR=... or run tools/vm/fetch-kernel 6.1)"
else
modules:
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) KCFLAGS=-Werror $(if $(V),V=$(V)) modules
endif

modules_clean:
	$(if $(KDIR),$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) clean)

check: export KTLSKIT_CHECK_START := $(shell date +%s)
check:
	$(Q)scripts/deps
	$(Q)scripts/style
	$(Q)$(MAKE) tests
	$(Q)selftests/run $(if $(FULL),--full) \
		$(if $(KERNELS),--kernels "$(KERNELS)") \
		$(if $(TESTS),--tests "$(TESTS)")

run:
	$(Q)scripts/deps
	$(Q)$(MAKE) userspace
	$(Q)scripts/run

bench:
	$(Q)scripts/deps
	$(Q)$(MAKE) userspace
	$(Q)scripts/bench $(if $(KERNEL),--kernel $(KERNEL)) $(if $(QUICK),--quick) \
		$(if $(NATIVE),--native-only) $(if $(COST),--cost) \
		$(foreach s,$(KTLS_SERVE),--ktls-serve $(s))

# Not part of make check: see selftests/README.md (Fuzzing).
fuzz:
	$(Q)scripts/deps fuzz
	$(Q)$(MAKE) fuzz-build
	$(Q)FUZZ_RUNS="$(FUZZ_RUNS)" FUZZ_TARGETS="$(FUZZ_TARGETS)" \
		selftests/fuzz/run

# checkpatch comes from Debian's linux-source, extracted into the cache.
style:
	$(Q)scripts/style

# Installing copies what was built: it never rebuilds for another PREFIX
# (the installed libktls.pc and unit are written with the paths given here).
INSTALL_VARS := DESTDIR PREFIX BINDIR SBINDIR LIBDIR INCLUDEDIR MANDIR \
	SYSCONFDIR SYSTEMDUNITDIR BUILD KTLS_LIB_SO KTLS_LIB_VERSION \
	KTLS_PC_REQUIRES PROGRAMS MANPAGES
install: userspace
	$(Q)$(foreach v,$(INSTALL_VARS),$(v)='$($(v))') scripts/install install

uninstall:
	$(Q)$(foreach v,$(INSTALL_VARS),$(v)='$($(v))') scripts/install uninstall

# Builds in its own copy (debian/rules uses make install): the folder it
# prints holds the .deb files, build.log and lintian.txt.
deb:
	$(Q)scripts/deps
	$(Q)scripts/debs

clean:
	$(Q)rm -rf $(BUILD)
	$(Q)find kmod -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
		-o -name '.*.cmd' -o -name 'modules.order' 2>/dev/null | xargs rm -f
	$(Q)rm -f Module.symvers modules.order

help:
	@sed -n 's/^#   //p' Makefile
