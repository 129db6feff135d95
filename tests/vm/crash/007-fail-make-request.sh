# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="fail_make_request on the cache and the backing device under fio verify: cache errors are retried, counted and past io_error_limit disable the cache; backing errors reach the caller"
TEST_GROUPS="crash faults quick"
TIMEOUT=600
MEM=1024
DISKS="ssd:64M hdd:96M"

# The kernel's generic fault injection (CONFIG_FAIL_MAKE_REQUEST, on the
# debug kernel only): bios submitted to a disk whose make-it-fail is set
# fail with EIO, as chosen by /sys/kernel/debug/fail_make_request. Unlike
# dm-error (vm/crash/004-cache-faults) it hits the device bcache opened
# itself, for every kind of I/O, at random.

FMR=/sys/kernel/debug/fail_make_request
MB=$((1 << 20))

requires()
{
	[ -d "$FMR" ] || skip "the kernel has no CONFIG_FAIL_MAKE_REQUEST (run make check-debug)"
	_have_program fio
}

# fmr DISK PROBABILITY TIMES: fail PROBABILITY% of DISK's bios, TIMES at
# most (-1: no limit); fmr DISK 0 0 ends it.
fmr()
{
	local disk=${1##*/}

	echo 0 > "$FMR/verbose"
	echo 0 > "$FMR/interval"
	echo "$2" > "$FMR/probability"
	echo "$3" > "$FMR/times"
	if [ "$2" -gt 0 ]; then
		echo 1 > "/sys/block/$disk/make-it-fail"
	else
		echo 0 > "/sys/block/$disk/make-it-fail"
	fi
}

test()
{
	local u dir errs h0

	load_module
	bch_format "$DISK_ssd" --bucket 64k
	bch_register_cache "$DISK_ssd"
	dir=$(bch_cache_dir "$DISK_ssd")
	u=$(bch_new_uuid)
	BC=$(bch_register_dev "$u" "$DISK_hdd")
	bch_sys_write "$BC" sequential_cutoff 0
	wait_for 30 attr_is "/sys/block/${BC##*/}/bcache/cache" "${DISK_ssd##*/}" ||
		fail "$BC did not attach"

	echo "== 1. some cache I/O fails, below io_error_limit: reads are retried"
	write_region 0 $((16 * MB)) 1
	verify_region 0 $((16 * MB)) 1
	h0=$(bch_stat "$BC" cache_hits)
	verify_region 0 $((16 * MB)) 1
	[ "$(bch_stat "$BC" cache_hits)" -gt "$h0" ] || fail "the region is not cached"
	echo 1000000 > "$dir/io_error_limit"
	wait_for 60 attr_is "$dir/dirty_nodes" 0 || fail "btree nodes stay dirty"
	fmr "$DISK_ssd" 20 50
	verify_region 0 $((16 * MB)) 1
	verify_region 0 $((16 * MB)) 1
	fmr "$DISK_ssd" 0 0
	errs=$(cat "$dir/io_errors")
	[ "$errs" -gt 0 ] || fail "no cache error was counted"
	echo "io_errors=$errs, state $(cat "$dir/state")"

	echo "== 2. every cache I/O fails: past io_error_limit the cache is disabled"
	if [ "$(cat "$dir/state")" = running ]; then
		echo $((errs + 8)) > "$dir/io_error_limit"
		fmr "$DISK_ssd" 100 -1
		write_region $((16 * MB)) $((16 * MB)) 2
		verify_region $((16 * MB)) $((16 * MB)) 2
		verify_region 0 $((16 * MB)) 1
		wait_for 30 attr_is "$dir/state" failed || fail "the cache was not disabled"
	fi
	wait_for 30 attr_is "/sys/block/${BC##*/}/bcache/cache" none ||
		fail "$BC still uses the failed cache"
	write_region 0 $((8 * MB)) 3
	verify_region 0 $((8 * MB)) 3
	expect_eq "$(bch_sys "$BC" io_errors)" 0 "backing errors seen"
	fmr "$DISK_ssd" 0 0
	timeout 120 sh -c "echo 1 > $dir/unregister" || fail "unregister hung or failed"
	wait_for 60 [ ! -e "$dir" ] || fail "$dir is still there"

	echo "== 3. the device is back: it registers, and nothing stale is read"
	bch_register_cache "$DISK_ssd"
	dir=$(bch_cache_dir "$DISK_ssd")
	wait_for 30 attr_is "/sys/block/${BC##*/}/bcache/cache" "${DISK_ssd##*/}" ||
		fail "$BC did not attach again"
	verify_region 0 $((8 * MB)) 3
	verify_region $((8 * MB)) $((8 * MB)) 1
	verify_region $((16 * MB)) $((16 * MB)) 2

	echo "== 4. backing device errors reach the caller and are counted"
	write_region $((32 * MB)) $((8 * MB)) 4
	verify_region $((32 * MB)) $((8 * MB)) 4
	fmr "$DISK_hdd" 100 20
	if fio_job $((32 * MB)) $((8 * MB)) 5 --do_verify=0 >/dev/null 2>&1; then
		fail "writes to a failing backing device all succeeded"
	fi
	fmr "$DISK_hdd" 0 0
	[ "$(bch_sys "$BC" io_errors)" -gt 0 ] || fail "backing errors were not counted"
	expect_eq "$(cat "$dir/state")" running "cache state after backing errors"
	drop_caches
	# Whatever each write left on the backing device, the cache agrees.
	same_data "$BC" "$DISK_hdd" $((64 * MB))

	bch_stop_dev "$BC"
	bch_unregister_cache "$DISK_ssd"
}
