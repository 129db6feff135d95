# SPDX-License-Identifier: GPL-2.0
#
# bcache: out-of-tree build of the module and its userspace tools.
#
#   make                 module (against KDIR) and tools
#   make check           every test: host tests, unit/fuzz, style, VM suite
#   make check T=quick   one test, area or group (see tests/run --list)
#   make check-debug     the suite (or T=...) on a KASAN/lockdep/kmemleak kernel
#   make demo            the cache at work on virtual disks in QEMU
#   make install         module, tools, man pages (PREFIX, DESTDIR)

# The newest installed Debian 6.1 build tree of the stock -amd64 flavour (not
# -rt or -cloud): this is not `uname -r`, because the build machine may run
# an unrelated kernel.
KDIR ?= $(shell ls -d /lib/modules/6.1.*-amd64/build 2>/dev/null | \
	grep -v -e '-rt-amd64/' -e '-cloud-amd64/' | sort -V | tail -n 1)
ifeq ($(KDIR),)
KDIR := /lib/modules/$(shell uname -r)/build
endif

PREFIX ?= /usr/local
DESTDIR ?=
T ?=

DEBUG_KDIR = $(shell tests/debug-kernel.sh --print-dir 2>/dev/null)/build
DEBUG_BUILD := build/debug

.PHONY: all module tools test-modules test-tools clean deps check check-debug check-unit \
	fuzz style demo install uninstall debug-module compile-test help

all: module tools test-modules test-tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools/make-bcache

# Test-only kernel modules (never installed).
test-modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/kmod modules

# Test-only userspace programs (never installed).
test-tools:
	$(MAKE) -C tests/tools

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/kmod clean
	$(MAKE) -C tools/make-bcache clean
	$(MAKE) -C tests/tools clean
	-$(MAKE) -C tests/unit clean
	-$(MAKE) -C tests/fuzz clean
	rm -rf build

# Installs (apt-get) whatever the build and the tests need, if missing.
deps:
	scripts/install-deps.sh

check: deps
	$(MAKE) all
	tests/run $(T)

# The debug kernel is built once per machine (~16 min on 2 cores) and cached
# outside the clone; the module is built against it in build/debug.
debug-module:
	tests/debug-kernel.sh >/dev/null
	mkdir -p $(DEBUG_BUILD)
	rsync -a --delete --exclude build --exclude tests/results --exclude .git \
		--include '*/' --exclude '*.mod.c' --include 'Kbuild*' --include '*.[ch]' --exclude '*' \
		./ $(DEBUG_BUILD)/
	$(MAKE) -C $(DEBUG_KDIR) M=$(CURDIR)/$(DEBUG_BUILD) modules
	$(MAKE) -C $(DEBUG_KDIR) M=$(CURDIR)/$(DEBUG_BUILD)/tests/kmod modules

check-debug: deps
	$(MAKE) all debug-module
	tests/run --debug $(T)

check-unit:
	$(MAKE) -C tests/unit check

fuzz:
	$(MAKE) -C tests/fuzz check

# Style gates: W=1, sparse, checkpatch --strict, kernel-doc (also run by make check).
style:
	tests/run style

# Compile-test against every installed Debian 6.1 flavour (amd64, rt, cloud).
compile-test:
	scripts/compile-test.sh

demo: deps
	$(MAKE) all
	scripts/demo.sh

install: module tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra INSTALL_MOD_PATH=$(DESTDIR) modules_install
	$(MAKE) -C tools/make-bcache install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

help:
	@sed -n '3,12p' Makefile | sed 's/^# \{0,1\}//'
