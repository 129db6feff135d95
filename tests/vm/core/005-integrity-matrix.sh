# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="fio verify, randrw, 512 B to 128 KiB and mixed, each cache mode, on a cache much smaller than the data: eviction, GC and gen bumps happen; the backing device alone verifies afterwards"
TEST_GROUPS="core integrity"
TIMEOUT=1500
MEM=1536
DISKS="ssd:16M hdd:128M"

# verify_job DEV [FIO-ARGS]: one region per job, so jobs never overlap.
verify_job()
{
	local dev=$1

	shift
	fio "$@" --output-format=terse --output=/tmp/fio.out --filename="$dev" --direct=1 \
		--ioengine=libaio --iodepth=8 --rw=randrw --rwmixread=50 \
		--verify=crc32c --do_verify=1 --verify_fatal=1 --verify_backlog=256 \
		--randrepeat=1 --numjobs=1 \
		--name=bs512 --bs=512 --offset=0 --size=4M \
		--name=bs4k --bs=4k --offset=4M --size=12M \
		--name=bs64k --bs=64k --offset=16M --size=16M \
		--name=bs128k --bs=128k --offset=32M --size=16M \
		--name=mixed --bsrange=512-128k --offset=48M --size=16M
}

test()
{
	local uuid bc mode gc0 gc1 dir

	load_module
	uuid=$(bch_new_uuid)
	bch_format "$DISK_ssd" --bucket 32k --journal 4
	bch_register_cache "$DISK_ssd"
	dir=$(bch_cache_dir "$DISK_ssd")
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	bch_sys_write "$bc" sequential_cutoff 0
	gc0=$(cat "$dir/gc_runs")

	for mode in writethrough writearound none; do
		bch_sys_write "$bc" cache_mode "$mode"
		grep -q "\[$mode\]" "/sys/block/${bc##*/}/bcache/cache_mode" ||
			fail "cache_mode did not switch to $mode"
		verify_job "$bc" || fail "fio verify failed in $mode"
		# Reads again through the cache, then against the raw device.
		same_data "$bc" "$DISK_hdd" $((64 << 20))
		echo "$mode: hits=$(bch_stat "$bc" cache_hits) misses=$(bch_stat "$bc" cache_misses) used=$(cat "$dir/buckets_used")"
	done
	gc1=$(cat "$dir/gc_runs")
	[ "$gc1" -gt "$gc0" ] || fail "GC never ran (gc_runs $gc0 -> $gc1)"
	[ "$(bch_stat "$bc" cache_hits)" -gt 0 ] || fail "no cache hits at all"

	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
	# The backing device alone holds every acknowledged write.
	verify_job "$DISK_hdd" --verify_only=1 || fail "the backing device does not verify"
}
