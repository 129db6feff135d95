# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="runtime attach and detach: register and unregister the cache under fio load on a mounted ext4; no I/O errors, fsck clean"
TEST_GROUPS="core"
TIMEOUT=900
MEM=1536
DISKS="ssd:256M hdd:1G"

test()
{
	local uuid bc pid i dir

	load_module
	uuid=$(bch_new_uuid)
	bch_format "$DISK_ssd" --bucket 128k
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	mkfs.ext4 -q -F "$bc"
	mkdir -p /mnt/t
	mount "$bc" /mnt/t

	fio --name=load --directory=/mnt/t --rw=randrw --bs=4k --size=64M --numjobs=2 \
		--ioengine=libaio --iodepth=8 --direct=1 --verify=crc32c --do_verify=1 \
		--verify_fatal=1 --time_based --runtime=120 --output=/tmp/fio.out &
	pid=$!
	for i in 1 2; do
		sleep 15
		bch_register_cache "$DISK_ssd"
		dir=$(bch_cache_dir "$DISK_ssd")
		wait_for 10 attr_is "/sys/block/${bc##*/}/bcache/state" clean || fail "did not attach under load"
		sleep 15
		bch_unregister_cache "$DISK_ssd"
		expect_eq "$(bch_sys "$bc" state)" "no cache" "state after unregister"
	done
	sleep 5
	bch_register_cache "$DISK_ssd"
	sleep 10
	# Detach drops the data but keeps the device.
	bch_sys_write "$bc" detach 1
	wait_for 30 attr_is "/sys/block/${bc##*/}/bcache/state" "no cache" || fail "detach did not finish"
	wait "$pid" || { cat /tmp/fio.out; fail "fio saw errors"; }
	grep -q 'err= 0' /tmp/fio.out || fail "fio reported errors"
	umount /mnt/t
	e2fsck -f -n "$bc" || fail "fsck found damage"
	same_data "$bc" "$DISK_hdd"
	dmesg | grep -i 'I/O error' && fail "I/O errors in the kernel log"
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
	[ -z "$dir" ] || [ ! -e "$dir" ]
}
