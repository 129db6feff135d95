# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="two backing devices on one cache: both cached, data kept apart"
TEST_GROUPS="core"
TIMEOUT=400
DISKS="ssd:256M hdd1:256M hdd2:256M"

test()
{
	local u1 u2 b1 b2 f

	load_module
	bch_format "$DISK_ssd" --bucket 64k
	bch_register_cache "$DISK_ssd"
	u1=$(bch_new_uuid)
	u2=$(bch_new_uuid)
	b1=$(bch_register_dev "$u1" "$DISK_hdd1")
	b2=$(bch_register_dev "$u2" "$DISK_hdd2")
	[ "$b1" != "$b2" ] || fail "same device node twice"
	expect_eq "$(bch_sys "$b2" cache)" "$(bch_sys "$b1" cache)" "both on one cache"

	# The same offsets on both devices, different data.
	for f in "$b1" "$b2"; do
		fio --name=w --filename="$f" --rw=randwrite --bs=4k --size=64M --direct=1 \
			--randseed=$RANDOM --verify=crc32c --do_verify=0 --output=/dev/null &
	done
	wait
	for f in "$b1" "$b2"; do
		dd if="$f" of=/dev/null bs=64k count=1024 iflag=direct status=none
	done
	same_data "$b1" "$DISK_hdd1"
	same_data "$b2" "$DISK_hdd2"
	[ "$(bch_stat "$b1" cache_hits)" -gt 0 ] || fail "$b1: no hits"
	[ "$(bch_stat "$b2" cache_hits)" -gt 0 ] || fail "$b2: no hits"
	bch_stop_dev "$b1"
	bch_stop_dev "$b2"
	bch_unregister_cache "$DISK_ssd"
}
