# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="bcachectl: attach records the registry and registers (by-id and PARTUUID ids), mode/status/list, detach removes and restores the raw links, help and exit codes, idempotent register"
TEST_GROUPS="boot"
TIMEOUT=800
DISKS="ssd:64M hdd:128M part:128M"

# shellcheck source=lib.bash
. "$REPO/tests/vm/boot/lib.bash"

# expect_rc WANT CMD...: CMD exits WANT; a failure prints exactly one line,
# starting with "bcachectl: ", on stderr. Its stdout is in /tmp/out.
expect_rc()
{
	local want=$1 rc=0

	shift
	"$@" > /tmp/out 2> /tmp/err || rc=$?
	cat /tmp/err
	[ "$rc" -eq "$want" ] || fail "$*: exit status $rc, expected $want"
	if [ "$want" -ne 0 ]; then
		[ "$(wc -l < /tmp/err)" -eq 1 ] || fail "$*: not one line on stderr"
		grep -q '^bcachectl: ' /tmp/err || fail "$*: the error does not start with bcachectl:"
	fi
	return 0
}

# reg_field ID N: field N of the registry line of ID.
reg_field()
{
	awk -v id="$1" -v n="$2" '$1 == id { print $n }' /etc/bcache/devices
}

# row BCACHEDEV N: field N of the device's row in bcachectl status.
row()
{
	"$BCTL" status | awk -v d="$1" -v n="$2" '$1 == d { print $n }'
}

test()
{
	local ssd hdd part p1 bc bc1 uuid puuid fsuuid p1uuid c n0 line hits

	ssd=${DISK_ssd##*/} hdd=${DISK_hdd##*/}
	boot_setup
	bch_format "$DISK_ssd" --bucket 64k
	mkfs.ext4 -q -F -L data "$DISK_hdd"
	fsuuid=$(blkid -p -s UUID -o value "$DISK_hdd")
	udev_start
	coldplug "$DISK_ssd" "$DISK_hdd" "$DISK_part"
	wait_for 60 [ -e "$SYSFS_BCACHE/$ssd/bucket_size" ] || fail "the cache was not registered by udev"

	# Help and usage errors.
	"$BCTL" --help | grep -q '^  attach' || fail "bcachectl --help lists no commands"
	for c in attach detach status list mode register; do
		"$BCTL" "$c" --help | head -n 1 | grep -q "^Usage: bcachectl $c" ||
			fail "bcachectl $c --help"
	done
	expect_rc 1 "$BCTL" frobnicate
	expect_rc 1 "$BCTL" attach "$DISK_hdd" --mode fast
	expect_rc 1 "$BCTL" attach "$DISK_hdd" --uuid nope
	expect_rc 1 "$BCTL" attach "$DISK_hdd" --label ../x
	expect_rc 1 "$BCTL" attach "$DISK_hdd" --bogus
	expect_rc 1 "$BCTL" attach "$DISK_hdd" --id "/dev/disk/by-uuid/$fsuuid"
	expect_rc 2 "$BCTL" attach /dev/nonexistent
	expect_rc 3 "$BCTL" attach "$DISK_ssd"
	expect_rc 2 "$BCTL" detach "$DISK_hdd"
	expect_rc 2 "$BCTL" register "$DISK_hdd"
	expect_rc 2 "$BCTL" mode "$DISK_hdd"
	# A mounted device is refused by the kernel; the registry is unchanged.
	printf '# kept: a comment\n\n' > /etc/bcache/devices
	mkdir -p /mnt/raw
	mount "$DISK_hdd" /mnt/raw
	expect_rc 3 "$BCTL" attach "$DISK_hdd"
	umount /mnt/raw
	expect_eq "$(cat /etc/bcache/devices)" "# kept: a comment" "registry after a refused attach"

	# attach: by-id id, uuid, label, mode recorded; registered; links moved.
	expect_rc 0 "$BCTL" attach "$DISK_hdd" --label data --mode writethrough
	cat /tmp/out
	uuid=$(reg_field /dev/disk/by-id/virtio-hdd 2)
	[ -n "$uuid" ] || fail "no registry line for /dev/disk/by-id/virtio-hdd: $(cat /etc/bcache/devices)"
	bc=$(bch_dev_for_uuid "$uuid") || fail "attach registered no device with uuid $uuid"
	grep -q "attached as $bc" /tmp/out || fail "attach does not say it made $bc"
	expect_eq "$(reg_field /dev/disk/by-id/virtio-hdd 3)" label=data "label field"
	expect_eq "$(reg_field /dev/disk/by-id/virtio-hdd 4)" mode=writethrough "mode field"
	grep -qx '# kept: a comment' /etc/bcache/devices || fail "attach lost a comment of the registry"
	expect_eq "$(bch_sys "$bc" cache)" "$ssd" "cache of $bc"
	expect_eq "$(readlink -f "/dev/disk/by-uuid/$fsuuid")" "$bc" "by-uuid link after attach"
	[ -z "$(links_to "$DISK_hdd")" ] || fail "the raw device still has links: $(links_to "$DISK_hdd")"
	expect_eq "$(readlink -f /dev/bcache/by-label/data)" "$bc" "/dev/bcache/by-label/data"
	expect_rc 3 "$BCTL" attach "$DISK_hdd" --uuid "$(bch_new_uuid)"
	expect_rc 3 "$BCTL" attach "$DISK_part" --label data

	# A partition is recorded by its PARTUUID; the partition is hot-added
	# (a real add uevent) while udevd runs.
	printf 'label: gpt\n,,L\n' | sfdisk -q "$DISK_part"
	udevadm settle
	part=$(basename "$(ls -d /sys/class/block/"${DISK_part##*/}"/"${DISK_part##*/}"*1)")
	p1=/dev/$part
	mkfs.ext4 -q -F -L p1 "$p1"
	p1uuid=$(blkid -p -s UUID -o value "$p1")
	puuid=$(blkid -p -s PART_ENTRY_UUID -o value "$p1")
	expect_rc 0 "$BCTL" attach "$p1" --mode writearound
	bc1=$(bch_dev_for_uuid "$(reg_field "PARTUUID=$puuid" 2)") ||
		fail "no PARTUUID=$puuid entry registered: $(cat /etc/bcache/devices)"
	expect_eq "$(readlink -f "/dev/disk/by-uuid/$p1uuid")" "$bc1" "by-uuid link of the partition's filesystem"
	grep -q '\[writearound\]' "/sys/block/${bc1##*/}/bcache/cache_mode" || fail "--mode not applied"

	# list
	"$BCTL" list | tee /tmp/list
	line=$(awk '$1 == "/dev/disk/by-id/virtio-hdd"' /tmp/list)
	expect_eq "$(echo "$line" | awk '{ print $2, $3, $4, $5, $6 }')" \
		"$uuid data writethrough $hdd ${bc##*/}" "list row of virtio-hdd"
	line=$(awk -v id="PARTUUID=$puuid" '$1 == id' /tmp/list)
	expect_eq "$(echo "$line" | awk '{ print $3, $4, $5, $6 }')" \
		"- writearound $part ${bc1##*/}" "list row of the partition"

	# register: idempotent and quiet for registered devices.
	n0=$(dmesg | wc -l)
	expect_rc 0 "$BCTL" register "$DISK_hdd"
	[ ! -s /tmp/out ] || fail "register of a registered device prints: $(cat /tmp/out)"
	expect_rc 0 "$BCTL" register "$p1"
	expect_rc 0 "$BCTL" register "$DISK_ssd"
	expect_rc 0 "$BCTL" register --background "$DISK_ssd"
	sleep 2
	expect_eq "$(dmesg | wc -l)" "$n0" "kernel log lines after re-registering"

	# mode: read, set, recorded.
	expect_rc 0 "$BCTL" mode "$bc"
	expect_eq "$(cat /tmp/out)" writethrough "mode of $bc"
	expect_rc 0 "$BCTL" mode "$DISK_hdd" writearound
	grep -q '\[writearound\]' "/sys/block/${bc##*/}/bcache/cache_mode" || fail "mode not set"
	expect_eq "$(reg_field /dev/disk/by-id/virtio-hdd 4)" mode=writearound "recorded mode"
	expect_rc 1 "$BCTL" mode "$bc" fast

	# status: the counters of sysfs, a hit ratio, modes, labels.
	dd if="$bc" of=/dev/null bs=128k count=16 iflag=direct status=none
	dd if="$bc" of=/dev/null bs=128k count=16 iflag=direct status=none
	"$BCTL" status | tee /tmp/status
	hits=$(bch_stat "$bc" cache_hits)
	[ "$hits" -gt 0 ] || fail "no cache hits"
	expect_eq "$(row "${bc##*/}" 4)" writearound "status: mode"
	expect_eq "$(row "${bc##*/}" 6)" "$ssd" "status: cache"
	expect_eq "$(row "${bc##*/}" 8)" "$hits" "status: hits"
	expect_eq "$(row "${bc##*/}" 11)" data "status: label"
	row "${bc##*/}" 10 | grep -qE '^[0-9]+%$' || fail "status: no hit ratio"
	expect_eq "$(row "$ssd" 2)" running "status: cache state"
	row "$ssd" 8 | grep -qE '^[0-9]+%$' || fail "status: no cache hit ratio"
	row "$ssd" 9 | grep -q "${bc##*/}" || fail "status: the cache does not list ${bc##*/}"

	# A stale entry and a malformed line: reported, not fatal.
	echo "/dev/disk/by-id/virtio-gone $(bch_new_uuid)" >> /etc/bcache/devices
	echo "garbage" >> /etc/bcache/devices
	"$BCTL" status > /tmp/status 2> /tmp/err
	grep -q 'virtio-gone.*device not present' /tmp/status || fail "status does not show the missing device"
	grep -q "devices:$(wc -l < /etc/bcache/devices): line ignored" /tmp/err || fail "no warning for the bad line"
	expect_rc 0 "$BCTL" detach /dev/disk/by-id/virtio-gone
	grep -q virtio-gone /etc/bcache/devices && fail "detach kept the stale entry"
	sed -i '/^garbage$/d' /etc/bcache/devices

	# A new label moves /dev/bcache/by-label.
	expect_rc 0 "$BCTL" attach "$DISK_hdd" --label data2
	udevadm settle
	expect_eq "$(readlink -f /dev/bcache/by-label/data2)" "$bc" "/dev/bcache/by-label/data2"
	[ ! -e /dev/bcache/by-label/data ] || fail "the old label link stays"

	# detach: from the cache and the registry; the device stays.
	expect_rc 0 "$BCTL" detach "$bc"
	cat /tmp/out
	expect_eq "$(bch_sys "$bc" cache)" none "cache of $bc after detach"
	[ -z "$(reg_field /dev/disk/by-id/virtio-hdd 2)" ] || fail "detach kept the registry entry"
	grep -qx '# kept: a comment' /etc/bcache/devices || fail "detach lost a comment of the registry"
	[ -b "$bc" ] || fail "detach without --stop stopped $bc"
	# --stop, by the backing device: the raw device gets its links back.
	expect_rc 0 "$BCTL" detach "$p1" --stop
	[ ! -e "/sys/block/${bc1##*/}" ] || fail "--stop did not stop $bc1"
	[ -z "$(reg_field "PARTUUID=$puuid" 2)" ] || fail "detach kept the PARTUUID entry"
	expect_eq "$(readlink -f "/dev/disk/by-uuid/$p1uuid")" "$p1" "by-uuid link of the stopped partition"
	mount "$bc" /mnt/raw
	expect_rc 3 "$BCTL" detach "$bc" --stop
	umount /mnt/raw
	expect_rc 0 "$BCTL" detach "$bc" --stop
	expect_eq "$(readlink -f "/dev/disk/by-uuid/$fsuuid")" "$DISK_hdd" "by-uuid link of the stopped device"
	expect_eq "$(udev_prop "$DISK_hdd" SYSTEMD_READY)" "" "SYSTEMD_READY of the freed device"
	expect_rc 2 "$BCTL" detach "$bc"

	# After a reboot, nothing is registered from an empty registry.
	fake_reboot
	udev_start
	coldplug "$DISK_ssd" "$DISK_hdd" "$DISK_part" "$p1"
	wait_for 60 [ -e "$SYSFS_BCACHE/$ssd/bucket_size" ] || fail "the cache was not registered after reboot"
	sleep 2
	[ -z "$(bcache_devs)" ] || fail "detached devices were registered at boot: $(bcache_devs)"
	check_udev_log
	boot_teardown
}
