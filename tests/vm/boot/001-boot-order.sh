# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="udev: a cache and a registry backing device come up cached, warm and in their recorded mode in either arrival order; only /dev/bcacheN gets the filesystem's links; re-triggers are quiet"
TEST_GROUPS="boot"
TIMEOUT=800
DISKS="ssd:64M hdd:128M"

# shellcheck source=lib.bash
. "$REPO/tests/vm/boot/lib.bash"

# read_head DEV: read the first 2 MiB (under sequential_cutoff) with O_DIRECT.
read_head()
{
	dd if="$1" of=/dev/null bs=128k count=16 iflag=direct status=none
}

# check_up UUID CACHE FSUUID: /dev/bcacheN for UUID is attached to CACHE,
# in writearound mode, and owns every link of its filesystem.
check_up()
{
	local uuid=$1 cache=$2 fsuuid=$3 bc l

	wait_for 30 bch_dev_for_uuid "$uuid" > /dev/null || fail "no /dev/bcacheN with uuid $uuid"
	bc=$(bch_dev_for_uuid "$uuid")
	wait_for 30 attr_is "/sys/block/${bc##*/}/bcache/cache" "$cache" ||
		fail "$bc is not attached to $cache: $(bch_sys "$bc" cache)"
	[ "$(bcache_devs | wc -l)" -eq 1 ] || fail "more than one bcache device: $(bcache_devs)"
	grep -q '\[writearound\]' "/sys/block/${bc##*/}/bcache/cache_mode" ||
		fail "the recorded mode was not applied: $(bch_sys "$bc" cache_mode)"
	udevadm settle
	l=$(readlink -f "/dev/disk/by-uuid/$fsuuid") || fail "no by-uuid link of the filesystem"
	expect_eq "$l" "$bc" "/dev/disk/by-uuid/$fsuuid"
	expect_eq "$(readlink -f /dev/disk/by-label/data)" "$bc" "/dev/disk/by-label/data"
	expect_eq "$(readlink -f "/dev/bcache/by-uuid/$uuid")" "$bc" "/dev/bcache/by-uuid/$uuid"
	expect_eq "$(readlink -f /dev/bcache/by-label/data)" "$bc" "/dev/bcache/by-label/data"
	[ -z "$(links_to "$DISK_hdd")" ] || fail "the raw backing device has links: $(links_to "$DISK_hdd")"
	expect_eq "$(udev_prop "$DISK_hdd" SYSTEMD_READY)" 0 "SYSTEMD_READY of $DISK_hdd"
	expect_eq "$(udev_prop "$DISK_hdd" UDISKS_IGNORE)" 1 "UDISKS_IGNORE of $DISK_hdd"
	expect_eq "$(udev_prop "$DISK_hdd" ID_FS_TYPE)" bcache_backing "ID_FS_TYPE of $DISK_hdd"
	echo "$bc"
}

test()
{
	local ssd hdd uuid fsuuid bc sum order hits misses n0 n1

	ssd=${DISK_ssd##*/} hdd=${DISK_hdd##*/}
	boot_setup
	bch_format "$DISK_ssd" --bucket 64k
	mkfs.ext4 -q -F -L data "$DISK_hdd"
	fsuuid=$(blkid -p -s UUID -o value "$DISK_hdd")

	# First boot: the cache registers itself (and loads the module); the
	# backing device is attached by hand.
	udev_start
	coldplug "$DISK_ssd" "$DISK_hdd"
	wait_for 60 [ -e "$SYSFS_BCACHE/$ssd/bucket_size" ] || fail "the cache was not registered by udev"
	[ -z "$(bcache_devs)" ] || fail "a device was registered before it was in the registry"
	expect_eq "$(readlink -f "/dev/disk/by-uuid/$fsuuid")" "$DISK_hdd" "by-uuid link before attach"
	"$BCTL" attach /dev/disk/by-id/virtio-hdd --label data --mode writearound
	uuid=$(awk '$1 == "/dev/disk/by-id/virtio-hdd" { print $2 }' /etc/bcache/devices)
	[ -n "$uuid" ] || fail "attach did not record the device: $(cat /etc/bcache/devices)"
	bc=$(check_up "$uuid" "$ssd" "$fsuuid")
	mkdir -p /mnt/data
	mount "/dev/disk/by-uuid/$fsuuid" /mnt/data
	dd if=/dev/urandom of=/mnt/data/file bs=1M count=8 status=none
	sum=$(sha256sum < /mnt/data/file)
	umount /mnt/data
	read_head "$bc"
	read_head "$bc"

	for order in cache-first backing-first; do
		echo "== reboot, $order"
		fake_reboot
		udev_start
		if [ "$order" = cache-first ]; then
			coldplug "$DISK_ssd"
			wait_for 60 [ -e "$SYSFS_BCACHE/$ssd/bucket_size" ] || fail "$order: no cache"
			coldplug "$DISK_hdd"
		else
			coldplug "$DISK_hdd"
			wait_for 30 bch_dev_for_uuid "$uuid" > /dev/null || fail "$order: no bcache device"
			bc=$(bch_dev_for_uuid "$uuid")
			expect_eq "$(bch_sys "$bc" cache)" none "$order: cache before the cache device came"
			coldplug "$DISK_ssd"
		fi
		bc=$(check_up "$uuid" "$ssd" "$fsuuid")
		bch_sys_write "$bc" clear_stats 1
		read_head "$bc"
		hits=$(bch_stat "$bc" cache_hits)
		misses=$(bch_stat "$bc" cache_misses)
		echo "$order: $bc hits=$hits misses=$misses"
		[ "$hits" -gt 0 ] || fail "$order: the cache is not warm (no hits)"
		[ "$misses" -eq 0 ] || fail "$order: the cache is not warm (misses)"
		mount "/dev/disk/by-uuid/$fsuuid" /mnt/data
		expect_eq "$(sha256sum < /mnt/data/file)" "$sum" "$order: file contents"
		umount /mnt/data
		read_head "$bc"
		read_head "$bc"
	done

	# Re-triggering everything, as add and as change, changes nothing and
	# logs nothing.
	n0=$(dmesg | wc -l)
	udevadm trigger --action=add --subsystem-match=block --settle
	udevadm trigger --action=change --subsystem-match=block --settle
	udevadm trigger --action=add --subsystem-match=block --settle
	sleep 3
	n1=$(dmesg | wc -l)
	if [ "$n1" -ne "$n0" ]; then
		dmesg | tail -n $((n1 - n0))
		fail "re-triggering logged kernel messages"
	fi
	check_up "$uuid" "$ssd" "$fsuuid" > /dev/null
	expect_eq "$(bch_dev_for_uuid "$uuid")" "$bc" "device after re-trigger"
	check_udev_log
	cat "$UDEVD_LOG"
	boot_teardown
}
