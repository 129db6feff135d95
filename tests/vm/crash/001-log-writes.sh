# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
DESCRIPTION="lost volatile writes: replay a dm-log-writes log of cache+backing to every flush/FUA point; the re-registered cache always agrees with the backing device"
TEST_GROUPS="crash"
TIMEOUT=1200
# data: the cache and the backing device, carved out of one dm-log-writes
# device so that the log orders the writes across both; log: the log;
# replica: the log replayed up to one crash point at a time; scratch: a
# copy of the replica's cache, registered (registration writes to it).
DISKS="data:5M log:128M replica:5M scratch:3M"

# The model. The guest's disks sit in the host's page cache, so killing
# QEMU loses no completed write. dm-log-writes records the writes, flushes
# and FUA writes of the cache and the backing device in an order a power
# failure could have preserved (a plain write is logged only once a flush
# issued after it completed). Every prefix of the log that ends at a FLUSH
# or FUA entry is a state the two devices may be left in. For each of them
# (all of them, in log order; the workload is kept small so that none has
# to be skipped) the test registers a copy of the replica and checks
# promise 1 in writethrough mode, where the cache may only ever return
# what the backing device holds:
#  - cold: every 4k block read through /dev/bcacheN (bypassing, so each
#    cached block is served from the cache and nothing is filled) equals
#    the backing device: what the crash left in the cache is not garbage
#    and not older than the backing device;
#  - warm: reads that fill the recovered cache, then every block again:
#    the recovered allocator does not hand out space still in use (stable);
#  - at the mark after each workload phase (fsync'd, nothing in flight) the
#    device reads as the user saw it then: no acknowledged and flushed
#    write was lost.
# Limits of the model: one log device, so a flush of either device counts
# as a flush of both; states are prefixes of the completion order (no
# reordering among the writes between two flushes).
# Cost: about 200 crash points, ~1.5 s each under TCG on an idle host; the
# test stops after MAXBAD bad points.

CACHE_KB=3072		# 232 buckets of 4k for nodes and data: reclaim runs
BACKING_KB=2048
PHASES=3
RLW=$REPO/tests/tools/replay-log-writes

requires()
{
	_have_program dmsetup fio blkdiscard md5sum
	_have_kmod dm_mod dm_log_writes
	[ -x "$RLW" ] || skip "tests/tools/replay-log-writes is not built (run make)"
}

dm_create()
{
	dmsetup create --noudevsync "$1" --table "$2"
	[ -b "/dev/mapper/$1" ] || dmsetup mknodes "$1"
	[ -b "/dev/mapper/$1" ] || fail "no /dev/mapper/$1"
}

dm_remove()
{
	local n

	for n in "$@"; do
		wait_for 30 dmsetup remove --noudevsync "$n" ||
			fail "cannot remove dm device $n"
	done
}

# md5 of a whole device, read with O_DIRECT.
dev_sum()
{
	dd if="$1" bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1
}

# ---- lean helpers for the per-point loop (no forks on the common path) ----

# bc_find: set BC to the /dev/bcacheN of $UUID.
bc_find()
{
	local f u want=${UUID//-/}

	for f in /sys/block/bcache*/bcache/uuid; do
		[ -e "$f" ] || continue
		read -r u < "$f"
		u=${u//[-:]/}
		if [ "${u,,}" = "${want,,}" ]; then
			f=${f%/bcache/uuid}
			BC=/dev/${f##*/}
			return 0
		fi
	done
	return 1
}

# one_cache: set CDIR to the sysfs directory of the one registered cache.
one_cache()
{
	local d

	CDIR=
	for d in "$SYSFS_BCACHE"/*/unregister; do
		[ -e "$d" ] || continue
		[ -z "$CDIR" ] || fail "more than one cache is registered"
		CDIR=${d%/unregister}
	done
	[ -n "$CDIR" ]
}

# ---- the workload ------------------------------------------------------------

# wl_fio NAME EXTRA...: random I/O on $BC, 4 in flight, O_DIRECT.
wl_fio()
{
	local name=$1

	shift
	fio --name="$name" --filename="$BC" --norandommap --direct=1 \
		--ioengine=libaio --iodepth=4 --output=/dev/null "$@"
}

# Ends a phase: flush, remember what the user reads now, mark the log.
phase_end()
{
	sync "$BC"
	# Bypassing reads: this does not fill the cache.
	sysfs_write "/sys/block/${BC##*/}/bcache/sequential_cutoff" 4k
	echo "phase-$1 $(dev_sum "$BC")" >> /tmp/lw-phase-sums
	sysfs_write "/sys/block/${BC##*/}/bcache/sequential_cutoff" 0
	dmsetup message lw 0 mark "phase-$1"
}

workload()
{
	# Writes one at a time: the log orders writes by completion, and two
	# overlapping writes in flight together may reach the disk in the
	# other order, so the replayed state would not be one the devices
	# could hold. (Each write still goes to both devices at once.)
	local w="--rw=randwrite --iodepth=1 --refill_buffers --bssplit=4k/50:8k/20:16k/20:64k/10"
	local r="--rw=randread --bssplit=4k/60:16k/30:64k/10"

	# 1: writes flushed by fsync, read misses, and a 512 KiB fill: 128
	# keys of one bucket each, so the root leaf splits.
	# shellcheck disable=SC2086
	wl_fio w1 $w --number_ios=8 --fsync=4 --randseed=11
	# shellcheck disable=SC2086
	wl_fio r1 $r --number_ios=6 --randseed=12
	dd if="$BC" of=/dev/null bs=512k skip=2 count=1 iflag=direct status=none
	phase_end 1
	# 2: FUA writes (O_SYNC), reads, a discard, garbage collection.
	# shellcheck disable=SC2086
	wl_fio w2 $w --number_ios=4 --sync=1 --randseed=21
	# shellcheck disable=SC2086
	wl_fio r2 $r --number_ios=6 --randseed=22
	blkdiscard -o $((256 << 10)) -l $((256 << 10)) "$BC"
	sysfs_write "$CDIR/trigger_gc" 1
	phase_end 2
	# 3: overwrite pieces of the filled range, and read.
	# shellcheck disable=SC2086
	wl_fio w3 $w --number_ios=6 --fsync=3 --offset=1M --size=512k --randseed=31
	# shellcheck disable=SC2086
	wl_fio r3 $r --number_ios=4 --randseed=32
	phase_end 3
}

# ---- one crash point ---------------------------------------------------------

CHECKED=0 WARM=0 HITS=0 BLOCKS=0 MARKS_CHECKED=0 WANT_WARM='' COLD_LATE=''
BAD=()
MAXBAD=5	# stop checking after this many bad points

# lap NAME: add the time since the previous lap to T_NAME (microseconds).
T_LAST=0
lap()
{
	local now=${EPOCHREALTIME/[.,]/}

	[ "$T_LAST" -eq 0 ] || eval "T_$1=\$((\${T_$1:-0} + now - T_LAST))"
	T_LAST=$now
}

# bad WHY: a check of the current point failed; go on with the next checks.
bad()
{
	BAD+=("point $POINT: $*")
	echo "point $POINT: $*"
}

# fsck_image WHEN: bcache-fsck the cache image of the current point.
fsck_image()
{
	[ -n "$FSCK" ] || return 0
	"$FSCK" "$DISK_scratch" > /tmp/lw-fsck.out 2>&1 && return 0
	bad "bcache-fsck $1 (exit $?):"
	sed 's/^/    /' /tmp/lw-fsck.out | tail -n 5
}

# cmp_bc WHAT [compare options]: /dev/bcacheN against the backing device.
cmp_bc()
{
	local what=$1

	shift
	"$RLW" compare "$@" "$BC" /dev/mapper/rep-backing > /tmp/lw-cmp.out 2>&1 &&
		return 0
	bad "$what: a block read through the cache differs from the backing device:"
	sed 's/^/    /' /tmp/lw-cmp.out | tail -n 5
}

# check_point END MARKS: the replica holds the state after log entries
# [0, END). Register a copy of its cache with its backing device and
# compare.
check_point()
{
	local end=$1 marks=$2 hits m want got mode sys bad0=${#BAD[@]}

	POINT=$end
	echo "bcache-test: crash point $end" > /dev/kmsg
	lap replay
	dd if="$DISK_replica" of="$DISK_scratch" bs=1M count=$((CACHE_KB >> 10)) \
		iflag=direct oflag=direct status=none
	lap copy
	fsck_image "of the crash image"
	lap fsck
	sysfs_write "$SYSFS_BCACHE/register_cache" "$DISK_scratch" ||
		fail "point $end: register_cache failed"
	one_cache
	sysfs_write "$SYSFS_BCACHE/register_dev" "$UUID /dev/mapper/rep-backing" ||
		fail "point $end: register_dev failed"
	wait_for 30 bc_find || fail "point $end: no /dev/bcacheN"
	wait_for 30 [ -b "$BC" ] || fail "point $end: no $BC"
	sys=/sys/block/${BC##*/}/bcache
	read -r mode < "$sys/cache_mode"
	[[ "$mode" == *"[writethrough]"* ]] ||
		fail "point $end: not in writethrough mode: $mode"
	lap register

	# Cold: each read bypasses the cache, so it is served from the cache
	# where the 4k block is cached, and fills nothing.
	sysfs_write "$sys/sequential_cutoff" 4k
	cmp_bc cold
	read -r hits < "$sys/stats_total/cache_bypass_hits"
	lap cold
	# Warm: fill 512 KiB into the recovered cache, then read it back.
	sysfs_write "$sys/sequential_cutoff" 0
	cmp_bc filling --bs 65536 --length $((512 << 10))
	sysfs_write "$sys/sequential_cutoff" 4k
	cmp_bc warm --length $((512 << 10))
	lap warm

	for m in ${marks//,/ }; do
		want=$(awk -v m="$m" '$1 == m { print $2 }' /tmp/lw-phase-sums)
		[ -n "$want" ] || continue
		got=$(dev_sum "$BC")
		[ "$got" = "$want" ] ||
			bad "$m: the device lost flushed writes: md5 $got, the user read $want"
		MARKS_CHECKED=$((MARKS_CHECKED + 1))
		[ "$m" = phase-2 ] && WANT_WARM=1
	done

	lap marks
	sysfs_write "$sys/stop" 1
	wait_for 30 [ ! -e "/sys/block/${BC##*/}" ] || fail "point $end: $BC did not stop"
	sysfs_write "$CDIR/unregister" 1
	wait_for 60 [ ! -e "$CDIR" ] || fail "point $end: the cache did not unregister"
	lap unregister
	# Recovered and shut down cleanly: the cache must be consistent now.
	fsck_image "after recovery and a clean shutdown"
	lap fsck

	CHECKED=$((CHECKED + 1))
	BLOCKS=$((BLOCKS + (BACKING_KB >> 2) + 128 + 128))
	HITS=$((HITS + hits))
	if [ "$hits" -gt 0 ]; then
		WARM=$((WARM + 1))
	elif [ -n "$WANT_WARM" ]; then
		COLD_LATE+=" $end"
	fi
	LAST_HITS=$hits
	[ -z "$marks" ] || echo "point $end: $marks, $hits cold hits"
	[ "${#BAD[@]}" -eq "$bad0" ] || BADPOINTS=$((BADPOINTS + 1))
}

test()
{
	local lw=/dev/mapper/lw list=/tmp/lw-list points=/tmp/lw-points
	local end kind changed marks prev=0 started='' dup=0 before=0 n=0 aborted=''
	local nflush nfua ncache nback t0

	BADPOINTS=0

	CACHE_S=$((CACHE_KB << 1))
	BACKING_S=$((BACKING_KB << 1))
	FSCK=
	if [ -x "$TOOLS/bcache-fsck" ]; then
		FSCK=$TOOLS/bcache-fsck
	else
		echo "note: $TOOLS/bcache-fsck is not built: crash images are not fsck'ed"
	fi
	rm -f /tmp/lw-phase-sums
	[ "$(blockdev --getsize64 "$DISK_scratch")" -eq $((CACHE_KB << 10)) ] ||
		fail "the scratch disk is not the size of the cache"
	modprobe dm_log_writes
	load_module

	# ---- record: format, register, workload, clean shutdown ----
	dm_create lw "0 $((CACHE_S + BACKING_S)) log-writes $DISK_data $DISK_log"
	dm_create lw-cache "0 $CACHE_S linear $lw 0"
	dm_create lw-backing "0 $BACKING_S linear $lw $CACHE_S"
	# 4k buckets: small nodes that split early, and a cache that is full
	# (reclaim, prio writes, GC) after a few MiB.
	bch_format /dev/mapper/lw-cache --bucket 4k
	sync /dev/mapper/lw-cache
	dmsetup message lw 0 mark formatted
	UUID=$(bch_new_uuid)
	sysfs_write "$SYSFS_BCACHE/register_cache" /dev/mapper/lw-cache
	one_cache
	sysfs_write "$SYSFS_BCACHE/register_dev" "$UUID /dev/mapper/lw-backing"
	wait_for 30 bc_find || fail "no /dev/bcacheN"
	wait_for 30 [ -b "$BC" ] || fail "no $BC"
	[[ "$(bch_sys "$BC" cache_mode)" == *"[writethrough]"* ]] ||
		fail "the default cache mode is not writethrough"
	bch_sys_write "$BC" sequential_cutoff 0
	t0=$SECONDS
	workload
	echo "workload: $((SECONDS - t0)) s; gc runs $(cat "$CDIR/gc_runs"), btree depth $(cat "$CDIR/btree_depth"), hits $(bch_stat "$BC" cache_hits)"
	[ "$(cat "$CDIR/btree_depth")" -ge 2 ] || fail "the btree never split"
	bch_stop_dev "$BC"
	sysfs_write "$CDIR/unregister" 1
	wait_for 60 [ ! -e "$CDIR" ] || fail "the cache did not unregister"
	dm_remove lw-backing lw-cache lw

	# ---- what the log holds ----
	echo "log: $("$RLW" info "$DISK_log")"
	"$RLW" list "$DISK_log" > $list
	"$RLW" points "$DISK_log" > $points
	nflush=$(awk '$2 ~ /flush/' $list | wc -l)
	nfua=$(awk '$2 ~ /fua/' $list | wc -l)
	ncache=$(awk -v c=$((CACHE_S << 9)) '$2 !~ /mark/ && $4 > 0 && $3 < c' $list | wc -l)
	nback=$(awk -v c=$((CACHE_S << 9)) '$2 !~ /mark/ && $4 > 0 && $3 >= c' $list | wc -l)
	echo "log: $nflush flush, $nfua FUA, $ncache cache writes, $nback backing writes, $(wc -l < $points) points"
	[ "$nflush" -gt 0 ] || fail "no flush was logged"
	[ "$nfua" -gt 0 ] || fail "no FUA write was logged"
	[ "$ncache" -gt 0 ] || fail "no cache write was logged"
	[ "$nback" -gt 0 ] || fail "no backing write was logged"
	awk -v c=$((CACHE_S << 9)) '$2 == "discard" && $3 >= c { n++ } END { exit !n }' $list ||
		fail "the discard did not reach the backing device"
	[ "$(tail -n 1 $list | cut -d' ' -f2,5)" = "mark dm-log-writes-end" ] ||
		fail "the log does not end with the end mark: $(tail -n 1 $list)"

	# ---- every crash point, in log order ----
	dm_create rep-backing "0 $BACKING_S linear $DISK_replica $CACHE_S"
	t0=$SECONDS
	while read -r end kind changed marks; do
		n=$((n + 1))
		"$RLW" replay --from "$prev" --to "$end" "$DISK_log" "$DISK_replica"
		prev=$end
		[ "$marks" = - ] && marks=
		if [ -z "$started" ]; then
			# Before the format is durable there is no cache.
			if [[ ",$marks," != *,formatted,* ]]; then
				before=$((before + 1))
				continue
			fi
			started=1
		elif [ "$changed" -eq 0 ] && [ -z "$marks" ]; then
			dup=$((dup + 1))	# the same state as the point before
			continue
		fi
		check_point "$end" "$marks"
		if [ "$BADPOINTS" -ge "$MAXBAD" ]; then
			echo "stopping after $BADPOINTS bad points"
			aborted=1
			break
		fi
	done < $points
	[ "$CHECKED" -gt 0 ] || fail "no crash point was checked"
	echo "checks: $((SECONDS - t0)) s; per point (ms): replay $((T_replay / 1000 / CHECKED))," \
		"copy $((T_copy / 1000 / CHECKED)), fsck $((${T_fsck:-0} / 1000 / CHECKED))," \
		"register $((T_register / 1000 / CHECKED)), cold $((T_cold / 1000 / CHECKED))," \
		"warm $((T_warm / 1000 / CHECKED)), unregister $((T_unregister / 1000 / CHECKED))"
	# A node the kernel drops at registration (stale gen, bad checksum)
	# lost cached data: the write order was wrong at that point.
	dmesg | awk '/bcache-test: crash point/ { p = $NF }
		/btree node .* dropped/ { sub(/^\[[^]]*\] /, ""); print "point " p ": kernel: " $0 }' > /tmp/lw-dropped
	if [ -s /tmp/lw-dropped ]; then
		head -n 10 /tmp/lw-dropped
		BAD+=("$(wc -l < /tmp/lw-dropped) btree nodes dropped at registration")
	fi
	dm_remove rep-backing
	# Nothing wrote the replica but the replayer, and the log holds
	# everything that reached the disks.
	if [ -z "$aborted" ]; then
		"$RLW" replay --from "$prev" "$DISK_log" "$DISK_replica"
		"$RLW" compare --bs $((1 << 20)) "$DISK_replica" "$DISK_data" ||
			fail "the replayed log differs from the disk it recorded"
	fi

	echo "points: $n ($before before the format was durable, $dup repeating the previous state, $CHECKED checked)"
	echo "compared: $BLOCKS 4k blocks; $HITS cold hits, at $WARM points; $MARKS_CHECKED flushed-phase checks"
	if [ ${#BAD[@]} -gt 0 ]; then
		printf '%s\n' "${BAD[@]}" | head -n 20
		fail "${#BAD[@]} failed checks at $BADPOINTS crash points"
	fi
	[ "$MARKS_CHECKED" -eq "$PHASES" ] ||
		fail "$MARKS_CHECKED of $PHASES phase marks checked"
	[ -z "$COLD_LATE" ] || fail "the cache was cold after the crash at points:$COLD_LATE"
	[ "$LAST_HITS" -gt 0 ] || fail "the cache was cold after the clean shutdown"
}
