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

	# fsync'd overwrites of cached data: each invalidation is journaled
	# before its backing write, and the user's flush also covers what
	# that journal write needs flushed on the backing device (backing.c),
	# so an fsync costs one backing flush, not two. Then every block must
	# read back as written, from wherever it is served.
	dd if="$bc" of=/dev/null bs=1M skip=32 count=8 iflag=direct status=none
	f0=$(flushes "$DISK_hdd")
	fio --name=ow --filename="$bc" --rw=randwrite --bs=4k --offset=32M --size=8M \
		--direct=1 --fsync=1 --number_ios=64 --verify=crc32c --verify_fatal=1 \
		--randseed=8 --output=/dev/null || fail "fsync'd overwrites did not verify"
	f1=$(flushes "$DISK_hdd")
	echo "backing flushes for 64 fsync'd overwrites: $f0 -> $f1"
	[ "$f1" -ge $((f0 + 48)) ] || fail "flushes did not reach the backing device"
	[ "$f1" -le $((f0 + 80)) ] || fail "$((f1 - f0)) backing flushes for 64 fsyncs"
	same_data "$bc" "$DISK_hdd" $((48 << 20))

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
