# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="btree node cache: GC keeps no node it alone read, keeps the ones reads use, drop_caches frees them; reads stay right"
TEST_GROUPS="core"
TIMEOUT=300
DISKS="ssd:128M hdd:64M"

# A GC pass walks every btree node. It must not leave the whole tree in
# memory (drop-behind), nor evict the nodes that reads use; the shrinker
# (drop_caches runs every shrinker) must free clean nodes, and the reads
# after that read them again and still hit. Reads racing GC and the
# shrinker must return the backing device's bytes.

# nodes: btree nodes in memory.
nodes()
{
	cat "$CDIR/btree_cache_nodes"
}

test()
{
	local uuid bc total n h0 h1 i reader ref

	load_module
	uuid=$(bch_new_uuid)
	# 4 KiB buckets: small leaves, so that 16384 extents make more nodes
	# than the shrinker scans in one batch (128).
	bch_format "$DISK_ssd" --bucket 4k
	bch_register_cache "$DISK_ssd"
	CDIR=$(bch_cache_dir "$DISK_ssd")
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	bch_sys_write "$bc" sequential_cutoff 0
	fio --name=fill --filename="$bc" --rw=randwrite --bs=4k --size=64M --direct=1 \
		--ioengine=psync --randseed=29 --refill_buffers --output=/dev/null ||
		fail "fio failed"

	# Registered again, the cache holds few nodes; GC must leave it so.
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
	bch_register_cache "$DISK_ssd"
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	wait_for 30 attr_is "/sys/block/${bc##*/}/bcache/state" clean ||
		fail "the device did not attach again"
	total=$(cat "$CDIR/btree_nodes")
	[ "$total" -ge 140 ] || fail "only $total btree nodes: the test needs more"
	bch_gc "$CDIR"
	n=$(nodes)
	echo "btree nodes on disk $total; in memory after a GC pass: $n"
	[ "$n" -le $((total / 4)) ] || fail "GC left $n of $total nodes in memory"

	# Reads bring the leaves in; a GC pass keeps them.
	h0=$(bch_stat "$bc" cache_hits)
	same_data "$bc" "$DISK_hdd"
	h1=$(bch_stat "$bc" cache_hits)
	n=$(nodes)
	echo "after a full read: $n in memory, $((h1 - h0)) hits"
	[ "$h1" -gt "$h0" ] || fail "the full read did not hit"
	[ "$n" -ge $((total * 3 / 4)) ] || fail "a full read left only $n of $total nodes in memory"
	# (Not all of them: a leaf GC rewrites is a new node that no read used
	# yet, and reclaim may have taken second chances meanwhile.)
	bch_gc "$CDIR"
	i=$(nodes)
	echo "after a GC pass over nodes in use: $i in memory"
	[ "$i" -ge $((n * 3 / 4)) ] || fail "GC freed nodes that reads use: $i of $n left"

	# The shrinker frees them (each used node gets a second chance; a
	# drop_caches scans twice what the shrinker counts).
	# Dirty nodes (GC's rewrites updated parents) stay until written.
	echo 2 > /proc/sys/vm/drop_caches
	i=$(($(nodes) - $(cat "$CDIR/dirty_nodes")))
	echo "after drop_caches: $(nodes) in memory, $i of them clean"
	[ "$i" -le $((n / 4)) ] || fail "drop_caches left $i of $n clean nodes in memory"

	# They are read again: still hits, still the right bytes.
	h0=$(bch_stat "$bc" cache_hits)
	same_data "$bc" "$DISK_hdd"
	h1=$(bch_stat "$bc" cache_hits)
	[ "$h1" -gt "$h0" ] || fail "no hits after the nodes were freed"

	# Reads racing GC and the shrinker.
	(
		for i in 1 2 3 4; do
			dd if="$bc" bs=64k iflag=direct status=none | sha256sum
		done
	) > /tmp/shrink.sums &
	reader=$!
	for i in $(seq 10); do
		sysfs_write "$CDIR/trigger_gc" 1
		echo 2 > /proc/sys/vm/drop_caches
	done
	wait "$reader" || fail "reads during the shrink failed"
	expect_eq "$(wc -l < /tmp/shrink.sums)" 4 "reads done during the shrink"
	ref=$(dd if="$DISK_hdd" bs=64k iflag=direct status=none | sha256sum)
	while read -r i; do
		expect_eq "$i" "$ref" "a read racing GC and the shrinker"
	done < /tmp/shrink.sums

	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
}
