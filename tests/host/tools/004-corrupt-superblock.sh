# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="a corrupted or truncated superblock is refused by bcache-super-show and ignored by probe-bcache"
TEST_GROUPS="quick tools"
HOST=1
TIMEOUT=120

# flip IMG OFFSET: invert one byte.
flip()
{
	local b

	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf '%b' "\\0$(printf '%03o' $((b ^ 0xff)))" |
		dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}

# invalid IMG WHY: super-show exits non-zero with WHY; probe prints nothing.
invalid()
{
	local err out

	if err=$("$TOOLS/bcache-super-show" "$1" 2>&1 > /dev/null); then
		fail "super-show accepts a corrupted superblock ($2)"
	fi
	[[ $err == *"$2"* ]] || fail "super-show: expected '$2' in: $err"
	out=$("$TOOLS/probe-bcache" -o udev "$1") || fail "probe-bcache failed"
	[ -z "$out" ] || fail "probe-bcache printed for a bad superblock: $out"
	out=$("$TOOLS/probe-bcache" "$1") || fail "probe-bcache failed"
	[ -z "$out" ] || fail "probe-bcache printed for a bad superblock: $out"
}

test()
{
	local img=$TMPDIR/c.img good=$TMPDIR/good.img off out

	truncate -s 128M "$good"
	"$TOOLS/make-bcache" -C "$good" --quiet --bucket 64k
	for off in 4096 4100 4200 4256 4500 8191; do
		cp "$good" "$img"
		flip "$img" "$off"
		invalid "$img" "invalid superblock"
	done
	cp "$good" "$img"
	flip "$img" 4200
	invalid "$img" "checksum mismatch"
	cp "$good" "$img"
	flip "$img" $((4096 + 16))
	invalid "$img" "bad magic"

	# --force still prints the fields, and still fails.
	if out=$("$TOOLS/bcache-super-show" --force "$img" 2> /dev/null); then
		fail "--force exits 0 for an invalid superblock"
	fi
	grep -q '^magic: *bad$' <<< "$out" || fail "--force did not print fields"
	grep -q '^superblock: *INVALID' <<< "$out" || fail "--force did not say INVALID"

	# The device shrank below what the superblock records.
	cp "$good" "$img"
	truncate -s 127M "$img"
	invalid "$img" "smaller than the superblock says"

	# A valid superblock whose metadata was destroyed: super-show notices.
	cp "$good" "$img"
	dd if=/dev/zero of="$img" bs=64k seek=16 count=1 conv=notrunc status=none
	if out=$("$TOOLS/bcache-super-show" "$img" 2>&1); then
		fail "super-show accepts a device without a uuid table"
	fi
	grep -q '^uuid table: *no valid copy$' <<< "$out" || fail "uuid loss not reported"
}
