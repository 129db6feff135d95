# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="udev: a hot-added backing device from the registry is registered and cached; a hot-added cache takes its waiting device back, warm; data intact"
TEST_GROUPS="boot"
TIMEOUT=500
DISKS="ssd:64M hdd:128M"

# shellcheck source=lib.bash
. "$REPO/tests/vm/boot/lib.bash"

# virtio_of DEV: the virtio device (virtioN) under a virtio disk.
virtio_of()
{
	basename "$(readlink -f "/sys/class/block/${1##*/}/device")"
}

# unplug VIRTIO / plug VIRTIO: remove or bring back a disk, with real
# remove/add uevents, while udevd runs.
unplug()
{
	echo "$1" > /sys/bus/virtio/drivers/virtio_blk/unbind
	udevadm settle
}

plug()
{
	echo "$1" > /sys/bus/virtio/drivers/virtio_blk/bind
	udevadm settle
}

read_head()
{
	dd if="$1" of=/dev/null bs=128k count=16 iflag=direct status=none
}

test()
{
	local ssd uuid fsuuid bc sum vssd vhdd hdd hits misses

	ssd=${DISK_ssd##*/}
	vssd=$(virtio_of "$DISK_ssd")
	vhdd=$(virtio_of "$DISK_hdd")
	boot_setup
	bch_format "$DISK_ssd" --bucket 64k
	mkfs.ext4 -q -F "$DISK_hdd"
	fsuuid=$(blkid -p -s UUID -o value "$DISK_hdd")
	udev_start
	coldplug "$DISK_ssd" "$DISK_hdd"
	wait_for 60 [ -e "$SYSFS_BCACHE/$ssd/bucket_size" ] || fail "the cache was not registered by udev"
	"$BCTL" attach "$DISK_hdd" --label hot
	uuid=$(awk '$1 == "/dev/disk/by-id/virtio-hdd" { print $2 }' /etc/bcache/devices)
	[ -n "$uuid" ] || fail "attach did not record /dev/disk/by-id/virtio-hdd: $(cat /etc/bcache/devices)"
	bc=$(bch_dev_for_uuid "$uuid")
	mkdir -p /mnt/hot
	mount "$bc" /mnt/hot
	dd if=/dev/urandom of=/mnt/hot/file bs=1M count=4 status=none
	sum=$(sha256sum < /mnt/hot/file)
	umount /mnt/hot

	# The backing device goes away and comes back: registered again, by
	# udev alone, with its uuid, and attached to the running cache.
	bch_stop_dev "$bc"
	unplug "$vhdd"
	[ ! -e /dev/disk/by-id/virtio-hdd ] || fail "the backing disk is still there after unbind"
	[ -z "$(bcache_devs)" ] || fail "a bcache device without its backing device"
	plug "$vhdd"
	wait_for 10 [ -e /dev/disk/by-id/virtio-hdd ] || fail "the backing disk did not come back"
	hdd=$(readlink -f /dev/disk/by-id/virtio-hdd)
	wait_for 30 bch_dev_for_uuid "$uuid" > /dev/null || fail "hot-added backing device not registered"
	bc=$(bch_dev_for_uuid "$uuid")
	wait_for 30 attr_is "/sys/block/${bc##*/}/bcache/cache" "$ssd" || fail "$bc is not attached to $ssd"
	expect_eq "$(bch_sys "$bc" backing_dev)" "${hdd##*/}" "backing device of $bc"
	udevadm settle
	expect_eq "$(readlink -f "/dev/disk/by-uuid/$fsuuid")" "$bc" "by-uuid link after hot-add"
	expect_eq "$(readlink -f /dev/bcache/by-label/hot)" "$bc" "/dev/bcache/by-label/hot"
	[ -z "$(links_to "$hdd")" ] || fail "the raw backing device has links: $(links_to "$hdd")"
	expect_eq "$(udev_prop "$hdd" SYSTEMD_READY)" 0 "SYSTEMD_READY of $hdd"
	read_head "$bc"
	read_head "$bc"

	# The cache goes away (the device continues uncached) and comes back:
	# registered by udev, it takes the waiting device back, warm.
	sysfs_write "$SYSFS_BCACHE/$ssd/unregister" 1
	wait_for 60 [ ! -e "$SYSFS_BCACHE/$ssd" ] || fail "the cache does not unregister"
	expect_eq "$(bch_sys "$bc" cache)" none "cache of $bc after unregister"
	unplug "$vssd"
	plug "$vssd"
	wait_for 10 [ -e /dev/disk/by-id/virtio-ssd ] || fail "the cache disk did not come back"
	ssd=$(basename "$(readlink -f /dev/disk/by-id/virtio-ssd)")
	wait_for 60 [ -e "$SYSFS_BCACHE/$ssd/bucket_size" ] || fail "hot-added cache not registered"
	wait_for 30 attr_is "/sys/block/${bc##*/}/bcache/cache" "$ssd" ||
		fail "$bc did not attach to the hot-added cache"
	[ "$(bcache_devs | wc -l)" -eq 1 ] || fail "more than one bcache device: $(bcache_devs)"
	bch_sys_write "$bc" clear_stats 1
	read_head "$bc"
	hits=$(bch_stat "$bc" cache_hits)
	misses=$(bch_stat "$bc" cache_misses)
	echo "after the cache came back: hits=$hits misses=$misses"
	[ "$hits" -gt 0 ] || fail "the cache is not warm"
	[ "$misses" -eq 0 ] || fail "the cache is not warm"

	mount "/dev/disk/by-uuid/$fsuuid" /mnt/hot
	expect_eq "$(sha256sum < /mnt/hot/file)" "$sum" "file contents"
	umount /mnt/hot
	check_udev_log
	boot_teardown
}
