# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="kernel-doc comments are well-formed in every kernel source and shared header"
TEST_GROUPS="quick style"
HOST=1
TIMEOUT=300

test()
{
	local ks files

	ks=$("$REPO/scripts/kernel-scripts.sh")
	cd "$REPO"
	files=$(git ls-files 'drivers/*.[ch]' 'include/*.h' 'tests/kmod/*.c')
	# shellcheck disable=SC2086
	"$ks/scripts/kernel-doc" -Werror -none $files
}
