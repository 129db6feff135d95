# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The demo scenario, run in the guest by the test harness (scripts/demo.sh):
# a virtual SSD in front of a throttled virtual HDD, a random-read workload
# run cold and then warm, and the counters that show the difference.
DESCRIPTION="demo: a cold and a warm random-read run through /dev/bcache0"
TIMEOUT=1200
MEM=1024
DISKS="ssd:512M hdd:2G:iops=150"

# run_reads DEV LABEL: 4k random reads over 64 MiB; prints IOPS.
run_reads()
{
	fio --name="$2" --filename="$1" --rw=randread --bs=4k --size=64M \
		--ioengine=libaio --iodepth=16 --direct=1 --randrepeat=1 \
		--number_ios=4096 --output-format=terse --terse-version=3 |
		awk -F';' '{ print $8 }'
}

test()
{
	local uuid bc hits misses cold warm ratio

	echo "== Disks: SSD $DISK_ssd (512 MiB), HDD $DISK_hdd (2 GiB, throttled to 150 IOPS)"
	load_module
	echo "== make-bcache -C $DISK_ssd"
	"$TOOLS/make-bcache" -C "$DISK_ssd" --quiet
	"$TOOLS/bcache-super-show" "$DISK_ssd" | grep -E '^(uuid|bucket_size|block_size|nbuckets):'
	echo "== echo $DISK_ssd > /sys/kernel/bcache/register_cache"
	echo "$DISK_ssd" > /sys/kernel/bcache/register_cache
	uuid=$(cat /proc/sys/kernel/random/uuid)
	echo "== echo \"$uuid $DISK_hdd\" > /sys/kernel/bcache/register_dev"
	echo "$uuid $DISK_hdd" > /sys/kernel/bcache/register_dev
	bc=$(bch_dev_for_uuid "$uuid")
	echo "   -> $bc, cache: $(bch_sys "$bc" cache), mode: $(bch_sys "$bc" cache_mode)"

	echo "== Cold run: 4096 random 4k reads over 64 MiB (every read misses and fills the cache)"
	cold=$(run_reads "$bc" cold)
	echo "== Warm run: the same reads again"
	warm=$(run_reads "$bc" warm)
	hits=$(bch_stat "$bc" cache_hits)
	misses=$(bch_stat "$bc" cache_misses)
	ratio=$(bch_stat "$bc" cache_hit_ratio)
	echo
	printf '   %-10s %10s IOPS\n' cold "$cold" warm "$warm"
	printf '   speed-up   %10s x\n' "$(awk -v c="$cold" -v w="$warm" 'BEGIN { printf "%.1f", c ? w / c : 0 }')"
	echo "   cache_hits=$hits cache_misses=$misses cache_hit_ratio=$ratio%"
	echo "   buckets_used=$(cat "$(bch_cache_dir "$DISK_ssd")/buckets_used")"
	echo
	echo "== Unregister and re-register: the cache stays warm"
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
	echo "$DISK_ssd" > /sys/kernel/bcache/register_cache
	echo "$uuid $DISK_hdd" > /sys/kernel/bcache/register_dev
	bc=$(bch_dev_for_uuid "$uuid")
	warm=$(run_reads "$bc" rewarm)
	echo "   after re-registration: $warm IOPS, cache_hits=$(bch_stat "$bc" cache_hits) cache_misses=$(bch_stat "$bc" cache_misses)"
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
	[ "$hits" -gt 0 ] || fail "the warm run did not hit the cache"
}
