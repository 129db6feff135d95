#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs a staged tree and records what it installed, so that uninstall
# removes exactly that. Used by `make install` and `make uninstall`.
#
#   install-files.sh install STAGE DESTDIR MANIFEST
#   install-files.sh uninstall DESTDIR MANIFEST
#   install-files.sh check PATH...
#
# STAGE holds the files laid out as they will be on the target system.
# MANIFEST is an absolute path on the target system (below DESTDIR); it
# lists one "f PATH" line per installed file and one "d PATH" line per
# directory the install created. Installs add to it: a module installed for
# another kernel stays listed until uninstall.
#
# Nothing is installed if any file would land on a path owned by a Debian
# package (dpkg-query -S) or on a path used by Debian's bcache-tools, which
# is checked by name too, in case bcache-tools is installed later. depmod
# runs for the kernels whose modules were touched, unless DESTDIR is set.
set -euo pipefail

die()
{
	echo "install-files.sh: $*" >&2
	exit 1
}

# Paths of Debian's bcache-tools (and of its /usr/lib aliases on merged-/usr
# systems): never ours, whether or not the package is installed.
BCACHE_TOOLS_PATHS="
/usr/sbin/make-bcache
/usr/sbin/bcache-super-show
/sbin/make-bcache
/sbin/bcache-super-show
/lib/udev/probe-bcache
/lib/udev/bcache-register
/lib/udev/bcache-keep-symlinks
/lib/udev/rules.d/69-bcache.rules
/etc/udev/rules.d/69-bcache.rules
/usr/share/initramfs-tools/hooks/bcache
/etc/initramfs-tools/hooks/bcache
/usr/lib/dracut/modules.d/90bcache/module-setup.sh
/usr/lib/initcpio/install/bcache
/usr/share/man/man8/make-bcache.8
/usr/share/man/man8/bcache-super-show.8
/usr/share/man/man8/probe-bcache.8
"

# aliases PATH: PATH and its other name on a merged-/usr system.
aliases()
{
	local p=$1

	echo "$p"
	case "$p" in
	/usr/lib/* | /usr/sbin/* | /usr/bin/*) echo "${p#/usr}" ;;
	/lib/* | /sbin/* | /bin/*) echo "/usr$p" ;;
	esac
}

# distro_owner PATH: print why PATH belongs to the distribution, if it does.
distro_owner()
{
	local a base owner

	for a in $(aliases "$1"); do
		base=${a%.gz}
		if grep -qxF "$base" <<< "$BCACHE_TOOLS_PATHS"; then
			echo "a path of Debian's bcache-tools"
			return 0
		fi
		if command -v dpkg-query >/dev/null 2>&1 &&
		   owner=$(dpkg-query -S "$a" 2>/dev/null) && [ -n "$owner" ]; then
			echo "owned by the Debian package ${owner%%:*}"
			return 0
		fi
	done
	return 1
}

# check PATH...: fail if any target path belongs to the distribution.
check()
{
	local p why bad=0

	for p in "$@"; do
		if why=$(distro_owner "$p"); then
			echo "install-files.sh: refusing to install $p: $why" >&2
			bad=1
		fi
	done
	return "$bad"
}

# kernel_versions: the kernel releases of the "f" lines on stdin that are
# modules (/lib/modules/RELEASE/...).
kernel_versions()
{
	sed -n 's|^f /lib/modules/\([^/]*\)/.*\.ko\(\.[gx]z\|\.zst\)\{0,1\}$|\1|p' | sort -u
}

run_depmod()
{
	local v

	for v in "$@"; do
		[ -d "/lib/modules/$v/kernel" ] || continue
		echo "depmod -a $v"
		depmod -a "$v"
	done
}

# reload_udev: make a running udevd read the changed rules.
reload_udev()
{
	if [ -S /run/udev/control ] && command -v udevadm >/dev/null 2>&1; then
		udevadm control --reload || true
	fi
}

# make_parents PATH: create the missing parent directories of PATH under
# $destdir one level at a time, recording each in the new manifest $new.
make_parents()
{
	local parent=${1%/*} d
	local -a dirs=()

	while [ -n "$parent" ] && [ ! -d "$destdir$parent" ]; do
		dirs=("$parent" "${dirs[@]}")
		parent=${parent%/*}
	done
	for d in "${dirs[@]}"; do
		mkdir "$destdir$d"
		echo "d $d" >> "$new"
	done
}

do_install()
{
	local stage=$1 destdir=$2 manifest=$3
	local files=() f old

	[ -d "$stage" ] || die "no staged tree at $stage"
	case "$manifest" in /*) ;; *) die "the manifest path must be absolute" ;; esac
	cd "$stage"
	while IFS= read -r f; do
		files+=("/${f#./}")
	done < <(find . \( -type f -o -type l \) | sort)
	[ ${#files[@]} -gt 0 ] || die "nothing staged in $stage"
	check "${files[@]}" "$manifest" || die "nothing was installed"

	[ -z "$destdir" ] || mkdir -p "$destdir"
	new=$(mktemp)
	trap 'rm -f "$new"' EXIT
	for f in "${files[@]}"; do
		make_parents "$f"
		if [ -e "$destdir$f" ] && ! grep -qxF "f $f" "$destdir$manifest" 2>/dev/null; then
			echo "install-files.sh: replacing $f, which an earlier install did not record" >&2
		fi
		# Copy next to the target, then rename: never a half-written file.
		cp -P --preserve=mode,timestamps ".$f" "$destdir$f.bcache-new"
		mv -f "$destdir$f.bcache-new" "$destdir$f"
		echo "  $f"
		echo "f $f" >> "$new"
	done

	# The manifest itself (and its directory) are part of the install.
	make_parents "$manifest"
	echo "f $manifest" >> "$new"
	old=
	[ -f "$destdir$manifest" ] && old=$destdir$manifest
	# Keep what earlier installs put there (e.g. a module for another
	# kernel) and still exists.
	{
		cat "$new"
		if [ -n "$old" ]; then
			while read -r kind p; do
				[ -e "$destdir$p" ] && echo "$kind $p"
			done < "$old"
		fi
	} | sort -u > "$destdir$manifest.bcache-new"
	mv -f "$destdir$manifest.bcache-new" "$destdir$manifest"
	chmod 0644 "$destdir$manifest"
	echo "  $manifest (the list of installed files, read by make uninstall)"

	if [ -z "$destdir" ]; then
		# shellcheck disable=SC2046
		run_depmod $(kernel_versions < "$new")
		reload_udev
	fi
}

do_uninstall()
{
	local destdir=$1 manifest=$2 kind p versions list

	case "$manifest" in /*) ;; *) die "the manifest path must be absolute" ;; esac
	if [ ! -f "$destdir$manifest" ]; then
		echo "install-files.sh: nothing to uninstall: no $destdir$manifest (was PREFIX different?)"
		return 0
	fi
	versions=$(kernel_versions < "$destdir$manifest")
	list=$(cat "$destdir$manifest")
	while read -r kind p; do
		case "$p" in
		/*) ;;
		*) die "bad manifest line: $kind $p" ;;
		esac
		case "/$p/" in
		*/../* | */./*) die "bad manifest line: $kind $p" ;;
		esac
		if [ "$kind" = f ] && [ "$p" != "$manifest" ]; then
			if [ -e "$destdir$p" ] || [ -L "$destdir$p" ]; then
				rm -f "$destdir$p"
				echo "  removed $p"
			fi
		fi
	done <<< "$list"
	rm -f "$destdir$manifest"
	# Directories the install created, deepest first, if now empty.
	grep '^d ' <<< "$list" | cut -c3- | sort -r | while read -r p; do
		rmdir "$destdir$p" 2>/dev/null || true
	done
	if [ -z "$destdir" ]; then
		# shellcheck disable=SC2086
		run_depmod $versions
		reload_udev
	fi
}

[ $# -ge 1 ] || die "usage: install-files.sh install|uninstall|check ..."
cmd=$1
shift
case "$cmd" in
install)
	[ $# -eq 3 ] || die "usage: install-files.sh install STAGE DESTDIR MANIFEST"
	destdir=${2%/}
	[ -n "$destdir" ] && destdir=$(realpath -m "$destdir")
	do_install "$(realpath "$1")" "$destdir" "$3"
	;;
uninstall)
	[ $# -eq 2 ] || die "usage: install-files.sh uninstall DESTDIR MANIFEST"
	destdir=${1%/}
	[ -n "$destdir" ] && destdir=$(realpath -m "$destdir")
	do_uninstall "$destdir" "$2"
	;;
check)
	check "$@"
	;;
*)
	die "unknown command $cmd"
	;;
esac
