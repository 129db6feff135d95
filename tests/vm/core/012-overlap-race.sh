# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="racing overlapping writes, bypassed writes and read-miss fills never leave stale data in the cache"
TEST_GROUPS="core integrity"
TIMEOUT=900
DISKS="ssd:256M hdd:256M"

test()
{
	local u bc mode

	load_module
	u=$(bch_new_uuid)
	bch_format "$DISK_ssd" --bucket 64k
	bch_register_cache "$DISK_ssd"
	bc=$(bch_register_dev "$u" "$DISK_hdd")
	# A 1 MiB cutoff makes the 2 MiB sequential writer a bypassed writer.
	bch_sys_write "$bc" sequential_cutoff 1M

	for mode in writethrough writearound; do
		bch_sys_write "$bc" cache_mode "$mode"
		# Readers fill the cache while writers overwrite the same 4 MiB.
		fio --output=/tmp/race.out --filename="$bc" --direct=1 --ioengine=libaio \
			--size=4M --time_based --runtime=40 --randrepeat=0 \
			--name=readers --rw=randread --bsrange=4k-64k --iodepth=16 --numjobs=3 \
			--name=writers --rw=randwrite --bsrange=4k-64k --iodepth=8 --numjobs=2 \
			--name=seqwriter --rw=write --bs=256k --iodepth=2 --numjobs=1
		# Every block read through the cache equals the backing device.
		same_data "$bc" "$DISK_hdd" $((4 << 20))
		drop_caches
		same_data "$bc" "$DISK_hdd" $((4 << 20))
		echo "$mode: hits=$(bch_stat "$bc" cache_hits) bypassed=$(bch_stat "$bc" bypassed)"
	done
	[ "$(bch_stat "$bc" cache_hits)" -gt 0 ] || fail "the race never hit the cache"
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
}
