#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the module against every installed Debian 6.1 flavour (amd64,
# rt-amd64, cloud-amd64) with W=1, in a scratch copy of the tree, and fail
# on any warning. Extra make arguments (e.g. C=2) are passed through.
#
# Usage: scripts/compile-test.sh [FLAVOUR-GLOB] [MAKE-ARGS...]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
glob=${1:-*}
shift || true
rc=0
found=0
for kdir in /usr/src/linux-headers-6.1.*-$glob; do
	[ -e "$kdir/Makefile" ] || continue
	case "$kdir" in *-common|*-common-rt) continue ;; esac
	# "amd64" means the stock flavour, not rt-amd64 or cloud-amd64.
	if [ "$glob" = amd64 ]; then
		case "$kdir" in *-rt-amd64|*-cloud-amd64) continue ;; esac
	fi
	found=$((found + 1))
	work=$(mktemp -d)
	rsync -a --include '*/' --exclude '*.mod.c' --include 'Kbuild*' --include '*.[ch]' --exclude '*' \
		--exclude build --exclude tests --exclude .git "$repo/" "$work/"
	log=$work/build.log
	if make -C "$kdir" M="$work" W=1 "$@" modules >"$log" 2>&1 &&
	   ! grep -E 'warning:|error:' "$log" >/dev/null &&
	   ! grep -E "^$work/.*: (warning|error):|: sparse: " "$log" >/dev/null; then
		echo "ok    ${kdir##*/}"
	else
		echo "FAIL  ${kdir##*/}"
		grep -E 'warning|error' "$log" | sed "s|$work/||" | head -n 30
		rc=1
	fi
	rm -rf "$work"
done
[ "$found" -gt 0 ] || { echo "compile-test: no /usr/src/linux-headers-6.1.*-$glob" >&2; exit 1; }
exit $rc
