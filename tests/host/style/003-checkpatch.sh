# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="checkpatch.pl --strict --no-tree is clean on every C source and header"
TEST_GROUPS="quick style"
HOST=1
TIMEOUT=600

test()
{
	local ks f out ignore bad=0

	ks=$("$REPO/scripts/kernel-scripts.sh")
	cd "$REPO"
	for f in $(git ls-files '*.c' '*.h'); do
		# compat.h is the one place allowed to test the kernel version.
		ignore=
		[ "${f##*/}" = compat.h ] && ignore="--ignore LINUX_VERSION_CODE"
		# shellcheck disable=SC2086
		out=$("$ks/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
			$ignore -f "$f" 2>&1) || { echo "$out"; bad=1; }
	done
	[ "$bad" -eq 0 ] || fail "checkpatch found problems"
}
