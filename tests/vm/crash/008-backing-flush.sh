# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="keys never become durable before their data: the backing device is flushed before the journal or a leaf makes writethrough keys durable"
TEST_GROUPS="crash"
TIMEOUT=300
MEM=1024
DISKS="ssd:64M hdd:32M log:64M"

# A write completes on the backing device once it is in its volatile write
# cache. If the cache made the key of such a write durable first, a power
# failure would leave the cache with data the backing device never got.
#
# The backing device sits on dm-log-writes, which logs a plain write only
# when a flush issued after it completes, and a mark at once. The user
# writes without ever flushing; once bcache has written every btree node
# (the keys are durable on the cache device), a mark goes into the log.
# Every backing write must be logged before the mark: bcache flushed the
# backing device before it made the keys durable. (vm/crash/001-log-writes
# cannot see this: it records both devices on one log, where the cache's
# flush counts as a flush of the backing device too.)

RLW=$REPO/tests/tools/replay-log-writes

requires()
{
	_have_program dmsetup fio
	_have_kmod dm_mod dm_log_writes
	[ -x "$RLW" ] || skip "tests/tools/replay-log-writes is not built (run make)"
}

test()
{
	local bc dir u list=/tmp/bf-list mark writes late i n

	load_module
	modprobe dm_log_writes || fail "no dm-log-writes"
	dm_create bf-lw "0 $(blockdev --getsz "$DISK_hdd") log-writes $DISK_hdd $DISK_log" ||
		fail "cannot create the log-writes device"
	bch_format "$DISK_ssd" --bucket 64k
	bch_register_cache "$DISK_ssd"
	dir=$(bch_cache_dir "$DISK_ssd")
	u=$(bch_new_uuid)
	bc=$(bch_register_dev "$u" /dev/mapper/bf-lw)
	wait_for 30 attr_is "/sys/block/${bc##*/}/bcache/cache" "${DISK_ssd##*/}" ||
		fail "$bc did not attach"
	bch_sys_write "$bc" sequential_cutoff 0

	# Writethrough writes, never flushed by the user.
	fio --name=w --filename="$bc" --direct=1 --ioengine=libaio --iodepth=4 \
		--rw=randwrite --bs=4k --size=16M --number_ios=256 --randseed=7 \
		--output=/dev/null || fail "the writes failed"
	# Every node written: the keys are durable on the cache device. A node
	# counts as clean once its write is issued: wait for the metadata
	# writes to settle too.
	wait_for 60 attr_is "$dir/dirty_nodes" 0 || fail "btree nodes stay dirty"
	for i in $(seq 15); do
		n=$(cat "$dir/btree_written")
		sleep 2
		[ "$(cat "$dir/btree_written")" != "$n" ] || break
	done
	dmsetup message bf-lw 0 mark keys-durable

	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
	dm_remove bf-lw

	"$RLW" list "$DISK_log" > $list
	mark=$(awk '$2 ~ /mark/ && $5 == "keys-durable" { print $1 }' $list)
	[ -n "$mark" ] || fail "the mark is not in the log"
	writes=$(awk -v m="$mark" '$1 < m && $2 !~ /mark/ && $4 > 0' $list | wc -l)
	late=$(awk -v m="$mark" '$1 > m && $2 !~ /mark/ && $4 > 0' $list | wc -l)
	echo "backing writes logged before the mark: $writes, after it: $late;" \
		"flushes: $(awk '$2 ~ /flush/' $list | wc -l)"
	[ "$writes" -ge 200 ] || fail "only $writes backing writes before the mark"
	[ "$late" -eq 0 ] ||
		fail "$late backing writes were not flushed when their keys were durable"
}
