# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="mkinitramfs with the installed hook carries our module (not the in-tree one), the rules, probe-bcache, bcachectl and the registry"
TEST_GROUPS="install"
HOST=1
TIMEOUT=600

KVER=

requires()
{
	_have_program make mkinitramfs lsinitramfs unmkinitramfs chroot modinfo unshare
	[ "$(id -u)" -eq 0 ] || skip "chroot and mknod need root"
	[ -f "$REPO/drivers/bcache/bcache.ko" ] || skip "the module is not built (run make)"
	KVER=$(ls -d /lib/modules/6.1.*-amd64/build 2>/dev/null | grep -v -e '-rt-amd64/' \
		-e '-cloud-amd64/' | sort -V | tail -n 1 | cut -d/ -f4)
	[ -n "$KVER" ] || skip "no Debian 6.1 -amd64 headers"
	[ -f "/lib/modules/$KVER/modules.dep" ] || skip "linux-image-$KVER is not installed"
}

# has LIST PATH: the image listing has PATH (under / or, merged-/usr, /usr).
has()
{
	grep -qx -e "$2" -e "usr/$2" "$1"
}

# inimg ROOT CMD...: run CMD chrooted in an unpacked image, with /proc
# mounted as at boot (klibc's readlink -f needs it), in a private mount
# namespace so that nothing stays mounted.
inimg()
{
	# shellcheck disable=SC2016
	unshare --mount --propagation private -- \
		sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$@"
}

# check_image BUSYBOX: build an image with BUSYBOX=auto (busybox's tools) or
# n (klibc's) and check it.
check_image()
{
	local bb=$1 root=$TMPDIR/root conf=$TMPDIR/conf-$1 img=$TMPDIR/initrd-$1.img
	local list=$TMPDIR/list-$1 x=$TMPDIR/x-$1 main sbin=usr/local/sbin ko
	local reg=etc/bcache/devices p

	echo "== BUSYBOX=$bb"
	# The installed hook and script, with Debian's initramfs.conf; MODULES=list
	# keeps the image small (the host runs another kernel). The list asks
	# for the in-tree bcache.ko, as MODULES=most and bcache-tools' hook do:
	# the hook must take it out again.
	mkdir -p "$conf/conf.d"
	cp -a "$root/etc/initramfs-tools/hooks" "$root/etc/initramfs-tools/scripts" "$conf/"
	sed -e 's/^MODULES=.*/MODULES=list/' -e 's/^COMPRESS=.*/COMPRESS=gzip/' \
		-e "s/^BUSYBOX=.*/BUSYBOX=$bb/" /etc/initramfs-tools/initramfs.conf > "$conf/initramfs.conf"
	echo bcache > "$conf/modules"
	BCACHE_HOOK_ROOT=$root mkinitramfs -d "$conf" -o "$img" "$KVER" > "$TMPDIR/mkinitramfs-$bb.log" 2>&1 ||
		{ tail -n 30 "$TMPDIR/mkinitramfs-$bb.log"; fail "mkinitramfs failed"; }
	grep 'bcache-ssd' "$TMPDIR/mkinitramfs-$bb.log" && fail "the hook warned"

	lsinitramfs "$img" > "$list"
	has "$list" "lib/modules/$KVER/updates/bcache-ssd/bcache.ko" || fail "our module is missing"
	! has "$list" "lib/modules/$KVER/kernel/drivers/md/bcache/bcache.ko" ||
		fail "the in-tree bcache.ko is in the image too"
	has "$list" "lib/modules/$KVER/kernel/lib/libcrc32c.ko" ||
		fail "libcrc32c.ko (a dependency) is missing"
	has "$list" "lib/udev/rules.d/68-bcache-register.rules" || fail "the udev rules are missing"
	has "$list" "$sbin/probe-bcache" || fail "probe-bcache is missing"
	has "$list" "$sbin/bcachectl" || fail "bcachectl is missing"
	has "$list" "$reg" || fail "the registry is missing"
	has "$list" "scripts/local-top/bcache-ssd" || fail "the local-top script is missing"
	has "$list" "bin/bash" || fail "bash (for bcachectl) is missing"
	# bcachectl loads the module with modinfo and modprobe (or insmod).
	for p in modinfo modprobe insmod; do
		has "$list" "sbin/$p" || has "$list" "bin/$p" || fail "$p is missing"
	done

	# Unpacked: the right contents, and the tools run inside it.
	unmkinitramfs "$img" "$x"
	main=$x
	[ -d "$x/main" ] && main=$x/main
	ko=$main/lib/modules/$KVER/updates/bcache-ssd/bcache.ko
	[ -f "$ko" ] || ko=$main/usr/lib/modules/$KVER/updates/bcache-ssd/bcache.ko
	cmp "$ko" "$root/lib/modules/$KVER/extra/drivers/bcache/bcache.ko" ||
		fail "the module in the image is not the installed one"
	grep -rq 'updates/bcache-ssd/bcache.ko:' "$main"/*lib/modules/"$KVER"/modules.dep ||
		fail "modules.dep in the image does not list our module"
	cmp "$main/$reg" "$root/$reg" || fail "the registry differs"
	cmp "$main"/*lib/udev/rules.d/68-bcache-register.rules \
		"$root/etc/udev/rules.d/68-bcache-register.rules" || fail "the rules differ"
	grep -q 'local-top/bcache-ssd' "$main/scripts/local-top/ORDER" ||
		fail "the local-top script is not run (not in ORDER)"
	grep -q '^SBINDIR=/usr/local/sbin$' "$main/scripts/local-top/bcache-ssd" ||
		fail "the local-top script does not know the sbin dir"
	chroot "$main" /bin/sh -n /scripts/local-top/bcache-ssd || fail "local-top does not parse"

	# bcachectl runs inside the image (bash, its libraries and programs),
	# and reads the registry there. The image gets /dev from devtmpfs.
	mkdir -p "$main/dev" "$main/proc"
	[ -c "$main/dev/null" ] || mknod -m 666 "$main/dev/null" c 1 3
	inimg "$main" "/$sbin/bcachectl" --help > "$TMPDIR/help" 2>&1 ||
		{ cat "$TMPDIR/help"; fail "bcachectl --help fails inside the image"; }
	inimg "$main" "/$sbin/bcachectl" list > "$TMPDIR/bclist" 2>&1 ||
		{ cat "$TMPDIR/bclist"; fail "bcachectl list fails inside the image"; }
	grep -q '5b4cfa61-5f3e-4a44-9c7e-0a1b2c3d4e5f' "$TMPDIR/bclist" ||
		{ cat "$TMPDIR/bclist"; fail "bcachectl list does not show the registry entry"; }
	# bcachectl register --background detaches with setsid -f (busybox's
	# setsid has no -f).
	inimg "$main" setsid -f /bin/true || fail "setsid -f does not work inside the image"
	# probe-bcache (and libblkid) run there and recognise a cache device.
	truncate -s 128M "$main/cache.img"
	"$REPO/tools/make-bcache/make-bcache" -C "$main/cache.img" --quiet
	inimg "$main" "/$sbin/probe-bcache" -o udev /cache.img | grep -qx 'ID_FS_TYPE=bcache_ssd' ||
		fail "probe-bcache does not work inside the image"
	rm -rf "$x" "$img"
}

test()
{
	local root=$TMPDIR/root

	make -C "$REPO" -s -o module -o tools STAGE="$TMPDIR/stage" install DESTDIR="$root" \
		> "$TMPDIR/install.log" 2>&1 || { cat "$TMPDIR/install.log"; fail "make install failed"; }
	mkdir -p "$root/etc/bcache"
	printf '%s\n' '# test registry' \
		'PARTUUID=0d7f1c2e-8a7b-4e55-9d7c-3c1f6a2b9e10	5b4cfa61-5f3e-4a44-9c7e-0a1b2c3d4e5f	label=data' \
		> "$root/etc/bcache/devices"
	check_image auto
	check_image n
}
