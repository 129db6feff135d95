# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="stop is refused while /dev/bcacheN is open; rmmod is refused while anything is registered"
TEST_GROUPS="quick core"
TIMEOUT=300
DISKS="ssd:256M hdd:256M"

test()
{
	local u bc

	load_module
	u=$(bch_new_uuid)
	bch_format "$DISK_ssd" --bucket 64k
	bch_register_cache "$DISK_ssd"
	expect_fail rmmod bcache
	bc=$(bch_register_dev "$u" "$DISK_hdd")
	exec 7< "$bc"
	expect_fail bch_sys_write "$bc" stop 1
	[ -b "$bc" ] || fail "device vanished while open"
	exec 7<&-
	bch_unregister_cache "$DISK_ssd"
	expect_fail rmmod bcache
	bch_stop_dev "$bc"
	rmmod bcache
}
