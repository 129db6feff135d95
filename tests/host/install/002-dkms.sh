# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="dkms add/build/install/remove of the sources against the Debian 6.1 headers, in private DKMS trees, with MOK signing"
TEST_GROUPS="install"
HOST=1
TIMEOUT=900

KVER=

requires()
{
	_have_program make dkms depmod modinfo openssl
	[ "$(id -u)" -eq 0 ] || skip "dkms needs root"
	KVER=$(ls -d /lib/modules/6.1.*-amd64/build 2>/dev/null | grep -v -e '-rt-amd64/' \
		-e '-cloud-amd64/' | sort -V | tail -n 1 | cut -d/ -f4)
	[ -n "$KVER" ] || skip "no Debian 6.1 -amd64 headers"
}

test()
{
	local t=$TMPDIR src name=bcache-ssd ver dep opts m ko before flags f

	# The sources as make dkms-source lays them out in /usr/src.
	make -C "$REPO" -s dkms-source DESTDIR="$t/src" > "$t/source.log" 2>&1 ||
		{ cat "$t/source.log"; fail "make dkms-source failed"; }
	src=$(echo "$t/src/usr/src/$name"-*)
	[ -f "$src/dkms.conf" ] || fail "no dkms.conf in $src"
	ver=${src##*/"$name"-}
	grep -qx "PACKAGE_VERSION=\"$ver\"" "$src/dkms.conf" || fail "dkms.conf has the wrong version"
	! grep -q '@[A-Z_]*@' "$src/dkms.conf" "$src/dkms-version.h" || fail "a placeholder is left"
	for f in Kbuild drivers/bcache/Kbuild drivers/bcache/main.c include/bcache/ondisk.h LICENSE; do
		[ -f "$src/$f" ] || fail "$f is missing from $src"
	done
	! ls "$src"/drivers/bcache/*.o "$src"/drivers/bcache/*.mod.c 2>/dev/null || fail "build products copied"

	# Private trees: nothing of the host's DKMS state or /lib/modules is
	# touched. The install tree holds the in-tree bcache.ko, as a real
	# kernel's does; the signing key is generated in the test directory.
	m=$t/root/lib/modules/$KVER
	mkdir -p "$t/dkms" "$t/tmp" "$m/kernel/drivers/md/bcache" "$m/kernel/lib"
	cp "/lib/modules/$KVER/kernel/drivers/md/bcache/bcache.ko" "$m/kernel/drivers/md/bcache/"
	cp "/lib/modules/$KVER/kernel/lib/libcrc32c.ko" "$m/kernel/lib/"
	cp /lib/modules/"$KVER"/modules.{order,builtin,builtin.modinfo} "$m/"
	opts=(--dkmstree "$t/dkms" --sourcetree "$t/src/usr/src" --installtree "$t/root/lib/modules")
	export mok_signing_key=$t/mok.key mok_certificate=$t/mok.pub tmp_location=$t/tmp
	before=$(sha256sum "/lib/modules/$KVER/modules.dep")

	dkms add -m "$name" -v "$ver" "${opts[@]}" > "$t/add.log" 2>&1 ||
		{ cat "$t/add.log"; fail "dkms add failed"; }
	dkms build -m "$name" -v "$ver" -k "$KVER" "${opts[@]}" > "$t/build.log" 2>&1 ||
		{ tail -n 30 "$t/build.log" "$t/dkms/$name/$ver/build/make.log" 2>/dev/null
		  fail "dkms build failed"; }
	dkms install --no-depmod -m "$name" -v "$ver" -k "$KVER" "${opts[@]}" > "$t/install.log" 2>&1 ||
		{ cat "$t/install.log"; fail "dkms install failed"; }
	dkms status -m "$name" "${opts[@]}" > "$t/status"
	grep -q "^$name/$ver, $KVER, [^:]*: installed$" "$t/status" ||
		{ cat "$t/status" "$t/install.log"; fail "dkms status does not say installed"; }

	# Debian's dkms installs to updates/dkms whatever DEST_MODULE_LOCATION
	# says; the in-tree module stays where it was.
	ko=$(find "$m" -path '*/updates/*' -name bcache.ko)
	[ -n "$ko" ] || { cat "$t/install.log"; fail "dkms did not install bcache.ko under updates/"; }
	[ -f "$m/kernel/drivers/md/bcache/bcache.ko" ] || fail "dkms moved the in-tree module away"
	modinfo -F description "$ko" | grep -q 'persistent SSD cache' || fail "$ko is not our module"
	expect_eq "$(modinfo -F version "$ko")" "$ver" "module version"
	expect_eq "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" "$KVER" "vermagic"
	expect_eq "$(modinfo -F signer "$ko")" "DKMS module signing key" "module signer"

	# modprobe bcache resolves to the DKMS module, without any depmod.d
	# configuration (updates/ is searched before kernel/).
	mkdir -p "$t/noconf"
	depmod -b "$t/root" -C "$t/noconf" "$KVER"
	dep=$(grep 'bcache.ko:' "$m/modules.dep")
	[[ $dep == updates/*/bcache.ko:* ]] || fail "depmod picks $dep"

	# Removal puts the tree back as it was.
	dkms remove -m "$name" -v "$ver" --all --no-depmod "${opts[@]}" > "$t/remove.log" 2>&1 ||
		{ cat "$t/remove.log"; fail "dkms remove failed"; }
	[ -z "$(find "$m" -path '*/updates/*' -name bcache.ko)" ] || fail "dkms remove left the module"
	[ -f "$m/kernel/drivers/md/bcache/bcache.ko" ] || fail "dkms remove lost the in-tree module"
	[ ! -e "$t/dkms/$name/$ver" ] || fail "dkms remove left $t/dkms/$name/$ver"

	# make dkms-install and dkms-uninstall, in the same private trees.
	flags="--no-depmod --dkmstree $t/dkms --installtree $t/root/lib/modules"
	make -C "$REPO" -s dkms-install VERSION="$ver" DKMS_SRCROOT="$t/usrsrc" DKMS_KVER="$KVER" \
		DKMS_FLAGS="$flags" > "$t/make-install.log" 2>&1 ||
		{ tail -n 30 "$t/make-install.log"; fail "make dkms-install failed"; }
	[ -f "$t/usrsrc/$name-$ver/dkms.conf" ] || fail "make dkms-install did not copy the sources"
	[ -n "$(find "$m" -path '*/updates/*' -name bcache.ko)" ] ||
		{ tail -n 30 "$t/make-install.log"; fail "make dkms-install did not install the module"; }
	make -C "$REPO" -s dkms-uninstall DKMS_SRCROOT="$t/usrsrc" DKMS_FLAGS="$flags" \
		> "$t/make-uninstall.log" 2>&1 ||
		{ tail -n 30 "$t/make-uninstall.log"; fail "make dkms-uninstall failed"; }
	[ -z "$(find "$m" -path '*/updates/*' -name bcache.ko)" ] || fail "make dkms-uninstall left the module"
	[ ! -e "$t/usrsrc/$name-$ver" ] || fail "make dkms-uninstall left the sources"
	[ -z "$(dkms status -m "$name" "${opts[@]}" 2>/dev/null)" ] || fail "dkms still lists $name"
	expect_eq "$(sha256sum "/lib/modules/$KVER/modules.dep")" "$before" "the host's modules.dep"
	[ ! -e "/usr/src/$name-$ver" ] || fail "the host's /usr/src was written"
	[ ! -e "/var/lib/dkms/$name" ] || fail "the host's /var/lib/dkms was written"
	[ -z "$(find "/lib/modules/$KVER" -path '*/updates/*' -name bcache.ko)" ] ||
		fail "the host's /lib/modules/$KVER was written"
}
