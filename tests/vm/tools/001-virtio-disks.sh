# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="make-bcache, bcache-super-show and probe-bcache on virtio disks: format/show/probe, ext4 refused unless --wipe, busy and too-small devices refused, blkid never says bcache"
TEST_GROUPS="quick tools"
TIMEOUT=300
DISKS="ssd:256M fs:128M tiny:16M"

test()
{
	local out sum0 sum1 uuid

	# Format, show, probe.
	out=$("$TOOLS/make-bcache" -C "$DISK_ssd" --bucket 128k --label demo-cache --discard)
	echo "$out"
	grep -qi 'bucket.*128' <<< "$out" || fail "layout does not show the bucket size"
	"$TOOLS/bcache-super-show" "$DISK_ssd" > /tmp/show.out || fail "super-show rejects a fresh format"
	uuid=$(awk -F'[ \t]+' 'tolower($0) ~ /uuid/ { print $NF; exit }' /tmp/show.out)
	[ -n "$uuid" ] || fail "no uuid in bcache-super-show output"
	out=$("$TOOLS/probe-bcache" -o udev "$DISK_ssd")
	echo "$out"
	grep -qx 'ID_FS_TYPE=bcache_ssd' <<< "$out" || fail "probe: wrong ID_FS_TYPE"
	grep -qx "ID_FS_UUID=$uuid" <<< "$out" || fail "probe: wrong ID_FS_UUID"
	grep -qx 'ID_FS_LABEL=demo-cache' <<< "$out" || fail "probe: wrong ID_FS_LABEL"
	# libblkid must not mistake it for the in-tree bcache (or anything).
	blkid -p "$DISK_ssd" | grep -q 'TYPE="bcache"' && fail "blkid reports TYPE=bcache"
	[ -z "$("$TOOLS/probe-bcache" -o udev "$DISK_fs")" ] || fail "probe claims an empty disk"

	# An ext4 device is refused without --wipe, its data untouched.
	mkfs.ext4 -q -F "$DISK_fs"
	sum0=$(sha256sum < "$DISK_fs")
	expect_fail "$TOOLS/make-bcache" -C "$DISK_fs" 2> /tmp/err
	cat /tmp/err
	grep -qi 'ext4' /tmp/err || fail "the refusal does not name the ext4 signature"
	sum1=$(sha256sum < "$DISK_fs")
	expect_eq "$sum1" "$sum0" "data after a refused format"

	# A mounted (busy) device is refused, whatever the options.
	mkdir -p /mnt/fs
	mount "$DISK_fs" /mnt/fs
	expect_fail "$TOOLS/make-bcache" -C "$DISK_fs" --wipe 2> /tmp/err
	cat /tmp/err
	grep -qi 'busy' /tmp/err || fail "a mounted device is not reported busy"
	umount /mnt/fs

	# With --wipe the ext4 signature is really gone.
	"$TOOLS/make-bcache" -C "$DISK_fs" --wipe --bucket 64k --quiet
	blkid -p "$DISK_fs" | grep -q ext4 && fail "ext4 signature survived --wipe"
	"$TOOLS/bcache-super-show" "$DISK_fs" > /dev/null

	# Too small, bad sizes, missing path.
	expect_fail "$TOOLS/make-bcache" -C "$DISK_tiny" 2> /tmp/err
	grep -qi 'small' /tmp/err || fail "too-small device not reported"
	expect_fail "$TOOLS/make-bcache" -C "$DISK_ssd" --wipe --bucket 100k 2> /tmp/err
	grep -qi 'power of two' /tmp/err || fail "non-power-of-two bucket not reported"
	expect_fail "$TOOLS/make-bcache" -C /dev/nonexistent 2> /tmp/err
	grep -qi 'no such' /tmp/err || fail "missing path not reported"
	expect_fail "$TOOLS/bcache-super-show" "$DISK_tiny"
}
