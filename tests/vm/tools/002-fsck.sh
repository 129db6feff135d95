# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="bcache-fsck: a split btree is clean after unregister; crash images taken under load are clean, and the kernel replays exactly what fsck predicted, without stale data; one damaged btree byte gives exit 4 naming the node; a busy or non-bcache device gives exit 8"
TEST_GROUPS="tools"
TIMEOUT=1200
MEM=1024
DISKS="ssd:24M hdd:128M cssd:24M chdd:128M rssd:24M"

requires()
{
	_have_program fio dmsetup od
	_have_kmod dm_mod
}

FSCK_OUT=/tmp/fsck.out

# run_fsck EXPECTED-RC ARGS...: run bcache-fsck, keep its output in
# $FSCK_OUT, and require the exit status.
run_fsck()
{
	local want=$1 rc=0

	shift
	"$TOOLS/bcache-fsck" "$@" > "$FSCK_OUT" 2>&1 || rc=$?
	echo "--- bcache-fsck $* (exit $rc)"
	tail -n 15 "$FSCK_OUT"
	[ "$rc" -eq "$want" ] || fail "bcache-fsck $*: exit $rc, expected $want"
}

# summary FIELD: a number from the summary line ("nodes", "live extents").
summary()
{
	tail -n 1 "$FSCK_OUT" | grep -oE "[0-9]+ $1" | grep -oE '^[0-9]+'
}

# linear NAME DEV: a dm-linear device over DEV; prints its path.
linear()
{
	local sectors

	sectors=$(blockdev --getsz "$2")
	dmsetup create --noudevsync "$1" --table "0 $sectors linear $2 0"
	dmsetup mknodes "$1"
	echo "/dev/mapper/$1"
}

# flip FILE OFFSET: invert one byte.
flip()
{
	local v

	v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((v ^ 0xff)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# replay_line TEXT: "A..B: N keys, M stale" from a replay report.
replay_line()
{
	grep -oE 'replayed (journal )?entries [0-9]+\.\.[0-9]+: [0-9]+ keys, [0-9]+ stale' |
		sed -E 's/.*entries //' | tail -n 1
}

test()
{
	local uuid ssd hdd bc nodes extents pid kline fline line sector bucket img n

	modprobe dm_mod
	load_module
	ssd=$(linear fsck-ssd "$DISK_ssd")
	hdd=$(linear fsck-hdd "$DISK_hdd")
	uuid=$(bch_new_uuid)
	bch_format "$ssd" --bucket 32k --journal 4
	bch_register_cache "$ssd"
	bc=$(bch_register_dev "$uuid" "$hdd")
	bch_sys_write "$bc" sequential_cutoff 0

	# More 4 KiB random writes than the cache holds: leaves split, buckets
	# are reclaimed (stale pointers), GC runs.
	fio --name=fill --filename="$bc" --rw=randwrite --bs=4k --size=128M \
		--number_ios=8000 --direct=1 --ioengine=libaio --iodepth=8 \
		--randrepeat=1 --verify=crc32c --do_verify=1 --verify_fatal=1 \
		--output=/dev/null

	# A registered cache is refused, not checked under the kernel's feet.
	run_fsck 8 "$ssd"
	grep -q 'in use' "$FSCK_OUT" || fail "busy device not reported as in use"

	# Crash images: freeze the cache, then the backing device, under load,
	# and copy them (a state a power cut could leave). Several, at
	# whatever points the load happens to be; the last with its backing
	# device, to be registered.
	fio --name=crash --filename="$bc" --rw=randwrite --bs=4k --size=128M \
		--number_ios=12000 --direct=1 --ioengine=libaio --iodepth=8 \
		--randseed=7 --output=/dev/null &
	pid=$!
	for n in 1 2 3 4; do
		sleep 2
		dmsetup suspend --noudevsync fsck-ssd
		[ "$n" -lt 4 ] || dmsetup suspend --noudevsync fsck-hdd
		dd if="$DISK_ssd" of="/tmp/crash$n.img" bs=1M iflag=direct status=none
		[ "$n" -lt 4 ] || dd if="$DISK_hdd" of="$DISK_chdd" bs=1M \
			iflag=direct oflag=direct status=none
		[ "$n" -lt 4 ] || dmsetup resume --noudevsync fsck-hdd
		dmsetup resume --noudevsync fsck-ssd
	done
	wait "$pid"
	dd if=/tmp/crash4.img of="$DISK_cssd" bs=1M oflag=direct status=none
	dd if=/tmp/crash4.img of="$DISK_rssd" bs=1M oflag=direct status=none

	bch_stop_dev "$bc"
	bch_unregister_cache "$ssd"
	dmsetup remove --noudevsync fsck-ssd
	dmsetup remove --noudevsync fsck-hdd

	# Clean shutdown: no errors, a split tree, thousands of extents.
	run_fsck 0 "$DISK_ssd"
	grep -q 'clean shutdown' "$FSCK_OUT" || fail "not reported as cleanly shut down"
	nodes=$(summary nodes)
	extents=$(summary "live extents")
	[ "$nodes" -ge 3 ] || fail "only $nodes btree nodes: the tree did not split"
	[ "$extents" -ge 1000 ] || fail "only $extents live extents"
	grep -q 'clean: ' "$FSCK_OUT" || fail "no clean summary"

	# --layout: one btree line per bset, the first of every node among
	# them; every structure type present.
	"$TOOLS/bcache-fsck" --layout "$DISK_ssd" > /tmp/layout 2>/dev/null
	for line in sb uuid prio journal btree; do
		grep -q "^$line " /tmp/layout || fail "--layout lists no $line"
	done
	expect_eq "$(grep -c '^btree .* bset=0 ' /tmp/layout)" "$nodes" "first bsets in --layout"

	# The crash images: consistent; the kernel replays the last one
	# exactly as bcache-fsck predicted ...
	for n in 1 2 3; do
		run_fsck 0 "/tmp/crash$n.img"
	done
	run_fsck 0 -v "$DISK_cssd"
	grep -q 'not shut down cleanly' "$FSCK_OUT" || fail "crash image reported as clean shutdown"
	fline=$(replay_line < "$FSCK_OUT")
	[ -n "$fline" ] || fail "bcache-fsck -v reports no replay"
	bch_register_cache "$DISK_rssd"
	kline=$(dmesg | grep "${DISK_rssd##*/}: replayed journal entries" | replay_line)
	echo "fsck predicted: $fline; kernel replayed: $kline"
	expect_eq "$kline" "$fline" "journal replay"
	# ... and serves no stale data with the backing device of that moment.
	bc=$(bch_register_dev "$uuid" "$DISK_chdd")
	bch_sys_write "$bc" sequential_cutoff 0
	same_data "$bc" "$DISK_chdd"
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_rssd"
	run_fsck 0 "$DISK_rssd"

	# One damaged byte in a leaf's first bset: exit 4, the node named.
	img=/tmp/fsck-damaged.img
	dd if="$DISK_ssd" of="$img" bs=1M status=none
	line=$(grep -m1 '^btree .* level=0 .* bset=0 keys=[1-9]' /tmp/layout) ||
		fail "no leaf with keys in --layout"
	sector=$(echo "$line" | cut -d' ' -f3)
	bucket=$(echo "$line" | grep -oE 'bucket=[0-9]+' | cut -d= -f2)
	flip "$img" $((sector * 512 + 64 + 8))
	run_fsck 4 "$img"
	grep -q "error: btree node at bucket $bucket " "$FSCK_OUT" ||
		fail "the damaged node (bucket $bucket) is not named"
	grep -q 'INCONSISTENT' "$FSCK_OUT" || fail "no INCONSISTENT summary"

	# The root's first bset: the whole tree is lost to the kernel.
	dd if="$DISK_ssd" of="$img" bs=1M status=none
	line=$(grep -m1 '^btree .* node=0 ' /tmp/layout)
	sector=$(echo "$line" | cut -d' ' -f3)
	flip "$img" $((sector * 512 + 20))
	run_fsck 4 "$img"
	grep -q 'error: btree node at bucket .*no valid first bset' "$FSCK_OUT" ||
		fail "damaged root not reported"

	# A node's log of several bsets (whether one exists depends on when
	# leaves were written): a damaged middle bset cuts the log short; a
	# damaged last one lost keys, since the shutdown was clean.
	bucket=$(awk '$1 == "btree" && / bset=2 / { sub("bucket=", "", $7); print $7; exit }' /tmp/layout)
	if [ -n "$bucket" ]; then
		dd if="$DISK_ssd" of="$img" bs=1M status=none
		sector=$(awk -v b="bucket=$bucket" '$1 == "btree" && $7 == b && $8 == "bset=1" { print $3 }' /tmp/layout)
		flip "$img" $((sector * 512 + 70))
		run_fsck 4 "$img"
		grep -q "bucket $bucket .*log cut short" "$FSCK_OUT" ||
			fail "a damaged bset in the middle of a log is not reported"
		dd if="$DISK_ssd" of="$img" bs=1M status=none
		sector=$(awk -v b="bucket=$bucket" '$1 == "btree" && $7 == b { s = $3 } END { print s }' /tmp/layout)
		flip "$img" $((sector * 512 + 20))
		run_fsck 4 "$img"
		grep -q "bucket $bucket .*before the clean shutdown" "$FSCK_OUT" ||
			fail "a damaged last bset of a cleanly shut down cache is not reported"
	else
		echo "no node with three bsets: middle/last bset damage not checked"
	fi

	# Not a bcache device at all; a missing one.
	run_fsck 8 "$DISK_hdd"
	grep -q 'not a bcache cache device' "$FSCK_OUT" || fail "non-bcache device not named so"
	run_fsck 8 /dev/nonexistent
}
