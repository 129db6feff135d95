# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="a read over more cached extents than one request can carry is split and served from the cache"
TEST_GROUPS="core"
TIMEOUT=300
DISKS="ssd:64M hdd:128M"

test()
{
	local uuid bc h0 m0 h1 m1

	load_module
	uuid=$(bch_new_uuid)
	bch_format "$DISK_ssd" --bucket 64k
	bch_register_cache "$DISK_ssd"
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	bch_sys_write "$bc" sequential_cutoff 0

	# 128 blocks of 4 KiB, each written once in a shuffled order: the
	# cache holds them as 128 extents that cannot merge (neighbours on the
	# device are not neighbours on the SSD).
	fio --name=frag --filename="$bc" --rw=randwrite --bs=4k --size=512k --direct=1 \
		--ioengine=psync --randseed=13 --output=/dev/null || fail "fio failed"
	# The copies are inserted from a worker after each write completed; a
	# clean stop waits for all of them, and the data stays cached.
	bch_stop_dev "$bc"
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	wait_for 30 attr_is "/sys/block/${bc##*/}/bcache/state" clean ||
		fail "the device did not attach again"

	# One 512 KiB read needs 128 pieces, four times what a request holds.
	h0=$(bch_stat "$bc" cache_hits)
	m0=$(bch_stat "$bc" cache_misses)
	dd if="$bc" of=/tmp/frag.bcache bs=512k count=1 iflag=direct status=none
	h1=$(bch_stat "$bc" cache_hits)
	m1=$(bch_stat "$bc" cache_misses)
	echo "one 512k read: hits $h0 -> $h1, misses $m0 -> $m1"
	expect_eq "$m1" "$m0" "misses of the fragmented read"
	[ "$h1" -ge $((h0 + 4)) ] || fail "the read was not served as split hits"
	dd if="$DISK_hdd" of=/tmp/frag.hdd bs=512k count=1 iflag=direct status=none
	cmp /tmp/frag.bcache /tmp/frag.hdd || fail "the split read returned other data than the backing device holds"

	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
}
