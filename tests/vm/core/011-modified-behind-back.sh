# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="a backing device written while not registered is detected at re-registration: no stale data is served"
TEST_GROUPS="core"
TIMEOUT=300
DISKS="ssd:256M hdd:256M"

test()
{
	local u bc

	load_module
	u=$(bch_new_uuid)
	bch_format "$DISK_ssd" --bucket 64k
	bch_register_cache "$DISK_ssd"
	bc=$(bch_register_dev "$u" "$DISK_hdd")
	bch_sys_write "$bc" sequential_cutoff 0
	dd if=/dev/urandom of="$bc" bs=1M count=8 oflag=direct status=none
	dd if="$bc" of=/dev/null bs=1M count=8 iflag=direct status=none
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"

	# Behind the cache's back: a new filesystem on the raw device.
	mkfs.ext4 -q -F "$DISK_hdd"

	bch_register_cache "$DISK_ssd"
	bc=$(bch_register_dev "$u" "$DISK_hdd")
	same_data "$bc" "$DISK_hdd" $((8 << 20))
	expect_eq "$(bch_stat "$bc" cache_hits)" 0 "hits on stale data"
	e2fsck -f -n "$bc" || fail "the filesystem seen through the cache is damaged"
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
}
