# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The benchmark, run in the guest by the test harness (scripts/bench.sh):
# the same fio workloads on the raw SSD and HDD, on our /dev/bcache0, on the
# in-tree bcache and on dm-cache (smq, writethrough), one system after the
# other in the same VM. Each measurement is appended to /results/bench.tsv
# ("metric<TAB>system<TAB>repetition<TAB>value"); scripts/bench/report.py
# turns it into the table. Numbers never fail the run: only a phase that
# cannot run, or a system's own counters contradicting what the phase
# measured (a hit phase with < 99% hits, a skewed replay whose counted reads
# do not match the trace, ...), fail it.
DESCRIPTION="bench: ours vs in-tree bcache vs dm-cache on one virtual SSD and HDD"
if [ -n "${BCT_BENCH_QUICK:-}" ]; then
	TIMEOUT=2400
else
	TIMEOUT=4800
fi
MEM=1024
# "fast" is an unthrottled backing disk: the registration phase fills the
# cache through it with 4k random writes, which the HDD's throttle would
# make take many minutes.
DISKS="ssd:${BCT_BENCH_SSD_MB:-256}M hdd:${BCT_BENCH_HDD_MB:-1024}M:iops=${BCT_BENCH_HDD_IOPS:-300} fast:${BCT_BENCH_FILL_MB:-320}M"

# ---- parameters (set by scripts/bench.sh, which records them) ------------
B_SSD_MB=${BCT_BENCH_SSD_MB:-256}
B_RT=${BCT_BENCH_RUNTIME:-10}		# seconds per fio measurement
B_REPS=${BCT_BENCH_REPS:-3}		# repetitions of each figure
# The hit phase is the noisiest (QD64 of 4k reads, bound by the host CPU):
# it gets more repetitions, each paired with the raw SSD right before it.
B_HIT_REPS=${BCT_BENCH_HIT_REPS:-$B_REPS}
B_WS_MB=${BCT_BENCH_HIT_WS_MB:-128}	# hit phase: working set (fits the cache)
# Bucket size of both bcaches: the in-tree one wants more than 512 buckets.
B_BUCKET=${BCT_BENCH_BUCKET:-256k}
B_FILL_MB=${BCT_BENCH_FILL_MB:-320}	# 4k random writes that fill the cache (registration)
B_SKEW_CACHE_MB=${BCT_BENCH_SKEW_CACHE_MB:-16}	# skewed phase: cache size
B_SKEW_BUCKET=${BCT_BENCH_SKEW_BUCKET:-16k}	# ... its bucket size (both bcaches)
B_SKEW_IOS=${BCT_BENCH_SKEW_IOS:-0}	# ... reads in the trace
B_TRACE=${BCT_BENCH_TRACE:-}		# ... the trace (fio iolog, target TARGET)
B_DMC_BLOCK=${BCT_BENCH_DMC_BLOCK_SECTORS:-128}	# dm-cache block, sectors
B_DMC_SKEW_BLOCK=64			# dm-cache's minimum (32 KiB)
B_DMC_META_MB=8

OUT=/results/bench.tsv
LOG=/results/bench.log

# ---- helpers ---------------------------------------------------------------

log()
{
	echo "$*" | tee -a "$LOG"
}

# rec METRIC SYSTEM REP VALUE
rec()
{
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$OUT"
	log "   $1 $2 #$3 = $4"
}

now_ms()
{
	local t=${EPOCHREALTIME/[.,]/}

	echo $((t / 1000))
}

# busy_ticks: guest CPU time (USER_HZ ticks) that was not idle or iowait.
busy_ticks()
{
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# ms_per_1k_reads TICKS IOPS: guest CPU ms per 1000 reads of a B_RT phase.
ms_per_1k_reads()
{
	awk -v t="$1" -v n="$2" -v s="$B_RT" 'BEGIN { printf "%.3f", t * 10 / (n * s / 1000) }'
}

# kmem_kb: kernel memory after dropping caches, "SLABVM ALL" in kB. SLABVM
# is Slab + VmallocUsed. ALL is MemTotal less free memory, page cache and
# anonymous memory: it also counts what drivers take from the page
# allocator, where the in-tree bcache keeps its btree node buffers and where
# kmalloc sends anything above 8 KiB. Every slab cache is shrunk first, so
# that empty slabs SLUB keeps on its partial lists (whole pages, left by
# whatever ran last) do not count for the system under test.
kmem_kb()
{
	local f

	drop_caches
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 > "$f" 2>/dev/null || true
	done
	awk '/^MemTotal:/ { t = $2 } /^MemFree:/ { f = $2 } /^Buffers:/ { b = $2 }
	     /^Cached:/ { c = $2 } /^AnonPages:/ { a = $2 }
	     /^Slab:/ { s = $2 } /^VmallocUsed:/ { v = $2 }
	     END { print s + v, t - f - b - c - a }' /proc/meminfo
}

# rec_kmem PREFIX SYSTEM REP BEFORE MIB: record both kmem_kb deltas since
# BEFORE, per GiB of a MIB-sized cache, as PREFIX_mib_per_gib (SLABVM) and
# the same with "kmem" replaced by "kall" (ALL).
rec_kmem()
{
	local now
	now=$(kmem_kb)
	rec "${1}_mib_per_gib" "$2" "$3" "$(per_gib "${now% *}" "${4% *}" "$5")"
	rec "${1/kmem/kall}_mib_per_gib" "$2" "$3" "$(per_gib "${now#* }" "${4#* }" "$5")"
}

per_gib()
{
	awk -v d=$(($1 - $2)) -v s="$3" 'BEGIN { printf "%.2f", d / 1024 / (s / 1024) }'
}

# fiox NAME DEV FIELD ARGS...: run fio (direct, terse) and print terse
# FIELD (8 read IOPS, 7 read KiB/s, 49 write IOPS); fail on a fio error.
fiox()
{
	local name=$1 dev=$2 field=$3 out err

	shift 3
	out=$(fio --name="$name" --filename="$dev" --direct=1 --group_reporting \
		--output-format=terse --terse-version=3 "$@") || fail "fio $name on $dev failed"
	echo "$out" | tail -n 1 > /tmp/fio-last
	err=$(echo "$out" | tail -n 1 | awk -F';' '{ print $5 }')
	[ "$err" = 0 ] || fail "fio $name on $dev: error $err"
	echo "$out" | tail -n 1 | awk -F';' -v f="$field" '{ print $f }'
}

# The workloads. W_* DEV prints the figure.
w_randread()	# 4k random reads, libaio QD32, 2 jobs, over the hit working set
{
	fiox randread "$1" 8 --rw=randread --bs=4k --size="${B_WS_MB}M" --ioengine=libaio \
		--iodepth=32 --numjobs=2 --norandommap --time_based --runtime="$B_RT"
}

w_seqread()	# sequential 1M reads, libaio QD4, KiB/s
{
	fiox seqread "$1" 7 --rw=read --bs=1M --ioengine=libaio --iodepth=4 \
		--time_based --runtime="$B_RT"
}

w_hddrandread()	# 4k random reads, libaio QD32, 1 job, over the whole device
{
	fiox hddrandread "$1" 8 --rw=randread --bs=4k --ioengine=libaio --iodepth=32 \
		--norandommap --time_based --runtime="$B_RT"
}

w_randwrite()	# 4k random writes, libaio QD32, over the hit working set
{
	fiox randwrite "$1" 49 --rw=randwrite --bs=4k --size="${B_WS_MB}M" --ioengine=libaio \
		--iodepth=32 --norandommap --time_based --runtime="$B_RT"
}

w_fsyncwrite()	# 4k random writes, each followed by fsync (a cache flush), QD1
{
	fiox fsyncwrite "$1" 49 --rw=randwrite --bs=4k --size="${B_WS_MB}M" --ioengine=psync \
		--fsync=1 --norandommap --time_based --runtime="$B_RT"
}

# warm DEV MB: read the first MB MiB sequentially, in 64k reads at QD1.
# Gently: the in-tree bcache drops a fill when no free bucket is ready (its
# free list holds cache size / 1024 bytes, 256 KiB here), and dm-cache
# promotes at once only reads that cover a whole block (64 KiB).
warm()
{
	fiox warm "$1" 7 --rw=read --bs=64k --size="${2}M" --ioengine=psync >/dev/null
}

# fill DEV: every 4k block of DEV written once, in random order, at QD1
# (writethrough puts them in the cache; one at a time, as gently as warm,
# for the same reason). A cache filled by random I/O holds one key per
# block, as a real one does, not a few large extents: that is the index
# a registration has to bring back.
fill()
{
	fiox fill "$1" 49 --rw=randwrite --bs=4k --size="${B_FILL_MB}M" --ioengine=psync \
		--randseed=5 >/dev/null
}

# replay SYSTEM DEV: the skewed trace on DEV, one read at a time (so no
# read overtakes the fill of an earlier miss); prints reads/s.
replay()
{
	sed "s|TARGET|$2|g" "$B_TRACE" > "/tmp/trace-$1.log"
	out=$(fio --name=skew --read_iolog="/tmp/trace-$1.log" --replay_no_stall=1 --direct=1 \
		--ioengine=psync --output-format=terse --terse-version=3) ||
		fail "fio replay on $2 failed"
	echo "$out" | tail -n 1 | awk -F';' '{ print $8 }'
}

# pct A B: A * 100 / B with two decimals.
pct()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a * 100 / b : 0 }'
}

# hit_check SYSTEM HITS MISSES: a hit phase must be >= 99% hits.
hit_check()
{
	local total=$(($2 + $3))

	[ "$total" -gt 0 ] || fail "$1: the hit phase counted no reads"
	[ $(($2 * 100)) -ge $((total * 99)) ] ||
		fail "$1: the hit phase had $2 hits and $3 misses (< 99% hits)"
}

# replay_check SYSTEM HITS MISSES: the system counted the trace's reads.
replay_check()
{
	local total=$(($2 + $3))

	[ "$total" -ge $((B_SKEW_IOS * 98 / 100)) ] && [ "$total" -le $((B_SKEW_IOS * 102 / 100)) ] ||
		fail "$1: counted $total reads ($2 hits, $3 misses) for a trace of $B_SKEW_IOS"
}

# poll_pause: 2 ms without a fork. Registration is timed with builtins
# only: under TCG a fork and exec costs tens of milliseconds.
poll_pause()
{
	read -r -t 0.002 -u "$POLL_FD" || true
}

# first_read DEV: read DEV's first 4 KiB with a builtin (buffered; a new
# device has nothing in the page cache), the end of a timed registration.
first_read()
{
	local x

	read -r -N 4096 x < "$1" || true
}

zero_head()
{
	dd if=/dev/zero of="$1" bs=1M count="${2:-1}" oflag=direct status=none
}

sectors()
{
	blockdev --getsz "$1"
}

# ---- the raw devices -------------------------------------------------------

bench_raw()
{
	local r c0 c1 iops

	log "== raw devices"
	for r in $(seq "$B_REPS"); do
		c0=$(busy_ticks)
		iops=$(w_randread "$DISK_ssd")
		c1=$(busy_ticks)
		rec randread raw-ssd "$r" "$iops"
		rec cpu_per_1k raw-ssd "$r" "$(ms_per_1k_reads $((c1 - c0)) "$iops")"
		rec seqread raw-hdd "$r" "$(w_seqread "$DISK_hdd")"
		rec hddrandread raw-hdd "$r" "$(w_hddrandread "$DISK_hdd")"
		rec randwrite raw-hdd "$r" "$(w_randwrite "$DISK_hdd")"
		rec fsyncwrite raw-hdd "$r" "$(w_fsyncwrite "$DISK_hdd")"
	done
}

# unwrap SYSTEM HITS MISSES: HITS, corrected for the in-tree bcache's
# statistics, which fold each 300/22 s period's count into stats_total as
# (unsigned int)(count << 16): a period with 65536 hits or more wraps. The
# last fio run's read count (4k reads) tells how many wraps were lost.
unwrap()
{
	local h=$2 ios

	if [ "$1" = intree ]; then
		ios=$(awk -F';' '{ print int($6 / 4) }' /tmp/fio-last)
		while [ $((h + $3 + 65536)) -le $((ios + ios / 50)) ]; do
			h=$((h + 65536))
		done
		[ "$h" = "$2" ] || log "   intree: stats_total wrapped: $2 hits counted, $h after adding 65536s (fio: $ios reads)" >&2
	fi
	echo "$h"
}

# ---- the hit phase, common to the three caches -----------------------------
# warm_until SYSTEM DEV COUNTERS_FN [SETTLE]: read the hit working set
# sequentially (1M), then with the hit phase's own 4k random reads, until
# such a pass counts at least 99.9% hits (at most 5 passes): the hit phase
# measures fully cached data, and whatever a system leaves out of the cache
# after the first reads is its business, not the hit path's.

warm_until()
{
	local sys=$1 dev=$2 cnt=$3 settle=${4:-:} pass h0 m0 h1 m1 iops h

	for pass in 1 2 3 4 5; do
		warm "$dev" "$B_WS_MB"
		$settle
		read -r h0 m0 <<< "$($cnt)"
		iops=$(w_randread "$dev")
		$settle
		read -r h1 m1 <<< "$($cnt)"
		h=$(unwrap "$sys" $((h1 - h0)) $((m1 - m0)))
		log "   warm pass $pass: $h hits, $((m1 - m0)) misses ($iops IOPS)"
		[ $(((m1 - m0) * 1000)) -le $((h + m1 - m0)) ] && return 0
	done
	log "   still missing after $pass passes"
}

# hit_phase SYSTEM DEV COUNTERS_FN [SETTLE]: COUNTERS_FN prints "hits misses"
# (cumulative); SETTLE is run before reading counters that lag.

hit_phase()
{
	local sys=$1 dev=$2 cnt=$3 settle=${4:-:} r c0 c1 h0 m0 h1 m1 iops h

	$settle
	read -r h0 m0 <<< "$($cnt)"
	for r in $(seq "$B_HIT_REPS"); do
		# The raw SSD again, right before: the host's load drifts over a run.
		c0=$(busy_ticks)
		iops=$(w_randread "$DISK_ssd")
		c1=$(busy_ticks)
		rec randread "raw-ssd-$sys" "$r" "$iops"
		rec cpu_per_1k "raw-ssd-$sys" "$r" "$(ms_per_1k_reads $((c1 - c0)) "$iops")"
		c0=$(busy_ticks)
		iops=$(w_randread "$dev")
		c1=$(busy_ticks)
		$settle
		read -r h1 m1 <<< "$($cnt)"
		h=$(unwrap "$sys" $((h1 - h0)) $((m1 - m0)))
		log "   $sys hit phase #$r: hits $h misses $((m1 - m0))"
		hit_check "$sys" "$h" $((m1 - m0))
		rec randread "$sys" "$r" "$iops"
		rec cpu_per_1k "$sys" "$r" "$(awk -v t=$((c1 - c0)) -v h="$h" \
			'BEGIN { printf "%.3f", t * 10 / (h / 1000) }')"
		h0=$h1
		m0=$m1
	done
}

write_phase()
{
	local sys=$1 dev=$2 r

	for r in $(seq "$B_REPS"); do
		rec randwrite "$sys" "$r" "$(w_randwrite "$dev")"
		rec fsyncwrite "$sys" "$r" "$(w_fsyncwrite "$dev")"
	done
}

passthrough_phase()
{
	local sys=$1 dev=$2 r

	for r in $(seq "$B_REPS"); do
		# The raw HDD again, right before each run, as the hit phase does
		# with the SSD: the throttle's rate follows the host's load.
		rec seqread "raw-hdd-$sys" "$r" "$(w_seqread "$DISK_hdd")"
		rec seqread "$sys" "$r" "$(w_seqread "$dev")"
		rec hddrandread "raw-hdd-$sys" "$r" "$(w_hddrandread "$DISK_hdd")"
		rec hddrandread "$sys" "$r" "$(w_hddrandread "$dev")"
	done
}

# ---- ours ------------------------------------------------------------------

ours_counters()
{
	echo "$(bch_stat "$OURS_BC" cache_hits) $(bch_stat "$OURS_BC" cache_misses)"
}

ours_cache_stat()
{
	cat "$(bch_cache_dir "$1")/$2"
}

# ours_wait_attached UUID: wait (builtins only) until the /dev/bcacheN of
# UUID exists with its cache attached; sets OURS_BC.
ours_wait_attached()
{
	local end=$((SECONDS + 60)) f u st d

	while [ "$SECONDS" -lt "$end" ]; do
		for f in /sys/block/bcache*/bcache/uuid; do
			[ -e "$f" ] && read -r u < "$f" && [ "${u,,}" = "${1,,}" ] || continue
			d=${f%/bcache/uuid}
			read -r st < "$d/bcache/state" || continue
			if [ "$st" = clean ] && [ -b "/dev/${d##*/}" ]; then
				OURS_BC=/dev/${d##*/}
				return 0
			fi
		done
		poll_pause
	done
	return 1
}

bench_ours()
{
	local uuid r m0 m1 t0 t1 w0 w1 used nb h m skew_dev

	log "== ours ($BCACHE_KO)"
	load_module
	m0=$(kmem_kb)
	uuid=$(bch_new_uuid)

	log "-- passthrough (no cache registered)"
	OURS_BC=$(bch_register_dev "$uuid" "$DISK_hdd")
	bch_sys_write "$OURS_BC" sequential_cutoff 0
	[ "$(bch_sys "$OURS_BC" state)" = "no cache" ] || fail "ours: a cache is attached"
	passthrough_phase ours "$OURS_BC"
	[ "$(bch_stat "$OURS_BC" cache_hits)" = 0 ] || fail "ours: hits without a cache"
	bch_stop_dev "$OURS_BC"

	log "-- cache of ${B_SSD_MB}M attached"
	zero_head "$DISK_ssd"
	bch_format "$DISK_ssd" --bucket "$B_BUCKET"
	bch_register_cache "$DISK_ssd"
	OURS_BC=$(bch_register_dev "$uuid" "$DISK_hdd")
	wait_for 30 attr_is "/sys/block/${OURS_BC##*/}/bcache/state" clean || fail "ours: the cache did not attach"
	bch_sys_write "$OURS_BC" sequential_cutoff 0
	log "   mode: $(bch_sys "$OURS_BC" cache_mode)"
	warm_until ours "$OURS_BC" ours_counters
	hit_phase ours "$OURS_BC" ours_counters

	log "-- writethrough writes"
	w0=$(ours_cache_stat "$DISK_ssd" written)
	write_phase ours "$OURS_BC"
	w1=$(ours_cache_stat "$DISK_ssd" written)
	log "   cache written: $w0 -> $w1"
	[ "$w0" != "$w1" ] || fail "ours: writethrough writes did not reach the cache"

	log "-- fill the cache through the fast disk, then register it full"
	bch_stop_dev "$OURS_BC"
	uuid=$(bch_new_uuid)
	OURS_BC=$(bch_register_dev "$uuid" "$DISK_fast")
	wait_for 30 attr_is "/sys/block/${OURS_BC##*/}/bcache/state" clean || fail "ours: the cache did not attach"
	bch_sys_write "$OURS_BC" sequential_cutoff 0
	fill "$OURS_BC"
	used=$(ours_cache_stat "$DISK_ssd" buckets_used)
	nb=$(ours_cache_stat "$DISK_ssd" nbuckets)
	log "   buckets_used $used of $nb (free $(ours_cache_stat "$DISK_ssd" buckets_free))"
	rec fill_pct ours 1 "$(pct "$used" "$nb")"
	rec_kmem kmem_fill ours 1 "$m0" "$B_SSD_MB"
	for r in $(seq "$B_REPS"); do
		bch_stop_dev "$OURS_BC"
		bch_unregister_cache "$DISK_ssd"
		m1=$(kmem_kb)
		t0=$(now_ms)
		printf '%s' "$DISK_ssd" > "$SYSFS_BCACHE/register_cache"
		printf '%s' "$uuid $DISK_fast" > "$SYSFS_BCACHE/register_dev"
		ours_wait_attached "$uuid" || fail "ours: not attached after registration"
		first_read "$OURS_BC"
		t1=$(now_ms)
		rec register_ms ours "$r" $((t1 - t0))
		rec_kmem kmem ours "$r" "$m1" "$B_SSD_MB"
		log "   registered with buckets_used $(ours_cache_stat "$DISK_ssd" buckets_used)"
	done
	bch_stop_dev "$OURS_BC"
	bch_unregister_cache "$DISK_ssd"

	log "-- skewed trace on a ${B_SKEW_CACHE_MB}M cache"
	dm_create bench-skewc "0 $((B_SKEW_CACHE_MB * 2048)) linear $DISK_ssd 0"
	skew_dev=/dev/mapper/bench-skewc
	for r in $(seq "$B_REPS"); do
		zero_head "$skew_dev"
		bch_format "$skew_dev" --bucket "$B_SKEW_BUCKET"
		bch_register_cache "$skew_dev"
		uuid=$(bch_new_uuid)
		OURS_BC=$(bch_register_dev "$uuid" "$DISK_hdd")
		wait_for 30 attr_is "/sys/block/${OURS_BC##*/}/bcache/state" clean || fail "ours: skew cache did not attach"
		bch_sys_write "$OURS_BC" sequential_cutoff 0
		rec skew_iops ours "$r" "$(replay ours "$OURS_BC")"
		h=$(bch_stat "$OURS_BC" cache_hits)
		m=$(bch_stat "$OURS_BC" cache_misses)
		log "   skew #$r: hits $h misses $m, buckets_used $(ours_cache_stat "$skew_dev" buckets_used) of $(ours_cache_stat "$skew_dev" nbuckets)"
		replay_check ours "$h" "$m"
		rec skew_hit_pct ours "$r" "$(pct "$h" $((h + m)))"
		bch_stop_dev "$OURS_BC"
		bch_unregister_cache "$skew_dev"
	done
	dm_remove bench-skewc
	unload_module
}

# ---- the in-tree bcache ----------------------------------------------------

IT=/sys/fs/bcache

it_dev()
{
	local d

	for d in /sys/block/bcache*; do
		[ -e "$d/bcache" ] || continue
		echo "/dev/${d##*/}"
		return 0
	done
	return 1
}

# it_wait_attached: wait (builtins only) until a /dev/bcacheN exists with
# its cache attached; sets IT_BC.
it_wait_attached()
{
	local end=$((SECONDS + 60)) d st

	while [ "$SECONDS" -lt "$end" ]; do
		for d in /sys/block/bcache*; do
			[ -e "$d/bcache/state" ] && read -r st < "$d/bcache/state" || continue
			if [ "$st" = clean ] && [ -b "/dev/${d##*/}" ]; then
				IT_BC=/dev/${d##*/}
				return 0
			fi
		done
		poll_pause
	done
	return 1
}

it_cset()
{
	local d

	for d in "$IT"/*-*-*-*-*; do
		[ -d "$d" ] || continue
		echo "${d##*/}"
		return 0
	done
	return 1
}

it_sys()
{
	cat "/sys/block/${IT_BC##*/}/bcache/$1"
}

it_counters()
{
	echo "$(it_sys stats_total/cache_hits) $(it_sys stats_total/cache_misses)"
}

# The in-tree statistics are folded into stats_total by a timer every
# 300/22 s: wait for one tick after the measured I/O.
it_settle()
{
	sleep 14
}

# it_register DEV: register a device formatted by bcache-tools.
it_register()
{
	printf '%s' "$1" > "$IT/register"
}

# it_setup CACHEDEV BUCKET: format CACHEDEV and the HDD, register both,
# attach in writethrough with no sequential cutoff or congestion bypass.
it_setup()
{
	local cset

	# bcache-tools refuses a device with any other signature libblkid finds.
	zero_head "$1"
	zero_head "$DISK_hdd"
	make-bcache -C "$1" --bucket "$2" --wipe-bcache >/dev/null
	make-bcache -B "$DISK_hdd" --wipe-bcache >/dev/null
	it_register "$1"
	it_register "$DISK_hdd"
	wait_for 30 it_dev >/dev/null || fail "in-tree: no /dev/bcacheN"
	IT_BC=$(it_dev)
	cset=$(it_cset) || fail "in-tree: no cache set"
	IT_CSET=$cset
	if [ "$(it_sys state)" = "no cache" ]; then
		printf '%s' "$cset" > "/sys/block/${IT_BC##*/}/bcache/attach"
	fi
	wait_for 30 attr_is "/sys/block/${IT_BC##*/}/bcache/state" clean || fail "in-tree: the cache did not attach"
	it_tune
}

it_tune()
{
	local b=/sys/block/${IT_BC##*/}/bcache

	echo writethrough > "$b/cache_mode"
	echo 0 > "$b/sequential_cutoff"
	echo 0 > "$IT/$IT_CSET/congested_read_threshold_us"
	echo 0 > "$IT/$IT_CSET/congested_write_threshold_us"
}

# it_stop: stop the device and the cache set.
it_stop()
{
	local name=${IT_BC##*/}

	echo 1 > "/sys/block/$name/bcache/stop"
	wait_for 30 [ ! -e "/sys/block/$name" ] || fail "in-tree: $IT_BC did not stop"
	echo 1 > "$IT/$IT_CSET/unregister"
	wait_for 60 [ ! -e "$IT/$IT_CSET" ] || fail "in-tree: the cache set did not stop"
}

it_unused_pct()
{
	sed -n 's/^Unused:[[:space:]]*\([0-9]*\)%.*/\1/p' "$IT/$IT_CSET/cache0/priority_stats"
}

bench_intree()
{
	local r m0 m1 t0 t1 w0 w1 h m unused skew_dev

	log "== in-tree bcache ($(modinfo -n bcache))"
	modprobe bcache
	[ -d "$IT" ] || fail "in-tree: no $IT after modprobe bcache"
	m0=$(kmem_kb)

	log "-- passthrough (backing device without a cache)"
	zero_head "$DISK_hdd"
	make-bcache -B "$DISK_hdd" --wipe-bcache >/dev/null
	it_register "$DISK_hdd"
	wait_for 30 it_dev >/dev/null || fail "in-tree: no /dev/bcacheN"
	IT_BC=$(it_dev)
	[ "$(it_sys state)" = "no cache" ] || fail "in-tree: a cache is attached"
	echo 0 > "/sys/block/${IT_BC##*/}/bcache/sequential_cutoff"
	passthrough_phase intree "$IT_BC"
	echo 1 > "/sys/block/${IT_BC##*/}/bcache/stop"
	wait_for 30 [ ! -e "/sys/block/${IT_BC##*/}" ] || fail "in-tree: $IT_BC did not stop"

	log "-- cache of ${B_SSD_MB}M attached"
	it_setup "$DISK_ssd" "$B_BUCKET"
	log "   mode: $(it_sys cache_mode), sequential_cutoff $(it_sys sequential_cutoff)"
	warm_until intree "$IT_BC" it_counters it_settle
	hit_phase intree "$IT_BC" it_counters it_settle

	log "-- writethrough writes"
	w0=$(cat "$IT/$IT_CSET/cache0/written")
	write_phase intree "$IT_BC"
	w1=$(cat "$IT/$IT_CSET/cache0/written")
	log "   cache written: $w0 -> $w1"
	[ "$w0" != "$w1" ] || fail "in-tree: writethrough writes did not reach the cache"

	log "-- fill the cache through the fast disk, then register it full"
	echo 1 > "/sys/block/${IT_BC##*/}/bcache/stop"
	wait_for 30 [ ! -e "/sys/block/${IT_BC##*/}" ] || fail "in-tree: $IT_BC did not stop"
	zero_head "$DISK_fast"
	make-bcache -B "$DISK_fast" --wipe-bcache >/dev/null
	it_register "$DISK_fast"
	wait_for 30 it_dev >/dev/null || fail "in-tree: no /dev/bcacheN for the fast disk"
	IT_BC=$(it_dev)
	if [ "$(it_sys state)" = "no cache" ]; then
		printf '%s' "$IT_CSET" > "/sys/block/${IT_BC##*/}/bcache/attach"
	fi
	wait_for 30 attr_is "/sys/block/${IT_BC##*/}/bcache/state" clean || fail "in-tree: the cache did not attach"
	it_tune
	fill "$IT_BC"
	unused=$(it_unused_pct)
	log "   priority_stats: $(tr '\n' ' ' < "$IT/$IT_CSET/cache0/priority_stats")"
	rec fill_pct intree 1 $((100 - ${unused:-100}))
	rec_kmem kmem_fill intree 1 "$m0" "$B_SSD_MB"
	for r in $(seq "$B_REPS"); do
		it_stop
		m1=$(kmem_kb)
		t0=$(now_ms)
		it_register "$DISK_ssd"
		it_register "$DISK_fast"
		it_wait_attached || fail "in-tree: not attached after registration"
		first_read "$IT_BC"
		t1=$(now_ms)
		rec register_ms intree "$r" $((t1 - t0))
		rec_kmem kmem intree "$r" "$m1" "$B_SSD_MB"
		IT_CSET=$(it_cset)
		log "   registered, unused $(it_unused_pct)%"
	done
	it_stop

	log "-- skewed trace on a ${B_SKEW_CACHE_MB}M cache"
	dm_create bench-skewc "0 $((B_SKEW_CACHE_MB * 2048)) linear $DISK_ssd 0"
	skew_dev=/dev/mapper/bench-skewc
	for r in $(seq "$B_REPS"); do
		it_setup "$skew_dev" "$B_SKEW_BUCKET"
		rec skew_iops intree "$r" "$(replay intree "$IT_BC")"
		it_settle
		read -r h m <<< "$(it_counters)"
		log "   skew #$r: hits $h misses $m, unused $(it_unused_pct)%"
		replay_check intree "$h" "$m"
		rec skew_hit_pct intree "$r" "$(pct "$h" $((h + m)))"
		it_stop
	done
	dm_remove bench-skewc
	rmmod bcache
}

# ---- dm-cache --------------------------------------------------------------

# dmc_status NAME: "used total rhits rmisses whits wmisses promotions".
dmc_status()
{
	dmsetup status "$1" | awk '{ split($7, u, "/"); print u[1], u[2], $8, $9, $10, $11, $13 }'
}

dmc_counters()
{
	dmc_status bench-cache | awk '{ print $3, $4 }'
}

# dmc_create NAME META DATA BLOCK: a writethrough smq cache over the HDD.
dmc_create()
{
	dm_create "$1" "0 $(sectors "$DISK_hdd") cache $2 $3 $DISK_hdd $4 1 writethrough smq 0"
}

bench_dmcache()
{
	local r m0 m1 t0 t1 s0 s1 used total h m pass meta data want

	log "== dm-cache (smq, writethrough)"
	modprobe dm-cache
	modprobe dm-cache-smq
	m0=$(kmem_kb)
	meta=$((B_DMC_META_MB * 2048))
	data=$(($(sectors "$DISK_ssd") - meta))
	dm_create bench-meta "0 $meta linear $DISK_ssd 0"
	dm_create bench-cdata "0 $data linear $DISK_ssd $meta"
	zero_head /dev/mapper/bench-meta "$B_DMC_META_MB"
	dmc_create bench-cache /dev/mapper/bench-meta /dev/mapper/bench-cdata "$B_DMC_BLOCK"
	log "   $(dmsetup table bench-cache)"

	# smq promotes a block at once when a read covers all of it and the
	# cache has free blocks; promotion is asynchronous, hence the passes.
	warm_until dmcache /dev/mapper/bench-cache dmc_counters
	read -r used total _ <<< "$(dmc_status bench-cache)"
	log "   $used of $total blocks cached (the hit set is $((B_WS_MB * 2048 / B_DMC_BLOCK)))"
	hit_phase dmcache /dev/mapper/bench-cache dmc_counters

	log "-- writethrough writes"
	s0=$(dmc_status bench-cache)
	write_phase dmcache /dev/mapper/bench-cache
	s1=$(dmc_status bench-cache)
	log "   status before: $s0; after: $s1"
	[ "$s0" != "$s1" ] || fail "dm-cache: the writes were not counted"

	log "-- fill the cache, then create it again full"
	for pass in 1 2 3; do
		warm /dev/mapper/bench-cache $((B_SSD_MB + 64))
		read -r used total _ <<< "$(dmc_status bench-cache)"
		[ "$used" -ge "$total" ] && break
	done
	log "   $used of $total blocks cached"
	rec fill_pct dmcache 1 "$(pct "$used" "$total")"
	rec_kmem kmem_fill dmcache 1 "$m0" $((data / 2048))
	for r in $(seq "$B_REPS"); do
		dm_remove bench-cache
		m1=$(kmem_kb)
		t0=$(now_ms)
		dmc_create bench-cache /dev/mapper/bench-meta /dev/mapper/bench-cdata "$B_DMC_BLOCK"
		first_read /dev/mapper/bench-cache
		t1=$(now_ms)
		rec register_ms dmcache "$r" $((t1 - t0))
		rec_kmem kmem dmcache "$r" "$m1" $((data / 2048))
		read -r used total _ <<< "$(dmc_status bench-cache)"
		log "   created with $used of $total blocks cached"
	done
	dm_remove bench-cache bench-cdata bench-meta

	log "-- skewed trace on a ${B_SKEW_CACHE_MB}M cache"
	meta=$((4 * 2048))
	dm_create bench-meta "0 $meta linear $DISK_ssd 0"
	dm_create bench-cdata "0 $((B_SKEW_CACHE_MB * 2048)) linear $DISK_ssd $meta"
	for r in $(seq "$B_REPS"); do
		zero_head /dev/mapper/bench-meta 4
		dmc_create bench-cache /dev/mapper/bench-meta /dev/mapper/bench-cdata "$B_DMC_SKEW_BLOCK"
		rec skew_iops dmcache "$r" "$(replay dmcache /dev/mapper/bench-cache)"
		read -r used total h m _ <<< "$(dmc_status bench-cache)"
		log "   skew #$r: hits $h misses $m, $used of $total blocks"
		replay_check dmcache "$h" "$m"
		rec skew_hit_pct dmcache "$r" "$(pct "$h" $((h + m)))"
		dm_remove bench-cache
	done
	dm_remove bench-cdata bench-meta
}

requires()
{
	_have_program fio dmsetup
	[ -x /usr/sbin/make-bcache ] || skip "bcache-tools is not installed"
	[ -n "$B_TRACE" ] && [ -r "$B_TRACE" ] || skip "no skewed trace (run scripts/bench.sh)"
}

test()
{
	local only=${BCT_BENCH_ONLY:-raw ours intree dmcache} s

	: > "$OUT"
	: > "$LOG"
	exec {POLL_FD}<> <(:)
	log "kernel $(uname -r), $(nproc) CPUs, SSD $DISK_ssd, HDD $DISK_hdd"
	# bcache-tools' make-bcache, not ours ($TOOLS/make-bcache, by full path).
	PATH=/usr/sbin:/usr/bin:/sbin:/bin
	for s in $only; do
		"bench_$s"
	done
	log "== done"
}
