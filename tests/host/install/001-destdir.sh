# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="make install DESTDIR= installs the expected files, none on a dpkg path; make uninstall removes them all"
TEST_GROUPS="quick install"
HOST=1
TIMEOUT=300

KVER=

requires()
{
	_have_program make depmod dpkg-query modinfo
	[ -f "$REPO/drivers/bcache/bcache.ko" ] || skip "the module is not built (run make)"
	KVER=$(ls -d /lib/modules/6.1.*-amd64/build 2>/dev/null | grep -v -e '-rt-amd64/' \
		-e '-cloud-amd64/' | sort -V | tail -n 1 | cut -d/ -f4)
	[ -n "$KVER" ] || skip "no Debian 6.1 -amd64 headers"
}

# inst ARGS...: make install from the repo, without rebuilding what is built.
inst()
{
	make -C "$REPO" -s -o module -o tools STAGE="$TMPDIR/stage" "$@"
}

# tree DIR: every file and symlink below DIR, as absolute target paths.
tree()
{
	(cd "$1" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort)
}

test()
{
	local root=$TMPDIR/root man=/usr/local/share/bcache/manifest want got f p rc
	local rules=/etc/udev/rules.d/68-bcache-register.rules

	want="/etc/depmod.d/bcache.conf
/etc/initramfs-tools/hooks/bcache-ssd
/etc/initramfs-tools/scripts/local-top/bcache-ssd
/lib/modules/$KVER/extra/drivers/bcache/bcache.ko
$man"
	for p in make-bcache bcache-super-show probe-bcache bcache-fsck bcachectl; do
		[ -e "$REPO/tools/make-bcache/$p" ] || continue
		want+=$'\n'"/usr/local/sbin/$p"
		[ -f "$REPO/tools/make-bcache/$p.8" ] && want+=$'\n'"/usr/local/share/man/man8/$p.8"
	done
	[ -f "$REPO/scripts/udev/68-bcache-register.rules.in" ] && want+=$'\n'"$rules"
	want=$(sort <<< "$want")

	inst install DESTDIR="$root" > "$TMPDIR/install.log" 2>&1 ||
		{ cat "$TMPDIR/install.log"; fail "make install DESTDIR failed"; }
	got=$(tree "$root")
	if [ "$got" != "$want" ]; then
		diff <(echo "$want") <(echo "$got") || true
		fail "installed files differ from the expected list (- expected, + got)"
	fi

	# The manifest lists exactly the installed files.
	expect_eq "$(sed -n 's/^f //p' "$root$man" | sort)" "$want" "files in the manifest"

	# Nothing on a path a Debian package owns (also under /usr aliases).
	for f in $got; do
		for p in "$f" "/usr$f" "${f#/usr}"; do
			if dpkg-query -S "$p" >/dev/null 2>&1; then
				fail "$f is owned by $(dpkg-query -S "$p" 2>/dev/null)"
			fi
		done
	done

	# Substituted templates: no placeholder left, shells parse.
	! grep -r '@[A-Z_]*@' "$root/etc" || fail "a placeholder was not substituted"
	grep -q '^SBINDIR=/usr/local/sbin$' "$root/etc/initramfs-tools/hooks/bcache-ssd" ||
		fail "the hook does not know the install's sbin dir"
	sh -n "$root/etc/initramfs-tools/hooks/bcache-ssd"
	sh -n "$root/etc/initramfs-tools/scripts/local-top/bcache-ssd"
	if [ -e "$root$rules" ]; then
		grep -q '/usr/local/sbin/' "$root$rules" || fail "the rules do not name /usr/local/sbin"
	fi
	[ -x "$root/usr/local/sbin/make-bcache" ] || fail "make-bcache is not executable"
	rc=0
	"$root/usr/local/sbin/bcache-super-show" > /dev/null 2>&1 || rc=$?
	[ "$rc" -lt 126 ] || fail "the installed bcache-super-show does not run"

	# The depmod.d override makes our module win over the in-tree one and
	# over a DKMS copy (updates/ is searched before extra/ otherwise).
	local m=$root/lib/modules/$KVER
	mkdir -p "$m/kernel/drivers/md/bcache" "$m/kernel/lib" "$m/updates/dkms"
	cp "/lib/modules/$KVER/kernel/drivers/md/bcache/bcache.ko" "$m/kernel/drivers/md/bcache/"
	cp "/lib/modules/$KVER/kernel/lib/libcrc32c.ko" "$m/kernel/lib/"
	cp "$REPO/drivers/bcache/bcache.ko" "$m/updates/dkms/"
	cp /lib/modules/"$KVER"/modules.{order,builtin,builtin.modinfo} "$m/"
	depmod -b "$root" -C "$root/etc/depmod.d" "$KVER"
	grep -q '^extra/drivers/bcache/bcache.ko:' "$m/modules.dep" ||
		fail "depmod does not pick extra/drivers/bcache/bcache.ko: $(grep bcache "$m/modules.dep")"
	mkdir -p "$TMPDIR/noconf"
	depmod -b "$root" -C "$TMPDIR/noconf" "$KVER"
	grep -q '^updates/dkms/bcache.ko:' "$m/modules.dep" || fail "updates/ should win without the override"
	rm -rf "$m/kernel" "$m/updates" "$m"/modules.*

	# A second install over the first is quiet and records the same files.
	inst install DESTDIR="$root" > "$TMPDIR/install2.log" 2>&1 ||
		{ cat "$TMPDIR/install2.log"; fail "the second make install failed"; }
	! grep -q 'did not record' "$TMPDIR/install2.log" || fail "reinstall warned about its own files"
	expect_eq "$(tree "$root")" "$want" "files after a reinstall"

	# An admin's own file in an installed directory survives uninstall.
	echo keep > "$root/etc/depmod.d/local.conf"
	inst uninstall DESTDIR="$root" > "$TMPDIR/uninstall.log" 2>&1 ||
		{ cat "$TMPDIR/uninstall.log"; fail "make uninstall failed"; }
	expect_eq "$(tree "$root")" "/etc/depmod.d/local.conf" "files left after uninstall"
	rm -r "${root:?}/etc"
	[ -z "$(ls -A "$root")" ] || { find "$root"; fail "uninstall left directories"; }
	inst install DESTDIR="$root" > /dev/null 2>&1 || fail "install after uninstall failed"
	inst uninstall DESTDIR="$root" > /dev/null 2>&1 || fail "second uninstall failed"
	[ -z "$(ls -A "$root")" ] || { find "$root"; fail "uninstall left files or directories"; }
	inst uninstall DESTDIR="$root" > "$TMPDIR/uninstall.log" 2>&1 ||
		fail "uninstall without an install must succeed"

	# MODSIGN_KEY/MODSIGN_CERT sign the module (Secure Boot, MOK).
	if command -v openssl > /dev/null; then
		openssl req -new -x509 -nodes -days 1 -subj "/CN=bcache test MOK" -newkey rsa:2048 \
			-keyout "$TMPDIR/mok.key" -outform DER -out "$TMPDIR/mok.der" > /dev/null 2>&1
		inst install DESTDIR="$TMPDIR/signed" MODSIGN_KEY="$TMPDIR/mok.key" \
			MODSIGN_CERT="$TMPDIR/mok.der" > "$TMPDIR/signed.log" 2>&1 ||
			{ cat "$TMPDIR/signed.log"; fail "make install with MODSIGN_KEY failed"; }
		expect_eq "$(modinfo -F signer "$TMPDIR/signed/lib/modules/$KVER/extra/drivers/bcache/bcache.ko")" \
			"bcache test MOK" "signer of the installed module"
		expect_fail inst install DESTDIR="$TMPDIR/unsigned" MODSIGN_KEY="$TMPDIR/none" \
			> /dev/null 2>&1
		[ ! -e "$TMPDIR/unsigned" ] || fail "an install with a missing key copied files"
	fi

	# bcache-tools' names and dpkg-owned paths are refused, and nothing is
	# copied then.
	expect_fail inst install PREFIX=/usr DESTDIR="$TMPDIR/usr-root" > "$TMPDIR/usr.log" 2>&1
	grep -q 'refusing to install /usr/sbin/make-bcache' "$TMPDIR/usr.log" ||
		{ cat "$TMPDIR/usr.log"; fail "PREFIX=/usr was not refused for make-bcache"; }
	[ ! -e "$TMPDIR/usr-root" ] || fail "a refused install copied files"
	expect_fail "$REPO/scripts/install-files.sh" check /usr/bin/dpkg 2> "$TMPDIR/check.log"
	grep -q 'owned by the Debian package dpkg' "$TMPDIR/check.log" ||
		fail "a dpkg-owned path was not refused: $(cat "$TMPDIR/check.log")"
	"$REPO/scripts/install-files.sh" check /usr/local/sbin/make-bcache ||
		fail "/usr/local/sbin/make-bcache was refused"
}
