# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers shared by every test, on the host and in the guest.
#
# A test file is a bash fragment sourced by the harness. It sets
#   DESCRIPTION  one line
#   TEST_GROUPS  space-separated groups ("quick", "tools", ...); the
#                directory name is always a group too
#   HOST=1       run on the host instead of in the VM
#   TIMEOUT      seconds for test() itself (default 300)
#   DISKS        VM only: "name:size[:iops=N]..." virtual disks, shown to
#                the guest as virtio-blk with serial "name", available to
#                the test as $DISK_name (e.g. $DISK_ssd)
#   MEM          VM only: guest memory in MiB (default 1024)
# and defines
#   requires()   optional; calls `skip "reason"` when something is missing
#   test()       the test (it shadows the `test` builtin: use [ ] instead);
#                it runs with `set -eE -o pipefail`, so any failing
#                command fails the test. Use `fail "why"` for checks and
#                `expect_fail cmd ...` for commands that must fail.

SKIP_REASON=${SKIP_REASON:-}

fail()
{
	echo "FAIL: $*" >&2
	return 1
}

skip()
{
	SKIP_REASON=${SKIP_REASON:+$SKIP_REASON; }$*
}

# expect_fail CMD...: CMD must exit non-zero.
expect_fail()
{
	if "$@"; then
		echo "FAIL: expected failure: $*" >&2
		return 1
	fi
	return 0
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq()
{
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

_have_program()
{
	local p

	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || skip "$p is not installed"
	done
}

# _have_kmod MOD...: a kernel module (or built-in) is available in the guest.
_have_kmod()
{
	local m

	for m in "$@"; do
		modprobe -n "$m" >/dev/null 2>&1 || skip "kernel module $m is not available"
	done
}

# wait_for SECONDS CMD...: poll CMD until it succeeds.
wait_for()
{
	local end=$((SECONDS + $1))

	shift
	while ! "$@" 2>/dev/null; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# wait_for re-runs a command with the arguments it was given: a "$(cat F)"
# in them is expanded once, before the first try. These re-read the file.
# attr_is FILE VALUE: FILE holds VALUE.
attr_is()
{
	[ "$(cat "$1")" = "$2" ]
}

# fio_job OFFSET SIZE SEED [FIO-ARGS]: 4 KiB random writes with crc32c
# headers over one region of $BC (the test's /dev/bcacheN); the same SEED
# regenerates the same data. write_region and verify_region fail the test.
fio_job()
{
	local off=$1 size=$2 seed=$3

	shift 3
	fio --output-format=terse --output=/tmp/fio.out --name=j --filename="$BC" \
		--direct=1 --ioengine=libaio --iodepth=8 --bs=4k --rw=randwrite \
		--offset="$off" --size="$size" --randseed="$seed" \
		--verify=crc32c --verify_fatal=1 "$@"
}

write_region()
{
	fio_job "$@" --do_verify=0 || fail "writing $1+$2 (seed $3) failed"
}

verify_region()
{
	fio_job "$@" --verify_only=1 || fail "region $1+$2 (seed $3) does not verify through $BC"
}

# attr_ge FILE N: FILE holds a number >= N.
attr_ge()
{
	local v

	v=$(cat "$1") && [ "$v" -ge "$2" ]
}

# ---- guest-only helpers -------------------------------------------------

SYSFS_BCACHE=/sys/kernel/bcache

# load_module [PARAMS]: insmod the freshly built module, after the modules it
# depends on (insmod does not resolve dependencies, modprobe would).
load_module()
{
	local dep

	[ -d "$SYSFS_BCACHE" ] && return 0
	for dep in $(modinfo -F depends "$BCACHE_KO" | tr ',' ' '); do
		modprobe "$dep"
	done
	insmod "$BCACHE_KO" "$@"
}

unload_module()
{
	[ -d /sys/module/bcache ] || return 0
	rmmod bcache
}

# sysfs_write FILE VALUE: write VALUE with one write(2); propagate errno.
sysfs_write()
{
	printf '%s' "$2" > "$1"
}

# ---- harness internals ----------------------------------------------------

# _bct_run_body DIR: run requires() and test() of the sourced test file,
# writing DIR/status ("pass", "fail RC" or "skip REASON") and DIR/output.
_bct_run_body()
{
	local dir=$1 rc

	if declare -F requires >/dev/null; then
		requires
	fi
	if [ -n "$SKIP_REASON" ]; then
		echo "skip $SKIP_REASON" > "$dir/status"
		return 0
	fi
	(
		set -eE -o pipefail
		shopt -s inherit_errexit
		trap 'echo "FAIL: line $LINENO: $BASH_COMMAND (exit $?)" >&2' ERR
		test
	) > "$dir/output" 2>&1
	rc=$?
	cat "$dir/output"
	if [ "$rc" -eq 0 ]; then
		echo pass > "$dir/status"
	else
		echo "fail $rc" > "$dir/status"
	fi
	return "$rc"
}

# ---- bcache helpers (guest) -------------------------------------------------

# bch_format DEV [make-bcache options]: format a cache device.
bch_format()
{
	local dev=$1

	shift
	"$TOOLS/make-bcache" -C "$dev" --quiet --wipe "$@"
}

bch_register_cache()
{
	sysfs_write "$SYSFS_BCACHE/register_cache" "$1"
}

# bch_cache_dir DEV: the cache's sysfs directory (named by the kernel's
# name of DEV, e.g. dm-1 for /dev/mapper/x).
bch_cache_dir()
{
	local mm

	mm=$(stat -Lc '%t %T' "$1") || return 1
	set -- $mm
	echo "$SYSFS_BCACHE/$(basename "$(readlink -f "/sys/dev/block/$((0x$1)):$((0x$2))")")"
}

bch_unregister_cache()
{
	sysfs_write "$(bch_cache_dir "$1")/unregister" 1
	wait_for 60 [ ! -e "$(bch_cache_dir "$1")" ]
}

# bch_gc CACHE_DIR: start a GC pass and wait until one more has finished.
bch_gc()
{
	local runs

	runs=$(cat "$1/gc_runs")
	sysfs_write "$1/trigger_gc" 1
	wait_for 120 attr_ge "$1/gc_runs" $((runs + 1)) || fail "GC did not run"
}

# bch_new_uuid: a random uuid for register_dev.
bch_new_uuid()
{
	cat /proc/sys/kernel/random/uuid
}

# bch_dev_for_uuid UUID: the /dev/bcacheN of a registered backing device.
bch_dev_for_uuid()
{
	local d want

	want=$(echo "$1" | tr -d ':-' | tr 'A-F' 'a-f')
	for d in /sys/block/bcache*/bcache; do
		[ -e "$d/uuid" ] || continue
		if [ "$(tr -d '\n:-' < "$d/uuid")" = "$want" ]; then
			d=${d%/bcache}
			echo "/dev/${d##*/}"
			return 0
		fi
	done
	return 1
}

# bch_register_dev UUID DEV: register a backing device; prints /dev/bcacheN.
bch_register_dev()
{
	sysfs_write "$SYSFS_BCACHE/register_dev" "$1 $2"
	wait_for 30 bch_dev_for_uuid "$1" >/dev/null || fail "no /dev/bcacheN for $1"
	wait_for 30 [ -b "$(bch_dev_for_uuid "$1")" ]
	bch_dev_for_uuid "$1"
}

# bch_sys BCACHEDEV ATTR: read /sys/block/bcacheN/bcache/ATTR.
bch_sys()
{
	cat "/sys/block/${1##*/}/bcache/$2"
}

bch_sys_write()
{
	sysfs_write "/sys/block/${1##*/}/bcache/$2" "$3"
}

bch_stop_dev()
{
	local name=${1##*/}

	bch_sys_write "$1" stop 1
	wait_for 30 [ ! -e "/sys/block/$name" ]
}

# bch_stat BCACHEDEV COUNTER: stats_total counter of a device.
bch_stat()
{
	bch_sys "$1" "stats_total/$2"
}

# same_data A B [BYTES]: both devices hold the same bytes (O_DIRECT reads).
same_data()
{
	local a b n=${3:-}

	a=$(dd if="$1" bs=1M iflag=direct ${n:+count=$((n >> 20))} status=none | sha256sum)
	b=$(dd if="$2" bs=1M iflag=direct ${n:+count=$((n >> 20))} status=none | sha256sum)
	[ "$a" = "$b" ] || fail "$1 and $2 differ"
}

# drop_caches: make the next reads reach the block device.
drop_caches()
{
	sync
	echo 3 > /proc/sys/vm/drop_caches
}

# flushes DEV: completed flush requests of a block device (diskstats).
flushes()
{
	awk -v d="${1##*/}" '$3 == d { print $19 }' /proc/diskstats
}

# dm_create NAME TABLE: a device-mapper device with its /dev/mapper node
# (the guest runs no udev, so the node is made here).
dm_create()
{
	dmsetup create --noudevsync "$1" --table "$2" || return 1
	dmsetup mknodes "$1"
	[ -b "/dev/mapper/$1" ]
}

# dm_remove NAME...: remove device-mapper devices (no udev in the guest).
dm_remove()
{
	local n

	for n in "$@"; do
		dmsetup remove --noudevsync "$n" || return 1
	done
}
