# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="make-bcache on a loop device: a mounted device is refused as busy, a free one is formatted"
TEST_GROUPS="tools"
HOST=1
TIMEOUT=120

requires()
{
	_have_program losetup mount umount mkfs.ext4 blkid
	[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
	[ -e /dev/loop-control ] || skip "no loop device support"
}

LOOP=
MNT=

cleanup()
{
	[ -z "$MNT" ] || umount "$MNT" 2> /dev/null || true
	[ -z "$LOOP" ] || losetup -d "$LOOP" 2> /dev/null || true
}

test()
{
	local img=$TMPDIR/c.img err out

	trap cleanup EXIT
	truncate -s 128M "$img"
	mkfs.ext4 -q -F "$img"
	LOOP=$(losetup -f --show "$img")
	MNT=$TMPDIR/mnt
	mkdir -p "$MNT"
	mount "$LOOP" "$MNT"
	if err=$("$TOOLS/make-bcache" -C "$LOOP" --wipe 2>&1); then
		fail "formatted a mounted device"
	fi
	[[ $err == *"$LOOP: device is busy"* ]] || fail "not reported as busy: $err"
	umount "$MNT"
	MNT=

	if err=$("$TOOLS/make-bcache" -C "$LOOP" 2>&1); then
		fail "formatted an ext4 device without --wipe"
	fi
	[[ $err == *ext4* ]] || fail "ext4 not reported: $err"
	out=$("$TOOLS/make-bcache" -C "$LOOP" --wipe --bucket 64k) ||
		fail "could not format the loop device"
	grep -q '^bucket_size: *128 sectors' <<< "$out" || fail "bucket size"
	"$TOOLS/bcache-super-show" "$LOOP" > /dev/null || fail "super-show on loop"
	"$TOOLS/probe-bcache" -o udev "$LOOP" | grep -qx "ID_FS_TYPE=bcache_ssd" ||
		fail "probe on loop"
	if blkid -p "$LOOP"; then
		fail "blkid recognises the formatted loop device"
	fi
}
