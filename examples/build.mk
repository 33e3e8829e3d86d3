# SPDX-License-Identifier: GPL-2.0-or-later
#
# The examples built as a program outside this tree builds them: `make
# install DESTDIR=build/examples/stage PREFIX=/usr`, then examples/Makefile
# with pkg-config alone. PKG_CONFIG_SYSROOT_DIR puts the stage in front of
# the .pc file's /usr paths; the system's .pc folders stay on the search
# path for libktls's Requires.private. The programs must link to the
# shared libktls. Part of `make tests`, so make check fails when they no
# longer build; selftests/lib/examples.sh runs them in a VM.

EXAMPLES_STAGE	:= $(abspath $(BUILD))/examples/stage
EXAMPLES_STAMP	:= $(BUILD)/examples/.staged
EXAMPLES_BINS	:= $(BUILD)/examples/bin/https-server \
		   $(BUILD)/examples/bin/https-get
EXAMPLES_PKG	:= PKG_CONFIG_SYSROOT_DIR=$(EXAMPLES_STAGE) \
	PKG_CONFIG_LIBDIR=$(EXAMPLES_STAGE)/usr/lib/pkgconfig:$(shell \
		pkg-config --variable pc_path pkg-config)

tests: $(EXAMPLES_BINS)

$(EXAMPLES_STAMP): $(LIBRARIES) $(PROGRAMS) $(MANPAGES) \
		$(wildcard include/ktls/*.h) scripts/install examples/build.mk
	$(quiet) STAGE $(EXAMPLES_STAGE)
	$(Q)rm -rf $(EXAMPLES_STAGE)
	$(Q)$(MAKE) install DESTDIR=$(EXAMPLES_STAGE) PREFIX=/usr >/dev/null
	$(Q)touch $@

# examples/Makefile knows only the source: the old program goes, so that a
# new library (a new soname) is linked again
$(BUILD)/examples/bin/%: examples/%.c examples/Makefile $(EXAMPLES_STAMP)
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)$(EXAMPLES_PKG) $(MAKE) -s -C examples O=$(abspath $(dir $@)) \
		$(abspath $@) >/dev/null
	$(Q)readelf -d $@ | grep -q 'NEEDED.*\[libktls\.so\.' || \
		{ echo "$@: not linked to the shared libktls" >&2; rm -f $@; exit 1; }
