# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="make-bcache rejects bad sizes, too-small images and missing paths with a clear message"
TEST_GROUPS="quick tools"
HOST=1
TIMEOUT=120

# bad MESSAGE-PATTERN ARGS...: make-bcache must fail, print the pattern, and
# leave the image untouched.
bad()
{
	local pat=$1 err before

	shift
	before=$(sha256sum < "$TMPDIR/c.img")
	if err=$("$TOOLS/make-bcache" "$@" 2>&1); then
		fail "make-bcache $* succeeded"
	fi
	echo "$err"
	[[ $err == *"$pat"* ]] || fail "make-bcache $*: expected '$pat' in: $err"
	[[ $err == make-bcache:* ]] || fail "message lacks the program name: $err"
	expect_eq "$(sha256sum < "$TMPDIR/c.img")" "$before" "image after make-bcache $*"
}

test()
{
	local img=$TMPDIR/c.img

	# Sizes are checked before the image is opened: a small one will do.
	truncate -s 16M "$img"
	bad "not a power of two" -C "$img" --bucket 1000
	bad "not a power of two" -C "$img" --bucket 768k
	bad "not a power of two" -C "$img" --block 3k
	bad "larger than bucket size" -C "$img" --bucket 8k --block 16k
	bad "out of range" -C "$img" --bucket 2k
	bad "out of range" -C "$img" --bucket 32M
	bad "out of range" -C "$img" --block 128k
	bad "out of range" -C "$img" --block 256
	bad "invalid bucket size" -C "$img" --bucket 512x
	bad "invalid block size" -C "$img" --block -4k
	bad "journal must be 2 to 4096" -C "$img" --journal 1
	bad "journal must be 2 to 4096" -C "$img" --journal 4097
	bad "longer than 31 bytes" -C "$img" --label 0123456789abcdef0123456789abcdef
	bad "no device given"
	bad "unexpected argument" "$img"

	# Too small: the message names the image and the minimum.
	truncate -s 68M "$TMPDIR/small.img"
	bad "$TMPDIR/small.img: device is too small (68 MiB): need at least 69 MiB" \
		-C "$TMPDIR/small.img"
	truncate -s 1M "$TMPDIR/tiny.img"
	bad "too small" -C "$TMPDIR/tiny.img"
	: > "$TMPDIR/empty.img"
	bad "too small" -C "$TMPDIR/empty.img"
	# ... and exactly the minimum works.
	truncate -s 69M "$TMPDIR/small.img"
	"$TOOLS/make-bcache" -C "$TMPDIR/small.img" --quiet || fail "69 MiB refused"
	"$TOOLS/bcache-super-show" "$TMPDIR/small.img" > /dev/null ||
		fail "smallest image invalid"

	bad "$TMPDIR/nonexistent: No such file or directory" -C "$TMPDIR/nonexistent"
	bad "not a block device or regular file" -C "$TMPDIR"
	bad "not a block device or regular file" -C /dev/null

	# The other tools fail cleanly too.
	expect_fail "$TOOLS/bcache-super-show" "$TMPDIR/nonexistent"
	expect_fail "$TOOLS/bcache-super-show"
	expect_fail "$TOOLS/probe-bcache" "$TMPDIR/nonexistent"
	expect_fail "$TOOLS/probe-bcache" -o json "$img"
}
