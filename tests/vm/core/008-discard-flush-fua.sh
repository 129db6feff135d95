# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="discard invalidates the cached range and reaches the backing device; flush and FUA reach the devices"
TEST_GROUPS="core"
TIMEOUT=400
DISKS="ssd:256M hdd:512M"

test()
{
	local uuid bc f0 f1 m0 m1

	load_module
	uuid=$(bch_new_uuid)
	bch_format "$DISK_ssd" --bucket 64k
	bch_register_cache "$DISK_ssd"
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	bch_sys_write "$bc" sequential_cutoff 0

	# Cache 16 MiB of random data, then discard it.
	dd if=/dev/urandom of="$bc" bs=1M count=16 oflag=direct status=none
	dd if="$bc" of=/dev/null bs=1M count=16 iflag=direct status=none
	[ "$(cat "/sys/block/${bc##*/}/queue/discard_max_bytes")" -gt 0 ] ||
		fail "discard not advertised although the backing device supports it"
	blkdiscard -o 0 -l $((16 << 20)) "$bc"
	m0=$(bch_stat "$bc" cache_misses)
	# The backing device dropped the data (QEMU punches a hole: zeroes)...
	cmp -n $((16 << 20)) "$DISK_hdd" /dev/zero || fail "discard did not reach the backing device"
	# ...and the cache does not serve the old data.
	same_data "$bc" "$DISK_hdd" $((16 << 20))
	m1=$(bch_stat "$bc" cache_misses)
	[ "$m1" -gt "$m0" ] || fail "discarded range still hit in the cache"

	# fsync'd writes: flushes reach the backing device.
	f0=$(flushes "$DISK_hdd")
	fio --name=fs --filename="$bc" --rw=randwrite --bs=4k --size=8M --fsync=1 \
		--number_ios=64 --output=/dev/null
	f1=$(flushes "$DISK_hdd")
	echo "backing flushes: $f0 -> $f1"
	[ "$f1" -ge $((f0 + 48)) ] || fail "flushes did not reach the backing device"

	# O_SYNC direct writes are FUA on /dev/bcacheN (virtio turns FUA into a flush).
	expect_eq "$(cat "/sys/block/${bc##*/}/queue/fua")" 1 "FUA advertised"
	expect_eq "$(cat "/sys/block/${bc##*/}/queue/write_cache")" "write back" "volatile cache advertised"
	f0=$(flushes "$DISK_hdd")
	fio --name=fua --filename="$bc" --rw=randwrite --bs=4k --size=8M --direct=1 --sync=1 \
		--number_ios=32 --output=/dev/null
	f1=$(flushes "$DISK_hdd")
	echo "backing flushes for FUA: $f0 -> $f1"
	[ "$f1" -ge $((f0 + 24)) ] || fail "FUA did not reach the backing device"
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
}
