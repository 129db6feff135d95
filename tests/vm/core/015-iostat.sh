# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="/sys/block/bcacheN/stat counts each user bio once, on every path, and none while iostats is off"
TEST_GROUPS="core"
TIMEOUT=300
DISKS="ssd:64M hdd:128M"

# Fields of /sys/block/<dev>/stat (Documentation/block/stat.rst).
F_RIO=1 F_RSEC=3 F_WIO=5 F_WSEC=7 F_INFLIGHT=9 F_TICKS=10 F_DIO=12 F_DSEC=14

snap()
{
	cat "/sys/block/${1##*/}/stat"
}

# delta BEFORE AFTER FIELD
delta()
{
	local -a a b

	read -r -a a <<< "$1"
	read -r -a b <<< "$2"
	echo $((b[$3 - 1] - a[$3 - 1]))
}

# counted BEFORE AFTER WHAT RIO RSEC WIO WSEC: the deltas of one phase.
counted()
{
	local before=$1 after=$2 what=$3
	local -a f

	expect_eq "$(delta "$before" "$after" $F_RIO)" "$4" "$what: reads"
	expect_eq "$(delta "$before" "$after" $F_RSEC)" "$5" "$what: sectors read"
	expect_eq "$(delta "$before" "$after" $F_WIO)" "$6" "$what: writes"
	expect_eq "$(delta "$before" "$after" $F_WSEC)" "$7" "$what: sectors written"
	read -r -a f <<< "$after"
	expect_eq "${f[$F_INFLIGHT - 1]}" 0 "$what: in flight afterwards"
}

test()
{
	local uuid bc s0 s1 h0 h1 m0 m1

	load_module
	uuid=$(bch_new_uuid)
	bch_format "$DISK_ssd" --bucket 64k
	dd if=/dev/urandom of="$DISK_hdd" bs=1M count=16 oflag=direct status=none

	# No cache: plain remaps to the backing device.
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	bch_sys_write "$bc" sequential_cutoff 0
	expect_eq "$(cat "/sys/block/${bc##*/}/queue/iostats")" 1 "iostats by default"
	s0=$(snap "$bc")
	dd if="$bc" of=/dev/null bs=64k count=64 iflag=direct status=none
	dd if=/dev/urandom of="$bc" bs=4k count=256 seek=1024 oflag=direct status=none
	s1=$(snap "$bc")
	counted "$s0" "$s1" "passthrough" 64 8192 256 2048

	# A cache: writethrough writes, hits, misses.
	bch_register_cache "$DISK_ssd"
	wait_for 10 attr_is "/sys/block/${bc##*/}/bcache/state" clean || fail "the device did not attach"
	s0=$(snap "$bc")
	dd if=/dev/urandom of="$bc" bs=4k count=512 oflag=direct status=none
	s1=$(snap "$bc")
	counted "$s0" "$s1" "writethrough" 0 0 512 4096
	# The copies are inserted after each write completed: wait for them.
	bch_stop_dev "$bc"
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	wait_for 30 attr_is "/sys/block/${bc##*/}/bcache/state" clean || fail "the device did not attach again"
	bch_sys_write "$bc" sequential_cutoff 0

	h0=$(bch_stat "$bc" cache_hits)
	m0=$(bch_stat "$bc" cache_misses)
	s0=$(snap "$bc")
	dd if="$bc" of=/dev/null bs=4k count=512 iflag=direct status=none
	s1=$(snap "$bc")
	h1=$(bch_stat "$bc" cache_hits)
	expect_eq "$((h1 - h0))" 512 "hits of the written blocks"
	counted "$s0" "$s1" "hits" 512 4096 0 0

	s0=$s1
	dd if="$bc" of=/dev/null bs=64k count=16 skip=128 iflag=direct status=none
	s1=$(snap "$bc")
	m1=$(bch_stat "$bc" cache_misses)
	expect_eq "$((m1 - m0))" 16 "misses of the unwritten blocks"
	counted "$s0" "$s1" "misses" 16 2048 0 0

	# One read over 128 extents: split into several requests inside the
	# module, one bio for the user.
	fio --name=frag --filename="$bc" --rw=randwrite --bs=4k --size=512k --offset=12m \
		--direct=1 --ioengine=psync --randseed=13 --output=/dev/null || fail "fio failed"
	bch_stop_dev "$bc"
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	wait_for 30 attr_is "/sys/block/${bc##*/}/bcache/state" clean || fail "the device did not attach again"
	h0=$(bch_stat "$bc" cache_hits)
	s0=$(snap "$bc")
	dd if="$bc" of=/dev/null bs=512k count=1 skip=24 iflag=direct status=none
	s1=$(snap "$bc")
	h1=$(bch_stat "$bc" cache_hits)
	[ "$h1" -ge $((h0 + 4)) ] || fail "the fragmented read was not split ($h0 -> $h1 hits)"
	counted "$s0" "$s1" "split hit" 1 1024 0 0

	# Discards are counted as discards.
	s0=$s1
	blkdiscard -o $((14 << 20)) -l $((1 << 20)) "$bc" || fail "blkdiscard failed"
	s1=$(snap "$bc")
	expect_eq "$(delta "$s0" "$s1" $F_DSEC)" 2048 "sectors discarded"
	[ "$(delta "$s0" "$s1" $F_DIO)" -ge 1 ] || fail "no discard counted"
	# (blkdiscard reads the head first, looking for signatures.)
	expect_eq "$(delta "$s0" "$s1" $F_WIO)" 0 "discard: writes"

	# iostats off: nothing is counted, I/O still works.
	echo 0 > "/sys/block/${bc##*/}/queue/iostats"
	s0=$(snap "$bc")
	dd if="$bc" of=/dev/null bs=64k count=16 iflag=direct status=none
	dd if=/dev/urandom of="$bc" bs=4k count=16 seek=3000 oflag=direct status=none
	s1=$(snap "$bc")
	counted "$s0" "$s1" "iostats off" 0 0 0 0
	echo 1 > "/sys/block/${bc##*/}/queue/iostats"
	s0=$(snap "$bc")
	same_data "$bc" "$DISK_hdd" $((16 << 20))
	s1=$(snap "$bc")
	counted "$s0" "$s1" "the comparison" 16 32768 0 0
	[ "$(delta "$s0" "$s1" $F_TICKS)" -gt 0 ] || fail "16 MiB of reads left io_ticks (%util) at 0"

	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
}
