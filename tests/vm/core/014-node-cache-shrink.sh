# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="btree nodes read by GC are freed by drop_caches and read back on demand; reads racing the shrinker stay right"
TEST_GROUPS="core"
TIMEOUT=300
DISKS="ssd:128M hdd:64M"

# A GC pass reads every btree node. The node cache must give them back
# under memory pressure: drop_caches runs every shrinker, so afterwards
# only the root and nodes with unwritten keys may stay, whether GC or
# reads used them last. Reads after that read the nodes again and must
# still hit; reads while the shrinker runs must return the backing
# device's bytes.

test()
{
	local uuid bc cdir n0 n1 n2 nodes h0 h1 i reader

	load_module
	uuid=$(bch_new_uuid)
	# 4 KiB buckets: small leaves, so that 16384 extents make more nodes
	# than the shrinker scans in one batch (128).
	bch_format "$DISK_ssd" --bucket 4k
	bch_register_cache "$DISK_ssd"
	cdir=$(bch_cache_dir "$DISK_ssd")
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	bch_sys_write "$bc" sequential_cutoff 0
	fio --name=fill --filename="$bc" --rw=randwrite --bs=4k --size=64M --direct=1 \
		--ioengine=psync --randseed=29 --refill_buffers --output=/dev/null ||
		fail "fio failed"

	# A fresh registration holds few nodes; a GC pass reads them all.
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
	bch_register_cache "$DISK_ssd"
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	wait_for 30 attr_is "/sys/block/${bc##*/}/bcache/state" clean ||
		fail "the device did not attach again"
	nodes=$(cat "$cdir/btree_nodes")
	n0=$(cat "$cdir/btree_cache_nodes")
	i=$(cat "$cdir/gc_runs")
	sysfs_write "$cdir/trigger_gc" 1
	wait_for 120 attr_ge "$cdir/gc_runs" $((i + 1)) || fail "GC did not run"
	n1=$(cat "$cdir/btree_cache_nodes")
	echo "btree nodes on disk $nodes, in memory: after registration $n0, after GC $n1"
	[ "$nodes" -ge 140 ] || fail "only $nodes btree nodes: the test needs more"
	[ "$n1" -ge $((nodes - 2)) ] || fail "GC left $n1 of $nodes nodes in memory"

	echo 2 > /proc/sys/vm/drop_caches
	n2=$(cat "$cdir/btree_cache_nodes")
	echo "after drop_caches: $n2 in memory, $(cat "$cdir/dirty_nodes") dirty"
	[ "$n2" -le $((n1 / 4)) ] || fail "drop_caches freed only $((n1 - n2)) of $n1 nodes"

	# The nodes are read again: the cached data still hits, and is right.
	h0=$(bch_stat "$bc" cache_hits)
	same_data "$bc" "$DISK_hdd"
	h1=$(bch_stat "$bc" cache_hits)
	echo "hits of a full read after the shrink: $((h1 - h0))"
	[ "$h1" -gt "$h0" ] || fail "no hits after the nodes were freed"
	n1=$(cat "$cdir/btree_cache_nodes")
	[ "$n1" -gt "$n2" ] || fail "no node was read back"
	# Nodes the reads used get a second chance; drop_caches must still
	# free them (it scans twice what the shrinker counts).
	echo 2 > /proc/sys/vm/drop_caches
	n2=$(cat "$cdir/btree_cache_nodes")
	echo "used nodes: $n1 in memory, after drop_caches $n2"
	[ "$n2" -le $((n1 / 4)) ] || fail "drop_caches freed only $((n1 - n2)) of $n1 used nodes"

	# Lookups racing the shrinker.
	(
		for i in 1 2 3 4; do
			dd if="$bc" bs=64k iflag=direct status=none | sha256sum
		done
	) > /tmp/shrink.sums &
	reader=$!
	for i in $(seq 20); do
		echo 2 > /proc/sys/vm/drop_caches
	done
	wait "$reader" || fail "reads during the shrink failed"
	expect_eq "$(wc -l < /tmp/shrink.sums)" 4 "reads done during the shrink"
	n0=$(dd if="$DISK_hdd" bs=64k iflag=direct status=none | sha256sum)
	while read -r i; do
		expect_eq "$i" "$n0" "a read racing the shrinker"
	done < /tmp/shrink.sums

	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
}
