# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="cache device faults under fio verify (dm-error regions, a vanished device, io_error_limit, a power cut via dm-flakey drop_writes, dm-flakey error_writes, corrupted metadata reads) and backing device errors: users see no cache error and no stale data"
TEST_GROUPS="crash faults"
TIMEOUT=900
MEM=1024
DISKS="base:192M"

# One disk holds both devices, carved with dm-linear out of "bct_base":
# a fault on bct_base (drop_writes) hits the cache and the backing device at
# the same instant, like a power cut. Faults on bct_ssd alone are SSD faults.
SSD_SECTORS=$((64 << 11))
HDD_SECTORS=$((128 << 11))
MB=$((1 << 20))

ssd_table()
{
	printf '%s\n' "$@" | dmsetup load --noudevsync bct_ssd && dmsetup resume --noudevsync bct_ssd
}

hdd_table()
{
	printf '%s\n' "$@" | dmsetup load --noudevsync bct_hdd && dmsetup resume --noudevsync bct_hdd
}

ssd_linear()
{
	ssd_table "0 $SSD_SECTORS linear /dev/mapper/bct_base 0"
}

# Metadata area intact, every data/btree bucket failing.
ssd_data_errors()
{
	ssd_table "0 $DATA_START linear /dev/mapper/bct_base 0" \
		"$DATA_START $((SSD_SECTORS - DATA_START)) error"
}

# Read a region twice so that it is cached, and make sure it is.
warm_region()
{
	local h0

	verify_region "$@"
	h0=$(bch_stat "$BC" cache_hits)
	verify_region "$@"
	[ "$(bch_stat "$BC" cache_hits)" -gt "$h0" ] || fail "region $1+$2 is not cached"
}

# Wait until every btree node is written: then reads alone write nothing,
# and a read fault cannot turn into a metadata write fault.
nodes_clean()
{
	wait_for 60 attr_is "$DIR/dirty_nodes" 0 || fail "btree nodes stay dirty"
}

# Every read retried or failed still ended its I/O accounting.
none_in_flight()
{
	local -a f

	read -r -a f < "/sys/block/${BC##*/}/stat"
	expect_eq "${f[8]}" 0 "$1: I/Os in flight in /sys/block/${BC##*/}/stat"
}

attach_all()
{
	bch_register_cache /dev/mapper/bct_ssd
	DIR=$(bch_cache_dir /dev/mapper/bct_ssd)
	wait_for 30 sh -c "! grep -qx none /sys/block/${BC##*/}/bcache/cache" || fail "$BC did not attach"
}

unregister_all()
{
	timeout 120 sh -c "echo 1 > $DIR/unregister" || fail "unregister hung or failed"
	wait_for 60 [ ! -e "$DIR" ] || fail "$DIR is still there"
}

test()
{
	local u errs n

	load_module
	modprobe dm_mod 2>/dev/null
	modprobe dm_flakey || fail "no dm-flakey"
	dm_create bct_base "0 $((SSD_SECTORS + HDD_SECTORS)) linear $DISK_base 0"
	dm_create bct_ssd "0 $SSD_SECTORS linear /dev/mapper/bct_base 0"
	dm_create bct_hdd "0 $HDD_SECTORS linear /dev/mapper/bct_base $SSD_SECTORS"
	bch_format /dev/mapper/bct_ssd --bucket 64k
	DATA_START=$("$TOOLS/bcache-super-show" /dev/mapper/bct_ssd |
		sed -n 's/^ *btree+data .*sectors \([0-9]*\)\.\..*/\1/p')
	[ -n "$DATA_START" ] || fail "cannot find the data area"
	u=$(bch_new_uuid)
	BC=$(bch_register_dev "$u" /dev/mapper/bct_hdd)
	bch_sys_write "$BC" sequential_cutoff 0
	attach_all

	echo "== 1. read errors from the data area, below io_error_limit"
	write_region 0 $((16 * MB)) 1
	warm_region 0 $((16 * MB)) 1
	echo 1000000 > "$DIR/io_error_limit"
	nodes_clean
	# No drop_caches here: evicting btree nodes would turn this into a
	# node read error, and a node that cannot be read is dropped and
	# rewritten (a metadata write, which disables the cache).
	ssd_data_errors
	verify_region 0 $((16 * MB)) 1
	errs=$(cat "$DIR/io_errors")
	[ "$errs" -gt 0 ] || fail "no cache read error was counted"
	expect_eq "$(cat "$DIR/state")" running "cache state below the limit"
	ssd_linear
	none_in_flight "after the retried reads"
	echo "io_errors=$errs, every read retried from the backing device"

	echo "== 2. past io_error_limit the cache is disabled; no stale data after it returns"
	echo $((errs + 4)) > "$DIR/io_error_limit"
	nodes_clean
	ssd_data_errors
	verify_region 0 $((16 * MB)) 1
	wait_for 30 attr_is "$DIR/state" failed || fail "the cache was not disabled"
	wait_for 30 attr_is "/sys/block/${BC##*/}/bcache/cache" none || fail "$BC still uses the failed cache"
	# Overwrite the cached region while the cache is away.
	write_region 0 $((16 * MB)) 2
	verify_region 0 $((16 * MB)) 2
	ssd_linear
	unregister_all
	attach_all
	drop_caches
	verify_region 0 $((16 * MB)) 2
	verify_region 0 $((16 * MB)) 2
	expect_eq "$(bch_sys "$BC" io_errors)" 0 "backing errors"

	echo "== 3. every cache I/O fails (a dead SSD) during reads and writes"
	warm_region 0 $((16 * MB)) 2
	ssd_table "0 $SSD_SECTORS error"
	write_region $((16 * MB)) $((16 * MB)) 3
	verify_region $((16 * MB)) $((16 * MB)) 3
	verify_region 0 $((16 * MB)) 2
	write_region 0 $((8 * MB)) 4
	verify_region 0 $((8 * MB)) 4
	wait_for 30 attr_is "$DIR/state" failed || fail "the dead cache was not disabled"
	ssd_linear
	unregister_all
	attach_all
	verify_region 0 $((8 * MB)) 4
	verify_region $((16 * MB)) $((16 * MB)) 3

	echo "== 4. the cache device vanishes (dm remove --force) and comes back"
	warm_region 0 $((8 * MB)) 4
	write_region $((32 * MB)) $((8 * MB)) 5
	# The table becomes an error target now; the node goes at last close.
	dmsetup remove --noudevsync --force --deferred bct_ssd
	write_region 0 $((8 * MB)) 6
	verify_region 0 $((8 * MB)) 6
	verify_region $((32 * MB)) $((8 * MB)) 5
	wait_for 30 attr_is "$DIR/state" failed || fail "the vanished cache was not disabled"
	unregister_all
	wait_for 30 sh -c '! dmsetup info bct_ssd >/dev/null 2>&1' || fail "bct_ssd was not removed"
	dm_create bct_ssd "0 $SSD_SECTORS linear /dev/mapper/bct_base 0"
	attach_all
	verify_region 0 $((8 * MB)) 6
	verify_region 0 $((8 * MB)) 6

	echo "== 5. power cut: every write to both devices dropped (dm-flakey drop_writes)"
	warm_region 0 $((8 * MB)) 6
	dmsetup table bct_base | grep -q linear || fail "unexpected bct_base table"
	printf '0 %s flakey %s 0 0 3600 1 drop_writes\n' $((SSD_SECTORS + HDD_SECTORS)) "$DISK_base" |
		dmsetup load --noudevsync bct_base
	dmsetup resume --noudevsync bct_base
	# No reads in the window: a dropped write cannot be read back.
	write_region 0 $((8 * MB)) 7
	write_region $((40 * MB)) $((8 * MB)) 8
	bch_stop_dev "$BC"
	unregister_all
	dmsetup load --noudevsync bct_base --table "0 $((SSD_SECTORS + HDD_SECTORS)) linear $DISK_base 0"
	dmsetup resume --noudevsync bct_base
	if [ -x "$TOOLS/bcache-fsck" ]; then
		"$TOOLS/bcache-fsck" /dev/mapper/bct_ssd || fail "bcache-fsck after the power cut"
	fi
	BC=$(bch_register_dev "$u" /dev/mapper/bct_hdd)
	attach_all
	# Whatever the devices hold, the cache must agree with the backing device.
	same_data "$BC" /dev/mapper/bct_hdd $((64 * MB))
	verify_region 0 $((8 * MB)) 6

	echo "== 6. backing device errors reach the caller, are counted, corrupt nothing"
	write_region $((48 * MB)) $((8 * MB)) 9
	warm_region $((48 * MB)) $((8 * MB)) 9
	hdd_table "0 $((48 << 11)) linear /dev/mapper/bct_base $SSD_SECTORS" \
		"$((48 << 11)) $((8 << 11)) error" \
		"$((56 << 11)) $((HDD_SECTORS - (56 << 11))) linear /dev/mapper/bct_base $((SSD_SECTORS + (56 << 11)))"
	if fio_job $((48 * MB)) $((8 * MB)) 10 --do_verify=0 >/dev/null 2>&1; then
		fail "writes to a failing backing device succeeded"
	fi
	[ "$(bch_sys "$BC" io_errors)" -gt 0 ] || fail "backing errors were not counted"
	none_in_flight "after the failed writes"
	expect_eq "$(cat "$DIR/state")" running "cache state after backing errors"
	hdd_table "0 $HDD_SECTORS linear /dev/mapper/bct_base $SSD_SECTORS"
	drop_caches
	# The failed writes reached neither device.
	same_data "$BC" /dev/mapper/bct_hdd $((64 * MB))
	verify_region $((48 * MB)) $((8 * MB)) 9

	echo "== 7. the cache fails every write, reads still work (dm-flakey error_writes)"
	warm_region $((48 * MB)) $((8 * MB)) 9
	ssd_table "0 $SSD_SECTORS flakey /dev/mapper/bct_base 0 0 3600 1 error_writes"
	verify_region $((48 * MB)) $((8 * MB)) 9
	write_region $((16 * MB)) $((8 * MB)) 11
	verify_region $((16 * MB)) $((8 * MB)) 11
	wait_for 30 attr_is "$DIR/state" failed || fail "a cache failing its writes was not disabled"
	verify_region $((48 * MB)) $((8 * MB)) 9
	ssd_linear
	unregister_all
	attach_all
	verify_region $((16 * MB)) $((8 * MB)) 11
	verify_region $((48 * MB)) $((8 * MB)) 9

	echo "== 8. metadata reads return a corrupted byte (dm-flakey corrupt_bio_byte)"
	unregister_all
	ssd_table "0 $DATA_START flakey /dev/mapper/bct_base 0 0 3600 5 corrupt_bio_byte 1 r 255 0" \
		"$DATA_START $((SSD_SECTORS - DATA_START)) linear /dev/mapper/bct_base $DATA_START"
	n=$(dmesg | wc -l)
	if echo /dev/mapper/bct_ssd > "$SYSFS_BCACHE/register_cache" 2>/dev/null; then
		fail "a cache whose metadata reads are corrupted registered"
	fi
	dmesg | tail -n +$((n + 1)) | grep "bcache: " ||
		fail "registration was refused without a kernel message"
	[ ! -d "$SYSFS_BCACHE/${DIR##*/}" ] || fail "refused, but its sysfs directory exists"
	verify_region $((16 * MB)) $((8 * MB)) 11
	ssd_linear
	attach_all
	verify_region $((16 * MB)) $((8 * MB)) 11
	verify_region $((48 * MB)) $((8 * MB)) 9

	bch_stop_dev "$BC"
	unregister_all
	dm_remove bct_hdd
	dm_remove bct_ssd
	dm_remove bct_base
}
