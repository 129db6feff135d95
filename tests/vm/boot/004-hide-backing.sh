# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="udev: a backing device registered by hand, and a partition of one, are hidden (no fs links, SYSTEMD_READY=0) but keep their by-id links; fstab UUID= mounts /dev/bcacheN; stopped, they get their links back"
TEST_GROUPS="boot"
TIMEOUT=400
DISKS="hdd:128M pt:128M"

# shellcheck source=lib.bash
. "$REPO/tests/vm/boot/lib.bash"

# hidden DEV: DEV has no filesystem links and is not ready for systemd.
hidden()
{
	[ -z "$(links_to "$1")" ] || fail "$1 has filesystem links: $(links_to "$1")"
	expect_eq "$(udev_prop "$1" SYSTEMD_READY)" 0 "SYSTEMD_READY of $1"
	expect_eq "$(udev_prop "$1" UDISKS_IGNORE)" 1 "UDISKS_IGNORE of $1"
	expect_eq "$(udev_prop "$1" ID_FS_TYPE)" bcache_backing "ID_FS_TYPE of $1"
	expect_eq "$(udev_prop "$1" BCACHE_BACKING_FS_TYPE)" ext4 "BCACHE_BACKING_FS_TYPE of $1"
}

# change DEV...: a change uevent for each, processed.
change()
{
	uevent change "$@"
}

test()
{
	local hdd pt p1 part fsuuid p1uuid bc bc2

	hdd=${DISK_hdd##*/} pt=${DISK_pt##*/}
	boot_setup
	mkfs.ext4 -q -F -L raw "$DISK_hdd"
	fsuuid=$(blkid -p -s UUID -o value "$DISK_hdd")
	printf 'label: gpt\n,,L\n' | sfdisk -q "$DISK_pt"
	wait_for 10 [ -e "/sys/class/block/${pt}1" ] || fail "no partition on $DISK_pt"
	part=${pt}1 p1=/dev/${pt}1
	mkfs.ext4 -q -F -L part "$p1"
	p1uuid=$(blkid -p -s UUID -o value "$p1")
	load_module
	udev_start
	coldplug "$DISK_hdd" "$DISK_pt" "$p1"
	expect_eq "$(readlink -f "/dev/disk/by-uuid/$fsuuid")" "$DISK_hdd" "by-uuid link of an unregistered device"
	expect_eq "$(udev_prop "$DISK_hdd" SYSTEMD_READY)" "" "SYSTEMD_READY of an unregistered device"

	# Registered by hand (no registry): hidden at the next event.
	bc=$(bch_register_dev "$(bch_new_uuid)" "$DISK_hdd")
	change "$DISK_hdd"
	udevadm settle
	hidden "$DISK_hdd"
	expect_eq "$(readlink -f "/dev/disk/by-uuid/$fsuuid")" "$bc" "by-uuid link"
	expect_eq "$(readlink -f /dev/disk/by-label/raw)" "$bc" "by-label link"
	expect_eq "$(readlink -f /dev/disk/by-id/virtio-hdd)" "$DISK_hdd" "by-id link of the backing device"

	# fstab UUID= (libblkid follows the udev link) and findfs.
	mkdir -p /mnt/fs
	echo "UUID=$fsuuid /mnt/fs ext4 noauto 0 0" >> /etc/fstab
	mount /mnt/fs
	expect_eq "$(findmnt -n -o SOURCE /mnt/fs)" "$bc" "device mounted for UUID=$fsuuid"
	umount /mnt/fs
	expect_eq "$(findfs "UUID=$fsuuid")" "$bc" "findfs UUID=$fsuuid"

	# A whole disk with a partition: the partition of the raw disk is
	# hidden, the partition of /dev/bcacheN gets the link.
	bc2=$(bch_register_dev "$(bch_new_uuid)" "$DISK_pt")
	wait_for 10 [ -b "${bc2}p1" ] || fail "no ${bc2}p1"
	change "$DISK_pt" "$p1"
	udevadm settle
	hidden "$p1"
	expect_eq "$(readlink -f "/dev/disk/by-uuid/$p1uuid")" "${bc2}p1" "by-uuid link of the partition"

	# Stopped, the raw devices are plain devices again.
	bch_stop_dev "$bc"
	bch_stop_dev "$bc2"
	change "$DISK_hdd" "$DISK_pt" "$p1"
	udevadm settle
	expect_eq "$(readlink -f "/dev/disk/by-uuid/$fsuuid")" "$DISK_hdd" "by-uuid link after stop"
	expect_eq "$(readlink -f "/dev/disk/by-uuid/$p1uuid")" "$p1" "by-uuid link of the partition after stop"
	expect_eq "$(udev_prop "$DISK_hdd" SYSTEMD_READY)" "" "SYSTEMD_READY after stop"
	expect_eq "$(udev_prop "$p1" ID_FS_TYPE)" ext4 "ID_FS_TYPE of the partition after stop"
	check_udev_log
	boot_teardown
}
