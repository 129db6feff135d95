# SPDX-License-Identifier: GPL-2.0
#
# bcache: out-of-tree build of the module and its userspace tools.
#
#   make                 module (against KDIR) and tools
#   make check           every test: host tests, unit/fuzz, style, VM suite
#   make check T=quick   one test, area or group (see tests/run --list)
#   make check-debug     the suite (or T=...) on a KASAN/lockdep/kmemleak kernel
#   make demo            the cache at work on virtual disks in QEMU
#   make bench           ours vs in-tree bcache vs dm-cache in one VM (BENCH_QUICK=1)
#   make install         module, tools, man pages, udev rules, initramfs hook
#                        (PREFIX, DESTDIR); make uninstall removes them
#   make dkms-install    register the sources with DKMS, build and install

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
	fuzz style demo install uninstall install-stage dkms-source dkms-install \
	dkms-uninstall debug-module compile-test help

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

# Benchmarks (scripts/bench.sh): reports ratios, fails only if a phase could
# not run. BENCH_QUICK=1 is a short smoke run.
.PHONY: bench
bench: deps
	$(MAKE) module tools
	scripts/bench.sh

# ---- install -------------------------------------------------------------
#
# Everything is staged in build/install, checked (nothing may land on a path
# owned by a Debian package or used by bcache-tools) and copied to DESTDIR by
# scripts/install-files.sh, which records each file in MANIFEST; uninstall
# removes what MANIFEST lists. Paths outside PREFIX are fixed by what reads
# them (udev, initramfs-tools, depmod) and can be overridden.
SBINDIR = $(PREFIX)/sbin
UDEVRULESDIR ?= /etc/udev/rules.d
INITRAMFSDIR ?= /etc/initramfs-tools
DEPMODDIR ?= /etc/depmod.d
MANIFEST ?= $(PREFIX)/share/bcache/manifest
STAGE ?= $(CURDIR)/build/install
# The DKMS package (not "bcache": that is the name of the in-tree module).
DKMS_NAME := bcache-ssd
# Computed once: a commit during dkms-install must not change it halfway.
ifeq ($(origin VERSION),undefined)
VERSION := 0.1.$(shell git rev-list --count HEAD 2>/dev/null || echo 0)
endif
DKMS_SRCROOT ?= /usr/src
DKMS_SRCDIR = $(DKMS_SRCROOT)/$(DKMS_NAME)-$(VERSION)
# Kernel release for dkms-install (default: dkms's own, the running kernel).
DKMS_KVER ?=
DKMS_K = $(if $(DKMS_KVER),-k $(DKMS_KVER))
DKMS_FLAGS ?=
UDEV_RULES_IN := scripts/udev/68-bcache-register.rules.in
# Secure Boot: sign the installed module with a Machine Owner Key, e.g.
# MODSIGN_KEY=/var/lib/dkms/mok.key MODSIGN_CERT=/var/lib/dkms/mok.pub.
MODSIGN_KEY ?=
MODSIGN_CERT ?=
MODSIGN_HASH ?= sha256
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@UDEVRULESDIR@|$(UDEVRULESDIR)|g' \
	-e 's|@VERSION@|$(VERSION)|g' -e 's|@DKMS_NAME@|$(DKMS_NAME)|g'

install: install-stage
	scripts/install-files.sh install $(STAGE) "$(DESTDIR)" $(MANIFEST)
	@echo "Installed. If the root filesystem or anything needed at boot is on"
	@echo "/dev/bcacheN, rebuild the initramfs: update-initramfs -u -k all"

# The module goes to /lib/modules/KVER/extra; since the in-tree module has the
# same name, a depmod.d override makes modprobe prefer ours. Kbuild's own
# signing (CONFIG_MODULE_SIG_ALL) needs the kernel's private key, which
# Debian does not ship: MODSIGN_KEY/MODSIGN_CERT sign with a MOK instead.
install-stage: module tools
	rm -rf $(STAGE)
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra \
		INSTALL_MOD_PATH=$(STAGE) CONFIG_MODULE_SIG_ALL= modules_install
	find $(STAGE)/lib/modules -maxdepth 2 -name 'modules.*' -delete
	if [ -n "$(MODSIGN_KEY)$(MODSIGN_CERT)" ]; then \
		[ -f "$(MODSIGN_KEY)" ] && [ -f "$(MODSIGN_CERT)" ] || \
			{ echo "MODSIGN_KEY and MODSIGN_CERT must both name files" >&2; exit 1; }; \
		find $(STAGE)/lib/modules -name '*.ko' -exec $(KDIR)/scripts/sign-file \
			$(MODSIGN_HASH) "$(MODSIGN_KEY)" "$(MODSIGN_CERT)" {} \; ; \
	fi
	$(MAKE) -C tools/make-bcache install PREFIX=$(PREFIX) DESTDIR=$(STAGE)
	install -d $(STAGE)$(DEPMODDIR)
	printf '%s\n' '# bcache (out-of-tree): prefer it to the in-tree module of the same name.' \
		'# Installed by make install; make uninstall removes it.' \
		'override bcache * extra/drivers/bcache' > $(STAGE)$(DEPMODDIR)/bcache.conf
	if [ -f $(UDEV_RULES_IN) ]; then \
		install -d $(STAGE)$(UDEVRULESDIR) && \
		$(SUBST) $(UDEV_RULES_IN) > $(STAGE)$(UDEVRULESDIR)/68-bcache-register.rules; \
	fi
	install -d $(STAGE)$(INITRAMFSDIR)/hooks $(STAGE)$(INITRAMFSDIR)/scripts/local-top
	$(SUBST) scripts/initramfs/hook.in > $(STAGE)$(INITRAMFSDIR)/hooks/bcache-ssd
	$(SUBST) scripts/initramfs/local-top.in > $(STAGE)$(INITRAMFSDIR)/scripts/local-top/bcache-ssd
	chmod 0755 $(STAGE)$(INITRAMFSDIR)/hooks/bcache-ssd \
		$(STAGE)$(INITRAMFSDIR)/scripts/local-top/bcache-ssd

uninstall:
	scripts/install-files.sh uninstall "$(DESTDIR)" $(MANIFEST)

# ---- DKMS ------------------------------------------------------------------
#
# dkms-source copies the module's sources and dkms.conf to
# DESTDIR/usr/src/bcache-ssd-VERSION; dkms-install also runs dkms add, build
# and install (after removing every registered version), dkms-uninstall
# removes them from DKMS and /usr/src. DKMS_FLAGS go to every dkms command.
dkms-source:
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)
	install -d $(DESTDIR)$(DKMS_SRCDIR)
	find Kbuild drivers/bcache include \( -name 'Kbuild*' -o -name '*.[ch]' \) \
		! -name '*.mod.c' -type f | xargs cp --parents -t $(DESTDIR)$(DKMS_SRCDIR)
	cp LICENSE $(DESTDIR)$(DKMS_SRCDIR)/
	$(SUBST) scripts/dkms/dkms.conf > $(DESTDIR)$(DKMS_SRCDIR)/dkms.conf
	$(SUBST) scripts/dkms/dkms-version.h.in > $(DESTDIR)$(DKMS_SRCDIR)/dkms-version.h

dkms-install: dkms-uninstall
	$(MAKE) dkms-source DESTDIR= VERSION=$(VERSION)
	dkms add -m $(DKMS_NAME) -v $(VERSION) --sourcetree $(DKMS_SRCROOT) $(DKMS_FLAGS)
	dkms build -m $(DKMS_NAME) -v $(VERSION) $(DKMS_K) $(DKMS_FLAGS)
	dkms install -m $(DKMS_NAME) -v $(VERSION) $(DKMS_K) $(DKMS_FLAGS)

dkms-uninstall:
	for v in $$(dkms status -m $(DKMS_NAME) $(DKMS_FLAGS) 2>/dev/null | \
		sed -n 's|^$(DKMS_NAME)/\([^,:]*\).*|\1|p' | sort -u); do \
		dkms remove -m $(DKMS_NAME) -v $$v --all $(DKMS_FLAGS) || exit 1; \
		rm -rf $(DKMS_SRCROOT)/$(DKMS_NAME)-$$v; \
	done

help:
	@sed -n '3,14p' Makefile | sed 's/^# \{0,1\}//'
