# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="make install and uninstall without DESTDIR (in a mount namespace over overlays): depmod runs and modprobe picks our module, then the in-tree one again"
TEST_GROUPS="install"
HOST=1
TIMEOUT=600

KVER=

requires()
{
	_have_program make unshare mount findmnt modinfo depmod
	[ "$(id -u)" -eq 0 ] || skip "mount namespaces and overlays need root"
	[ -f "$REPO/drivers/bcache/bcache.ko" ] || skip "the module is not built (run make)"
	KVER=$(ls -d /lib/modules/6.1.*-amd64/build 2>/dev/null | grep -v -e '-rt-amd64/' \
		-e '-cloud-amd64/' | sort -V | tail -n 1 | cut -d/ -f4)
	[ -n "$KVER" ] || skip "no Debian 6.1 -amd64 headers"
	[ -d "/lib/modules/$KVER/kernel" ] || skip "linux-image-$KVER is not installed"
	unshare --mount true 2>/dev/null || skip "cannot create a mount namespace"
	[ ! -e /etc/depmod.d/bcache.conf ] || skip "bcache is installed on this host"
}

# in_ns OVL: runs in a private mount namespace. Every directory make install
# writes to is an overlay whose upper layer is in OVL, so the host's files
# are never touched; /run/udev is hidden so that no udevd is poked.
in_ns()
{
	local ovl=$1 d n=0 mods man=/usr/local/share/bcache/manifest

	mods=$(readlink -f /lib/modules)
	for d in "$mods" /etc /usr/local; do
		n=$((n + 1))
		mkdir -p "$ovl/$n/upper" "$ovl/$n/work"
		mount -t overlay overlay -o "lowerdir=$d,upperdir=$ovl/$n/upper,workdir=$ovl/$n/work" "$d"
		[ "$(findmnt -n -o FSTYPE --target "$d")" = overlay ] || fail "$d is not an overlay"
	done
	if [ -d /run/udev ]; then
		mkdir -p "$ovl/udev"
		mount --bind "$ovl/udev" /run/udev
	fi

	expect_eq "$(modinfo -k "$KVER" -n bcache)" \
		"/lib/modules/$KVER/kernel/drivers/md/bcache/bcache.ko" "module before the install"
	make -C "$REPO" -s -o module -o tools STAGE="$TMPDIR/stage" install > "$TMPDIR/install.log" 2>&1 ||
		{ cat "$TMPDIR/install.log"; fail "make install failed"; }
	grep -qx "depmod -a $KVER" "$TMPDIR/install.log" || fail "make install did not run depmod"
	expect_eq "$(modinfo -k "$KVER" -n bcache)" \
		"/lib/modules/$KVER/extra/drivers/bcache/bcache.ko" "module modprobe loads after the install"
	modprobe -S "$KVER" --show-depends bcache | grep -q 'extra/drivers/bcache/bcache.ko' ||
		fail "modprobe would not load our module"
	for d in /usr/local/sbin/bcachectl "$man" /etc/depmod.d/bcache.conf \
		 /etc/initramfs-tools/hooks/bcache-ssd /etc/udev/rules.d/68-bcache-register.rules; do
		[ -e "$d" ] || fail "$d is missing after make install"
	done

	make -C "$REPO" -s uninstall > "$TMPDIR/uninstall.log" 2>&1 ||
		{ cat "$TMPDIR/uninstall.log"; fail "make uninstall failed"; }
	grep -qx "depmod -a $KVER" "$TMPDIR/uninstall.log" || fail "make uninstall did not run depmod"
	expect_eq "$(modinfo -k "$KVER" -n bcache)" \
		"/lib/modules/$KVER/kernel/drivers/md/bcache/bcache.ko" "module after the uninstall"
	for d in "$man" /usr/local/sbin/bcachectl /etc/depmod.d/bcache.conf \
		 /etc/initramfs-tools/hooks/bcache-ssd "/lib/modules/$KVER/extra/drivers/bcache"; do
		[ ! -e "$d" ] || fail "$d is left after make uninstall"
	done
}

test()
{
	local before

	before=$(sha256sum "/lib/modules/$KVER/modules.dep")
	unshare --mount --propagation private -- bash -c "
		set -eE -o pipefail
		trap 'echo \"FAIL: line \$LINENO: \$BASH_COMMAND (exit \$?)\" >&2' ERR
		$(declare -f in_ns fail expect_eq)
		REPO=$(printf %q "$REPO") TMPDIR=$(printf %q "$TMPDIR") KVER=$KVER
		in_ns $(printf %q "$TMPDIR/ovl")"

	# Nothing reached the host.
	expect_eq "$(sha256sum "/lib/modules/$KVER/modules.dep")" "$before" "the host's modules.dep"
	[ ! -e /etc/depmod.d/bcache.conf ] || fail "the host's /etc was written"
	[ ! -e /usr/local/share/bcache ] || fail "the host's /usr/local was written"
	[ ! -e "/lib/modules/$KVER/extra/drivers/bcache" ] || fail "the host's /lib/modules was written"
}
