# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="several caches: a device goes to the cache that knows its uuid, else the first with a free slot"
TEST_GROUPS="core"
TIMEOUT=400
DISKS="ssd1:128M ssd2:128M hdd1:256M hdd2:256M"

test()
{
	local u1 u2 b1 b2 c1 c2

	load_module
	c1=$(basename "$DISK_ssd1")
	c2=$(basename "$DISK_ssd2")
	bch_format "$DISK_ssd1" --bucket 64k
	bch_format "$DISK_ssd2" --bucket 64k
	u1=$(bch_new_uuid)
	u2=$(bch_new_uuid)

	# Teach cache 2 about device 1 while it is the only cache.
	bch_register_cache "$DISK_ssd2"
	b1=$(bch_register_dev "$u1" "$DISK_hdd1")
	expect_eq "$(bch_sys "$b1" cache)" "$c2" "only cache"
	bch_stop_dev "$b1"
	bch_unregister_cache "$DISK_ssd2"

	# Now cache 1 is registered first; device 1 must still go to cache 2.
	bch_register_cache "$DISK_ssd1"
	bch_register_cache "$DISK_ssd2"
	b1=$(bch_register_dev "$u1" "$DISK_hdd1")
	expect_eq "$(bch_sys "$b1" cache)" "$c2" "cache that knows the uuid"
	# A new device goes to the first cache with a free slot.
	b2=$(bch_register_dev "$u2" "$DISK_hdd2")
	expect_eq "$(bch_sys "$b2" cache)" "$c1" "first cache with a free slot"

	fio --name=v --filename="$b1" --rw=randwrite --bs=8k --size=32M --direct=1 \
		--verify=crc32c --do_verify=1 --output=/dev/null
	fio --name=v --filename="$b2" --rw=randwrite --bs=8k --size=32M --direct=1 \
		--verify=crc32c --do_verify=1 --output=/dev/null
	bch_stop_dev "$b1"
	bch_stop_dev "$b2"
	bch_unregister_cache "$DISK_ssd1"
	bch_unregister_cache "$DISK_ssd2"
}
