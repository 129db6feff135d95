# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="soak: 8 concurrent fio verify jobs (mixed reads and writes, 512 B to 256 KiB) with GC running, cache mode changes and cache unregister/register cycles; 0 verify errors (BCT_SOAK_SECONDS, default 60)"
TEST_GROUPS="crash soak"
TIMEOUT=1200
MEM=1536
DISKS="ssd:24M hdd:160M"

SECS=${BCT_SOAK_SECONDS:-60}

# Eight jobs, each on its own 16 MiB region: fio verifies what it wrote.
soak_jobs()
{
	local i=0 bs

	for bs in 512 4k 8k 16k 64k 256k 4k-64k 512-256k; do
		printf -- '--name=j%s --offset=%s --size=16M ' "$i" $((i * 16))M
		case "$bs" in
		*-*) printf -- '--bsrange=%s ' "$bs" ;;
		*) printf -- '--bs=%s ' "$bs" ;;
		esac
		i=$((i + 1))
	done
}

test()
{
	local u dir fio_pid modes=0 cycles=0 gcs=0 end mode

	load_module
	u=$(bch_new_uuid)
	bch_format "$DISK_ssd" --bucket 32k --journal 4
	bch_register_cache "$DISK_ssd"
	dir=$(bch_cache_dir "$DISK_ssd")
	BC=$(bch_register_dev "$u" "$DISK_hdd")
	bch_sys_write "$BC" sequential_cutoff 0

	# shellcheck disable=SC2046
	fio --output=/tmp/soak.out --filename="$BC" --direct=1 --ioengine=libaio \
		--iodepth=4 --rw=randrw --rwmixread=60 --verify=crc32c \
		--verify_fatal=1 --verify_backlog=64 --do_verify=1 \
		--time_based=1 --runtime="$SECS" $(soak_jobs) &
	fio_pid=$!

	end=$((SECONDS + SECS))
	while [ $SECONDS -lt "$end" ] && kill -0 $fio_pid 2>/dev/null; do
		for mode in writearound none writethrough; do
			bch_sys_write "$BC" cache_mode "$mode"
			modes=$((modes + 1))
			sleep 2
		done
		if [ -e "$dir" ]; then
			echo 1 > "$dir/trigger_gc" && gcs=$((gcs + 1))
			# The cache goes away under load and comes back.
			echo 1 > "$dir/unregister" || fail "unregister under load"
			wait_for 60 [ ! -e "$dir" ] || fail "unregister did not finish"
			sleep 1
			bch_register_cache "$DISK_ssd"
			wait_for 30 sh -c "! grep -qx none /sys/block/${BC##*/}/bcache/cache" ||
				fail "$BC did not re-attach"
			cycles=$((cycles + 1))
		fi
		expect_eq "$(cat "$dir/state")" running "cache state"
		sleep 2
	done
	wait $fio_pid || { tail -n 20 /tmp/soak.out; fail "fio verify failed"; }
	grep -q "err= 0" /tmp/soak.out || fail "fio reported errors"
	! grep -qE "err=[ ]*[1-9]" /tmp/soak.out || fail "fio reported errors"

	echo "soak: ${SECS}s, 8 jobs, $modes mode changes, $gcs GC passes triggered," \
		"$cycles unregister/register cycles, gc_runs=$(cat "$dir/gc_runs")," \
		"hits=$(bch_stat "$BC" cache_hits) misses=$(bch_stat "$BC" cache_misses)"
	[ "$(bch_stat "$BC" cache_hits)" -gt 0 ] || fail "the cache was never hit"
	[ "$cycles" -gt 0 ] || fail "no unregister/register cycle happened"
	# Every block read through the cache matches the backing device.
	same_data "$BC" "$DISK_hdd" $((128 << 20))
	bch_stop_dev "$BC"
	bch_unregister_cache "$DISK_ssd"
}
