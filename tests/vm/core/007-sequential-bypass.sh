# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="sequential streams above sequential_cutoff bypass the cache and are counted; random I/O is cached"
TEST_GROUPS="core"
TIMEOUT=400
DISKS="ssd:256M hdd:512M"

test()
{
	local uuid bc dir used0 used1 bypassed

	load_module
	uuid=$(bch_new_uuid)
	bch_format "$DISK_ssd" --bucket 64k
	bch_register_cache "$DISK_ssd"
	dir=$(bch_cache_dir "$DISK_ssd")
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	expect_eq "$(bch_sys "$bc" sequential_cutoff)" 4194304 "default cutoff"
	bch_sys_write "$bc" sequential_cutoff 1M
	expect_eq "$(bch_sys "$bc" sequential_cutoff)" 1048576 "cutoff with suffix"

	used0=$(cat "$dir/buckets_used")
	dd if="$bc" of=/dev/null bs=1M count=64 iflag=direct status=none
	bypassed=$(bch_stat "$bc" bypassed)
	echo "bypassed=$bypassed misses=$(bch_stat "$bc" cache_bypass_misses)"
	[ "$bypassed" -ge $((60 << 20)) ] || fail "sequential read not bypassed ($bypassed bytes)"
	[ "$(bch_stat "$bc" cache_bypass_misses)" -gt 0 ] || fail "no bypass misses counted"
	used1=$(cat "$dir/buckets_used")
	[ "$used1" -le $((used0 + 2)) ] || fail "bypassed data filled the cache ($used0 -> $used1 buckets)"

	# With the cutoff disabled the same stream is cached.
	bch_sys_write "$bc" sequential_cutoff 0
	dd if="$bc" of=/dev/null bs=1M count=16 skip=128 iflag=direct status=none
	dd if="$bc" of=/dev/null bs=1M count=16 skip=128 iflag=direct status=none
	[ "$(bch_stat "$bc" cache_hits)" -gt 0 ] || fail "no hits with the cutoff disabled"
	[ "$(cat "$dir/stats_total/cache_hits")" -gt 0 ] || fail "the cache's stats miss the device's hits"
	bch_sys_write "$bc" clear_stats 1
	expect_eq "$(bch_stat "$bc" cache_hits)" 0 "hits after clear_stats"
	expect_eq "$(bch_stat "$bc" bypassed)" 0 "bypassed after clear_stats"
	expect_fail bch_sys_write "$bc" sequential_cutoff -1
	expect_fail bch_sys_write "$bc" sequential_cutoff 99999999999999999999G
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
}
