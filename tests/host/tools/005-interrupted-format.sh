# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="an interrupted make-bcache never leaves a valid-looking device, not even an old one"
TEST_GROUPS="quick tools"
HOST=1
TIMEOUT=180

requires()
{
	_have_program prlimit
}

# not_ours IMG: neither tool accepts the image.
not_ours()
{
	if "$TOOLS/bcache-super-show" "$1" > /dev/null 2>&1; then
		fail "$2: super-show accepts the image"
	fi
	[ -z "$("$TOOLS/probe-bcache" -o udev "$1")" ] ||
		fail "$2: probe-bcache claims the image"
}

test()
{
	local img=$TMPDIR/c.img size=$((256 << 20)) cut

	truncate -s "$size" "$img"

	# Zeroing the superblock alone invalidates a formatted device.
	"$TOOLS/make-bcache" -C "$img" --quiet
	dd if=/dev/zero of="$img" bs=4096 seek=1 count=1 conv=notrunc status=none
	not_ours "$img" "zeroed superblock"

	# Kill make-bcache at several points of a reformat (writes at or past
	# the file size limit fail with SIGXFSZ): the old superblock is gone
	# first and the new one is written last, so nothing validates.
	for cut in 8192 $((1 << 20)) $((2 << 20)) $((size / 2)) $((size - 4096)); do
		"$TOOLS/make-bcache" -C "$img" --quiet --wipe ||
			fail "reformat before cut $cut"
		"$TOOLS/bcache-super-show" "$img" > /dev/null
		if prlimit --fsize="$cut" "$TOOLS/make-bcache" -C "$img" --quiet --wipe \
			2> /dev/null; then
			fail "make-bcache survived a write limit of $cut bytes"
		fi
		not_ours "$img" "interrupted at $cut bytes"
	done

	# A complete run afterwards fixes it.
	"$TOOLS/make-bcache" -C "$img" --quiet --wipe
	"$TOOLS/bcache-super-show" "$img" > /dev/null || fail "final format invalid"
}
