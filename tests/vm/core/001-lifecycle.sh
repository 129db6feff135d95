# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="registration in both orders: passthrough without a cache, cached once one is registered"
TEST_GROUPS="quick core"
TIMEOUT=300
DISKS="ssd:256M hdd:512M"

test()
{
	local uuid bc cache

	load_module
	uuid=$(bch_new_uuid)
	cache=$(basename "$DISK_ssd")
	bch_format "$DISK_ssd" --bucket 64k

	# Backing first: a passthrough device with the same size and data.
	dd if=/dev/urandom of="$DISK_hdd" bs=1M count=8 oflag=direct status=none
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	expect_eq "$bc" /dev/bcache0 "first device"
	expect_eq "$(blockdev --getsize64 "$bc")" "$(blockdev --getsize64 "$DISK_hdd")" "size"
	expect_eq "$(bch_sys "$bc" state)" "no cache" "state before a cache"
	expect_eq "$(bch_sys "$bc" cache)" "none" "cache before registration"
	same_data "$bc" "$DISK_hdd" $((8 << 20))

	# Then the cache: the device attaches by itself.
	bch_register_cache "$DISK_ssd"
	wait_for 10 attr_is "/sys/block/${bc##*/}/bcache/cache" "$cache" || fail "device did not attach"
	expect_eq "$(bch_sys "$bc" state)" "clean" "state after attach"
	expect_eq "$(bch_sys "$bc" uuid)" "$uuid" "uuid"
	expect_eq "$(bch_sys "$bc" backing_dev)" "$(basename "$DISK_hdd")" "backing_dev"
	dd if="$bc" of=/dev/null bs=64k count=64 iflag=direct status=none
	dd if="$bc" of=/dev/null bs=64k count=64 iflag=direct status=none
	[ "$(bch_stat "$bc" cache_hits)" -gt 0 ] || fail "no hits on the second read"
	same_data "$bc" "$DISK_hdd"

	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"

	# Cache first, then the backing device: attached from the start.
	bch_register_cache "$DISK_ssd"
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	expect_eq "$(bch_sys "$bc" cache)" "$cache" "attached at registration"
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
	unload_module
}
