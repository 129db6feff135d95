# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="crash-point enumeration: for register, GC, node split, journal wrap and detach, the power fails at every metadata write N (fault_after/fault_stop), or write N fails; after re-registration the operation happened completely or not at all, bcache-fsck is clean and the cache agrees with the backing device"
TEST_GROUPS="crash"
TIMEOUT=1800
MEM=1536
DISKS="ssd:16M hdd:32M"

# For an operation making K metadata writes, the power fails at write N
# (fault_stop=1) for N in points K (K itself: no fault); every 4th of those
# points is also run with write N failing (fault_stop=0).
# BCT_CRASHPOINT_ALL=1 tries every N with both.
ALL=${BCT_CRASHPOINT_ALL:-}
PARAMS=/sys/module/bcache/parameters
MB=$((1 << 20))
IMG=/tmp/crashpoints

disarm()
{
	echo 0 > $PARAMS/fault_stop
	echo -1 > $PARAMS/fault_after
}

arm()
{
	echo "$2" > $PARAMS/fault_stop
	echo "$1" > $PARAMS/fault_after
}

save_images()
{
	dd if="$DISK_ssd" of=$IMG.ssd bs=1M status=none
	dd if="$DISK_hdd" of=$IMG.hdd bs=1M status=none
}

restore_images()
{
	dd if=$IMG.ssd of="$DISK_ssd" bs=1M oflag=direct status=none
	dd if=$IMG.hdd of="$DISK_hdd" bs=1M oflag=direct status=none
}

up()
{
	bch_register_cache "$DISK_ssd"
	DIR=$(bch_cache_dir "$DISK_ssd")
	BC=$(bch_register_dev "$UUID" "$DISK_hdd")
	bch_sys_write "$BC" sequential_cutoff 0
}

# Stop everything; writes may be frozen, the cache may have failed.
down()
{
	[ -z "$BC" ] || bch_stop_dev "$BC"
	[ -e "$DIR" ] || return 0
	timeout 120 sh -c "echo 1 > $DIR/unregister" || fail "unregister hung or failed"
	wait_for 60 [ ! -e "$DIR" ] || fail "unregister did not finish"
}

fsck_clean()
{
	"$TOOLS/bcache-fsck" "$DISK_ssd" > /tmp/fsck.out 2>&1 ||
		{ cat /tmp/fsck.out; fail "bcache-fsck: $1"; }
}

# Read the whole backing device through the cache twice (stable; 64 KiB
# reads, so that hits are served from the cache) and
# compare with the backing device itself.
consistent()
{
	local a b c

	a=$(dd if="$BC" bs=64k iflag=direct status=none | sha256sum)
	b=$(dd if="$BC" bs=64k iflag=direct status=none | sha256sum)
	c=$(dd if="$DISK_hdd" bs=64k iflag=direct status=none | sha256sum)
	[ "$a" = "$b" ] || fail "reads through the cache are not stable"
	[ "$a" = "$c" ] || fail "the cache and the backing device disagree"
}

hits()
{
	bch_stat "$BC" cache_hits
}

# ---- the operations: op_NAME runs it; check_NAME judges the outcome --------

# A failed metadata write may refuse the registration: "not at all".
op_register()
{
	DIR=$(bch_cache_dir "$DISK_ssd")
	BC=
	echo "$DISK_ssd" > "$SYSFS_BCACHE/register_cache" 2>/dev/null || return 0
	BC=$(bch_register_dev "$UUID" "$DISK_hdd")
	bch_sys_write "$BC" sequential_cutoff 0
}

op_gc()
{
	echo 1 > "$DIR/trigger_gc" 2>/dev/null || true
}

op_split()
{
	fio --name=split --filename="$BC" --direct=1 --ioengine=libaio --iodepth=4 \
		--rw=randwrite --bs=4k --offset=$((16 * MB)) --size=$((4 * MB)) \
		--randseed=7 --fsync_on_close=1 --output=/dev/null >/dev/null 2>&1 || true
}

op_wrap()
{
	fio --name=wrap --filename="$BC" --direct=1 --ioengine=psync \
		--rw=randwrite --bs=4k --offset=$((24 * MB)) --size=$((1 * MB)) \
		--io_size=$((24 * 4096)) --fdatasync=1 --randseed=8 --output=/dev/null >/dev/null 2>&1 || true
}

op_detach()
{
	echo 1 > "/sys/block/${BC##*/}/bcache/detach" 2>/dev/null || true
}

# Reads of the region 0..4M that hit after re-registering the starting
# image ($BASE of 1024: a few extents are stale). After a detach the region
# is cached as before (not detached) or not at all. $1: the fault point.
check_detach()
{
	local h0 h

	h0=$(hits)
	dd if="$BC" of=/dev/null bs=4k count=1024 iflag=direct status=none
	h=$(($(hits) - h0))
	[ "$h" -eq 0 ] || [ "$h" -ge $((BASE * 9 / 10)) ] ||
		fail "detach crashed half-way: $h of $BASE reads hit"
	# The power failing at the first write: nothing happened.
	[ "$1" != "0 stop=1" ] || [ "$h" -ge $((BASE * 9 / 10)) ] ||
		fail "detach happened with no write ($h of $BASE reads hit)"
	echo "detach, fault $1: $h of $BASE reads hit"
}

# One crash point: restore, (bring up), arm, run, crash, recover, check.
crash_at()
{
	local op=$1 n=$2 stop=$3

	restore_images
	[ "$op" = register ] || up
	arm "$n" "$stop"
	"op_$op"
	down
	disarm
	fsck_clean "$op, fault at write $n (stop=$stop)"
	up
	# First: consistent() fills the 16 MiB cache and evicts the region.
	if [ "$op" = detach ]; then
		check_detach "$n stop=$stop"
	fi
	consistent
	down
}

# points K: the fault points tried for an operation of K writes: every one
# with BCT_CRASHPOINT_ALL=1, else the first two, the middle, the last and K.
points()
{
	local k=$1

	if [ -n "$ALL" ]; then
		seq 0 "$k"
		return
	fi
	{ seq 0 $((k < 1 ? k : 1)); echo $((k / 2)) $((k > 0 ? k - 1 : 0)) "$k" | tr ' ' '\n'; } |
		sort -un
}

# count_writes OP: metadata writes the operation makes.
count_writes()
{
	local k

	restore_images
	[ "$1" = register ] || up
	arm 1000000000 1
	"op_$1"
	k=$(cat $PARAMS/fault_count)
	disarm
	down
	echo "$k"
}

test()
{
	local op k n i tried=0

	load_module
	[ -w $PARAMS/fault_after ] || fail "no fault_after parameter"
	[ -x "$TOOLS/bcache-fsck" ] || fail "bcache-fsck is not built"
	UUID=$(bch_new_uuid)
	bch_format "$DISK_ssd" --bucket 32k --journal 2
	up
	# Cached data to invalidate, garbage for GC, a full journal ring.
	fio --name=fill --filename="$BC" --direct=1 --ioengine=libaio --iodepth=8 \
		--rw=randwrite --bs=4k --size=$((16 * MB)) --randseed=1 --output=/dev/null ||
		fail "fill failed"
	fio --name=over --filename="$BC" --direct=1 --ioengine=libaio --iodepth=8 \
		--rw=randwrite --bs=4k --offset=$((8 * MB)) --size=$((8 * MB)) --randseed=2 \
		--output=/dev/null || fail "overwrite failed"
	# A read miss fills the cache after the read completed: under load the
	# next read may come first, so read until every block hits.
	for i in $(seq 10); do
		n=$(hits)
		dd if="$BC" of=/dev/null bs=4k count=1024 iflag=direct status=none
		[ $(($(hits) - n)) -ne 1024 ] || break
		sleep 1
	done
	[ $(($(hits) - n)) -eq 1024 ] || fail "the first 4 MiB are not cached"
	# A flush makes the fills' keys durable before the power fails.
	blockdev --flushbufs "$BC"
	# The starting image is a crash image: registering it replays.
	arm 0 1
	down
	disarm
	fsck_clean "the starting image"
	save_images
	up
	n=$(hits)
	dd if="$BC" of=/dev/null bs=4k count=1024 iflag=direct status=none
	BASE=$(($(hits) - n))
	down
	[ "$BASE" -ge 512 ] || fail "only $BASE of 1024 reads hit after re-registering"

	for op in ${BCT_CRASHPOINT_OPS:-register gc split wrap detach}; do
		k=$(count_writes $op)
		[ "$k" -gt 0 ] || fail "$op made no metadata write"
		echo "$op: $k metadata writes"
		i=0
		for n in $(points "$k"); do
			crash_at $op "$n" 1
			tried=$((tried + 1))
			if [ -n "$ALL" ] || [ $((i % 4)) -eq 0 ] && [ "$n" -lt "$k" ]; then
				crash_at $op "$n" 0
				tried=$((tried + 1))
			fi
			i=$((i + 1))
		done
	done
	echo "crash points tried: $tried"
	rm -f $IMG.ssd $IMG.hdd
}
